"""The continuum (methods.md §9): positions against the golden fixture, the bootstrap interval, the
sensitivity table on a data set built by hand, placements files, and the ``continuum`` command."""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from samskaping import cli, cli_continuum
from samskaping.continuum import (
    POSITION_COLUMNS,
    Placement,
    load_placements,
    placements_to_yaml,
    positions,
    sensitivity,
)
from samskaping.errors import ConfigError
from samskaping.importing import read_table
from samskaping.scoring import Scores, score_survey
from samskaping.validation import validate_canonical

ROOT = Path(__file__).resolve().parents[1]
SUBINDICES = ("co_design", "co_delivery", "durability")
CSV_HEADER = "case,n,thickness,low,high,co_design,co_delivery,durability,manual_position,outside,shown,hidden"


@pytest.fixture(scope="module")
def golden_csv(shared_dir: Path) -> Path:
    return shared_dir / "fixtures" / "golden" / "survey.csv"


@pytest.fixture(scope="module")
def golden(golden_csv, instrument, codebook) -> Scores:
    return score_survey(validate_canonical(read_table(golden_csv), instrument).data, instrument, codebook)


@pytest.fixture(scope="module")
def expected(shared_dir: Path) -> pd.DataFrame:
    return pd.read_csv(shared_dir / "fixtures" / "golden" / "expected_cases.csv")


# --- positions against the golden fixture ------------------------------------------------------------


def test_positions_reproduce_the_golden_fixture(golden, codebook, expected):
    table = positions(golden, codebook).set_index("case")
    assert list(table.reset_index().columns) == list(POSITION_COLUMNS)
    thickness = expected[expected["measure"] == "thickness"].set_index("case")
    assert sorted(table.index) == sorted(thickness.index)
    for case, row in thickness.iterrows():
        got = table.loc[case]
        assert got["n"] == row["n"], case
        if row["hidden"]:  # Cases C and D: fewer than 3 respondents with a thickness
            assert got["hidden"] and got["shown"] == "hidden", case
            assert all(pd.isna(got[c]) for c in ("thickness", "low", "high", *SUBINDICES)), case
            continue
        assert not got["hidden"] and got["shown"] == "computed", case
        assert got["thickness"] == pytest.approx(row["mean"], abs=1e-9), case
        for measure in SUBINDICES:
            want = expected[(expected["case"] == case) & (expected["measure"] == measure)]["mean"].item()
            assert got[measure] == pytest.approx(want, abs=1e-9), (case, measure)
    assert set(table.index[table["hidden"]]) == {"Case C", "Case D"}


def test_interval_is_reproducible_with_its_seed_and_contains_the_estimate(golden, codebook):
    first = positions(golden, codebook, seed=7)
    again = positions(golden, codebook, seed=7)
    other = positions(golden, codebook, seed=8)
    shown = ~first["hidden"]
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first.loc[shown, ["low", "high"]], other.loc[shown, ["low", "high"]])
    assert (first.loc[shown, "low"] <= first.loc[shown, "thickness"]).all()
    assert (first.loc[shown, "thickness"] <= first.loc[shown, "high"]).all()
    assert (first.loc[shown, "low"] < first.loc[shown, "high"]).all()  # the respondents differ
    # The thickness itself does not depend on the seed.
    np.testing.assert_allclose(first["thickness"], other["thickness"])


def test_bootstrap_in_batches_draws_the_same_resamples(golden, codebook, monkeypatch):
    """The interval is the percentile interval of B means of one resamples × n draw from the case's
    stream; drawing it in batches (bounded memory for cases of any size) changes nothing."""
    from samskaping import continuum

    values = np.array([12.5, 40.0, 40.0, 55.0, 61.25, 70.0, 90.0])
    rng = np.random.default_rng(99)
    means = values[rng.integers(0, values.size, size=(2_000, values.size))].mean(axis=1)
    expected = tuple(np.percentile(means, [2.5, 97.5], method="linear"))
    assert continuum._bootstrap(values, 99, 2_000) == expected
    whole = positions(golden, codebook, seed=7)
    monkeypatch.setattr(continuum, "_BATCH_ELEMENTS", 10)  # one or two resamples per batch
    assert continuum._bootstrap(values, 99, 2_000) == expected
    pd.testing.assert_frame_equal(positions(golden, codebook, seed=7), whole, check_exact=True)


def test_interval_of_identical_respondents_is_the_point(instrument, codebook):
    # Every respondent of a case answers alike: every resample has the same mean, so low = high = mean.
    data = _survey(instrument, {"X": (X_ANSWERS, 3)})
    scores = score_survey(data, instrument, codebook)
    row = positions(scores, codebook).iloc[0]
    assert row["thickness"] == pytest.approx(60.0, abs=1e-9)  # 0.4 × 100 + 0.4 × 50 + 0.2 × 0
    assert row["low"] == pytest.approx(60.0, abs=1e-9) and row["high"] == pytest.approx(60.0, abs=1e-9)


# --- sensitivity on a data set built so that exactly one perturbation swaps two cases ---------------
#
# Sub-index items (codebook.md): co_design Q7, Q11, Q17, Q20, Q24 ↑ and Q18 ↓; co_delivery Q12 ↑ and
# Q10, Q22, Q23 ↓; durability Q4, Q5, Q6 with a = 100, b = 66.67, c = 33.33, d = 0. Likert x ↑ → (x − 1)/4 × 100,
# ↓ → (5 − x)/4 × 100. No answer is 3, so *treat 3 as missing* changes nothing.
#
# X: co_design 100 (all 5, Q18 = 1), co_delivery (100 + 0 + 75 + 25)/4 = 50, durability 0 (all d).
# Y: co_design (100 + 100 + 75 + 75 + 75 + 0)/6 = 70.833, co_delivery 75 (Q12 = 4, the others 2),
#    durability (100 + 0 + 0)/3 = 33.333.
# Z: everything thinnest: 0.
#
# scenario (weights design / delivery / durability)     X                         Y                                swap?
# baseline        0.4   / 0.4    / 0.2       40 + 20 + 0 = 60.000      28.333 + 30 + 6.667 = 65.000      –
# co_design +0.1  0.5   / 0.3333 / 0.1667    50 + 16.667 + 0 = 66.667  35.417 + 25 + 5.556 = 65.972      X ↔ Y
# co_design −0.1  0.3   / 0.4667 / 0.2333    30 + 23.333 = 53.333      21.25 + 35 + 7.778 = 64.028       no
# co_delivery +0.1 0.3333 / 0.5  / 0.1667    33.333 + 25 = 58.333      23.611 + 37.5 + 5.556 = 66.667    no
# co_delivery −0.1 0.4667 / 0.3  / 0.2333    46.667 + 15 = 61.667      33.056 + 22.5 + 7.778 = 63.333    no
# durability +0.1 0.35  / 0.35   / 0.3       35 + 17.5 = 52.500        24.792 + 26.25 + 10 = 61.042      no
# durability −0.1 0.45  / 0.45   / 0.1       45 + 22.5 = 67.500        31.875 + 33.75 + 3.333 = 68.958   no
# Z is 0 in every scenario. W (2 respondents, hidden at k = 3) is thickest but takes part in no order.

X_ANSWERS = {"q07": 5, "q11": 5, "q17": 5, "q20": 5, "q24": 5, "q18": 1,
             "q12": 5, "q10": 5, "q22": 2, "q23": 4, "q04": 4, "q05": 4, "q06": 4}  # fmt: skip
Y_ANSWERS = {"q07": 5, "q11": 5, "q17": 4, "q20": 4, "q24": 4, "q18": 5,
             "q12": 4, "q10": 2, "q22": 2, "q23": 2, "q04": 1, "q05": 4, "q06": 4}  # fmt: skip
Z_ANSWERS = {"q07": 1, "q11": 1, "q17": 1, "q20": 1, "q24": 1, "q18": 5,
             "q12": 1, "q10": 5, "q22": 5, "q23": 5, "q04": 4, "q05": 4, "q06": 4}  # fmt: skip
W_ANSWERS = {"q07": 5, "q11": 5, "q17": 5, "q20": 5, "q24": 5, "q18": 1,
             "q12": 5, "q10": 1, "q22": 1, "q23": 1, "q04": 1, "q05": 1, "q06": 1}  # fmt: skip


def _survey(instrument, cases: dict[str, tuple[dict[str, int], int]]) -> pd.DataFrame:
    """A canonical data set: ``count`` identical respondents per case with the given answers."""
    rows = []
    for case, (answers, count) in cases.items():
        for i in range(count):
            row = {"respondent_id": f"{case}{i}", "case": case, "group": "municipality" if i % 2 else "other"}
            rows.append(row | {item: float(answers.get(item, np.nan)) for item in instrument.numeric_item_ids()})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def built(instrument) -> pd.DataFrame:
    return _survey(instrument, {"X": (X_ANSWERS, 3), "Y": (Y_ANSWERS, 4), "Z": (Z_ANSWERS, 3), "W": (W_ANSWERS, 2)})


def test_built_case_has_the_hand_computed_positions(built, instrument, codebook):
    table = positions(score_survey(built, instrument, codebook), codebook).set_index("case")
    assert table.loc["X", ["co_design", "co_delivery", "durability", "thickness"]].tolist() == pytest.approx(
        [100.0, 50.0, 0.0, 60.0], abs=1e-9)  # fmt: skip
    assert table.loc["Y", ["co_design", "co_delivery", "durability", "thickness"]].tolist() == pytest.approx(
        [425 / 6, 75.0, 100 / 3, 65.0], abs=1e-9)  # fmt: skip
    assert table.loc["Z", "thickness"] == pytest.approx(0.0, abs=1e-9)
    assert table.loc["W", "hidden"] and table.loc["W", "n"] == 2


def test_sensitivity_finds_the_one_perturbation_that_swaps_two_cases(built, instrument, codebook):
    table = sensitivity(built, instrument, codebook, k=3).set_index("scenario")
    assert list(table.index) == [
        "co_design +0.1", "co_design -0.1", "co_delivery +0.1", "co_delivery -0.1",
        "durability +0.1", "durability -0.1", "three_as_missing",
    ]  # fmt: skip
    assert table.loc["co_design +0.1", "weights"] == "co_design 0.500, co_delivery 0.333, durability 0.167"
    assert table.loc["durability -0.1", "weights"] == "co_design 0.450, co_delivery 0.450, durability 0.100"
    changed = table[table["order_changed"]]
    assert list(changed.index) == ["co_design +0.1"]
    assert changed.loc["co_design +0.1", "swaps"] == "X ↔ Y"  # X was thinner; W (hidden) is in no order
    assert (table.loc[table.index != "co_design +0.1", "swaps"] == "").all()


def test_sensitivity_reports_the_three_switch(built, instrument, codebook):
    # From *treat 3 as missing* switched on, the last scenario counts 3 again; no 3 in the data: no change.
    table = sensitivity(built, instrument, codebook, k=3, three_as_missing=True)
    assert table["scenario"].iloc[-1] == "three_counts"
    assert list(table.loc[table["order_changed"], "scenario"]) == ["co_design +0.1"]


# --- placements -------------------------------------------------------------------------------------


def test_placements_round_trip():
    placements = {
        "Case A": Placement(70.0, False, "Focus groups: joint delivery since 2019.", "both"),
        "Case D": Placement(None, True, "The collaboration ended in 2017.", "manual"),
        "Grønne hender": Placement(12.5, False, "", "manual"),
        "Case B": Placement(None, False, "Survey only.", "computed"),
    }
    text = placements_to_yaml(placements)
    assert load_placements(text) == placements
    assert "Grønne hender" in text  # readable, not escaped
    assert load_placements("Case D: {position: outside}")["Case D"] == Placement(None, True, "", "manual")
    assert load_placements("") == {}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("Case A: {position: 120}", "Case A.position"),
        ("Case A: {position: -1}", "Case A.position"),
        ("Case A: {position: inside}", "Case A.position"),
        ("Case A: {position: 50, show: sometimes}", "Case A.show"),
        ("Case A: 50", "Case A"),
        ("Case A: {position: 50, colour: red}", "Case A.colour"),
    ],
)
def test_malformed_placements_name_the_case(text, where):
    with pytest.raises(ConfigError) as error:
        load_placements(text, source="placements.yaml")
    message = str(error.value)
    assert message.startswith(f"placements.yaml: {where}: ")
    assert "\n" not in message


@pytest.mark.parametrize("text", ["- Case A\n- Case B", "just text", "Case A: {position: [1"])
def test_placements_file_that_is_no_mapping(text):
    with pytest.raises(ConfigError, match=r"^placements\.yaml: "):
        load_placements(text, source="placements.yaml")


def test_placements_show_in_positions(golden, codebook):
    placements = load_placements(
        "Case A: {position: 70, rationale: workshop, show: both}\n"
        "Case B: {position: 20, show: computed}\n"
        "Case C: {position: 40}\n"  # hidden (n = 2), but a manual placement is still shown
        "Case D: {position: outside, rationale: ended}\n"
    )
    table = positions(golden, codebook, placements=placements).set_index("case")
    assert table.loc["Case A", "shown"] == "both" and table.loc["Case A", "manual_position"] == 70
    assert table.loc["Case B", "shown"] == "computed" and table.loc["Case B", "manual_position"] == 20
    assert table.loc["Case C", "shown"] == "manual" and pd.isna(table.loc["Case C", "thickness"])
    assert table.loc["Case D", "shown"] == "manual" and table.loc["Case D", "outside"]
    assert table.loc["Case D", "rationale"] == "ended"


# --- the continuum command --------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = cli._ArgumentParser(prog="python -m samskaping")
    cli_continuum.add_parser(parser.add_subparsers(dest="command", parser_class=cli._ArgumentParser))
    return parser


def _read_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM (methods.md §10)
    assert raw[3:].decode("utf-8").splitlines()[0] == CSV_HEADER
    return pd.read_csv(
        path,
        encoding="utf-8-sig",
        keep_default_na=False,
        na_values=[""],
        dtype={"outside": str, "hidden": str, "shown": str},
    )


def test_cli_writes_the_figure_and_the_csv_beside_it(golden_csv, expected, tmp_path, capsys):
    placements = tmp_path / "placements.yaml"
    placements.write_text("Case A: {position: 70, rationale: workshop, show: both}\nCase D: {position: outside}\n")
    out = tmp_path / "figures" / "fig.html"
    args = _parser().parse_args(["continuum", str(golden_csv), "--out", str(out), "--placements", str(placements),
                                 "--lang", "nb"])  # fmt: skip
    assert cli_continuum.run(args) == 0
    html = out.read_text(encoding="utf-8")
    assert "tynn samskaping" in html and "Case A" in html
    table = _read_csv(tmp_path / "figures" / "fig.csv").set_index("case")
    want = expected[expected["measure"] == "thickness"].set_index("case")
    assert table.loc["Case A", "thickness"] == pytest.approx(want.loc["Case A", "mean"], abs=1e-9)
    assert table.loc["Case A", "manual_position"] == 70 and table.loc["Case A", "shown"] == "both"
    assert table.loc["Case D", "outside"] == "true" and table.loc["Case D", "hidden"] == "true"
    assert pd.isna(table.loc["Case C", "thickness"]) and table.loc["Case C", "shown"] == "hidden"
    assert "fig.csv" in capsys.readouterr().out


def test_cli_rejects_an_unknown_suffix_in_one_line(golden_csv, tmp_path, capsys):
    args = _parser().parse_args(["continuum", str(golden_csv), "--out", str(tmp_path / "fig.jpg")])
    assert cli_continuum.run(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "fig.jpg" in err
    assert not list(tmp_path.iterdir())


def test_cli_rejects_a_bad_placements_file(golden_csv, tmp_path):
    placements = tmp_path / "p.yaml"
    placements.write_text("Case A: {position: 120}\n")
    args = _parser().parse_args(["continuum", str(golden_csv), "--out", str(tmp_path / "f.html"),
                                 "--placements", str(placements)])  # fmt: skip
    with pytest.raises(ConfigError, match=r"Case A\.position"):
        cli_continuum.run(args)


def _wired() -> bool:
    try:
        cli.build_parser().parse_args(["continuum", "x", "--out", "y.png"])
    except SystemExit:
        return False
    return True


def test_python_m_samskaping_continuum(golden_csv, tmp_path):
    # End to end through ``python -m samskaping``: needs the two lines in samskaping/cli.py.
    assert _wired(), "samskaping/cli.py does not wire cli_continuum (add_parser and run)"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = tmp_path / "fig.html"
    done = subprocess.run([sys.executable, "-m", "samskaping", "continuum", str(golden_csv), "--out", str(out),
                           "--matrix"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert out.exists() and (tmp_path / "fig.csv").exists()
    bad = subprocess.run([sys.executable, "-m", "samskaping", "continuum", str(golden_csv), "--out",
                          str(tmp_path / "fig.gif")], capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


def _two_subindices(codebook, design: float, delivery: float):
    """The codebook without ``durability``: thickness = design × co_design + delivery × co_delivery."""
    measures = []
    for m in codebook.measures:
        if m.id == "durability":
            continue
        if m.family == "thickness":
            m = dataclasses.replace(m, components=("co_design", "co_delivery"))
        if m.family == "subindex":
            m = dataclasses.replace(m, weight=design if m.id == "co_design" else delivery)
        measures.append(m)
    return dataclasses.replace(codebook, measures=tuple(measures))


def test_sensitivity_with_two_subindices_and_a_weight_of_one(built, instrument, codebook):
    # Weights 1 / 0: co_design −0.1 gives 0.9 / 0.1 (the whole rest to the one other sub-index), not 0.9 / 0.05.
    table = sensitivity(built, instrument, _two_subindices(codebook, 1.0, 0.0), k=3).set_index("scenario")
    assert table.loc["co_design -0.1", "weights"] == "co_design 0.900, co_delivery 0.100"
    assert table.loc["co_design +0.1", "weights"] == "co_design 1.000, co_delivery 0.000"
    assert table.loc["co_delivery +0.1", "weights"] == "co_design 0.900, co_delivery 0.100"
    # X (100, 50) against Y (70.8, 75): design-heavy weights put X above Y, whatever the ±0.1.
    assert not table["order_changed"].any()
