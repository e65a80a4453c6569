"""The case profile: the study's "overview of findings" and the data behind each case view.

The findings rules are those of methods.md §5, with every threshold taken from the codebook.
Each finding records the measure and the numbers behind it, so the researcher can check it
and edit the sentence before export.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from samskaping.codebook import Codebook, Measure
from samskaping.instrument import Instrument
from samskaping.scoring import Scores, describe_columns, item_values

__all__ = [
    "FINDING_PARTS",
    "FINDING_ROWS",
    "Finding",
    "all_case_means",
    "case_cells",
    "finding_text",
    "findings",
    "findings_by_case",
    "findings_table",
    "format_number",
    "free_texts",
    "item_distribution",
    "item_summary",
    "leadership_profile",
    "part1_items",
]

FINDING_ROWS = ("proud", "joint", "municipality", "social_enterprise")
FINDING_PARTS = ("part1", "part2", "part3")
SIDES = ("municipality", "social_enterprise")
_PART_OF_FAMILY = {"subindex": "part1", "factor": "part2", "barrier": "part3"}

# Sentence templates per rule. {measure} is the measure's name; numbers are pre-formatted.
_TEMPLATES = {
    "en": {
        "strength": "{measure}: {value} – a strength (n = {n})",
        "above_mean": "{measure}: {value}, {difference} above the all-case mean of {reference} (n = {n})",
        "quartile_1": "{measure}: {value} – lowest quartile of the data set (n = {n})",
        "subindex_high": "{measure}: {value} of 100 (n = {n})",
        "concern": "{measure}: {value} – a concern (n = {n})",
        "quartile_4": "{measure}: {value} – highest quartile of the data set (n = {n})",
        "subindex_low": "{measure}: {value} of 100 (n = {n})",
        "gap": "{measure}: the two sides differ by {difference} (municipality {value_a}, n = {n_a}; "
        "social enterprise {value_b}, n = {n_b})",
        "side_concern": "{measure}: {value} – a concern on this side (n = {n}); the other side {other} (n = {other_n})",
        "side_quartile_4": "{measure}: {value} – highest quartile on this side (n = {n}); "
        "the other side {other} (n = {other_n})",
    },
    "nb": {
        "strength": "{measure}: {value} – en styrke (n = {n})",
        "above_mean": "{measure}: {value}, {difference} over snittet for alle case, {reference} (n = {n})",
        "quartile_1": "{measure}: {value} – laveste kvartil i datasettet (n = {n})",
        "subindex_high": "{measure}: {value} av 100 (n = {n})",
        "concern": "{measure}: {value} – en bekymring (n = {n})",
        "quartile_4": "{measure}: {value} – høyeste kvartil i datasettet (n = {n})",
        "subindex_low": "{measure}: {value} av 100 (n = {n})",
        "gap": "{measure}: sidene skiller seg med {difference} (kommune {value_a}, n = {n_a}; "
        "sosial virksomhet {value_b}, n = {n_b})",
        "side_concern": "{measure}: {value} – en bekymring på denne siden (n = {n}); den andre siden {other} "
        "(n = {other_n})",
        "side_quartile_4": "{measure}: {value} – høyeste kvartil på denne siden (n = {n}); "
        "den andre siden {other} (n = {other_n})",
    },
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One line of the findings overview.

    ``row`` is one of :data:`FINDING_ROWS`, ``part`` one of :data:`FINDING_PARTS`, ``rule``
    a key of the sentence templates. ``value``/``n`` are the case's (or side's) numbers;
    ``reference`` is the all-case mean (``above_mean``); ``other_value``/``other_n`` belong
    to the other side (``gap`` stores municipality in ``value`` and social enterprise in
    ``other_value``).
    """

    row: str
    part: str
    measure: str
    rule: str
    value: float
    n: int
    reference: float | None = None
    other_value: float | None = None
    other_n: int | None = None


def all_case_means(cases: pd.DataFrame) -> pd.Series:
    """Per measure, the unweighted mean of the case means (methods.md §2).

    Hidden cases are left out, so that no hidden value can be derived from the all-case mean;
    NaN where no case is shown.
    """
    visible = cases["mean"].where(~cases["hidden"].astype(bool))
    return visible.groupby(cases["measure"], sort=False).mean().rename("all_case_mean")


def format_number(value: float, scale: str, lang: str) -> str:
    """A mean for display: 2 decimals on the 1–5 scale, 1 on 0–100; decimal comma in Norwegian."""
    if value is None or pd.isna(value):
        return "–"
    text = f"{value:.2f}" if scale == "likert5" else f"{value:.1f}"
    return text.replace(".", ",") if lang == "nb" else text


def findings(case: str, scores: Scores, codebook: Codebook) -> tuple[Finding, ...]:
    """All findings of one case by the rules of methods.md §5.

    - proud of: factors in band strength or at least ``clearly_from_mean`` above the all-case
      mean; barriers in quartile 1; sub-indices ≥ ``subindex_proud``;
    - joint tips: factors in band concern; barriers in quartile 4; sub-indices ≤
      ``subindex_tip``; a gap between the two sides of ≥ ``large_gap_likert`` (1–5 scale) or
      ≥ ``large_gap_index`` (0–100 and 1–100 scales) where both sides are shown;
    - tips for one side: a factor in band concern or a barrier in quartile 4 for that side,
      while the other side does not meet the same rule (both sides shown).

    Hidden cells (n < k, or hidden by secondary suppression) give no finding.
    """
    cells = scores.cases[(scores.cases["case"] == case) & ~scores.cases["hidden"]]
    sides = scores.sides[(scores.sides["case"] == case) & ~scores.sides["hidden"]]
    return _findings(cells, sides, all_case_means(scores.cases), codebook)


def findings_by_case(scores: Scores, codebook: Codebook) -> dict[str, tuple[Finding, ...]]:
    """:func:`findings` of every case (in sorted order), the tables split by case once.

    The same findings as calling :func:`findings` per case, in time linear in the number of cases.
    """
    reference = all_case_means(scores.cases)
    cells = scores.cases[~scores.cases["hidden"]]
    sides = scores.sides[~scores.sides["hidden"]]
    cells_of = dict(tuple(cells.groupby("case", sort=False)))
    sides_of = dict(tuple(sides.groupby("case", sort=False)))
    empty_cells, empty_sides = cells.iloc[:0], sides.iloc[:0]
    return {
        case: _findings(cells_of.get(case, empty_cells), sides_of.get(case, empty_sides), reference, codebook)
        for case in sorted(scores.cases["case"].unique())
    }


def _findings(
    case_cells: pd.DataFrame, case_sides: pd.DataFrame, reference: pd.Series, codebook: Codebook
) -> tuple[Finding, ...]:
    """The findings of one case from its visible case cells and side cells (see :func:`findings`)."""
    t = codebook.thresholds
    cells = case_cells.set_index("measure")
    side_cells = {side: case_sides[case_sides["group"] == side].set_index("measure") for side in SIDES}
    result: list[Finding] = []
    for measure in codebook.measures:
        part = _PART_OF_FAMILY.get(measure.family)
        if part is None:
            continue
        if measure.id in cells.index:
            cell = cells.loc[measure.id]
            result.extend(_case_findings(measure, part, cell, reference.get(measure.id), codebook))
        a, b = (side_cells[s].loc[measure.id] if measure.id in side_cells[s].index else None for s in SIDES)
        if a is None or b is None:
            continue
        gap_threshold = t.large_gap_likert if measure.scale == "likert5" else t.large_gap_index
        if abs(a["mean"] - b["mean"]) >= gap_threshold:
            result.append(
                Finding(
                    "joint", part, measure.id, "gap", a["mean"], int(a["n"]), other_value=b["mean"], other_n=int(b["n"])
                )
            )
        result.extend(_side_findings(measure, part, a, b))
    order = {row: i for i, row in enumerate(FINDING_ROWS)}
    return tuple(sorted(result, key=lambda f: (order[f.row], FINDING_PARTS.index(f.part))))


def _case_findings(
    measure: Measure, part: str, cell: pd.Series, reference: float | None, codebook: Codebook
) -> list[Finding]:
    t = codebook.thresholds
    mean, n = float(cell["mean"]), int(cell["n"])
    out: list[Finding] = []
    if measure.family == "factor":
        if cell["band"] == "strength":
            out.append(Finding("proud", part, measure.id, "strength", mean, n))
        elif reference is not None and not np.isnan(reference) and mean >= reference + t.clearly_from_mean:
            out.append(Finding("proud", part, measure.id, "above_mean", mean, n, reference=float(reference)))
        if cell["band"] == "concern":
            out.append(Finding("joint", part, measure.id, "concern", mean, n))
    elif measure.family == "barrier":
        if cell["quartile"] == 1:
            out.append(Finding("proud", part, measure.id, "quartile_1", mean, n))
        if cell["quartile"] == 4:
            out.append(Finding("joint", part, measure.id, "quartile_4", mean, n))
    elif measure.family == "subindex":
        if mean >= t.subindex_proud:
            out.append(Finding("proud", part, measure.id, "subindex_high", mean, n))
        if mean <= t.subindex_tip:
            out.append(Finding("joint", part, measure.id, "subindex_low", mean, n))
    return out


def _side_findings(measure: Measure, part: str, a: pd.Series, b: pd.Series) -> list[Finding]:
    if measure.family == "factor":
        rule, meets = "side_concern", (a["band"] == "concern", b["band"] == "concern")
    elif measure.family == "barrier":
        rule, meets = "side_quartile_4", (a["quartile"] == 4, b["quartile"] == 4)
    else:
        return []
    out = []
    for side, this, other, this_meets, other_meets in ((SIDES[0], a, b, *meets), (SIDES[1], b, a, *meets[::-1])):
        if bool(this_meets) and not bool(other_meets):
            out.append(
                Finding(
                    side,
                    part,
                    measure.id,
                    rule,
                    float(this["mean"]),
                    int(this["n"]),
                    other_value=float(other["mean"]),
                    other_n=int(other["n"]),
                )
            )
    return out


def finding_text(finding: Finding, codebook: Codebook, lang: str) -> str:
    """The sentence for a finding, naming its measure and numbers, in ``lang`` (en or nb)."""
    measure = codebook.measure(finding.measure)
    fmt = lambda v: format_number(v, measure.scale, lang)  # noqa: E731 - local shorthand
    difference = None
    if finding.rule == "above_mean":
        difference = finding.value - (finding.reference or 0.0)
    elif finding.rule == "gap":
        difference = abs(finding.value - (finding.other_value or 0.0))
    return _TEMPLATES["nb" if lang == "nb" else "en"][finding.rule].format(
        measure=measure.name.get(lang),
        value=fmt(finding.value),
        n=finding.n,
        reference=fmt(finding.reference),
        difference=fmt(difference),
        value_a=fmt(finding.value),
        n_a=finding.n,
        value_b=fmt(finding.other_value),
        n_b=finding.other_n,
        other=fmt(finding.other_value),
        other_n=finding.other_n,
    )


def findings_table(found: tuple[Finding, ...], codebook: Codebook, lang: str) -> pd.DataFrame:
    """Findings as rows × parts of text (lines joined by newlines), like the study's table."""
    table = pd.DataFrame("", index=list(FINDING_ROWS), columns=list(FINDING_PARTS))
    for finding in found:
        line = finding_text(finding, codebook, lang)
        current = table.loc[finding.row, finding.part]
        table.loc[finding.row, finding.part] = f"{current}\n{line}" if current else line
    return table


def item_distribution(
    data: pd.DataFrame, case: str, item_ids: tuple[str, ...] | list[str], instrument: Instrument, *, k: int
) -> pd.DataFrame:
    """Answer counts per item for one case, with the share of 3s and of blanks.

    Returns one row per item: ``item``, ``n`` (respondents in the case), one column per code
    (``1`` … ``5`` or the choice options), ``blank``, ``share_3`` (1–5 items) and
    ``share_blank``. Counts are raw; :func:`samskaping.anonymity.mask_counts` hides those
    below k before display. An empty frame when the case has fewer than k respondents.
    """
    rows = data[data["case"] == case]
    if len(rows) < k:
        return pd.DataFrame()
    out = []
    for item_id in item_ids:
        fmt = instrument.format_of(item_id)
        codes = sorted(fmt.labels) if fmt.kind == "choice" else list(range(int(fmt.minimum), int(fmt.maximum) + 1))
        values = rows[item_id]
        counts = values.value_counts()
        record: dict[str, object] = {"item": item_id, "n": len(rows)}
        record.update({str(code): int(counts.get(float(code), 0)) for code in codes})
        record["blank"] = int(values.isna().sum())
        if fmt.not_applicable_code is not None:
            record["share_3"] = record[str(fmt.not_applicable_code)] / len(rows)
        record["share_blank"] = record["blank"] / len(rows)
        out.append(record)
    return pd.DataFrame(out)


def free_texts(data: pd.DataFrame, case: str, instrument: Instrument, *, k: int) -> pd.DataFrame:
    """The case's free-text answers (methods.md §7): only with ≥ k respondents, no ids, stable shuffled order.

    Returns columns ``item`` and ``text``. The order is shuffled with a seed derived from the
    case name, so it is the same every time but does not follow the respondent order.
    """
    rows = data[data["case"] == case]
    if len(rows) < k:
        return pd.DataFrame(columns=["item", "text"])
    # Format "text" is the free-text questions; Q1 (format "partner") names the organisation, so it stays out.
    text_items = [i.id for i in instrument.items if i.format == "text"]
    long = rows[text_items].melt(var_name="item", value_name="text").dropna(subset=["text"])
    long = long[long["text"].astype("str").str.strip() != ""]
    rng = np.random.default_rng(zlib.crc32(case.encode("utf-8")))
    shuffled = long.iloc[rng.permutation(len(long))]
    return shuffled.sort_values("item", kind="stable").reset_index(drop=True)


def leadership_profile(
    data: pd.DataFrame, case: str, instrument: Instrument, codebook: Codebook, *, k: int, three_as_missing: bool = False
) -> pd.DataFrame:
    """The case's means on the leadership-profile items (Q66–Q69 by default), anonymity applied.

    Descriptive, not a score: the four items describe leadership orientations (codebook.md).
    Columns: ``item``, ``n``, ``mean``, ``median``, ``min``, ``max``, ``hidden``.
    """
    items = [item for item, _ in codebook.leadership_profile]
    return item_summary(data, case, items, instrument, codebook, k=k, three_as_missing=three_as_missing)


def item_summary(
    data: pd.DataFrame,
    case: str,
    item_ids: list[str],
    instrument: Instrument,
    codebook: Codebook,
    *,
    k: int,
    three_as_missing: bool = False,
) -> pd.DataFrame:
    """n, mean and median of single items for one case, anonymity applied (cells with n < k hidden)."""
    values = item_values(data[data["case"] == case], instrument, three_as_missing=three_as_missing)[item_ids]
    values = values.assign(case=case)
    table = describe_columns(values, "case", item_ids, k=k, min_max_n=codebook.thresholds.min_max_n)
    return table.rename(columns={"measure": "item"}).drop(columns="case")


def part1_items(codebook: Codebook, instrument: Instrument) -> tuple[list[str], list[str]]:
    """Part 1's items for the case profile: the choice items of the continuum (duration,
    contact, informal contact) and the 1–5 items on who designs and who delivers (the
    sub-indices' scale items plus the codebook's profile items), in questionnaire order.
    """
    used = {i for m in codebook.family("subindex") for i in m.item_ids} | set(codebook.profile_items)
    ordered = [i for i in instrument.item_ids if i in used]
    choices = [i for i in ordered if instrument.format_of(i).kind == "choice"]
    return choices, [i for i in ordered if i not in choices]


def case_cells(table: pd.DataFrame, case: str, codebook: Codebook, *, scale: str | None = None) -> pd.DataFrame:
    """The rows of a case (or case × side) summary table for one case, optionally of one scale only."""
    rows = table[table["case"] == case]
    if scale is not None:
        rows = rows[rows["measure"].isin([m.id for m in codebook.measures if m.scale == scale])]
    return rows
