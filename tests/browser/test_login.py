"""Login in a real browser against a local OpenID Connect provider: nobody sees a workspace before
logging in, and each person sees only their own workspaces.

The provider (tests/oidc_provider.py) runs on loopback in this process; the dashboard is
started with a secrets.toml whose ``[auth]`` section points to it and with its own SQLite
database seeded with workspaces of alice, bob and the local user. Without chromium or when
the server does not start, the test is skipped locally and fails under ``CI=true``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from samskaping.storage import Store
from tests.browser.conftest import START_TIMEOUT, _free_port, _healthy
from tests.oidc_provider import OidcProvider

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_MS = 60_000
ALICE = {"sub": "alice-1", "email": "alice@example.org", "email_verified": True, "name": "Alice"}
BOB = {"sub": "bob-2", "email": "Bob@Example.org", "email_verified": True, "name": "Bob"}
# The seeded workspaces: each name says whose it is, so a leak shows up as a name on the page.
OWNED = {
    "alice@example.org": ["Alice kartlegging 2024", "Alice pilot"],
    "bob@example.org": ["Bob evaluering"],
    "local": ["Lokal uten innlogging"],
}
ALL_NAMES = [name for names in OWNED.values() for name in names]


@pytest.fixture(scope="module")
def login_app(chromium, tmp_path_factory) -> Iterator[tuple[str, OidcProvider]]:
    """The dashboard with login configured (port, provider); stopped at teardown."""
    folder = tmp_path_factory.mktemp("login")
    database = f"sqlite:///{folder / 'workspaces.sqlite'}"
    store = Store.open(database)
    try:
        for owner, names in OWNED.items():
            for name in names:
                store.create(name, owner=owner)
    finally:
        store.close()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = folder / "server.log"
    with OidcProvider(redirect_uri=f"{url}/oauth2callback") as provider:
        secrets_file = folder / "secrets.toml"
        secrets_file.write_text(provider.secrets_toml(), encoding="utf-8")
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                 "--server.address", "127.0.0.1", "--server.port", str(port),
                 "--browser.gatherUsageStats", "false", "--secrets.files", str(secrets_file)],
                cwd=ROOT,
                env={**os.environ, "SAMSKAPING_DATABASE_URL": database},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not _healthy(url):
                if server.poll() is not None or time.monotonic() > deadline:
                    tail = log_path.read_text(errors="replace")[-3000:]
                    pytest.fail(f"the dashboard with login did not start; its output:\n{tail}")
                time.sleep(0.5)
            yield url, provider
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
                try:
                    server.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(server.pid, signal.SIGKILL)
                    server.wait(timeout=5)


def _settled(page) -> None:
    from playwright.sync_api import expect

    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=TIMEOUT_MS)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)


def _visible_text(page) -> str:
    return page.locator("[data-testid='stApp']").inner_text()


def _log_in(page, url: str, provider: OidcProvider, user: dict) -> None:
    from playwright.sync_api import expect

    provider.user = user
    page.goto(url)
    button = page.get_by_role("button", name="Log in")
    expect(button).to_be_visible()
    button.click()
    # Streamlit → provider /authorize (approves at once) → /oauth2callback → the dashboard.
    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar.get_by_text(f"Logged in as {user['email'].lower()}")).to_be_visible()
    _settled(page)


def _workspace_names_offered(page) -> list[str]:
    """Go to the Workspace page and read every name its workspace chooser offers."""
    from playwright.sync_api import expect

    page.locator("[data-testid='stSidebarNav'] a", has_text="Workspace").click()
    main = page.locator("[data-testid='stMain']")
    expect(main.get_by_role("heading", name="Workspace", exact=True)).to_be_visible()
    _settled(page)
    box = main.get_by_role("combobox", name="Workspaces", exact=True)
    box.click()
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return sorted(option.split(" · ")[0] for option in options)


@pytest.mark.browser
def test_without_login_nothing_is_shown(login_app, page) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    url, provider = login_app
    for path in ("", "/workspace", "/case_profile"):  # the start page and deep links alike
        page.goto(url + path)
        expect(page.get_by_role("button", name="Log in")).to_be_visible()
        _settled(page)
        text = _visible_text(page)
        assert "Log in to see your workspaces" in text
        for name in ALL_NAMES:
            assert name not in text, (path, name)
        assert "Demo survey" not in text  # not even the sidebar's data sets
        expect(page.locator("[data-testid='stSidebarNav']")).to_have_count(0)
    assert "/token" not in provider.log  # nobody logged in


@pytest.mark.browser
@pytest.mark.parametrize("user", [ALICE, BOB], ids=["alice", "bob"])
def test_each_person_sees_only_their_own_workspaces(login_app, page, user) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    url, provider = login_app
    _log_in(page, url, provider, user)
    owner = user["email"].lower()
    # Expected: exactly the names seeded for this owner (OWNED above), none of anyone else's.
    assert _workspace_names_offered(page) == sorted(OWNED[owner])
    text = _visible_text(page)
    for other, names in OWNED.items():
        if other != owner:
            for name in names:
                assert name not in text
    # Logging out brings the login page back.
    page.locator("[data-testid='stSidebar']").get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


@pytest.mark.browser
def test_the_running_server_refuses_an_upload_without_its_xsrf_token(login_app) -> None:
    # A cross-site form cannot read the _streamlit_xsrf cookie, so it cannot send the header:
    # Streamlit answers 403 (its upload route's XSRF check), before looking at the session.
    import urllib.error
    import urllib.request

    url, _ = login_app
    request = urllib.request.Request(f"{url}/_stcore/upload_file/some-session/some-file", data=b"x", method="PUT")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
    assert "XSRF" in refused.value.read().decode(errors="replace")
