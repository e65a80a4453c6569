"""Anonymity audit of every shareable export (methods.md §7): no planted sentinel gets out.

The planted survey (tests/anonymity_sentinels.py) hides, at k = 3, Case B's two-respondent
social-enterprise side (search mean 13.37, shared_stake 7/6), by secondary suppression its
three-respondent municipality side, Case D's free text, and an identifying ``E-mail`` column.
Every export is made from it through ``python -m samskaping`` (in process), in both languages
where the export has a language:

* ``score``: cases.csv, groups.csv, reliability.csv, barrier_cut_points.csv (shareable);
  respondents.csv and validation_report.csv are researcher-only (labelled in README.txt);
* ``compare`` by group, by case and by group within Case B: comparison.csv, kruskal.csv,
  perception_gaps.csv;
* ``waves`` (the golden survey before, the planted one after): wave_changes.csv, continuum_moves.csv;
* ``continuum`` (and ``--matrix``) as SVG, HTML and PDF, each with its CSV; PNG is pixels,
  which cannot be searched for text: the same figure's SVG and CSV are searched instead;
* ``report``: every cell of every sheet of the study workbook (openpyxl);
* ``case-report`` of Case B and Case D as HTML and PDF (pdftotext), and ``--all`` as a zip;
* the printed output of every command.

Each text is searched for the e-mail, the free text, the planted ids and each hidden mean at
1, 2 and 3 decimals with a point or a comma; each number read from a CSV or a workbook is
compared with the hidden means. A control run with k = 2 (where Case B's sides and Case D are
shown) must find the means and the free text, so the search cannot pass by seeing nothing.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from samskaping import cli
from tests.anonymity_sentinels import (
    EMAIL,
    EMAIL_DOMAIN,
    FREE_TEXT,
    PLANTED_CASE,
    SE_IDS,
    SENTINELS,
    SMALL_CASE,
    Found,
    planted_survey,
    secondary_suppression_problems,
)

# Researcher-only files of `score` (methods.md §7): exempt from the sentinel search, but labelled.
RESEARCHER_ONLY_FILES = {"respondents.csv", "validation_report.csv"}


@dataclass
class Exports(Found):
    """What the exports of one k contain, the files by name, and the researcher-only texts."""

    files: dict[str, Path] = field(default_factory=dict)
    researcher_only: dict[str, str] = field(default_factory=dict)
    printed: list[str] = field(default_factory=list)


def _run(exports: Exports, *argv: str) -> None:
    """Run one command as ``python -m samskaping`` does; keep what it printed."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    printed = out.getvalue() + err.getvalue()
    exports.printed.append(printed)
    exports.texts.append((f"printed by {argv[0]}", printed))
    assert code == 0, (argv, code, printed)


def _make_exports(survey: Path, out: Path, k: int) -> Exports:
    exports = Exports()
    common = ["--min-group-size", str(k)]
    s = str(survey)
    # score
    _run(exports, "score", s, "--out", str(out / "score"), *common)
    for path in sorted((out / "score").glob("*.csv")):
        exports.files[f"score/{path.name}"] = path
        if path.name in RESEARCHER_ONLY_FILES:
            exports.researcher_only[f"score/{path.name}"] = path.read_text(encoding="utf-8-sig")
        else:
            exports.add_csv(path.read_bytes(), f"score/{path.name}")
    exports.texts.append(("score/README.txt", (out / "score" / "README.txt").read_text(encoding="utf-8")))
    # compare
    for name, extra in (("by_group", ["--by", "group"]), ("by_case", ["--by", "case"]),
                        ("within_b", ["--by", "group", "--within-case", PLANTED_CASE])):  # fmt: skip
        _run(exports, "compare", s, "--out", str(out / name), *extra, *common)
        for path in sorted((out / name).glob("*.csv")):
            exports.add_csv(path.read_bytes(), f"compare {name}/{path.name}")
    # waves: the golden survey before, the planted one after
    golden = survey.parent / "golden_survey.csv"
    _run(exports, "waves", str(golden), s, "--out", str(out / "waves"), *common)
    for path in sorted((out / "waves").glob("*.csv")):
        exports.add_csv(path.read_bytes(), f"waves/{path.name}")
    # continuum and matrix figures
    for figure, extra in (("continuum", []), ("matrix", ["--matrix"])):
        for lang in ("en", "nb"):
            for fmt in ("svg", "html", "pdf"):
                path = out / f"{figure}_{lang}.{fmt}"
                _run(exports, "continuum", s, "--out", str(path), "--lang", lang, *extra, *common)
                where = f"continuum {path.name}"
                exports.add_file(path.name, path.read_bytes(), where)
            exports.add_file(path.with_suffix(".csv").name, path.with_suffix(".csv").read_bytes(), f"continuum {lang}")
    # study workbook, both languages, shareable
    for lang in ("en", "nb"):
        path = out / f"study_{lang}.xlsx"
        _run(exports, "report", s, "--out", str(path), "--lang", lang, *common)
        exports.files[path.name] = path
        exports.add_workbook(path.read_bytes(), path.name)
    # case reports: the planted case and the small case, HTML and PDF, both languages; all as a zip
    for case in (PLANTED_CASE, SMALL_CASE):
        for lang in ("en", "nb"):
            for fmt in ("html", "pdf"):
                path = out / f"{case.replace(' ', '_')}_{lang}.{fmt}"
                _run(exports, "case-report", s, "--case", case, "--out", str(path), "--lang", lang, *common)
                exports.add_file(path.name, path.read_bytes(), f"case report {path.name}")
    zipped = out / "all.zip"
    _run(exports, "case-report", s, "--all", "--format", "html", "--out", str(zipped), *common)
    exports.add_file(zipped.name, zipped.read_bytes(), "all.zip")
    return exports


@pytest.fixture(scope="module")
def survey_file(shared_dir, tmp_path_factory) -> Path:
    golden = pd.read_csv(shared_dir / "fixtures" / "golden" / "survey.csv", dtype=str, keep_default_na=False)
    path = tmp_path_factory.mktemp("planted") / "planted_survey.csv"
    planted_survey(golden).to_csv(path, index=False)
    golden.to_csv(path.parent / "golden_survey.csv", index=False)
    return path


@pytest.fixture(scope="module")
def exports_k3(survey_file, tmp_path_factory) -> Exports:
    return _make_exports(survey_file, tmp_path_factory.mktemp("k3"), 3)


@pytest.fixture(scope="module")
def exports_k2(survey_file, tmp_path_factory) -> Exports:
    return _make_exports(survey_file, tmp_path_factory.mktemp("k2"), 2)


def test_pdftotext_is_available():
    """The PDF exports are searched as text: without pdftotext the audit could not see them."""
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed to search the PDF exports"


def test_no_sentinel_in_any_shareable_export(exports_k3):
    assert len(exports_k3.texts) > 50 and len(exports_k3.numbers) > 500  # the search saw the exports
    leaks = exports_k3.leaks()
    assert not leaks, leaks[:20]


def test_control_the_search_finds_the_means_and_free_text_when_k_allows_them(exports_k2):
    """At k = 2 Case B's sides and Case D are shown: each hidden mean and the free text must be found."""
    leaks = exports_k2.leaks()
    # Each kind of export is searched: each mean is found in each (point and comma decimals).
    kinds = ("case report Case_B_en.html", "case report Case_B_nb.pdf", "all.zip/", "study_en.xlsx Findings",
             "study_nb.xlsx Sides", "compare within_b/comparison.csv")  # fmt: skip
    for sentinel in SENTINELS:
        for kind in kinds:
            assert any(leak.startswith(kind) and sentinel.what in leak for leak in leaks), (sentinel.what, kind)
    nb_texts = [leak for leak in leaks if leak.startswith("case report Case_B_nb.html")]
    assert any("'13,4'" in leak for leak in nb_texts) and any("'1,17'" in leak for leak in nb_texts)
    assert FREE_TEXT.casefold() in exports_k2.text().casefold()
    # The e-mail column is identifying: set aside whatever k is.
    assert EMAIL_DOMAIN not in exports_k2.text()


def test_secondary_suppression_in_the_scored_tables(exports_k3):
    """cases.csv shows Case B's total (n = 5); no side of Case B may be shown in any table with sides."""
    cases = pd.read_csv(exports_k3.files["score/cases.csv"])
    planted = cases[cases["case"] == PLANTED_CASE]
    # 3 municipality + 2 social enterprise respondents (tests/anonymity_sentinels.py).
    assert (planted["n"] == 5).any() and not planted["hidden"].all()
    book = openpyxl.load_workbook(exports_k3.files["study_en.xlsx"])
    sides = _sheet_frame(book["Sides"])
    problems = secondary_suppression_problems(sides.rename(columns=str.strip), k=3)
    assert not problems, problems
    b_sides = sides[sides["case"] == PLANTED_CASE]
    assert len(b_sides) and b_sides["hidden"].astype(bool).all()
    assert b_sides["mean"].isna().all()


def test_hidden_side_does_not_follow_by_subtraction(exports_k3):
    """Case total × n minus any shown side of Case B never gives the hidden side's mean."""
    cases = pd.read_csv(exports_k3.files["score/cases.csv"])
    book = openpyxl.load_workbook(exports_k3.files["study_en.xlsx"])
    sides = _sheet_frame(book["Sides"])
    for sentinel in SENTINELS:
        measure = sentinel.what.rsplit(" ", 1)[1]
        total = cases[(cases["case"] == PLANTED_CASE) & (cases["measure"] == measure)].iloc[0]
        assert total["n"] == 5 and pd.notna(total["mean"])
        shown = sides[(sides["case"] == PLANTED_CASE) & (sides["measure"] == measure) & sides["mean"].notna()]
        for side in shown.itertuples():
            recovered = (total["n"] * total["mean"] - side.n * side.mean) / (total["n"] - side.n)
            assert not any(s.matches_number(recovered) for s in SENTINELS), (measure, side.group, recovered)
        assert shown.empty


def test_researcher_only_files_are_labelled_and_hold_no_identifying_column(exports_k3):
    readme = (exports_k3.files["score/cases.csv"].parent / "README.txt").read_text(encoding="utf-8")
    assert re.search(r"respondents\.csv\s+RESPONDENT-LEVEL scores: researcher-only", readme)
    assert re.search(r"validation_report\.csv\s+.*researcher-only", readme)
    assert any("researcher-only" in printed for printed in exports_k3.printed)
    for name, text in exports_k3.researcher_only.items():
        assert EMAIL not in text and EMAIL_DOMAIN not in text, name  # §7: never identifying columns
    # The respondent-level file is researcher-only because it has the ids: the search would see them.
    assert SE_IDS[0] in exports_k3.researcher_only["score/respondents.csv"]


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_workbook_with_respondents_is_labelled_and_has_no_identifying_column(survey_file, tmp_path, capsys, lang):
    path = tmp_path / "with_respondents.xlsx"
    assert cli.main(["report", str(survey_file), "--out", str(path), "--lang", lang, "--include-respondents"]) == 0
    book = openpyxl.load_workbook(path)
    label = {"en": "RESEARCHER-ONLY: respondent-level data", "nb": "BARE FOR FORSKEREN: data på respondentnivå"}[lang]
    for name in ("Respondents", "Cleaned data"):
        sheet = book[name]
        texts = [str(c.value) for row in sheet.iter_rows(max_row=3) for c in row if c.value is not None]
        assert any(label in text for text in texts), (name, texts[:3])
    everything = [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value]
    assert not [v for v in everything if EMAIL_DOMAIN in v or v.casefold() == "e-mail"]
    assert any(SE_IDS[0] in v for v in everything)  # respondent-level: the ids are there, as labelled
    assert "researcher-only" in capsys.readouterr().out.casefold()


def _sheet_frame(sheet) -> pd.DataFrame:
    """A workbook sheet as a table: the first row whose first cell is a column name is the header."""
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r and r[0] == "case")
    frame = pd.DataFrame(rows[start + 1 :], columns=rows[start])
    # A hidden cell holds the words "hidden, n < k" instead of a number.
    return frame.assign(mean=pd.to_numeric(frame["mean"], errors="coerce"))
