"""Fixtures for the browser tests: the dashboard started as the README says, and Debian's chromium.

Without ``/usr/bin/chromium`` the tests are skipped locally and fail on CI (``CI=true``).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT = 90  # seconds for scripts/start.sh (setup, then the server) to answer /_stcore/health


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the running dashboard in a real browser (chromium)")


def _unavailable(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.is_file():
        _unavailable(f"{CHROMIUM} not found: install Debian's chromium (scripts/setup.sh does)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("playwright is not installed (requirements-dev.txt)")
    return CHROMIUM


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except OSError:
        return False


@pytest.fixture(scope="module")
def app_url(chromium, tmp_path_factory) -> Iterator[str]:
    """The dashboard started with ``bash scripts/start.sh`` on a free port; stopped at teardown."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("server") / "start.log"
    tmp_db = log_path.parent / "workspaces.sqlite"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            ["bash", "scripts/start.sh"],
            cwd=ROOT,
            # A fresh workspace database: the test must not read or write the user's own.
            env={**os.environ, "PORT": str(port), "SAMSKAPING_DATABASE_URL": f"sqlite:///{tmp_db}"},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _healthy(url):
            if server.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-3000:]
                state = f"exited with {server.returncode}" if server.poll() is not None else "no answer"
                pytest.fail(f"scripts/start.sh: {state} after {START_TIMEOUT} s at most; its output:\n{tail}")
            time.sleep(0.5)
        yield url
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=5)


@pytest.fixture
def page(chromium):
    """A fresh chromium page (1400 × 1000)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": 1400, "height": 1000})
        finally:
            browser.close()
