"""XSRF protection stays on: st.login needs it, and it guards uploads against cross-site requests."""

from __future__ import annotations

import tomllib

from tests.conftest import REPO_DIR


def test_the_project_config_does_not_switch_xsrf_protection_off() -> None:
    config = tomllib.loads((REPO_DIR / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    server = config.get("server", {})
    assert server.get("enableXsrfProtection", True) is True
    assert server.get("enableCORS", True) is True  # Streamlit turns XSRF off when CORS is off


def test_streamlits_default_is_on() -> None:
    # Without the project setting the default applies: it must be on (Streamlit's documented default).
    from streamlit import config

    assert config.get_option("server.enableXsrfProtection") is True


def test_no_start_script_or_deployment_file_switches_it_off() -> None:
    # Also flags and environment variables (STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION) in how the app is started.
    suspects = [
        path
        for pattern in ("scripts/*", "*.sh", "Dockerfile*", "*.toml", "*.yml", "*.yaml", ".streamlit/*", ".ci/*")
        for path in REPO_DIR.glob(pattern)
        if path.is_file()
    ]
    assert (REPO_DIR / "scripts" / "start.sh") in suspects
    for path in suspects:
        text = path.read_text(encoding="utf-8", errors="replace").lower().replace(" ", "")
        for needle in ("enablexsrfprotection=false", "enablexsrfprotectionfalse", "xsrf_protection=false"):
            assert needle not in text, path
