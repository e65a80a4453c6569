"""The open workspace in the session: opening, saving, autosaving and its waves as data sets.

The session is what the pages work on (k, *treat 3 as missing*, the codebook, placements,
edited findings); when a workspace is open, :func:`autosave` writes any change of these to it
at the end of every run, so the researcher's work is there tomorrow. Waves, exclusions and
notes are saved by the workspace page's buttons directly.

Every store call acts as the logged-in owner (:func:`ui.auth.current_owner`; ``local`` without
login). Saves never drop another session's work: when someone saved the workspace in between,
this session's own changes are re-applied on top of theirs (:meth:`Store.save_merging`), and
only a field both changed keeps the newest value, with a message naming it.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from types import MappingProxyType

import streamlit as st

from samskaping.errors import SamskapingError
from samskaping.storage import StorageError, Store, default_database_url
from samskaping.validation import Validated
from samskaping.wave_privacy import without_identifying
from samskaping.workspace import (
    Conflict,
    FindingsEdit,
    Wave,
    Workspace,
    apply_exclusions,
    load_wave,
    merge,
    new_id,
)
from ui import auth, continuum_view, data, state

__all__ = [
    "active",
    "add_wave",
    "apply_pending",
    "autosave",
    "close",
    "create",
    "flash",
    "open_workspace",
    "owner",
    "save",
    "show_flash",
    "store",
    "wave_dataset",
    "wave_validated",
]


@st.cache_resource(show_spinner=False)
def _open_store(url: str) -> tuple[Store | None, str]:
    try:
        return Store.open(url), ""
    except SamskapingError as exc:
        return None, str(exc)


def store() -> tuple[Store | None, str]:
    """The workspace database (``SAMSKAPING_DATABASE_URL`` or the user's SQLite file) and, if it failed, why."""
    return _open_store(default_database_url())


def owner() -> str:
    """Whose workspaces this session works on (raises StorageError when nobody is logged in)."""
    current = auth.current_owner()
    if current is None:
        raise StorageError("log in first")
    return current


def active() -> Workspace | None:
    """The open workspace, or None."""
    return st.session_state.get(state.WORKSPACE)


def flash(kind: str, key: str, **fields: object) -> None:
    """A message (``success``, ``info``, ``warning`` or ``error``) for the next run to show once."""
    st.session_state[state.WORKSPACE_FLASH] = (kind, key, fields)


def show_flash() -> None:
    """Show (once) the message left by the last action."""
    from ui.safe import t_md

    message = st.session_state.pop(state.WORKSPACE_FLASH, None)
    if message:
        kind, key, fields = message
        getattr(st, kind)(t_md(key, **fields))


def open_workspace(workspace_id: str) -> None:
    """Load a workspace and make its settings and decisions the session's (a button callback)."""
    opened, problem = store()
    if opened is None:
        flash("error", "workspace_store_failed", problem=problem)
        return
    try:
        workspace = opened.load(workspace_id, owner=owner())
    except StorageError as exc:
        flash("error", "workspace_failed", problem=str(exc))
        return
    _into_session(workspace)
    flash("success", "workspace_opened", name=workspace.name)


_PENDING = "workspace_pending"  # sidebar widget values to set at the start of the next run


def _set_widget(key: str, value: object) -> None:
    # A widget's value cannot change once the widget exists in this run; app.py applies it next run.
    st.session_state.setdefault(_PENDING, {})[key] = value


def apply_pending() -> None:
    """Set the sidebar values an action asked for (called by app.py before the sidebar's widgets).

    First the open workspace is brought up to date (:func:`refresh`): what another session
    saved since arrives here, before any widget of this run is drawn.
    """
    refresh()
    for key, value in st.session_state.pop(_PENDING, {}).items():
        st.session_state[key] = value


def refresh() -> None:
    """Take what other sessions saved to the open workspace since this one loaded it (one small query).

    The session's own unsaved changes (e.g. k changed in this run) are kept on top, field by
    field (:func:`samskaping.workspace.merge`); autosave writes them at the end of the run. A
    workspace deleted elsewhere is closed, with a message.
    """
    workspace = active()
    if workspace is None or st.session_state.get(_PENDING):
        return
    opened, _ = store()
    if opened is None:
        return
    try:
        stored = opened.revision(workspace.id, owner=owner())
        if stored == workspace.revision:
            return
        if stored is None:
            close()
            flash("warning", "workspace_gone", name=workspace.name)
            return
        theirs = opened.load(workspace.id, owner=owner())
    except StorageError:
        return  # the database is unreachable just now: keep working on what the session has
    merged, conflicts = merge(workspace, _with_session(workspace), theirs)
    _decisions_into_session(merged)
    st.session_state[state.WORKSPACE] = theirs  # autosave writes what of mine differs from theirs
    if conflicts:
        flash("warning", "workspace_conflict", name=theirs.name, fields=describe(conflicts))


def _into_session(workspace: Workspace) -> None:
    session = st.session_state
    session[state.WORKSPACE] = workspace
    _set_widget(state.K, workspace.k)
    _set_widget(state.THREE_AS_MISSING, workspace.three_as_missing)
    session[state.CODEBOOK_YAML] = workspace.codebook_yaml
    session[continuum_view.PLACEMENTS] = dict(workspace.placements)
    session[continuum_view.VERSION] = session.get(continuum_view.VERSION, 0) + 1  # the editor starts afresh
    session[state.EDITED_FINDINGS] = {(f"wave:{f.wave_id}", f.case, f.lang): f.table() for f in workspace.findings}
    if workspace.waves:
        _set_widget(state.DATASET, f"wave:{workspace.waves[-1].id}")
    elif str(session.get(state.DATASET, "")).startswith("wave:"):
        _set_widget(state.DATASET, state.DEFAULTS[state.DATASET])


def _decisions_into_session(workspace: Workspace) -> None:
    """The workspace's settings and decisions into the session (before the widgets are drawn), nothing else."""
    session = st.session_state
    session[state.K] = workspace.k
    session[state.THREE_AS_MISSING] = workspace.three_as_missing
    session[state.CODEBOOK_YAML] = workspace.codebook_yaml
    if dict(workspace.placements) != continuum_view.placements():
        session[continuum_view.PLACEMENTS] = dict(workspace.placements)
        session[continuum_view.VERSION] = session.get(continuum_view.VERSION, 0) + 1
    edited = {
        key: table
        for key, table in (session.get(state.EDITED_FINDINGS) or {}).items()
        if not str(key[0]).startswith("wave:")  # edits on the demo data or an upload stay
    }
    edited.update({(f"wave:{f.wave_id}", f.case, f.lang): f.table() for f in workspace.findings})
    session[state.EDITED_FINDINGS] = edited


def close() -> None:
    """Close the open workspace (its data stay in the database); the session returns to the demo data."""
    session = st.session_state
    session[state.WORKSPACE] = None
    if str(session.get(state.DATASET, "")).startswith("wave:"):
        _set_widget(state.DATASET, state.DEFAULTS[state.DATASET])


def create(name: str) -> None:
    """Create a workspace with the session's current settings and open it."""
    opened, problem = store()
    if opened is None:
        flash("error", "workspace_store_failed", problem=problem)
        return
    k, three = data.settings()
    try:
        workspace = opened.create(name, owner=owner(), k=k, three_as_missing=three)
    except StorageError as exc:
        flash("error", "workspace_failed", problem=str(exc))
        return
    st.session_state[state.WORKSPACE] = _with_session(workspace)
    save(st.session_state[state.WORKSPACE], quiet=True)
    flash("success", "workspace_created", name=workspace.name)


def save(workspace: Workspace, *, quiet: bool = False) -> bool:
    """Save ``workspace`` (changed from the session's open one) and make it the session's.

    When another session saved in between, this session's changes are merged into the newest
    revision, which the session then takes (with the other session's changes); a field both
    changed keeps the other's value and a warning names it. False when nothing could be saved.
    """
    opened, problem = store()
    if opened is None:
        flash("error", "workspace_store_failed", problem=problem)
        return False
    base = active()
    if base is None or base.id != workspace.id:
        base = workspace
    try:
        result = opened.save_merging(workspace, base, owner=owner())
    except StorageError as exc:
        flash("error", "workspace_failed", problem=str(exc))
        return False
    if not result.merged:
        st.session_state[state.WORKSPACE] = result.saved
        if not quiet:
            flash("success", "workspace_saved", name=result.saved.name)
        return True
    _into_session(result.saved)  # the other session's changes arrive in this one
    if result.conflicts:
        flash("warning", "workspace_conflict", name=result.saved.name, fields=describe(result.conflicts))
    else:
        flash("info", "workspace_merged", name=result.saved.name)
    return True


def describe(conflicts: tuple[Conflict, ...]) -> str:
    """The fields of a merge conflict in words, e.g. ``k, note (Case A)``."""
    from ui.text import t

    return ", ".join(t(f"workspace_field_{c.field}") + (f" ({c.item})" if c.item else "") for c in conflicts)


def _with_session(workspace: Workspace) -> Workspace:
    """The workspace with the session's settings, placements and findings wording."""
    k, three = data.settings()
    waves = {wave.id for wave in workspace.waves}
    findings = []
    for (scope, case, lang), table in (st.session_state.get(state.EDITED_FINDINGS) or {}).items():
        wave_id = scope.removeprefix("wave:") if isinstance(scope, str) else None
        if wave_id in waves:
            findings.append(FindingsEdit.from_table(wave_id, case, lang, table))
    return dataclasses.replace(
        workspace,
        k=k,
        three_as_missing=three,
        codebook_yaml=st.session_state.get(state.CODEBOOK_YAML),
        placements=MappingProxyType(continuum_view.placements()),
        findings=tuple(sorted(findings, key=lambda f: (f.wave_id, f.case, f.lang))),
    )


def _decisions(workspace: Workspace) -> tuple:
    return (
        workspace.k,
        workspace.three_as_missing,
        workspace.codebook_yaml,
        dict(workspace.placements),
        [(f.wave_id, f.case, f.lang, dict(f.cells)) for f in workspace.findings],
    )


def autosave() -> None:
    """Write the session's settings, placements and findings wording to the open workspace if they changed."""
    workspace = active()
    if workspace is None or st.session_state.get(_PENDING):
        return  # the session is about to take the workspace's values, not the other way round
    updated = _with_session(workspace)
    if _decisions(updated) != _decisions(workspace):
        save(updated, quiet=True)


def add_wave(dataset: data.Dataset, label: str, collected_on: date | None) -> None:
    """Save the data set in use as a new wave of the open workspace (a button callback)."""
    workspace, source = active(), dataset.source
    if workspace is None or source is None:
        return
    wave = Wave(
        id=new_id(),
        label=label.strip() or source.file_name,
        file_name=source.file_name,
        content=source.content,
        collected_on=collected_on,
        sheet=source.sheet,
        mapping_yaml=source.mapping_yaml,
        companions=source.companions,
    )
    stripped = without_identifying(wave, data.instrument())
    wave = stripped.wave
    if save(dataclasses.replace(workspace, waves=(*workspace.waves, wave)), quiet=True):
        _set_widget(state.DATASET, f"wave:{wave.id}")
        if stripped.removed:
            flash("success", "workspace_wave_added_stripped", label=wave.label, count=len(stripped.removed))
        elif stripped.kept_because:
            flash("warning", "workspace_wave_added_kept", label=wave.label)
        else:
            flash("success", "workspace_wave_added", label=wave.label)


@st.cache_data(show_spinner=False, max_entries=8)
def _wave_validated(_wave: Wave, key: str) -> Validated:
    return load_wave(_wave, data.instrument())


def _wave_key(wave: Wave) -> str:
    return f"{wave.id}:{wave.sha256}:{hash(wave.mapping_yaml)}:{wave.sheet}"


def wave_validated(wave: Wave) -> Validated:
    """A wave's file read with its mapping (before exclusions), cached; raises DataFileError if unreadable."""
    return _wave_validated(wave, _wave_key(wave))


def wave_dataset(wave_id: str) -> data.Dataset | None:
    """A wave of the open workspace as the data set in use, with the workspace's exclusions applied."""
    workspace = active()
    if workspace is None:
        return None
    try:
        wave = workspace.wave(wave_id)
    except KeyError:
        return None
    key = _wave_key(wave)
    try:
        validated = wave_validated(wave)
    except SamskapingError as exc:
        from ui.safe import t_md

        st.error(t_md("upload_failed", problem=str(exc)))
        return None
    exclusions = workspace.exclusions_for(wave.id)
    kept, _ = apply_exclusions(validated, exclusions)
    synthetic = any(path.read_bytes() == wave.content for path in data.DEMO_FILES.values())
    source = data.Source(wave.file_name, wave.content, wave.sheet, wave.mapping_yaml, wave.companions)
    return data.Dataset(f"wave:{key}:{hash(exclusions)}", wave.label, kept, synthetic, source=source, wave_id=wave.id)
