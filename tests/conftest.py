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


POSTGRES_URL_VARIABLE = "SAMSKAPING_TEST_POSTGRES_URL"


def database_url(backend: str, tmp_path: Path) -> str:
    """A fresh, empty database of ``backend`` ("sqlite" or "postgresql") for one test.

    SQLite: a file in ``tmp_path``. PostgreSQL: the server named by
    ``SAMSKAPING_TEST_POSTGRES_URL`` (scripts/postgres.sh starts one), emptied first. Without
    that server the test is skipped locally and fails under ``CI=true``.
    """
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'workspaces.sqlite'}"
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not url:
        message = f"no PostgreSQL server: {POSTGRES_URL_VARIABLE} is not set (scripts/postgres.sh starts one)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL, once for SQLite and once for PostgreSQL."""
    return database_url(request.param, tmp_path)


@pytest.fixture
def store(database: str):
    """A :class:`samskaping.storage.Store` on an empty database of each kind, closed afterwards."""
    from samskaping.storage import Store

    opened = Store.open(database)
    yield opened
    opened.close()
