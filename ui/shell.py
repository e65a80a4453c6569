"""Keeps every page inside the app's frame (navigation and the shared sidebar of ``app.py``).

Streamlit treats a ``pages/`` folder beside the entry script as a legacy multipage app: a
bookmark to ``/case_profile`` on a fresh server would run that page alone, without the sidebar
(language, data set, k). ``app.py`` marks the runs it frames; a page run outside that frame is
sent to ``app.py`` instead.
"""

from __future__ import annotations

import threading

import streamlit as st

from ui.data import Dataset

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


def open_page(title_key: str, caption_key: str) -> Dataset:
    """The start every data page shares: stay in the frame, title and caption, the data set in
    use (or a note and a stop when there is none), and the synthetic-data notice on demo data."""
    from ui import data
    from ui.text import t

    require_frame()
    st.title(t(title_key))
    st.caption(t(caption_key))
    dataset = data.current_dataset()
    if dataset is None:
        st.info(t("no_data"))
        st.stop()
    if dataset.synthetic:
        st.info(t("synthetic_notice"), icon=":material/science:")
    return dataset
