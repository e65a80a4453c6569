"""Cached wrappers around the domain package, and the data set in use."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from samskaping.codebook import Codebook, load_codebook
from samskaping.importing import read_table
from samskaping.instrument import DATA_DIR, Instrument, load_instrument
from samskaping.scoring import Scores, score_survey
from samskaping.validation import Validated, validate_canonical

DEMO_FILES = {"demo": DATA_DIR / "demo_survey.xlsx", "demo_large": DATA_DIR / "demo_survey_large.xlsx"}


@st.cache_resource
def instrument() -> Instrument:
    """The bundled instrument, loaded and checked once per process."""
    return load_instrument()


@st.cache_resource
def default_codebook() -> Codebook:
    """The bundled codebook, loaded and checked once per process."""
    return load_codebook(instrument=instrument())


@st.cache_data(show_spinner=False)
def load_file(name: str, content: bytes) -> Validated:
    """Read and validate a canonical survey file given as bytes."""
    return validate_canonical(read_table(Path(name), content), instrument())


def load_demo(which: str) -> Validated:
    """One of the bundled synthetic demo surveys."""
    path = DEMO_FILES[which]
    return load_file(path.name, path.read_bytes())


@st.cache_data(show_spinner=False)
def scores(_validated: Validated, key: str, k: int, three_as_missing: bool) -> Scores:
    """Score a data set; ``key`` identifies the data set for the cache."""
    return score_survey(_validated.data, instrument(), default_codebook(), k=k, three_as_missing=three_as_missing)
