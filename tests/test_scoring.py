"""Scoring and anonymity: hand-calculated cases and Hypothesis properties.

Rules: shared/domain/codebook.md and methods.md §2-4 and §7. Every expected number is worked
out by hand in a comment next to it.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samskaping.anonymity import suppress
from samskaping.codebook import Codebook, ItemRef
from samskaping.instrument import Instrument, load_instrument
from samskaping.scoring import score_respondents, score_survey
from samskaping.validation import GROUPS

NAN = math.nan


def canonical(instrument: Instrument, respondents: list[dict]) -> pd.DataFrame:
    """A canonical data set: respondent_id, case, group, q01..q82; unanswered items missing.

    Each dict gives ``case``, ``group`` (defaults "A", "municipality"), optionally
    ``respondent_id``, and the answers as ``{item id: number}``.
    """
    records = []
    for position, answers in enumerate(respondents):
        record = {
            "respondent_id": answers.get("respondent_id", f"R{position + 1:03d}"),
            "case": answers.get("case", "A"),
            "group": answers.get("group", "municipality"),
        }
        for item_id in instrument.item_ids:
            record[item_id] = float(answers[item_id]) if item_id in answers else NAN
        records.append(record)
    return pd.DataFrame(records, index=pd.RangeIndex(2, 2 + len(records), name="row"))


def score_one(instrument: Instrument, codebook: Codebook, answers: dict, **options) -> pd.Series:
    return score_respondents(canonical(instrument, [answers]), instrument, codebook, **options).iloc[0]


def cell(table: pd.DataFrame, key: str, value: str, measure: str) -> pd.Series:
    rows = table[(table[key] == value) & (table["measure"] == measure)]
    assert len(rows) == 1
    return rows.iloc[0]


# ---------------------------------------------------------------------------------------------
# Respondent scores, by hand


def test_history_from_one_of_two_items(instrument, codebook) -> None:
    # Q26 = 4, Q27 blank: 1 of 2 answered, 1 * 2 >= 2 -> mean of the answered item = 4.0
    assert score_one(instrument, codebook, {"q26": 4})["history"] == 4.0


def test_legitimacy_with_one_of_three_items_is_missing(instrument, codebook) -> None:
    # Q35 = 5, Q36 and Q37 blank: 1 * 2 < 3 -> missing
    assert math.isnan(score_one(instrument, codebook, {"q35": 5})["legitimacy"])


def test_legitimacy_with_two_of_three_items(instrument, codebook) -> None:
    # Q35 = 5, Q36 = 2: 2 * 2 >= 3 -> (5 + 2) / 2 = 3.5
    assert score_one(instrument, codebook, {"q35": 5, "q36": 2})["legitimacy"] == 3.5


CO_DESIGN_ALL_THREE = {"q07": 3, "q11": 3, "q17": 3, "q20": 3, "q24": 3, "q18": 3}


def test_co_design_all_three_is_50(instrument, codebook) -> None:
    # up items: (3 - 1) / 4 * 100 = 50; Q18 reversed: (5 - 3) / 4 * 100 = 50; mean 50
    assert score_one(instrument, codebook, CO_DESIGN_ALL_THREE)["co_design"] == pytest.approx(50.0, abs=1e-9)


def test_co_design_all_three_is_missing_when_three_is_missing(instrument, codebook) -> None:
    # every answer is 3 -> no item answered -> missing
    score = score_one(instrument, codebook, CO_DESIGN_ALL_THREE, three_as_missing=True)
    assert math.isnan(score["co_design"])


def test_three_as_missing_leaves_barriers_alone(instrument, codebook) -> None:
    # Q70 = Q71 = 3 on the 1-100 scale: 2 of 3 answered -> mean 3, with or without the switch
    # (the switch concerns the 1-5 items only, codebook.md); Q26 = Q27 = 3 -> history 3 or missing.
    answers = {"q70": 3, "q71": 3, "q26": 3, "q27": 3}
    plain = score_one(instrument, codebook, answers)
    switched = score_one(instrument, codebook, answers, three_as_missing=True)
    assert plain["not_invented_here"] == 3.0
    assert switched["not_invented_here"] == 3.0
    assert plain["history"] == 3.0
    assert math.isnan(switched["history"])


def test_co_delivery_thickest(instrument, codebook) -> None:
    # Q12 = 5 up: (5 - 1) / 4 * 100 = 100; Q10 = Q22 = Q23 = 1 reversed: (5 - 1) / 4 * 100 = 100
    answers = {"q12": 5, "q10": 1, "q22": 1, "q23": 1}
    assert score_one(instrument, codebook, answers)["co_delivery"] == pytest.approx(100.0, abs=1e-9)


def test_durability_from_two_of_three_choice_items(instrument, codebook) -> None:
    # Q4 = a (1) -> 100, Q5 = d (4) -> 0, Q6 blank: 2 * 2 >= 3 -> (100 + 0) / 2 = 50
    assert score_one(instrument, codebook, {"q04": 1, "q05": 4})["durability"] == pytest.approx(50.0, abs=1e-9)


THICKNESS_ANSWERS = {
    # co_design: five up items = 5 -> 100 each; Q18 = 1 reversed -> (5 - 1) / 4 * 100 = 100; mean 100
    "q07": 5,
    "q11": 5,
    "q17": 5,
    "q20": 5,
    "q24": 5,
    "q18": 1,
    # co_delivery: all four = 3 -> 50 each (up or reversed); mean 50
    "q12": 3,
    "q10": 3,
    "q22": 3,
    "q23": 3,
    # durability: Q4 = Q5 = Q6 = b (2) -> 200/3 each; mean 200/3
    "q04": 2,
    "q05": 2,
    "q06": 2,
}


def test_thickness_is_the_weighted_mean(instrument, codebook) -> None:
    score = score_one(instrument, codebook, THICKNESS_ANSWERS)
    assert score["co_design"] == pytest.approx(100.0, abs=1e-9)
    assert score["co_delivery"] == pytest.approx(50.0, abs=1e-9)
    assert score["durability"] == pytest.approx(200 / 3, abs=1e-9)
    # 0.4 * 100 + 0.4 * 50 + 0.2 * 200/3 = 40 + 20 + 40/3 = 220/3 = 73.333...
    assert score["thickness"] == pytest.approx(220 / 3, abs=1e-9)


@pytest.mark.parametrize("dropped", [("q04", "q05", "q06"), ("q12", "q10", "q22", "q23")])
def test_thickness_missing_when_a_subindex_is_missing(instrument, codebook, dropped) -> None:
    answers = {k: v for k, v in THICKNESS_ANSWERS.items() if k not in dropped}
    assert math.isnan(score_one(instrument, codebook, answers)["thickness"])


def test_category_is_the_mean_of_present_factors(instrument, codebook) -> None:
    # history: (4 + 2) / 2 = 3; legitimacy: 1 of 3 items -> missing; climate: Q38 = 5.
    # environment: 2 of 3 factors present (2 * 2 >= 3) -> (3 + 5) / 2 = 4
    score = score_one(instrument, codebook, {"q26": 4, "q27": 2, "q35": 1, "q38": 5})
    assert (score["history"], score["climate"]) == (3.0, 5.0)
    assert math.isnan(score["legitimacy"])
    assert score["environment"] == 4.0


def test_category_with_one_of_three_factors_is_missing(instrument, codebook) -> None:
    # only climate present: 1 * 2 < 3 factors -> missing
    assert math.isnan(score_one(instrument, codebook, {"q38": 5})["environment"])


def test_unanswered_respondent_has_no_scores(instrument, codebook) -> None:
    score = score_one(instrument, codebook, {})
    assert score[list(codebook.measure_ids)].isna().all()


# ---------------------------------------------------------------------------------------------
# Case and group summaries, by hand


# q38 (climate, a one-item factor) per case:
#   A: 1, 2, 4, 5, 5     -> n 5, mean 17/5 = 3.4 (borderline), median 4, min 1, max 5
#   B: 4, 4, 5           -> n 3, mean 13/3 = 4.333 (strength), median 4, min 4, max 5
#   C: 5, 5              -> n 2
#   D: 1, 1, 2, 3, 3, 3  -> n 6, mean 13/6 = 2.1667 (concern), median 2.5, min 1, max 3
CLIMATE = {"A": [1, 2, 4, 5, 5], "B": [4, 4, 5], "C": [5, 5], "D": [1, 1, 2, 3, 3, 3]}
CLIMATE_STATS = {
    "A": (5, 17 / 5, 4.0, 1.0, 5.0, "borderline"),
    "B": (3, 13 / 3, 4.0, 4.0, 5.0, "strength"),
    "C": (2, 5.0, 5.0, 5.0, 5.0, "strength"),
    "D": (6, 13 / 6, 2.5, 1.0, 3.0, "concern"),
}


@pytest.fixture(scope="module")
def climate_data(instrument) -> pd.DataFrame:
    return canonical(instrument, [{"case": case, "q38": v} for case, values in CLIMATE.items() for v in values])


@pytest.fixture(scope="module")
def climate_cases(instrument, codebook, climate_data) -> dict[int, pd.DataFrame]:
    """The case table at k = 3 and k = 6."""
    return {k: score_survey(climate_data, instrument, codebook, k=k).cases for k in (3, 6)}


@pytest.mark.parametrize(
    ("k", "case", "hidden", "shows_min_max"),
    [
        # k = 3: hidden when n < 3; min-max when n >= max(3, 5) = 5
        (3, "A", False, True),
        (3, "B", False, False),
        (3, "C", True, False),
        (3, "D", False, True),
        # k = 6: hidden when n < 6; min-max when n >= max(6, 5) = 6
        (6, "A", True, False),
        (6, "B", True, False),
        (6, "C", True, False),
        (6, "D", False, True),
    ],
)
def test_case_summary_min_max_and_hiding(climate_cases, k, case, hidden, shows_min_max) -> None:
    row = cell(climate_cases[k], "case", case, "climate")
    n, mean, median, low, high, band = CLIMATE_STATS[case]
    assert row["n"] == n  # a hidden cell keeps its n
    assert bool(row["hidden"]) is hidden
    if hidden:
        assert row[["mean", "median", "min", "max"]].isna().all()
        assert pd.isna(row["band"])
        return
    assert row["mean"] == pytest.approx(mean, abs=1e-9)
    assert row["median"] == pytest.approx(median, abs=1e-9)
    assert row["band"] == band
    if shows_min_max:
        assert (row["min"], row["max"]) == (low, high)
    else:
        assert pd.isna(row["min"]) and pd.isna(row["max"])


def test_case_with_nobody_scored_has_n_zero(climate_cases) -> None:
    # Nobody answered Q26/Q27: every case has history n = 0, hidden, no statistic.
    cases = climate_cases[3]
    history = cases[cases["measure"] == "history"]
    assert sorted(history["case"]) == ["A", "B", "C", "D"]
    assert (history["n"] == 0).all()
    assert history["hidden"].all()
    assert history["mean"].isna().all()


# Barrier quartiles. Every respondent answers Q70 = Q71 = Q72 = v, so not_invented_here = v.
#   case A: 10 (se), 30 (se), 50 (se)  -> mean 30
#   case B: 20 (se), 40 (se), 90 (mun) -> mean 50
#   case C: 60 (se), 70 (mun), 80 (mun) -> mean 70
#   municipality: 90, 70, 80 -> mean 80; social_enterprise: 10, 30, 50, 20, 40, 60 -> mean 35
# All 9 scores sorted: 10, 20, ..., 90. np.percentile linear: position p/100 * (9 - 1), so
# 25th -> position 2 -> 30, 50th -> position 4 -> 50, 75th -> position 6 -> 70.
BARRIER_RESPONDENTS = [
    ("A", "social_enterprise", 10),
    ("A", "social_enterprise", 30),
    ("A", "social_enterprise", 50),
    ("B", "social_enterprise", 20),
    ("B", "social_enterprise", 40),
    ("B", "municipality", 90),
    ("C", "social_enterprise", 60),
    ("C", "municipality", 70),
    ("C", "municipality", 80),
]


@pytest.fixture(scope="module")
def barrier_scores(instrument, codebook):
    data = canonical(
        instrument,
        [{"case": c, "group": g, "q70": v, "q71": v, "q72": v} for c, g, v in BARRIER_RESPONDENTS],
    )
    return score_survey(data, instrument, codebook, k=3)


def test_barrier_cut_points(barrier_scores) -> None:
    cuts = barrier_scores.cut_points.set_index("measure")
    assert cuts.loc["not_invented_here", ["q25", "q50", "q75"]].tolist() == [30.0, 50.0, 70.0]
    assert cuts.loc["not_invented_here", "n"] == 9
    # nobody answered the other barriers
    assert cuts.loc[["hoarding", "search", "transfer"], "n"].tolist() == [0, 0, 0]


@pytest.mark.parametrize(
    ("table", "key", "value", "mean", "quartile"),
    [
        ("cases", "case", "A", 30.0, 1),  # exactly on q25 -> lower quartile 1
        ("cases", "case", "B", 50.0, 2),  # exactly on q50 -> 2
        ("cases", "case", "C", 70.0, 3),  # exactly on q75 -> 3
        ("groups", "group", "municipality", 80.0, 4),  # above q75
        ("groups", "group", "social_enterprise", 35.0, 2),  # between q25 and q50
    ],
)
def test_barrier_quartiles(barrier_scores, table, key, value, mean, quartile) -> None:
    row = cell(getattr(barrier_scores, table), key, value, "not_invented_here")
    assert row["mean"] == pytest.approx(mean, abs=1e-9)
    assert row["quartile"] == quartile
    assert pd.isna(cell(getattr(barrier_scores, table), key, value, "hoarding")["quartile"])
    # quartiles are for barriers only, bands for factors and categories only
    assert pd.isna(row["band"])


@pytest.mark.parametrize(
    "order",
    # Barrier scores 5/3 (items 1, 2, 2), 2 (2, 2, 2) and 7/3 (2, 2, 3) in one case of three.
    # Their median, the 50th percentile cut point, is 2, and the case mean is (5/3 + 2 + 7/3) / 3
    # = 2 in arithmetic, so the mean is exactly on the cut point -> quartile 2. In one row order
    # the float mean is 2.0000000000000004; row order must not change the quartile.
    [[(1, 2, 2), (2, 2, 2), (2, 2, 3)], [(2, 2, 3), (1, 2, 2), (2, 2, 2)]],
)
def test_quartile_of_a_mean_on_a_cut_point_ignores_float_noise(instrument, codebook, order) -> None:
    data = canonical(instrument, [{"case": "A", "q70": a, "q71": b, "q72": c} for a, b, c in order])
    scores = score_survey(data, instrument, codebook, k=3)
    assert cell(scores.cut_points, "measure", "not_invented_here", "not_invented_here")["q50"] == 2.0
    row = cell(scores.cases, "case", "A", "not_invented_here")
    assert row["mean"] == pytest.approx(2.0, abs=1e-9)
    assert row["quartile"] == 2


@pytest.mark.parametrize(
    "order",
    # Factor open_communication (Q58-Q60) of three respondents: (5, 4, 4) -> 13/3, (5, 5, 5) -> 5,
    # (3, 3, 2) -> 8/3. Case mean (13/3 + 5 + 8/3) / 3 = 4 -> strength (>= 4.0), in any row order.
    [[(5, 4, 4), (5, 5, 5), (3, 3, 2)], [(3, 3, 2), (5, 4, 4), (5, 5, 5)]],
)
def test_band_of_a_case_mean_exactly_four(instrument, codebook, order) -> None:
    data = canonical(instrument, [{"case": "A", "q58": a, "q59": b, "q60": c} for a, b, c in order])
    row = cell(score_survey(data, instrument, codebook).cases, "case", "A", "open_communication")
    assert row["mean"] == pytest.approx(4.0, abs=1e-9)
    assert row["band"] == "strength"


# ---------------------------------------------------------------------------------------------
# Anonymity (methods.md §7)


def sides_table(cases: dict[str, dict[str, int]]) -> pd.DataFrame:
    rows = [
        {"case": case, "group": group, "measure": "history", "n": n, "mean": 3.0 if n else NAN}
        for case, sides in cases.items()
        for group, n in sides.items()
    ]
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    ("sides", "within", "expected_hidden"),
    [
        # municipality 5, social enterprise 2: the SE side is hidden (2 < 3) and, because the case
        # mean is shown, the municipality side too (secondary suppression).
        ({"municipality": 5, "social_enterprise": 2}, ["case"], {"municipality", "social_enterprise"}),
        # 5 and 4: nothing to hide
        ({"municipality": 5, "social_enterprise": 4}, ["case"], set()),
        # a third side with n = 0 reveals nothing: only that empty side is hidden
        ({"municipality": 5, "social_enterprise": 4, "other": 0}, ["case"], {"other"}),
        # 5, 2 and an empty side: SE hidden, municipality hidden with it, the empty side hidden
        (
            {"municipality": 5, "social_enterprise": 2, "other": 0},
            ["case"],
            {"municipality", "social_enterprise", "other"},
        ),
        # 5, 4, 2: the smallest visible side (4) is hidden with the small one; 4 + 2 = 6 >= 3
        ({"municipality": 5, "social_enterprise": 4, "other": 2}, ["case"], {"social_enterprise", "other"}),
        # without secondary suppression only the small side is hidden
        ({"municipality": 5, "social_enterprise": 2}, None, {"social_enterprise"}),
    ],
)
def test_secondary_suppression(sides, within, expected_hidden) -> None:
    table = sides_table({"X": sides})
    out = suppress(table, k=3, keys=["case", "group"], within=within, statistics=["mean"])
    assert set(out.loc[out["hidden"], "group"]) == expected_hidden
    assert out["mean"].isna().tolist() == out["hidden"].tolist()
    assert out["n"].tolist() == table["n"].tolist()  # n stays visible
    assert table["mean"].notna().sum() == sum(1 for n in sides.values() if n)  # input not modified


def test_secondary_suppression_is_per_case() -> None:
    table = sides_table(
        {"X": {"municipality": 5, "social_enterprise": 2}, "Y": {"municipality": 5, "social_enterprise": 4}}
    )
    out = suppress(table, k=3, keys=["case", "group"], within=["case"], statistics=["mean"])
    hidden = set(zip(out.loc[out["hidden"], "case"], out.loc[out["hidden"], "group"], strict=True))
    assert hidden == {("X", "municipality"), ("X", "social_enterprise")}


# ---------------------------------------------------------------------------------------------
# Properties

INSTRUMENT = load_instrument()
CASES = ("A", "B", "C")


NUMERIC_ITEMS = INSTRUMENT.numeric_item_ids()
CODED_ITEMS = [i for i in NUMERIC_ITEMS if INSTRUMENT.format_of(i).maximum != 100]  # choice and 1-5 items
SCORE100_ITEMS = [i for i in NUMERIC_ITEMS if INSTRUMENT.format_of(i).maximum == 100]
# Options per coded item: 3 or 4 for choice items, 5 for 1-5 items.
N_OPTIONS = np.array([int(INSTRUMENT.format_of(i).valid_range()[1]) for i in CODED_ITEMS])


@st.composite
def surveys(draw, min_size: int = 1, max_size: int = 12, barriers: bool = True) -> pd.DataFrame:
    """A canonical data set: respondent_id, case, group, q01..q82 (text items missing).

    Numeric items hold a valid code or are missing. The coded items (choice and 1-5) come from
    one byte each, which keeps generation fast: byte % (options + 3) is the code when it lies in
    1..options, otherwise the answer is missing (3 in 8 on a 1-5 item, so the half rule is
    exercised). Barrier items are real numbers in 1..100 or missing; ``barriers=False`` leaves
    them all missing, for properties of the 1-5 items that need not pay for drawing them.
    """
    n = draw(st.integers(min_size, max_size))
    raw = np.frombuffer(draw(st.binary(min_size=n * len(CODED_ITEMS), max_size=n * len(CODED_ITEMS))), np.uint8)
    codes = (raw.reshape(n, len(CODED_ITEMS)) % (N_OPTIONS + 3)).astype(float)
    codes[(codes < 1) | (codes > N_OPTIONS)] = NAN
    size = n * len(SCORE100_ITEMS)
    barrier = st.one_of(st.just(NAN), st.floats(min_value=1.0, max_value=100.0, allow_nan=False))
    scores100 = np.array(draw(st.lists(barrier, min_size=size, max_size=size))) if barriers else np.full(size, NAN)
    frame = pd.DataFrame(
        {
            "respondent_id": [f"R{i:03d}" for i in range(n)],
            "case": draw(st.lists(st.sampled_from(CASES), min_size=n, max_size=n)),
            "group": draw(st.lists(st.sampled_from(GROUPS), min_size=n, max_size=n)),
            **dict(zip(CODED_ITEMS, codes.T, strict=True)),
            **dict(zip(SCORE100_ITEMS, scores100.reshape(n, len(SCORE100_ITEMS)).T, strict=True)),
            **{i: np.full(n, NAN) for i in INSTRUMENT.text_item_ids()},
        },
        index=pd.RangeIndex(2, 2 + n, name="row"),
    )
    return frame[["respondent_id", "case", "group", *INSTRUMENT.item_ids]]


@given(data=surveys())
def test_survey_strategy_makes_valid_canonical_data(instrument, data) -> None:
    # The generator itself: every numeric answer is a valid code or missing, text items missing.
    assert list(data.columns) == ["respondent_id", "case", "group", *instrument.item_ids]
    numeric = list(instrument.numeric_item_ids())
    low, high = np.array([instrument.format_of(i).valid_range() for i in numeric]).T
    values = data[numeric].to_numpy(dtype=float)
    answered = ~np.isnan(values)
    assert ((values >= low) & (values <= high))[answered].all()
    whole = np.array([instrument.format_of(i).kind == "choice" or instrument.format_of(i).integer for i in numeric])
    assert (values == np.round(values))[answered & whole].all()
    assert data[list(instrument.text_item_ids())].isna().all().all()


# score_survey runs twice per example in the case-table properties; run them on a fifth of
# the profile's examples (dev 50 -> 10, ci 200 -> 40) to keep the suite quick.
CASE_TABLE_SETTINGS = settings(max_examples=max(10, settings.default.max_examples // 5))

RANGES = {"factor": (1, 5), "category": (1, 5), "barrier": (1, 100), "subindex": (0, 100), "thickness": (0, 100)}


@given(data=surveys(), three_as_missing=st.booleans())
def test_scores_stay_on_their_scales(instrument, codebook, data, three_as_missing) -> None:
    scores = score_respondents(data, instrument, codebook, three_as_missing=three_as_missing)
    for measure in codebook.measures:
        low, high = RANGES[measure.family]
        values = scores[measure.id].dropna()
        assert values.between(low, high).all(), (measure.id, values[~values.between(low, high)].tolist())


def _case_table(data: pd.DataFrame, instrument, codebook, three_as_missing: bool) -> pd.DataFrame:
    cases = score_survey(data, instrument, codebook, three_as_missing=three_as_missing).cases
    return cases.sort_values(["case", "measure"]).reset_index(drop=True)


def _assert_same_case_tables(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(left, right, check_exact=False, rtol=0, atol=1e-9)


@CASE_TABLE_SETTINGS
@given(data=surveys(), three_as_missing=st.booleans(), seed=st.randoms(use_true_random=False))
def test_row_order_changes_no_case_score(instrument, codebook, data, three_as_missing, seed) -> None:
    order = list(range(len(data)))
    seed.shuffle(order)
    shuffled = data.iloc[order]
    _assert_same_case_tables(
        _case_table(data, instrument, codebook, three_as_missing),
        _case_table(shuffled, instrument, codebook, three_as_missing),
    )


@CASE_TABLE_SETTINGS
@given(data=surveys(), three_as_missing=st.booleans(), which=st.integers(0, 100), group=st.sampled_from(GROUPS))
def test_an_all_missing_respondent_changes_no_case_score(
    instrument, codebook, data, three_as_missing, which, group
) -> None:
    cases_present = sorted(set(data["case"]))
    case = cases_present[which % len(cases_present)]
    blank = canonical(instrument, [{"respondent_id": "EMPTY", "case": case, "group": group}])
    blank.index = pd.RangeIndex(2 + len(data), 3 + len(data), name="row")
    extended = pd.concat([data, blank])
    _assert_same_case_tables(
        _case_table(data, instrument, codebook, three_as_missing),
        _case_table(extended, instrument, codebook, three_as_missing),
    )


SUBINDEX_LIKERT_ITEMS = ["q07", "q11", "q17", "q20", "q24", "q18", "q12", "q10", "q22", "q23"]


@given(data=surveys(barriers=False), item=st.sampled_from(SUBINDEX_LIKERT_ITEMS), three_as_missing=st.booleans())
def test_flipping_a_subindex_item_mirrors_its_score(instrument, codebook, data, item, three_as_missing) -> None:
    subindex = next(m for m in codebook.family("subindex") if item in m.item_ids)
    ref = next(r for r in subindex.items if r.item == item)
    as_is = replace(subindex, items=(ref,))
    flipped = replace(subindex, items=(replace(ref, reverse=not ref.reverse),))
    s = score_respondents(data, instrument, replace(codebook, measures=(as_is,)), three_as_missing=three_as_missing)
    t = score_respondents(data, instrument, replace(codebook, measures=(flipped,)), three_as_missing=three_as_missing)
    a, b = s[subindex.id].to_numpy(), t[subindex.id].to_numpy()
    assert np.array_equal(np.isnan(a), np.isnan(b))
    assert np.allclose(a[~np.isnan(a)] + b[~np.isnan(b)], 100.0, rtol=0, atol=1e-9)
    # and on its own scale: up -> (x - 1) / 4 * 100, down -> (5 - x) / 4 * 100
    x = data[item].to_numpy(dtype=float)
    if three_as_missing:
        x = np.where(x == 3, np.nan, x)
    up = (x - 1) / 4 * 100
    expected = 100 - up if ref.reverse else up
    assert np.allclose(a, expected, rtol=0, atol=1e-9, equal_nan=True)


@given(
    data=surveys(barriers=False),
    factor_id=st.sampled_from(["history", "climate", "respect_trust", "leadership"]),
    position=st.integers(0, 2),
)
def test_reversing_a_likert_item_gives_six_minus_the_answer(instrument, codebook, data, factor_id, position) -> None:
    factor = codebook.measure(factor_id)
    item = factor.item_ids[position % len(factor.item_ids)]
    one_item = replace(factor, items=(ItemRef(item, reverse=True),))
    scores = score_respondents(data, instrument, replace(codebook, measures=(one_item,)))
    expected = 6 - data[item].to_numpy(dtype=float)
    assert np.allclose(scores[factor_id].to_numpy(), expected, rtol=0, atol=1e-12, equal_nan=True)


@given(data=surveys(barriers=False))
def test_history_with_q26_reversed(instrument, codebook, data) -> None:
    # history = mean of (6 - Q26, Q27) over the answered ones; missing when both are blank
    # (1 of 2 answered is enough).
    history = codebook.measure("history")
    reversed_q26 = replace(history, items=(ItemRef("q26", reverse=True), ItemRef("q27")))
    scores = score_respondents(data, instrument, replace(codebook, measures=(reversed_q26,)))
    for position, (q26, q27) in enumerate(zip(data["q26"], data["q27"], strict=True)):
        answered = [v for v in (6 - q26, q27) if not math.isnan(v)]
        actual = scores["history"].iloc[position]
        if answered:
            assert actual == pytest.approx(sum(answered) / len(answered), abs=1e-12)
        else:
            assert math.isnan(actual)
