"""Streamlit helpers of the continuum page: cached positions and sensitivity, the placement editor,
editable figure texts and the figure downloads (rendered only when a button is clicked)."""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
import streamlit as st

from samskaping import figure_export
from samskaping.codebook import Codebook
from samskaping.continuum import (
    BOOTSTRAP_RESAMPLES,
    BOOTSTRAP_SEED,
    SHOW_CHOICES,
    Placement,
    load_placements,
    placements_to_yaml,
    positions,
    sensitivity,
)
from samskaping.errors import ConfigError
from samskaping.figures import Chart
from samskaping.profiles import format_number
from samskaping.scoring import Scores
from ui import data
from ui.data import Dataset
from ui.safe import t_md
from ui.text import lang, t

PLACEMENTS = "placements"  # {case: Placement}: the researcher's judgement, kept for the session
VERSION = "continuum_placements_version"  # bumped when placements come from a file: the editor starts afresh
UPLOAD = "continuum_placements_upload"
FLASH = "continuum_placements_flash"  # (kind, text key, fields) shown once after an upload
TEXTS = "continuum_texts"  # {widget key: text} the researcher's titles and captions, kept across pages


def placements() -> dict[str, Placement]:
    """The placements of this session (empty at first)."""
    return dict(st.session_state.get(PLACEMENTS) or {})


@st.cache_data(show_spinner=False, max_entries=32)
def _positions(_scores: Scores, _codebook: Codebook, key: str, placements_yaml: str) -> pd.DataFrame:
    return positions(_scores, _codebook, placements=load_placements(placements_yaml),
                     resamples=BOOTSTRAP_RESAMPLES, seed=BOOTSTRAP_SEED)  # fmt: skip


def position_table(dataset: Dataset, scores: Scores) -> pd.DataFrame:
    """:func:`samskaping.continuum.positions` of the data set in use with this session's placements, cached."""
    k, three = data.settings()
    key = f"{data.cache_key(dataset)}|{k}|{three}"
    return _positions(scores, data.codebook(), key, placements_to_yaml(placements()))


@st.cache_data(show_spinner=False, max_entries=16)
def _sensitivity(_dataset: Dataset, _codebook: Codebook, key: str, k: int, three: bool) -> pd.DataFrame:
    return sensitivity(_dataset.validated.data, data.instrument(), _codebook, k=k, three_as_missing=three)


def sensitivity_table(dataset: Dataset) -> pd.DataFrame:
    """The sensitivity of the order of cases (methods.md §9), cached per data set and settings."""
    k, three = data.settings()
    return _sensitivity(dataset, data.codebook(), data.cache_key(dataset), k, three)


def _number(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value) else \
        format_number(float(value), "index100", lang())  # fmt: skip


def positions_for_display(table: pd.DataFrame, codebook: Codebook, k: int) -> pd.DataFrame:
    """The positions as text: hidden rows say "hidden, n < k" and show n only."""
    language = lang()
    names = {m.id: m.name.get(language) for m in codebook.family("subindex")}
    hidden_text = t("hidden_cell", k=k)
    rows = []
    for r in table.itertuples(index=False):
        manual = t("continuum_outside") if r.outside else _number(r.manual_position)
        row = {t("col_case"): r.case, t("col_n"): int(r.n)}
        if r.hidden:
            row |= {t("continuum_col_thickness"): hidden_text, t("continuum_col_interval"): ""}
            row |= {names[m]: "" for m in names}
        else:
            row |= {t("continuum_col_thickness"): _number(r.thickness),
                    t("continuum_col_interval"): f"{_number(r.low)}–{_number(r.high)}"}  # fmt: skip
            row |= {names[m]: _number(getattr(r, m)) for m in names}
        row |= {t("continuum_col_manual"): manual, t("continuum_col_shown"): t(f"continuum_shown_{r.shown}"),
                t("continuum_col_rationale"): r.rationale or ""}  # fmt: skip
        rows.append(row)
    return pd.DataFrame(rows)


def sensitivity_for_display(table: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """The sensitivity table with scenarios and weights in the chosen language."""
    language = lang()
    names = {m.id: m.name.get(language) for m in codebook.family("subindex")}

    def scenario(text: str) -> str:
        measure, _, step = text.partition(" ")
        return f"{names[measure]} {step.replace('.', ',') if language == 'nb' else step}" if measure in names else (
            t(f"continuum_scenario_{text}"))  # fmt: skip

    def weights(text: str) -> str:
        for measure, name in names.items():
            text = text.replace(measure, name)
        return text.replace(".", ",").replace(", ", "; ") if language == "nb" else text

    yes_no = {True: t("continuum_yes"), False: t("continuum_no")}
    return pd.DataFrame({
        t("continuum_col_scenario"): table["scenario"].map(scenario),
        t("continuum_col_weights"): table["weights"].map(weights),
        t("continuum_col_order_changed"): table["order_changed"].map(yes_no),
        t("continuum_col_swaps"): table["swaps"].replace("", "–"),
    })  # fmt: skip


def placement_editor(cases: list[str], dataset_key: str) -> dict[str, Placement]:
    """Edit each case's manual position (0–100 or outside), rationale and what the figure shows.

    Placements of cases not in the data set are kept (they travel in placements.yaml).
    """
    current = placements()
    rows = []
    for case in cases:
        p = current.get(case, Placement())
        rows.append({"case": case, "position": p.position, "outside": p.outside, "rationale": p.rationale,
                     "show": p.show})  # fmt: skip
    frame = pd.DataFrame(rows)
    shown_names = {choice: t(f"continuum_shown_{choice}") for choice in SHOW_CHOICES}  # resolved now, not later
    config = {
        "case": st.column_config.TextColumn(t("col_case"), disabled=True),
        "position": st.column_config.NumberColumn(t("continuum_col_position"), min_value=0.0, max_value=100.0,
                                                  step=1.0, help=t("continuum_position_help")),
        "outside": st.column_config.CheckboxColumn(t("continuum_col_outside"), help=t("continuum_outside_help")),
        "rationale": st.column_config.TextColumn(t("continuum_col_rationale"), width="large"),
        "show": st.column_config.SelectboxColumn(t("continuum_col_show"), options=list(SHOW_CHOICES), required=True,
                                                 help=t("continuum_show_help"), format_func=shown_names.get),
    }  # fmt: skip
    version = st.session_state.get(VERSION, 0)
    edited = st.data_editor(frame, key=f"continuum_placements_{dataset_key}_{version}", hide_index=True,
                            column_config=config, num_rows="fixed")  # fmt: skip
    updated = dict(current)
    for row in edited.itertuples(index=False):
        position = None if row.position is None or pd.isna(row.position) else float(row.position)
        placement = Placement(position, bool(row.outside), str(row.rationale or ""), str(row.show or "computed"))
        if placement == Placement():
            updated.pop(row.case, None)
        else:
            updated[row.case] = placement
    if updated != current:
        st.session_state[PLACEMENTS] = updated
    return updated


def _on_upload() -> None:
    upload = st.session_state.get(UPLOAD)
    if upload is None:
        return
    try:
        loaded = load_placements(upload.getvalue().decode("utf-8-sig"), source=upload.name)
    except UnicodeDecodeError:
        st.session_state[FLASH] = ("error", "continuum_placements_not_utf8", {"name": upload.name})
    except ConfigError as exc:
        st.session_state[FLASH] = ("error", "continuum_placements_invalid", {"problem": str(exc)})
    else:
        st.session_state[PLACEMENTS] = loaded
        st.session_state[VERSION] = st.session_state.get(VERSION, 0) + 1
        st.session_state[FLASH] = ("success", "continuum_placements_uploaded", {"name": upload.name, "n": len(loaded)})


def placement_files() -> None:
    """Download the placements as placements.yaml, and upload one."""
    if flash := st.session_state.pop(FLASH, None):
        kind, key, fields = flash
        (st.error if kind == "error" else st.success)(t_md(key, **fields))
    st.download_button(t("continuum_download_placements"), data=placements_to_yaml(placements()),
                       file_name="placements.yaml", mime="application/x-yaml", key="continuum_placements_download",
                       icon=":material/download:", on_click="ignore")  # fmt: skip
    st.file_uploader(t("continuum_upload_placements"), type=["yaml", "yml"], key=UPLOAD, on_change=_on_upload,
                     help=t("continuum_upload_help"))  # fmt: skip


def editable_text(key: str, label: str, generated: str, *, area: bool = False) -> str:
    """A title or caption the researcher may edit; it follows the generated text until edited."""
    kept = st.session_state.setdefault(TEXTS, {})
    base = f"{key}|generated"
    if key not in st.session_state:  # the widget's state is dropped when another page is shown
        st.session_state[key] = kept.get(key, generated)
    if kept.get(base) != generated:
        if st.session_state[key] == kept.get(base, generated):  # not edited: follow the new text
            st.session_state[key] = generated
        kept[base] = generated
    (st.text_area if area else st.text_input)(label, key=key)
    kept[key] = st.session_state[key]
    return st.session_state[key]


def reset_texts(keys: list[str]) -> None:
    """Button callback: the generated titles and captions again."""
    kept = st.session_state.setdefault(TEXTS, {})
    for key in keys:
        st.session_state[key] = kept.get(f"{key}|generated", "")
        kept[key] = st.session_state[key]


@st.cache_resource(show_spinner=False)
def _kaleido_server() -> bool:
    """One kaleido (headless Chromium) server per app process, started at the first export."""
    figure_export.start_server()
    return True


def downloads(name: str, build: Callable[[], Chart], width_mm: float, dpi: int) -> None:
    """One button per format; the figure is rendered only when its button is clicked."""
    browser = figure_export.find_browser() is not None
    if not browser:
        st.warning(t("continuum_no_browser"), icon=":material/warning:")
    for fmt, column in zip(figure_export.FORMATS, st.columns(len(figure_export.FORMATS)), strict=True):

        def render(fmt: str = fmt) -> bytes:
            if fmt != "html":
                _kaleido_server()
            return figure_export.export_figure(build().figure, fmt, width_mm=width_mm, dpi=dpi)

        column.download_button(
            fmt.upper(), data=render, file_name=f"{name}.{fmt}", mime=figure_export.MIME_TYPES[fmt],
            key=f"continuum_download_{name}_{fmt}", on_click="ignore", disabled=fmt != "html" and not browser,
            icon=":material/download:",
        )  # fmt: skip
