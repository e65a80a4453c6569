"""Workspaces: open or create a study, keep its waves, exclusions and notes, export, import or delete it."""

import streamlit as st

from samskaping.workspace_file import SUFFIX
from ui import auth, data, shell, workspaces
from ui import workspace_view as view
from ui.safe import md, t_md
from ui.text import t

shell.require_frame()
st.title(t("workspace_title"))
st.caption(t("workspace_caption"))
opened, problem = workspaces.store()
if opened is None:
    st.error(t_md("workspace_store_failed", problem=problem))
    st.stop()
st.caption(t_md("workspace_location", location=view.location(opened)))

view.chooser(opened)
workspace = workspaces.active()
if workspace is None:
    st.info(t("workspace_none_open"))
    view.import_file(opened)
    st.stop()

st.header(md(workspace.name))
st.caption(t("workspace_autosave", revision=workspace.revision))

st.subheader(t("workspace_waves"))
view.waves_table(workspace)
view.add_wave_form(data.current_dataset())
view.wave_editor(workspace)

st.subheader(t("workspace_exclusions"))
st.caption(t("workspace_exclusions_help"))
view.exclusions_editor(workspace)

st.subheader(t("workspace_notes"))
view.notes_editor(workspace)

st.subheader(t("workspace_file"))
view.export_button(workspace, SUFFIX)
view.import_file(opened)
if auth.auth_configured():
    view.owners_form(opened, workspace)
view.delete_form(opened, workspace)
