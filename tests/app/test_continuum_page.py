"""The continuum page in the whole app (AppTest): both languages, placements, uploads, hidden cases, texts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from samskaping.continuum import Placement
from samskaping.figures_continuum import continuum_text

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
PAGE = "pages/continuum.py"
LANGS = ("en", "nb")


def _catalogue(lang: str) -> dict[str, str]:
    texts: dict[str, str] = {}
    for path in sorted((ROOT / "ui" / "texts").glob(f"*.{lang}.yaml")):
        texts.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return texts


TEXTS = {lang: _catalogue(lang) for lang in LANGS}


def _open(lang: str, dataset: str = "demo", upload: Path | None = None) -> AppTest:
    assert PAGE in APP.read_text(encoding="utf-8"), f"app.py's navigation does not list {PAGE}"
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["lang"] = lang
    at.session_state["dataset"] = dataset
    at.run()
    if upload is not None:
        at.file_uploader(key="upload").set_value((upload.name, upload.read_bytes(), "text/csv"))
        at.run()
    at.switch_page(PAGE).run()
    _clean(at)
    return at


def _clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _positions(at: AppTest, lang: str):
    """The positions table (the first table of the page), indexed by case."""
    table = at.dataframe[0].value
    return table.set_index(TEXTS[lang]["col_case"])


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


@pytest.mark.parametrize("lang", LANGS)
def test_page_shows_figures_tables_and_downloads(entry_script_runs, lang):
    at = _open(lang)
    texts = TEXTS[lang]
    assert [title.value for title in at.title] == [texts["continuum_title"]]
    subheaders = [s.value for s in at.subheader]
    for key in ("continuum_figure_continuum", "continuum_positions", "continuum_sensitivity", "continuum_placements",
                "continuum_export"):  # fmt: skip
        assert texts[key] in subheaders, key
    charts = _charts(at)
    assert len(charts) == 2
    axis_words = {"en": "co-creation (thin)", "nb": "tynn samskaping"}[lang]
    assert axis_words in json.dumps(charts[0], ensure_ascii=False)
    positions = _positions(at, lang)
    assert len(positions) == 6  # the demo's six cases, all with n = 3 ≥ k
    thickness = positions[texts["continuum_col_thickness"]]
    assert all(("," if lang == "nb" else ".") in value for value in thickness)
    sensitivity = at.dataframe[1].value
    assert len(sensitivity) == 7 and texts["continuum_col_order_changed"] in sensitivity.columns
    labels = [button.proto.label for button in at.get("download_button")]
    assert labels.count("PNG") == 2 and labels.count("SVG") == 2 and labels.count("PDF") == 2
    assert labels.count("HTML") == 2 and texts["continuum_download_placements"] in labels
    assert any(texts["continuum_weights_note"] == info.value for info in at.info)


@pytest.mark.parametrize("lang", LANGS)
def test_a_placement_shows_in_the_table_and_the_figure(entry_script_runs, lang):
    at = _open(lang)
    texts = TEXTS[lang]
    cases = list(_positions(at, lang).index)
    at.session_state["placements"] = {
        cases[0]: Placement(80.0, False, "Workshop: delivered together.", "both"),
        cases[1]: Placement(None, True, "Ended in 2017.", "manual"),
    }
    at.run()
    _clean(at)
    table = _positions(at, lang)
    manual, shown = table[texts["continuum_col_manual"]], table[texts["continuum_col_shown"]]
    assert manual[cases[0]] == ("80,0" if lang == "nb" else "80.0")
    assert shown[cases[0]] == texts["continuum_shown_both"]
    assert manual[cases[1]] == texts["continuum_outside"] and shown[cases[1]] == texts["continuum_shown_manual"]
    assert table[texts["continuum_col_rationale"]][cases[0]] == "Workshop: delivered together."
    assert shown[cases[2]] == texts["continuum_shown_computed"] and manual[cases[2]] == ""
    continuum = _charts(at)[0]
    symbols = {trace.get("marker", {}).get("symbol") for trace in continuum["data"]}
    assert {"circle", "diamond"} <= symbols
    assert min(continuum["layout"]["xaxis"]["range"]) < 0  # the outside zone
    # The placements survive a rerun and the editor shows them.
    at.run()
    assert at.session_state["placements"][cases[0]].position == 80.0


def test_placements_file_upload_and_a_bad_one(entry_script_runs):
    at = _open("en")
    texts = TEXTS["en"]
    cases = list(_positions(at, "en").index)
    good = f"{cases[2]}: {{position: 35, rationale: from the focus groups, show: manual}}\n".encode()
    at.file_uploader(key="continuum_placements_upload").set_value(("placements.yaml", good, "application/x-yaml"))
    at.run()
    _clean(at)
    assert any("placements.yaml" in s.value.replace("\\", "") for s in at.success)  # Markdown-escaped name
    table = _positions(at, "en")
    assert table[texts["continuum_col_manual"]][cases[2]] == "35.0"
    assert at.session_state["placements"] == {cases[2]: Placement(35.0, False, "from the focus groups", "manual")}
    bad = f"{cases[0]}: {{position: 120}}\n".encode()
    at.file_uploader(key="continuum_placements_upload").set_value(("bad.yaml", bad, "application/x-yaml"))
    at.run()
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and cases[0] in errors[0] and "position" in errors[0]
    assert at.session_state["placements"] == {cases[2]: Placement(35.0, False, "from the focus groups", "manual")}


@pytest.mark.parametrize("lang", LANGS)
def test_hidden_cases_say_so_on_the_golden_data(entry_script_runs, shared_dir, lang):
    at = _open(lang, "upload", shared_dir / "fixtures" / "golden" / "survey.csv")
    table = _positions(at, lang)
    hidden = TEXTS[lang]["hidden_cell"].format(k=3)
    thickness = table[TEXTS[lang]["continuum_col_thickness"]]
    assert thickness["Case C"] == hidden and thickness["Case D"] == hidden
    assert thickness["Case A"] == ("51,8" if lang == "nb" else "51.8")  # golden: 51.796…
    assert table[TEXTS[lang]["col_n"]]["Case D"] == 1
    continuum = json.dumps(_charts(at)[0], ensure_ascii=False)
    assert "Case C (n\u00a0=\u00a02)" in continuum  # named in the caption, not drawn
    assert '"name": "case:Case C"' not in continuum


def test_title_and_caption_are_editable_and_kept(entry_script_runs):
    at = _open("en")
    at.text_input(key="continuum_title_continuum_en").set_value("Figure 3. Cases on the continuum").run()
    _clean(at)
    assert "Figure 3. Cases on the continuum" in json.dumps(_charts(at)[0])
    # A new placement changes the generated caption; the edited title stays.
    case = _positions(at, "en").index[0]
    at.session_state["placements"] = {case: Placement(90.0, False, "", "manual")}
    at.run()
    assert at.text_input(key="continuum_title_continuum_en").value == "Figure 3. Cases on the continuum"
    caption = at.text_area(key="continuum_caption_continuum_en").value
    assert "Diamonds" in caption  # followed the new generated caption (it was not edited)
    at.button(key="continuum_reset_texts").click().run()
    assert at.text_input(key="continuum_title_continuum_en").value == continuum_text("continuum_title", "en")
