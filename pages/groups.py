"""Groups: compare respondent groups on every measure, honestly for tiny samples (methods.md §6–7)."""

from functools import partial

import streamlit as st

from samskaping.compare import comparison_sentence, grouping_options
from samskaping.figures_compare import dumbbell, gap_heatmap
from samskaping.statistics import min_attainable_p
from ui import charts, data, groups_view, render, shell
from ui.safe import md
from ui.text import lang, t

dataset = shell.open_page("groups_title", "groups_caption")
codebook, instrument = data.codebook(), data.instrument()
k, _ = data.settings()
scores = data.scores(dataset)
respondents = dataset.validated.data

options = grouping_options(respondents)
if st.session_state.get(groups_view.BY) not in options:
    st.session_state[groups_view.BY] = options[0]
cases = [groups_view.ALL_CASES, *sorted(respondents["case"].dropna().unique())]
if st.session_state.get(groups_view.CASE) not in cases:
    st.session_state[groups_view.CASE] = groups_view.ALL_CASES
# Labels are resolved now: a format_func reading the session later would see no language.
by_labels = {column: groups_view.grouping_label(column) for column in options}
case_labels = {c: c or t("groups_all_cases") for c in cases}
choose_by, choose_case = st.columns(2)
by = choose_by.selectbox(t("groups_by"), options, key=groups_view.BY, format_func=by_labels.get)
case = choose_case.selectbox(
    t("groups_within"), cases, key=groups_view.CASE, disabled=by == "case", format_func=case_labels.get
)
case = groups_view.ALL_CASES if by == "case" else case
with st.spinner(t("groups_computing")):
    result = groups_view.comparison(dataset, scores, by, case, pairs=())
names = groups_view.group_names(by, result.groups, instrument)

if len(result.groups) < 2:
    st.warning(t("groups_too_few", count=len(result.groups)))
else:
    st.caption(t("groups_sizes", sizes=", ".join(f"{md(names[g])} (n = {result.sizes[g]})" for g in result.groups)))
    pairs = [(a, b) for i, a in enumerate(result.groups) for b in result.groups[i + 1 :]]
    a, b = pairs[0]
    if len(pairs) > 1:
        a, b = st.selectbox(
            t("groups_pair"), pairs, key=f"groups_pair|{by}|{case}",
            index=pairs.index(groups_view.default_pair(result.groups, result.sizes)),
            format_func=lambda pair: f"{names[pair[0]]} – {names[pair[1]]}",
        )  # fmt: skip
    with st.spinner(t("groups_computing")):
        table = groups_view.comparison(dataset, scores, by, case, pairs=((a, b),)).table
    if result.small_groups:
        st.warning(t("groups_small", groups=", ".join(md(names[g]) for g in result.small_groups)))
    n_a, n_b = result.sizes[a], result.sizes[b]
    smallest_p = min_attainable_p(n_a, n_b)
    shown_p = groups_view.p_text(smallest_p)
    if smallest_p >= 0.05:
        st.warning(t("groups_min_p_high", n_a=n_a, n_b=n_b, p=shown_p))
    else:
        st.caption(t("groups_min_p", n_a=n_a, n_b=n_b, p=shown_p))
    pair = groups_view.pair_rows(table, a, b)
    if pair["hidden"].any():
        st.info(t("groups_hidden_note", hidden=int(pair["hidden"].sum()), total=len(pair), k=k))

    for family, scale, heading in (("factor", "likert5", "groups_factors"), ("barrier", "score100", "groups_barriers")):
        st.subheader(t(heading))
        rows = groups_view.pair_rows(table, a, b, family)
        build = partial(dumbbell, rows, codebook, lang(), family_scale=scale, names=names, k=k)
        chart = charts.chart("groups_dumbbell", dataset, build, by, case, a, b, family)
        st.plotly_chart(chart.figure, key=f"groups_dumbbell_{family}")
        st.caption(md(chart.alt_text))

    with st.expander(t("groups_sentences")):
        sentences = [comparison_sentence(row, codebook, lang(), k=k, names=names) for _, row in pair.iterrows()]
        st.markdown("\n".join(f"- {md(sentence)}" for sentence in sentences))

    st.subheader(t("groups_table"))
    st.dataframe(groups_view.comparison_for_display(table, codebook, k, names), hide_index=True)
    st.caption(t("groups_table_note"))
    if len(result.groups) > 2:
        st.subheader(t("groups_kruskal"))
        st.dataframe(groups_view.kruskal_for_display(result.kruskal, codebook, k), hide_index=True)
        st.caption(t("groups_kruskal_note"))

st.subheader(t("groups_gaps"))
st.caption(t("groups_gaps_note"))
gaps = groups_view.gaps(dataset, scores)
if not gaps.empty:
    in_view = tuple(render.case_view(sorted(gaps["case"].unique()), "groups_gap_cases"))
    view = gaps[gaps["case"].isin(in_view)]
    chart = charts.chart("groups_gap_heatmap", dataset, lambda: gap_heatmap(view, codebook, lang(), k=k), in_view)
    st.plotly_chart(chart.figure, key="groups_gap_heatmap")
    st.caption(md(chart.alt_text))
top = groups_view.largest_gaps(gaps, codebook)
if top.empty:
    st.info(t("groups_gaps_none"))
else:
    st.markdown(f"**{t('groups_gaps_top')}**")
    st.dataframe(top, hide_index=True)
    st.caption(groups_view.largest_gaps_note(codebook))

if len(result.groups) >= 2:
    st.subheader(t("groups_downloads"))
    groups_view.downloads(result, table, gaps)
