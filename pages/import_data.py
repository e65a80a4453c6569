"""Import: upload any survey export, map its columns and cases, see every data problem, then use it."""

import dataclasses

import streamlit as st

from samskaping.errors import SamskapingError
from samskaping.export import template_workbook
from samskaping.importing import size_limits
from samskaping.loading import auto_mapping
from samskaping.mapping import mapping_from_yaml, mapping_to_yaml, unmapped_items
from samskaping.mapping_edit import (
    apply_case_edits,
    apply_code_edits,
    apply_match_edits,
    cases_frame,
    codes_frame,
    matches_frame,
    target_options,
)
from ui import data, render, shell, state
from ui.safe import md, t_md
from ui.text import lang, t

shell.require_frame()
st.title(t("import_title"))
max_rows, max_columns = size_limits()
st.caption(
    t("import_caption", limit=st.get_option("server.maxUploadSize"), rows=f"{max_rows:,}".replace(",", "\u202f"),
      columns=f"{max_columns:,}".replace(",", "\u202f"))
)  # fmt: skip
instrument = data.instrument()
st.download_button(
    t("import_template"),
    template_workbook(instrument, lang()),
    "samskaping_template.xlsx",
    key="import_template_download",
)
uploaded = st.file_uploader(
    t("import_file"), key=state.IMPORT_FILE, type=["xlsx", "xlsm", "xls", "ods", "csv", "tsv", "txt", "sav"]
)
companions = st.file_uploader(
    t("import_companions"), key=state.IMPORT_COMPANIONS, accept_multiple_files=True, help=t("import_companions_help")
)
if uploaded is None:
    st.info(t("import_start"))
    st.stop()

content = uploaded.getvalue()
companion_files = tuple((f.name, f.getvalue()) for f in companions or [])
try:
    with st.spinner(t_md("import_reading", name=uploaded.name)):
        raw = data.read_raw(uploaded.name, content, st.session_state.get("import_sheet"), companion_files)
except SamskapingError as exc:
    st.error(t_md("upload_failed", problem=str(exc)))
    st.stop()

st.subheader(t("import_detected"))
if len(raw.sheets) > 1:
    st.selectbox(t("import_sheet"), raw.sheets, index=raw.sheets.index(raw.sheet), key="import_sheet")
st.markdown(
    t(
        "import_facts",
        rows=len(raw.frame),
        columns=raw.frame.shape[1],
        header_rows=raw.header_rows,
        encoding=raw.encoding or "–",
        delimiter=repr(raw.delimiter) if raw.delimiter else "–",
    )
)
for note in raw.notes:
    st.caption(md(note))

file_key = f"{uploaded.name}:{len(content)}:{raw.sheet}"
mappings = st.session_state.setdefault(state.IMPORT_MAPPING, {})
mapping_upload = st.file_uploader(t("import_mapping_upload"), type=["yaml", "yml"], key="import_mapping_upload")
if mapping_upload is not None and mappings.get(f"{file_key}:uploaded") != mapping_upload.file_id:
    try:
        mappings[file_key] = (
            mapping_from_yaml(mapping_upload.getvalue().decode("utf-8"), mapping_upload.name, instrument=instrument),
            (),
        )
        mappings[f"{file_key}:uploaded"] = mapping_upload.file_id
    except (SamskapingError, UnicodeDecodeError) as exc:
        st.error(t_md("import_mapping_failed", problem=str(exc)))
if file_key not in mappings:
    mappings[file_key] = auto_mapping(raw, instrument)
mapping, matches = mappings[file_key]

st.subheader(t("import_columns"))
st.caption(t("import_columns_note"))
edited = st.data_editor(
    matches_frame(raw, mapping, matches),
    key=f"import_matches|{file_key}",
    hide_index=True,
    width="stretch",
    disabled=["column", "header", "role", "confidence", "reason"],
    column_config={
        "target": st.column_config.SelectboxColumn(t("import_target"), options=target_options(instrument)),
        "confidence": st.column_config.ProgressColumn(t("import_confidence"), min_value=0.0, max_value=1.0),
    },
)
mapping = apply_match_edits(mapping, edited)
missing_items = unmapped_items(mapping, instrument)
if missing_items:
    st.warning(t("import_unmapped", n=len(missing_items), items=", ".join(i.upper() for i in missing_items)))

st.subheader(t("import_cases"))
cases = cases_frame(raw, mapping)
if cases.empty and not mapping.column_for("case"):
    st.error(t("import_no_case"))
elif not cases.empty:
    st.caption(t("import_cases_note"))
    edited_cases = st.data_editor(
        cases,
        key=f"import_cases|{file_key}",
        hide_index=True,
        width="stretch",
        disabled=["answer", "respondents"],
        column_config={"group": st.column_config.SelectboxColumn(t("col_group"), options=list(render.GROUP_IDS))},
    )
    mapping = apply_case_edits(mapping, edited_cases)

with st.expander(t("import_codes")):
    st.caption(t("import_codes_note"))
    mapping = apply_code_edits(
        mapping,
        st.data_editor(
            codes_frame(mapping, instrument),
            hide_index=True,
            key=f"import_codes|{file_key}",
            disabled=["column", "item"],
        ),
    )
    drop = st.toggle(t("import_drop_incomplete"), value=mapping.drop_incomplete, key="import_drop_incomplete")
    mapping = dataclasses.replace(mapping, drop_incomplete=drop)
mappings[file_key] = (mapping, matches)
st.download_button(t("import_mapping_download"), mapping_to_yaml(mapping), "mapping.yaml", key="import_map_dl")

st.subheader(t("import_report"))
try:
    with st.spinner(t("import_validating")):
        validated = data.validate_mapped(raw, file_key, mapping_to_yaml(mapping))
except SamskapingError as exc:
    st.error(t_md("upload_failed", problem=str(exc)))
    st.stop()
render.validation_summary(validated.report)
st.subheader(t("import_preview"))
st.dataframe(validated.data.head(20))
mapping_yaml = mapping_to_yaml(mapping)
source = data.Source(uploaded.name, content, raw.sheet, mapping_yaml, companion_files)
dataset = data.Dataset(f"imported:{file_key}:{hash(mapping_yaml)}", uploaded.name, validated, False, source)
st.button(t("import_use"), type="primary", key="import_use", on_click=data.use_imported, args=(dataset,))
if st.session_state.get(state.DATASET) == "imported" and st.session_state[state.IMPORTED].key == dataset.key:
    st.success(t_md("import_used", name=uploaded.name, n=len(validated.data)))
