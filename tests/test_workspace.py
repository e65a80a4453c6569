"""The workspace as data: loading a wave, exclusions, findings wording."""

from __future__ import annotations

import pandas as pd
import pytest

from samskaping.loading import load_survey
from samskaping.profiles import FINDING_PARTS, FINDING_ROWS
from samskaping.workspace import Exclusion, FindingsEdit, Wave, Workspace, apply_exclusions, load_wave, new_id
from tests.test_storage import DEMO


def test_a_wave_reads_as_its_file(instrument) -> None:
    wave = Wave(new_id(), "2024", DEMO.name, DEMO.read_bytes())
    expected = load_survey(DEMO, instrument).validated  # the same file read directly
    pd.testing.assert_frame_equal(load_wave(wave, instrument).data, expected.data)


def test_exclusions_remove_and_count(instrument) -> None:
    validated = load_survey(DEMO, instrument).validated
    data = validated.data
    case = sorted(data["case"].unique())[0]
    in_case = data.loc[data["case"] == case, "respondent_id"].astype("str").tolist()
    other = data.loc[data["case"] != case, "respondent_id"].astype("str").iloc[0]
    exclusions = (
        Exclusion("respondent", in_case[0], "duplicate"),  # also in the excluded case: counted once, here
        Exclusion("case", case, "pilot"),
        Exclusion("respondent", other, "answered for someone else"),
        Exclusion("respondent", "nobody", "typo"),
    )
    kept, table = apply_exclusions(validated, exclusions)
    # Expected by counting: len(in_case) + 1 respondents leave; the first line takes one of the case's.
    assert len(kept.data) == len(data) - len(in_case) - 1
    assert table["removed"].tolist() == [1, len(in_case) - 1, 1, 0]
    assert case not in set(kept.data["case"]) and other not in set(kept.data["respondent_id"].astype("str"))
    assert kept.report is validated.report


def test_exclusion_kinds_are_checked() -> None:
    with pytest.raises(ValueError, match="kind"):
        Exclusion("group", "x", "y")


def test_findings_wording_round_trips_through_a_table() -> None:
    table = pd.DataFrame("", index=list(FINDING_ROWS), columns=list(FINDING_PARTS))
    table.loc[FINDING_ROWS[0], FINDING_PARTS[1]] = "Tillit: 4,2\nFelles mål"
    edit = FindingsEdit.from_table("w1", "Case", "nb", table)
    pd.testing.assert_frame_equal(edit.table(), table)


def test_workspace_lookups() -> None:
    wave = Wave("w1", "2024", "a.csv", b"")
    workspace = Workspace(
        "id",
        "Studie",
        waves=(wave,),
        exclusions=(Exclusion("case", "A", "r", "w1"), Exclusion("case", "B", "r"), Exclusion("case", "C", "r", "w2")),
    )
    assert workspace.wave("w1") is wave
    with pytest.raises(KeyError):
        workspace.wave("w9")
    assert [e.target for e in workspace.exclusions_for("w1")] == ["A", "B"]
