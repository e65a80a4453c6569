"""Keeps every page inside the app's frame (navigation and the shared sidebar of ``app.py``).

Streamlit treats a ``pages/`` folder beside the entry script as a legacy multipage app: a
bookmark to ``/case_profile`` on a fresh server would run that page alone, without the sidebar
(language, data set, k). ``app.py`` marks the runs it frames; a page run outside that frame is
sent to ``app.py`` instead.
"""

from __future__ import annotations

import threading

import streamlit as st

_frame = threading.local()


def run_framed(page: st.navigation) -> None:  # type: ignore[valid-type]
    """Run the page chosen in ``app.py``'s navigation, marked as framed."""
    _frame.active = True
    try:
        page.run()
    finally:
        _frame.active = False


def require_frame() -> None:
    """Called first by every page: outside ``app.py``'s frame, go to the app's start page."""
    if not getattr(_frame, "active", False):
        st.switch_page("app.py")
