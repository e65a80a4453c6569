"""Figures of two survey waves: one case's change on a family of measures, and the cases' moves on the continuum.

House style of :mod:`samskaping.figures`: explicit template and colours, every text in English or
Norwegian bokmål, a text alternative with every chart. Colour never carries meaning alone: the first
wave is a hollow grey circle, the second a filled blue circle, and an arrow runs from the first to the
second; every row also states its numbers. Anything with n < k in either wave (methods.md §7) is drawn
as "hidden, n < k" without a number.

**Change figure.** Two panels sharing the measures as rows: left, the case's mean in each wave with an
arrow from the first to the second (a dumbbell with direction); right, the change (second − first) with
its Welch interval (:func:`samskaping.waves.compare_waves`) and a line at 0. No arrow where the change rounds
to 0 at the displayed precision (2 decimals on 1–5, 1 on 0–100).

**Continuum arrows.** The thin → thick axis (0–100) with the end labels of
:mod:`samskaping.figures_continuum`; one row per case (so labels never overlap), a hollow circle at the
first wave's thickness, a filled circle at the second's and an arrow between them. Hidden cases get a
row saying "hidden, n < k" and no position.
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from samskaping.codebook import Codebook, Measure
from samskaping.figures import BACKGROUND, INK, TEMPLATE, Chart, _wrap
from samskaping.figures_continuum import FONT, PX_PER_MM, continuum_text
from samskaping.text_layout import text_width, wrap_text
from samskaping.waves import MOVE_COLUMNS, WaveComparison

__all__ = [
    "AFTER_COLOUR",
    "ARROW_COLOUR",
    "BEFORE_COLOUR",
    "CHANGE_COLOUR",
    "FAMILIES",
    "change_figure",
    "continuum_arrows_figure",
    "waves_text",
]

# Graphical objects need ≥ 3:1 against the white background (WCAG 1.4.11); these also reach 4.5:1.
BEFORE_COLOUR = "#767676"  # grey, hollow circle: 4.5:1
AFTER_COLOUR = "#0072B2"  # Okabe–Ito blue, filled circle: 5.1:1
ARROW_COLOUR = AFTER_COLOUR
CHANGE_COLOUR = INK
_ZERO_LINE = "#767676"
_BAND_LINE = "#444444"
_MARKER = 11  # px, marker diameter
_EDGE = 16  # px, the arrows figure's outer margin
_TICK_SIZE = 11  # px, the arrows figure's row labels
_TICK_LINE = 14  # px per line of a row label
_LANGS = ("en", "nb")
# Which measures a family argument draws: codebook families, plus "continuum" = sub-indices and thickness.
FAMILIES: dict[str, tuple[str, ...]] = {
    "factor": ("factor",),
    "category": ("category",),
    "barrier": ("barrier",),
    "subindex": ("subindex",),
    "thickness": ("thickness",),
    "continuum": ("subindex", "thickness"),
}
_RANGES = {"likert5": (1.0, 5.0), "score100": (0.0, 100.0), "index100": (0.0, 100.0)}
_MIN_SPAN = {"likert5": 0.5, "score100": 10.0, "index100": 10.0}  # smallest half-width of the change axis

# key -> (English, Norwegian bokmål)
_LABELS: dict[str, tuple[str, str]] = {
    "hidden": ("hidden, n < {k}", "skjult, n < {k}"),
    "family_factor": ("Success factors", "Suksessfaktorer"),
    "family_category": ("Categories", "Kategorier"),
    "family_barrier": ("Barriers", "Barrierer"),
    "family_subindex": ("Continuum sub-indices", "Delindekser for kontinuumet"),
    "family_thickness": ("Thickness", "Tykkelse"),
    "family_continuum": ("Continuum", "Kontinuum"),
    "change_title": ("{family}: {case}, {a} → {b}", "{family}: {case}, {a} → {b}"),
    "panel_means": ("Mean, {a} → {b}", "Gjennomsnitt, {a} → {b}"),
    "panel_change": ("Change {b} − {a} ({level} % interval)", "Endring {b} − {a} ({level} %-intervall)"),
    "axis_likert5": ("Mean (1–5)", "Gjennomsnitt (1–5)"),
    "axis_score100": ("Mean (1–100, higher = bigger barrier)", "Gjennomsnitt (1–100, høyere = større barriere)"),
    "axis_index100": ("Mean (0–100, 100 = thick co-creation)", "Gjennomsnitt (0–100, 100 = tykk samskaping)"),
    "axis_change": ("Change", "Endring"),
    "legend_change": ("change ({level} % interval, Welch)", "endring ({level} %-intervall, Welch)"),
    "threshold": ("{band} ≥ {value}", "{band} ≥ {value}"),
    "hover_wave": ("{name}: {mean}, n = {n}", "{name}: {mean}, n = {n}"),
    "hover_change": ("Change: {change} ({level} % interval {low} to {high}; df {df})",
                     "Endring: {change} ({level} %-intervall {low} til {high}; fg {df})"),
    "hover_change_flat": ("Change: {change} (every respondent alike: no spread)",
                          "Endring: {change} (alle respondentene likt: ingen spredning)"),
    "hover_change_small": ("Change: {change} (no interval: n < 2 in a wave)",
                           "Endring: {change} (uten intervall: n < 2 i en runde)"),
    "hover_hidden": ("hidden, n < {k} (n = {n_a} and {n_b})", "skjult, n < {k} (n = {n_a} og {n_b})"),
    "alt_change": (
        "Two panels for {family} of {case} ({count} measures shown): the mean in {a} and in {b} with an arrow "
        "between them, and the change {b} − {a} with its {level} % interval. Higher on {up}, lower on {down}, "
        "unchanged on {same}. Interval clear of 0: {clear}. {extremes}{hidden} hidden (n < {k}).",
        "To paneler for {family} i {case} ({count} mål vist): gjennomsnittet i {a} og i {b} med en pil mellom "
        "dem, og endringen {b} − {a} med {level} %-intervall. Høyere på {up}, lavere på {down}, uendret på "
        "{same}. Intervall som ikke omfatter 0: {clear}. {extremes}{hidden} skjult (n < {k}).",
    ),
    "alt_change_none": (
        "{family} of {case}, {a} → {b}: no measure can be shown; {hidden} hidden (n < {k}).",
        "{family} i {case}, {a} → {b}: ingen mål kan vises; {hidden} skjult (n < {k}).",
    ),
    "alt_extremes": ("Largest rise: {up}. Largest fall: {down}. ", "Største økning: {up}. Største nedgang: {down}. "),
    "alt_none": ("none", "ingen"),
    "arrows_title": ("Cases on the continuum from thin to thick co-creation, {a} → {b}",
                     "Casene på kontinuumet fra tynn til tykk samskaping, {a} → {b}"),
    "legend_before": ("{a}", "{a}"),
    "legend_after": ("{b} (arrow from {a})", "{b} (pil fra {a})"),
    "hover_move": ("<b>{case}</b><br>{a}: {before} (n = {n_a})<br>{b}: {after} (n = {n_b})<br>change {change}",
                   "<b>{case}</b><br>{a}: {before} (n = {n_a})<br>{b}: {after} (n = {n_b})<br>endring {change}"),
    "tick_move": ("{before} → {after}", "{before} → {after}"),
    "caption_arrows": (
        "Hollow circle: {a}; filled circle and arrow: {b}. Position = the mean thickness of the case's respondents "
        "(0 = thinnest, 100 = thickest); the waves are independent samples of respondents.",
        "Åpen sirkel: {a}; fylt sirkel og pil: {b}. Posisjon = gjennomsnittlig tykkelse blant respondentene i caset "
        "(0 = tynnest, 100 = tykkest); rundene er uavhengige utvalg av respondenter.",
    ),
    "caption_n": ("n per case ({a} → {b}): {counts}.", "n per case ({a} → {b}): {counts}."),
    "caption_hidden": ("Hidden, n < {k} in a wave: {cases}.", "Skjult, n < {k} i en runde: {cases}."),
    "alt_arrows": (
        "Continuum from co-creation (thin, 0) to co-production (thick, 100), {a} to {b}, {count} cases: {items}.",
        "Kontinuum fra tynn samskaping (0) til tykk samskaping (100), {a} til {b}, {count} case: {items}.",
    ),
    "alt_thicker": ("{case} from {before} to {after} (thicker by {size})",
                    "{case} fra {before} til {after} (tykkere med {size})"),
    "alt_thinner": ("{case} from {before} to {after} (thinner by {size})",
                    "{case} fra {before} til {after} (tynnere med {size})"),
    "alt_same": ("{case} unchanged at {after}", "{case} uendret på {after}"),
    "alt_hidden": ("hidden, n < {k}: {cases}", "skjult, n < {k}: {cases}"),
}  # fmt: skip


def waves_text(key: str, lang: str, **fields: Any) -> str:
    """A label of these figures in ``lang`` (``"en"`` or ``"nb"``) with ``fields`` filled in.

    Raises
    ------
    ValueError
        For a language other than ``en`` and ``nb``.
    """
    if lang not in _LANGS:
        raise ValueError(f"unknown language {lang!r}; use 'en' or 'nb'")
    return _LABELS[key][_LANGS.index(lang)].format(**fields)


def _fmt(value: float, decimals: int, lang: str) -> str:
    text = f"{value:.{decimals}f}"
    return text.replace(".", ",") if lang == "nb" else text


def _signed(value: float, decimals: int, lang: str) -> str:
    """+0.50, −0.25, ±0.00 (the minus sign, not a hyphen)."""
    text = _fmt(abs(value), decimals, lang)
    if text.strip("0,.") == "":
        return "±" + text
    return ("+" if value > 0 else "−") + text


def _moved(change: float, decimals: int) -> bool:
    """Whether a change shows at the displayed precision: no arrow (and "unchanged") for one that rounds to 0."""
    return round(abs(change), decimals) > 0


def _level(confidence: float, lang: str) -> str:
    return _fmt(confidence * 100, 0 if float(confidence * 100).is_integer() else 1, lang)


def _layout(title: str, lang: str, width: int, height: int, margin: dict[str, int]) -> dict[str, Any]:
    return {
        "template": TEMPLATE, "width": width, "height": height, "autosize": False, "margin": margin,
        "separators": ", " if lang == "nb" else ".,", "paper_bgcolor": BACKGROUND, "plot_bgcolor": BACKGROUND,
        "title": {"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 15, "color": INK}},
        "font": {"family": FONT, "size": 12, "color": INK},
        "hoverlabel": {"bgcolor": BACKGROUND, "bordercolor": INK, "font": {"color": INK}},
        "legend": {"orientation": "h", "x": 0.0, "xanchor": "left", "y": 1.0, "yanchor": "bottom",
                   "font": {"color": INK, "size": 11}, "bgcolor": BACKGROUND},
    }  # fmt: skip


def _arrow(name: str, tail: float, head: float, y: float, xref: str, yref: str) -> dict[str, Any]:
    """An arrow annotation from ``tail`` to ``head`` (data units) on row ``y``, clear of the two markers."""
    return {
        "name": name, "text": "", "x": head, "y": y, "ax": tail, "ay": y, "xref": xref, "yref": yref,
        "axref": xref, "ayref": yref, "showarrow": True, "arrowhead": 2, "arrowsize": 1.1, "arrowwidth": 1.8,
        "arrowcolor": ARROW_COLOUR, "standoff": _MARKER / 2, "startstandoff": _MARKER / 2,
    }  # fmt: skip


def _measures(codebook: Codebook, family: str) -> tuple[Measure, ...]:
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {', '.join(FAMILIES)}, got {family!r}")
    measures = tuple(m for m in codebook.measures if m.family in FAMILIES[family])
    if not measures:
        raise ValueError(f"the codebook has no {family} measures")
    return measures


def _shown(row: pd.Series | None) -> bool:
    return (
        row is not None
        and not bool(row["hidden"])
        and not pd.isna(row["mean_before"])
        and not pd.isna(row["mean_after"])
    )


def change_figure(
    comparison: WaveComparison,
    case: str,
    codebook: Codebook,
    lang: str,
    family: str = "factor",
    *,
    title: str | None = None,
) -> Chart:
    """One case's change between two waves on every measure of a family.

    Parameters
    ----------
    comparison : WaveComparison
        :func:`samskaping.waves.compare_waves` (anonymity applied).
    case : str
        A case present in both waves; ``ValueError`` otherwise.
    codebook : Codebook
        Measure names and scales, band thresholds and names.
    lang : {"en", "nb"}
        Language of every text in the figure.
    family : str
        A key of :data:`FAMILIES`: ``factor`` (default), ``category``, ``barrier``, ``subindex``,
        ``thickness`` or ``continuum`` (sub-indices and thickness).
    title : str, optional
        ``None`` gives the default title.

    Returns
    -------
    Chart
        Left panel: the mean in each wave, an arrow from the first to the second (Wilder band lines on
        1–5). Right panel: the change with its interval and a line at 0. Measures in codebook order;
        hidden ones (n < k in a wave) say "hidden, n < k" with no number.
    """
    if lang not in _LANGS:
        raise ValueError(f"unknown language {lang!r}; use 'en' or 'nb'")
    measures = _measures(codebook, family)
    if case not in comparison.cases:
        raise ValueError(f"case {case!r} is not in both waves")
    a, b = comparison.labels
    k, level = comparison.k, _level(comparison.confidence, lang)
    table = comparison.table
    rows = {row["measure"]: row for _, row in table[table["case"] == case].iterrows()}
    scale = measures[0].scale
    decimals = 2 if scale == "likert5" else 1
    low_end, high_end = _RANGES.get(scale, (0.0, 100.0))
    family_name = waves_text(f"family_{family}", lang)
    title = waves_text("change_title", lang, family=family_name, case=case, a=a, b=b) if title is None else title
    ys = list(range(len(measures)))
    labels = [_wrap(m.name.get(lang), 36) for m in measures]
    shown = [(y, m, rows[m.id]) for y, m in zip(ys, measures, strict=True) if _shown(rows.get(m.id))]
    hidden = [(y, m, rows.get(m.id)) for y, m in zip(ys, measures, strict=True) if not _shown(rows.get(m.id))]
    height = max(320, 30 * len(measures) + 190)
    fig = make_subplots(
        rows=1, cols=2, shared_yaxes=True, column_widths=[0.6, 0.4], horizontal_spacing=0.07,
        subplot_titles=[waves_text("panel_means", lang, a=a, b=b), waves_text("panel_change", lang, a=a, b=b,
                                                                                 level=level)],
        figure=go.Figure(layout={"template": TEMPLATE}),
    )  # fmt: skip
    annotations: list[dict[str, Any]] = []
    for name, side, symbol, colour in ((a, "before", "circle-open", BEFORE_COLOUR),
                                       (b, "after", "circle", AFTER_COLOUR)):  # fmt: skip
        hovers = [
            f"<b>{m.name.get(lang)}</b><br>"
            + waves_text("hover_wave", lang, name=name, mean=_fmt(float(r[f"mean_{side}"]), decimals, lang),
                         n=int(r[f"n_{side}"]))
            for _, m, r in shown
        ]  # fmt: skip
        fig.add_trace(
            go.Scatter(
                x=[float(r[f"mean_{side}"]) for _, _, r in shown], y=[y for y, _, _ in shown], mode="markers",
                name=waves_text(f"legend_{side}", lang, a=a, b=b), customdata=hovers,
                hovertemplate="%{customdata}<extra></extra>",
                marker={"symbol": symbol, "size": _MARKER, "color": colour,
                        "line": {"color": colour if side == "before" else BACKGROUND, "width": 2 if side == "before"
                                 else 1}},
            ),
            row=1, col=1,
        )  # fmt: skip
    for y, m, r in shown:
        if _moved(float(r["change"]), decimals):
            annotations.append(_arrow(f"arrow:{m.id}", float(r["mean_before"]), float(r["mean_after"]), y, "x", "y"))
    change_hovers, plus, minus = [], [], []
    for _, m, r in shown:
        change, low, high = float(r["change"]), float(r["change_low"]), float(r["change_high"])
        signed = _signed(change, decimals, lang)
        if r["method"] == "welch":
            note = waves_text("hover_change", lang, change=signed, level=level, low=_signed(low, decimals, lang),
                              high=_signed(high, decimals, lang), df=_fmt(float(r["df"]), 1, lang))  # fmt: skip
        elif math.isnan(low):
            note = waves_text("hover_change_small", lang, change=signed)
        else:
            note = waves_text("hover_change_flat", lang, change=signed)
        change_hovers.append(f"<b>{m.name.get(lang)}</b><br>{note}")
        plus.append(0.0 if math.isnan(high) else high - change)
        minus.append(0.0 if math.isnan(low) else change - low)
    if shown:
        fig.add_trace(
            go.Scatter(
                x=[float(r["change"]) for _, _, r in shown], y=[y for y, _, _ in shown], mode="markers",
                name=waves_text("legend_change", lang, level=level), customdata=change_hovers,
                hovertemplate="%{customdata}<extra></extra>",
                marker={"symbol": "diamond", "size": 10, "color": CHANGE_COLOUR, "line": {"color": BACKGROUND,
                                                                                          "width": 1}},
                error_x={"type": "data", "array": plus, "arrayminus": minus, "color": CHANGE_COLOUR,
                         "thickness": 1.5, "width": 4, "visible": True},
            ),
            row=1, col=2,
        )  # fmt: skip
    hidden_text = waves_text("hidden", lang, k=k)
    for y, m, r in hidden:
        n_a, n_b = (0, 0) if r is None else (int(r["n_before"]), int(r["n_after"]))
        annotations.append({
            "name": f"hidden:{m.id}", "text": hidden_text, "x": low_end, "y": y, "xref": "x", "yref": "y",
            "xanchor": "left", "xshift": 4, "showarrow": False, "font": {"size": 11, "color": INK},
            "hovertext": waves_text("hover_hidden", lang, k=k, n_a=n_a, n_b=n_b),
        })  # fmt: skip
    reach = [abs(v) for _, _, r in shown for v in (r["change"], r["change_low"], r["change_high"]) if not pd.isna(v)]
    half = max([_MIN_SPAN.get(scale, 10.0), *(1.1 * v for v in reach)])
    fig.add_vline(x=0, line={"color": _ZERO_LINE, "width": 1}, row=1, col=2)
    if scale == "likert5":
        t = codebook.thresholds
        for band, value in (("borderline", t.band_borderline), ("strength", t.band_strength)):
            fig.add_vline(
                x=value, line={"color": _BAND_LINE, "dash": "dash", "width": 1}, row=1, col=1,
                annotation_position="top", annotation_font={"color": INK, "size": 10},
                annotation_text=waves_text("threshold", lang, band=codebook.bands[band].get(lang),
                                           value=_fmt(value, 1, lang)),
            )  # fmt: skip
    fig.update_annotations(font={"color": INK, "size": 12})  # the panel titles and band lines so far
    fig.update_annotations(selector={"yref": "paper"}, yshift=18)  # panel titles above the band-line labels
    for annotation in annotations:
        fig.add_annotation(annotation)
    fig.update_xaxes(row=1, col=1, range=[low_end, high_end], dtick=1 if scale == "likert5" else 10,
                     title={"text": waves_text(f"axis_{scale}", lang)}, color=INK)  # fmt: skip
    fig.update_xaxes(row=1, col=2, range=[-half, half], zeroline=False, title={"text": waves_text("axis_change", lang)},
                     color=INK)  # fmt: skip
    fig.update_yaxes(tickmode="array", tickvals=ys, ticktext=labels, showgrid=False, zeroline=False,
                     range=[len(ys) - 0.5, -0.5], automargin=True, color=INK)  # fmt: skip
    fig.update_layout(_layout(title, lang, 900, height, {"t": 110, "r": 20, "b": 95}))
    fig.update_layout(legend={"y": 0.0, "yref": "container", "yanchor": "bottom", "x": 0.0, "xref": "container"})
    return Chart(fig, _change_alt(shown, hidden, family_name, case, comparison, lang, decimals, level))


def _change_alt(
    shown: list, hidden: list, family: str, case: str, comparison: WaveComparison, lang: str, decimals: int, level: str
) -> str:
    a, b = comparison.labels
    k = comparison.k
    if not shown:
        return waves_text("alt_change_none", lang, family=family, case=case, a=a, b=b, hidden=len(hidden), k=k)
    changes = [(float(r["change"]) if _moved(float(r["change"]), decimals) else 0.0, m.name.get(lang))
               for _, m, r in shown]  # fmt: skip
    clear = [
        f"{m.name.get(lang)} ({_signed(float(r['change']), decimals, lang)})"
        for _, m, r in shown
        if r["method"] == "welch" and (float(r["change_low"]) > 0 or float(r["change_high"]) < 0)
    ]
    extremes = ""
    rise, fall = max(changes), min(changes)
    if rise[0] > 0 and fall[0] < 0:
        extremes = waves_text("alt_extremes", lang, up=f"{rise[1]} ({_signed(rise[0], decimals, lang)})",
                              down=f"{fall[1]} ({_signed(fall[0], decimals, lang)})")  # fmt: skip
    return waves_text(
        "alt_change", lang, family=family.lower(), case=case, count=len(shown),
        a=a, b=b, level=level, up=sum(c > 0 for c, _ in changes), down=sum(c < 0 for c, _ in changes),
        same=sum(c == 0 for c, _ in changes), clear="; ".join(clear) or waves_text("alt_none", lang),
        extremes=extremes, hidden=len(hidden), k=k,
    )  # fmt: skip


def continuum_arrows_figure(
    moves: pd.DataFrame,
    lang: str,
    labels: tuple[str, str] = ("2024", "2025"),
    *,
    k: int = 3,
    title: str | None = None,
    caption: str | None = None,
    width_mm: float = 170.0,
) -> Chart:
    """Each case's move along the thin → thick continuum between two waves, one row per case.

    Parameters
    ----------
    moves : DataFrame
        :func:`samskaping.waves.continuum_moves` (:data:`~samskaping.waves.MOVE_COLUMNS`).
    lang : {"en", "nb"}
        Language of every text in the figure.
    labels : (str, str)
        Names of the two waves.
    k : int
        The anonymity threshold the positions were made with (for "hidden, n < k").
    title, caption : str, optional
        ``None`` gives the default; ``""`` leaves it out.
    width_mm : float
        Print width (export at the same width).

    Returns
    -------
    Chart
        A hollow circle at the first wave's thickness, a filled circle at the second's and an arrow
        annotation (``name="move:<case>"``, tail ``ax`` = first, head ``x`` = second) between them;
        no arrow when the change rounds to 0.0 (the alt text says "unchanged"). Hidden cases get a row
        with "hidden, n < k" (annotation ``name="hidden:<case>"``) and no position.
    """
    if lang not in _LANGS:
        raise ValueError(f"unknown language {lang!r}; use 'en' or 'nb'")
    missing = [c for c in MOVE_COLUMNS if c not in moves.columns]
    if missing:
        raise ValueError(f"moves lack the columns {', '.join(missing)}")
    a, b = (str(label) for label in labels)
    records = list(moves.itertuples(index=False))
    drawn = {str(r.case) for r in records
             if not bool(r.hidden) and not pd.isna(r.thickness_before) and not pd.isna(r.thickness_after)}  # fmt: skip
    shown = [r for r in records if str(r.case) in drawn]
    hidden = [r for r in records if str(r.case) not in drawn]
    ordered = shown + hidden
    ys = list(range(len(ordered)))
    y_of = {str(r.case): y for r, y in zip(ordered, ys, strict=True)}
    width = round(width_mm * PX_PER_MM)
    title = waves_text("arrows_title", lang, a=a, b=b) if title is None else title
    if caption is None:
        caption = _arrows_caption(shown, hidden, lang, a, b, k)
    ticks: list[list[str]] = []  # the lines of each row's label: the case (wrapped), then "before → after"
    for r in ordered:
        lines = wrap_text(str(r.case), 0.3 * width, _TICK_SIZE)
        if str(r.case) in drawn:
            lines.append(waves_text("tick_move", lang, before=_fmt(float(r.thickness_before), 1, lang),
                                    after=_fmt(float(r.thickness_after), 1, lang)))  # fmt: skip
        ticks.append(lines)
    label_w = max((text_width(line, _TICK_SIZE) for lines in ticks for line in lines), default=0.0)
    margin_l = _EDGE + round(label_w) + 10  # the tick labels sit left of the plot; no automargin
    pitch = _TICK_LINE * max((len(lines) for lines in ticks), default=1) + 16
    traces = []
    for side, symbol, colour in (("before", "circle-open", BEFORE_COLOUR), ("after", "circle", AFTER_COLOUR)):
        hovers = [
            waves_text("hover_move", lang, case=html.escape(str(r.case), quote=False), a=a, b=b,
                       before=_fmt(float(r.thickness_before), 1, lang), after=_fmt(float(r.thickness_after), 1, lang),
                       n_a=int(r.n_before), n_b=int(r.n_after), change=_signed(float(r.change), 1, lang))
            for r in shown
        ]  # fmt: skip
        traces.append(go.Scatter(
            x=[float(getattr(r, f"thickness_{side}")) for r in shown], y=[y_of[str(r.case)] for r in shown],
            mode="markers", name=waves_text(f"legend_{side}", lang, a=a, b=b), customdata=hovers,
            hovertemplate="%{customdata}<extra></extra>", showlegend=True,
            marker={"symbol": symbol, "size": _MARKER, "color": colour,
                    "line": {"color": colour if side == "before" else BACKGROUND,
                             "width": 2 if side == "before" else 1}},
        ))  # fmt: skip
    annotations = [
        _arrow(f"move:{r.case}", float(r.thickness_before), float(r.thickness_after), y_of[str(r.case)], "x", "y")
        for r in shown
        if _moved(float(r.change), 1)
    ]
    hidden_text = waves_text("hidden", lang, k=k)
    annotations += [
        {"name": f"hidden:{r.case}", "text": hidden_text, "x": 0.0, "y": y_of[str(r.case)], "xref": "x", "yref": "y",
         "xanchor": "left", "showarrow": False, "font": {"size": 11, "color": INK}}
        for r in hidden
    ]  # fmt: skip
    for key, x, anchor in (("thin", 0.0, "left"), ("thick", 100.0, "right")):
        annotations.append({"name": f"axis:{key}", "text": continuum_text(key, lang), "x": x, "xref": "x",
                            "xanchor": anchor, "y": 0.0, "yref": "paper", "yanchor": "top", "yshift": -22,
                            "showarrow": False, "font": {"size": 11, "color": INK}})  # fmt: skip
    caption_lines = wrap_text(caption, width - 2 * _EDGE, 11) if caption else []
    if caption_lines:  # from the figure's left edge, not the plot's
        annotations.append({"name": "caption", "text": "<br>".join(caption_lines), "x": 0.0, "xref": "paper",
                            "xanchor": "left", "xshift": _EDGE - margin_l, "y": 0.0, "yref": "paper",
                            "yanchor": "top", "yshift": -44, "align": "left", "showarrow": False,
                            "font": {"size": 11, "color": INK}})  # fmt: skip
    title_lines = wrap_text(title, width - 2 * _EDGE, 15) if title else []
    top = 44 + 19 * len(title_lines)
    bottom = 52 + 14 * len(caption_lines) + 10
    plot_h = pitch * max(len(ordered), 1)
    fig = go.Figure(data=traces, layout=_layout("<br>".join(title_lines), lang, width, top + plot_h + bottom,
                                                {"l": margin_l, "r": _EDGE, "t": top, "b": bottom}))  # fmt: skip
    fig.update_layout(
        annotations=annotations,
        title={"x": _EDGE / width, "xref": "container", "y": 1.0, "yref": "container", "yanchor": "top",
               "pad": {"t": 8}},
        legend={"y": 1.0, "yref": "paper", "yanchor": "bottom"},
    )  # fmt: skip
    fig.update_xaxes(range=[-3, 103], tickvals=list(range(0, 101, 10)), showgrid=True, gridcolor="#E3E3E3",
                     zeroline=False, showline=True, linecolor=INK, ticks="outside", tickcolor=INK,
                     tickfont={"size": 11, "color": INK}, fixedrange=True)  # fmt: skip
    fig.update_yaxes(tickmode="array", tickvals=ys, ticktext=["<br>".join(html.escape(line, quote=False)
                     for line in lines) for lines in ticks], range=[len(ordered) - 0.5, -0.5], showgrid=False,
                     zeroline=False, automargin=False, fixedrange=True,
                     tickfont={"size": _TICK_SIZE, "color": INK})  # fmt: skip
    return Chart(fig, _arrows_alt(shown, hidden, lang, a, b, k))


def _arrows_caption(shown: list, hidden: list, lang: str, a: str, b: str, k: int) -> str:
    parts = [waves_text("caption_arrows", lang, a=a, b=b)]
    if shown:
        counts = ", ".join(f"{r.case}\u00a0{int(r.n_before)}\u00a0→\u00a0{int(r.n_after)}" for r in shown)
        parts.append(waves_text("caption_n", lang, a=a, b=b, counts=counts))
    if hidden:
        cases = ", ".join(f"{r.case} (n\u00a0=\u00a0{int(r.n_before)}\u00a0→\u00a0{int(r.n_after)})" for r in hidden)
        parts.append(waves_text("caption_hidden", lang, k=k, cases=cases))
    return " ".join(parts)


def _arrows_alt(shown: list, hidden: list, lang: str, a: str, b: str, k: int) -> str:
    items = []
    for r in shown:
        before, after = float(r.thickness_before), float(r.thickness_after)
        fields = {"case": r.case, "before": _fmt(before, 1, lang), "after": _fmt(after, 1, lang),
                  "size": _fmt(abs(after - before), 1, lang)}  # fmt: skip
        key = "alt_same" if not _moved(after - before, 1) else "alt_thicker" if after > before else "alt_thinner"
        items.append(waves_text(key, lang, **fields))
    if hidden:
        items.append(waves_text("alt_hidden", lang, k=k, cases=", ".join(str(r.case) for r in hidden)))
    return waves_text("alt_arrows", lang, a=a, b=b, count=len(shown),
                      items="; ".join(items) or waves_text("alt_none", lang))  # fmt: skip
