"""Plotly figures of the summary tables: case heatmap, factor, barrier and side profiles.

Every figure gets an explicit template and explicit colours: importing streamlit swaps plotly's
default template for placeholder colours (``#000001`` …) that only its frontend replaces, so a
static export would come out near-black. Colour never carries meaning alone: each cell or bar also
shows its number and band or quartile. Hidden cells (n < k, methods.md §7) are grey with
"hidden, n < k" and no statistic. Text on a fill uses :data:`TEXT_ON` (WCAG 2.1 AA, ≥ 4.5:1).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from samskaping.codebook import Codebook, Measure
from samskaping.profiles import all_case_means

__all__ = [
    "BACKGROUND",
    "BAND_COLOURS",
    "HIDDEN_COLOUR",
    "INK",
    "QUARTILE_COLOURS",
    "SCALE_COLOURS",
    "SIDE_COLOURS",
    "TEMPLATE",
    "TEXT_ON",
    "Chart",
    "barrier_profile",
    "case_heatmap",
    "cell_labels",
    "factor_profile",
    "figure_text",
    "side_profile",
]

TEMPLATE = "plotly_white"
BACKGROUND = "#FFFFFF"
INK = "#1A1A1A"  # titles, axes and all text drawn on the white background
_BLACK, _WHITE = "#000000", "#FFFFFF"
# Colour-blind-safe: blue / sand / vermillion (Okabe–Ito family).
BAND_COLOURS: dict[str, str] = {"strength": "#005A9C", "borderline": "#F3E6A8", "concern": "#D55E00"}
# Barrier quartiles from light (1 = lowest barrier = best) to dark (4 = worst): ColorBrewer Purples.
QUARTILE_COLOURS: dict[int, str] = {1: "#F2F0F7", 2: "#CBC9E2", 3: "#9E9AC8", 4: "#6A51A3"}
# Sub-indices and thickness, 0–100 in five steps of 20: ColorBrewer Greens.
SCALE_COLOURS: tuple[str, ...] = ("#EDF8E9", "#BAE4B3", "#74C476", "#31A354", "#006D2C")
SIDE_COLOURS: dict[str, str] = {"municipality": "#0072B2", "social_enterprise": "#E69F00", "other": "#999999"}
HIDDEN_COLOUR = "#9E9E9E"
# The text colour drawn on each fill; every pair has a contrast ratio ≥ 4.5 (tests/test_figures.py).
_FILLS = (HIDDEN_COLOUR, *BAND_COLOURS.values(), *QUARTILE_COLOURS.values(), *SCALE_COLOURS, *SIDE_COLOURS.values())
TEXT_ON: dict[str, str] = {BACKGROUND: INK} | {
    fill: _WHITE if fill in ("#005A9C", "#6A51A3", "#006D2C", "#0072B2") else _BLACK for fill in _FILLS
}
_SCALE_EDGES = (20.0, 40.0, 60.0, 80.0)
_SIDES = ("municipality", "social_enterprise", "other")
_LANGS = ("en", "nb")
_HOVER = "<b>%{y}</b><br>%{customdata}<extra></extra>"

# Every label of the figures: key -> (English, Norwegian bokmål).
_LABELS: dict[str, tuple[str, str]] = {
    "hidden": ("hidden, n < {k}", "skjult, n < {k}"),
    "hidden_n": ("hidden, n < {k} (n = {n})", "skjult, n < {k} (n = {n})"),
    "hidden_cell": ("n<{k}", "n<{k}"),
    "no_score": ("no score (n = {n})", "ingen skår (n = {n})"),
    "all_case_mean": ("All-case mean", "Snitt for alle case"),
    "quartile": ("Q{q}", "K{q}"),
    "quartile_best": ("Q1 (lowest barriers)", "K1 (lavest barriere)"),
    "quartile_worst": ("Q4 (highest barriers)", "K4 (høyest barriere)"),
    "band_strength": ("{band} (≥ {strength})", "{band} (≥ {strength})"),
    "band_borderline": ("{band} ({borderline} to < {strength})", "{band} ({borderline} til < {strength})"),
    "band_concern": ("{band} (< {borderline})", "{band} (< {borderline})"),
    "threshold": ("{band} ≥ {value}", "{band} ≥ {value}"),
    "legend_bands": ("Wilder band (1–5)", "Wilder-bånd (1–5)"),
    "legend_quartiles": ("Barrier quartile", "Barrierekvartil"),
    "legend_scale": ("Continuum (0–100)", "Kontinuum (0–100)"),
    "panel_factor": ("Success factors", "Suksessfaktorer"),
    "panel_category": ("Categories", "Kategorier"),
    "panel_barrier": ("Barriers", "Barrierer"),
    "panel_continuum": ("Continuum", "Kontinuum"),
    "axis_likert": ("Mean (1–5)", "Gjennomsnitt (1–5)"),
    "axis_barrier": ("Mean (1–100, higher = bigger barrier)", "Gjennomsnitt (1–100, høyere = større barriere)"),
    "axis_index": ("Mean (0–100, 100 = thick co-creation)", "Gjennomsnitt (0–100, 100 = tykk samskaping)"),
    "heatmap_title": ("All cases: mean of every measure", "Alle case: gjennomsnitt for hvert mål"),
    "factor_title": ("Success factors: {case}", "Suksessfaktorer: {case}"),
    "barrier_title": ("Barriers: {case}", "Barrierer: {case}"),
    "barrier_subtitle": (
        "Quartiles relative to all respondents in this data set; Q1 = lowest barrier",
        "Kvartiler relativt til alle respondentene i datasettet; K1 = lavest barriere",
    ),
    "side_title": ("Municipality and social enterprise: {case}", "Kommune og sosial virksomhet: {case}"),
    "side_none": (
        "No measure where both the municipality and the social enterprise have n ≥ {k}.",
        "Ingen mål der både kommunen og den sosiale virksomheten har n ≥ {k}.",
    ),
    "side_omitted": (
        "{count} of {total} measures not shown: a side has n < {k}.",
        "{count} av {total} mål vises ikke: en side har n < {k}.",
    ),
    "group_municipality": ("Municipality", "Kommune"),
    "group_social_enterprise": ("Social enterprise", "Sosial virksomhet"),
    "group_other": ("Other", "Annen"),
    "alt_heatmap": (
        "Heatmap of the mean of {measures} measures in {cases} cases, coloured by band, quartile or 0–100 level; "
        "{hidden} of {cells} cells hidden (n < {k}).",
        "Varmekart over gjennomsnittet av {measures} mål i {cases} case, farget etter bånd, kvartil eller nivå "
        "0–100; {hidden} av {cells} celler skjult (n < {k}).",
    ),
    "alt_factor": (
        "Bars of the {total} success factors of {case} (1–5), all-case mean as diamonds: {counts}; "
        "{hidden} hidden (n < {k}).",
        "Stolper for de {total} suksessfaktorene i {case} (1–5), snitt for alle case som romber: {counts}; "
        "{hidden} skjult (n < {k}).",
    ),
    "alt_barrier": (
        "Bars of the {total} barriers of {case} (1–100), all-case mean as diamonds: {counts}; "
        "{hidden} hidden (n < {k}).",
        "Stolper for de {total} barrierene i {case} (1–100), snitt for alle case som romber: {counts}; "
        "{hidden} skjult (n < {k}).",
    ),
    "alt_extremes": (
        " Highest: {top} ({top_value}); lowest: {bottom} ({bottom_value}).",
        " Høyest: {top} ({top_value}); lavest: {bottom} ({bottom_value}).",
    ),
    "alt_side": (
        "Bars comparing the sides of {case} on {count} measures; largest gap: {measure} ({gap}).",
        "Stolper som sammenligner sidene i {case} på {count} mål; største forskjell: {measure} ({gap}).",
    ),
    "alt_side_none": (
        "{case}: no measure can be compared between the sides, as a side has n < {k}.",
        "{case}: ingen mål kan sammenlignes mellom sidene, fordi en side har n < {k}.",
    ),
}
_TEXT: dict[str, dict[str, str]] = {
    lang: {key: text[i] for key, text in _LABELS.items()} for i, lang in enumerate(_LANGS)
}


@dataclass(frozen=True, slots=True)
class Chart:
    """A figure and its text alternative (WCAG 1.1.1), both in the figure's language."""

    figure: go.Figure
    alt_text: str


def figure_text(key: str, lang: str, **fields: Any) -> str:
    """A label of this module's figures in ``lang`` (``"en"`` or ``"nb"``) with ``fields`` filled in.

    Raises
    ------
    ValueError
        For a language other than ``en`` and ``nb``.
    KeyError
        For an unknown key or a missing field.
    """
    if lang not in _TEXT:
        raise ValueError(f"unknown language {lang!r}; use 'en' or 'nb'")
    return _TEXT[lang][key].format(**fields)


def _fmt(value: float, decimals: int, lang: str) -> str:
    text = f"{value:.{decimals}f}"
    return text.replace(".", ",") if lang == "nb" else text


def _value(measure: Measure, value: float, lang: str) -> str:
    """A mean rounded for display: 1 decimal on 1–5, none on the 0–100 scales."""
    return _fmt(value, 1 if measure.scale == "likert5" else 0, lang)


def _wrap(text: str, width: int) -> str:
    return "<br>".join(textwrap.wrap(text, width)) or text


def _shown(row: Mapping[str, Any] | None) -> bool:
    return row is not None and not bool(row["hidden"]) and not pd.isna(row["mean"])


def _hidden_text(row: Mapping[str, Any] | None, k: int, lang: str) -> str:
    n = 0 if row is None else int(row["n"])
    return figure_text("hidden_n" if row is None or bool(row["hidden"]) else "no_score", lang, k=k, n=n)


def _class(measure: Measure, row: Mapping[str, Any], codebook: Codebook) -> str | int:
    """The colour class of a visible cell: band, quartile, or 0–100 step 1–5."""
    if measure.family in ("factor", "category"):
        return row["band"] if isinstance(row["band"], str) else codebook.band(float(row["mean"]))
    if measure.family == "barrier":
        return int(row["quartile"])
    return 1 + sum(float(row["mean"]) >= edge for edge in _SCALE_EDGES)


def _marker(measure: Measure, cls: str | int, codebook: Codebook, lang: str) -> str:
    """The band name or quartile shown beside a mean ("4.3 · Strength", "62 · Q4")."""
    if measure.family in ("factor", "category"):
        return codebook.bands[str(cls)].get(lang)
    return figure_text("quartile", lang, q=cls) if measure.family == "barrier" else ""


def _band_names(codebook: Codebook, lang: str) -> dict[str, str]:
    t = codebook.thresholds
    fields = {"strength": _fmt(t.band_strength, 1, lang), "borderline": _fmt(t.band_borderline, 1, lang)}
    return {b: figure_text(f"band_{b}", lang, band=codebook.bands[b].get(lang), **fields) for b in BAND_COLOURS}


def _quartile_names(lang: str) -> dict[int, str]:
    names = {q: figure_text("quartile", lang, q=q) for q in QUARTILE_COLOURS}
    return names | {1: figure_text("quartile_best", lang), 4: figure_text("quartile_worst", lang)}


def _layout(title: str, lang: str, height: int, **extra: Any) -> dict[str, Any]:
    """The layout every figure starts from: explicit template, colours, fonts and decimal mark."""
    return {
        "template": TEMPLATE,
        "height": height,
        "separators": ", " if lang == "nb" else ".,",
        "title": {"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 17, "color": INK}},
        "font": {"family": "Arial, Helvetica, sans-serif", "size": 12, "color": INK},
        "paper_bgcolor": BACKGROUND,
        "plot_bgcolor": BACKGROUND,
        "hoverlabel": {"bgcolor": BACKGROUND, "bordercolor": INK, "font": {"color": INK}},
        "legend": {"font": {"color": INK}, "bgcolor": BACKGROUND},
        **extra,
    }


def _bar(
    name: str, ys: Sequence[str], bars: Sequence[tuple[float, str, str, str]], base: float, inside: float, anchor: str
) -> go.Bar:
    """Horizontal bars from (length, fill, text, hover); text inside long coloured bars, else outside."""
    xs, fills, texts, hovers = (list(column) for column in zip(*bars, strict=True))
    where = ["inside" if f != HIDDEN_COLOUR and x >= inside else "outside" for x, f in zip(xs, fills, strict=True)]
    return go.Bar(
        y=list(ys),
        x=xs,
        base=base,
        orientation="h",
        name=name,
        text=texts,
        textangle=0,
        cliponaxis=False,
        marker={"color": fills, "line": {"color": INK, "width": 0.5}},
        insidetextanchor=anchor,
        textposition=where,
        insidetextfont={"color": [TEXT_ON[f] for f in fills]},
        outsidetextfont={"color": INK},
        customdata=hovers,
        hovertemplate=_HOVER,
    )


def _axes(fig: go.Figure, labels: list[str], span: tuple[float, float], axis: str, lang: str) -> None:
    fig.update_xaxes(range=list(span), dtick=1 if span[1] == 5 else 10, title={"text": figure_text(axis, lang)})
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed", automargin=True)


def _case_rows(table: pd.DataFrame, case: str, key: str | list[str] = "measure") -> dict[Any, dict[str, Any]]:
    rows = table[table["case"] == case]
    if rows.empty:
        raise ValueError(f"no rows for case {case!r}")
    # Plain dicts: a pandas Series per row cost more than the rest of the figure.
    records = rows.to_dict("records")
    if isinstance(key, str):
        return {row[key]: row for row in records}
    return {tuple(row[k] for k in key): row for row in records}


def cell_labels(xs: list, ys: list, labels: list[str], colours: list[str], *, size: int) -> list[go.Scatter]:
    """Text traces that write ``labels[i]`` at ``(xs[i], ys[i])`` in ``colours[i]``, one trace per colour.

    One trace per colour rather than one trace with a colour per point: plotly checks a list of
    colours one by one, which took a fifth of a page rerun for a heatmap of 100 cases.
    """
    traces = []
    for colour in dict.fromkeys(colours):
        keep = [i for i, c in enumerate(colours) if c == colour]
        traces.append(
            go.Scatter(
                x=[xs[i] for i in keep], y=[ys[i] for i in keep], mode="text", text=[labels[i] for i in keep],
                textfont={"color": colour, "size": size}, hoverinfo="skip", showlegend=False,
            )
        )  # fmt: skip
    return traces


def case_heatmap(cases: pd.DataFrame, codebook: Codebook, lang: str, *, k: int | None = None) -> Chart:
    """All cases (rows) × all measures (columns), one panel per colour logic.

    Factors and categories are coloured by Wilder band, barriers by quartile, sub-indices and
    thickness in five steps of 0–100. Each visible cell shows its rounded mean; its hover adds the
    band or quartile and n. Hidden cells are grey with "n<k" and no statistic.

    Parameters
    ----------
    cases : DataFrame
        The case summary table (``Scores.cases``), anonymity applied.
    codebook : Codebook
        Measures, names, band names and thresholds.
    lang : {"en", "nb"}
        Language of every text in the figure.
    k : int, optional
        The anonymity threshold ``cases`` was made with; the codebook's by default.
    """
    k = codebook.thresholds.k if k is None else k
    names = list(dict.fromkeys(cases["case"]))
    if not names:
        raise ValueError("no cases to draw")
    # Plain dicts per cell: building a pandas Series per row costs more than the whole figure.
    table = cases.set_index(["case", "measure"]).to_dict("index")
    continuum = codebook.family("subindex") + codebook.family("thickness")
    panels = [
        ("panel_factor", codebook.family("factor"), BAND_COLOURS),
        ("panel_category", codebook.family("category"), BAND_COLOURS),
        ("panel_barrier", codebook.family("barrier"), QUARTILE_COLOURS),
        ("panel_continuum", continuum, dict(enumerate(SCALE_COLOURS, start=1))),
    ]
    fig = make_subplots(
        rows=1,
        cols=len(panels),
        shared_yaxes=True,
        horizontal_spacing=0.012,
        column_widths=[len(p[1]) for p in panels],
        subplot_titles=[figure_text(p[0], lang) for p in panels],
        figure=go.Figure(layout={"template": TEMPLATE}),
    )
    hidden = 0
    for col, (_, measures, palette) in enumerate(panels, start=1):
        colours = [HIDDEN_COLOUR, *palette.values()]
        codes = {cls: i for i, cls in enumerate(palette, start=1)}
        z, hover, cells = [], [], []  # cells: (measure id, case, label, label colour)
        for case in names:
            z.append([])
            hover.append([])
            for m in measures:
                row = table.get((case, m.id))
                head = f"<b>{case}</b><br>{m.name.get(lang)}<br>"
                if _shown(row):
                    cls = _class(m, row, codebook)
                    marker, value = _marker(m, cls, codebook, lang), _value(m, float(row["mean"]), lang)
                    z[-1].append(codes[cls])
                    hover[-1].append(f"{head}{value}{' · ' + marker if marker else ''}<br>n = {int(row['n'])}")
                    cells.append((m.id, case, value, TEXT_ON[palette[cls]]))
                else:
                    hidden += 1
                    z[-1].append(0)
                    hover[-1].append(head + _hidden_text(row, k, lang))
                    cells.append((m.id, case, figure_text("hidden_cell", lang, k=k), TEXT_ON[HIDDEN_COLOUR]))
        steps = [[pos, c] for i, c in enumerate(colours) for pos in (i / len(colours), (i + 1) / len(colours))]
        xs, ys, labels, label_colours = (list(column) for column in zip(*cells, strict=True))
        fig.add_trace(
            go.Heatmap(
                z=z,
                x=[m.id for m in measures],
                y=names,
                text=hover,
                hovertemplate="%{text}<extra></extra>",
                colorscale=steps,
                zmin=-0.5,
                zmax=len(colours) - 0.5,
                showscale=False,
                xgap=2,
                ygap=2,
            ),
            row=1,
            col=col,
        )
        for trace in cell_labels(xs, ys, labels, label_colours, size=11):
            fig.add_trace(trace, row=1, col=col)
        fig.update_xaxes(
            row=1,
            col=col,
            tickmode="array",
            tickvals=[m.id for m in measures],
            tickangle=-90,
            showgrid=False,
            ticktext=[_wrap(m.name.get(lang), 34) for m in measures],
            tickfont={"size": 11, "color": INK},
        )
    bands, quartiles = _band_names(codebook, lang), _quartile_names(lang)
    legend = [
        *(("legend_bands", bands[b], c) for b, c in BAND_COLOURS.items()),
        *(("legend_quartiles", quartiles[q], c) for q, c in QUARTILE_COLOURS.items()),
        *(("legend_scale", f"{20 * i}–{20 * (i + 1)}", c) for i, c in enumerate(SCALE_COLOURS)),
        ("hidden", figure_text("hidden", lang, k=k), HIDDEN_COLOUR),
    ]
    for i, (group, name, colour) in enumerate(legend):
        title = {"text": figure_text(group, lang), "font": {"color": INK}} if group != "hidden" else None
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=name,
                legendgroup=group,
                hoverinfo="skip",
                marker={"symbol": "square", "size": 13, "color": colour, "line": {"color": INK, "width": 1}},
                legendgrouptitle=title if i == 0 or legend[i - 1][0] != group else None,
            ),
            row=1,
            col=1,
        )
    fig.update_yaxes(categoryorder="array", categoryarray=names, autorange="reversed", showgrid=False)
    fig.update_annotations(font={"color": INK, "size": 13})
    fig.update_layout(
        _layout(figure_text("heatmap_title", lang), lang, 44 * len(names) + 430, width=1400),
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "tracegroupgap": 4,
            "font": {"color": INK},
            "bgcolor": BACKGROUND,
        },
        margin={"t": 90, "l": 10, "r": 10, "b": 10},
    )
    n_measures = sum(len(p[1]) for p in panels)
    alt = figure_text(
        "alt_heatmap", lang, cases=len(names), measures=n_measures, hidden=hidden, cells=len(names) * n_measures, k=k
    )
    return Chart(fig, alt)


def _profile(cases: pd.DataFrame, case: str, family: str, codebook: Codebook, lang: str, k: int | None) -> Chart:
    """Horizontal bars of one family (factors or barriers) of one case, with all-case mean markers."""
    k = codebook.thresholds.k if k is None else k
    factor = family == "factor"
    measures, rows, overall = codebook.family(family), _case_rows(cases, case), all_case_means(cases)
    base, stub, inside, top = (1.0, 0.25, 1.3, 5.0) if factor else (0.0, 6.0, 28.0, 100.0)
    palette: dict[Any, str] = BAND_COLOURS if factor else QUARTILE_COLOURS
    legend: dict[Any, str] = _band_names(codebook, lang) if factor else _quartile_names(lang)
    labels = [_wrap(m.name.get(lang), 36) for m in measures]
    title = figure_text("factor_title" if factor else "barrier_title", lang, case=case)
    fig = go.Figure(layout=_layout(title, lang, 34 * len(measures) + (170 if factor else 230)))
    groups: dict[Any, list[tuple[str, tuple[float, str, str, str]]]] = {cls: [] for cls in (*palette, None)}
    shown: list[tuple[float, str]] = []
    for m, label in zip(measures, labels, strict=True):
        row = rows.get(m.id)
        if _shown(row):
            cls, mean = _class(m, row, codebook), float(row["mean"])
            text = f"{_value(m, mean, lang)} · {_marker(m, cls, codebook, lang)}"
            groups[cls].append((label, (mean - base, palette[cls], text, f"{text}<br>n = {int(row['n'])}")))
            shown.append((mean, m.name.get(lang)))
        else:
            bar = (stub, HIDDEN_COLOUR, figure_text("hidden", lang, k=k), _hidden_text(row, k, lang))
            groups[None].append((label, bar))
    for cls, bars in groups.items():
        if bars:
            name = legend[cls] if cls is not None else figure_text("hidden", lang, k=k)
            fig.add_trace(_bar(name, [y for y, _ in bars], [b for _, b in bars], base, inside, "start"))
    means = [(overall.get(m.id, math.nan), label) for m, label in zip(measures, labels, strict=True)]
    means = [(v, label) for v, label in means if not pd.isna(v)]
    if means:
        name = figure_text("all_case_mean", lang)
        fig.add_trace(
            go.Scatter(
                x=[v for v, _ in means],
                y=[label for _, label in means],
                mode="markers",
                name=name,
                marker={"symbol": "diamond", "size": 11, "color": _BLACK, "line": {"color": _WHITE, "width": 1.5}},
                customdata=[f"{name}: {_value(measures[0], v, lang)}" for v, _ in means],
                hovertemplate=_HOVER,
            )
        )
    if factor:
        t = codebook.thresholds
        for band, value in (("borderline", t.band_borderline), ("strength", t.band_strength)):
            fig.add_vline(
                x=value,
                line={"color": "#444444", "dash": "dash", "width": 1},
                annotation_position="top",
                annotation_text=figure_text(
                    "threshold", lang, band=codebook.bands[band].get(lang), value=_fmt(value, 1, lang)
                ),
                annotation_font={"color": INK, "size": 11},
            )
    else:
        fig.update_layout(title_subtitle={"text": figure_text("barrier_subtitle", lang), "font": {"color": INK}})
    _axes(fig, labels, (base, top), "axis_likert" if factor else "axis_barrier", lang)
    fig.update_layout(barmode="overlay", bargap=0.3, margin={"t": 90 if factor else 110, "r": 20})
    short = {cls: _marker(measures[0], cls, codebook, lang) for cls in palette}
    counts = "; ".join(f"{len(groups[c])} × {short[c]}" for c in palette if groups[c]) or "–"
    alt = figure_text(
        f"alt_{family}", lang, total=len(measures), case=case, counts=counts, hidden=len(groups[None]), k=k
    )
    if shown:
        (high, high_name), (low, low_name) = max(shown), min(shown)
        alt += figure_text(
            "alt_extremes",
            lang,
            top=high_name,
            top_value=_value(measures[0], high, lang),
            bottom=low_name,
            bottom_value=_value(measures[0], low, lang),
        )
    return Chart(fig, alt)


def factor_profile(cases: pd.DataFrame, case: str, codebook: Codebook, lang: str, *, k: int | None = None) -> Chart:
    """The success factors of one case as bars coloured by Wilder band, with all-case means and thresholds.

    Parameters
    ----------
    cases : DataFrame
        The case summary table (``Scores.cases``), anonymity applied.
    case : str
        The case to draw; ``ValueError`` if it has no rows.
    codebook : Codebook
        Measures, names, band names and thresholds.
    lang : {"en", "nb"}
        Language of every text in the figure.
    k : int, optional
        The anonymity threshold ``cases`` was made with; the codebook's by default.
    """
    return _profile(cases, case, "factor", codebook, lang, k)


def barrier_profile(cases: pd.DataFrame, case: str, codebook: Codebook, lang: str, *, k: int | None = None) -> Chart:
    """The barriers of one case (1–100) as bars coloured by quartile, with all-case means.

    Parameters are those of :func:`factor_profile`.
    """
    return _profile(cases, case, "barrier", codebook, lang, k)


def side_profile(
    sides: pd.DataFrame, case: str, measures: Sequence[str], codebook: Codebook, lang: str, *, k: int | None = None
) -> Chart:
    """Grouped bars of the sides (municipality, social enterprise, other) of one case.

    Only measures where both the municipality and the social enterprise are visible are drawn,
    and the subtitle says how many were left out; a hidden other side shows a grey stub.

    Parameters
    ----------
    sides : DataFrame
        Summary table keyed by ``case`` and ``group``; the caller has applied anonymity (with
        secondary suppression).
    case : str
        The case to draw; ``ValueError`` if it has no rows.
    measures : sequence of str
        Measure ids to compare, all on one scale (1–5 or 0–100), else ``ValueError``.
    codebook, lang, k
        As in :func:`factor_profile`.
    """
    k = codebook.thresholds.k if k is None else k
    table = _case_rows(sides, case, key=["group", "measure"])
    chosen = [codebook.measure(m) for m in measures]
    scales = {m.scale for m in chosen}
    if len(scales) > 1:
        raise ValueError(f"side_profile needs measures on one scale, got {sorted(scales)}")
    drawn = [m for m in chosen if all(_shown(table.get((g, m.id))) for g in _SIDES[:2])]
    present = {g for g, _ in table}
    groups = [g for g in _SIDES if g in present] + sorted(present - set(_SIDES))
    likert = scales <= {"likert5"}
    base, stub, inside, top = (1.0, 0.25, 0.6, 5.0) if likert else (0.0, 6.0, 14.0, 100.0)
    labels = [_wrap(m.name.get(lang), 36) for m in drawn]
    height = max(320, len(drawn) * (16 * len(groups) + 22) + 200)
    fig = go.Figure(layout=_layout(figure_text("side_title", lang, case=case), lang, height))
    if not drawn:
        fig.add_annotation(
            text=figure_text("side_none", lang, k=k),
            x=0.5,
            y=0.5,
            xref="paper",
            yref="paper",
            showarrow=False,
            font={"size": 14, "color": INK},
        )
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return Chart(fig, figure_text("alt_side_none", lang, case=case, k=k))
    if len(drawn) < len(chosen):
        note = figure_text("side_omitted", lang, count=len(chosen) - len(drawn), total=len(chosen), k=k)
        fig.update_layout(title_subtitle={"text": note, "font": {"color": INK}}, margin={"t": 100})
    for group in groups:
        colour = SIDE_COLOURS.get(group, SIDE_COLOURS["other"])
        name = figure_text(f"group_{group}", lang) if group in _SIDES else group
        bars = []
        for m in drawn:
            row = table.get((group, m.id))
            if _shown(row):
                value = _value(m, float(row["mean"]), lang)
                bars.append((float(row["mean"]) - base, colour, value, f"{name}: {value}<br>n = {int(row['n'])}"))
            else:
                hidden = f"{name}: {_hidden_text(row, k, lang)}"
                bars.append((stub, HIDDEN_COLOUR, figure_text("hidden", lang, k=k), hidden))
        fig.add_trace(_bar(name, labels, bars, base, inside, "end"))
    axis = "axis_likert" if likert else ("axis_barrier" if scales == {"score100"} else "axis_index")
    _axes(fig, labels, (base, top), axis, lang)
    fig.update_layout(barmode="group", bargap=0.25, bargroupgap=0.05, legend={"traceorder": "normal"})
    gaps = [(abs(table[("municipality", m.id)]["mean"] - table[("social_enterprise", m.id)]["mean"]), m) for m in drawn]
    gap, widest = max(gaps, key=lambda pair: pair[0])
    alt = figure_text(
        "alt_side",
        lang,
        case=case,
        count=len(drawn),
        measure=widest.name.get(lang),
        gap=_value(widest, float(gap), lang),
    )
    return Chart(fig, alt)
