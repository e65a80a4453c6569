"""The report context of the data set in use, and cached report builders for the reports page."""

from __future__ import annotations

from types import MappingProxyType

import pandas as pd
import streamlit as st

from samskaping.continuum import placements_to_yaml
from samskaping.report_context import ReportContext
from samskaping.workspace import EXCLUSION_COLUMNS, apply_exclusions
from ui import continuum_view, data, state, workspaces


def report_context(dataset: data.Dataset) -> ReportContext:
    """Everything the reports need, from the data set in use and the session's (or workspace's) decisions."""
    workspace = workspaces.active()
    scope = dataset.findings_scope
    edited = {
        (case, lang): table
        for (key, case, lang), table in (st.session_state.get(state.EDITED_FINDINGS) or {}).items()
        if key == scope
    }
    exclusions = pd.DataFrame(columns=list(EXCLUSION_COLUMNS))
    wave = notes = None
    if workspace is not None and dataset.wave_id is not None:
        wave = workspace.wave(dataset.wave_id)
        applied = workspace.exclusions_for(wave.id)
        if applied:
            _, exclusions = apply_exclusions(workspaces.wave_validated(wave), applied)
            labels = {w.id: w.label for w in workspace.waves}
            exclusions["wave"] = [labels.get(w, w) for w in exclusions["wave"]]
        notes = workspace.notes
    return ReportContext(
        validated=dataset.validated,
        scores=data.scores(dataset),
        instrument=data.instrument(),
        codebook=data.codebook(),
        source=dataset.source.file_name if dataset.source else dataset.name,
        placements=MappingProxyType(continuum_view.placements()),
        edited_findings=MappingProxyType(edited),
        notes=MappingProxyType(dict(notes or {})),
        exclusions=exclusions,
        workspace=workspace.name if workspace is not None and wave is not None else None,
        wave=wave.label if wave is not None else None,
        collected_on=wave.collected_on if wave is not None else None,
        codebook_changed=st.session_state.get(state.CODEBOOK_YAML) is not None,
    )


def context_key(dataset: data.Dataset) -> str:
    """A cache key for everything :func:`report_context` reads."""
    k, three = data.settings()
    edited = st.session_state.get(state.EDITED_FINDINGS) or {}
    findings = sorted(
        (case, lang, table.to_json()) for (key, case, lang), table in edited.items() if key == dataset.findings_scope
    )
    workspace = workspaces.active()
    return "|".join(
        map(
            str,
            (
                dataset.key,
                k,
                three,
                hash(st.session_state.get(state.CODEBOOK_YAML) or ""),
                hash(placements_to_yaml(continuum_view.placements())),
                hash(tuple(findings)),
                (workspace.id, workspace.revision) if workspace else "",
            ),
        )
    )


@st.cache_data(show_spinner=False, max_entries=4)
def workbook(_dataset: data.Dataset, key: str, lang: str, include_respondents: bool, compare_by: str) -> bytes:
    """The study workbook of the data set in use (cached on everything it reads)."""
    from samskaping.report_workbook import study_workbook

    context = report_context(_dataset)
    return study_workbook(context, lang=lang, include_respondents=include_respondents, compare_by=compare_by)


@st.cache_data(show_spinner=False, max_entries=16)
def case_report(_dataset: data.Dataset, key: str, case: str, lang: str, fmt: str) -> bytes:
    """One case's report as PDF or HTML bytes (cached)."""
    from samskaping.case_report import case_report_html, case_report_pdf

    context = report_context(_dataset)
    if fmt == "pdf":
        return case_report_pdf(context, case, lang, synthetic=_dataset.synthetic)
    return case_report_html(context, case, lang, synthetic=_dataset.synthetic).encode("utf-8")


def all_reports(dataset: data.Dataset, lang: str, fmt: str, progress) -> bytes:
    """Every case's report in one zip, calling ``progress(done, total)`` as it goes."""
    from samskaping.case_report import all_case_reports_zip

    return all_case_reports_zip(report_context(dataset), lang, fmt, progress, synthetic=dataset.synthetic)
