"""The study workbook: every shareable result of a data set in one xlsx file, formatted for reading.

Sheets (stable English names; headers are the ids of the CSV outputs): Cases, Groups, Sides,
Comparison, Kruskal-Wallis, Perception gaps, Continuum, Findings, Free text, Notes, Codebook,
Reliability, Settings (with the methods paragraph) and Exclusions. These are shareable
(methods.md §7): a hidden cell shows "hidden, n < k" instead of a number, findings and free text
come only from cases with at least k respondents. "Respondents" and "Cleaned data" hold
respondent-level data and are added only on request, labelled researcher-only.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pandas as pd
from openpyxl import Workbook

from samskaping.compare import GAP_COLUMNS, Comparison, compare, grouping_options, perception_gaps
from samskaping.continuum import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, POSITION_COLUMNS, positions
from samskaping.errors import SamskapingError
from samskaping.importing import _role as column_role
from samskaping.methods_text import LANGUAGES
from samskaping.profiles import free_texts
from samskaping.reliability import reliability
from samskaping.report_context import ReportContext
from samskaping.report_settings import settings_table
from samskaping.xlsx_tables import write_table

__all__ = ["RESEARCHER_SHEETS", "SHAREABLE_SHEETS", "hidden_text", "study_workbook"]

SHAREABLE_SHEETS = (
    "Cases", "Groups", "Sides", "Comparison", "Kruskal-Wallis", "Perception gaps", "Continuum", "Findings",
    "Free text", "Notes", "Codebook", "Reliability", "Settings", "Exclusions",
)  # fmt: skip
RESEARCHER_SHEETS = ("Respondents", "Cleaned data")

_TEXT = {
    "en": {
        "hidden": "hidden, n < {k}",
        "none": "none",
        "kruskal_na": "only for more than two groups",
        "no_comparison": "fewer than two groups: nothing to compare",
        "researcher_only": "RESEARCHER-ONLY: respondent-level data (methods.md §7). Do not share or publish.",
    },
    "nb": {
        "hidden": "skjult, n < {k}",
        "none": "ingen",
        "kruskal_na": "bare for mer enn to grupper",
        "no_comparison": "færre enn to grupper: ingenting å sammenligne",
        "researcher_only": "BARE FOR FORSKEREN: data på respondentnivå (methods.md §7). "
        "Skal ikke deles eller publiseres.",
    },
}
_COMPARISON_KEYS = ("measure", "family", "group_a", "group_b", "n_a", "n_b", "hidden")
_SUMMARY_STATISTICS = ("mean", "median", "min", "max")


@dataclass
class _Sheet:
    """A table and how to write it (see :func:`samskaping.xlsx_tables.write_table`)."""

    frame: pd.DataFrame
    title: str | None = None
    empty_text: str | None = None
    freeze_first_column: bool = True
    wrap: tuple[str, ...] = ()
    formats: dict[str, str] = field(default_factory=dict)


def hidden_text(k: int, lang: str) -> str:
    """The text a hidden cell shows: "hidden, n < k" (en) or "skjult, n < k" (nb), with k filled in."""
    return _TEXT[lang]["hidden"].format(k=k)


def study_workbook(
    context: ReportContext, *, lang: str = "en", include_respondents: bool = False, compare_by: str = "group"
) -> bytes:
    """The study workbook of ``context`` as xlsx bytes.

    Parameters
    ----------
    context : ReportContext
        The scored data set and the researcher's decisions.
    lang : str
        Language of names, findings, labels and the methods paragraph: ``en`` or ``nb``.
    include_respondents : bool
        Add the researcher-only sheets "Respondents" (every measure per respondent) and
        "Cleaned data" (the validated answers), each labelled as respondent-level data.
    compare_by : str
        The grouping column of the Comparison sheet (see :func:`samskaping.compare.grouping_options`).

    Raises
    ------
    SamskapingError
        For an unknown language or grouping column, or a data set without respondents.
    """
    if lang not in LANGUAGES:
        raise SamskapingError(f"language must be one of {', '.join(LANGUAGES)}, got '{lang}'")
    data = context.validated.data
    if data.empty:
        raise SamskapingError("no respondents are left in the data (after exclusions); nothing to report")
    choices = grouping_options(data)
    if compare_by not in choices:
        raise SamskapingError(f"'{compare_by}' is not a grouping column; choose from {', '.join(choices)}")
    comparison = compare(context.scores, data, context.codebook, compare_by)
    sheets = _shareable_sheets(context, lang, comparison)
    sheets["Settings"] = _Sheet(
        settings_table(
            context, lang=lang, compare_by=compare_by, comparison=comparison, include_respondents=include_respondents
        ),
        wrap=("value",),
        formats={"value": "General"},
    )
    sheets["Exclusions"] = _Sheet(context.exclusions.reset_index(drop=True), empty_text=_TEXT[lang]["none"])
    if include_respondents:
        title = _TEXT[lang]["researcher_only"]
        sheets["Respondents"] = _Sheet(context.scores.respondents.reset_index(drop=True), title=title)
        sheets["Cleaned data"] = _Sheet(_cleaned_data(data), title=title)
    book = Workbook()
    book.remove(book.active)
    book.properties.creator = f"samskaping {context.version}"
    for name in (*SHAREABLE_SHEETS, *(RESEARCHER_SHEETS if include_respondents else ())):
        sheet = sheets[name]
        write_table(
            book.create_sheet(name),
            sheet.frame,
            title=sheet.title,
            empty_text=sheet.empty_text,
            freeze_first_column=sheet.freeze_first_column,
            wrap=sheet.wrap,
            formats=sheet.formats,
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _shareable_sheets(context: ReportContext, lang: str, comparison: Comparison) -> dict[str, _Sheet]:
    """Every shareable sheet but Settings and Exclusions, anonymity applied."""
    texts, codebook, scores = _TEXT[lang], context.codebook, context.scores
    label = hidden_text(context.k, lang)
    subindices = [m.id for m in codebook.family("subindex")]
    gaps = perception_gaps(scores, codebook)[list(GAP_COLUMNS)]
    continuum = positions(
        scores, codebook, placements=dict(context.placements), resamples=BOOTSTRAP_RESAMPLES, seed=BOOTSTRAP_SEED
    )[list(POSITION_COLUMNS)]
    kruskal = comparison.kruskal if len(comparison.groups) > 2 else comparison.kruskal.iloc[0:0]
    three = scores.three_as_missing
    return {
        "Cases": _Sheet(_summary(scores.cases, context, label)),
        "Groups": _Sheet(_summary(scores.groups, context, label)),
        "Sides": _Sheet(_summary(scores.sides, context, label)),
        "Comparison": _Sheet(_comparison_table(comparison, label), empty_text=texts["no_comparison"]),
        "Kruskal-Wallis": _Sheet(_label_hidden(kruskal, ("h", "p", "p_method"), label), empty_text=texts["kruskal_na"]),
        "Perception gaps": _Sheet(_label_hidden(gaps, ("mean_mun", "mean_se", "gap"), label)),
        "Continuum": _Sheet(
            _label_hidden(continuum, ("thickness", "low", "high", *subindices), label), wrap=("rationale",)
        ),
        "Findings": _Sheet(_findings(context, lang), empty_text=texts["none"], wrap=("text",)),
        "Free text": _Sheet(_free_text(context, lang), empty_text=texts["none"], wrap=("text",)),
        "Notes": _Sheet(_notes(context), empty_text=texts["none"], wrap=("note",)),
        "Codebook": _Sheet(_codebook_table(context, lang), wrap=("judgement",)),
        "Reliability": _Sheet(
            reliability(context.validated.data, context.instrument, codebook, three_as_missing=three)
        ),
    }


def _label_hidden(
    frame: pd.DataFrame, columns: tuple[str, ...] | list[str], label: str, rows: pd.Series | None = None
) -> pd.DataFrame:
    """``frame`` with ``label`` in the blank ``columns`` of its hidden rows (and of ``rows`` only, if given)."""
    out = frame.copy()
    hidden = out["hidden"].astype(bool) if "hidden" in out else pd.Series(False, index=out.index)
    if rows is not None:
        hidden &= rows
    for column in columns:
        if column not in out:
            continue
        blank = hidden & out[column].isna()
        if blank.any():
            out[column] = out[column].astype("object")
            out.loc[blank, column] = label
    return out


def _summary(table: pd.DataFrame, context: ReportContext, label: str) -> pd.DataFrame:
    """A case, group or side summary with its hidden cells labelled; band and quartile where they apply."""
    families = table["measure"].map({m.id: m.family for m in context.codebook.measures})
    out = _label_hidden(table, _SUMMARY_STATISTICS, label)
    out = _label_hidden(out, ("band",), label, rows=families.isin(["factor", "category"]))
    return _label_hidden(out, ("quartile",), label, rows=families == "barrier").reset_index(drop=True)


def _comparison_table(comparison: Comparison, label: str) -> pd.DataFrame:
    """The comparison with the columns of the compare command's comparison.csv, hidden pairs labelled."""
    from samskaping.cli import COMPARISON_CSV_COLUMNS  # the CLI owns the CSV layout; imported here, not at load

    table = comparison.table
    extra = [c for c in table.columns if c not in COMPARISON_CSV_COLUMNS]
    table = table[[*COMPARISON_CSV_COLUMNS, *extra]]
    statistics = [c for c in table.columns if c not in _COMPARISON_KEYS]
    return _label_hidden(table, statistics, label).reset_index(drop=True)


def _findings(context: ReportContext, lang: str) -> pd.DataFrame:
    """Each shown case's findings overview, one line per row: case, row, part, text (none for n < k)."""
    sizes = context.validated.data["case"].value_counts()
    rows = []
    for case in context.cases:
        if int(sizes.get(case, 0)) < context.k:
            continue
        table = context.findings(case, lang)
        for row in table.index:
            for part in table.columns:
                cell = table.loc[row, part]
                text = "" if cell is None or (isinstance(cell, float) and pd.isna(cell)) else str(cell)
                rows.extend(
                    {"case": case, "row": str(row), "part": str(part), "text": line}
                    for line in text.splitlines()
                    if line.strip()
                )
    return pd.DataFrame(rows, columns=["case", "row", "part", "text"])


def _free_text(context: ReportContext, lang: str) -> pd.DataFrame:
    """Free-text answers per case by methods.md §7: cases with ≥ k respondents only, no ids, stable shuffle."""
    frames = []
    for case in context.cases:
        texts = free_texts(context.validated.data, case, context.instrument, k=context.k)
        if texts.empty:
            continue
        question = texts["item"].map(lambda item: context.instrument.item(item).text.get(lang))
        frames.append(pd.DataFrame({"case": case, "item": texts["item"], "question": question, "text": texts["text"]}))
    columns = ["case", "item", "question", "text"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


def _notes(context: ReportContext) -> pd.DataFrame:
    """The researcher's case notes, by case."""
    rows = [{"case": case, "note": note} for case, note in sorted(context.notes.items()) if str(note).strip()]
    return pd.DataFrame(rows, columns=["case", "note"])


def _codebook_table(context: ReportContext, lang: str) -> pd.DataFrame:
    """One row per measure: id, family, name, scale, parent, components, items, reversed items, weight, judgement."""
    rows = []
    for measure in context.codebook.measures:
        option_scores = ", ".join(f"{code}: {score:g}" for code, score in sorted(measure.option_scores.items()))
        rows.append(
            {
                "id": measure.id,
                "family": measure.family,
                "name": measure.name.get(lang),
                "scale": measure.scale,
                "parent": measure.parent or "",
                "components": " ".join(measure.components),
                "items": " ".join(measure.item_ids),
                "reversed_items": " ".join(ref.item for ref in measure.items if ref.reverse),
                "option_scores": option_scores,
                "weight": measure.weight,
                "judgement": measure.judgement or "",
            }
        )
    return pd.DataFrame(rows)


def _cleaned_data(data: pd.DataFrame) -> pd.DataFrame:
    """The validated answers without any column that could identify a respondent (e-mail, name, IP …).

    Identifying columns are set aside on import already; an ``attr_`` column named like one
    (``attr_email``) is left out here as well.
    """
    keep = [c for c in data.columns if not (str(c).startswith("attr_") and column_role(str(c)[5:]) == "identifying")]
    return data[keep].reset_index(drop=True)
