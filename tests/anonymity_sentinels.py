"""The planted survey of the anonymity audit (methods.md §7) and the search for its sentinels.

Shared by tests/test_anonymity_audit.py (exports) and tests/app/test_anonymity_audit_pages.py
(pages). The golden survey (../shared/fixtures/golden/survey.csv) is changed so that

* Case B has 3 municipality and 2 social-enterprise respondents (R014 moves to Case A): at
  k = 3 its social-enterprise side is hidden (primary) and its municipality side must be hidden
  too (secondary suppression), while the Case B total (n = 5) is shown;
* the two social-enterprise respondents of Case B give the ``search`` barrier the side mean
  13.37 and the ``shared_stake`` factor the side mean 7/6, and the three municipality
  respondents give means that follow by subtraction from the case total (sentinels too);
* an identifying column ``E-mail`` holds a unique address for every respondent, one of them
  ``sentinel.quokka@example.org``;
* Case D (2 respondents, under k) has a free-text answer ``FREETEXT-SENTINEL-WOMBAT``;
* the respondent ids of Case B's social-enterprise side are ``SENTINEL-ID-15`` / ``-16``
  (ids are researcher-only: no shareable output names a respondent).

Each sentinel's value is worked out by hand below from the answers planted.
"""

from __future__ import annotations

import io
import math
import re
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd

PLANTED_CASE = "Case B"
SMALL_CASE = "Case D"
EMAIL = "sentinel.quokka@example.org"
EMAIL_DOMAIN = "@example.org"
FREE_TEXT = "FREETEXT-SENTINEL-WOMBAT"
SE_IDS = ("SENTINEL-ID-15", "SENTINEL-ID-16")
# Texts that no shareable output may hold (case-insensitive). "sentinel" covers the e-mail, the
# free text and the ids at once; the e-mail domain covers every respondent's address.
TEXT_SENTINELS = ("sentinel", EMAIL_DOMAIN, "quokka", "wombat")


@dataclass(frozen=True)
class Sentinel:
    """A hidden mean: what it is, its exact value and the decimals searched for."""

    what: str
    measure: str
    value: float
    decimals: tuple[int, ...]  # every rounding searched for, with a decimal point or a comma

    def forms(self) -> list[str]:
        """The value as text at each rounding searched for, and at full precision."""
        return [*(f"{self.value:.{d}f}" for d in self.decimals), repr(self.value)]

    def pattern(self) -> re.Pattern[str]:
        """Any of the text forms, with a decimal point or a comma, not inside a longer number."""
        alternatives = []
        for form in self.forms():
            whole, fraction = form.split(".")
            alternatives.append(rf"{re.escape(whole)}[.,]{re.escape(fraction)}")
        return re.compile(rf"(?<![\d.,])(?:{'|'.join(alternatives)})(?![\d])")

    def matches_number(self, number: float) -> bool:
        """True when a number equals the sentinel or rounds to one of its searched forms."""
        if math.isclose(number, self.value, rel_tol=1e-9, abs_tol=1e-9):
            return True
        return any(f"{number:.{d}f}" == f"{self.value:.{d}f}" for d in self.decimals)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


# search = mean of Q76–Q78 (1–100 scale, decimals allowed), shown with 1 decimal.
_SEARCH = {
    "SENTINEL-ID-15": 11.11,  # 11.11 on all three items -> 11.11
    "SENTINEL-ID-16": 15.63,  # 15.63 -> 15.63
    "R011": 83.37,
    "R012": 90.11,
    "R013": 71.29,
}
# shared_stake = mean of Q47–Q49 (1–5), shown with 2 decimals.
_SHARED_STAKE = {
    "SENTINEL-ID-15": ("1", "1", "2"),  # 4/3
    "SENTINEL-ID-16": ("1", "1", "1"),  # 1
    "R011": ("5", "5", "4"),  # 14/3
    "R012": ("5", "5", "4"),  # 14/3
    "R013": ("5", "4", "4"),  # 13/3
}

SENTINELS = (
    # (11.11 + 15.63) / 2 = 26.74 / 2 = 13.37: shown as 13.4 / 13,4, searched at 1, 2 and 3 decimals.
    Sentinel("Case B social enterprise search", "search", _mean([11.11, 15.63]), (1, 2, 3)),
    # (83.37 + 90.11 + 71.29) / 3 = 244.77 / 3 = 81.59 (secondary suppression).
    Sentinel("Case B municipality search", "search", _mean([83.37, 90.11, 71.29]), (1, 2, 3)),
    # (4/3 + 1) / 2 = 7/6 = 1.1666…: 1.17 / 1.167 (one decimal, 1.2, is far too common to search).
    Sentinel("Case B social enterprise shared_stake", "shared_stake", _mean([4 / 3, 1.0]), (2, 3)),
    # (14/3 + 14/3 + 13/3) / 3 = 41/9 = 4.5555…: 4.56 / 4.556 (secondary suppression).
    Sentinel("Case B municipality shared_stake", "shared_stake", _mean([14 / 3, 14 / 3, 13 / 3]), (2, 3)),
)


def planted_survey(golden: pd.DataFrame) -> pd.DataFrame:
    """The golden survey (read as text) with the sentinels of this module planted."""
    survey = golden.copy()
    ids = {"R015": SE_IDS[0], "R016": SE_IDS[1]}
    survey["respondent_id"] = survey["respondent_id"].replace(ids)
    rows = {rid: survey.index[survey["respondent_id"] == rid][0] for rid in survey["respondent_id"]}
    survey.loc[rows["R014"], "case"] = "Case A"
    sides = survey.loc[survey["case"] == PLANTED_CASE, "group"].value_counts().to_dict()
    assert sides == {"municipality": 3, "social_enterprise": 2}
    assert (survey["case"] == SMALL_CASE).sum() == 2
    for respondent, value in _SEARCH.items():
        for item in ("q76", "q77", "q78"):
            survey.loc[rows[respondent], item] = f"{value}"
    for respondent, answers in _SHARED_STAKE.items():
        for item, answer in zip(("q47", "q48", "q49"), answers, strict=True):
            survey.loc[rows[respondent], item] = answer
    small = survey.index[survey["case"] == SMALL_CASE][0]
    survey.loc[small, "q82"] = f"We disagree about everything ({FREE_TEXT})."
    emails = [f"person{i:02d}{EMAIL_DOMAIN}" for i in range(len(survey))]
    emails[rows[SE_IDS[0]]] = EMAIL
    survey.insert(1, "E-mail", emails)
    return survey


def text_leaks(where: str, text: str) -> list[str]:
    """Every sentinel (text or number form) found in ``text``, with a little context."""
    found = []
    text = text.replace("\\", "")  # Markdown escapes (ui.safe.md) must not hide a sentinel
    lowered = text.casefold()
    for word in TEXT_SENTINELS:
        start = lowered.find(word.casefold())
        if start >= 0:
            found.append(f"{where}: {word!r} in …{text[max(0, start - 40) : start + 40]!r}…")
    for sentinel in SENTINELS:
        for match in sentinel.pattern().finditer(text):
            context = text[max(0, match.start() - 40) : match.end() + 40]
            found.append(f"{where}: {sentinel.what} {match.group()!r} in …{context!r}…")
    return found


def number_leaks(where: str, numbers, measure: str | None = None) -> list[str]:
    """Every sentinel that a number of ``numbers`` equals or rounds to.

    ``measure``: the measure of the row the numbers were read from, when the table says; a number
    in another measure's row is not that measure's mean (IQRs and SDs of other measures can round
    to the same digits by chance), so only the sentinels of ``measure`` are looked for there.
    """
    found = []
    for number in numbers:
        for sentinel in SENTINELS:
            if measure is not None and sentinel.measure != measure:
                continue
            if sentinel.matches_number(float(number)):
                found.append(f"{where}: {sentinel.what} as the number {number!r}")
    return found


def secondary_suppression_problems(sides: pd.DataFrame, k: int) -> list[str]:
    """Totals (a case's sides, per measure) whose hidden sides could be recovered by subtraction.

    ``sides`` has ``case``, ``group``, ``measure``, ``n`` and ``hidden``. Where a case has a
    hidden side with respondents, at least two sides must be hidden and hold at least k
    respondents together (or every side is hidden), else the case total minus the shown sides
    gives the hidden one (methods.md §7).
    """
    problems = []
    for (case, measure), cells in sides.groupby(["case", "measure"]):
        hidden = cells[cells["hidden"].astype(bool) & (cells["n"] > 0)]
        if hidden.empty or cells["hidden"].astype(bool).all():
            continue
        if len(hidden) < 2 or hidden["n"].sum() < k:
            problems.append(f"{case} / {measure}: hidden sides {hidden['group'].tolist()} (n {hidden['n'].tolist()})")
    return problems


# SVG geometry: coordinates are not shown numbers, and can equal a sentinel's digits by chance.
_GEOMETRY = re.compile(r'\s(?:d|points|transform|x|y|x1|x2|y1|y2|cx|cy|r|width|height|viewBox)="[^"]*"')
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL)


@dataclass
class Found:
    """Texts and numbers read from outputs, each with where it was found (and the row's measure)."""

    texts: list[tuple[str, str]] = field(default_factory=list)
    numbers: list[tuple[str, float, str | None]] = field(default_factory=list)

    def leaks(self) -> list[str]:
        """Every sentinel found, in any text or as any number."""
        found = [leak for where, text in self.texts for leak in text_leaks(where, text)]
        for where, number, measure in self.numbers:
            found += number_leaks(where, [number], measure)
        return found

    def text(self) -> str:
        return "\n".join(text for _, text in self.texts)

    def add_csv(self, content: bytes, where: str) -> None:
        """A CSV file: its whole text, and every number of a numeric column with its row's measure."""
        self.texts.append((where, content.decode("utf-8-sig")))
        frame = pd.read_csv(io.BytesIO(content))
        measures = frame["measure"] if "measure" in frame else pd.Series([None] * len(frame))
        for column in frame.columns:
            if pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column]):
                for value, measure in zip(frame[column], measures, strict=True):
                    if pd.notna(value):
                        self.numbers.append((f"{where} [{column}]", float(value), measure))

    def add_workbook(self, content: bytes, where: str) -> list[str]:
        """Every cell of every sheet, as stored (formulas would stay text); returns the sheet names."""
        book = openpyxl.load_workbook(io.BytesIO(content))
        for sheet in book.worksheets:
            self.texts.append((f"{where} sheet name", sheet.title))
            measure_column = None
            for row in sheet.iter_rows():
                if measure_column is None:
                    measure_column = next((c.column for c in row if c.value == "measure"), None)
                measure = row[measure_column - 1].value if measure_column and len(row) >= measure_column else None
                for cell in row:
                    place = f"{where} {sheet.title}!{cell.coordinate}"
                    if isinstance(cell.value, bool) or cell.value is None:
                        continue
                    if isinstance(cell.value, int | float):
                        self.numbers.append((place, float(cell.value), measure))
                    else:
                        self.texts.append((place, str(cell.value)))
        return book.sheetnames

    def add_html(self, html: str, where: str) -> None:
        """An HTML or SVG export: its text without SVG geometry and without an embedded plotly.js.

        The library is one script of megabytes; the figure's own data is a short Plotly.newPlot call,
        which stays.
        """
        shown = _SCRIPT.sub(lambda m: m.group(0) if len(m.group(0)) < 500_000 else "<script></script>", html)
        assert len(shown) < 500_000, where
        self.texts.append((where, _GEOMETRY.sub(" ", shown)))

    def add_pdf(self, content: bytes, where: str) -> None:
        """A PDF's text, by pdftotext (poppler-utils)."""
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "file.pdf"
            path.write_bytes(content)
            done = subprocess.run(
                ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, timeout=120
            )
        self.texts.append((where, done.stdout.decode("utf-8")))

    def add_file(self, name: str, content: bytes, where: str) -> None:
        """Any export by its file name: csv, xlsx, html, svg, pdf, zip (each member), text; PNG cannot be searched."""
        suffix = Path(name).suffix.lower()
        self.texts.append((f"{where} file name", name))
        if suffix == ".csv":
            self.add_csv(content, where)
        elif suffix == ".xlsx":
            self.add_workbook(content, where)
        elif suffix in (".html", ".svg"):
            self.add_html(content.decode("utf-8"), where)
        elif suffix == ".pdf":
            self.add_pdf(content, where)
        elif suffix == ".zip":
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                for member in archive.namelist():
                    self.add_file(member, archive.read(member), f"{where}/{member}")
        elif suffix == ".png":
            raise ValueError(f"{where}: a PNG is pixels and cannot be searched for text")
        else:
            self.texts.append((where, content.decode("utf-8")))
