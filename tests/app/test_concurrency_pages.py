"""Two dashboard sessions (AppTest) on one workspace: neither loses the other's write."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from samskaping.instrument import DATA_DIR
from samskaping.storage import Store
from samskaping.workspace import Wave, Workspace, new_id

ROOT = Path(__file__).resolve().parents[2]
DEMO = DATA_DIR / "demo_survey.xlsx"


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _store() -> Store:
    return Store.open(os.environ["SAMSKAPING_DATABASE_URL"])


def _seed(name: str) -> Workspace:
    store = _store()
    try:
        workspace = store.create(name, k=3)
        wave = Wave(new_id(), "Runde 1", "demo_survey.xlsx", DEMO.read_bytes())
        return store.save(dataclasses.replace(workspace, waves=(wave,)))
    finally:
        store.close()


def _session_on(workspace: Workspace) -> AppTest:
    """A fresh session (its own AppTest, as a second browser tab or person) with the workspace open."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = "en"
    _ok(at.run())
    at.switch_page("pages/workspace.py")
    _ok(at.run())
    at.selectbox[0].set_value(workspace.id)
    _ok(at.run())
    at.button(key="workspace_open").click()
    _ok(at.run())
    assert at.session_state["workspace"].revision == workspace.revision
    return at


def _first_case() -> str:
    return sorted(pd.read_excel(DEMO, sheet_name="Survey", engine="calamine")["case"].unique())[0]


def _write_note(at: AppTest, case: str, text: str) -> None:
    at.selectbox(key="workspace_note_case").set_value(case)
    _ok(at.run())
    note = next(area for area in at.text_area if area.key.startswith(f"workspace_note_{case}_"))
    note.set_value(text)
    at.button(key="workspace_save_note").click()
    _ok(at.run())


def test_k_in_one_session_and_a_note_in_the_other_both_survive() -> None:
    seeded = _seed("To økter")
    one, two = _session_on(seeded), _session_on(seeded)
    # Session one raises k (saved automatically at the end of the run).
    one.number_input(key="k").set_value(5)
    _ok(one.run())
    store = _store()
    assert store.load(seeded.id).k == 5
    # Session two, opened before that, writes a note on a case and saves it.
    case = _first_case()
    _write_note(two, case, "Intervju avtalt")
    stored = store.load(seeded.id)
    # Expected: both writes, each from its own session (5 from one, the note from two).
    assert stored.k == 5
    assert dict(stored.notes) == {case: "Intervju avtalt"}
    assert stored.revision == seeded.revision + 2  # one save each
    # Session two works on the newest revision, with session one's k.
    assert two.session_state["workspace"].revision == stored.revision
    assert two.session_state["k"] == 5
    # Session one's next run takes the note; its next change (k again) keeps it.
    one.number_input(key="k").set_value(4)
    _ok(one.run())
    assert dict(one.session_state["workspace"].notes) == {case: "Intervju avtalt"}
    stored = store.load(seeded.id)
    assert (stored.k, dict(stored.notes)) == (4, {case: "Intervju avtalt"})
    store.close()


def test_a_save_overtaken_after_the_refresh_is_merged(monkeypatch) -> None:
    # Session one's save lands after session two's start-of-run refresh and before two's own save
    # (the refresh is made to see nothing new): two's save is refused as stale, then merged.
    seeded = _seed("Forbikjørt")
    one, two = _session_on(seeded), _session_on(seeded)
    one.number_input(key="k").set_value(5)
    _ok(one.run())
    monkeypatch.setattr(Store, "revision", lambda self, workspace_id, owner="local": seeded.revision)
    case = _first_case()
    _write_note(two, case, "Ring tilbake")
    store = _store()
    stored = store.load(seeded.id)
    store.close()
    assert (stored.k, dict(stored.notes)) == (5, {case: "Ring tilbake"})
    assert any("both changes are saved" in info.value for info in two.info)
    assert two.session_state["workspace"].revision == stored.revision
    _ok(two.run())  # the sidebar takes the merged k on the next run
    assert two.session_state["k"] == 5


def test_both_sessions_change_k_the_first_is_kept_and_the_second_is_told() -> None:
    seeded = _seed("Samme felt")
    one, two = _session_on(seeded), _session_on(seeded)
    one.number_input(key="k").set_value(6)
    _ok(one.run())
    two.number_input(key="k").set_value(7)
    _ok(two.run())
    store = _store()
    assert store.load(seeded.id).k == 6  # the newest stored value stays: a true conflict
    store.close()
    assert any("anonymity threshold k" in warning.value for warning in two.warning)
    assert two.session_state["k"] == 6
