"""``python -m samskaping report``: the study workbook from the command line; exit codes per methods.md §10.

The command runs in-process through ``samskaping.cli.main``, as ``python -m samskaping`` runs it.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from samskaping import __version__, cli, cli_report

ROOT = Path(__file__).resolve().parents[1]
SHAREABLE = [
    "Cases", "Groups", "Sides", "Comparison", "Kruskal-Wallis", "Perception gaps", "Continuum", "Findings",
    "Free text", "Notes", "Codebook", "Reliability", "Settings", "Exclusions",
]  # fmt: skip


def _report(*argv: str) -> int:
    """Run ``report`` with ``argv`` as ``python -m samskaping`` does; return the exit code."""
    try:
        return cli.main(["report", *argv])
    except SystemExit as exc:  # argparse's exit for a bad argument
        return int(exc.code)


def _golden(shared_dir: Path) -> str:
    return str(shared_dir / "fixtures" / "golden" / "survey.csv")


def _sheet(path: Path, name: str) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=name, engine="openpyxl")


def _settings(path: Path) -> pd.Series:
    return _sheet(path, "Settings").set_index("setting")["value"]


def test_report_writes_the_workbook_and_exits_0(shared_dir, tmp_path, capsys):
    out = tmp_path / "new" / "study.xlsx"
    assert _report(_golden(shared_dir), "--out", str(out)) == 0
    assert openpyxl.load_workbook(out).sheetnames == SHAREABLE
    printed = capsys.readouterr()
    # Golden README: 21 respondents in four cases.
    assert "21 respondents in 4 cases" in printed.out and printed.err == ""
    settings = _settings(out)
    assert settings["source_file"] == "survey.csv" and settings["version"] == __version__


def test_report_follows_the_scoring_options(shared_dir, tmp_path):
    options = ["--min-group-size", "4", "--three-as-missing"]
    assert cli.main(["score", _golden(shared_dir), "--out", str(tmp_path / "score"), *options]) == 0
    out = tmp_path / "study.xlsx"
    assert _report(_golden(shared_dir), "--out", str(out), "--lang", "nb", *options) == 0
    expected = pd.read_csv(tmp_path / "score" / "cases.csv", encoding="utf-8-sig")
    sheet = _sheet(out, "Cases")
    # Golden README: Case C has 3 respondents, so at k = 4 it is hidden, in Norwegian "skjult, n < 4".
    case_c = sheet[sheet["case"] == "Case C"]
    assert case_c["hidden"].all() and (case_c["mean"] == "skjult, n < 4").all()
    shown = ~sheet["hidden"].astype(bool)
    pd.testing.assert_series_equal(
        sheet.loc[shown, "mean"].astype(float), expected.loc[shown, "mean"], check_names=False, rtol=0, atol=1e-12
    )
    settings = _settings(out)
    assert settings["k"] == 4 and settings["three_as_missing"] == "ja" and settings["language"] == "nb"
    assert "behandlet som manglende" in settings["methods_paragraph"]  # nb text for treat 3 as missing


def test_include_respondents_adds_the_labelled_sheets(shared_dir, tmp_path, capsys):
    out = tmp_path / "study.xlsx"
    assert _report(_golden(shared_dir), "--out", str(out), "--include-respondents") == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [*SHAREABLE, "Respondents", "Cleaned data"]
    assert "researcher-only" in capsys.readouterr().out
    assert book["Respondents"].max_row == 2 + 21  # label, header, 21 respondents (golden README)


def test_comparison_by_another_column(shared_dir, tmp_path):
    assert cli.main(["compare", _golden(shared_dir), "--by", "case", "--out", str(tmp_path / "compare")]) == 0
    out = tmp_path / "study.xlsx"
    assert _report(_golden(shared_dir), "--out", str(out), "--by", "case") == 0
    expected = pd.read_csv(tmp_path / "compare" / "comparison.csv", encoding="utf-8-sig")
    sheet = _sheet(out, "Comparison")
    assert list(sheet.columns) == list(expected.columns)
    assert sheet[["group_a", "group_b", "measure"]].equals(expected[["group_a", "group_b", "measure"]])
    assert _settings(out)["compare_by"] == "case"


def test_data_errors_exit_1_and_the_workbook_is_written(shared_dir, tmp_path, capsys):
    survey = pd.read_csv(_golden(shared_dir), dtype=str)
    survey.loc[0, "q26"] = "9"  # out of range on a 1–5 item: an error in the validation report
    bad = tmp_path / "bad.csv"
    survey.to_csv(bad, index=False)
    out = tmp_path / "study.xlsx"
    assert _report(str(bad), "--out", str(out)) == 1
    assert out.exists()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cleaned data" in err[0]
    assert _settings(out)["respondents"] == 21  # the respondent stays; only the bad value is dropped


def _placements(tmp_path: Path, text: str) -> str:
    path = tmp_path / "placements.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        (["--out", "{tmp}/study.csv"], ".xlsx"),
        (["--out", "{tmp}/study.xlsx", "--by", "shoe_size"], "not a grouping column"),
        (["--out", "{tmp}/study.xlsx", "--placements", "{tmp}/missing.yaml"], "missing.yaml"),
        (["--out", "{tmp}/study.xlsx", "--placements", "{bad_placements}"], "placements.yaml"),
        (["--out", "{tmp}/study.xlsx", "--codebook", "{tmp}/missing_codebook.yaml"], "missing_codebook.yaml"),
    ],
)
def test_unusable_arguments_exit_2_with_one_line(shared_dir, tmp_path, capsys, arguments, fragment):
    bad_placements = _placements(tmp_path, "Case A: {position: 140}\n")
    argv = [a.format(tmp=tmp_path, bad_placements=bad_placements) for a in arguments]
    assert _report(_golden(shared_dir), *argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0] and "Traceback" not in err[0]
    assert not (tmp_path / "study.xlsx").exists()


def test_missing_input_exits_2(tmp_path, capsys):
    assert _report(str(tmp_path / "nothing.csv"), "--out", str(tmp_path / "study.xlsx")) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nothing.csv" in err[0]


def test_bad_language_is_an_argument_error(shared_dir, tmp_path):
    assert _report(_golden(shared_dir), "--out", str(tmp_path / "s.xlsx"), "--lang", "de") == 2
    assert not (tmp_path / "s.xlsx").exists()


def test_placements_and_a_changed_codebook_reach_the_workbook(shared_dir, tmp_path):
    placements = _placements(tmp_path, "Case A:\n  position: 40\n  rationale: '=focus groups said so'\n")
    codebook = yaml.safe_load((ROOT / "data" / "codebook.yaml").read_text(encoding="utf-8"))
    weights = {"co_design": 0.5, "co_delivery": 0.3, "durability": 0.2}
    for spec in codebook["continuum"]["subindices"]:
        spec["weight"] = weights[spec["id"]]
    changed = tmp_path / "my_codebook.yaml"
    changed.write_text(yaml.safe_dump(codebook, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "study.xlsx"
    assert _report(_golden(shared_dir), "--out", str(out), "--placements", placements, "--codebook", str(changed)) == 0
    continuum = openpyxl.load_workbook(out)["Continuum"]
    header = [cell.value for cell in continuum[1]]
    row = next(r for r in continuum.iter_rows(min_row=2) if r[0].value == "Case A")
    assert row[header.index("manual_position")].value == 40
    rationale = row[header.index("rationale")]
    assert rationale.value == "=focus groups said so" and rationale.data_type == "s"  # methods.md §10
    settings = _settings(out)
    assert settings["codebook_changed"] == "yes" and settings["codebook_file"] == "my_codebook.yaml"
    assert "0.5 · co-design + 0.3 · co-delivery + 0.2 · durability" in settings["methods_paragraph"]
    weights_sheet = _sheet(out, "Codebook").set_index("id")["weight"]
    assert weights_sheet[["co_design", "co_delivery", "durability"]].tolist() == [0.5, 0.3, 0.2]


def test_the_bundled_codebook_is_not_changed(instrument, codebook):
    from samskaping.codebook import load_codebook

    assert not cli_report.codebook_changed(codebook, instrument)
    assert not cli_report.codebook_changed(load_codebook(ROOT / "data" / "codebook.yaml", instrument), instrument)


def test_citation_cff_names_the_package_version():
    citation = yaml.safe_load(io.StringIO((ROOT / "CITATION.cff").read_text(encoding="utf-8")))
    assert citation["cff-version"] == "1.2.0"
    assert citation["title"] == "samskaping" and citation["type"] == "software"
    assert str(citation["version"]) == __version__
    assert citation["authors"] == [{"name": "samskaping contributors"}]
    assert citation["message"]
    assert "license" not in citation or (ROOT / "LICENSE").exists()  # a license only if the repository has one
