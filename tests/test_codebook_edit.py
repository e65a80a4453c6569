"""Editing the codebook: YAML round trip, edits through the tables, and scores recomputed with them."""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from samskaping.codebook import Codebook, ItemRef, parse_codebook
from samskaping.codebook_edit import (
    apply_edits,
    codebook_to_dict,
    codebook_to_yaml,
    judgements_frame,
    measures_frame,
    parse_item_list,
    thresholds_frame,
    weights_frame,
    wording_frame,
)
from samskaping.errors import ConfigError
from samskaping.importing import read_table
from samskaping.instrument import Instrument
from samskaping.scoring import score_respondents
from samskaping.validation import validate_canonical

DATA_DIR = Path(__file__).resolve().parents[1] / "data"


def _edit(frame: pd.DataFrame, measure_id: str, column: str, value: object) -> pd.DataFrame:
    edited = frame.copy()
    edited.loc[edited["id"] == measure_id, column] = value
    return edited


def _apply(codebook: Codebook, instrument: Instrument, measures=None, thresholds=None) -> Codebook:
    return apply_edits(
        codebook,
        measures if measures is not None else measures_frame(codebook, "en"),
        thresholds if thresholds is not None else thresholds_frame(codebook),
        instrument,
    )


# --- serialising -------------------------------------------------------------------------------


def test_yaml_round_trip_gives_the_same_codebook(codebook, instrument):
    assert parse_codebook(codebook_to_yaml(codebook), instrument, source=codebook.source) == codebook


def test_dict_has_the_schema_of_the_bundled_file(codebook):
    bundled = yaml.safe_load((DATA_DIR / "codebook.yaml").read_text(encoding="utf-8"))
    assert codebook_to_dict(codebook) == bundled


def test_yaml_keeps_norwegian_letters_and_schema_order(codebook):
    text = codebook_to_yaml(codebook)
    assert "Grenseområde" in text and "\\xE5" not in text
    keys = [line.split(":")[0] for line in text.splitlines() if line and line[0].isalpha()]
    assert keys == [
        "schema_version", "thresholds", "bands", "categories", "leadership_profile", "barriers", "continuum"
    ]  # fmt: skip


def test_unedited_tables_give_the_same_codebook(codebook, instrument):
    assert _apply(codebook, instrument) == parse_codebook(codebook_to_yaml(codebook), instrument, "edited codebook")


# --- tables --------------------------------------------------------------------------------------


def test_measures_frame_lists_every_measure(codebook):
    frame = measures_frame(codebook, "nb")
    assert list(frame.columns) == ["id", "family", "name", "items", "reversed", "weight", "judgement"]
    assert tuple(frame["id"]) == codebook.measure_ids
    rows = frame.set_index("id")
    assert rows.loc["history", "items"] == "q26, q27"
    assert rows.loc["shared_vision", "name"] == "Felles visjon"
    assert rows.loc["environment", "items"] == "history, legitimacy, climate"
    assert rows.loc["thickness", "items"] == "co_design, co_delivery, durability"
    assert rows.loc["co_delivery", "reversed"] == "q10, q22, q23"
    assert rows.loc["co_design", "weight"] == 0.4
    assert math.isnan(rows.loc["history", "weight"])
    assert rows.loc["leadership", "judgement"].startswith("Q66-Q69")
    assert rows.loc["history", "judgement"] == ""


def test_thresholds_frame(codebook):
    frame = thresholds_frame(codebook).set_index("threshold")["value"]
    assert frame["k"] == 3 and frame["band_strength"] == 4.0 and len(frame) == 9


def test_judgements_shared_by_the_barriers_are_listed_once(codebook):
    frame = judgements_frame(codebook, "en")
    assert len(frame) == 6
    assert "Not-invented-here, Hoarding, Search, Transfer" in set(frame["measures"])


def test_weights_and_wording(codebook, instrument):
    assert weights_frame(codebook, "en")["weight"].tolist() == [0.4, 0.4, 0.2]
    wording = wording_frame(codebook, instrument, "co_design", "en").set_index("item")
    assert bool(wording.loc["q18", "reversed"]) and not bool(wording.loc["q07", "reversed"])
    assert wording.loc["q18", "question"] == instrument.item("q18").text.en
    assert len(wording_frame(codebook, instrument, "environment", "nb")) == 6  # q26 q27 q35 q36 q37 q38


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("q26,q27", ("q26", "q27")),
        ("Q26 q27", ("q26", "q27")),
        ("26, 27", ("q26", "q27")),
        (" q07 ;q5", ("q07", "q05")),
        ("", ()),
        (None, ()),
        (float("nan"), ()),
        ("q26, x1", ("q26", "x1")),
    ],
)
def test_item_lists_are_read_tolerantly(cell, expected):
    assert parse_item_list(cell) == expected


# --- applying edits ------------------------------------------------------------------------------


def test_editing_items_changes_the_measure(codebook, instrument):
    measures = _edit(measures_frame(codebook, "en"), "history", "items", "q26, q27, q19")
    edited = _apply(codebook, instrument, measures)
    assert edited.measure("history").item_ids == ("q26", "q27", "q19")
    assert edited.measure("legitimacy") == codebook.measure("legitimacy")


def test_tolerant_item_list_in_the_table(codebook, instrument):
    measures = _edit(measures_frame(codebook, "en"), "climate", "items", "38 Q26")
    measures = _edit(measures, "history", "items", "27")
    assert _apply(codebook, instrument, measures).measure("climate").item_ids == ("q38", "q26")


def test_item_in_two_factors_is_rejected_naming_it(codebook, instrument):
    measures = _edit(measures_frame(codebook, "en"), "climate", "items", "q38, q27")
    with pytest.raises(ConfigError, match="q27"):
        _apply(codebook, instrument, measures)


def test_unknown_item_is_rejected(codebook, instrument):
    measures = _edit(measures_frame(codebook, "en"), "history", "items", "q26, q99")
    with pytest.raises(ConfigError, match=r"q99.*not in the instrument"):
        _apply(codebook, instrument, measures)


def test_weights_must_sum_to_one(codebook, instrument):
    measures = measures_frame(codebook, "en")
    for measure_id, weight in [("co_design", 0.5), ("co_delivery", 0.4), ("durability", 0.2)]:
        measures = _edit(measures, measure_id, "weight", weight)
    with pytest.raises(ConfigError, match="sum to 1"):
        _apply(codebook, instrument, measures)


def test_new_weights_are_used(codebook, instrument):
    measures = _edit(measures_frame(codebook, "en"), "co_design", "weight", 0.6)
    measures = _edit(measures, "co_delivery", "weight", 0.2)
    edited = _apply(codebook, instrument, measures)
    assert [m.weight for m in edited.family("subindex")] == [0.6, 0.2, 0.2]


def test_reversed_column_reverse_codes_an_item(codebook, instrument):
    measures = _edit(measures_frame(codebook, "en"), "co_design", "reversed", "q18, q07")
    edited = _apply(codebook, instrument, measures).measure("co_design")
    assert ItemRef("q07", reverse=True) in edited.items
    assert ItemRef("q18", reverse=True) in edited.items


def test_reversed_item_must_be_among_the_items(codebook, instrument):
    measures = _edit(measures_frame(codebook, "en"), "history", "reversed", "q30")
    with pytest.raises(ConfigError, match=r"q30.*not among the items"):
        _apply(codebook, instrument, measures)


def test_reversed_factor_item_survives_the_yaml_round_trip(codebook, instrument):
    measures = _edit(measures_frame(codebook, "en"), "history", "reversed", "q27")
    edited = _apply(codebook, instrument, measures)
    assert edited.measure("history").items == (ItemRef("q26"), ItemRef("q27", reverse=True))
    assert parse_codebook(codebook_to_yaml(edited), instrument, source=edited.source) == edited


def test_edits_of_composed_measures_are_ignored(codebook, instrument):
    measures = _edit(measures_frame(codebook, "en"), "environment", "items", "history")
    measures = _edit(measures, "history", "weight", 0.9)
    assert _apply(codebook, instrument, measures).measure("environment").components == (
        "history", "legitimacy", "climate"
    )  # fmt: skip


def test_threshold_edit(codebook, instrument):
    thresholds = thresholds_frame(codebook)
    thresholds.loc[thresholds["threshold"] == "k", "value"] = 5
    edited = _apply(codebook, instrument, thresholds=thresholds)
    assert edited.thresholds.k == 5 and isinstance(edited.thresholds.k, int)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("k", 2.5, "thresholds.k: must be a whole number"),
        ("k", 0, "thresholds.k: must be at least 1"),
        ("band_borderline", 4.5, "must be below band_strength"),
        ("band_strength", "abc", "thresholds.band_strength: must be a number"),
    ],
)
def test_bad_threshold_edits_are_rejected(codebook, instrument, name, value, message):
    thresholds = thresholds_frame(codebook).astype({"value": object})
    thresholds.loc[thresholds["threshold"] == name, "value"] = value
    with pytest.raises(ConfigError, match=re.escape(message)):
        _apply(codebook, instrument, thresholds=thresholds)


def test_decimal_comma_threshold(codebook, instrument):
    thresholds = thresholds_frame(codebook).astype({"value": object})
    thresholds.loc[thresholds["threshold"] == "band_strength", "value"] = "3,5"
    thresholds.loc[thresholds["threshold"] == "band_borderline", "value"] = "2,5"
    assert _apply(codebook, instrument, thresholds=thresholds).thresholds.band_strength == 3.5


def test_missing_column_is_a_bad_call(codebook, instrument):
    with pytest.raises(ValueError, match="items"):
        _apply(codebook, instrument, measures_frame(codebook, "en").drop(columns="items"))


# --- recomputation -------------------------------------------------------------------------------


def _golden_answers(path: Path, respondent: str, items: tuple[str, ...]) -> list[float]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["respondent_id"] == respondent)
    return [float(row[item]) for item in items if row[item].strip()]


def test_scores_are_recomputed_with_the_edited_codebook(codebook, instrument, shared_dir):
    survey = shared_dir / "fixtures" / "golden" / "survey.csv"
    measures = _edit(measures_frame(codebook, "en"), "climate", "items", "q38, q26")
    measures = _edit(measures, "history", "items", "q27")
    edited = _apply(codebook, instrument, measures)
    validated = validate_canonical(read_table(survey), instrument)
    scores = score_respondents(validated.data, instrument, edited).set_index("respondent_id")
    before = score_respondents(validated.data, instrument, codebook).set_index("respondent_id")
    for respondent in ("R001", "R002"):
        answers = _golden_answers(survey, respondent, ("q38", "q26"))
        # Half rule: one of the two items answered is enough.
        assert answers, respondent
        assert scores.loc[respondent, "climate"] == pytest.approx(sum(answers) / len(answers), abs=1e-12)
    assert len(_golden_answers(survey, "R001", ("q38", "q26"))) == 1  # R001 left q26 blank
    assert len(_golden_answers(survey, "R002", ("q38", "q26"))) == 2
    assert scores.loc["R002", "climate"] != before.loc["R002", "climate"]
    # history now holds q27 only.
    assert scores.loc["R001", "history"] == _golden_answers(survey, "R001", ("q27",))[0]
