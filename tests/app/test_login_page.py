"""Login configured (AppTest): without a logged-in user the app shows only the login page.

The browser test (tests/browser/test_login.py) logs in for real against a local provider; this
one checks quickly that the login page hides every workspace and the dashboard itself.
"""

from __future__ import annotations

import os
from pathlib import Path

from streamlit.testing.v1 import AppTest

from samskaping.storage import Store

ROOT = Path(__file__).resolve().parents[2]
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret-not-used-for-anything",
    "client_id": "samskaping",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


def test_without_login_the_app_shows_only_the_login_page() -> None:
    store = Store.open(os.environ["SAMSKAPING_DATABASE_URL"])
    try:
        store.create("Hemmelig studie")  # the local user's
        store.create("Alices studie", owner="alice@example.org")
    finally:
        store.close()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.secrets["auth"] = AUTH
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [b.label for b in at.button] == ["Log in"]
    shown = " ".join(str(e.value) for e in [*at.markdown, *at.title, *at.caption, *at.info] if hasattr(e, "value"))
    assert "Log in to see your workspaces" in shown
    assert "Hemmelig studie" not in shown and "Alices studie" not in shown
    assert "Demo survey" not in shown  # not even the sidebar was drawn
    assert len(at.sidebar) == 0 and not at.radio and not at.number_input


def test_without_auth_secrets_the_app_is_the_local_users() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Log in" not in [b.label for b in at.button]
    assert at.number_input(key="k").value == 3  # the dashboard's sidebar is there at once


def _logged_in(email: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": email, "email_verified": True, "sub": email}
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("pages/workspace.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_logged_in_person_lists_only_theirs_and_can_share_one() -> None:
    store = Store.open(os.environ["SAMSKAPING_DATABASE_URL"])
    try:
        carol = store.create("Carols studie", owner="carol@example.org")
        store.create("Daves studie", owner="dave@example.org")
        store.create("Lokal studie")
    finally:
        store.close()
    at = _logged_in("Carol@Example.org")
    assert any("carol@example.org" in c.value for c in at.sidebar.caption)
    # Expected: only the workspace created for carol above.
    assert at.selectbox[0].options == ["Carols studie · 0 wave(s)"]
    at.button(key="workspace_open").click()
    at.run()
    assert at.session_state["workspace"].id == carol.id
    form_email = next(t for t in at.text_input if t.label.startswith("E-mail address of another owner"))
    form_email.set_value("dave@example.org")
    next(b for b in at.button if b.label == "Add as owner").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    dave = _logged_in("dave@example.org")
    assert sorted(dave.selectbox[0].options) == ["Carols studie · 0 wave(s)", "Daves studie · 0 wave(s)"]
