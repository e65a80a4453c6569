"""Shared fixtures and Hypothesis profiles for the test suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from samskaping.codebook import Codebook, load_codebook
from samskaping.instrument import Instrument, load_instrument

# Hypothesis profiles: "dev" keeps the local run quick, "ci" searches harder.
# Choose with HYPOTHESIS_PROFILE=ci|dev (default dev).
settings.register_profile("ci", max_examples=200, deadline=None)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

REPO_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The project's shared folder (domain documents and fixtures) beside the repository.

    Missing locally: the test is skipped. Missing on CI (``CI=true``): the test fails, so a
    broken checkout cannot pass silently.
    """
    path = REPO_DIR.parent / "shared"
    if not path.is_dir():
        message = f"shared folder not found at {path}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def instrument() -> Instrument:
    """The bundled instrument (data/instrument.yaml)."""
    return load_instrument()


@pytest.fixture(scope="session")
def codebook(instrument: Instrument) -> Codebook:
    """The bundled default codebook (data/codebook.yaml)."""
    return load_codebook(instrument=instrument)
