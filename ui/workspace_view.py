"""Renderers for the workspace page: the chooser, waves, exclusions, notes and the workspace file."""

from __future__ import annotations

import dataclasses
import re
from types import MappingProxyType

import pandas as pd
import streamlit as st

from samskaping.errors import SamskapingError
from samskaping.storage import Store
from samskaping.workspace import EXCLUSION_KINDS, Exclusion, Workspace, apply_exclusions
from samskaping.workspace_file import read_workspace_file, workspace_file
from ui import data, workspaces
from ui.safe import t_md
from ui.text import t

ALL_WAVES = ""  # the wave column's value for an exclusion that applies to every wave


def location(store: Store) -> str:
    """Where the workspaces are kept, for the page's caption (any password hidden)."""
    return store.engine.url.render_as_string(hide_password=True)


def chooser(store: Store) -> None:
    """Open, close or create a workspace."""
    try:
        summaries = store.list(owner=workspaces.owner())
    except SamskapingError as exc:
        st.error(t_md("workspace_failed", problem=str(exc)))
        return
    current = workspaces.active()
    names = {s.id: f"{s.name} · {t('workspace_waves_n', n=s.waves)}" for s in summaries}
    left, right = st.columns(2)
    with left:
        if names:
            index = list(names).index(current.id) if current is not None and current.id in names else 0
            chosen = st.selectbox(t("workspace_choose"), list(names), index=index, format_func=names.get)
            if st.button(t("workspace_open"), key="workspace_open"):
                workspaces.open_workspace(chosen)
                st.rerun()
        else:
            st.caption(t("workspace_none_yet"))
        if current is not None and st.button(t("workspace_close"), key="workspace_close"):
            workspaces.close()
            st.rerun()
    with right:
        name = st.text_input(t("workspace_new_name"), key="workspace_new_name", max_chars=200)
        if st.button(t("workspace_create"), key="workspace_create", disabled=not name.strip()):
            workspaces.create(name)
            st.rerun()


def waves_table(workspace: Workspace) -> None:
    """The workspace's waves: label, date, file and when it was added."""
    if not workspace.waves:
        st.caption(t("workspace_no_waves"))
        return
    rows = [
        {
            t("workspace_col_label"): wave.label,
            t("workspace_col_date"): wave.collected_on.isoformat() if wave.collected_on else "",
            t("workspace_col_file"): wave.file_name,
            t("workspace_col_added"): wave.added_at.strftime("%Y-%m-%d %H:%M UTC"),
        }
        for wave in workspace.waves
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True)


def add_wave_form(dataset: data.Dataset | None) -> None:
    """Save the data set in use as a new wave (label and date)."""
    if dataset is None or dataset.source is None:
        st.caption(t("workspace_add_none"))
        return
    if dataset.wave_id is not None:
        st.caption(t_md("workspace_add_is_wave", name=dataset.name))
        return
    with st.form("workspace_add_wave", border=True):
        st.markdown(t_md("workspace_add_title", name=dataset.name))
        label = st.text_input(t("workspace_col_label"), value=dataset.name, max_chars=200)
        collected_on = st.date_input(t("workspace_col_date"), value=None, format="YYYY-MM-DD")
        if st.form_submit_button(t("workspace_add"), type="primary"):
            workspaces.add_wave(dataset, label, collected_on)
            st.rerun()


def wave_editor(workspace: Workspace) -> None:
    """Rename, re-date or remove waves."""
    if not workspace.waves:
        return
    with st.expander(t("workspace_edit_waves")):
        frame = pd.DataFrame(
            {
                "label": [w.label for w in workspace.waves],
                "collected_on": [w.collected_on for w in workspace.waves],
                "remove": [False] * len(workspace.waves),
            }
        )
        edited = st.data_editor(
            frame,
            key=f"workspace_waves_{workspace.revision}",
            hide_index=True,
            num_rows="fixed",
            column_config={
                "label": st.column_config.TextColumn(t("workspace_col_label"), required=True, max_chars=200),
                "collected_on": st.column_config.DateColumn(t("workspace_col_date"), format="YYYY-MM-DD"),
                "remove": st.column_config.CheckboxColumn(t("workspace_col_remove")),
            },
        )
        if st.button(t("workspace_save_waves"), key="workspace_save_waves"):
            waves = []
            for wave, row in zip(workspace.waves, edited.itertuples(index=False), strict=True):
                if row.remove:
                    continue
                day = None if row.collected_on is None or pd.isna(row.collected_on) else pd.Timestamp(row.collected_on)
                label = str(row.label or "").strip() or wave.label
                waves.append(dataclasses.replace(wave, label=label, collected_on=day.date() if day else None))
            kept = {w.id for w in waves}
            workspaces.save(
                dataclasses.replace(
                    workspace,
                    waves=tuple(waves),
                    findings=tuple(f for f in workspace.findings if f.wave_id in kept),
                    exclusions=tuple(e for e in workspace.exclusions if e.wave_id is None or e.wave_id in kept),
                )
            )
            st.rerun()


def exclusions_editor(workspace: Workspace) -> None:
    """Respondents or cases left out of every analysis, each with a reason."""
    wave_labels = {ALL_WAVES: t("workspace_all_waves"), **{w.id: w.label for w in workspace.waves}}
    frame = pd.DataFrame(
        {
            "kind": [e.kind for e in workspace.exclusions],
            "target": [e.target for e in workspace.exclusions],
            "wave": [e.wave_id or ALL_WAVES for e in workspace.exclusions],
            "reason": [e.reason for e in workspace.exclusions],
        },
        columns=["kind", "target", "wave", "reason"],
    ).astype("object")
    kinds = {kind: t(f"workspace_kind_{kind}") for kind in EXCLUSION_KINDS}
    edited = st.data_editor(
        frame,
        key=f"workspace_exclusions_{workspace.revision}",
        hide_index=True,
        num_rows="dynamic",
        column_config={
            "kind": st.column_config.SelectboxColumn(
                t("workspace_col_kind"), options=list(EXCLUSION_KINDS), format_func=kinds.get, required=True
            ),
            "target": st.column_config.TextColumn(t("workspace_col_target"), help=t("workspace_target_help")),
            "wave": st.column_config.SelectboxColumn(
                t("workspace_col_wave"), options=list(wave_labels), format_func=wave_labels.get
            ),
            "reason": st.column_config.TextColumn(t("workspace_col_reason"), width="large"),
        },
    )
    if st.button(t("workspace_save_exclusions"), key="workspace_save_exclusions"):
        exclusions, incomplete = [], 0
        for row in edited.itertuples(index=False):
            target, reason = str(row.target or "").strip(), str(row.reason or "").strip()
            if not target or not reason or row.kind not in EXCLUSION_KINDS:
                incomplete += int(bool(target or reason))
                continue
            exclusions.append(Exclusion(row.kind, target, reason, row.wave or None))
        if incomplete:
            st.warning(t("workspace_exclusions_incomplete", n=incomplete))
        else:
            workspaces.save(dataclasses.replace(workspace, exclusions=tuple(exclusions)))
            st.rerun()
    dataset = data.current_dataset()
    if dataset is not None and dataset.wave_id is not None and workspace.exclusions_for(dataset.wave_id):
        # What each line removed from the wave in use (0: the id or case is not in this wave).
        validated = workspaces.wave_validated(workspace.wave(dataset.wave_id))
        _, effect = apply_exclusions(validated, workspace.exclusions_for(dataset.wave_id))
        st.caption(t_md("workspace_exclusions_effect", wave=dataset.name))
        st.dataframe(
            effect[["kind", "target", "removed"]].rename(
                columns={
                    "kind": t("workspace_col_kind"),
                    "target": t("workspace_col_target"),
                    "removed": t("workspace_col_removed"),
                }
            ),
            hide_index=True,
        )


def notes_editor(workspace: Workspace) -> None:
    """A note per case, for the researcher and the case's report."""
    dataset = data.current_dataset()
    cases = set(workspace.notes)
    if dataset is not None:
        cases |= set(dataset.validated.data["case"].dropna().astype("str"))
    if not cases:
        st.caption(t("workspace_notes_none"))
        return
    case = st.selectbox(t("col_case"), sorted(cases), key="workspace_note_case")
    text = st.text_area(
        t("workspace_note"), value=workspace.notes.get(case, ""), key=f"workspace_note_{case}_{workspace.revision}"
    )
    if st.button(t("workspace_save_note"), key="workspace_save_note"):
        notes = dict(workspace.notes)
        if text.strip():
            notes[case] = text
        else:
            notes.pop(case, None)
        workspaces.save(dataclasses.replace(workspace, notes=MappingProxyType(notes)))
        st.rerun()


def export_button(workspace: Workspace, suffix: str) -> None:
    """Download the whole workspace as one file."""
    safe = re.sub(r"[^\w\-]+", "_", workspace.name, flags=re.UNICODE).strip("_") or "workspace"
    st.download_button(
        t("workspace_export"),
        data=workspace_file(workspace),
        file_name=f"{safe}{suffix}",
        mime="application/zip",
        key="workspace_export",
        help=t("workspace_export_help"),
    )


def import_file(store: Store) -> None:
    """Import a workspace file (made on this or another machine) and open it."""
    upload = st.file_uploader(t("workspace_import"), type=["zip"], key="workspace_import_file")
    if upload is not None and st.button(t("workspace_import_button"), key="workspace_import_button"):
        try:
            imported = store.import_workspace(
                read_workspace_file(upload.getvalue(), upload.name), owner=workspaces.owner()
            )
        except SamskapingError as exc:
            st.error(t_md("workspace_import_failed", problem=str(exc)))
            return
        workspaces.open_workspace(imported.id)
        workspaces.flash("success", "workspace_imported", name=imported.name)
        st.rerun()


def delete_form(store: Store, workspace: Workspace) -> None:
    """Delete the workspace for good, after typing its name."""
    with st.expander(t("workspace_delete")):
        st.warning(t("workspace_delete_warning"))
        typed = st.text_input(t_md("workspace_delete_confirm", name=workspace.name), key="workspace_delete_name")
        if st.button(t("workspace_delete_button"), type="primary", disabled=typed != workspace.name):
            try:
                store.delete(workspace.id, owner=workspaces.owner())
            except SamskapingError as exc:
                st.error(t_md("workspace_failed", problem=str(exc)))
                return
            workspaces.close()
            workspaces.flash("success", "workspace_deleted", name=workspace.name)
            st.rerun()


def owners_form(store: Store, workspace: Workspace) -> None:
    """Who owns the workspace, and a form to let another login (by e-mail) open and change it too."""
    with st.expander(t("workspace_owners")):
        try:
            owners = store.owners(workspace.id, owner=workspaces.owner())
        except SamskapingError as exc:
            st.error(t_md("workspace_failed", problem=str(exc)))
            return
        st.caption(t_md("workspace_owners_now", owners=", ".join(owners)))
        with st.form("workspace_add_owner", border=False):
            email = st.text_input(t("workspace_owner_email"), max_chars=320)
            if st.form_submit_button(t("workspace_owner_add")):
                if "@" not in email:
                    st.warning(t("workspace_owner_not_email"))
                    return
                try:
                    store.add_owner(workspace.id, email, owner=workspaces.owner())
                except SamskapingError as exc:
                    st.error(t_md("workspace_failed", problem=str(exc)))
                    return
                workspaces.flash("success", "workspace_owner_added", owner=email.strip().lower())
                st.rerun()
