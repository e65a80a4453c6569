"""The command line: exit codes and one-line messages (methods.md §10)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from samskaping.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _golden(shared_dir: Path) -> Path:
    return shared_dir / "fixtures" / "golden" / "survey.csv"


def test_score_writes_every_file_and_creates_out_dir(shared_dir, tmp_path):
    out = tmp_path / "new" / "dir"
    assert main(["score", str(_golden(shared_dir)), "--out", str(out)]) == 0
    expected = {
        "cases.csv",
        "groups.csv",
        "respondents.csv",
        "reliability.csv",
        "barrier_cut_points.csv",
        "validation_report.csv",
        "README.txt",
    }
    assert expected <= {p.name for p in out.iterdir()}
    cases = pd.read_csv(out / "cases.csv", encoding="utf-8-sig")
    assert list(cases.columns) == ["case", "measure", "n", "mean", "median", "min", "max", "band", "quartile", "hidden"]
    assert set(cases["hidden"]) <= {True, False}  # written as true/false
    assert "researcher-only" in (out / "README.txt").read_text(encoding="utf-8")


def test_min_group_size_changes_hiding(shared_dir, tmp_path):
    # Case C has 3 respondents in the golden fixture (its README): visible at k = 3, hidden at k = 4.
    assert main(["score", str(_golden(shared_dir)), "--out", str(tmp_path), "--min-group-size", "4"]) == 0
    cases = pd.read_csv(tmp_path / "cases.csv", encoding="utf-8-sig", true_values=["true"], false_values=["false"])
    assert cases.loc[cases["case"] == "Case C", "hidden"].all()
    assert not cases.loc[cases["case"] == "Case A", "hidden"].any()


def test_min_max_only_from_five_respondents(shared_dir, tmp_path):
    # methods.md §2: min–max only where n ≥ max(k, 5). Case B has 6 respondents, Case C 3.
    assert main(["score", str(_golden(shared_dir)), "--out", str(tmp_path)]) == 0
    cases = pd.read_csv(tmp_path / "cases.csv", encoding="utf-8-sig")
    assert cases.loc[(cases["case"] == "Case C") & ~cases["hidden"], ["min", "max"]].isna().all().all()
    history_b = cases[(cases["case"] == "Case B") & (cases["measure"] == "history")].iloc[0]
    assert history_b["min"] <= history_b["median"] <= history_b["max"]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "samskaping", *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def _assert_one_line_failure(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_malformed_codebook_exits_2_naming_the_problem(shared_dir, tmp_path):
    codebook = yaml.safe_load((ROOT / "data" / "codebook.yaml").read_text(encoding="utf-8"))
    codebook["categories"][0]["factors"][0]["items"] = ["q26", "q99"]
    bad = tmp_path / "bad_codebook.yaml"
    bad.write_text(yaml.safe_dump(codebook, allow_unicode=True), encoding="utf-8")
    result = _run("score", str(_golden(shared_dir)), "--out", str(tmp_path / "out"), "--codebook", str(bad))
    _assert_one_line_failure(result, "bad_codebook.yaml", "q99", "history")


def test_codebook_that_is_not_yaml_exits_2(shared_dir, tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("categories: [unclosed\n", encoding="utf-8")
    result = _run("score", str(_golden(shared_dir)), "--out", str(tmp_path / "out"), "--codebook", str(bad))
    _assert_one_line_failure(result, "broken.yaml", "not valid YAML")


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("nocase.csv", b"respondent_id,group,q26\nR1,municipality,4\n", "missing required column 'case'"),
        ("noitems.csv", b"respondent_id,case,group,foo\nR1,A,municipality,4\n", "no column matches"),
        ("broken.xlsx", b"PK\x03\x04 this is not a workbook", "not a readable spreadsheet"),
        ("survey.pdf", b"%PDF-1.4", "unknown file type"),
    ],
)
def test_unusable_data_file_exits_2(tmp_path, name, content, fragment):
    path = tmp_path / name
    path.write_bytes(content)
    result = _run("score", str(path), "--out", str(tmp_path / "out"))
    _assert_one_line_failure(result, name, fragment)


def test_missing_input_and_bad_arguments_exit_2(tmp_path):
    _assert_one_line_failure(_run("score", str(tmp_path / "nothing.csv"), "--out", str(tmp_path)), "nothing.csv")
    _assert_one_line_failure(
        _run("score", "x.csv", "--out", str(tmp_path), "--min-group-size", "zero"), "--min-group-size"
    )
    _assert_one_line_failure(_run("frobnicate"), "invalid choice")


def test_data_errors_exit_1_and_still_write_outputs(shared_dir, tmp_path):
    survey = pd.read_csv(_golden(shared_dir), dtype=str, keep_default_na=False)
    survey.loc[0, "q26"] = "7"  # outside 1–5: set missing and reported (codebook.md, response formats)
    path = tmp_path / "with_error.csv"
    survey.to_csv(path, index=False)
    result = _run("score", str(path), "--out", str(tmp_path / "out"))
    assert result.returncode == 1, result.stderr
    assert "outputs were written from the cleaned data" in result.stderr
    report = pd.read_csv(tmp_path / "out" / "validation_report.csv", encoding="utf-8-sig")
    # Row 2 of the file is its first data row (row 1 is the header).
    assert report[["code", "row", "column", "value"]].values.tolist() == [["out_of_range", 2, "q26", 7]]
    assert (tmp_path / "out" / "cases.csv").exists()


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("empty.csv", b"", "empty.csv"),
        ("corrupt.xlsx", b"PK\x03\x04" + b"\x00" * 64, "corrupt.xlsx"),
        # An OLE2 compound file is what Excel writes for a password-protected workbook.
        ("locked.xlsx", bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 512, "locked.xlsx"),
        ("picture.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "picture.csv"),
    ],
)
def test_validate_refuses_unusable_files_with_exit_2(tmp_path, name, content, fragment):
    path = tmp_path / name
    path.write_bytes(content)
    _assert_one_line_failure(_run("validate", str(path)), fragment)


def test_validate_refuses_a_non_survey_table(tmp_path):
    # A readable table with nothing from the instrument in it (methods.md §10: exit 2).
    path = tmp_path / "budget.csv"
    path.write_text("Post;Beløp\nHusleie;12000\nStrøm;900\n", encoding="utf-8")
    _assert_one_line_failure(_run("validate", str(path)), "budget.csv", "no column matches")


def test_validate_summarises_and_writes_the_report(shared_dir, tmp_path):
    result = _run(
        "validate",
        str(_golden(shared_dir)),
        "--report",
        str(tmp_path / "report.csv"),
        "--save-mapping",
        str(tmp_path / "mapping.yaml"),
    )
    assert result.returncode == 0, result.stderr
    # The golden survey: 21 respondents in 4 cases (its README).
    assert "21 respondents" in result.stdout and "4 cases" in result.stdout
    assert (tmp_path / "report.csv").exists()
    # The saved mapping reads back and scores the same file.
    out = tmp_path / "out"
    scored = _run("score", str(_golden(shared_dir)), "--out", str(out), "--mapping", str(tmp_path / "mapping.yaml"))
    assert scored.returncode == 0, scored.stderr
    assert (out / "cases.csv").exists()
