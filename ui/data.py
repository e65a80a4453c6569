"""Cached wrappers around the domain package, and the data set and codebook in use."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import streamlit as st

from samskaping.anonymity import mask_counts
from samskaping.codebook import Codebook, load_codebook, parse_codebook
from samskaping.errors import SamskapingError
from samskaping.importing import RawTable, read_table
from samskaping.instrument import DATA_DIR, Instrument, load_instrument
from samskaping.loading import load_survey
from samskaping.mapping import mapping_from_yaml
from samskaping.overview import missing_by_part, respondent_counts
from samskaping.reliability import reliability
from samskaping.scoring import Scores, score_survey
from samskaping.validation import Validated, validate
from ui import state

DEMO_FILES = {"demo": DATA_DIR / "demo_survey.xlsx", "demo_large": DATA_DIR / "demo_survey_large.xlsx"}


@dataclass(frozen=True)
class Source:
    """How a data set was read: the file as uploaded and the mapping, so it can become a workspace wave."""

    file_name: str
    content: bytes = field(repr=False)
    sheet: str | None = None
    mapping_yaml: str | None = None
    companions: tuple[tuple[str, bytes], ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class Dataset:
    """The data set in use: its cache key, display name, validated data and whether it is synthetic.

    ``source`` is the file it came from (for saving it as a wave); ``wave_id`` is set when it
    is a wave of the open workspace.
    """

    key: str
    name: str
    validated: Validated
    synthetic: bool
    source: Source | None = None
    wave_id: str | None = None

    @property
    def findings_scope(self) -> str:
        """Where the researcher's findings wording belongs: the wave (kept in the workspace) or this data set."""
        return f"wave:{self.wave_id}" if self.wave_id else self.key


@st.cache_resource
def instrument() -> Instrument:
    """The bundled instrument, loaded and checked once per process."""
    return load_instrument()


@st.cache_resource
def _bundled_codebook() -> Codebook:
    return load_codebook(instrument=instrument())


@st.cache_data(show_spinner=False)
def _edited_codebook(text: str) -> Codebook:
    return parse_codebook(text, instrument(), source="codebook.yaml")


def codebook() -> Codebook:
    """The codebook in use: the researcher's edited one if set, else the bundled one."""
    text = st.session_state.get(state.CODEBOOK_YAML)
    if text:
        try:
            return _edited_codebook(text)
        except SamskapingError:
            st.session_state[state.CODEBOOK_YAML] = None
    return _bundled_codebook()


# Validated data sets and scores are kept as resources (shared, not copied per read): a copy of a
# 10 000-respondent data set on every rerun cost more than drawing the page. They are read-only:
# pages and the package derive new frames from them and never change them in place.
@st.cache_resource(show_spinner=False, max_entries=8)
def _validate_bytes(name: str, content: bytes) -> Validated:
    # Canonical files map to themselves; other exports get the proposed mapping (the import
    # page lets the researcher review and correct it).
    return load_survey(Path(name), instrument(), data=content).validated


@st.cache_resource(show_spinner=False, max_entries=64)
def _digest(file_id: str, _content: bytes) -> str:
    """The SHA-256 of an upload, computed once per uploaded file (not on every rerun: 33 MB take 0.1 s)."""
    return hashlib.sha256(_content).hexdigest()


@st.cache_resource(show_spinner=False, max_entries=8)
def _validate_upload(name: str, digest: str, _content: bytes) -> Validated:
    return load_survey(Path(name), instrument(), data=_content).validated


@st.cache_data(show_spinner=False, max_entries=8)
def read_raw(name: str, content: bytes, sheet: str | None, companions: tuple[tuple[str, bytes], ...]) -> RawTable:
    """Read an uploaded export (cached by its bytes); raises DataFileError for unusable files."""
    return read_table(Path(name), content, sheet=sheet, companions=dict(companions) or None)


@st.cache_data(show_spinner=False, max_entries=8)
def validate_mapped(_raw: RawTable, key: str, mapping_yaml: str) -> Validated:
    """Validate a raw table with a mapping (given as YAML so the cache can key on it)."""
    return validate(_raw, instrument(), mapping_from_yaml(mapping_yaml, instrument=instrument()))


def current_dataset() -> Dataset | None:
    """The data set chosen in the sidebar; None (after showing why) when an upload is unusable."""
    choice = st.session_state.get(state.DATASET, state.DEFAULTS[state.DATASET])
    if choice == "imported":
        return st.session_state.get(state.IMPORTED)
    if choice.startswith("wave:"):
        from ui import workspaces

        return workspaces.wave_dataset(choice.removeprefix("wave:"))
    if choice in DEMO_FILES:
        path = DEMO_FILES[choice]
        content = path.read_bytes()
        return Dataset(choice, path.name, _validate_bytes(path.name, content), True, Source(path.name, content))
    upload = st.session_state.get(state.UPLOAD)
    if upload is None:
        return None
    content = upload.getvalue()
    digest = _digest(upload.file_id, content)
    try:
        validated = _validate_upload(upload.name, digest, content)
    except SamskapingError as exc:
        from ui.safe import t_md

        st.error(t_md("upload_failed", problem=str(exc)))
        return None
    return Dataset(f"upload:{upload.name}:{digest}", upload.name, validated, False, Source(upload.name, content))


def cache_key(dataset: Dataset) -> str:
    """What results from the data set depend on besides the sidebar's settings: its key and the codebook in use."""
    return f"{dataset.key}|{hash(st.session_state.get(state.CODEBOOK_YAML) or '')}"


def settings() -> tuple[int, bool]:
    """The anonymity threshold k and the *treat 3 as missing* switch from the sidebar."""
    return (
        int(st.session_state.get(state.K, state.DEFAULTS[state.K])),
        bool(st.session_state.get(state.THREE_AS_MISSING, False)),
    )


@st.cache_resource(show_spinner=False, max_entries=32)
def _scores(_validated: Validated, _codebook: Codebook, key: str, k: int, three_as_missing: bool) -> Scores:
    return score_survey(_validated.data, instrument(), _codebook, k=k, three_as_missing=three_as_missing)


def scores(dataset: Dataset) -> Scores:
    """Scores of the data set with the sidebar's k and *treat 3 as missing*, cached."""
    k, three = settings()
    cb = codebook()
    return _scores(dataset.validated, cb, cache_key(dataset), k, three)


@st.cache_data(show_spinner=False, max_entries=32)
def _reliability(_validated: Validated, _codebook: Codebook, key: str, three_as_missing: bool):
    return reliability(_validated.data, instrument(), _codebook, three_as_missing=three_as_missing)


def reliability_table(dataset: Dataset):
    """Reliability per factor and barrier of the data set in use, cached."""
    _, three = settings()
    return _reliability(dataset.validated, codebook(), cache_key(dataset), three)


@st.cache_data(show_spinner=False, max_entries=32)
def _respondent_counts(_data: pd.DataFrame, key: str, k: int) -> pd.DataFrame:
    counts = respondent_counts(_data)
    columns = [c for c in counts.columns if c != "case"]
    return mask_counts(counts, columns, k=k).astype(dict.fromkeys(columns, "str"))


def respondent_count_table(dataset: Dataset) -> pd.DataFrame:
    """Respondents per case and group of the data set in use (:func:`samskaping.overview.respondent_counts`),
    counts from 1 to k − 1 shown as "< k" (methods.md §7), as text; cached."""
    k, _ = settings()
    return _respondent_counts(dataset.validated.data, cache_key(dataset), k)


@st.cache_data(show_spinner=False, max_entries=32)
def _missing(_data: pd.DataFrame, key: str, three_as_missing: bool) -> pd.DataFrame:
    return missing_by_part(_data, instrument(), three_as_missing=three_as_missing)


def missing_table(dataset: Dataset) -> pd.DataFrame:
    """Missing answers per part of the data set in use (:func:`samskaping.overview.missing_by_part`), cached."""
    _, three = settings()
    return _missing(dataset.validated.data, cache_key(dataset), three)


def use_imported(dataset: Dataset) -> None:
    """Button callback: make an imported data set the one every page uses."""
    st.session_state[state.IMPORTED] = dataset
    st.session_state[state.DATASET] = "imported"
