"""Comparison figures: explicit template and colours, both languages, hidden rows without numbers."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from samskaping.compare import compare, perception_gaps
from samskaping.figures import BACKGROUND, HIDDEN_COLOUR, TEMPLATE, TEXT_ON, Chart
from samskaping.figures_compare import (
    _TEXT,
    GAP_COLOURS,
    GAP_TEXT_ON,
    GROUP_COLOURS,
    compare_text,
    dumbbell,
    gap_heatmap,
    mean_interval,
)
from samskaping.importing import read_table
from samskaping.scoring import score_survey
from samskaping.validation import validate_canonical
from tests.wcag import contrast

REPO_DIR = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"#0000(0[1-9a-f]|10)\b", re.IGNORECASE)  # streamlit's template colorway
LANGS = ("en", "nb")
NAMES = {
    "en": {"municipality": "Municipality", "social_enterprise": "Social enterprise"},
    "nb": {"municipality": "Kommune", "social_enterprise": "Sosial virksomhet"},
}


@pytest.fixture(scope="module")
def large(instrument, codebook):
    """The large demo (112 municipality, 78 social enterprise, 10 other respondents) at k = 1 and 3."""
    data = validate_canonical(read_table(REPO_DIR / "data" / "demo_survey_large.xlsx"), instrument).data
    scores = {k: score_survey(data, instrument, codebook, k=k) for k in (1, 3)}
    pair = compare(scores[3], data, codebook, "group").table
    pair = pair[(pair["group_a"] == "municipality") & (pair["group_b"] == "social_enterprise")]
    return scores, pair


def _charts(large, codebook, lang: str) -> dict[str, Chart]:
    scores, pair = large
    barriers = pair[pair["family"] == "barrier"]
    return {
        "factors": dumbbell(pair[pair["family"] == "factor"], codebook, lang, names=NAMES[lang]),
        "barriers": dumbbell(barriers, codebook, lang, family_scale="score100", names=NAMES[lang]),
        "gaps_k1": gap_heatmap(perception_gaps(scores[1], codebook), codebook, lang, k=1),
        "gaps_k3": gap_heatmap(perception_gaps(scores[3], codebook), codebook, lang, k=3),
    }


def _dump(chart: Chart) -> str:
    return json.dumps(chart.figure.to_dict(), ensure_ascii=False, default=str)


@pytest.mark.parametrize("lang", LANGS)
def test_explicit_template_and_no_placeholder_colours(large, codebook, lang, monkeypatch):
    pytest.importorskip("streamlit")
    monkeypatch.setattr(pio.templates, "default", "streamlit")
    assert PLACEHOLDER.search(json.dumps(go.Figure(go.Bar(y=[1])).to_dict()))  # the gotcha is in force
    for name, chart in _charts(large, codebook, lang).items():
        fig = chart.figure.to_dict()
        assert fig["layout"]["template"] == pio.templates[TEMPLATE].to_plotly_json(), name
        assert fig["layout"]["title"]["text"], name
        assert not PLACEHOLDER.search(_dump(chart)), name
        for trace in fig["data"]:
            if "markers" in trace.get("mode", ""):
                assert trace["marker"]["color"], name
            if trace["type"] == "heatmap":
                assert trace["colorscale"], name
        assert chart.alt_text.strip(), name


def test_both_languages(large, codebook):
    words = {
        "en": ("Success factors", "Shared vision", "Municipality", "Dumbbell", "Heatmap", "Barriers"),
        "nb": ("Suksessfaktorer", "Felles visjon", "Kommune", "Punktdiagram", "Varmekart", "Barrierer"),
    }
    for lang in LANGS:
        charts = _charts(large, codebook, lang)
        text = " ".join(_dump(c) + c.alt_text for c in charts.values())
        other = words["nb" if lang == "en" else "en"]
        assert all(word in text for word in words[lang]), lang
        assert not any(word in text for word in other[:3]), lang
        factors = _dump(charts["factors"])
        if lang == "nb":
            assert re.search(r"Δ [−+]\d,\d\d", factors) and "95 % KI" in factors
        else:
            assert re.search(r"Δ [−+]\d\.\d\d", factors) and "95 % CI" in factors
    assert _TEXT["en"].keys() == _TEXT["nb"].keys()
    with pytest.raises(ValueError):
        compare_text("hidden", "de", k=3)


def test_group_colours_and_gap_text_meet_wcag():
    for colour in GROUP_COLOURS:
        assert contrast(colour, BACKGROUND) >= 3.0, colour  # graphical objects (WCAG 1.4.11)
    assert set(GAP_TEXT_ON) == set(GAP_COLOURS.values())
    for fill, text in GAP_TEXT_ON.items():
        assert contrast(fill, text) >= 4.5, fill


def test_mean_interval_by_hand():
    # mean 3, sd 1, n = 4: t(0.975, 3) = 3.182446; half width 3.182446 · 1 / 2 = 1.591223.
    low, high = mean_interval(3.0, 1.0, 4)
    assert (low, high) == (pytest.approx(3 - 1.591223, abs=1e-6), pytest.approx(3 + 1.591223, abs=1e-6))
    assert all(math.isnan(v) for v in mean_interval(3.0, float("nan"), 1))


def test_dumbbell_sorted_by_difference_with_band_lines(large, codebook):
    _, pair = large
    chart = dumbbell(pair[pair["family"] == "factor"], codebook, "en", names=NAMES["en"])
    fig = chart.figure
    markers = [t for t in fig.data if t.mode == "markers"]
    assert [t.name for t in markers] == ["Municipality", "Social enterprise"]
    a, b = (list(t.x) for t in markers)
    diffs = [x - y for x, y in zip(a, b, strict=True)]
    assert diffs == sorted(diffs, reverse=True) and len(diffs) == 20
    # The intervals are the t-intervals of the means (sd and n from the table).
    top = pair[pair["family"] == "factor"].sort_values("diff", ascending=False).iloc[0]
    low, high = mean_interval(top["mean_a"], top["sd_a"], int(top["n_a"]))
    assert markers[0].error_x.array[0] == pytest.approx(high - top["mean_a"])
    assert markers[0].error_x.arrayminus[0] == pytest.approx(top["mean_a"] - low)
    lines = sorted(shape.x0 for shape in fig.layout.shapes if shape.line.dash == "dash")
    assert lines == [codebook.thresholds.band_borderline, codebook.thresholds.band_strength]
    barriers = dumbbell(pair[pair["family"] == "barrier"], codebook, "en", family_scale="score100")
    assert not [s for s in barriers.figure.layout.shapes if s.line.dash == "dash"]  # no bands on 1–100
    with pytest.raises(ValueError, match="one pair"):
        dumbbell(pd.concat([pair, pair.assign(group_b="other")]), codebook, "en")


@pytest.mark.parametrize("lang", LANGS)
def test_hidden_rows_show_no_numbers(large, codebook, lang):
    _, pair = large
    factors = pair[pair["family"] == "factor"].copy()
    secret = factors.index[:3]
    factors.loc[secret, "hidden"] = True  # as compare() marks a pair with a group under k …
    values = factors.loc[secret, ["mean_a", "mean_b", "diff", "sd_a", "sd_b"]].to_numpy().ravel()
    factors.loc[secret, ["mean_a", "mean_b", "diff", "sd_a", "sd_b", "p_exact"]] = float("nan")  # … blanked
    chart = dumbbell(factors, codebook, lang, names=NAMES[lang], k=3)
    hidden_text = compare_text("hidden", lang, k=3)
    texts = [t for t in chart.figure.data if t.mode == "text" and hidden_text in list(t.text)]
    assert len(texts) == 1 and list(texts[0].text) == [hidden_text] * 3
    ticks = list(chart.figure.layout.yaxis.ticktext)
    names = [codebook.measure(m).name.get(lang) for m in factors.loc[secret, "measure"]]
    assert [tick.replace("<br>", " ") for tick in ticks[-3:]] == names  # listed last, by name only
    markers = [t for t in chart.figure.data if t.mode == "markers"]
    assert all(len(t.x) == 17 for t in markers)
    dumped = _dump(chart)
    for value in values:  # the unblanked numbers of the hidden rows are nowhere
        assert repr(float(value)) not in dumped
    assert "3 hidden" in chart.alt_text or "3 skjult" in chart.alt_text


@pytest.mark.parametrize("lang", LANGS)
def test_gap_heatmap_hidden_cells_grey_with_n_below_k(large, codebook, lang):
    scores, _ = large
    gaps = perception_gaps(scores[3], codebook)
    chart = gap_heatmap(gaps, codebook, lang, k=3)
    hidden = gaps[gaps["hidden"]]
    assert len(hidden) > 0
    labels = [text for t in chart.figure.data if t.type == "scatter" and t.mode == "text" for text in t.text]
    assert labels.count("n<3") == len(hidden)
    for trace in chart.figure.data:
        if trace.type == "heatmap":
            assert trace.colorscale[0][1] == HIDDEN_COLOUR  # class 0 = hidden, grey
        if trace.type == "scatter" and trace.mode == "text":
            colour = trace.textfont.color  # one colour per text trace
            for text in trace.text:
                assert colour == TEXT_ON[HIDDEN_COLOUR] if text == "n<3" else colour in GAP_TEXT_ON.values()
    # At k = 1 nothing is hidden and every cell shows its signed gap.
    open_chart = gap_heatmap(perception_gaps(scores[1], codebook), codebook, lang, k=1)
    labels = [text for t in open_chart.figure.data if t.type == "scatter" and t.mode == "text" for text in t.text]
    assert "n<1" not in labels and all(re.fullmatch(r"[−+±]\d+([.,]\d)?", label) for label in labels if label)
    assert "0 of 272" in open_chart.alt_text or "0 av 272" in open_chart.alt_text
