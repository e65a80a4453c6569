"""Figures of two waves: arrows from the old to the new value, hidden rows without numbers, both languages,
explicit template and WCAG AA colours, a text alternative naming every move."""

from __future__ import annotations

import json
import re
import string
from collections.abc import Iterator
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from samskaping.continuum import positions
from samskaping.figures import BACKGROUND, TEMPLATE, Chart
from samskaping.figures_waves import (
    _LABELS,
    AFTER_COLOUR,
    BEFORE_COLOUR,
    CHANGE_COLOUR,
    change_figure,
    continuum_arrows_figure,
)
from samskaping.scoring import score_survey
from samskaping.waves import MOVE_COLUMNS, compare_waves, continuum_moves
from tests.test_waves import SENTINELS, two_waves
from tests.wcag import contrast

PLACEHOLDER = re.compile(r"#0000(0[1-9a-f]|10)\b", re.IGNORECASE)  # streamlit's template colorway
LANGS = ("en", "nb")
AXIS = {"en": ("co-creation (thin)", "co-production (thick)"), "nb": ("tynn samskaping", "tykk samskaping")}
HIDDEN = {"en": "hidden, n < 3", "nb": "skjult, n < 3"}


@pytest.fixture(scope="module")
def built(instrument, codebook):
    before, after = two_waves(instrument)
    scores = score_survey(before, instrument, codebook), score_survey(after, instrument, codebook)
    comparison = compare_waves(*scores, codebook, labels=("2024", "2025"))
    moves = continuum_moves(*(positions(s, codebook) for s in scores))
    return comparison, moves


def _dump(chart: Chart) -> str:
    return json.dumps(chart.figure.to_dict(), ensure_ascii=False, default=str)


def _named(chart: Chart, prefix: str) -> dict[str, Any]:
    return {a.name.split(":", 1)[1]: a for a in chart.figure.layout.annotations if (a.name or "").startswith(prefix)}


def _charts(built, codebook, lang: str) -> dict[str, Chart]:
    comparison, moves = built
    return {
        "factors": change_figure(comparison, "Alpha", codebook, lang),
        "barriers": change_figure(comparison, "Alpha", codebook, lang, family="barrier"),
        "continuum": change_figure(comparison, "Epsilon", codebook, lang, family="continuum"),
        "hidden case": change_figure(comparison, "Beta", codebook, lang, family="barrier"),
        "arrows": continuum_arrows_figure(moves, lang),
    }


# --- the arrows figure ------------------------------------------------------------------------------


def test_one_arrow_per_shown_case_from_the_old_to_the_new_position(built):
    _, moves = built
    chart = continuum_arrows_figure(moves, "en", labels=("2024", "2025"))
    arrows = _named(chart, "move:")
    assert set(arrows) == {"Alpha", "Epsilon"}  # Beta is hidden
    rows = dict(zip(chart.figure.layout.yaxis.ticktext, chart.figure.layout.yaxis.tickvals, strict=True))
    # By hand (tests/test_waves.py): Alpha 60 -> 65 (thicker), Epsilon 65 -> 0 (thinner).
    for case, old, new in (("Alpha", 60.0, 65.0), ("Epsilon", 65.0, 0.0)):
        arrow = arrows[case]
        assert arrow.showarrow and arrow.arrowhead
        assert (arrow.axref, arrow.ayref, arrow.xref, arrow.yref) == ("x", "y", "x", "y")
        assert arrow.ax == pytest.approx(old, abs=1e-9)  # tail at the old position
        assert arrow.x == pytest.approx(new, abs=1e-9)  # head at the new one
        row = next(y for label, y in rows.items() if label.startswith(case))
        assert arrow.y == arrow.ay == row
    assert arrows["Epsilon"].ax > arrows["Epsilon"].x  # pointing left: thinner


def test_markers_at_both_positions_one_row_per_case(built):
    _, moves = built
    chart = continuum_arrows_figure(moves, "en", labels=("2024", "2025"))
    traces = {t.name: t for t in chart.figure.data}
    first, second = traces["2024"], next(t for name, t in traces.items() if name.startswith("2025"))
    assert list(first.x) == pytest.approx([60.0, 65.0], abs=1e-9)
    assert list(second.x) == pytest.approx([65.0, 0.0], abs=1e-9)
    assert first.marker.symbol != second.marker.symbol  # not colour alone
    ticks = list(chart.figure.layout.yaxis.ticktext)
    assert len(set(chart.figure.layout.yaxis.tickvals)) == len(ticks) == 3  # one row each: no label overlaps
    assert ticks[0] == "Alpha<br>60.0 → 65.0" and ticks[2] == "Beta"


@pytest.mark.parametrize("lang", LANGS)
def test_hidden_case_is_listed_without_a_position(built, lang):
    _, moves = built
    chart = continuum_arrows_figure(moves, lang)
    hidden = _named(chart, "hidden:")
    assert set(hidden) == {"Beta"}
    assert hidden["Beta"].text == HIDDEN[lang]
    beta_row = list(chart.figure.layout.yaxis.ticktext).index("Beta")
    for trace in chart.figure.data:
        assert beta_row not in list(trace.y or []), trace.name  # no marker on Beta's row
    assert "Beta" in chart.alt_text and HIDDEN[lang] in chart.alt_text


@pytest.mark.parametrize("lang", LANGS)
def test_axis_end_labels_in_the_language(built, lang):
    _, moves = built
    chart = continuum_arrows_figure(moves, lang)
    other = "nb" if lang == "en" else "en"
    ends = " ".join(a.text for a in chart.figure.layout.annotations if (a.name or "").startswith("axis:"))
    assert all(label in ends for label in AXIS[lang])
    assert not any(label in _dump(chart) for label in AXIS[other])
    assert list(chart.figure.layout.xaxis.tickvals) == list(range(0, 101, 10))


def test_alt_text_names_each_move(built):
    _, moves = built
    en = continuum_arrows_figure(moves, "en", labels=("2024", "2025")).alt_text
    assert "Alpha from 60.0 to 65.0 (thicker by 5.0)" in en
    assert "Epsilon from 65.0 to 0.0 (thinner by 65.0)" in en
    assert "hidden, n < 3: Beta" in en and "2024 to 2025" in en
    nb = continuum_arrows_figure(moves, "nb", labels=("2024", "2025")).alt_text
    assert "Alpha fra 60,0 til 65,0 (tykkere med 5,0)" in nb and "skjult, n < 3: Beta" in nb


def test_no_arrow_when_nothing_moved():
    moves = pd.DataFrame([{"case": "Still", "n_before": 4, "n_after": 5, "thickness_before": 40.0,
                           "thickness_after": 40.0, "change": 0.0, "co_design_before": 50.0, "co_design_after": 50.0,
                           "co_delivery_before": 30.0, "co_delivery_after": 30.0, "hidden": False}])  # fmt: skip
    chart = continuum_arrows_figure(moves[list(MOVE_COLUMNS)], "en")
    assert not _named(chart, "move:")
    assert "Still unchanged at 40.0" in chart.alt_text


# --- the change figure ------------------------------------------------------------------------------


def test_change_figure_arrow_and_interval_of_the_hand_worked_measure(built, codebook):
    comparison, _ = built
    chart = change_figure(comparison, "Alpha", codebook, "en")
    arrows = _named(chart, "arrow:")
    assert set(arrows) == {"history"}  # Alpha answered no other factor
    # tests/test_waves.py: history 14/3 -> 4, change −2/3, interval (−2.0214822, 0.6881489).
    assert arrows["history"].ax == pytest.approx(14 / 3) and arrows["history"].x == pytest.approx(4.0)
    change = next(t for t in chart.figure.data if t.error_x and t.error_x.array is not None)
    assert list(change.x) == pytest.approx([-2 / 3])
    assert change.error_x.arrayminus[0] == pytest.approx(-2 / 3 + 2.0214822, abs=1e-6)
    assert change.error_x.array[0] == pytest.approx(0.6881489 + 2 / 3, abs=1e-6)


@pytest.mark.parametrize("lang", LANGS)
def test_change_figure_names_measures_and_hides_in_the_language(built, codebook, lang):
    comparison, _ = built
    chart = change_figure(comparison, "Alpha", codebook, lang)
    hidden = _named(chart, "hidden:")
    assert len(hidden) == 19 and {a.text for a in hidden.values()} == {HIDDEN[lang]}  # 20 factors, 1 shown
    ticks = " ".join(chart.figure.layout.yaxis.ticktext).replace("<br>", " ")
    other = "nb" if lang == "en" else "en"
    history = codebook.measure("history").name
    assert history.get(lang) in ticks and history.get(other) not in ticks
    assert ("Success factors" if lang == "en" else "Suksessfaktorer") in chart.figure.layout.title.text


@pytest.mark.parametrize("lang", LANGS)
def test_no_number_of_the_hidden_case_in_any_figure(built, codebook, lang):
    comparison, _ = built
    for family in ("factor", "barrier", "continuum"):
        chart = change_figure(comparison, "Beta", codebook, lang, family=family)
        assert not _named(chart, "arrow:")
        assert all(not list(t.x or []) for t in chart.figure.data if t.mode == "markers")
        text = _dump(chart) + chart.alt_text
        for sentinel in SENTINELS:
            assert sentinel not in text, (family, sentinel)


def test_bad_arguments_are_refused(built, codebook):
    comparison, moves = built
    with pytest.raises(ValueError, match="both waves"):
        change_figure(comparison, "Gamma", codebook, "en")  # only in 2024
    with pytest.raises(ValueError, match="family"):
        change_figure(comparison, "Alpha", codebook, "en", family="colour")
    with pytest.raises(ValueError, match="language"):
        continuum_arrows_figure(moves, "de")
    with pytest.raises(ValueError, match="columns"):
        continuum_arrows_figure(moves.drop(columns=["change"]), "en")


# --- house style for every figure -------------------------------------------------------------------


def _colours(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every (path, #hex colour) of a figure dict outside the template, backgrounds and grid lines."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("template", "bgcolor", "paper_bgcolor", "plot_bgcolor", "gridcolor", "bordercolor"):
                continue
            yield from _colours(value, (*path, key))
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _colours(value, path)
    elif isinstance(node, str) and path and "color" in path[-1] and node.startswith("#"):
        yield path, node


@pytest.mark.parametrize("lang", LANGS)
def test_colours_pass_wcag_aa(built, codebook, lang):
    for colour in (BEFORE_COLOUR, AFTER_COLOUR, CHANGE_COLOUR):
        assert contrast(colour, BACKGROUND) >= 3.0, colour  # graphical objects (WCAG 1.4.11)
    for name, chart in _charts(built, codebook, lang).items():
        found = list(_colours(chart.figure.to_dict()))
        assert found, name
        for path, colour in found:
            # Marker outlines in the background colour separate overlapping markers; they carry nothing.
            if colour.upper() == BACKGROUND and path[-2:] == ("line", "color"):
                continue
            needed = 4.5 if "font" in path or "textfont" in path else 3.0  # text (1.4.3) or graphics (1.4.11)
            assert contrast(colour, BACKGROUND) >= needed, (name, path, colour)


@pytest.mark.parametrize("lang", LANGS)
def test_explicit_template_and_real_colours_after_importing_streamlit(built, codebook, lang, monkeypatch):
    pytest.importorskip("streamlit")
    monkeypatch.setattr(pio.templates, "default", "streamlit")
    assert PLACEHOLDER.search(json.dumps(go.Figure(go.Scatter(y=[1])).to_dict())), "gotcha not reproduced"
    for name, chart in _charts(built, codebook, lang).items():
        fig = chart.figure.to_dict()
        assert fig["layout"]["template"] == pio.templates[TEMPLATE].to_plotly_json(), name
        assert not PLACEHOLDER.search(_dump(chart)), f"{name}: placeholder colour"
        for trace in fig["data"]:
            colour = trace.get("marker", {}).get("color") or trace.get("line", {}).get("color")
            assert colour, f"{name}: a trace relies on the default colorway"
        assert chart.alt_text.strip(), name


def test_label_catalogue_has_the_same_placeholders_in_both_languages():
    for key, (en, nb) in _LABELS.items():
        fields = [{f for _, f, _, _ in string.Formatter().parse(text) if f} for text in (en, nb)]
        assert fields[0] == fields[1], key
