"""The interface texts in English and Norwegian bokmål.

Texts live in ``ui/texts/<topic>.<lang>.yaml`` (one file per page or topic, so the catalogues
stay small); every key must exist in both languages with the same placeholders (a test checks).
"""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st
import yaml

from ui import state

TEXT_DIR = Path(__file__).resolve().parent / "texts"
LANGUAGES = {"en": "English", "nb": "Norsk bokmål"}


# A plain memo rather than st.cache_resource: pages look texts up thousands of times per run
# (table cells), and Streamlit's cache costs a hash of the arguments on every call.
@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """All texts of one language, keyed by text id (read once per process)."""
    texts: dict[str, str] = {}
    for path in sorted(TEXT_DIR.glob(f"*.{lang}.yaml")):
        texts.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return texts


def lang() -> str:
    """The language chosen in the sidebar."""
    return st.session_state.get(state.LANG, state.DEFAULTS[state.LANG])


def t(key: str, **fields: object) -> str:
    """The text ``key`` in the chosen language, with ``fields`` filled in."""
    text = catalogue(lang()).get(key) or catalogue("en").get(key) or key
    return text.format(**fields) if fields else text
