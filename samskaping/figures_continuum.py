"""The thin ↔ thick continuum and the co-design × co-delivery matrix (methods.md §9).

Both figures are drawn for a given print width (``width_mm``, default 170 mm = 643 CSS px) and
export with :func:`samskaping.figure_export.export_figure` at that width: the label layout is
computed in pixels of that width, so labels never overlap (estimated from Helvetica/Arial
metrics, which Liberation Sans shares).

**Continuum.** The x axis runs from 0 ("co-creation (thin)") to 100 ("co-production (thick)").
Each case is a row item: a blue circle with its 95 % interval for the computed position and/or
a vermillion diamond for the researcher's placement (Okabe–Ito colours; the shapes differ too),
joined by a thin dotted line when both are shown, and its name above. Items are stacked in rows
by greedy interval packing (first fit, by left edge) of their extent — interval, markers and
estimated label width — so neither labels nor intervals collide. Cases placed *outside* the
continuum sit in a shaded zone left of 0, drawn only when used. Hidden cases (n < k, no manual
position) are not drawn; the caption names them as "hidden, n < k".

**Matrix.** ``co_design`` (x) against ``co_delivery`` (y), both 0–100, cut at 33 and 67. The
nine regions follow the source's table of who is responsible for *design* (professionals alone
→ together) × who is responsible for *delivery* (professionals alone → together), with 100 =
fully joint on both sub-indices (columns: design low / middle / high; rows: delivery)::

                  design < 33                   33–67                         ≥ 67
    delivery ≥ 67 co-delivery of a              co-delivery, partly           co-production
                  professionally designed       joint design                  (thick co-creation)
                  service
    33–67         partly joint delivery of a    partial co-production         joint design, partly
                  professional design                                         joint delivery
    < 33          traditional professional      professional service,         thin co-creation:
                  service                       users consulted               joint design

The three cells named in the issue lie on the corners that matter: traditional professional
service (bottom left), thin co-creation (bottom right: designed together, delivered by
professionals) and co-production (top right). Norwegian names in :data:`REGION_NAMES`. The plot is
square; only when the case labels find no free place does it grow taller. A label sits beside its
marker, or further out with a leader line; labels never overlap each other (they may cover a region
name, which is background).
"""

from __future__ import annotations

import dataclasses
import html
import math
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from samskaping.codebook import Codebook, load_codebook
from samskaping.continuum import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED
from samskaping.figures import BACKGROUND, INK, TEMPLATE, Chart
from samskaping.text_layout import Box, Rows, crosses, overlaps, text_width, wrap_text

__all__ = [
    "COMPUTED_COLOUR",
    "CONNECTOR_COLOUR",
    "CUTS",
    "MANUAL_COLOUR",
    "OUTSIDE_FILL",
    "REGION_NAMES",
    "continuum_caption",
    "continuum_figure",
    "continuum_text",
    "matrix_caption",
    "matrix_figure",
    "text_width",
]

# Okabe–Ito: blue for the computed position, vermillion for the researcher's placement.
COMPUTED_COLOUR = "#0072B2"
MANUAL_COLOUR = "#D55E00"
CONNECTOR_COLOUR = "#6E6E6E"
OUTSIDE_FILL = "#ECECEC"
REGION_TEXT = "#4D4D4D"  # contrast 8.5:1 on white, 7.3:1 on OUTSIDE_FILL
GRID = "#E3E3E3"
CUTS = (33.0, 67.0)
PX_PER_MM = 96 / 25.4
FONT = "Arial, Helvetica, 'Liberation Sans', sans-serif"
_LANGS = ("en", "nb")
_LABEL_SIZE = 12  # px, case labels
_LINE = 15  # px per label line
_SMALL = 11  # px, caption and axis-end labels
_SMALL_LINE = 14
_OUTSIDE_X = -15.0  # centre of the outside zone, in axis units
_OUTSIDE_ZONE = (-27.0, -4.0)
_MARGIN_X = 16  # px, left and right margins of the continuum

# key -> (English, Norwegian bokmål)
_LABELS: dict[str, tuple[str, str]] = {
    "thin": ("← co-creation (thin)", "← tynn samskaping"),
    "thick": ("co-production (thick) →", "tykk samskaping →"),
    "outside": ("outside the continuum", "utenfor kontinuumet"),
    "continuum_title": (
        "Cases on the continuum from thin to thick co-creation",
        "Casene på kontinuumet fra tynn til tykk samskaping",
    ),
    "matrix_title": (
        "Who designs and who delivers: co-design × co-delivery",
        "Hvem utformer og hvem leverer: felles utforming × felles leveranse",
    ),
    "legend_computed": ("computed position (95 % interval)", "beregnet posisjon (95 %-intervall)"),
    "legend_manual": ("researchers' placement", "forskernes plassering"),
    "hover_computed": (
        "<b>{case}</b><br>computed thickness {value} (95 % interval {low}–{high})<br>n = {n}",
        "<b>{case}</b><br>beregnet tykkelse {value} (95 %-intervall {low}–{high})<br>n = {n}",
    ),
    "hover_manual": (
        "<b>{case}</b><br>researchers' placement: {value}<br>{rationale}",
        "<b>{case}</b><br>forskernes plassering: {value}<br>{rationale}",
    ),
    "hover_matrix": (
        "<b>{case}</b><br>co-design {x}<br>co-delivery {y}<br>n = {n}",
        "<b>{case}</b><br>felles utforming {x}<br>felles leveranse {y}<br>n = {n}",
    ),
    "formula": ("thickness = {terms}", "tykkelse = {terms}"),
    "caption_computed": (
        "Circles: computed position, the mean of the case's respondents' thickness ({formula}; 0–100) "
        "with its 95 % bootstrap percentile interval (B = {resamples} resamples of respondents, seed {seed}).",
        "Sirkler: beregnet posisjon, gjennomsnittet av respondentenes tykkelse i caset ({formula}; 0–100) "
        "med 95 % bootstrap-persentilintervall (B = {resamples} trekninger av respondenter, frø {seed}).",
    ),
    "caption_manual": (
        "Diamonds: the researchers' placement from all the study's material.",
        "Ruter: forskernes plassering ut fra alt materialet i studien.",
    ),
    "caption_both": (
        "A dotted line joins the two positions of a case.",
        "En prikket linje forbinder de to posisjonene til et case.",
    ),
    "caption_outside": ("Left of 0: placed outside the continuum.", "Til venstre for 0: plassert utenfor kontinuumet."),
    "caption_n": ("n per case: {counts}.", "n per case: {counts}."),
    "caption_hidden": ("Hidden, n < {k}: {cases}.", "Skjult, n < {k}: {cases}."),
    "caption_matrix": (
        "Each point is a case: mean co-design (x) and co-delivery (y) of its respondents, 0–100 "
        "(100 = done jointly). Regions cut at 33 and 67 after the table of who designs × who delivers.",
        "Hvert punkt er et case: gjennomsnittlig felles utforming (x) og felles leveranse (y) blant "
        "respondentene, 0–100 (100 = gjort i fellesskap). Regionene er delt ved 33 og 67 etter tabellen "
        "over hvem som utformer × hvem som leverer.",
    ),
    "hidden_case": ("{case} (n\u00a0=\u00a0{n})", "{case} (n\u00a0=\u00a0{n})"),
    "axis_x_matrix": ("Co-design (0–100) →", "Felles utforming (0–100) →"),
    "axis_y_matrix": ("Co-delivery (0–100) →", "Felles leveranse (0–100) →"),
    "alt_continuum": (
        "Continuum from co-creation (thin, 0) to co-production (thick, 100) with {count} cases: {items}.",
        "Kontinuum fra tynn samskaping (0) til tykk samskaping (100) med {count} case: {items}.",
    ),
    "alt_matrix": (
        "Scatter of {count} cases by co-design (x, 0–100) and co-delivery (y, 0–100), regions cut at 33 and 67: "
        "{items}.",
        "Punktdiagram av {count} case etter felles utforming (x, 0–100) og felles leveranse (y, 0–100), regioner "
        "delt ved 33 og 67: {items}.",
    ),
    "alt_computed": ("{case} {value} ({low}–{high})", "{case} {value} ({low}–{high})"),
    "alt_manual": ("{case} placed at {value}", "{case} plassert på {value}"),
    "alt_outside": ("{case} outside", "{case} utenfor"),
    "alt_hidden": ("hidden, n < {k}: {cases}", "skjult, n < {k}: {cases}"),
    "alt_none": ("none", "ingen"),
    "caption_unlabelled": (
        "With more than {limit} cases the points are not labelled (hover over a point, or see the positions table).",
        "Med flere enn {limit} case er punktene ikke merket (hold pekeren over et punkt, eller se tabellen over "
        "posisjoner).",
    ),
}
# (design column, delivery row) -> (English, Norwegian bokmål); 0 = < 33, 1 = 33–67, 2 = ≥ 67.
REGION_NAMES: dict[tuple[int, int], tuple[str, str]] = {
    (0, 0): ("Traditional professional service", "Tradisjonell profesjonell tjeneste"),
    (1, 0): ("Professional service, users consulted", "Profesjonell tjeneste med medvirkning"),
    (2, 0): ("Thin co-creation: joint design", "Tynn samskaping: felles utforming"),
    (0, 1): ("Partly joint delivery of a professional design", "Delvis felles levering av profesjonell utforming"),
    (1, 1): ("Partial co-production", "Delvis samproduksjon"),
    (2, 1): ("Joint design, partly joint delivery", "Felles utforming, delvis felles levering"),
    (0, 2): ("Co-delivery of a professionally designed service",
             "Felles levering av en profesjonelt utformet tjeneste"),
    (1, 2): ("Co-delivery, partly joint design", "Felles levering, delvis felles utforming"),
    (2, 2): ("Co-production (thick co-creation)", "Samproduksjon (tykk samskaping)"),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Item:
    """One case on the continuum: what is drawn and the horizontal extent it needs (axis units)."""

    case: str
    label: str  # may hold <br>
    anchor: float  # label centre
    left: float
    right: float
    computed: tuple[float, float, float] | None  # (x, low, high)
    manual: float | None  # x of the diamond (the outside zone's centre for "outside")
    hover_computed: str = ""
    hover_manual: str = ""
    row: int = 0


def continuum_text(key: str, lang: str, **fields: Any) -> str:
    """A label of these figures in ``lang`` (``en`` or ``nb``) with ``fields`` filled in."""
    if lang not in _LANGS:
        raise ValueError(f"unknown language {lang!r}; use 'en' or 'nb'")
    return _LABELS[key][_LANGS.index(lang)].format(**fields)


def _fmt(value: float, lang: str, decimals: int = 0) -> str:
    text = f"{value:.{decimals}f}"
    return text.replace(".", ",") if lang == "nb" else text


@lru_cache(maxsize=1)
def _default_codebook() -> Codebook:
    return load_codebook()


def _is_set(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) and not pd.isna(value)


def _check(positions: pd.DataFrame, lang: str) -> None:
    if lang not in _LANGS:
        raise ValueError(f"unknown language {lang!r}; use 'en' or 'nb'")
    missing = {"case", "n", "thickness", "low", "high", "manual_position", "outside", "shown", "hidden"} - set(
        positions.columns
    )
    if missing:
        raise ValueError(f"positions lack the columns {', '.join(sorted(missing))}")


def _hidden_cases(positions: pd.DataFrame) -> list[tuple[str, int]]:
    """Cases with n < k and nothing to show (a manual placement of a hidden case is still drawn)."""
    rows = positions[positions["shown"] == "hidden"]
    return [(str(r.case), int(r.n)) for r in rows.itertuples(index=False)]


def _draws(row: Any) -> tuple[bool, bool]:
    """(draw the computed position, draw the manual one) for a row of ``positions``."""
    manual = bool(row.outside) or _is_set(row.manual_position)
    computed = not bool(row.hidden) and _is_set(row.thickness)
    return computed and row.shown in ("computed", "both"), manual and row.shown in ("manual", "both")


def continuum_caption(
    positions: pd.DataFrame,
    lang: str,
    *,
    k: int = 3,
    codebook: Codebook | None = None,
    seed: int = BOOTSTRAP_SEED,
    resamples: int = BOOTSTRAP_RESAMPLES,
) -> str:
    """The default caption: what circles and diamonds are, the method, n per case and the hidden cases."""
    _check(positions, lang)
    codebook = codebook or _default_codebook()
    draws = [(row, *_draws(row)) for row in positions.itertuples(index=False)]
    parts = []
    if any(computed for _, computed, _ in draws):
        terms = " + ".join(
            f"{_fmt(float(m.weight or 0.0), lang, 2).rstrip('0').rstrip(',.')} × {m.name.get(lang).lower()}"
            for m in codebook.family("subindex")
        )
        formula = continuum_text("formula", lang, terms=terms)
        parts.append(continuum_text("caption_computed", lang, formula=formula, resamples=resamples, seed=seed))
    if any(manual for _, _, manual in draws):
        parts.append(continuum_text("caption_manual", lang))
    if any(computed and manual for _, computed, manual in draws):
        parts.append(continuum_text("caption_both", lang))
    if any(manual and bool(row.outside) for row, _, manual in draws):
        parts.append(continuum_text("caption_outside", lang))
    counts = [f"{row.case}\u00a0{int(row.n)}" for row, computed, manual in draws if computed or manual]
    if counts:
        parts.append(continuum_text("caption_n", lang, counts=", ".join(counts)))
    hidden = _hidden_cases(positions)
    if hidden:
        cases = ", ".join(continuum_text("hidden_case", lang, case=c, n=n) for c, n in hidden)
        parts.append(continuum_text("caption_hidden", lang, k=k, cases=cases))
    return " ".join(parts)


def _head(title: str, legend: list[str], width: float) -> tuple[str, int]:
    """The title wrapped to ``width`` px and the top margin it and the legend's rows need."""
    lines = wrap_text(title, width, 15) if title else []
    rows, used = (1, 0.0) if legend else (0, 0.0)
    for name in legend:
        item = 52 + text_width(name, _SMALL)
        if used and used + item > width:
            rows, used = rows + 1, 0.0
        used += item
    top = (18 + 19 * len(lines) if lines else 10) + 26 * rows
    return "<br>".join(lines), top


def _title_annotation(title: str, top: int) -> list[dict[str, Any]]:
    """The title as an annotation at the top left: plotly's layout title misplaces several lines."""
    if not title:
        return []
    return [{"text": title, "x": 0.0, "xref": "paper", "xanchor": "left", "y": 1.0, "yref": "paper",
             "yanchor": "top", "yshift": top - 10, "align": "left", "showarrow": False,
             "font": {"size": 15, "color": INK}, "name": "title"}]  # fmt: skip


def _layout(lang: str, width: int, height: int, margin: dict[str, int]) -> dict[str, Any]:
    return {
        "template": TEMPLATE, "width": width, "height": height, "autosize": False, "margin": margin,
        "separators": ", " if lang == "nb" else ".,", "paper_bgcolor": BACKGROUND, "plot_bgcolor": BACKGROUND,
        "font": {"family": FONT, "size": _LABEL_SIZE, "color": INK},
        "hoverlabel": {"bgcolor": BACKGROUND, "bordercolor": INK, "font": {"color": INK}},
        "legend": {"orientation": "h", "x": 0.0, "xanchor": "left", "y": 1.0, "yanchor": "bottom",
                   "yref": "paper", "font": {"color": INK, "size": _SMALL}, "bgcolor": BACKGROUND},
        "showlegend": True,
    }  # fmt: skip


def _caption_annotation(text: str, width_px: float, shift: float) -> tuple[dict[str, Any], int]:
    lines = wrap_text(text, width_px, _SMALL) if text else []
    annotation = {
        "text": "<br>".join(lines), "x": 0.0, "xref": "paper", "xanchor": "left", "y": 0.0, "yref": "paper",
        "yanchor": "top", "yshift": -shift, "showarrow": False, "align": "left",
        "font": {"size": _SMALL, "color": INK}, "name": "caption",
    }  # fmt: skip
    return annotation, len(lines) * _SMALL_LINE


def _items(positions: pd.DataFrame, lang: str, units_per_px: float, span: tuple[float, float]) -> list[_Item]:
    """The drawn cases with their extents, each given a row by first-fit packing."""
    max_label = 0.42 * (span[1] - span[0]) / units_per_px
    raw: list[_Item] = []
    for row in positions.itertuples(index=False):
        computed, manual = _draws(row)
        if not (computed or manual):
            continue
        case = str(row.case)
        lines = wrap_text(case, max_label, _LABEL_SIZE)
        shown_case = html.escape(case, quote=False)
        half = max(text_width(line, _LABEL_SIZE) for line in lines) / 2 * units_per_px
        xs: list[float] = []
        c = None
        hover_c = hover_m = ""
        if computed:
            c = (float(row.thickness), float(row.low), float(row.high))
            xs.append(c[0])
            hover_c = continuum_text("hover_computed", lang, case=shown_case, value=_fmt(c[0], lang, 1),
                                     low=_fmt(c[1], lang, 1), high=_fmt(c[2], lang, 1), n=int(row.n))  # fmt: skip
        m = None
        if manual:
            m = _OUTSIDE_X if bool(row.outside) else float(row.manual_position)
            xs.append(m)
            value = continuum_text("outside", lang) if bool(row.outside) else _fmt(m, lang, 0)
            note = getattr(row, "rationale", None)
            note = str(note) if _is_set(note) else ""
            rationale = "<br>".join(html.escape(line, quote=False) for line in textwrap.wrap(note, 60))
            hover_m = continuum_text("hover_manual", lang, case=shown_case, value=value, rationale=rationale)
        anchor = sum(xs) / len(xs)
        anchor = min(max(anchor, span[0] + half), span[1] - half)
        marker = 7 * units_per_px  # half a marker
        left = min(anchor - half, *(x - marker for x in xs), *([c[1]] if c else []))
        right = max(anchor + half, *(x + marker for x in xs), *([c[2]] if c else []))
        label = "<br>".join(html.escape(line, quote=False) for line in lines)
        raw.append(_Item(case, label, anchor, left, right, c, m, hover_c, hover_m))
    rows = Rows(gap=10 * units_per_px)
    ordered = sorted(raw, key=lambda i: (i.left, i.right, i.case))
    return [dataclasses.replace(item, row=rows.place(item.left, item.right)) for item in ordered]


def continuum_figure(
    positions: pd.DataFrame,
    lang: str,
    *,
    title: str | None = None,
    caption: str | None = None,
    k: int = 3,
    codebook: Codebook | None = None,
    width_mm: float = 170.0,
    seed: int = BOOTSTRAP_SEED,
    resamples: int = BOOTSTRAP_RESAMPLES,
) -> Chart:
    """The cases on the thin ↔ thick continuum, ready for print at ``width_mm``.

    Parameters
    ----------
    positions : DataFrame
        Output of :func:`samskaping.continuum.positions` (:data:`~samskaping.continuum.POSITION_COLUMNS`).
    lang : {"en", "nb"}
        Language of every text in the figure.
    title, caption : str, optional
        ``None`` gives the default (:func:`continuum_caption` for the caption); ``""`` leaves it out.
    k : int
        The anonymity threshold ``positions`` was made with (for "hidden, n < k").
    codebook : Codebook, optional
        Source of the sub-index weights and names in the caption; the bundled one by default.
    width_mm : float
        Print width; labels are laid out for it (export at the same width).
    seed, resamples : int
        The bootstrap settings ``positions`` was made with, stated in the caption.
    """
    _check(positions, lang)
    title = continuum_text("continuum_title", lang) if title is None else title
    if caption is None:
        caption = continuum_caption(positions, lang, k=k, codebook=codebook, seed=seed, resamples=resamples)
    width = round(width_mm * PX_PER_MM)
    plot_w = width - 2 * _MARGIN_X
    outside_used = any(_draws(row)[1] and bool(row.outside) for row in positions.itertuples(index=False))
    span = (_OUTSIDE_ZONE[0] - 1.0 if outside_used else -3.0, 103.0)
    units_per_px = (span[1] - span[0]) / plot_w
    items = _items(positions, lang, units_per_px, span)
    label_lines = max((item.label.count("<br>") + 1 for item in items), default=1)
    pitch = label_lines * _LINE + 22  # px between rows: label, marker, air
    n_rows = max((item.row for item in items), default=0) + 1
    base = 14  # px from the axis to the first row's markers
    plot_h = base + (n_rows - 1) * pitch + 9 + label_lines * _LINE + 8

    traces: list[go.Scatter] = []
    computed = [i for i in items if i.computed]
    manual = [i for i in items if i.manual is not None]
    y_of = {i.case: base + i.row * pitch for i in items}
    connectors_x: list[float | None] = []
    connectors_y: list[float | None] = []
    for item in items:
        if item.computed and item.manual is not None:
            connectors_x += [item.computed[0], item.manual, None]
            connectors_y += [y_of[item.case], y_of[item.case], None]
    if connectors_x:
        line = {"color": CONNECTOR_COLOUR, "width": 1, "dash": "dot"}
        traces.append(go.Scatter(x=connectors_x, y=connectors_y, mode="lines", hoverinfo="skip", showlegend=False,
                                 line=line, name="connector"))  # fmt: skip
    if computed:
        traces.append(go.Scatter(
            x=[i.computed[0] for i in computed], y=[y_of[i.case] for i in computed], mode="markers",
            name=continuum_text("legend_computed", lang), customdata=[i.hover_computed for i in computed],
            hovertemplate="%{customdata}<extra></extra>",
            marker={"symbol": "circle", "size": 10, "color": COMPUTED_COLOUR,
                    "line": {"color": BACKGROUND, "width": 1}},
            error_x={"type": "data", "symmetric": False, "array": [i.computed[2] - i.computed[0] for i in computed],
                     "arrayminus": [i.computed[0] - i.computed[1] for i in computed], "color": COMPUTED_COLOUR,
                     "thickness": 1.5, "width": 4},
        ))  # fmt: skip
    if manual:
        traces.append(go.Scatter(
            x=[i.manual for i in manual], y=[y_of[i.case] for i in manual], mode="markers",
            name=continuum_text("legend_manual", lang), customdata=[i.hover_manual for i in manual],
            hovertemplate="%{customdata}<extra></extra>",
            marker={"symbol": "diamond", "size": 12, "color": MANUAL_COLOUR, "line": {"color": BACKGROUND, "width": 1}},
        ))  # fmt: skip

    annotations: list[dict[str, Any]] = [
        {"text": item.label, "x": item.anchor, "y": y_of[item.case], "xref": "x", "yref": "y", "yshift": 8,
         "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": {"size": _LABEL_SIZE, "color": INK},
         "name": f"case:{item.case}"}
        for item in items
    ]  # fmt: skip
    tick_block = 22
    end_font = {"size": _SMALL, "color": INK}
    ends = [("thin", 0.0, "left"), ("thick", 100.0, "right")]
    end_lines = 1
    for key, x, anchor in ends:
        annotations.append({"text": continuum_text(key, lang), "x": x, "xref": "x", "xanchor": anchor, "y": 0.0,
                            "yref": "paper", "yanchor": "top", "yshift": -tick_block, "showarrow": False,
                            "font": end_font, "name": f"axis:{key}"})  # fmt: skip
    shapes: list[dict[str, Any]] = []
    if outside_used:
        zone_px = (_OUTSIDE_ZONE[1] - _OUTSIDE_ZONE[0]) / units_per_px - 4
        zone_lines = wrap_text(continuum_text("outside", lang), zone_px, _SMALL)
        end_lines = max(end_lines, len(zone_lines))
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": _OUTSIDE_ZONE[0],
                       "x1": _OUTSIDE_ZONE[1], "y0": 0, "y1": 1, "fillcolor": OUTSIDE_FILL, "line": {"width": 0},
                       "layer": "below"})  # fmt: skip
        annotations.append({"text": "<br>".join(zone_lines), "x": _OUTSIDE_X, "xref": "x", "xanchor": "center",
                            "y": 0.0, "yref": "paper", "yanchor": "top", "yshift": -tick_block, "showarrow": False,
                            "font": end_font, "name": "axis:outside"})  # fmt: skip
    caption_note, caption_h = _caption_annotation(caption, plot_w, tick_block + end_lines * _SMALL_LINE + 12)
    if caption:
        annotations.append(caption_note)
    title, top = _head(title, [t.name for t in traces if t.showlegend is not False], width - 2 * _MARGIN_X)
    annotations += _title_annotation(title, top)
    bottom = tick_block + end_lines * _SMALL_LINE + 12 + caption_h + 10
    fig = go.Figure(
        data=traces,
        layout=_layout(lang, width, round(top + plot_h + bottom),
                       {"l": _MARGIN_X, "r": _MARGIN_X, "t": top, "b": bottom}),
    )  # fmt: skip
    fig.update_layout(annotations=annotations, shapes=shapes)
    fig.update_xaxes(
        range=list(span), tickvals=list(range(0, 101, 10)), showgrid=True, gridcolor=GRID, zeroline=False,
        showline=True, linecolor=INK, ticks="outside", tickcolor=INK, tickfont={"size": _SMALL, "color": INK},
        fixedrange=True,
    )  # fmt: skip
    fig.update_yaxes(range=[0, plot_h], visible=False, fixedrange=True)
    return Chart(fig, _continuum_alt(items, positions, lang, k))


def _continuum_alt(items: Iterable[_Item], positions: pd.DataFrame, lang: str, k: int) -> str:
    described = []
    for item in sorted(items, key=lambda i: i.anchor):
        if item.computed:
            x, low, high = item.computed
            described.append(continuum_text("alt_computed", lang, case=item.case, value=_fmt(x, lang),
                                            low=_fmt(low, lang), high=_fmt(high, lang)))  # fmt: skip
        if item.manual is not None:
            outside = item.manual == _OUTSIDE_X
            key = "alt_outside" if outside else "alt_manual"
            described.append(continuum_text(key, lang, case=item.case, value=_fmt(item.manual, lang)))
    hidden = _hidden_cases(positions)
    if hidden:
        described.append(continuum_text("alt_hidden", lang, k=k, cases=", ".join(c for c, _ in hidden)))
    count = len({item.case for item in items})
    return continuum_text("alt_continuum", lang, count=count, items="; ".join(described) or continuum_text(
        "alt_none", lang))  # fmt: skip


def matrix_caption(positions: pd.DataFrame, lang: str, *, k: int = 3) -> str:
    """The matrix's default caption: what a point is, the cuts, n per case and the hidden cases."""
    _check(positions, lang)
    parts = [continuum_text("caption_matrix", lang)]
    shown = _matrix_rows(positions)
    if len(shown) > MATRIX_LABEL_LIMIT:
        parts.append(continuum_text("caption_unlabelled", lang, limit=MATRIX_LABEL_LIMIT))
    if shown:
        counts = ", ".join(f"{r.case}\u00a0{int(r.n)}" for r in shown)
        parts.append(continuum_text("caption_n", lang, counts=counts))
    hidden = [(str(r.case), int(r.n)) for r in positions.itertuples(index=False) if bool(r.hidden)]
    if hidden:
        cases = ", ".join(continuum_text("hidden_case", lang, case=c, n=n) for c, n in hidden)
        parts.append(continuum_text("caption_hidden", lang, k=k, cases=cases))
    return " ".join(parts)


# Beyond this many points, labels cannot all sit beside their markers in a 170 mm figure, and
# placing them costs time that grows faster than the square of the number of cases.
MATRIX_LABEL_LIMIT = 40


def _matrix_rows(positions: pd.DataFrame) -> list[Any]:
    return [
        r for r in positions.itertuples(index=False)
        if not bool(r.hidden) and _is_set(r.co_design) and _is_set(r.co_delivery)
    ]  # fmt: skip


def _place_labels(
    markers: list[tuple[float, float]],
    sizes: list[tuple[float, float]],
    area: tuple[float, float],
    regions: list[Box],
    marker_r: float,
    *,
    give_up: bool = False,
) -> list[tuple[float, float]] | None:
    """Label centres (px) that overlap no other label and stay inside ``area``, nearest first.

    Candidates lie on a grid of offsets around each marker, tried nearest first; a candidate is
    charged for touching a marker or a region name, and for a leader line through another
    label. When no candidate near the marker is free, the whole area is searched; when none is
    free at all, ``None`` if ``give_up``, else the label goes over its marker.
    """
    marker_boxes = [(x - marker_r, y - marker_r, x + marker_r, y + marker_r) for x, y in markers]
    placed: list[Box] = []
    centres: list[tuple[float, float]] = []
    steps = [i / 2 for i in range(-12, 13)]
    for (mx, my), (w, h) in zip(markers, sizes, strict=True):
        ux, uy = w / 2 + marker_r + 3, h / 2 + marker_r + 3
        near = [(mx + fx * ux, my + fy * uy) for fx in steps for fy in steps if abs(fx) >= 1 or abs(fy) >= 1]
        near.sort(key=lambda c: math.hypot(c[0] - mx, c[1] - my))
        far = [
            (x + w / 2, y + h / 2) for x in range(0, int(area[0] - w) + 1, 6) for y in range(0, int(area[1] - h) + 1, 6)
        ]
        best: tuple[float, tuple[float, float]] | None = None
        for candidates in (near, far):
            for cx, cy in candidates:
                box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
                if box[0] < 0 or box[1] < 0 or box[2] > area[0] or box[3] > area[1]:
                    continue
                if any(overlaps(box, other) for other in placed):
                    continue
                penalty = 1000 * sum(overlaps(box, m) for m in marker_boxes)
                penalty += 200 * sum(overlaps(box, region) for region in regions)
                gap = math.hypot(max(abs(cx - mx) - w / 2, 0.0), max(abs(cy - my) - h / 2, 0.0))
                if gap > marker_r + 6:
                    penalty += 300 * sum(crosses((mx, my), (cx, cy), other) for other in placed)
                cost = penalty + math.hypot(cx - mx, cy - my)
                if best is None or cost < best[0]:
                    best = (cost, (cx, cy))
                if penalty == 0 and candidates is near:
                    break  # nearest first: nothing closer is free
            if best is not None and best[0] < 1000:
                break
        if best is None:  # no free place: the caller makes the area taller, or the label goes on top
            if give_up:
                return None
            best = (0.0, (min(max(mx, w / 2), area[0] - w / 2), min(max(my, h / 2), area[1] - h / 2)))
        cx, cy = best[1]
        placed.append((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
        centres.append((cx, cy))
    return centres


def _regions(plot_w: float, plot_h: float, lang_i: int) -> tuple[list[Box], list[dict[str, Any]]]:
    """The nine region names at the top left of their cells: their px boxes and annotations."""
    boxes: list[Box] = []
    annotations: list[dict[str, Any]] = []
    edges = (0.0, *CUTS, 100.0)
    for (col, row), names in REGION_NAMES.items():
        x0, x1, y1 = edges[col], edges[col + 1], edges[row + 1]
        lines = wrap_text(names[lang_i], (x1 - x0) / 100 * plot_w - 8, 10)
        left, top = x0 / 100 * plot_w, y1 / 100 * plot_h
        box_w = max(text_width(line, 10) for line in lines)
        boxes.append((left + 3, top - 3 - len(lines) * 13, left + 5 + box_w, top - 2))
        annotations.append({"text": "<br>".join(lines), "x": x0, "y": y1, "xref": "x", "yref": "y",
                            "xanchor": "left", "yanchor": "top", "xshift": 3, "yshift": -2, "align": "left",
                            "showarrow": False, "font": {"size": 10, "color": REGION_TEXT},
                            "name": f"region:{col}{row}"})  # fmt: skip
    return boxes, annotations


def matrix_figure(
    positions: pd.DataFrame,
    lang: str,
    *,
    title: str | None = None,
    caption: str | None = None,
    k: int = 3,
    width_mm: float = 170.0,
) -> Chart:
    """The shown cases by ``co_design`` (x) and ``co_delivery`` (y), with the nine named regions.

    Parameters are those of :func:`continuum_figure`; ``caption=None`` gives :func:`matrix_caption`.
    Labels are placed beside their marker, or further out with a leader line, where they collide
    with no other label, marker or region name.
    """
    _check(positions, lang)
    title = continuum_text("matrix_title", lang) if title is None else title
    caption = matrix_caption(positions, lang, k=k) if caption is None else caption
    width = round(width_mm * PX_PER_MM)
    margin_l, margin_r = 58, 16
    plot_w = width - margin_l - margin_r
    lang_i = _LANGS.index(lang)
    shown = sorted(_matrix_rows(positions), key=lambda r: (-float(r.co_delivery), float(r.co_design), str(r.case)))
    marker_r = 6
    wrapped = [wrap_text(str(r.case), plot_w * 0.4, _LABEL_SIZE) for r in shown]
    sizes = [(max(text_width(line, _LABEL_SIZE) for line in lines) + 4, len(lines) * _LINE + 2) for lines in wrapped]
    # Square, so both sub-indices share one scale, unless the labels need more room: then taller.
    plot_h = plot_w
    labelled = shown if len(shown) <= MATRIX_LABEL_LIMIT else []
    sizes = sizes if labelled else []
    for attempt in range(8):
        regions, annotations = _regions(plot_w, plot_h, lang_i)
        markers = [(float(r.co_design) / 100 * plot_w, float(r.co_delivery) / 100 * plot_h) for r in labelled]
        centres = _place_labels(markers, sizes, (plot_w, plot_h), regions, marker_r, give_up=attempt < 7)
        if centres is not None:
            break
        plot_h = round(plot_h * 1.2)
    assert centres is not None
    for r, lines, (w, h), (mx, my), (cx, cy) in zip(labelled, wrapped, sizes, markers, centres, strict=False):
        # A leader line from the label to its marker unless the label is right beside it.
        gap = math.hypot(max(abs(cx - mx) - w / 2, 0.0), max(abs(cy - my) - h / 2, 0.0))
        annotations.append({
            "text": "<br>".join(html.escape(line, quote=False) for line in lines), "x": float(r.co_design),
            "y": float(r.co_delivery), "xref": "x", "yref": "y",
            "showarrow": True, "ax": cx - mx, "ay": -(cy - my), "axref": "pixel", "ayref": "pixel", "arrowhead": 0,
            "arrowwidth": 0.8, "arrowcolor": CONNECTOR_COLOUR if gap > marker_r + 6 else "rgba(0,0,0,0)",
            "standoff": marker_r, "font": {"size": _LABEL_SIZE, "color": INK}, "bgcolor": "rgba(255,255,255,0.85)",
            "name": f"case:{r.case}",
        })  # fmt: skip
    traces = []
    if shown:
        hovers = [
            continuum_text("hover_matrix", lang, case=html.escape(str(r.case), quote=False),
                           x=_fmt(float(r.co_design), lang, 1), y=_fmt(float(r.co_delivery), lang, 1), n=int(r.n))
            for r in shown
        ]  # fmt: skip
        traces.append(go.Scatter(
            x=[float(r.co_design) for r in shown], y=[float(r.co_delivery) for r in shown], mode="markers",
            name=continuum_text("legend_computed", lang).split(" (")[0], showlegend=False, customdata=hovers,
            hovertemplate="%{customdata}<extra></extra>",
            marker={"symbol": "circle", "size": 2 * marker_r, "color": COMPUTED_COLOUR,
                    "line": {"color": BACKGROUND, "width": 1}},
        ))  # fmt: skip
    axis_block = 44
    caption_note, caption_h = _caption_annotation(caption, plot_w, axis_block)
    if caption:
        annotations.append(caption_note)
    title, top = _head(title, [], plot_w)
    top += 4
    annotations += _title_annotation(title, top)
    bottom = axis_block + caption_h + 10
    fig = go.Figure(
        data=traces,
        layout=_layout(lang, width, round(top + plot_h + bottom),
                       {"l": margin_l, "r": margin_r, "t": top, "b": bottom}),
    )  # fmt: skip
    shapes = [
        {"type": "line", "xref": "x", "yref": "y", "x0": c, "x1": c, "y0": 0, "y1": 100,
         "line": {"color": CONNECTOR_COLOUR, "width": 1, "dash": "dash"}, "layer": "below"}
        for c in CUTS
    ] + [
        {"type": "line", "xref": "x", "yref": "y", "x0": 0, "x1": 100, "y0": c, "y1": c,
         "line": {"color": CONNECTOR_COLOUR, "width": 1, "dash": "dash"}, "layer": "below"}
        for c in CUTS
    ]  # fmt: skip
    fig.update_layout(annotations=annotations, shapes=shapes, showlegend=False)
    axis = {"range": [0, 100], "tickvals": [0, *CUTS, 100], "showgrid": False, "zeroline": False, "showline": True,
            "linecolor": INK, "mirror": True, "ticks": "outside", "tickcolor": INK, "fixedrange": True,
            "tickfont": {"size": _SMALL, "color": INK}}  # fmt: skip
    fig.update_xaxes(axis, title={"text": continuum_text("axis_x_matrix", lang), "font": {"size": _SMALL, "color": INK},
                                  "standoff": 6})  # fmt: skip
    fig.update_yaxes(axis, title={"text": continuum_text("axis_y_matrix", lang), "font": {"size": _SMALL, "color": INK},
                                  "standoff": 4})  # fmt: skip
    return Chart(fig, _matrix_alt(shown, positions, lang, k))


def _region(value: float) -> int:
    return 0 if value < CUTS[0] else (1 if value < CUTS[1] else 2)


def _matrix_alt(shown: list[Any], positions: pd.DataFrame, lang: str, k: int) -> str:
    lang_i = _LANGS.index(lang)
    described = [
        f"{r.case} ({_fmt(float(r.co_design), lang)}, {_fmt(float(r.co_delivery), lang)}: "
        f"{REGION_NAMES[_region(float(r.co_design)), _region(float(r.co_delivery))][lang_i].lower()})"
        for r in shown
    ]
    hidden = [str(r.case) for r in positions.itertuples(index=False) if bool(r.hidden)]
    if hidden:
        described.append(continuum_text("alt_hidden", lang, k=k, cases=", ".join(hidden)))
    items = "; ".join(described) or continuum_text("alt_none", lang)
    return continuum_text("alt_matrix", lang, count=len(shown), items=items)
