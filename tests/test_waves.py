"""Two survey waves compared (samskaping.waves): the change and its Welch interval worked out by hand for
one measure and checked against scipy for every measure, anonymity across waves, cases in one wave only,
and the cases' moves on the continuum.

The hand-built waves (canonical form, every respondent's answers given) are shared with
tests/test_figures_waves.py and tests/test_cli_waves.py through :func:`two_waves`.
"""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from samskaping.continuum import positions
from samskaping.demo import generate_demo
from samskaping.scoring import score_survey
from samskaping.waves import (
    METHOD_FLAT,
    METHOD_HIDDEN,
    METHOD_SMALL,
    METHOD_WELCH,
    MOVE_COLUMNS,
    WAVE_COLUMNS,
    compare_waves,
    continuum_moves,
)

# Sub-index answers (tests/test_continuum.py works them out): X gives co_design 100, co_delivery 50,
# durability 0, thickness 0.4·100 + 0.4·50 + 0.2·0 = 60; Y gives 425/6, 75, 100/3 and thickness 65;
# Z gives 0 everywhere.
X_ANSWERS = {"q07": 5, "q11": 5, "q17": 5, "q20": 5, "q24": 5, "q18": 1,
             "q12": 5, "q10": 5, "q22": 2, "q23": 4, "q04": 4, "q05": 4, "q06": 4}  # fmt: skip
Y_ANSWERS = {"q07": 5, "q11": 5, "q17": 4, "q20": 4, "q24": 4, "q18": 5,
             "q12": 4, "q10": 2, "q22": 2, "q23": 2, "q04": 1, "q05": 4, "q06": 4}  # fmt: skip
Z_ANSWERS = {"q07": 1, "q11": 1, "q17": 1, "q20": 1, "q24": 1, "q18": 5,
             "q12": 1, "q10": 5, "q22": 5, "q23": 5, "q04": 4, "q05": 4, "q06": 4}  # fmt: skip

# Beta has 2 respondents in 2025 (n < k = 3): none of these numbers may leak anywhere.
# not_invented_here (Q70–Q72): 2024 Beta 12, 13, 15 -> mean 40/3 = 13.333…; 2025 Beta 87, 88 -> mean 87.5;
# change 87.5 − 13.333… = 74.1666…
SENTINELS = ("87.5", "87,5", "74.16", "74,16", "13.33", "13,33")


def history(value: int) -> dict[str, int]:
    """History (Q26, Q27) = value: both items answered alike."""
    return {"q26": value, "q27": value}


def barrier(value: int) -> dict[str, int]:
    """Not-invented-here (Q70–Q72) = value."""
    return {"q70": value, "q71": value, "q72": value}


def survey(instrument, respondents: list[tuple[str, dict[str, int]]], prefix: str) -> pd.DataFrame:
    """A canonical data set: one row per (case, answers); unanswered items missing."""
    rows = []
    for i, (case, answers) in enumerate(respondents):
        row = {"respondent_id": f"{prefix}{i:03d}", "case": case, "group": "municipality" if i % 2 else "other"}
        rows.append(row | {item: float(answers.get(item, np.nan)) for item in instrument.numeric_item_ids()})
    return pd.DataFrame(rows)


def two_waves(instrument) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Wave 2024 and wave 2025.

    Alpha (3 → 4 respondents): history 4, 5, 5 → 3, 4, 4, 5 (worked out by hand below); not-invented-here
    20, 40, 60 → 30, 50, 50, 90; continuum X → Y (60 → 65).
    Beta (3 → 2, hidden in 2025): history 2, 2, 3 → 5, 5; not-invented-here the sentinels; X → Z.
    Epsilon (3 → 3): history 3, 3, 3 → 4, 4, 4 (nobody varies); continuum Y → Z (65 → 0).
    Gamma only in 2024, Delta only in 2025.
    """
    before = survey(instrument, [
        ("Alpha", history(4) | barrier(20) | X_ANSWERS), ("Alpha", history(5) | barrier(40) | X_ANSWERS),
        ("Alpha", history(5) | barrier(60) | X_ANSWERS),
        ("Beta", history(2) | barrier(12) | X_ANSWERS), ("Beta", history(2) | barrier(13) | X_ANSWERS),
        ("Beta", history(3) | barrier(15) | X_ANSWERS),
        *[("Epsilon", history(3) | Y_ANSWERS)] * 3,
        *[("Gamma", history(1) | Z_ANSWERS)] * 3,
    ], "B")  # fmt: skip
    after = survey(instrument, [
        ("Alpha", history(3) | barrier(30) | Y_ANSWERS), ("Alpha", history(4) | barrier(50) | Y_ANSWERS),
        ("Alpha", history(4) | barrier(50) | Y_ANSWERS), ("Alpha", history(5) | barrier(90) | Y_ANSWERS),
        ("Beta", history(5) | barrier(87) | Z_ANSWERS), ("Beta", history(5) | barrier(88) | Z_ANSWERS),
        *[("Epsilon", history(4) | Z_ANSWERS)] * 3,
        *[("Delta", history(2) | X_ANSWERS)] * 3,
    ], "A")  # fmt: skip
    return before, after


@pytest.fixture(scope="module")
def waves(instrument):
    return two_waves(instrument)


@pytest.fixture(scope="module")
def scored(waves, instrument, codebook):
    before, after = waves
    return score_survey(before, instrument, codebook), score_survey(after, instrument, codebook)


@pytest.fixture(scope="module")
def comparison(scored, codebook):
    return compare_waves(*scored, codebook, labels=("2024", "2025"))


def row(table: pd.DataFrame, case: str, measure: str) -> pd.Series:
    rows = table[(table["case"] == case) & (table["measure"] == measure)]
    assert len(rows) == 1
    return rows.iloc[0]


# --- the change of one measure, by hand ----------------------------------------------------------------


def test_history_change_and_welch_interval_by_hand(comparison):
    # Alpha history, 2024: 4, 5, 5 -> mean 14/3 = 4.6667, s² = ((−2/3)² + 2·(1/3)²)/2 = 1/3
    #                2025: 3, 4, 4, 5 -> mean 4, s² = (1 + 0 + 0 + 1)/3 = 2/3
    # change = 4 − 14/3 = −2/3
    # se² = (1/3)/3 + (2/3)/4 = 1/9 + 1/6 = 5/18 -> se = 0.5270463
    # df = (5/18)² / ((1/9)²/2 + (1/6)²/3) = (25/324) / (2/324 + 3/324) = 5
    # t(0.975, 5) = 2.5705818 (statistical tables) -> half width 2.5705818 · 0.5270463 = 1.3548155
    # interval −0.6666667 ± 1.3548155 = (−2.0214822, 0.6881489)
    got = row(comparison.table, "Alpha", "history")
    assert (got["n_before"], got["n_after"]) == (3, 4)
    assert got["mean_before"] == pytest.approx(14 / 3, abs=1e-12)
    assert got["mean_after"] == pytest.approx(4.0, abs=1e-12)
    assert got["change"] == pytest.approx(-2 / 3, abs=1e-12)
    assert got["df"] == pytest.approx(5.0, abs=1e-9)
    assert got["change_low"] == pytest.approx(-2.0214822, abs=1e-6)
    assert got["change_high"] == pytest.approx(0.6881489, abs=1e-6)
    assert got["method"] == METHOD_WELCH and not got["hidden"]
    # Bands (methods.md §3): 4.67 ≥ 4.0 strength, 4.0 ≥ 4.0 strength.
    assert (got["band_before"], got["band_after"]) == ("strength", "strength")


def test_the_hand_worked_interval_is_scipys():
    # The same numbers through scipy: ttest_ind(after, before, equal_var=False), the difference after − before.
    result = stats.ttest_ind([3, 4, 4, 5], [4, 5, 5], equal_var=False)
    interval = result.confidence_interval(0.95)
    assert (interval.low, interval.high) == (pytest.approx(-2.0214822, abs=1e-6), pytest.approx(0.6881489, abs=1e-6))
    assert result.df == pytest.approx(5.0, abs=1e-9)


def _scipy_check(comparison, before_scores, after_scores) -> int:
    """Every interval of the comparison against scipy's Welch interval of the respondent scores; rows checked."""
    checked = 0
    for r in comparison.table.itertuples(index=False):
        if r.hidden or r.method == METHOD_SMALL:
            continue
        respondents = (before_scores.respondents, after_scores.respondents)
        first, second = (s.loc[s["case"] == r.case, r.measure].dropna().to_numpy() for s in respondents)
        assert (len(first), len(second)) == (r.n_before, r.n_after)
        with warnings.catch_warnings():  # scipy warns about identical values (Epsilon): expected here
            warnings.simplefilter("ignore", RuntimeWarning)
            interval = stats.ttest_ind(second, first, equal_var=False).confidence_interval(comparison.confidence)
        assert r.change == pytest.approx(second.mean() - first.mean(), abs=1e-9), (r.case, r.measure)
        assert r.change_low == pytest.approx(interval.low, abs=1e-9), (r.case, r.measure)
        assert r.change_high == pytest.approx(interval.high, abs=1e-9), (r.case, r.measure)
        checked += 1
    return checked


def test_every_interval_of_the_hand_built_waves_is_scipys(comparison, scored):
    # Shown and with n ≥ 2: Alpha history, not_invented_here, the 3 sub-indices and thickness (6); Epsilon
    # history, the 3 sub-indices and thickness (5; nobody varies: scipy's interval is the change itself, as ours).
    assert _scipy_check(comparison, *scored) == 11


def test_every_interval_of_two_demo_waves_is_scipys(instrument, codebook):
    # Two synthetic waves of the same 12 cases (8 to 10 respondents each): every measure varies.
    first = generate_demo(instrument, codebook, respondents=100, cases=12, seed=11).data
    second = generate_demo(instrument, codebook, respondents=110, cases=12, seed=12).data
    scores = score_survey(first, instrument, codebook), score_survey(second, instrument, codebook)
    comparison = compare_waves(*scores, codebook, confidence=0.9)
    assert len(comparison.cases) == 12 and not comparison.only_before and not comparison.only_after
    assert len(comparison.table) == 12 * len(codebook.measures)
    assert (comparison.table["method"] == METHOD_WELCH).mean() > 0.9
    assert _scipy_check(comparison, *scores) > 0.9 * len(comparison.table)


def test_nobody_varies_gives_the_change_as_its_interval(comparison):
    # Epsilon history 3, 3, 3 -> 4, 4, 4: change 1, both s² = 0, so se = 0: the interval is the point 1
    # (scipy gives the same, test above); df is undefined (0/0).
    got = row(comparison.table, "Epsilon", "history")
    assert got["change"] == pytest.approx(1.0, abs=1e-12)
    assert (got["change_low"], got["change_high"]) == (pytest.approx(1.0, abs=1e-12), pytest.approx(1.0, abs=1e-12))
    assert got["method"] == METHOD_FLAT and math.isnan(got["df"])


def test_one_respondent_gives_no_interval(instrument, codebook):
    # At k = 1 a case with one respondent per wave is shown, but one value has no variance: no interval.
    before = survey(instrument, [("Solo", history(2))], "B")
    after = survey(instrument, [("Solo", history(4))], "A")
    scores = score_survey(before, instrument, codebook, k=1), score_survey(after, instrument, codebook, k=1)
    got = row(compare_waves(*scores, codebook).table, "Solo", "history")
    assert not got["hidden"] and got["change"] == 2.0  # 4 − 2
    assert got["method"] == METHOD_SMALL
    assert all(math.isnan(got[c]) for c in ("change_low", "change_high", "df"))


# --- the table ---------------------------------------------------------------------------------------


def test_table_shape_columns_and_order(comparison, codebook):
    table = comparison.table
    assert tuple(table.columns) == WAVE_COLUMNS
    assert comparison.cases == ("Alpha", "Beta", "Epsilon")
    assert list(table["case"].unique()) == ["Alpha", "Beta", "Epsilon"]
    assert list(table.loc[table["case"] == "Alpha", "measure"]) == list(codebook.measure_ids)
    assert comparison.labels == ("2024", "2025") and comparison.k == 3 and comparison.confidence == 0.95
    families = dict(zip(table["measure"], table["family"], strict=False))
    assert families["history"] == "factor" and families["thickness"] == "thickness"


def test_cases_in_one_wave_are_listed_not_compared(comparison):
    assert comparison.only_before == ("Gamma",)
    assert comparison.only_after == ("Delta",)
    assert not set(comparison.table["case"]) & {"Gamma", "Delta"}


def test_barrier_quartiles_of_each_wave(comparison, scored):
    # Quartiles are relative to each wave's own respondents (methods.md §4), copied from its case table.
    got = row(comparison.table, "Alpha", "not_invented_here")
    for suffix, scores in zip(("before", "after"), scored, strict=True):
        cases = scores.cases
        want = cases[(cases["case"] == "Alpha") & (cases["measure"] == "not_invented_here")].iloc[0]
        assert got[f"quartile_{suffix}"] == want["quartile"]
        assert got[f"mean_{suffix}"] == want["mean"]
    assert got["mean_before"] == pytest.approx(40.0) and got["mean_after"] == pytest.approx(55.0)  # 120/3, 220/4
    assert pd.isna(got["band_before"])  # barriers have quartiles, not bands


def test_measure_without_respondents_is_hidden(comparison):
    # Alpha answered no legitimacy item in either wave: n = 0 < k.
    got = row(comparison.table, "Alpha", "legitimacy")
    assert got["hidden"] and (got["n_before"], got["n_after"]) == (0, 0)


# --- anonymity ----------------------------------------------------------------------------------------


def test_case_under_k_in_one_wave_is_hidden_with_its_n(comparison):
    beta = comparison.table[comparison.table["case"] == "Beta"]
    assert beta["hidden"].all()
    assert (beta["method"] == METHOD_HIDDEN).all()
    history_row = row(comparison.table, "Beta", "history")
    assert (history_row["n_before"], history_row["n_after"]) == (3, 2)  # n stays visible (methods.md §7)
    blanked = ["mean_before", "mean_after", "band_before", "band_after", "quartile_before", "quartile_after",
               "change", "change_low", "change_high", "df"]  # fmt: skip
    assert beta[blanked].isna().all().all()


def test_no_number_of_the_hidden_case_leaks(comparison):
    # Beta's 2024 history (2, 2, 3: mean 2.333…, shown in 2024's own case table) is hidden here too.
    text = comparison.table.to_csv(index=False)
    for sentinel in SENTINELS:
        assert sentinel not in text, sentinel
    assert "2.333" not in text


def test_different_k_is_refused(waves, instrument, codebook):
    before, after = waves
    with pytest.raises(ValueError, match="same k"):
        compare_waves(score_survey(before, instrument, codebook, k=3), score_survey(after, instrument, codebook, k=4),
                      codebook)  # fmt: skip


@pytest.mark.parametrize(
    ("options", "message"),
    [({"confidence": 1.0}, "confidence"), ({"confidence": 0}, "confidence"), ({"labels": ("x", "x")}, "labels")],
)
def test_bad_options_are_refused(scored, codebook, options, message):
    with pytest.raises(ValueError, match=message):
        compare_waves(*scored, codebook, **options)


def test_scores_from_another_codebook_are_refused(scored, codebook):
    before, after = scored
    narrower = dataclasses.replace(after, cases=after.cases[after.cases["measure"] != "history"])
    with pytest.raises(ValueError, match="history"):
        compare_waves(before, narrower, codebook)


# --- continuum moves ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moves(scored, codebook):
    before, after = scored
    return continuum_moves(positions(before, codebook), positions(after, codebook))


def test_moves_by_hand(moves):
    assert tuple(moves.columns) == MOVE_COLUMNS
    table = moves.set_index("case")
    assert list(table.index) == ["Alpha", "Beta", "Epsilon"]  # only the cases in both waves
    # Alpha X -> Y: thickness 60 -> 65, change +5; co_design 100 -> 425/6; co_delivery 50 -> 75.
    alpha = table.loc["Alpha"]
    assert alpha[["thickness_before", "thickness_after", "change"]].tolist() == pytest.approx([60, 65, 5], abs=1e-9)
    assert alpha[["co_design_before", "co_design_after"]].tolist() == pytest.approx([100, 425 / 6], abs=1e-9)
    assert alpha[["co_delivery_before", "co_delivery_after"]].tolist() == pytest.approx([50, 75], abs=1e-9)
    assert (alpha["n_before"], alpha["n_after"]) == (3, 4)
    # Epsilon Y -> Z: 65 -> 0, change −65.
    assert table.loc["Epsilon", "change"] == pytest.approx(-65.0, abs=1e-9)
    assert not alpha["hidden"] and not table.loc["Epsilon", "hidden"]


def test_moves_hide_a_case_hidden_in_either_wave(moves):
    beta = moves.set_index("case").loc["Beta"]
    assert beta["hidden"] and (beta["n_before"], beta["n_after"]) == (3, 2)
    numbers = [c for c in MOVE_COLUMNS if c not in ("case", "n_before", "n_after", "hidden")]
    assert beta[numbers].isna().all()


def test_moves_need_position_tables(moves):
    with pytest.raises(ValueError, match="thickness"):
        continuum_moves(pd.DataFrame({"case": ["A"], "n": [3]}), pd.DataFrame({"case": ["A"], "n": [3]}))
