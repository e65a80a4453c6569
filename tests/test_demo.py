"""Tests for the synthetic demo survey (samskaping.demo); expected values come from the task spec."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from samskaping.codebook import Codebook, load_codebook
from samskaping.demo import DemoSurvey, generate_demo, write_demo_xlsx
from samskaping.instrument import Instrument, load_instrument

DATA = Path(__file__).resolve().parent.parent / "data"

ITEMS = [f"q{n:02d}" for n in range(1, 83)]
CANONICAL = ["respondent_id", "case", "group", *ITEMS, "q02_other", "attr_region"]
LIKERT = [f"q{n:02d}" for n in [*range(7, 14), *range(17, 25), *range(26, 70)]]
PART2 = [f"q{n:02d}" for n in range(26, 70)]
BARRIER = [f"q{n:02d}" for n in range(70, 82)]
BARRIER_BLOCKS = [BARRIER[i : i + 3] for i in range(0, 12, 3)]  # Hansen's four barriers, codebook.md
CHOICE_RANGE = {"q02": {1, 2, 3}, "q04": {1, 2, 3, 4}, "q05": {1, 2, 3, 4}, "q06": {1, 2, 3, 4}}
FREE_TEXT = ["q03", "q14", "q15", "q16", "q25", "q82"]
REAL_NAMES = ["Steinkjer", "Friskgården", "NOEN"]


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    return load_instrument(DATA / "instrument.yaml")


@pytest.fixture(scope="module")
def codebook(instrument: Instrument) -> Codebook:
    return load_codebook(DATA / "codebook.yaml", instrument)


@pytest.fixture(scope="module")
def default(instrument: Instrument, codebook: Codebook) -> DemoSurvey:
    return generate_demo(instrument, codebook)


@pytest.fixture(scope="module")
def large(instrument: Instrument, codebook: Codebook) -> pd.DataFrame:
    return generate_demo(instrument, codebook, respondents=200, seed=1).data


def _texts(series: pd.Series) -> list[str | None]:
    return [None if pd.isna(value) else str(value) for value in series]


def test_default_sizes(default: DemoSurvey) -> None:
    data = default.data
    assert len(data) == 18
    assert data["case"].nunique() == 6
    assert data["group"].value_counts().to_dict() == {"municipality": 11, "social_enterprise": 7}
    for case, rows in data.groupby("case"):
        assert {"municipality", "social_enterprise"} <= set(rows["group"]), case
    assert list(data["respondent_id"]) == [f"R{n:03d}" for n in range(1, 19)]


def test_large_survey_split(large: pd.DataFrame) -> None:
    counts = large["group"].value_counts().to_dict()
    # round(200 * 11 / 18) = 122 on the municipality share, of which about 5 % are "other".
    assert counts["municipality"] + counts["other"] == 122
    assert counts["social_enterprise"] == 78
    assert 5 <= counts["other"] <= 15
    assert large["case"].nunique() == 6
    for case, rows in large.groupby("case"):
        assert {"municipality", "social_enterprise"} <= set(rows["group"]), case


def test_reproducible_with_seed(instrument: Instrument, codebook: Codebook) -> None:
    first = generate_demo(instrument, codebook, seed=7)
    again = generate_demo(instrument, codebook, seed=7)
    pd.testing.assert_frame_equal(first.data, again.data)
    pd.testing.assert_frame_equal(first.about, again.about)
    other = generate_demo(instrument, codebook, seed=8)
    assert not first.data.equals(other.data)


def test_canonical_columns(default: DemoSurvey, large: pd.DataFrame) -> None:
    assert list(default.data.columns) == CANONICAL
    assert list(large.columns) == CANONICAL


def test_value_ranges(large: pd.DataFrame) -> None:
    assert set(large["group"]) <= {"municipality", "social_enterprise", "other"}
    likert = large[LIKERT].to_numpy(dtype=float)
    assert set(np.unique(likert[~np.isnan(likert)])) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    for item, options in CHOICE_RANGE.items():
        values = large[item].dropna()
        assert set(values.astype(float)) <= {float(o) for o in options}, item
    barrier = large[BARRIER].to_numpy(dtype=float)
    answered = barrier[~np.isnan(barrier)]
    assert answered.min() >= 1 and answered.max() <= 100
    assert np.allclose(answered * 10, np.round(answered * 10))  # at most one decimal
    assert (answered != np.round(answered)).any()  # some like 12.5
    assert large["q01"].notna().all()
    for item in FREE_TEXT:
        assert all(isinstance(v, str) and v for v in large[item].dropna()), item
    other_text = large["q02_other"].notna()
    assert other_text.any()
    assert (large.loc[other_text, "q02"] == 3).all()
    assert set(large["attr_region"]) <= {"Nord", "Midt", "Vest", "Øst"}
    assert (large.groupby("case")["attr_region"].nunique() == 1).all()


def test_not_relevant_and_missing_occur(large: pd.DataFrame) -> None:
    likert = large[LIKERT].to_numpy(dtype=float)
    assert (likert == 3).any()
    assert np.isnan(likert).any()
    assert np.isnan(likert).mean() < 0.1
    barrier = large[BARRIER].to_numpy(dtype=float)
    assert 0.03 < np.isnan(barrier).mean() < 0.3
    whole_block_blank = [large[block].isna().all(axis=1).any() for block in BARRIER_BLOCKS]
    assert any(whole_block_blank)
    assert all(0.3 < large[item].notna().mean() < 0.9 for item in FREE_TEXT)


def test_social_enterprise_side_is_more_positive(large: pd.DataFrame) -> None:
    municipal = large[large["group"] == "municipality"]
    enterprise = large[large["group"] == "social_enterprise"]
    success_gap = np.nanmean(enterprise[PART2].to_numpy(float)) - np.nanmean(municipal[PART2].to_numpy(float))
    barrier_gap = np.nanmean(enterprise[BARRIER].to_numpy(float)) - np.nanmean(municipal[BARRIER].to_numpy(float))
    assert success_gap > 0.15
    assert barrier_gap < -5.0


def test_thickness_drives_part1(instrument: Instrument, codebook: Codebook) -> None:
    data = generate_demo(instrument, codebook, respondents=600, cases=12, seed=3).data
    by_case = data.groupby("case")
    thick_up = by_case[["q07", "q11", "q17", "q20", "q24", "q12"]].mean().mean(axis=1)
    thick_down = by_case[["q18", "q10", "q22", "q23"]].mean().mean(axis=1)
    durability = by_case[["q04", "q05", "q06"]].mean().mean(axis=1)  # option 1 = thick
    assert thick_up.corr(thick_down) < -0.5
    assert thick_up.corr(durability) < -0.5


def test_fictional_case_names(instrument: Instrument, codebook: Codebook) -> None:
    data = generate_demo(instrument, codebook, respondents=24, cases=12).data
    assert data["case"].nunique() == 12
    names = set(data["case"]) | set(data["q01"])
    for name in names:
        assert not any(real.lower() in name.lower() for real in REAL_NAMES), name
    assert all(len(case) < 30 for case in data["case"])


def test_bad_arguments(instrument: Instrument, codebook: Codebook) -> None:
    with pytest.raises(ValueError, match="respondents"):
        generate_demo(instrument, codebook, respondents=11, cases=6)
    with pytest.raises(ValueError, match="cases"):
        generate_demo(instrument, codebook, respondents=18, cases=0)
    with pytest.raises(ValueError, match="cases"):
        generate_demo(instrument, codebook, respondents=20_000, cases=5_001)  # more than the 5 000 allowed


def test_more_cases_than_the_named_ones_are_numbered(instrument: Instrument, codebook: Codebook) -> None:
    data = generate_demo(instrument, codebook, respondents=60, cases=15).data
    # Expected from the generator's naming rule: "Samarbeid 0001" … "Samarbeid 0015".
    assert sorted(data["case"].unique()) == [f"Samarbeid {i:04d}" for i in range(1, 16)]


def test_write_xlsx(default: DemoSurvey, tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsx"
    write_demo_xlsx(default, path)
    sheets = pd.read_excel(path, sheet_name=None, engine="calamine")
    assert list(sheets) == ["Survey", "About"]
    survey, data = sheets["Survey"], default.data
    assert survey.shape == data.shape
    assert list(survey.columns) == CANONICAL
    numeric = data.select_dtypes("number").columns
    assert set(LIKERT + BARRIER) <= set(numeric)
    for column in data.columns:
        if column in numeric:
            np.testing.assert_allclose(
                survey[column].to_numpy(float), data[column].to_numpy(float), equal_nan=True, err_msg=column
            )
        else:
            assert _texts(survey[column]) == _texts(data[column]), column
    about = sheets["About"]
    assert list(about.columns) == ["key", "value"]
    assert "synthetic" in " ".join(_texts(about["value"])).lower()
    values = dict(zip(about["key"], _texts(about["value"]), strict=True))
    assert values["title"] == "samskaping demo survey"
    assert values["generator"] == "samskaping.demo"
    assert values["seed"] == "2018"
    assert values["respondents"] == "18"
