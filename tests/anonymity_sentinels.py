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

import math
import re
from dataclasses import dataclass

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
