"""Case profile: the findings overview of one case and the numbers behind it (methods.md §5)."""

from functools import partial

import streamlit as st

from samskaping import figures
from samskaping.profiles import (
    case_cells,
    findings,
    findings_table,
    free_texts,
    item_distribution,
    item_summary,
    leadership_profile,
    part1_items,
)
from ui import charts, data, render, shell, state
from ui.profile_view import distribution_table, editable_findings, item_table
from ui.safe import md
from ui.text import lang, t

dataset = shell.open_page("case_title", "case_caption")
codebook, instrument = data.codebook(), data.instrument()
k, three_as_missing = data.settings()
scores = data.scores(dataset)
respondents = dataset.validated.data
cases = sorted(scores.cases["case"].unique())
if not cases:
    st.warning(t("case_none"))
    st.stop()
if st.session_state.get(state.CASE) not in cases:
    st.session_state[state.CASE] = cases[0]
case = st.selectbox(t("case_choose"), cases, key=state.CASE)
case_size = int((respondents["case"] == case).sum())
if case_size < k:
    st.warning(t("case_hidden", n=case_size, k=k))
    st.stop()

st.subheader(t("case_findings"))
st.caption(t("case_findings_note"))
generated = findings_table(findings(case, scores, codebook), codebook, lang())
editable_findings(generated, (dataset.findings_scope, case, lang()))

st.subheader(t("case_factors"))
chart = charts.chart(
    "case_factors", dataset, partial(figures.factor_profile, scores.cases, case, codebook, lang(), k=k), case
)
st.plotly_chart(chart.figure, key="case_factor_profile")
st.caption(md(chart.alt_text))
st.caption(render.band_help(codebook))

st.subheader(t("case_barriers"))
chart = charts.chart(
    "case_barriers", dataset, partial(figures.barrier_profile, scores.cases, case, codebook, lang(), k=k), case
)
st.plotly_chart(chart.figure, key="case_barrier_profile")
st.caption(md(chart.alt_text) + " " + t("help_quartile"))

st.subheader(t("case_part1"))
part1 = case_cells(scores.cases, case, codebook, scale="index100")
st.dataframe(render.summary_for_display(part1, codebook, k, keys=[]), hide_index=True)
choice_items, role_items = part1_items(codebook, instrument)
st.dataframe(
    distribution_table(item_distribution(respondents, case, choice_items, instrument, k=k), instrument, k),
    hide_index=True,
)
st.markdown(t("case_roles"))
st.dataframe(
    item_table(
        item_summary(respondents, case, role_items, instrument, codebook, k=k, three_as_missing=three_as_missing),
        instrument,
        k,
    ),
    hide_index=True,
)

st.subheader(t("case_leadership"))
names = {item: name.get(lang()) for item, name in codebook.leadership_profile}
st.dataframe(
    item_table(
        leadership_profile(respondents, case, instrument, codebook, k=k, three_as_missing=three_as_missing),
        instrument,
        k,
        names,
    ),
    hide_index=True,
)
st.caption(t("case_leadership_note"))

st.subheader(t("case_sides"))
sides = case_cells(scores.sides, case, codebook)
for family in ("factor", "barrier"):
    measures = [m.id for m in codebook.family(family)]
    build = partial(figures.side_profile, scores.sides, case, measures, codebook, lang(), k=k)
    chart = charts.chart("case_sides", dataset, build, case, family)
    if chart.figure.data:
        st.plotly_chart(chart.figure, key=f"case_side_profile_{family}")
    st.caption(md(chart.alt_text))
with st.expander(t("case_sides_table")):
    shown = render.summary_for_display(sides, codebook, k, keys=["group"])
    shown["group"] = shown["group"].map(render.group_name)
    st.dataframe(shown.rename(columns={"group": t("col_group")}), hide_index=True)
    st.caption(t("help_hidden"))

st.subheader(t("case_items"))
likert = [i for i in instrument.item_ids if instrument.format_of(i).not_applicable_code is not None]
st.dataframe(
    distribution_table(item_distribution(respondents, case, likert, instrument, k=k), instrument, k), hide_index=True
)

st.subheader(t("case_free_text"))
texts = free_texts(respondents, case, instrument, k=k)
if texts.empty:
    st.caption(t("case_free_text_none"))
for item_id in texts["item"].unique():
    st.markdown(f"**{item_id.upper()}** · {instrument.item(item_id).text.get(lang())}")
    for answer in texts.loc[texts["item"] == item_id, "text"]:
        st.text(f"– {answer}")
