"""The codebook page in the whole app (AppTest): both languages, editing, applying, resetting, uploading."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from samskaping.codebook import parse_codebook
from samskaping.instrument import load_instrument

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/codebook.py"
CODEBOOK_YAML = "codebook_yaml"  # ui.state.CODEBOOK_YAML


def _open(lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _yaml_area(at: AppTest):
    (area,) = [a for a in at.text_area if a.key.startswith("codebook_yaml_text_")]
    return area


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _stored_codebook(at: AppTest):
    return parse_codebook(at.session_state[CODEBOOK_YAML], load_instrument())


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_page_renders_without_exception(lang):
    at = _open(lang)
    assert at.title[0].value == {"en": "Codebook", "nb": "Kodebok"}[lang]
    measures = next(e for e in at.data_editor if e.key.startswith("codebook_measures_")).value
    assert len(measures) == 34
    expected = {"en": "Shared vision", "nb": "Felles visjon"}[lang]
    assert expected in set(measures["name"])
    assert not at.error
    assert not at.warning  # no edited-codebook notice with the bundled codebook


def test_norwegian_names_in_the_wording_choice():
    at = _open("nb")
    choice = at.selectbox(key="codebook_wording_measure")
    assert "Felles visjon" in choice.options
    choice.set_value("shared_vision").run()
    assert not at.exception
    wording = at.dataframe[-1].value
    assert list(wording["item"]) == ["q31", "q32"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("thresholds: [unclosed", "is not valid YAML"),
        ("just text", "must be a YAML mapping"),
    ],
)
def test_bad_yaml_shows_an_error_and_changes_nothing(text, message):
    at = _open()
    _yaml_area(at).set_value(text)
    _button(at, "Apply YAML").click().run()
    assert not at.exception
    assert len(at.error) == 1 and message in at.error[0].value
    assert at.session_state[CODEBOOK_YAML] is None


def test_yaml_breaking_a_rule_shows_the_key():
    at = _open()
    text = _yaml_area(at).value.replace("  k: 3\n", "  k: 0\n")
    _yaml_area(at).set_value(text)
    _button(at, "Apply YAML").click().run()
    # The message is Markdown with the file's text escaped (ui.safe.md): compare the text it shows.
    assert "thresholds.k: must be at least 1" in at.error[0].value.replace("\\", "")
    assert at.session_state[CODEBOOK_YAML] is None


def test_yaml_edit_is_applied_and_reset():
    at = _open()
    text = _yaml_area(at).value
    assert "  k: 3\n" in text
    _yaml_area(at).set_value(text.replace("  k: 3\n", "  k: 4\n"))
    _button(at, "Apply YAML").click().run()
    assert not at.exception
    assert _stored_codebook(at).thresholds.k == 4
    assert "recomputed" in at.success[0].value
    assert at.warning  # notice: an edited codebook is in use
    assert "  k: 4\n" in _yaml_area(at).value  # the text area shows the codebook in use
    # Rerun once more: the stored codebook stays in use, the notice stays.
    at.run()
    assert not at.exception and at.warning and _stored_codebook(at).thresholds.k == 4
    _button(at, "Reset to the bundled codebook").click().run()
    assert not at.exception
    assert at.session_state[CODEBOOK_YAML] is None
    assert not at.warning
    assert "  k: 3\n" in _yaml_area(at).value


def test_applying_the_bundled_codebook_unchanged_keeps_it_unedited():
    at = _open()
    _button(at, "Apply YAML").click().run()
    assert not at.exception
    assert at.session_state[CODEBOOK_YAML] is None


def test_table_edit_is_applied():
    at = _open()
    editor = next(e for e in at.data_editor if e.key.startswith("codebook_measures_"))
    row = int(editor.value.index[editor.value["id"] == "history"][0])
    at.session_state[editor.key] = {
        "edited_rows": {row: {"items": "26, 27, 19"}}, "added_rows": [], "deleted_rows": []
    }  # fmt: skip
    _button(at, "Apply").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert _stored_codebook(at).measure("history").item_ids == ("q26", "q27", "q19")


def test_table_edit_breaking_a_rule_shows_an_error():
    at = _open()
    editor = next(e for e in at.data_editor if e.key.startswith("codebook_measures_"))
    row = int(editor.value.index[editor.value["id"] == "climate"][0])
    at.session_state[editor.key] = {"edited_rows": {row: {"items": "q38, q27"}}, "added_rows": [], "deleted_rows": []}
    _button(at, "Apply").click().run()
    assert not at.exception
    assert "q27" in at.error[0].value
    assert at.session_state[CODEBOOK_YAML] is None


def test_upload_of_a_codebook():
    at = _open()
    text = _yaml_area(at).value.replace("  k: 3\n", "  k: 5\n")
    at.file_uploader(key="codebook_upload").upload("mine.yaml", text.encode("utf-8"), "application/x-yaml")
    at.run()
    assert not at.exception
    assert _stored_codebook(at).thresholds.k == 5
    assert "mine.yaml" in at.success[0].value


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("schema_version: 1\nthresholds: {k: 3}\n# Grenseområde\n".encode("latin-1"), "not UTF-8"),
        (b"schema_version: 1\n", "mine.yaml: missing required key 'bands'"),
    ],
)
def test_bad_upload_shows_an_error(content, message):
    at = _open()
    at.file_uploader(key="codebook_upload").upload("mine.yaml", content, "application/x-yaml")
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and message in at.error[0].value
    assert at.session_state[CODEBOOK_YAML] is None
