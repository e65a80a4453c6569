"""Heatmaps of many cases show them in views of 20 (ui.render.case_view), on the Overview and Groups pages."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from samskaping.codebook import load_codebook
from samskaping.demo import generate_demo
from samskaping.instrument import load_instrument

ROOT = Path(__file__).resolve().parents[2]
CASES = 65  # four views of 20: cases 1–20, 21–40, 41–60, 61–65


@pytest.fixture(scope="module")
def many_cases_csv() -> bytes:
    instrument = load_instrument()
    survey = generate_demo(instrument, load_codebook(instrument=instrument), respondents=4 * CASES, cases=CASES, seed=7)
    buffer = io.StringIO()
    survey.data.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


def _heatmap_rows(at: AppTest, key: str) -> list[str]:
    chart = next(c for c in at.get("plotly_chart") if key in c.proto.id)
    figure = json.loads(chart.proto.spec)
    heatmaps = [trace for trace in figure["data"] if trace["type"] == "heatmap"]
    return list(heatmaps[0]["y"])


@pytest.mark.parametrize(("page", "selector", "chart_key"), [
    ("overview", "overview_heatmap_cases", "overview_heatmap"),
    ("groups", "groups_gap_cases", "groups_gap_heatmap"),
])  # fmt: skip
def test_a_heatmap_of_65_cases_shows_them_20_at_a_time(entry_script_runs, many_cases_csv, page, selector, chart_key):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = "en"
    at.session_state["dataset"] = "upload"
    at.run()
    at.switch_page(f"pages/{page}.py")
    at.file_uploader(key="upload").set_value(("many.csv", many_cases_csv, "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    chooser = at.selectbox(key=selector)
    # 65 cases in views of 20, each with its first case's name
    assert [option.split(" · ")[0] for option in chooser.options] == ["1–20", "21–40", "41–60", "61–65"]
    first = _heatmap_rows(at, chart_key)
    assert len(first) == 20
    chooser.set_value(60).run()
    assert not at.exception, [e.value for e in at.exception]
    last = _heatmap_rows(at, chart_key)
    assert len(last) == 5 and not set(last) & set(first)
    at.selectbox(key="lang").set_value("nb").run()  # the view chosen survives a change of language
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key=selector).value == 60 and _heatmap_rows(at, chart_key) == last


def test_kept_figures_follow_the_language_and_k(entry_script_runs):
    # ui/charts.py keeps a figure per data set, settings, language and choice: a change of any of
    # them must draw another figure. Titles from samskaping/figures.py's text table.
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = "en"
    at.session_state["dataset"] = "demo"
    at.run()
    at.switch_page("pages/overview.py").run()

    def heatmap() -> dict:
        chart = next(c for c in at.get("plotly_chart") if "overview_heatmap" in c.proto.id)
        return json.loads(chart.proto.spec)

    assert heatmap()["layout"]["title"]["text"].startswith("All cases: mean of every measure")
    at.selectbox(key="lang").set_value("nb").run()
    assert heatmap()["layout"]["title"]["text"].startswith("Alle case: gjennomsnitt for hvert mål")
    hidden_at_3 = sum(z == 0 for trace in heatmap()["data"] if trace["type"] == "heatmap" for row in trace["z"]
                      for z in row)  # fmt: skip
    at.number_input(key="k").set_value(1).run()
    hidden_at_1 = sum(z == 0 for trace in heatmap()["data"] if trace["type"] == "heatmap" for row in trace["z"]
                      for z in row)  # fmt: skip
    # data/demo_survey.xlsx: 3 of its 204 case cells have n = 2 (counted from score_survey at k = 3 and
    # k = 1 and the cells' n), so they are grey at k = 3 and shown at k = 1.
    assert (hidden_at_3, hidden_at_1) == (3, 0)
