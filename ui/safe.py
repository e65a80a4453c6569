"""User text in Markdown: shown literally, never as a link, an image or HTML (issue 9: injection).

Streamlit renders ``st.markdown``, ``st.caption``, ``st.header``, alerts, spinners and widget
labels (also radio options) as Markdown. Case names, file names, wave and workspace names, notes,
findings and error messages that quote a file go through :func:`md` (or :func:`t_md`, which
escapes the fields of a catalogue text but keeps the catalogue's own Markdown) before they get
there. ``unsafe_allow_html`` is never used with such text (tests/test_injection.py checks).
"""

from __future__ import annotations

from samskaping.safe_text import escape_markdown
from ui.text import t

__all__ = ["md", "t_md"]


def md(text: object) -> str:
    """``text`` escaped so that Markdown shows it exactly as written."""
    return escape_markdown(text)


def t_md(key: str, **fields: object) -> str:
    """The catalogue text ``key`` with its text fields escaped for Markdown (numbers are left as they are)."""
    return t(key, **{name: md(value) if isinstance(value, str) else value for name, value in fields.items()})
