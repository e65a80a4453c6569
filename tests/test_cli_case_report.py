"""``python -m samskaping case-report``: exit codes, one-line messages and the files written (methods.md §10).

Run in-process through :func:`samskaping.cli.main`, as ``python -m samskaping`` runs it. Reports with figures need
Debian's chromium (skipped locally without it, failed on CI).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from samskaping import cli
from samskaping.html_print import find_chromium

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo_survey.xlsx"
# The six cases of the small demo survey, each with 3 respondents (data/demo_survey.xlsx, README).
DEMO_CASES = ["Arbeidstrening i Bjørkelia", "Kvitberg × Snekkerbua", "Nordhei × Matbua", "Saltvika × Tunet",
              "Tindeland × Verkstedet Bro", "Vestbø × Gjenbruksloftet"]  # fmt: skip


def _main(argv: list[str]) -> int:
    """Run the CLI in-process as ``python -m samskaping`` does; return the exit code."""
    try:
        return cli.main(argv)
    except SystemExit as exc:  # argparse's exit for a bad argument
        return int(exc.code)


@pytest.fixture(scope="module")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        message = "chromium not found: install Debian's chromium (scripts/setup.sh does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def test_unknown_case_lists_the_cases(tmp_path, capsys):
    assert _main(["case-report", str(DEMO), "--case", "Nowhere", "--out", str(tmp_path / "r.pdf")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("error: --case Nowhere: no such case; choose from ")
    assert all(case in err for case in DEMO_CASES)
    assert not (tmp_path / "r.pdf").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--case", "X", "--out", "r.docx"], "--out must end in .pdf or .html, got 'r.docx'"),
        (["--case", "X", "--out", "r.pdf", "--format", "html"], "--format html does not match --out 'r.pdf'"),
        (["--all", "--out", "r.pdf"], "--out with --all must be a .zip file or a folder, got 'r.pdf'"),
    ],
)
def test_bad_output_arguments_exit_2(tmp_path, capsys, args, message):
    args = [str(tmp_path / a) if a.startswith("r.") else a for a in args]
    assert _main(["case-report", str(DEMO), *args]) == 2
    assert capsys.readouterr().err == f"error: {message}\n"


def test_case_and_all_are_required_and_exclusive(tmp_path, capsys):
    assert _main(["case-report", str(DEMO), "--out", str(tmp_path / "r.pdf")]) == 2
    assert _main(["case-report", str(DEMO), "--all", "--case", "X", "--out", str(tmp_path / "r.zip")]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_unreadable_input_is_one_line(tmp_path, capsys):
    assert _main(["case-report", str(tmp_path / "missing.xlsx"), "--case", "X", "--out", str(tmp_path / "r.pdf")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_html_report_of_one_case_with_a_placement(tmp_path, capsys, chromium):
    placements = tmp_path / "placements.yaml"
    placements.write_text("Saltvika × Tunet:\n  position: 40\n  rationale: Seen in the <b>workshop</b>\n",
                          encoding="utf-8")  # fmt: skip
    out = tmp_path / "sub" / "saltvika.html"
    args = ["case-report", str(DEMO), "--case", "Saltvika × Tunet", "--out", str(out), "--placements", str(placements)]
    assert _main(args) == 0
    page = out.read_text(encoding="utf-8")
    assert "Case report: Saltvika × Tunet" in page
    assert "Synthetic demo data" in page  # the demo file's About sheet says it was generated
    assert "Researchers&#39; placement: 40.0 of 100." in page
    assert "Why: Seen in the &lt;b&gt;workshop&lt;/b&gt;" in page
    assert capsys.readouterr().out.startswith(f"Wrote {out}: the report of Saltvika × Tunet in English, k = 3")


def test_a_case_under_k_gets_a_hidden_report(tmp_path, capsys, chromium):
    out = tmp_path / "hidden.html"
    # Every demo case has 3 respondents: with k = 4 each is hidden.
    args = ["case-report", str(DEMO), "--case", DEMO_CASES[0], "--out", str(out), "--min-group-size", "4"]
    assert _main(args) == 0
    page = out.read_text(encoding="utf-8")
    assert "This case has 3 respondents, fewer than k = 4" in page
    assert "<svg" not in page
    assert f"Hidden (n < 4), their reports show no results: {DEMO_CASES[0]}" in capsys.readouterr().out


def test_all_cases_as_html_zip_in_a_folder(tmp_path, chromium):
    out = tmp_path / "reports"
    assert _main(["case-report", str(DEMO), "--all", "--format", "html", "--lang", "nb", "--out", str(out)]) == 0
    archive = zipfile.ZipFile(out / "case-reports-nb.zip")
    reports = [name for name in archive.namelist() if name != "methods-nb.txt"]
    assert len(reports) == len(DEMO_CASES) and len(archive.namelist()) == len(DEMO_CASES) + 1
    assert "k = 3" in archive.read("methods-nb.txt").decode("utf-8")  # the methods paragraph states k
    for name in reports:
        page = archive.read(name).decode("utf-8")
        assert '<html lang="nb">' in page and "Oversikt over funn" in page


def test_pdf_report_of_one_case(tmp_path, chromium):
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        message = "pdftotext not found: install Debian's poppler-utils"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    out = tmp_path / "nordhei.pdf"
    assert _main(["case-report", str(DEMO), "--case", "Nordhei × Matbua", "--out", str(out), "--lang", "nb"]) == 0
    text = subprocess.run([pdftotext, str(out), "-"], capture_output=True, timeout=60).stdout.decode("utf-8")
    assert "Caserapport: Nordhei × Matbua" in text


def test_zip_path_is_used_as_given(tmp_path, chromium):
    out = tmp_path / "all.zip"
    # k = 4 hides every case (3 respondents each), so the six reports need no figures: quick.
    args = ["case-report", str(DEMO), "--all", "--format", "html", "--out", str(out), "--min-group-size", "4"]
    assert _main(args) == 0
    names = zipfile.ZipFile(io.BytesIO(out.read_bytes())).namelist()
    assert len(names) == len(DEMO_CASES) + 1 and "methods-en.txt" in names  # reports and the methods paragraph
