"""Login for a group deployment: Streamlit's ``st.login`` with an OpenID Connect provider.

Configured when ``.streamlit/secrets.toml`` has an ``[auth]`` section (``redirect_uri``,
``cookie_secret``, ``client_id``, ``client_secret``, ``server_metadata_url``; see the README).
Then nothing of the dashboard runs before the person has logged in, and the workspaces they see
are those owned by their e-mail address. Without ``[auth]`` the dashboard is one person's,
on their own machine, as before: every workspace belongs to the owner ``local``.
"""

from __future__ import annotations

import streamlit as st

from samskaping.errors import SamskapingError
from samskaping.storage import LOCAL_OWNER, normalise_owner
from ui import state

__all__ = ["auth_configured", "current_owner", "require_login"]

_SESSION_OWNER = "auth_owner"  # the owner this session's open workspace was opened as


def auth_configured() -> bool:
    """Whether secrets.toml has an ``[auth]`` section, i.e. whether login is required."""
    try:
        return bool(st.secrets.load_if_toml_exists() and st.secrets.get("auth"))
    except (FileNotFoundError, SamskapingError, ValueError):  # an unreadable secrets file: no login set up
        return False


def current_owner() -> str | None:
    """Who the workspaces belong to: ``local`` without login, else the logged-in e-mail (None: not logged in).

    The e-mail is used only when the provider does not say it is unverified; otherwise the
    provider's stable subject id (``sub``) is the owner.
    """
    if not auth_configured():
        return LOCAL_OWNER
    user = st.user
    if not user.get("is_logged_in", False):
        return None
    email = str(user.get("email") or "").strip()
    if email and user.get("email_verified", True) is not False:
        return normalise_owner(email)
    subject = str(user.get("sub") or "").strip()
    return normalise_owner(f"sub:{subject}") if subject else None


def _login_page() -> None:
    from ui.text import LANGUAGES, t

    st.session_state[state.LANG] = st.session_state.get(state.LANG, state.DEFAULTS[state.LANG])
    st.title(t("auth_title"))
    st.write(t("auth_intro"))
    st.selectbox(t("sidebar_language"), list(LANGUAGES), key=state.LANG, format_func=LANGUAGES.get)
    if st.button(t("auth_login"), type="primary", key="auth_login"):
        st.login()


def require_login() -> str:
    """The owner for this run; with login configured and nobody logged in, show the login page and stop.

    Called by ``app.py`` before anything else is drawn, so an unauthenticated visitor sees no
    workspace, no data and no sidebar. A logged-in person gets their name and a log-out button
    at the top of the sidebar.
    """
    from ui.text import t

    owner = current_owner()
    if owner is None:
        # The only page there is: no navigation (the pages/ folder's pages are not even listed).
        st.navigation([st.Page(_login_page, title=t("auth_login"), url_path="login")], position="hidden").run()
        st.stop()
    if st.session_state.get(_SESSION_OWNER) not in (None, owner):
        st.session_state[state.WORKSPACE] = None  # someone else logged in on this session: close theirs
    st.session_state[_SESSION_OWNER] = owner
    if auth_configured():
        with st.sidebar:
            # In code style, so the address is not turned into a mailto link.
            st.caption(t("auth_logged_in", owner=f"`{owner.replace('`', '')}`"))
            if st.button(t("auth_logout"), key="auth_logout", icon=":material/logout:"):
                st.session_state[state.WORKSPACE] = None
                st.logout()
    return owner
