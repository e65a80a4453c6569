"""Reports: the study workbook, a report per case (PDF or HTML), all cases at once, and the methods paragraph."""

import re

import streamlit as st

from samskaping.compare import grouping_options
from samskaping.errors import SamskapingError
from samskaping.methods_text import methods_paragraph
from ui import reporting, shell
from ui.safe import t_md
from ui.text import LANGUAGES, lang, t

dataset = shell.open_page("reports_title", "reports_caption")
key = reporting.context_key(dataset)
context = reporting.report_context(dataset)
report_lang = st.radio(
    t("reports_language"), list(LANGUAGES), index=list(LANGUAGES).index(lang()), format_func=LANGUAGES.get,
    horizontal=True, key="reports_lang",
)  # fmt: skip
if len(context.exclusions):
    st.info(t("reports_exclusions", n=len(context.exclusions)))

st.subheader(t("reports_workbook"))
st.caption(t("reports_workbook_help"))
options = grouping_options(dataset.validated.data)
compare_by = st.selectbox(t("reports_compare_by"), options, index=options.index("group") if "group" in options else 0)
include_respondents = st.checkbox(t("reports_include_respondents"), key="reports_include_respondents")
if include_respondents:
    st.warning(t("reports_respondents_warning"), icon=":material/shield_person:")
if st.button(t("reports_make_workbook"), key="reports_make_workbook"):
    with st.spinner(t("reports_making")):
        st.session_state["reports_workbook"] = (
            (key, report_lang, include_respondents, compare_by),
            reporting.workbook(dataset, key, report_lang, include_respondents, compare_by),
        )
made = st.session_state.get("reports_workbook")
if made and made[0] == (key, report_lang, include_respondents, compare_by):
    st.download_button(
        t("reports_download_workbook"), made[1], "samskaping_report.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="reports_workbook_download",
    )  # fmt: skip

st.subheader(t("reports_case"))
st.caption(t("reports_case_help"))
case_column, format_column = st.columns(2)
case = case_column.selectbox(t("case_choose"), context.cases, key="reports_case")
fmt = format_column.radio(t("reports_format"), ["pdf", "html"], horizontal=True, key="reports_format",
                          format_func=str.upper)  # fmt: skip
safe = re.sub(r"[^\w\-]+", "_", case or "case").strip("_") or "case"
if case and st.button(t("reports_make_case"), key="reports_make_case"):
    try:
        with st.spinner(t("reports_making")):
            content = reporting.case_report(dataset, key, case, report_lang, fmt)
        st.session_state["reports_case_file"] = ((key, case, report_lang, fmt), content)
    except SamskapingError as exc:
        st.error(t_md("reports_failed", problem=str(exc)))
made = st.session_state.get("reports_case_file")
if made and made[0] == (key, case, report_lang, fmt):
    mime = "application/pdf" if fmt == "pdf" else "text/html"
    st.download_button(t_md("reports_download_case", case=case), made[1], f"{safe}.{fmt}", mime,
                       key="reports_case_download")  # fmt: skip

if st.button(t("reports_make_all", n=len(context.cases)), key="reports_make_all"):
    bar = st.progress(0.0, text=t("reports_making"))
    try:
        content = reporting.all_reports(
            dataset, report_lang, fmt,
            lambda done, total: bar.progress(done / max(total, 1), text=t("reports_progress", done=done, total=total)),
        )  # fmt: skip
        st.session_state["reports_zip"] = ((key, report_lang, fmt), content)
    except SamskapingError as exc:
        st.error(t_md("reports_failed", problem=str(exc)))
    bar.empty()
made = st.session_state.get("reports_zip")
if made and made[0] == (key, report_lang, fmt):
    st.download_button(t("reports_download_all"), made[1], f"case_reports_{fmt}.zip", "application/zip",
                       key="reports_zip_download")  # fmt: skip

st.subheader(t("reports_methods"))
st.caption(t("reports_methods_help"))
st.code(methods_paragraph(context, report_lang), language=None, wrap_lines=True)
