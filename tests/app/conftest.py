"""AppTest set-up shared by the page tests."""

from __future__ import annotations

import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.pages_manager import PagesManager


class _EntryScriptPagesManager(PagesManager):
    """A PagesManager that never takes the ``pages/`` folder shim.

    With a ``pages/`` folder beside ``app.py`` Streamlit may wrap a run in its legacy
    folder-based navigation, and AppTest resolves every run after the first to the page file
    alone, skipping ``app.py`` (the sidebar) — the pages would then send themselves to the start
    page (``ui.shell.require_frame``). The running server leaves the shim after the first
    ``st.navigation`` call, so the tests switch it off from the start.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@pytest.fixture(scope="module", autouse=True)
def entry_script_runs():
    """Every AppTest in tests/app runs ``app.py`` on every run, as the server does."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(app_test_module, "PagesManager", _EntryScriptPagesManager)
        yield


@pytest.fixture(scope="session", autouse=True)
def workspace_database(tmp_path_factory: pytest.TempPathFactory):
    """The app's workspace database for the page tests: a fresh SQLite file, never the user's own."""
    from samskaping.storage import DATABASE_URL_VARIABLE

    url = f"sqlite:///{tmp_path_factory.mktemp('workspaces') / 'app.sqlite'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(DATABASE_URL_VARIABLE, url)
        yield url
