"""The per-case report (HTML and PDF) on a hand-built survey and on both demo surveys.

Expected lines are worked out by hand from the rules of methods.md §5/§7 (the arithmetic is in
the comments) or, for the demo surveys, from :func:`samskaping.profiles.findings` and
``finding_text`` directly. Headings are those of the dashboard's catalogues (ui/texts/case.*.yaml).

Figures need Debian's chromium (kaleido) and PDF checks need ``pdftotext`` (poppler-utils):
without them the tests are skipped locally and fail on CI (``CI=true``).
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from samskaping import figure_export
from samskaping.case_report import (
    ReportError,
    all_case_reports_zip,
    case_report_html,
    case_report_pdf,
    report_file_names,
)
from samskaping.continuum import Placement
from samskaping.html_print import PrintError, find_chromium, print_pdf
from samskaping.importing import read_table
from samskaping.loading import load_survey
from samskaping.methods_text import methods_paragraph
from samskaping.profiles import FINDING_ROWS, finding_text, findings
from samskaping.report_context import build_context
from samskaping.svg_inline import ALLOWED_ELEMENTS, inline_svg
from samskaping.validation import validate_canonical

ROOT = Path(__file__).resolve().parents[1]
M, SE = "municipality", "social_enterprise"
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
ALFA, BETA, GAMMA = "Alfa", f"Beta {IMG}", f"Gamma {SCRIPT}"
# The tags the template writes, plus the SVG elements inline_svg keeps (html.parser lower-cases names).
PAGE_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "main", "section", "footer", "h1", "h2", "h3", "p",
    "br", "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "figure", "figcaption",
}  # fmt: skip
ALLOWED_TAGS = PAGE_TAGS | {tag.lower() for tag in ALLOWED_ELEMENTS}


def _unavailable(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def chromium() -> str:
    """Chromium for kaleido's figures and for printing."""
    path = find_chromium()
    if path is None or figure_export.find_browser() is None:
        _unavailable("chromium not found: install Debian's chromium (scripts/setup.sh does)")
    return path


@pytest.fixture(scope="module")
def pdftotext() -> str:
    path = shutil.which("pdftotext")
    if path is None:
        _unavailable("pdftotext not found: install Debian's poppler-utils (scripts/setup.sh does)")
    return path


def _pdf_text(pdftotext: str, pdf: bytes) -> str:
    """The PDF's text with each whitespace run made one space (table cells wrap lines): compare with :func:`_flat`."""
    done = subprocess.run([pdftotext, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return _flat(done.stdout.decode("utf-8"))


def _flat(text: str) -> str:
    """Whitespace runs as one space and hyphens dropped: a cell may wrap after "all-" and pdftotext then
    joins "all-case" to "allcase"."""
    return " ".join(re.sub(r"-\s*", "", text).split())


class _Page(HTMLParser):
    """Every tag with its attributes, and the text, of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self._skip += tag == "style"

    def handle_endtag(self, tag):
        self._skip -= tag == "style"

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def _parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


def _text(page: str) -> str:
    """The text of an HTML page or fragment, one space between text nodes and for each run of whitespace."""
    return " ".join(" ".join(_parse(page).text).split())


def _section_text(page: str, section: str) -> str:
    match = re.search(rf'<section id="{section}"[^>]*>(.*?)</section>', page, re.S)
    assert match, f"no section {section}"
    return _text(match.group(1))


# --- the hand-built survey ------------------------------------------------------------------

# (respondent, case, group, answers). Only Q38 (the factor "Favorable political and social
# climate") and the free text Q14 are answered, so every other measure has n = 0 and is hidden.
ROWS = [
    *((f"A{i}", ALFA, M, {"q38": 5}) for i in range(1, 6)),
    ("A6", ALFA, SE, {"q38": 5, "q14": SCRIPT}),
    ("A7", ALFA, SE, {"q38": 5, "q14": f"Vi møtes {IMG}"}),
    *((f"B{i}", BETA, M, {"q38": 5}) for i in range(1, 4)),
    *((f"B{i}", BETA, SE, {"q38": 2}) for i in range(4, 7)),
    ("G1", GAMMA, M, {"q38": 4, "q14": "Gamma secret answer"}),
    ("G2", GAMMA, SE, {"q38": 4}),
]
# Alfa: climate (5 · 7)/7 = 5.00 ≥ 4.0 → band strength (methods.md §3), wording of the "strength" line.
ALFA_STRENGTH = "Favorable political and social climate: 5.00 – a strength (n = 7)"
# Beta: municipality 5.00 (n = 3), social enterprise 2.00 (n = 3): gap 3.00 ≥ 1.0 → joint tip (§5);
# 2.00 < 3.0 is a concern on the social-enterprise side only → tip for the social enterprise.
BETA_GAP = (
    "Favorable political and social climate: the two sides differ by 3.00 (municipality 5.00, n = 3; "
    "social enterprise 2.00, n = 3)"
)
BETA_SE_TIP = (
    "Favorable political and social climate: 2.00 – a concern on this side (n = 3); the other side 5.00 (n = 3)"
)
NOTE = f"{SCRIPT}\nWe met the partners in May."
EDITED_NB = f"Redigert linje {SCRIPT}"


@pytest.fixture(scope="module")
def hand(instrument, codebook):
    records = [{"respondent_id": rid, "case": case, "group": group, **answers} for rid, case, group, answers in ROWS]
    frame = pd.DataFrame(records).reindex(columns=["respondent_id", "case", "group", *instrument.item_ids])
    validated = validate_canonical(read_table("hand.csv", frame.to_csv(index=False).encode("utf-8")), instrument)
    assert validated.report.ok
    edited = pd.DataFrame("", index=list(FINDING_ROWS), columns=["part1", "part2", "part3"])
    edited.loc["proud", "part2"] = EDITED_NB
    exclusions = pd.DataFrame([{"wave": "", "kind": "respondent", "target": "R99", "reason": IMG, "removed": 0}])
    return build_context(
        validated, instrument, codebook, k=3, source=f"hand {SCRIPT}.csv",
        placements={ALFA: Placement(40.0, False, f"Workshop {SCRIPT}", "manual")},
        edited_findings={(ALFA, "nb"): edited}, notes={ALFA: NOTE}, exclusions=exclusions, wave="2018",
    )  # fmt: skip


@pytest.fixture(scope="module")
def hand_html(hand, chromium) -> dict[str, str]:
    return {case: case_report_html(hand, case, "en") for case in hand.cases}


@pytest.fixture(scope="module")
def hand_pdf_text(hand, chromium, pdftotext) -> dict[str, str]:
    archive = zipfile.ZipFile(io.BytesIO(all_case_reports_zip(hand, "en", "pdf")))
    names = report_file_names(hand.cases, "pdf")
    return {case: _pdf_text(pdftotext, archive.read(names[case])) for case in hand.cases}


def test_pdf_has_the_case_its_strength_and_the_hidden_side(hand_pdf_text):
    text = hand_pdf_text[ALFA]
    assert "Case report: Alfa" in text
    assert _flat(ALFA_STRENGTH) in text
    # Social enterprise n = 2 < k = 3 → hidden; the municipality (n = 5) is hidden too (§7 secondary suppression).
    assert "Social enterprise: n = 2 – hidden, n < 3" in text
    assert "Municipality: n = 5 – hidden too" in text
    assert "5.00 (n = 5)" not in text


def test_pdf_keeps_user_text_as_text(hand_pdf_text):
    text = hand_pdf_text[BETA]
    assert _flat(f"Case report: {BETA}") in text  # the markup is printed as characters
    assert _flat(BETA_GAP) in text and _flat(BETA_SE_TIP) in text


def test_side_values_when_both_sides_are_shown(hand_html):
    sides = _section_text(hand_html[BETA], "sides")
    # Beta: three per side ≥ k, so both sides show (municipality 5.00, social enterprise 2.00).
    assert "Municipality: n = 3" in sides and "Social enterprise: n = 3" in sides
    assert "Favorable political and social climate 5.00 (n = 3) 2.00 (n = 3)" in sides
    assert "History of collaboration or cooperation in the community hidden, n < 3 (n = 0)" in sides


def test_user_text_is_escaped_never_markup(hand_html):
    for case, page in hand_html.items():
        parsed = _parse(page)
        tags = {tag for tag, _ in parsed.tags}
        assert tags <= ALLOWED_TAGS, f"{case}: unexpected tags {tags - ALLOWED_TAGS}"
        assert "script" not in tags and "img" not in tags
        handlers = [name for _, attrs in parsed.tags for name, _ in attrs if name.lower().startswith("on")]
        assert handlers == []
        text = _text(page)
        assert f"Data: hand {SCRIPT}.csv" in text  # the source name, as text
        assert "R99" in text and IMG in text  # the exclusion and its reason
    alfa = _text(hand_html[ALFA])
    assert SCRIPT in alfa and f"Vi møtes {IMG}" in alfa  # the note and both free-text answers, as text
    assert "We met the partners in May." in alfa
    assert f"Why: Workshop {SCRIPT}" in alfa
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hand_html[ALFA]
    assert "Case report: Beta &#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in hand_html[BETA]


def test_page_is_self_contained(hand_html):
    for page in hand_html.values():
        assert "http://" not in page and "https://" not in page and "//" not in re.sub(r"<style>.*?</style>", "", page)
        assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_free_text_only_for_cases_with_k_respondents_and_without_ids(hand_html):
    every = "".join(hand_html.values())
    assert "Gamma secret answer" not in every  # Gamma has 2 < k = 3 respondents (§7)
    for rid, *_ in ROWS:
        assert rid not in _section_text(hand_html[ALFA], "free-text")


def test_continuum_placement_and_hidden_position(hand_html):
    continuum = _section_text(hand_html[ALFA], "continuum")
    # No respondent answered part 1, so thickness has n = 0 < 3: hidden; the researchers' 40 stands.
    assert "Computed position: hidden, n < 3 (n = 0)." in continuum
    assert "Researchers' placement: 40.0 of 100." in continuum


def test_hidden_case_says_so_and_shows_no_numbers(hand, chromium):
    quiet = dataclasses.replace(hand, exclusions=hand.exclusions.iloc[0:0])
    page = case_report_html(quiet, GAMMA, "en")
    main = _text(re.search(r"<main>(.*)</main>", page, re.S).group(1))
    # Gamma: 2 respondents < k = 3 → "hidden, n < 3"; the only numbers are n = 2 and k = 3.
    assert "This case has 2 respondents, fewer than k = 3" in main and "(hidden, n < 3)" in main
    assert set(re.findall(r"\d+(?:[.,]\d+)?", main)) <= {"2", "3"}
    assert "<svg" not in page and 'class="findings"' not in page
    assert f"Case report: {GAMMA}" in _text(page)


def test_norwegian_report_uses_norwegian_headings_and_the_edited_findings(hand, chromium):
    page = case_report_html(hand, ALFA, "nb")
    text = _text(page)
    assert '<html lang="nb">' in page
    # Headings from ui/texts/case.nb.yaml (findings_row_proud, case_findings, findings_part2, case_sides).
    for heading in ("Caserapport: Alfa", "Oversikt over funn", "Hva partnerne kan være stolte av",
                    "Del 2 – suksessfaktorer", "De to sidene i caset", "Fritekstsvar"):  # fmt: skip
        assert heading in text
    for english in ("Overview of findings", "The two sides of the case", "Free-text answers"):
        assert english not in text
    assert "Sosial virksomhet: n = 2 – skjult, n < 3" in text
    assert EDITED_NB in text  # the researcher's line replaces the generated ones
    assert "5,00 – en styrke" not in text


def test_unknown_case_and_language_are_report_errors(hand):
    with pytest.raises(ReportError, match=r"no case 'Delta'.*Alfa"):
        case_report_html(hand, "Delta", "en")
    with pytest.raises(ReportError, match="unknown language"):
        case_report_html(hand, ALFA, "de")
    with pytest.raises(ReportError, match="unknown report format"):
        all_case_reports_zip(hand, "en", "docx")


# --- the demo surveys ---------------------------------------------------------------------


def _demo(name: str, instrument, codebook):
    validated = load_survey(ROOT / "data" / name, instrument).validated
    return build_context(validated, instrument, codebook, k=3, source=name)


def test_every_case_of_the_small_demo_as_pdf(instrument, codebook, chromium, pdftotext):
    context = _demo("demo_survey.xlsx", instrument, codebook)
    calls: list[tuple[int, int]] = []
    content = all_case_reports_zip(context, "en", "pdf", lambda done, total: calls.append((done, total)),
                                   synthetic=True)  # fmt: skip
    archive = zipfile.ZipFile(io.BytesIO(content))
    names = report_file_names(context.cases, "pdf")
    # One report per case (6 cases, README) and the methods paragraph.
    assert sorted(archive.namelist()) == sorted([*names.values(), "methods-en.txt"]) and len(names) == 6
    assert calls == [(i, 6) for i in range(7)]
    assert archive.read("methods-en.txt").decode("utf-8") == methods_paragraph(context, "en") + "\n"
    strengths = 0
    for case in context.cases:
        text = _pdf_text(pdftotext, archive.read(names[case]))
        assert _flat(f"Case report: {case}") in text and "Synthetic demo data" in text
        found = findings(case, context.scores, codebook)
        strengths += sum(f.row == "proud" for f in found)
        for finding in found:
            assert _flat(finding_text(finding, codebook, "en")) in text
        # Every case of the small demo has one side with a single respondent (data/demo_survey.xlsx).
        assert "n = 1 – hidden, n < 3" in text
    assert strengths > 0


def test_every_case_of_the_large_demo_as_html(instrument, codebook, chromium):
    context = _demo("demo_survey_large.xlsx", instrument, codebook)
    archive = zipfile.ZipFile(io.BytesIO(all_case_reports_zip(context, "en", "html")))
    names = report_file_names(context.cases, "html")
    assert sorted(archive.namelist()) == sorted([*names.values(), "methods-en.txt"]) and len(names) == 8
    data = context.validated.data
    for case in context.cases:
        page = archive.read(names[case]).decode("utf-8")
        text = _text(page)
        assert f"Case report: {case}" in text
        assert page.count("<svg") == 3  # factors, barriers, continuum
        for finding in findings(case, context.scores, codebook):
            assert finding_text(finding, codebook, "en") in text
        sizes = data.loc[data["case"] == case, "group"].value_counts()
        for group, label in (("other", "Other"), (SE, "Social enterprise"), (M, "Municipality")):
            if 0 < sizes.get(group, 0) < 3:
                assert f"{label}: n = {sizes[group]} – hidden, n < 3" in text


def test_single_case_pdf_is_a4_text(instrument, codebook, chromium, pdftotext):
    context = _demo("demo_survey.xlsx", instrument, codebook)
    pdf = case_report_pdf(context, context.cases[3], "nb")
    assert pdf.startswith(b"%PDF")
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, timeout=60).stdout.decode()
    assert "(A4)" in info
    text = _pdf_text(pdftotext, pdf)
    assert f"Caserapport: {context.cases[3]}" in text and "Oversikt over funn" in text


# --- pieces -------------------------------------------------------------------------------


def test_file_names_are_safe_and_unique():
    names = report_file_names(["Æsir og Åsgard", "æsir og åsgard", "Kvitberg × Snekkerbua", "CON", "", SCRIPT], "pdf")
    assert names == {
        "Æsir og Åsgard": "Aesir-og-Asgard.pdf",  # æ → ae, Æ → Ae, å → a
        "æsir og åsgard": "aesir-og-asgard-2.pdf",  # the same name where case does not count
        "Kvitberg × Snekkerbua": "Kvitberg-x-Snekkerbua.pdf",
        "CON": "CON-case.pdf",  # a reserved device name on Windows
        "": "case.pdf",
        SCRIPT: "script-alert-1-script.pdf",
    }


def test_inline_svg_keeps_drawing_and_drops_anything_active():
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="x()">'
        "<script>alert(1)</script><foreignObject><div>hi</div></foreignObject>"
        '<a href="javascript:alert(1)"><text>link</text></a>'
        '<image xlink:href="http://example.org/a.png"/>'
        '<rect style="fill: url(http://example.org/x)" width="1"/><rect style="clip-path: url(#c1)" width="2"/>'
        '<use xlink:href="#c1"/><text x="1">&lt;b&gt;Bjørk &amp; co&lt;/b&gt;</text></svg>'
    )
    out = inline_svg(svg, label='Alt "text"')
    assert out.startswith('<svg role="img" aria-label="Alt &quot;text&quot;">')
    for gone in ("script", "foreignObject", "onload", "javascript", "http", "<a", "<image", "link"):
        assert gone not in out
    assert '<rect width="1">' in out and 'style="clip-path: url(#c1)"' in out and '<use href="#c1">' in out
    assert '<text x="1">&lt;b&gt;Bjørk &amp; co&lt;/b&gt;</text>' in out
    with pytest.raises(ValueError, match="not an SVG"):
        inline_svg("<html></html>")


def test_print_errors_are_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-browser"))
    with pytest.raises(PrintError, match="none was found at \\$BROWSER_PATH"):
        print_pdf("<p>x</p>")
    failing = tmp_path / "failing"
    failing.write_text("#!/bin/sh\necho 'cannot start' >&2\nexit 1\n")
    failing.chmod(0o755)
    monkeypatch.setenv("BROWSER_PATH", str(failing))
    with pytest.raises(PrintError, match=r"wrote no PDF \(cannot start\)"):
        print_pdf("<p>x</p>")
    slow = tmp_path / "slow"
    slow.write_text("#!/bin/sh\nsleep 30\n")
    slow.chmod(0o755)
    monkeypatch.setenv("BROWSER_PATH", str(slow))
    with pytest.raises(PrintError, match="did not finish within 1 s"):
        print_pdf("<p>x</p>", timeout=1)


def test_missing_browser_is_a_report_error(hand, hand_html, tmp_path, monkeypatch):
    # hand_html has started kaleido's server with the real browser; only printing looks for one now.
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-browser"))
    with pytest.raises(ReportError, match="printing to PDF needs a Chromium browser"):
        case_report_pdf(hand, ALFA, "en")
