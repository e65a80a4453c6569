"""Page timing for ``python -m samskaping bench``: each dashboard page run by Streamlit's AppTest on a survey file.

This module drives Streamlit, so it lives outside the ``samskaping`` package (which never imports
streamlit; tests/test_layering.py checks every import in it, lazy ones included). The page timing
needs the app itself (``app.py``, ``pages/``, ``ui/``), which only a checkout of the repository
has; :mod:`samskaping.bench` loads this file from the checkout by its path.

For each page the survey file is given to the sidebar's uploader (data set "upload", as a researcher
would), Streamlit's caches (data and resources) are emptied, and the page's first run is timed (*cold*: read,
validate and score the file, then draw the page). Then a widget is changed five times (the case
on the case profile, the language elsewhere: there and back, twice, and there again) and the median
of the five reruns is the *warm* time. Every run executes ``app.py`` (the sidebar) as the server does.
"""

from __future__ import annotations

import contextlib
import logging
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import streamlit as st
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from samskaping.storage import DATABASE_URL_VARIABLE

__all__ = ["PAGES", "page_timings"]

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("overview", "case_profile", "groups", "continuum")
_TIMEOUT = 3600.0  # seconds per AppTest run: a cold page on 100 000 respondents takes minutes
_MIME = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".csv": "text/csv"}


_QUIET = {  # Streamlit warns when session state is set or a cache cleared between runs, as a bench does
    "streamlit.runtime.scriptrunner_utils.script_run_context": "missing ScriptRunContext",
    "streamlit.runtime.caching.cache_data_api": "No runtime found",
    "streamlit.runtime.caching.cache_resource_api": "No runtime found",
}


def _not_between_runs(record: logging.LogRecord) -> bool:
    """Leave out the warnings of :data:`_QUIET`; every other message is printed."""
    return _QUIET.get(record.name, "\0") not in record.getMessage()


class _EntryScriptPagesManager(PagesManager):
    """A PagesManager that never takes the ``pages/`` folder shim (as in tests/app/conftest.py).

    Without it AppTest resolves every run after the first to the page file alone, skipping
    ``app.py`` and its sidebar; the pages would then send themselves to the start page.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@contextlib.contextmanager
def _app_environment() -> Iterator[None]:
    """AppTest runs ``app.py`` every time; the workspace database is a throwaway SQLite file."""
    saved_manager, saved_url = app_test_module.PagesManager, os.environ.get(DATABASE_URL_VARIABLE)
    for name in _QUIET:
        logging.getLogger(name).addFilter(_not_between_runs)
    with tempfile.TemporaryDirectory(prefix="samskaping-bench-") as folder:
        app_test_module.PagesManager = _EntryScriptPagesManager
        os.environ[DATABASE_URL_VARIABLE] = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        try:
            yield
        finally:
            app_test_module.PagesManager = saved_manager
            PagesManager.uses_pages_directory = None
            for name in _QUIET:
                logging.getLogger(name).removeFilter(_not_between_runs)
            if saved_url is None:
                os.environ.pop(DATABASE_URL_VARIABLE, None)
            else:
                os.environ[DATABASE_URL_VARIABLE] = saved_url


def _run(at: AppTest) -> float:
    """Seconds of one run; a page that raised is an error, not a time."""
    start = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"the page raised: {at.exception[0].value}")
    return seconds


def _changes(at: AppTest, page: str) -> list[Callable[[], object]]:
    """Five harmless widget changes for the warm reruns: there and back, twice, and there again.

    The first change may draw a figure for the first time (the other language, the other case);
    of five reruns the median is one that only draws again, whatever the machine's noise does to one run.
    """
    if page == "case_profile":
        box = at.selectbox(key="case")
        first, second = box.options[0], box.options[min(1, len(box.options) - 1)]
        return [lambda v=v: at.selectbox(key="case").set_value(v) for v in (second, first, second, first, second)]
    return [lambda v=v: at.selectbox(key="lang").set_value(v) for v in ("nb", "en", "nb", "en", "nb")]


_warmed_up = False


def _warm_up() -> None:
    """Run every page once on the bundled demo, untimed, so that one-off imports do not count as cold time."""
    global _warmed_up
    if _warmed_up:
        return
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=_TIMEOUT)
    at.session_state["lang"] = "en"
    at.run()
    for page in PAGES:
        at.switch_page(f"pages/{page}.py")
        _run(at)
    _warmed_up = True


def page_timings(
    path: Path, pages: tuple[str, ...] = PAGES, between: Callable[[], None] = lambda: None
) -> Iterator[tuple[str, str, float]]:
    """Time each page on the survey file ``path``: yields ``(page, "cold" | "warm", seconds)``.

    Cold is the page's first run after the file is uploaded, with Streamlit's caches empty;
    warm is the median of five reruns after a widget change. Before each cold run, and after each
    page once its session and Streamlit's caches are let go, ``between()`` runs (the bench hands
    freed memory back), so a page does not start from the memory of the one before. Raises ``RuntimeError`` when a page
    raises, ``ValueError`` for an unknown page.
    """
    unknown = set(pages) - set(PAGES)
    if unknown:
        raise ValueError(f"unknown page(s): {', '.join(sorted(unknown))}")
    with _app_environment():
        _warm_up()
        for page in pages:
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=_TIMEOUT)
            at.session_state["lang"] = "en"
            at.session_state["dataset"] = "upload"
            at.run()  # no file yet: the page says so and stops
            at.switch_page(f"pages/{page}.py")
            # Read for each page and not kept here: the bench's own copy of the file is not the app's memory.
            at.file_uploader(key="upload").set_value((path.name, path.read_bytes(), _MIME.get(path.suffix.lower(), "")))
            st.cache_data.clear()
            st.cache_resource.clear()
            between()
            yield page, "cold", _run(at)
            warm = []
            for change in _changes(at, page):
                change()
                warm.append(_run(at))
            del at, change  # the last change closes over the session too
            st.cache_data.clear()
            st.cache_resource.clear()
            between()
            yield page, "warm", statistics.median(warm)
