"""The golden fixture: scores worked out independently of this code (shared/fixtures/golden).

The expected files were computed by a separate plain implementation of the codebook (see the
fixture's README); ``score`` must reproduce them within 1e-9, hidden cells included.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from samskaping.cli import main

TOLERANCE = 1e-9


@pytest.fixture(scope="module", params=["survey.csv", "survey.xlsx"])
def survey_file(request, shared_dir: Path) -> Path:
    return shared_dir / "fixtures" / "golden" / request.param


def _run_score(survey_file: Path, out: Path, three_as_missing: bool) -> None:
    args = ["score", str(survey_file), "--out", str(out)]
    if three_as_missing:
        args.append("--three-as-missing")
    assert main(args) == 0


def _read_output(path: Path) -> pd.DataFrame:
    # Written with a BOM and true/false by methods.md §10.
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    return pd.read_csv(path, encoding="utf-8-sig", true_values=["true"], false_values=["false"])


def _assert_same_numbers(expected: pd.Series, actual: pd.Series, label: str) -> None:
    assert np.array_equal(expected.isna().to_numpy(), actual.isna().to_numpy()), f"{label}: missing cells differ"
    difference = np.abs(expected.to_numpy(float) - actual.to_numpy(float))
    assert np.nanmax(difference, initial=0.0) < TOLERANCE, f"{label}: values differ"


@pytest.mark.parametrize("three_as_missing", [False, True], ids=["three-counts", "three-as-missing"])
@pytest.mark.parametrize("table", ["cases", "groups"])
def test_summary_tables_match_golden(survey_file, tmp_path, shared_dir, table, three_as_missing):
    _run_score(survey_file, tmp_path, three_as_missing)
    suffix = "_three_as_missing" if three_as_missing else ""
    expected = pd.read_csv(shared_dir / "fixtures" / "golden" / f"expected_{table}{suffix}.csv")
    actual = _read_output(tmp_path / f"{table}.csv")
    key = expected.columns[0]
    merged = expected.merge(actual, on=[key, "measure"], how="outer", suffixes=("_expected", ""), indicator=True)
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both", [key, "measure"]]
    assert (merged["n_expected"] == merged["n"]).all()
    assert (merged["hidden_expected"] == merged["hidden"]).all()
    for column in ("mean", "median"):
        _assert_same_numbers(merged[f"{column}_expected"], merged[column], column)
    # A hidden cell shows its n but no statistic (methods.md §7).
    hidden = merged[merged["hidden"]]
    assert hidden[["mean", "median", "min", "max", "band", "quartile"]].isna().all().all()


@pytest.mark.parametrize("three_as_missing", [False, True], ids=["three-counts", "three-as-missing"])
def test_respondent_scores_match_golden(survey_file, tmp_path, shared_dir, three_as_missing):
    _run_score(survey_file, tmp_path, three_as_missing)
    suffix = "_three_as_missing" if three_as_missing else ""
    expected = pd.read_csv(shared_dir / "fixtures" / "golden" / f"expected_respondents{suffix}.csv")
    actual = _read_output(tmp_path / "respondents.csv")
    assert list(actual.columns) == list(expected.columns)
    assert actual[["respondent_id", "case", "group"]].equals(expected[["respondent_id", "case", "group"]])
    for measure in expected.columns[3:]:
        _assert_same_numbers(expected[measure], actual[measure], measure)
