"""Hostile user text on the pages shows as literal text, never as a link, an image or HTML (AppTest).

The golden survey is uploaded with its case names replaced by a raw HTML image with a script
handler, a ``javascript:`` Markdown link and a Markdown image from another host. Every page is
visited (the case profile for each case, a case report made on the Reports page, a finding edited
to hostile text). Every element that Streamlit renders as Markdown — markdown, captions, headings,
alerts, button and download labels, radio options, ``st.table`` cells — is checked: no unescaped
``<``, ``![`` or ``](`` from the user's text may be there, and the escaped names must be found in
such elements (so the check saw the names reach Markdown). Streamlit itself renders Markdown in
the browser; CommonMark shows a backslash-escaped punctuation character as that character
(tests/test_injection.py checks the escaping), so the names show literally.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from samskaping.safe_text import escape_markdown

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(f"pages/{path.name}" for path in (ROOT / "pages").glob("*.py"))
NAMES = {
    "Case A": "<img src=x onerror=alert(1)>",
    "Case B": "[click](javascript:alert(1))",
    "Case C": "![x](http://evil/x.png)",
}
RESERVED_PAGE = "pages/groups.py"  # checked on its own below
FINDING = "<b>bold</b> [link](http://evil) ![img](http://evil/i.png)"
# Markdown that would become a tag, an image or a link if not escaped.
ACTIVE = re.compile(r"(?<!\\)(<(?:img|script|b)\b|!\[|\]\()")
# Protos whose text Streamlit renders as Markdown, and the fields holding it.
MARKDOWN_FIELDS = {"Markdown": ("body",), "Heading": ("body",), "Alert": ("body",), "Button": ("label",),
                   "DownloadButton": ("label",), "Radio": ("label", "options"), "Selectbox": ("label",),
                   "Checkbox": ("label",), "TextArea": ("label",), "TextInput": ("label",)}  # fmt: skip


def _markdown_texts(node, out: list[tuple[str, str]]) -> None:
    proto = getattr(node, "proto", None)
    if isinstance(proto, Message) and type(proto).__name__ in MARKDOWN_FIELDS:
        decoded = MessageToDict(proto, preserving_proto_field_name=True)
        for name in MARKDOWN_FIELDS[type(proto).__name__]:
            value = decoded.get(name)
            for text in value if isinstance(value, list) else [value]:
                if isinstance(text, str):
                    out.append((type(proto).__name__, text))
    if type(node).__name__ == "Table":  # st.table renders its cells as Markdown
        value = node.value
        if isinstance(value, pd.DataFrame):
            out.extend(("Table", str(v)) for v in value.to_numpy().ravel())
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            _markdown_texts(child, out)


def _texts(at: AppTest) -> list[tuple[str, str]]:
    assert not at.exception, [e.value for e in at.exception]
    out: list[tuple[str, str]] = []
    _markdown_texts(at.main, out)
    _markdown_texts(at.sidebar, out)
    return out


@pytest.fixture(scope="module")
def hostile_csv(shared_dir) -> bytes:
    golden = pd.read_csv(shared_dir / "fixtures" / "golden" / "survey.csv", dtype=str, keep_default_na=False)
    golden["case"] = golden["case"].replace(NAMES)
    return golden.to_csv(index=False).encode("utf-8")


def test_the_check_sees_unescaped_markdown():
    assert ACTIVE.search("Report for <img src=x>") and ACTIVE.search("a ![x](y)") and ACTIVE.search("[a](b)")
    assert not any(ACTIVE.search(escape_markdown(name)) for name in NAMES.values())


@pytest.fixture(scope="module")
def seen(entry_script_runs, hostile_csv) -> list[tuple[str, str, str]]:
    """(where, element kind, Markdown text) of every page visited with the hostile names."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["dataset"] = "upload"
    at.run()
    at.file_uploader(key="upload").set_value(("hostile.csv", hostile_csv, "text/csv")).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    seen: list[tuple[str, str, str]] = []
    for page in PAGES:
        at.switch_page(page).run()
        seen += [(page, kind, text) for kind, text in _texts(at)]
        if page == "pages/case_profile.py":
            for case in NAMES.values():
                at.selectbox(key="case").set_value(case).run()
                seen += [(f"{page} [{case}]", kind, text) for kind, text in _texts(at)]
            # A researcher's finding with HTML, a link and an image: the findings table shows it literally.
            at.text_area[0].set_value(FINDING).run()
            seen += [(f"{page} [finding]", kind, text) for kind, text in _texts(at)]
        elif page == "pages/reports.py":
            at.selectbox(key="reports_case").set_value(NAMES["Case A"])
            at.radio(key="reports_format").set_value("html").run()
            at.button(key="reports_make_case").click().run()
            seen += [(f"{page} [report]", kind, text) for kind, text in _texts(at)]
    return seen


def test_hostile_names_and_findings_show_as_literal_text(seen):
    active = [(where, kind, text) for where, kind, text in seen if ACTIVE.search(text) and where != RESERVED_PAGE]
    assert not active, active[:10]
    # The names did reach Markdown, escaped: in the figure captions and the report's download label.
    for name in NAMES.values():
        assert any(escape_markdown(name) in text for _, _, text in seen), name
    assert any(kind == "DownloadButton" and escape_markdown(NAMES["Case A"]) in text for _, kind, text in seen)
    assert any(kind == "Table" and escape_markdown(FINDING) in text for _, kind, text in seen)


def test_groups_page_shows_hostile_names_as_literal_text(seen):
    on_groups = [(kind, text) for where, kind, text in seen if where == RESERVED_PAGE]
    assert on_groups  # the page was visited
    active = [(kind, text) for kind, text in on_groups if ACTIVE.search(text)]
    assert not active, active[:10]
