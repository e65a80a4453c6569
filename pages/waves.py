"""Waves: the same cases at two points in time, the change on every measure, and moves along the continuum."""

import streamlit as st

from samskaping.export import to_csv_bytes
from samskaping.figures_waves import change_figure, continuum_arrows_figure
from ui import data, shell, waves_view, workspaces
from ui.safe import md, t_md
from ui.text import lang, t

shell.require_frame()
st.title(t("waves_title"))
st.caption(t("waves_caption"))
workspace = workspaces.active()
if workspace is None or len(workspace.waves) < 2:
    st.info(t("waves_need_two"))
    st.stop()

labels = {wave.id: wave.label for wave in workspace.waves}
left, right = st.columns(2)
before_id = left.selectbox(t("waves_before"), list(labels), index=0, format_func=labels.get, key="waves_before")
after_id = right.selectbox(
    t("waves_after"), list(labels), index=len(labels) - 1, format_func=labels.get, key="waves_after"
)
if before_id == after_id:
    st.warning(t("waves_same"))
    st.stop()
before, after = workspaces.wave_dataset(before_id), workspaces.wave_dataset(after_id)
if before is None or after is None:
    st.stop()
codebook = data.codebook()
k = data.settings()[0]
language = lang()
with st.spinner(t("waves_computing")):
    result, moves = waves_view.comparison(before, after)
if result.only_before or result.only_after:
    st.caption(
        t_md("waves_unmatched", before=", ".join(result.only_before) or "–", after=", ".join(result.only_after) or "–")
    )
if not result.cases:
    st.warning(t("waves_no_common"))
    st.stop()

st.subheader(t("waves_continuum"))
chart = continuum_arrows_figure(moves, language, result.labels, k=k)
st.plotly_chart(chart.figure, key="waves_arrows")
st.caption(md(chart.alt_text))

st.subheader(t("waves_case"))
case = st.selectbox(t("case_choose"), list(result.cases), key="waves_case")
for family in ("factor", "barrier"):
    chart = change_figure(result, case, codebook, language, family=family)
    st.plotly_chart(chart.figure, key=f"waves_change_{family}")
    st.caption(md(chart.alt_text))
st.dataframe(waves_view.case_table(result, case, codebook, k), hide_index=True)
st.caption(t("waves_interval_help", k=k))
st.download_button(
    t("waves_download"), to_csv_bytes(result.table), "wave_changes.csv", "text/csv", key="waves_download"
)
