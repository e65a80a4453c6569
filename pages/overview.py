"""Overview: the data set in use, who answered, missing data, reliability and all cases × measures."""

import streamlit as st

from samskaping import figures
from ui import charts, data, render, shell
from ui.safe import md
from ui.text import lang, t

dataset = shell.open_page("overview_title", "overview_caption")
codebook = data.codebook()
k, three_as_missing = data.settings()
scores = data.scores(dataset)
instrument = data.instrument()
render.validation_report(dataset.validated.report)

st.subheader(t("overview_respondents"))
shown = data.respondent_count_table(dataset)
count_columns = [c for c in shown.columns if c != "case"]
shown = shown.rename(
    columns={"case": t("col_case"), "total": t("group_total")}
    | {g: render.group_name(g) for g in count_columns if g != "total"}
)
st.dataframe(shown, hide_index=True)
st.caption(t("overview_respondents_note", k=k, k_minus=k - 1, n=len(dataset.validated.data)))

st.subheader(t("overview_missing"))
missing = data.missing_table(dataset)
missing["part"] = missing["part"].map(lambda p: instrument.parts[p].get(lang()))
st.dataframe(
    missing.rename(
        columns={
            "part": t("overview_part"),
            "items": t("overview_items"),
            "answers_expected": t("overview_answers"),
            "share_missing": t("overview_share_missing"),
            "share_3": t("overview_share_3"),
        }
    ),
    hide_index=True,
    column_config={
        t("overview_share_missing"): st.column_config.NumberColumn(format="percent"),
        t("overview_share_3"): st.column_config.NumberColumn(format="percent"),
    },
)
st.subheader(t("overview_reliability"))
st.dataframe(render.reliability_for_display(data.reliability_table(dataset), codebook), hide_index=True)
st.caption(t("overview_reliability_note"))

st.subheader(t("overview_heatmap"))
in_view = tuple(render.case_view(list(dict.fromkeys(scores.cases["case"])), "overview_heatmap_cases"))
view = scores.cases[scores.cases["case"].isin(in_view)]
chart = charts.chart("overview_heatmap", dataset, lambda: figures.case_heatmap(view, codebook, lang(), k=k), in_view)
st.plotly_chart(chart.figure, key="overview_heatmap")
st.caption(md(chart.alt_text))
with st.expander(t("overview_how_to_read")):
    st.markdown(render.band_help(codebook))
    st.markdown(t("help_quartile"))
    st.markdown(t("help_hidden"))
    st.markdown(t("help_three_as_missing"))
