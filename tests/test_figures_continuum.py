"""The continuum and matrix figures: house style, both languages, markers, outside zone, hidden cases, labels."""

from __future__ import annotations

import itertools
import json
import re
import string

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from samskaping import figures_continuum as fc
from samskaping.continuum import POSITION_COLUMNS
from samskaping.figures import TEMPLATE, Chart
from samskaping.figures_continuum import (
    COMPUTED_COLOUR,
    MANUAL_COLOUR,
    OUTSIDE_FILL,
    REGION_NAMES,
    continuum_figure,
    matrix_figure,
    text_width,
)

PLACEHOLDER = re.compile(r"#0000(0[1-9a-f]|10)\b", re.IGNORECASE)  # streamlit's template colorway
LANGS = ("en", "nb")
AXIS = {"en": ("co-creation (thin)", "co-production (thick)"), "nb": ("tynn samskaping", "tykk samskaping")}


def _positions(rows: list[dict]) -> pd.DataFrame:
    defaults = {"manual_position": None, "outside": False, "hidden": False, "rationale": "", "co_design": 50.0,
                "co_delivery": 50.0, "durability": 50.0}  # fmt: skip
    return pd.DataFrame([defaults | row for row in rows]).reindex(columns=list(POSITION_COLUMNS))


def _case(name: str, x: float, n: int = 5, **extra) -> dict:
    return {"case": name, "n": n, "thickness": x, "low": x - 5, "high": x + 5, "shown": "computed"} | extra


# Computed only, both (with an interval), manual only, outside, and two hidden (one of them placed).
MIXED = _positions([
    _case("Alpha", 30.0, co_design=20.0, co_delivery=25.0),
    _case("Beta", 55.0, manual_position=80.0, shown="both", co_design=70.0, co_delivery=20.0),
    _case("Gamma", 62.0, manual_position=40.0, shown="manual", co_design=80.0, co_delivery=85.0),
    {"case": "Delta", "n": 2, "hidden": True, "shown": "hidden", "co_design": None, "co_delivery": None},
    {"case": "Epsilon", "n": 1, "hidden": True, "outside": True, "shown": "manual", "co_design": None,
     "co_delivery": None},
])  # fmt: skip
COMPUTED_ONLY = _positions([_case("Alpha", 30.0), _case("Beta", 55.0)])


def _dump(chart: Chart) -> str:
    return json.dumps(chart.figure.to_dict(), ensure_ascii=False, default=str)


def _annotations(chart: Chart, prefix: str) -> list:
    return [a for a in chart.figure.layout.annotations if (a.name or "").startswith(prefix)]


def _caption(chart: Chart) -> str:
    return _annotations(chart, "caption")[0].text.replace("<br>", " ").replace("\u00a0", " ")


def _charts(lang: str) -> dict[str, Chart]:
    return {"continuum": continuum_figure(MIXED, lang), "matrix": matrix_figure(MIXED, lang)}


@pytest.mark.parametrize("lang", LANGS)
def test_explicit_template_and_real_colours_after_importing_streamlit(lang, monkeypatch):
    pytest.importorskip("streamlit")
    monkeypatch.setattr(pio.templates, "default", "streamlit")
    assert PLACEHOLDER.search(json.dumps(go.Figure(go.Scatter(y=[1])).to_dict())), "gotcha not reproduced"
    for name, chart in _charts(lang).items():
        fig = chart.figure.to_dict()
        assert fig["layout"]["template"] == pio.templates[TEMPLATE].to_plotly_json(), name
        assert not PLACEHOLDER.search(_dump(chart)), f"{name}: placeholder colour"
        for trace in fig["data"]:
            colour = trace.get("marker", {}).get("color") or trace.get("line", {}).get("color")
            assert colour, f"{name}: a trace relies on the default colorway"
        assert chart.alt_text.strip()


@pytest.mark.parametrize("lang", LANGS)
def test_axis_labels_in_the_language(lang):
    other = "nb" if lang == "en" else "en"
    chart = continuum_figure(COMPUTED_ONLY, lang)
    ends = " ".join(a.text for a in _annotations(chart, "axis:"))
    assert all(label in ends for label in AXIS[lang])
    assert not any(label in _dump(chart) for label in AXIS[other])
    assert list(chart.figure.layout.xaxis.tickvals) == list(range(0, 101, 10))
    matrix = _dump(matrix_figure(COMPUTED_ONLY, lang))
    assert ("Co-design" if lang == "en" else "Felles utforming") in matrix
    assert ("Felles utforming" if lang == "en" else "Co-design") not in matrix


def test_manual_positions_have_another_symbol_and_colour():
    traces = {t.name: t for t in continuum_figure(MIXED, "en").figure.data if t.mode == "markers"}
    computed = traces[fc.continuum_text("legend_computed", "en")]
    manual = traces[fc.continuum_text("legend_manual", "en")]
    assert computed.marker.symbol == "circle" and manual.marker.symbol == "diamond"
    assert computed.marker.color == COMPUTED_COLOUR and manual.marker.color == MANUAL_COLOUR
    # Computed: Alpha 30 and Beta 55 with their intervals; Gamma shows its manual position only.
    assert sorted(computed.x) == [30.0, 55.0]
    assert list(computed.error_x.array) == [5.0, 5.0] and list(computed.error_x.arrayminus) == [5.0, 5.0]
    assert 80.0 in manual.x and 40.0 in manual.x and 62.0 not in manual.x
    connectors = [t for t in continuum_figure(MIXED, "en").figure.data if t.mode == "lines"]
    assert len(connectors) == 1 and [x for x in connectors[0].x if x is not None] == [55.0, 80.0]  # Beta: both


def test_outside_zone_only_when_used():
    def zones(chart: Chart) -> list:
        return [s for s in chart.figure.layout.shapes if s.fillcolor == OUTSIDE_FILL]

    used = continuum_figure(MIXED, "en")
    assert len(zones(used)) == 1 and zones(used)[0].x1 < 0
    assert used.figure.layout.xaxis.range[0] < zones(used)[0].x0 + 1
    assert fc.continuum_text("outside", "en").split()[0] in " ".join(a.text for a in _annotations(used, "axis:"))
    assert any(x < 0 for t in used.figure.data if t.mode == "markers" for x in t.x)  # Epsilon in the zone
    unused = continuum_figure(COMPUTED_ONLY, "en")
    assert zones(unused) == [] and unused.figure.layout.xaxis.range[0] > -5
    assert not _annotations(unused, "axis:outside")


@pytest.mark.parametrize("lang", LANGS)
def test_hidden_cases_are_not_drawn_but_named_in_the_caption(lang):
    hidden_word = {"en": "Hidden, n < 3", "nb": "Skjult, n < 3"}[lang]
    for name, chart in _charts(lang).items():
        labels = [a.text for a in _annotations(chart, "case:")]
        assert "Delta" not in " ".join(labels), name
        assert all("Delta" not in str(t.customdata) for t in chart.figure.data), name
        caption = _caption(chart)
        assert f"{hidden_word}: Delta (n = 2)" in caption, (name, caption)
    continuum = _charts(lang)["continuum"]
    # Epsilon has n < k too, but the researchers placed it outside: drawn as a placement, not a position.
    assert "Epsilon" in [a.text for a in _annotations(continuum, "case:")]
    assert "Epsilon" not in _caption(continuum).split(hidden_word)[1]
    matrix = _charts(lang)["matrix"]
    assert sorted(a.text for a in _annotations(matrix, "case:")) == ["Alpha", "Beta", "Gamma"]


def test_caption_states_n_and_method_from_the_codebook(codebook):
    caption = _caption(continuum_figure(MIXED, "en", codebook=codebook, seed=99, resamples=2500))
    assert "thickness = 0.4 × co-design + 0.4 × co-delivery + 0.2 × durability" in caption
    assert "95 % bootstrap percentile interval" in caption and "B = 2500" in caption and "seed 99" in caption
    assert "n per case: Alpha 5, Beta 5, Gamma 5, Epsilon 1." in caption
    nb = _caption(continuum_figure(MIXED, "nb", codebook=codebook))
    assert "tykkelse = 0,4 × felles utforming + 0,4 × felles leveranse + 0,2 × varighet og nærhet" in nb


def test_title_and_caption_are_editable():
    chart = continuum_figure(MIXED, "en", title="Figure 3. Our cases", caption="Source: survey 2018.")
    assert _annotations(chart, "title")[0].text == "Figure 3. Our cases"
    assert _caption(chart) == "Source: survey 2018."
    bare = matrix_figure(MIXED, "en", title="", caption="")
    assert not _annotations(bare, "title") and not _annotations(bare, "caption")


def _label_boxes(chart: Chart) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Estimated px boxes of the continuum's case labels (x from the axis range, y from the row)."""
    layout = chart.figure.layout
    plot_w = layout.width - layout.margin.l - layout.margin.r
    x0, x1 = layout.xaxis.range
    boxes = []
    for a in _annotations(chart, "case:"):
        lines = a.text.split("<br>")
        w = max(text_width(line, 12) for line in lines)
        cx = (a.x - x0) / (x1 - x0) * plot_w
        boxes.append((a.text, (cx - w / 2, a.y + 8, cx + w / 2, a.y + 8 + 15 * len(lines))))
    return boxes


def test_labels_are_stacked_in_rows_without_overlap():
    names = ["Arbeidstrening i Bjørkelia", "Kvitberg × Snekkerbua", "Nordhei × Matbua", "Saltvika × Tunet",
             "Tindeland × Verkstedet Bro", "Vestbø × Gjenbruksloftet", "Fjordvik × Grønn Tråd",
             "Storåsen × Lyktverket"]  # fmt: skip
    close = _positions([_case(name, 48.0 + i) for i, name in enumerate(names)])
    for width in (85.0, 170.0):
        chart = continuum_figure(close, "en", width_mm=width)
        boxes = _label_boxes(chart)
        assert len(boxes) == len(names)
        for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
            apart = box_a[2] <= box_b[0] or box_b[2] <= box_a[0] or box_a[3] <= box_b[1] or box_b[3] <= box_a[1]
            assert apart, (width, a, b)
        assert len({a.y for a in _annotations(chart, "case:")}) > 1  # stacked
    spread = continuum_figure(_positions([_case("A", 10.0), _case("B", 50.0), _case("C", 90.0)]), "en")
    assert len({a.y for a in _annotations(spread, "case:")}) == 1  # room on one row


def test_matrix_has_the_cut_lines_and_nine_named_regions():
    chart = matrix_figure(MIXED, "en")
    lines = chart.figure.layout.shapes
    assert sorted({s.x0 for s in lines if s.x0 == s.x1}) == [33.0, 67.0]
    assert sorted({s.y0 for s in lines if s.y0 == s.y1}) == [33.0, 67.0]
    regions = {a.text.replace("<br>", " ") for a in _annotations(chart, "region:")}
    assert regions == {names[0] for names in REGION_NAMES.values()}
    nb = {a.text.replace("<br>", " ") for a in _annotations(matrix_figure(MIXED, "nb"), "region:")}
    assert nb == {names[1] for names in REGION_NAMES.values()}
    for key in ((0, 0), (2, 0), (2, 2)):  # the three the issue names
        assert any(word in REGION_NAMES[key][0].lower() for word in ("traditional", "thin", "co-production"))
    # Alpha (20, 25): traditional professional service; Beta (70, 20): thin co-creation; Gamma (80, 85): co-production.
    alt = chart.alt_text.lower()
    assert "alpha (20, 25: traditional professional service)" in alt
    assert "beta (70, 20: thin co-creation: joint design)" in alt
    assert "gamma (80, 85: co-production (thick co-creation))" in alt


def test_alt_text_is_in_the_language():
    for name, chart in _charts("nb").items():
        assert ("Kontinuum" if name == "continuum" else "Punktdiagram") in chart.alt_text
        assert "skjult" in chart.alt_text and "hidden" not in chart.alt_text
    assert "Epsilon outside" in continuum_figure(MIXED, "en").alt_text


def test_label_catalogue_has_the_same_placeholders_in_both_languages():
    def fields(text: str) -> set[str]:
        return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}

    for key, (en, nb) in fc._LABELS.items():
        assert fields(en) == fields(nb), key
    with pytest.raises(ValueError):
        continuum_figure(MIXED, "de")


def test_text_width_follows_arial_metrics():
    # Helvetica/Arial advance widths: "i" 222, "W" 944, digits 556 per 1000 em; × 1.06 safety.
    assert text_width("iiii", 10) == pytest.approx(4 * 2.22 * 1.06)
    assert text_width("W", 12) == pytest.approx(0.944 * 12 * 1.06)
    assert text_width("2018", 10) == pytest.approx(4 * 5.56 * 1.06)


def test_case_names_and_rationales_are_escaped():
    table = _positions([_case("Fjell & fjord <AS>", 40.0, manual_position=60.0, shown="both", rationale="a < b")])
    chart = continuum_figure(table, "en")
    assert [a.text for a in _annotations(chart, "case:")] == ["Fjell &amp; fjord &lt;AS&gt;"]
    hovers = " ".join(str(t.customdata) for t in chart.figure.data if t.customdata is not None)
    assert "a &lt; b" in hovers and "<AS>" not in hovers
    matrix = matrix_figure(table, "en")
    assert [a.text for a in _annotations(matrix, "case:")] == ["Fjell &amp; fjord &lt;AS&gt;"]


def test_many_cases_are_not_labelled_in_the_matrix() -> None:
    # 60 cases (> MATRIX_LABEL_LIMIT = 40): points only, and the caption says so (en and nb).
    from samskaping.figures_continuum import MATRIX_LABEL_LIMIT, matrix_figure

    rng = np.random.default_rng(7)
    many = pd.DataFrame(
        {
            "case": [f"Samarbeid {i:04d}" for i in range(60)],
            "n": 5,
            "thickness": rng.uniform(0, 100, 60),
            "low": np.nan,
            "high": np.nan,
            "co_design": rng.uniform(0, 100, 60),
            "co_delivery": rng.uniform(0, 100, 60),
            "durability": rng.uniform(0, 100, 60),
            "manual_position": np.nan,
            "outside": False,
            "shown": "computed",
            "hidden": False,
            "rationale": "",
        }
    )
    assert len(many) > MATRIX_LABEL_LIMIT
    for lang, words in (("en", "not labelled"), ("nb", "ikke merket")):
        chart = matrix_figure(many, lang)
        names = [a.name for a in chart.figure.layout.annotations if (a.name or "").startswith("case:")]
        assert names == []
        assert len(chart.figure.data[0].x) == 60
        assert any(words in (a.text or "") for a in chart.figure.layout.annotations)
