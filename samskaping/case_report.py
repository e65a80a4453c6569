"""The per-case report: the printable case profile handed to each case (HTML or PDF, English or Norwegian).

What a case sees on the dashboard's case profile page, as one self-contained page: the findings
overview as the researcher edited it (methods.md §5), the factor and barrier charts against the
all-case mean with their text alternatives, the case on the thin ↔ thick continuum (§9), its two
sides, its free text (§7), the researcher's notes, the list of exclusions and the settings.
Anonymity (§7) as everywhere: a case with fewer than k respondents gets a report that says it
is hidden and shows no statistic; a side under k (and the other side, by secondary suppression)
shows "hidden, n < k".

Every text that comes from a person (case names, findings lines, notes, free text, exclusion
reasons, the source name) goes through Jinja2's autoescaping, so it can never become markup;
figures are kaleido SVG rebuilt from an allow-list (:func:`samskaping.svg_inline.inline_svg`),
and the page's Content-Security-Policy forbids scripts and any load from outside the file.
PDF is the same page printed by headless Chromium (:mod:`samskaping.html_print`), one start per case.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import jinja2
import pandas as pd

from samskaping.continuum import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, positions
from samskaping.errors import SamskapingError
from samskaping.figure_export import export_figure
from samskaping.figures import Chart, barrier_profile, factor_profile, figure_text
from samskaping.figures_continuum import continuum_caption, continuum_figure
from samskaping.html_print import PrintError, print_pdf
from samskaping.methods_text import methods_paragraph
from samskaping.profiles import FINDING_PARTS, FINDING_ROWS, format_number, free_texts
from samskaping.report_context import ReportContext
from samskaping.svg_inline import inline_svg
from samskaping.workspace import EXCLUSION_COLUMNS

__all__ = [
    "FORMATS",
    "LANGS",
    "METHODS_NAME",
    "ReportError",
    "all_case_reports_zip",
    "case_report_html",
    "case_report_pdf",
    "report_file_names",
    "report_text",
]

LANGS = ("en", "nb")
FORMATS = ("pdf", "html")
WIDTH_MM = 170.0  # the continuum is laid out for this print width (A4 minus margins) and exported at it
# The case charts are laid out like on screen (threshold labels and legend need the room) and scaled to the page.
CHART_WIDTH_MM = 220.0
METHODS_NAME = "methods-{lang}.txt"  # the methods paragraph beside the reports in the zip
_SIDES = ("municipality", "social_enterprise", "other")
_SIDE_FAMILIES = ("factor", "category", "barrier", "subindex", "thickness")

# Every text of the report: key -> (English, Norwegian bokmål).
_LABELS: dict[str, tuple[str, str]] = {
    "title": ("Case report: {case}", "Caserapport: {case}"),
    "lead": (
        "Overview of findings from the survey on co-creation between the municipality and the social enterprise.",
        "Oversikt over funn fra spørreundersøkelsen om samskaping mellom kommunen og den sosiale virksomheten.",
    ),
    "source": ("Data: {source}", "Data: {source}"),
    "study": ("Study: {workspace}", "Studie: {workspace}"),
    "wave": ("Wave: {wave}", "Runde: {wave}"),
    "collected": ("Collected: {date}", "Samlet inn: {date}"),
    "respondents": (
        "{n} respondents in this case. Results from fewer than {k} respondents are hidden.",
        "{n} respondenter i dette caset. Resultater fra færre enn {k} respondenter skjules.",
    ),
    "synthetic": (
        "Synthetic demo data: fictional cases and organisations, made by the demo generator.",
        "Syntetiske demodata: fiktive case og organisasjoner, laget av demogeneratoren.",
    ),
    "hidden_case": (
        "This case has {n} respondents, fewer than k = {k}: its results are hidden to keep the respondents "
        "anonymous (hidden, n < {k}).",
        "Dette caset har {n} respondenter, færre enn k = {k}: resultatene skjules for å holde respondentene "
        "anonyme (skjult, n < {k}).",
    ),
    "findings": ("Overview of findings", "Oversikt over funn"),
    "findings_note": (
        "Made by the rules of the method (thresholds from the codebook) and reviewed by the researchers; each "
        "line names its measure and numbers.",
        "Laget etter reglene i metoden (terskler fra kodeboken) og gjennomgått av forskerne; hver linje nevner "
        "målet og tallene.",
    ),
    "row_proud": ("What the partners can be proud of", "Hva partnerne kan være stolte av"),
    "row_joint": ("Tips for the case (joint)", "Tips til caset (felles)"),
    "row_municipality": ("Tips for the municipality", "Tips til kommunen"),
    "row_social_enterprise": ("Tips for the social enterprise", "Tips til den sosiale virksomheten"),
    "part1": ("Part 1 – the collaboration", "Del 1 – samarbeidet"),
    "part2": ("Part 2 – success factors", "Del 2 – suksessfaktorer"),
    "part3": ("Part 3 – barriers", "Del 3 – barrierer"),
    "factors": (
        "The {count} success factors against the all-case mean",
        "De {count} suksessfaktorene mot snittet for alle case",
    ),
    "bands": (
        "Wilder bands: {strength} ≥ {high}, {borderline} {low} to < {high}, {concern} < {low}.",
        "Wilder-bånd: {strength} ≥ {high}, {borderline} {low} til < {high}, {concern} < {low}.",
    ),
    "barriers": ("The {count} barriers and their quartiles", "De {count} barrierene og kvartilene deres"),
    "quartiles": (
        "Quartiles are relative to all respondents in this data set; Q1 is the lowest barrier (best), Q4 the highest.",
        "Kvartilene er relative til alle respondentene i datasettet; K1 er lavest barriere (best), K4 høyest.",
    ),
    "figure_text": ("Text alternative: ", "Tekstalternativ: "),
    "continuum": (
        "Place on the continuum from thin to thick co-creation",
        "Plass på kontinuumet fra tynn til tykk samskaping",
    ),
    "computed": (
        "Computed position: {value} of 100 (95 % interval {low}–{high}; n = {n}).",
        "Beregnet posisjon: {value} av 100 (95 %-intervall {low}–{high}; n = {n}).",
    ),
    "computed_hidden": (
        "Computed position: hidden, n < {k} (n = {n}).",
        "Beregnet posisjon: skjult, n < {k} (n = {n}).",
    ),
    "placement": ("Researchers' placement: {value} of 100.", "Forskernes plassering: {value} av 100."),
    "placement_outside": (
        "Researchers' placement: outside the continuum.",
        "Forskernes plassering: utenfor kontinuumet.",
    ),
    "rationale": ("Why: {text}", "Begrunnelse: {text}"),
    "sides": ("The two sides of the case", "De to sidene i caset"),
    "side_n": ("{side}: n = {n}", "{side}: n = {n}"),
    "side_small": ("{side}: n = {n} – hidden, n < {k}", "{side}: n = {n} – skjult, n < {k}"),
    "side_secondary": (
        "{side}: n = {n} – hidden too, so the smaller side cannot be worked out from the case mean",
        "{side}: n = {n} – også skjult, så den minste siden ikke kan regnes ut fra snittet for caset",
    ),
    "cell_hidden": ("hidden, n < {k} (n = {n})", "skjult, n < {k} (n = {n})"),
    "cell_secondary": ("hidden (another side n < {k})", "skjult (en annen side n < {k})"),
    "cell_value": ("{value} (n = {n})", "{value} (n = {n})"),
    "sides_note": (
        "A side with fewer than {k} respondents is hidden; then the other side is hidden too (secondary "
        "suppression), so the hidden one cannot be worked out from the case mean.",
        "En side med færre enn {k} respondenter skjules; da skjules også den andre siden (sekundær skjuling), "
        "slik at den skjulte ikke kan regnes ut fra snittet for caset.",
    ),
    "sides_none": ("No measure can be shown per side.", "Ingen mål kan vises per side."),
    "measure": ("Measure", "Mål"),
    "free_text": ("Free-text answers", "Fritekstsvar"),
    "free_text_note": (
        "Shown without respondent ids, in a shuffled order.",
        "Vist uten respondent-id, i tilfeldig rekkefølge.",
    ),
    "free_text_none": ("No free-text answers to show.", "Ingen fritekstsvar å vise."),
    "notes": ("Researchers' notes", "Forskernes notater"),
    "notes_none": ("No notes.", "Ingen notater."),
    "exclusions": ("Left out of the analysis", "Utelatt fra analysen"),
    "exclusions_none": ("Nothing was left out.", "Ingenting ble utelatt."),
    "col_wave": ("Wave", "Runde"),
    "col_kind": ("Kind", "Type"),
    "col_target": ("Left out", "Utelatt"),
    "col_reason": ("Reason", "Begrunnelse"),
    "col_removed": ("Respondents removed", "Respondenter fjernet"),
    "all_waves": ("all waves", "alle runder"),
    "kind_respondent": ("respondent", "respondent"),
    "kind_case": ("case", "case"),
    "footer": (
        "Made with samskaping {version} on {date}. Settings: k = {k}; treat 3 as missing: {three}; codebook: "
        "{codebook}; continuum interval from {resamples} bootstrap resamples (seed {seed}).",
        "Laget med samskaping {version} {date}. Innstillinger: k = {k}; behandle 3 som manglende: {three}; "
        "kodebok: {codebook}; kontinuumintervall fra {resamples} bootstrap-trekninger (frø {seed}).",
    ),
    "yes": ("yes", "ja"),
    "no": ("no", "nei"),
    "codebook_bundled": ("the bundled one", "den medfølgende"),
    "codebook_changed": ("changed by the researchers", "endret av forskerne"),
    "empty": ("–", "–"),
}


# The labels the template uses as they are (the others get fields filled in by the module).
_PAGE_LABELS = (
    "findings", "findings_note", "figure_text", "continuum", "sides", "sides_note", "sides_none", "measure",
    "free_text", "free_text_note", "free_text_none", "notes", "notes_none", "exclusions", "exclusions_none",
    "quartiles", "empty",
)  # fmt: skip


class ReportError(SamskapingError):
    """A case report cannot be made (unknown case, language or format; no browser); one line for the user."""


def report_text(key: str, lang: str, **fields: Any) -> str:
    """A text of the report in ``lang`` (``en`` or ``nb``) with ``fields`` filled in."""
    _check_lang(lang)
    return _LABELS[key][LANGS.index(lang)].format(**fields)


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ReportError(f"unknown language '{lang}': use en or nb")


def _check_case(context: ReportContext, case: str) -> None:
    if case not in context.cases:
        raise ReportError(f"no case '{case}' in the data; the cases are: {', '.join(context.cases) or '(none)'}")


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("samskaping", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass(frozen=True, slots=True)
class _Shared:
    """What every case's report in one language shares: the continuum table, figure and caption."""

    lang: str
    positions: pd.DataFrame
    continuum_svg: str | None  # sanitised by inline_svg: the template inserts it as markup
    continuum_alt: str
    continuum_caption: str


def _shared(context: ReportContext, lang: str) -> _Shared:
    table = positions(context.scores, context.codebook, placements=dict(context.placements),
                      resamples=BOOTSTRAP_RESAMPLES, seed=BOOTSTRAP_SEED)  # fmt: skip
    drawn = table["shown"] != "hidden"
    caption = continuum_caption(table, lang, k=context.k, codebook=context.codebook)
    if not drawn.any():
        return _Shared(lang, table, None, "", caption)
    chart = continuum_figure(table, lang, title="", caption="", k=context.k, codebook=context.codebook,
                             width_mm=WIDTH_MM, seed=BOOTSTRAP_SEED, resamples=BOOTSTRAP_RESAMPLES)  # fmt: skip
    svg = export_figure(chart.figure, "svg", width_mm=WIDTH_MM)
    return _Shared(lang, table, inline_svg(svg, label=chart.alt_text), chart.alt_text, caption)


def _figure(context: ReportContext, case: str, lang: str, draw: Callable[..., Chart]) -> dict[str, Any]:
    """A case chart as inline SVG and its text alternative.

    The figure gets the case name HTML-escaped (plotly reads a few tags in its texts); the text
    alternative keeps it as written (the template escapes it).
    """
    safe = html.escape(case, quote=False)
    cases = context.scores.cases
    cases = cases.assign(case=cases["case"].where(cases["case"] != case, safe))
    chart = draw(cases, safe, context.codebook, lang, k=context.k)
    alt = chart.alt_text.replace(safe, case)
    svg = export_figure(chart.figure, "svg", width_mm=CHART_WIDTH_MM)
    return {"svg": inline_svg(svg, label=alt), "alt": alt}


def _findings(context: ReportContext, case: str, lang: str) -> list[dict[str, Any]]:
    table = context.findings(case, lang).reindex(index=list(FINDING_ROWS), columns=list(FINDING_PARTS))
    rows = []
    for row in FINDING_ROWS:
        cells = []
        for part in FINDING_PARTS:
            value = table.loc[row, part]
            text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
            cells.append([line.strip() for line in text.splitlines() if line.strip()])
        rows.append({"label": report_text(f"row_{row}", lang), "cells": cells})
    return rows


def _continuum(context: ReportContext, case: str, shared: _Shared, *, hidden_case: bool) -> dict[str, Any]:
    lang, k = shared.lang, context.k
    row = shared.positions.set_index("case").loc[case]
    lines = []
    # A hidden case's report already says so; of the continuum it shows only a researchers' placement.
    if not hidden_case and bool(row["hidden"]):
        lines.append(report_text("computed_hidden", lang, k=k, n=int(row["n"])))
    elif not hidden_case and not pd.isna(row["thickness"]):
        fmt = lambda v: format_number(float(v), "index100", lang)  # noqa: E731 - local shorthand
        lines.append(report_text("computed", lang, value=fmt(row["thickness"]), low=fmt(row["low"]),
                                 high=fmt(row["high"]), n=int(row["n"])))  # fmt: skip
    position = row["manual_position"]
    manual = bool(row["outside"]) or (position is not None and not pd.isna(position))
    if bool(row["outside"]):
        lines.append(report_text("placement_outside", lang))
    elif manual:
        lines.append(report_text("placement", lang, value=format_number(float(position), "index100", lang)))
    rationale = str(row["rationale"] or "").strip()
    if manual and rationale:
        lines.append(report_text("rationale", lang, text=rationale))
    figure = None
    if not hidden_case and shared.continuum_svg is not None:
        figure = {"svg": shared.continuum_svg, "alt": shared.continuum_alt, "caption": shared.continuum_caption}
    return {"lines": lines, "figure": figure}


def _sides(context: ReportContext, case: str, lang: str) -> dict[str, Any]:
    k = context.k
    data = context.validated.data
    sizes = data.loc[data["case"] == case, "group"].astype("str").value_counts()
    table = context.scores.sides[context.scores.sides["case"] == case]
    present = [g for g in _SIDES if g in sizes.index] + sorted(set(sizes.index) - set(_SIDES))
    name = lambda g: figure_text(f"group_{g}", lang) if g in _SIDES else g  # noqa: E731 - local shorthand
    summary = []
    for group in present:
        n = int(sizes[group])
        cells = table[table["group"] == group]
        small_other = any(int(sizes[other]) < k for other in present if other != group)
        if n < k:
            summary.append(report_text("side_small", lang, side=name(group), n=n, k=k))
        elif small_other and len(cells) and cells["hidden"].astype(bool).all():
            summary.append(report_text("side_secondary", lang, side=name(group), n=n))
        else:
            summary.append(report_text("side_n", lang, side=name(group), n=n))
    cells = table.set_index(["group", "measure"])
    rows = []
    visible = table.loc[~table["hidden"].astype(bool), "group"].unique()
    if len(visible):
        for measure in context.codebook.measures:
            if measure.family not in _SIDE_FAMILIES:
                continue
            values = []
            for group in present:
                cell = cells.loc[(group, measure.id)] if (group, measure.id) in cells.index else None
                values.append(_side_cell(cell, measure.scale, lang, k))
            rows.append({"measure": measure.name.get(lang), "cells": values})
    return {"summary": summary, "columns": [name(g) for g in present], "rows": rows}


def _side_cell(cell: pd.Series | None, scale: str, lang: str, k: int) -> str:
    if cell is None:
        return report_text("empty", lang)
    n = int(cell["n"])
    if bool(cell["hidden"]):
        return report_text("cell_hidden" if n < k else "cell_secondary", lang, k=k, n=n)
    if pd.isna(cell["mean"]):
        return report_text("empty", lang)
    return report_text("cell_value", lang, value=format_number(float(cell["mean"]), scale, lang), n=n)


def _free_text(context: ReportContext, case: str, lang: str) -> list[dict[str, Any]]:
    texts = free_texts(context.validated.data, case, context.instrument, k=context.k)
    groups = []
    for item_id in texts["item"].unique():
        answers = [str(text) for text in texts.loc[texts["item"] == item_id, "text"]]
        question = context.instrument.item(item_id).text.get(lang)
        groups.append({"item": item_id.upper(), "question": question, "answers": answers})
    return groups


def _exclusions(context: ReportContext, lang: str) -> list[list[str]]:
    table = context.exclusions.reindex(columns=list(EXCLUSION_COLUMNS))
    rows = []
    for record in table.itertuples(index=False):
        cell = lambda v: "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)  # noqa: E731
        kind = cell(record.kind)
        kind = report_text(f"kind_{kind}", lang) if kind in ("respondent", "case") else kind
        removed = record.removed
        removed = "" if removed is None or pd.isna(removed) else str(int(removed))
        wave = cell(record.wave) or report_text("all_waves", lang)
        rows.append([wave, kind, cell(record.target), cell(record.reason), removed])
    return rows


def _footer(context: ReportContext, lang: str) -> str:
    """Software version, date and the settings the report was made with."""
    return report_text(
        "footer",
        lang,
        version=context.version,
        date=date.today().isoformat(),
        k=context.k,
        three=report_text("yes" if context.scores.three_as_missing else "no", lang),
        codebook=report_text("codebook_changed" if context.codebook_changed else "codebook_bundled", lang),
        resamples=BOOTSTRAP_RESAMPLES,
        seed=BOOTSTRAP_SEED,
    )


def _page(context: ReportContext, case: str, shared: _Shared, synthetic: bool) -> str:
    lang, k = shared.lang, context.k
    n = int((context.validated.data["case"] == case).sum())
    hidden = n < k
    meta = [report_text("source", lang, source=context.source)]
    if context.workspace:
        meta.append(report_text("study", lang, workspace=context.workspace))
    if context.wave:
        meta.append(report_text("wave", lang, wave=context.wave))
    if context.collected_on:
        meta.append(report_text("collected", lang, date=context.collected_on.isoformat()))
    t = context.codebook.thresholds
    bands = {b: context.codebook.bands[b].get(lang) for b in ("strength", "borderline", "concern")}
    page: dict[str, Any] = {
        "lang": lang,
        "title": report_text("title", lang, case=case),
        "lead": report_text("lead", lang),
        "meta": meta,
        "synthetic": report_text("synthetic", lang) if synthetic else "",
        "respondents": report_text("respondents", lang, n=n, k=k),
        "hidden": report_text("hidden_case", lang, n=n, k=k) if hidden else "",
        "continuum": _continuum(context, case, shared, hidden_case=hidden),
        "notes": [line for line in (context.notes.get(case) or "").strip().splitlines()],
        "exclusions": _exclusions(context, lang),
        "exclusion_columns": [report_text(f"col_{c}", lang) for c in EXCLUSION_COLUMNS],
        "footer": _footer(context, lang),
        "label": {key: report_text(key, lang, k=k) for key in _PAGE_LABELS},
    }
    if not hidden:
        fmt = lambda v: f"{v:.1f}".replace(".", "," if lang == "nb" else ".")  # noqa: E731 - local shorthand
        page.update(
            parts=[report_text(part, lang) for part in FINDING_PARTS],
            findings=_findings(context, case, lang),
            factors_title=report_text("factors", lang, count=len(context.codebook.family("factor"))),
            factors=_figure(context, case, lang, factor_profile),
            bands=report_text("bands", lang, high=fmt(t.band_strength), low=fmt(t.band_borderline), **bands),
            barriers_title=report_text("barriers", lang, count=len(context.codebook.family("barrier"))),
            barriers=_figure(context, case, lang, barrier_profile),
            sides=_sides(context, case, lang),
            free_text=_free_text(context, case, lang),
        )
    return _environment().get_template("case_report.html.j2").render(**page)


def case_report_html(context: ReportContext, case: str, lang: str, *, synthetic: bool = False) -> str:
    """The report of one case as a self-contained HTML page (inline CSS and SVG, no outside URLs).

    Parameters
    ----------
    context : ReportContext
        The scored data and the researcher's decisions (findings edits, notes, placements, exclusions).
    case : str
        One of ``context.cases``.
    lang : {"en", "nb"}
        Language of every text of the report.
    synthetic : bool
        Say that the data are the synthetic demo survey.

    Raises
    ------
    ReportError
        For an unknown case or language.
    ExportError
        When the figures cannot be drawn (no Chromium for kaleido).
    """
    _check_lang(lang)
    _check_case(context, case)
    return _page(context, case, _shared(context, lang), synthetic)


def _pdf(page: str) -> bytes:
    try:
        return print_pdf(page)
    except PrintError as exc:
        raise ReportError(str(exc)) from None


def case_report_pdf(context: ReportContext, case: str, lang: str, *, synthetic: bool = False) -> bytes:
    """The report of one case as PDF (A4): :func:`case_report_html` printed by headless Chromium.

    Raises
    ------
    ReportError
        For an unknown case or language, or when Chromium is missing or fails.
    """
    return _pdf(case_report_html(context, case, lang, synthetic=synthetic))


_TRANSLITERATE = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "å": "a", "Å": "A", "×": "x", "ß": "ss"})
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


def report_file_names(cases: list[str], fmt: str) -> dict[str, str]:
    """A safe, unique file name per case: ASCII letters, digits and hyphens, then ``.pdf`` or ``.html``.

    Unique also where case does not count (Windows, macOS); ``-2``, ``-3`` … is added on a clash.
    """
    names: dict[str, str] = {}
    used: set[str] = set()
    for case in cases:
        text = unicodedata.normalize("NFKD", str(case).translate(_TRANSLITERATE))
        stem = re.sub(r"[^A-Za-z0-9]+", "-", text.encode("ascii", "ignore").decode("ascii")).strip("-")
        stem = stem[:60].strip("-") or "case"
        if stem.upper() in _RESERVED:
            stem += "-case"
        candidate, number = stem, 1
        while candidate.lower() in used:
            number += 1
            candidate = f"{stem}-{number}"
        used.add(candidate.lower())
        names[case] = f"{candidate}.{fmt}"
    return names


def all_case_reports_zip(
    context: ReportContext,
    lang: str,
    fmt: str = "pdf",
    progress: Callable[[int, int], None] | None = None,
    *,
    synthetic: bool = False,
) -> bytes:
    """Every case's report in one zip file, one ``.pdf`` or ``.html`` per case (:func:`report_file_names`).

    Beside them, ``methods-<lang>.txt`` holds the methods paragraph for the same data and settings
    (:func:`samskaping.methods_text.methods_paragraph`). The continuum figure is drawn once for
    all the reports; PDF starts Chromium once per case.
    ``progress(done, total)`` is called before the first case and after each.

    Raises
    ------
    ReportError
        For an unknown language or format, or when Chromium is missing or fails.
    """
    _check_lang(lang)
    if fmt not in FORMATS:
        raise ReportError(f"unknown report format '{fmt}': use pdf or html")
    cases = context.cases
    names = report_file_names(cases, fmt)
    shared = _shared(context, lang)
    buffer = io.BytesIO()
    if progress is not None:
        progress(0, len(cases))
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, case in enumerate(cases, start=1):
            page = _page(context, case, shared, synthetic)
            archive.writestr(names[case], _pdf(page) if fmt == "pdf" else page.encode("utf-8"))
            if progress is not None:
                progress(done, len(cases))
        archive.writestr(METHODS_NAME.format(lang=lang), methods_paragraph(context, lang) + "\n")
    return buffer.getvalue()
