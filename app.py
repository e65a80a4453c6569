"""samskaping dashboard: navigation and the shared sidebar."""

from __future__ import annotations

import streamlit as st

from ui import auth, data, shell, state, workspaces
from ui.safe import t_md
from ui.text import LANGUAGES, t


def _sidebar() -> None:
    # Re-assigning each value turns widget state into session state, which Streamlit keeps when
    # the page changes; otherwise k could fall back to the widget's minimum (1) and reveal cells.
    workspaces.apply_pending()
    defaults = {**state.DEFAULTS, state.K: data.codebook().thresholds.k}
    for key, value in defaults.items():
        st.session_state[key] = st.session_state.get(key, value)
    with st.sidebar:
        st.selectbox(t("sidebar_language"), list(LANGUAGES), key=state.LANG, format_func=LANGUAGES.get)
        workspace = workspaces.active()
        if workspace is not None:
            st.caption(t_md("sidebar_workspace", name=workspace.name))
        # Labels are resolved now: a format_func reading the session later would see no language.
        choices = ("demo", "demo_large", "upload", *(("imported",) if st.session_state.get(state.IMPORTED) else ()))
        dataset_labels = {choice: t(f"dataset_{choice}") for choice in choices}
        for wave in workspace.waves if workspace else ():
            dataset_labels[f"wave:{wave.id}"] = t_md("dataset_wave", label=wave.label)
        if st.session_state[state.DATASET] not in dataset_labels:  # a wave of a closed or other workspace
            st.session_state[state.DATASET] = state.DEFAULTS[state.DATASET]
        st.radio(t("sidebar_dataset"), list(dataset_labels), key=state.DATASET, format_func=dataset_labels.get)
        if st.session_state[state.DATASET] == "upload":
            st.file_uploader(
                t("sidebar_upload"),
                type=["xlsx", "xlsm", "xls", "ods", "csv", "tsv", "txt"],
                key=state.UPLOAD,
                help=t("sidebar_upload_help"),
            )
        elif st.session_state[state.DATASET] in ("demo", "demo_large"):
            st.info(t("synthetic_notice"), icon=":material/science:")
        st.number_input(t("sidebar_k"), min_value=1, max_value=50, step=1, key=state.K, help=t("help_k"))
        st.toggle(t("sidebar_three_as_missing"), key=state.THREE_AS_MISSING, help=t("help_three_as_missing"))


def main() -> None:
    """Build the shared sidebar and the navigation, then run the chosen page."""
    st.set_page_config(page_title="samskaping", page_icon=":material/handshake:", layout="wide")
    auth.require_login()  # with [auth] in secrets.toml: nothing below runs before login
    _sidebar()
    pages = [
        st.Page("pages/overview.py", title=t("page_overview"), icon=":material/dashboard:", default=True),
        st.Page("pages/case_profile.py", title=t("page_case_profile"), icon=":material/assignment:"),
        st.Page("pages/groups.py", title=t("page_groups"), icon=":material/compare_arrows:"),
        st.Page("pages/continuum.py", title=t("page_continuum"), icon=":material/linear_scale:"),
        st.Page("pages/import_data.py", title=t("page_import"), icon=":material/upload_file:"),
        st.Page("pages/workspace.py", title=t("page_workspace"), icon=":material/folder_open:"),
        st.Page("pages/waves.py", title=t("page_waves"), icon=":material/timeline:"),
        st.Page("pages/reports.py", title=t("page_reports"), icon=":material/description:"),
        st.Page("pages/codebook.py", title=t("page_codebook"), icon=":material/menu_book:"),
        st.Page("pages/help.py", title=t("page_help"), icon=":material/help:"),
    ]
    workspaces.show_flash()
    try:
        shell.run_framed(st.navigation(pages))
    finally:
        # Also after st.rerun()/st.stop(): edits made in this run reach the open workspace.
        workspaces.autosave()


main()
