"""Figures of group comparisons (methods.md §6): a dumbbell of two groups' means, a perception-gap heatmap.

Same house style as :mod:`samskaping.figures`: explicit template and colours (streamlit's placeholder
template would otherwise leak into static exports), every text in English or Norwegian, a text
alternative with every chart, and colour never the only carrier of meaning (the two groups also differ
in marker shape; every heatmap cell shows its number). Anything from fewer than k respondents is
drawn as "hidden, n < k" without a statistic (methods.md §7).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from scipy import stats

from samskaping.codebook import Codebook, Measure
from samskaping.figures import (
    BACKGROUND,
    HIDDEN_COLOUR,
    INK,
    TEMPLATE,
    TEXT_ON,
    Chart,
    _fmt,
    _layout,
    _wrap,
    cell_labels,
)

__all__ = ["GAP_COLOURS", "GAP_TEXT_ON", "GROUP_COLOURS", "GROUP_SYMBOLS", "compare_text", "dumbbell",
           "gap_heatmap", "mean_interval"]  # fmt: skip

# Group a, group b: Okabe–Ito blue and vermillion, each ≥ 3:1 against the white background (WCAG 1.4.11);
# municipality sorts first, so it keeps the blue it has in the other figures.
GROUP_COLOURS: tuple[str, str] = ("#0072B2", "#D55E00")
GROUP_SYMBOLS: tuple[str, str] = ("circle", "diamond")
_CONNECTOR = "#767676"  # the line between the two means (4.5:1 on white)
_DODGE = 0.14  # the two groups' markers sit this far above and below their measure's row
_BAND_LINE = "#444444"
# Perception gap classes, municipality − social enterprise: −3 (social enterprise clearly higher) … +3
# (municipality clearly higher), ColorBrewer RdBu; blue for the municipality as elsewhere.
GAP_COLOURS: dict[int, str] = {-3: "#B2182B", -2: "#EF8A62", -1: "#FDDBC7", 0: "#F7F7F7", 1: "#D1E5F0",
                               2: "#67A9CF", 3: "#2166AC"}  # fmt: skip
GAP_TEXT_ON: dict[str, str] = {c: "#FFFFFF" if c in ("#B2182B", "#2166AC") else "#000000" for c in GAP_COLOURS.values()}
# Class edges as fractions of the codebook's "large gap" (1.0 on 1–5, 20 on 0–100): ⅕, ½ and 1.
_GAP_FRACTIONS = (0.2, 0.5, 1.0)
_RANGES = {"likert5": (1.0, 5.0), "score100": (0.0, 100.0), "index100": (0.0, 100.0)}
_LANGS = ("en", "nb")

_LABELS: dict[str, tuple[str, str]] = {
    "hidden": ("hidden, n < {k}", "skjult, n < {k}"),
    "hidden_cell": ("n<{k}", "n<{k}"),
    "hidden_n": ("hidden, n < {k} (n = {n_a} and {n_b})", "skjult, n < {k} (n = {n_a} og {n_b})"),
    "title_likert5": ("Success factors: {a} and {b}", "Suksessfaktorer: {a} og {b}"),
    "title_score100": ("Barriers: {a} and {b}", "Barrierer: {a} og {b}"),
    "title_index100": ("Continuum: {a} and {b}", "Kontinuum: {a} og {b}"),
    "subtitle": (
        "Means with 95 % intervals of the mean (t); sorted by the difference {a} − {b}",
        "Gjennomsnitt med 95 % intervall for gjennomsnittet (t); sortert etter differansen {a} − {b}",
    ),
    "subtitle_barrier": (
        "Means with 95 % intervals of the mean (t); sorted by the difference {a} − {b}; higher = bigger barrier",
        "Gjennomsnitt med 95 % intervall for gjennomsnittet (t); sortert etter differansen {a} − {b}; "
        "høyere = større barriere",
    ),
    "axis_likert5": ("Mean (1–5)", "Gjennomsnitt (1–5)"),
    "axis_score100": ("Mean (1–100, higher = bigger barrier)", "Gjennomsnitt (1–100, høyere = større barriere)"),
    "axis_index100": ("Mean (0–100, 100 = thick co-creation)", "Gjennomsnitt (0–100, 100 = tykk samskaping)"),
    "threshold": ("{band} ≥ {value}", "{band} ≥ {value}"),
    "hover_group": ("{name}: {mean} (95 % CI {low} to {high}), n = {n}",
                    "{name}: {mean} (95 % KI {low} til {high}), n = {n}"),
    "hover_group_single": ("{name}: {mean}, n = {n} (no interval)", "{name}: {mean}, n = {n} (uten intervall)"),
    "hover_diff": ("Difference {a} − {b}: {diff}", "Differanse {a} − {b}: {diff}"),
    "tick": ("  Δ {diff}", "  Δ {diff}"),
    "none": ("No measure to draw.", "Ingen mål å vise."),
    "alt_dumbbell": (
        "Dumbbell chart of {count} measures comparing the means of {a} and {b} with 95 % intervals; "
        "{a} higher on {higher}, lower on {lower}; largest difference: {measure} ({diff}); {hidden} hidden (n < {k}).",
        "Punktdiagram over {count} mål som sammenligner gjennomsnittene for {a} og {b} med 95 % intervall; "
        "{a} høyere på {higher}, lavere på {lower}; største differanse: {measure} ({diff}); {hidden} skjult "
        "(n < {k}).",
    ),
    "alt_dumbbell_none": (
        "Dumbbell chart of {a} and {b}: no measure can be shown; {hidden} hidden (n < {k}).",
        "Punktdiagram for {a} og {b}: ingen mål kan vises; {hidden} skjult (n < {k}).",
    ),
    "gap_title": (
        "Perception gaps: municipality − social enterprise, per case",
        "Ulik oppfatning: kommune − sosial virksomhet, per case",
    ),
    "panel_likert5": ("Success factors and categories (1–5)", "Suksessfaktorer og kategorier (1–5)"),
    "panel_score100": ("Barriers (1–100)", "Barrierer (1–100)"),
    "panel_index100": ("Continuum (0–100)", "Kontinuum (0–100)"),
    "gap_legend": ("Gap (1–5 scale / 0–100 scales)", "Forskjell (1–5-skala / 0–100-skalaer)"),
    "gap_mun": ("Municipality higher by ≥ {likert} / ≥ {index}", "Kommunen høyere med ≥ {likert} / ≥ {index}"),
    "gap_mun_some": ("Municipality higher by {likert_low}–{likert} / {index_low}–{index}",
                     "Kommunen høyere med {likert_low}–{likert} / {index_low}–{index}"),
    "gap_se": ("Social enterprise higher by ≥ {likert} / ≥ {index}",
               "Sosial virksomhet høyere med ≥ {likert} / ≥ {index}"),
    "gap_se_some": ("Social enterprise higher by {likert_low}–{likert} / {index_low}–{index}",
                    "Sosial virksomhet høyere med {likert_low}–{likert} / {index_low}–{index}"),
    "gap_none": ("Within ± {likert} / ± {index}", "Innenfor ± {likert} / ± {index}"),
    "gap_hover": (
        "Municipality {mun} (n = {n_mun}) − social enterprise {se} (n = {n_se}) = {gap}",
        "Kommune {mun} (n = {n_mun}) − sosial virksomhet {se} (n = {n_se}) = {gap}",
    ),
    "gap_hover_hidden": (
        "hidden, n < {k} (n = {n_mun} and {n_se}; a side under k hides both)",
        "skjult, n < {k} (n = {n_mun} og {n_se}; en side under k skjuler begge)",
    ),
    "alt_gaps": (
        "Heatmap of the municipality − social-enterprise gap in {cases} cases on {measures} measures, "
        "blue where the municipality rated higher, red where the social enterprise did; {hidden} of {cells} "
        "cells hidden (n < {k}).",
        "Varmekart over forskjellen kommune − sosial virksomhet i {cases} case på {measures} mål, blått der "
        "kommunen vurderte høyere, rødt der den sosiale virksomheten gjorde det; {hidden} av {cells} celler "
        "skjult (n < {k}).",
    ),
    "alt_gaps_largest": (" Largest gap: {case}, {measure} ({gap}).", " Største forskjell: {case}, {measure} ({gap})."),
}  # fmt: skip
_TEXT: dict[str, dict[str, str]] = {
    lang: {key: text[i] for key, text in _LABELS.items()} for i, lang in enumerate(_LANGS)
}


def compare_text(key: str, lang: str, **fields: Any) -> str:
    """A label of this module's figures in ``lang`` (``"en"`` or ``"nb"``) with ``fields`` filled in."""
    if lang not in _TEXT:
        raise ValueError(f"unknown language {lang!r}; use 'en' or 'nb'")
    return _TEXT[lang][key].format(**fields)


def mean_interval(mean: float, sd: float, n: int, *, confidence: float = 0.95) -> tuple[float, float]:
    """The t-interval of a mean: mean ± t(n − 1) · sd / √n; NaN when n < 2 or sd is missing."""
    if n < 2 or sd is None or pd.isna(sd) or pd.isna(mean):
        return float("nan"), float("nan")
    half = stats.t.ppf((1 + confidence) / 2, n - 1) * sd / math.sqrt(n)
    return float(mean - half), float(mean + half)


def _decimals(scale: str) -> int:
    return 2 if scale == "likert5" else 1


def _signed(value: float, decimals: int, lang: str) -> str:
    text = _fmt(abs(value), decimals, lang)
    return ("+" if value > 0 else "−" if value < 0 else "±") + text


def _is_shown(row: pd.Series) -> bool:
    return not bool(row["hidden"]) and not pd.isna(row.get("mean_a")) and not pd.isna(row.get("mean_b"))


def dumbbell(
    comparison_table: pd.DataFrame,
    codebook: Codebook,
    lang: str,
    *,
    family_scale: str = "likert5",
    names: dict[str, str] | None = None,
    k: int | None = None,
) -> Chart:
    """The two group means per measure with 95 % intervals of the means, sorted by the difference a − b.

    Parameters
    ----------
    comparison_table : DataFrame
        Rows of :attr:`samskaping.compare.Comparison.table` for **one** pair of groups (``ValueError``
        otherwise), e.g. only the factors; needs ``sd_a`` and ``sd_b`` for the intervals.
    codebook : Codebook
        Measure names, scales, band thresholds and band names.
    lang : {"en", "nb"}
        Language of every text in the figure.
    family_scale : {"likert5", "score100", "index100"}
        Which measures to draw: those of the table on this scale. On 1–5 the Wilder band boundaries
        (``codebook.thresholds``) are drawn as dashed lines.
    names : dict, optional
        Display names of the group labels (e.g. ``{"municipality": "Municipality"}``).
    k : int, optional
        The anonymity threshold the table was made with; the codebook's by default. Hidden rows
        are listed at the bottom as "hidden, n < k" without any number.

    Notes
    -----
    The interval of a mean is mean ± t(0.975, n − 1) · sd / √n (no interval for n = 1). It describes
    the precision of each mean, not the test of the difference: that is the permutation p in the
    table.
    """
    if family_scale not in _RANGES:
        raise ValueError(f"family_scale must be one of {sorted(_RANGES)}, got {family_scale!r}")
    k = codebook.thresholds.k if k is None else k
    names = names or {}
    scales = {m.id: m.scale for m in codebook.measures}
    rows = comparison_table[comparison_table["measure"].map(scales) == family_scale]
    pairs = rows[["group_a", "group_b"]].drop_duplicates()
    if len(pairs) != 1:
        raise ValueError(f"dumbbell draws one pair of groups, got {len(pairs)}")
    label_a, label_b = pairs.iloc[0]
    a, b = names.get(label_a, label_a), names.get(label_b, label_b)
    shown = [row for _, row in rows.iterrows() if _is_shown(row)]
    hidden = [row for _, row in rows.iterrows() if not _is_shown(row)]
    shown.sort(key=lambda row: float(row["diff"]), reverse=True)
    decimals = _decimals(family_scale)
    title = compare_text(f"title_{family_scale}", lang, a=a, b=b)
    subtitle = compare_text("subtitle_barrier" if family_scale == "score100" else "subtitle", lang, a=a, b=b)
    fig = go.Figure(layout=_layout(title, lang, max(300, 30 * (len(shown) + len(hidden)) + 190)))
    fig.update_layout(title_subtitle={"text": subtitle, "font": {"color": INK}}, margin={"t": 100, "r": 70})

    def measure_of(row: pd.Series) -> Measure:
        return codebook.measure(row["measure"])

    labels = [_wrap(measure_of(r).name.get(lang), 44) for r in (*shown, *hidden)]
    rows_y = list(range(len(shown)))  # one row per measure from the top; the groups are dodged around it
    ends: list[float] = []  # right end of each shown row (upper interval or mean), for the Δ label
    if shown:
        connector_x: list[float | None] = []
        connector_y: list[float | None] = []
        for row, y in zip(shown, rows_y, strict=True):
            connector_x += [float(row["mean_a"]), float(row["mean_b"]), None]
            connector_y += [y - _DODGE, y + _DODGE, None]
        fig.add_trace(go.Scatter(x=connector_x, y=connector_y, mode="lines", hoverinfo="skip", showlegend=False,
                                 line={"color": _CONNECTOR, "width": 2}))  # fmt: skip
        diff_texts = [compare_text("hover_diff", lang, a=a, b=b, diff=_signed(float(r["diff"]), decimals, lang))
                      for r in shown]  # fmt: skip
        for side, name, colour, symbol, dodge in (("a", a, GROUP_COLOURS[0], GROUP_SYMBOLS[0], -_DODGE),
                                                  ("b", b, GROUP_COLOURS[1], GROUP_SYMBOLS[1], _DODGE)):  # fmt: skip
            means, plus, minus, hovers = [], [], [], []
            for row, diff_text in zip(shown, diff_texts, strict=True):
                mean, n = float(row[f"mean_{side}"]), int(row[f"n_{side}"])
                low, high = mean_interval(mean, float(row.get(f"sd_{side}", float("nan"))), n)
                means.append(mean)
                ends.append(max(mean, high) if not math.isnan(high) else mean)
                plus.append(0.0 if math.isnan(high) else high - mean)
                minus.append(0.0 if math.isnan(low) else mean - low)
                value = _fmt(mean, decimals, lang)
                if math.isnan(low):
                    hover = compare_text("hover_group_single", lang, name=name, mean=value, n=n)
                else:
                    hover = compare_text("hover_group", lang, name=name, mean=value, n=n,
                                         low=_fmt(low, decimals, lang), high=_fmt(high, decimals, lang))  # fmt: skip
                hovers.append(f"<b>{measure_of(row).name.get(lang)}</b><br>{hover}<br>{diff_text}")
            fig.add_trace(
                go.Scatter(
                    x=means, y=[y + dodge for y in rows_y], mode="markers", name=name, customdata=hovers,
                    hovertemplate="%{customdata}<extra></extra>",
                    marker={"color": colour, "symbol": symbol, "size": 11, "line": {"color": BACKGROUND, "width": 1}},
                    error_x={"type": "data", "array": plus, "arrayminus": minus, "color": colour, "thickness": 1.5,
                             "width": 4, "visible": True},
                )
            )  # fmt: skip
    low_end, high_end = _RANGES[family_scale]
    if shown:
        right = [max(ends[i], ends[i + len(shown)]) for i in range(len(shown))]
        fig.add_trace(
            go.Scatter(
                x=right, y=rows_y, mode="text", textposition="middle right", hoverinfo="skip", showlegend=False,
                text=[compare_text("tick", lang, diff=_signed(float(r["diff"]), decimals, lang)) for r in shown],
                textfont={"color": INK, "size": 11}, cliponaxis=False,
            )
        )  # fmt: skip
    if hidden:
        text = compare_text("hidden", lang, k=k)
        fig.add_trace(
            go.Scatter(
                x=[low_end + 0.02 * (high_end - low_end)] * len(hidden), y=list(range(len(shown), len(labels))),
                mode="text", text=[text] * len(hidden), textposition="middle right",
                textfont={"color": INK, "size": 12}, name=text, showlegend=False, hoverinfo="skip",
            )
        )  # fmt: skip
    if not shown and not hidden:
        fig.add_annotation(text=compare_text("none", lang), x=0.5, y=0.5, xref="paper", yref="paper",
                           showarrow=False, font={"size": 14, "color": INK})  # fmt: skip
    if family_scale == "likert5":
        t = codebook.thresholds
        for band, value in (("borderline", t.band_borderline), ("strength", t.band_strength)):
            fig.add_vline(
                x=value, line={"color": _BAND_LINE, "dash": "dash", "width": 1}, annotation_position="top",
                annotation_text=compare_text("threshold", lang, band=codebook.bands[band].get(lang),
                                             value=_fmt(value, 1, lang)),
                annotation_font={"color": INK, "size": 11},
            )  # fmt: skip
    fig.update_xaxes(range=[low_end, high_end], dtick=1 if family_scale == "likert5" else 10,
                     title={"text": compare_text(f"axis_{family_scale}", lang)}, color=INK)  # fmt: skip
    fig.update_yaxes(tickmode="array", tickvals=list(range(len(labels))), ticktext=labels, showgrid=False,
                     zeroline=False, range=[len(labels) - 0.5, -0.5], automargin=True, color=INK)  # fmt: skip
    fig.update_layout(legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom", "font": {"color": INK},
                              "bgcolor": BACKGROUND})  # fmt: skip
    if not shown:
        alt = compare_text("alt_dumbbell_none", lang, a=a, b=b, hidden=len(hidden), k=k)
        return Chart(fig, alt)
    widest = max(shown, key=lambda row: abs(float(row["diff"])))
    alt = compare_text(
        "alt_dumbbell", lang, count=len(shown), a=a, b=b, k=k, hidden=len(hidden),
        higher=sum(float(r["diff"]) > 0 for r in shown), lower=sum(float(r["diff"]) < 0 for r in shown),
        measure=measure_of(widest).name.get(lang), diff=_signed(float(widest["diff"]), decimals, lang),
    )  # fmt: skip
    return Chart(fig, alt)


def _gap_class(gap: float, edges: tuple[float, ...]) -> int:
    """−3 … +3: the sign of the gap times the number of class edges its size reaches."""
    size = sum(abs(gap) >= edge for edge in edges)
    return size if gap > 0 else -size


def gap_heatmap(gaps: pd.DataFrame, codebook: Codebook, lang: str, *, k: int | None = None) -> Chart:
    """Cases (rows) × measures (columns): the municipality − social-enterprise gap of each case.

    A diverging scale in seven classes: blue where the municipality's respondents rated the measure
    higher, red where the social enterprise's did, pale within a small band around 0. The class edges
    are ⅕, ½ and 1 × the codebook's large gap (``large_gap_likert`` on 1–5, ``large_gap_index`` on the
    0–100 scales), so the darkest class is the one the case profile calls a large gap. Each visible
    cell shows its signed gap; hidden cells (a side with n < k, or secondarily suppressed) are grey with
    "n<k".

    Parameters
    ----------
    gaps : DataFrame
        :func:`samskaping.compare.perception_gaps` (anonymity applied).
    codebook : Codebook
        Measure names and the large-gap thresholds.
    lang : {"en", "nb"}
        Language of every text in the figure.
    k : int, optional
        The anonymity threshold; the codebook's by default.
    """
    k = codebook.thresholds.k if k is None else k
    cases = sorted(gaps["case"].unique())
    if not cases:
        raise ValueError("no cases to draw")
    # Plain dicts per cell: a pandas Series per row costs more than the rest of the figure.
    table = gaps.set_index(["case", "measure"]).to_dict("index")
    t = codebook.thresholds
    edges = {"likert5": tuple(f * t.large_gap_likert for f in _GAP_FRACTIONS),
             "score100": tuple(f * t.large_gap_index for f in _GAP_FRACTIONS)}  # fmt: skip
    edges["index100"] = edges["score100"]
    panels = [(scale, [m for m in codebook.measures if m.scale == scale]) for scale in _RANGES]
    panels = [(scale, measures) for scale, measures in panels if measures]
    fig = make_subplots(
        rows=1, cols=len(panels), shared_yaxes=True, horizontal_spacing=0.012,
        column_widths=[len(p[1]) for p in panels],
        subplot_titles=[compare_text(f"panel_{p[0]}", lang) for p in panels],
        figure=go.Figure(layout={"template": TEMPLATE}),
    )  # fmt: skip
    classes = list(GAP_COLOURS)
    colours = [HIDDEN_COLOUR, *GAP_COLOURS.values()]
    steps = [[pos, c] for i, c in enumerate(colours) for pos in (i / len(colours), (i + 1) / len(colours))]
    hidden, largest = 0, None
    for col, (scale, measures) in enumerate(panels, start=1):
        z, hover, cells = [], [], []
        decimals = 2 if scale == "likert5" else 1
        for case in cases:
            z.append([])
            hover.append([])
            for m in measures:
                row = table.get((case, m.id))
                head = f"<b>{case}</b><br>{m.name.get(lang)}<br>"
                n_mun = 0 if row is None else int(row["n_mun"])
                n_se = 0 if row is None else int(row["n_se"])
                if row is not None and not bool(row["hidden"]) and not pd.isna(row["gap"]):
                    gap = float(row["gap"])
                    cls = _gap_class(gap, edges[scale])
                    z[-1].append(classes.index(cls) + 1)
                    means = {"mun": _fmt(float(row["mean_mun"]), decimals, lang),
                             "se": _fmt(float(row["mean_se"]), decimals, lang)}  # fmt: skip
                    hover[-1].append(head + compare_text("gap_hover", lang, n_mun=n_mun, n_se=n_se,
                                                         gap=_signed(gap, decimals, lang), **means))  # fmt: skip
                    fill = GAP_COLOURS[cls]
                    cells.append((m.id, case, _signed(gap, 1 if scale == "likert5" else 0, lang), GAP_TEXT_ON[fill]))
                    relative = abs(gap) / edges[scale][-1]
                    if largest is None or relative > largest[0]:
                        largest = (relative, case, m, _signed(gap, decimals, lang))
                else:
                    hidden += 1
                    z[-1].append(0)
                    hover[-1].append(head + compare_text("gap_hover_hidden", lang, k=k, n_mun=n_mun, n_se=n_se))
                    cells.append((m.id, case, compare_text("hidden_cell", lang, k=k), TEXT_ON[HIDDEN_COLOUR]))
        xs, ys, texts, text_colours = (list(column) for column in zip(*cells, strict=True))
        fig.add_trace(
            go.Heatmap(
                z=z, x=[m.id for m in measures], y=cases, text=hover, hovertemplate="%{text}<extra></extra>",
                colorscale=steps, zmin=-0.5, zmax=len(colours) - 0.5, showscale=False, xgap=2, ygap=2,
            ),
            row=1, col=col,
        )  # fmt: skip
        for trace in cell_labels(xs, ys, texts, text_colours, size=10):
            fig.add_trace(trace, row=1, col=col)
        fig.update_xaxes(
            row=1, col=col, tickmode="array", tickvals=[m.id for m in measures], tickangle=-90, showgrid=False,
            ticktext=[_wrap(m.name.get(lang), 34) for m in measures], tickfont={"size": 11, "color": INK},
        )  # fmt: skip
    for i, (cls, colour) in enumerate([*GAP_COLOURS.items(), (None, HIDDEN_COLOUR)]):
        name = _gap_legend(cls, edges, lang, k)
        fig.add_trace(
            go.Scatter(
                x=[None], y=[None], mode="markers", name=name, legendgroup="gaps", hoverinfo="skip",
                marker={"symbol": "square", "size": 13, "color": colour, "line": {"color": INK, "width": 1}},
                legendgrouptitle={"text": compare_text("gap_legend", lang), "font": {"color": INK}} if i == 0 else None,
            ),
            row=1, col=1,
        )  # fmt: skip
    fig.update_yaxes(categoryorder="array", categoryarray=cases, autorange="reversed", showgrid=False,
                     tickfont={"color": INK})  # fmt: skip
    fig.update_annotations(font={"color": INK, "size": 13})
    fig.update_layout(
        _layout(compare_text("gap_title", lang), lang, 44 * len(cases) + 470, width=1400),
        legend={"orientation": "h", "x": 0, "xanchor": "left", "yref": "container", "y": 0, "yanchor": "bottom",
                "font": {"color": INK}, "bgcolor": BACKGROUND},
        margin={"t": 90, "l": 10, "r": 10, "b": 10},
    )  # fmt: skip
    n_measures = sum(len(p[1]) for p in panels)
    alt = compare_text("alt_gaps", lang, cases=len(cases), measures=n_measures, hidden=hidden,
                       cells=len(cases) * n_measures, k=k)  # fmt: skip
    if largest is not None:
        alt += compare_text("alt_gaps_largest", lang, case=largest[1], measure=largest[2].name.get(lang),
                            gap=largest[3])  # fmt: skip
    return Chart(fig, alt)


def _gap_legend(cls: int | None, edges: dict[str, tuple[float, ...]], lang: str, k: int) -> str:
    if cls is None:
        return compare_text("hidden", lang, k=k)
    likert, index = edges["likert5"], edges["score100"]
    if cls == 0:
        return compare_text("gap_none", lang, likert=_fmt(likert[0], 1, lang), index=f"{index[0]:g}")
    side = "gap_mun" if cls > 0 else "gap_se"
    size = abs(cls)
    if size == 3:
        return compare_text(side, lang, likert=_fmt(likert[2], 1, lang), index=f"{index[2]:g}")
    return compare_text(f"{side}_some", lang, likert_low=_fmt(likert[size - 1], 1, lang),
                        likert=_fmt(likert[size], 1, lang), index_low=f"{index[size - 1]:g}",
                        index=f"{index[size]:g}")  # fmt: skip
