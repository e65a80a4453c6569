"""Codebook page: which item measures what, the judgement calls, and editing, download and upload of the codebook."""

from __future__ import annotations

import hashlib

import streamlit as st

from samskaping import codebook_edit as edit
from samskaping.codebook import Codebook, load_codebook, parse_codebook
from samskaping.errors import ConfigError
from ui import data, shell, state
from ui.safe import md, t_md
from ui.text import lang, t

FLASH = "codebook_flash"  # (text key, fields) of the success shown once after a codebook is applied
UPLOAD = "codebook_upload"
UPLOAD_ERROR = "codebook_upload_error"  # (text key, fields) shown while the failed upload is in the uploader


def _use(new: Codebook, message: str, **fields: str) -> None:
    """Make ``new`` the codebook in use (None again when it equals the bundled one)."""
    text = edit.codebook_to_yaml(new)
    bundled = edit.codebook_to_yaml(load_codebook(instrument=data.instrument()))
    st.session_state[state.CODEBOOK_YAML] = None if text == bundled else text
    st.session_state[FLASH] = (message, fields)


def _reset() -> None:
    st.session_state[state.CODEBOOK_YAML] = None
    st.session_state[FLASH] = ("codebook_reset_done", {})


def _on_upload() -> None:
    upload, st.session_state[UPLOAD_ERROR] = st.session_state.get(UPLOAD), None
    if upload is None:
        return
    try:
        new = parse_codebook(upload.getvalue().decode("utf-8-sig"), data.instrument(), source=upload.name)
    except UnicodeDecodeError:
        st.session_state[UPLOAD_ERROR] = ("codebook_upload_not_utf8", {"name": upload.name})
    except ConfigError as exc:
        st.session_state[UPLOAD_ERROR] = ("codebook_invalid", {"problem": str(exc)})
    else:
        _use(new, "codebook_uploaded", name=upload.name)


def _labels(columns) -> dict[str, str]:
    return {column: t(f"codebook_col_{column}") for column in columns}


shell.require_frame()
st.title(t("codebook_title"))
st.caption(t("codebook_caption"))
instrument, language, codebook = data.instrument(), lang(), data.codebook()
edited = bool(st.session_state.get(state.CODEBOOK_YAML))
if flash := st.session_state.pop(FLASH, None):
    st.success(t(flash[0], **flash[1]), icon=":material/check_circle:")
if edited:
    st.warning(t("codebook_edited_notice"), icon=":material/edit_note:")
codebook_yaml = edit.codebook_to_yaml(codebook)
# Editors are keyed by the codebook in use, so they start afresh whenever another codebook is applied.
version = hashlib.sha256(codebook_yaml.encode("utf-8")).hexdigest()[:12]

st.subheader(t("codebook_measures"))
st.caption(t("codebook_measures_help"))
measures = edit.measures_frame(codebook, language)
measures["family"] = measures["family"].map(lambda family: t(f"codebook_family_{family}"))
measures["judgement"] = measures["judgement"].map(lambda reason: f"⚖ {reason}" if reason else "")
thresholds = edit.thresholds_frame(codebook)
thresholds.insert(1, "meaning", thresholds["threshold"].map(lambda name: t(f"codebook_threshold_{name}")))
with st.form("codebook_form", border=False):
    measures_config = {
        **_labels(measures.columns),
        "items": st.column_config.TextColumn(t("codebook_col_items"), help=t("codebook_items_help")),
        "weight": st.column_config.NumberColumn(
            t("codebook_col_weight"), help=t("codebook_weight_help"), min_value=0.0, max_value=1.0, step=0.05
        ),
    }
    edited_measures = st.data_editor(
        measures, key=f"codebook_measures_{version}", hide_index=True, column_config=measures_config, placeholder="–",
        disabled=[c for c in measures.columns if c not in edit.EDITABLE_COLUMNS], height="content",
    )  # fmt: skip
    st.markdown(f"**{t('codebook_thresholds')}**")
    edited_thresholds = st.data_editor(
        thresholds, key=f"codebook_thresholds_{version}", hide_index=True,
        column_config=_labels(thresholds.columns), disabled=["threshold", "meaning"],
    )  # fmt: skip
    submitted = st.form_submit_button(t("codebook_apply"), type="primary", icon=":material/calculate:")
st.button(t("codebook_reset"), key="codebook_reset", on_click=_reset, disabled=not edited, icon=":material/undo:")
if submitted:
    try:
        _use(edit.apply_edits(codebook, edited_measures, edited_thresholds, instrument), "codebook_applied")
    except ConfigError as exc:
        st.error(t_md("codebook_invalid", problem=str(exc)), icon=":material/error:")
    else:
        st.rerun()

judgements = edit.judgements_frame(codebook, language)
with st.expander(t("codebook_judgements", n=len(judgements)), icon=":material/balance:"):
    st.caption(t("codebook_judgements_help"))
    for row in judgements.itertuples(index=False):
        st.markdown(f"⚖ **{md(row.measures)}**: {md(row.judgement)}")

st.subheader(t("codebook_continuum"))
st.caption(t("codebook_continuum_help"))
tables = {
    "codebook_weights": edit.weights_frame(codebook, language),
    "codebook_leadership": edit.leadership_frame(codebook, instrument, language),
    "codebook_profile_items": edit.profile_items_frame(codebook, instrument, language),
}
for title, table in tables.items():
    st.markdown(f"**{t(title)}**")
    st.dataframe(table, hide_index=True, column_config=_labels(table.columns))

st.subheader(t("codebook_wording"))
measure_id = st.selectbox(
    t("codebook_wording_measure"), codebook.measure_ids, key="codebook_wording_measure",
    format_func=lambda m: codebook.measure(m).name.get(language),
)  # fmt: skip
wording = edit.wording_frame(codebook, instrument, measure_id, language)
if not wording["question_social_enterprise"].any():  # only a few items have a social-enterprise wording
    wording = wording.drop(columns="question_social_enterprise")
st.dataframe(wording, hide_index=True, column_config=_labels(wording.columns))

st.subheader(t("codebook_file"))
st.download_button(
    t("codebook_download"), data=codebook_yaml, file_name="codebook.yaml", mime="application/x-yaml",
    key="codebook_download", icon=":material/download:", on_click="ignore",
)  # fmt: skip
st.file_uploader(
    t("codebook_upload"), type=["yaml", "yml"], key=UPLOAD, on_change=_on_upload, help=t("codebook_upload_help")
)
if upload_error := st.session_state.get(UPLOAD_ERROR):
    st.error(t(upload_error[0], **upload_error[1]), icon=":material/error:")
with st.expander(t("codebook_advanced"), icon=":material/code:"):
    st.caption(t("codebook_advanced_help"))
    text = st.text_area(t("codebook_yaml_label"), value=codebook_yaml, height=400, key=f"codebook_yaml_text_{version}")
    if st.button(t("codebook_apply_yaml"), key="codebook_apply_yaml", icon=":material/calculate:"):
        try:
            _use(parse_codebook(text or "", instrument, source="codebook.yaml"), "codebook_applied")
        except ConfigError as exc:
            st.error(t_md("codebook_invalid", problem=str(exc)), icon=":material/error:")
        else:
            st.rerun()
