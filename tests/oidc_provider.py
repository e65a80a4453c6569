"""A tiny OpenID Connect provider for tests, on loopback only: it logs in whoever the test says.

Enough of the protocol for Streamlit's ``st.login`` (Authlib's client): discovery
(``/.well-known/openid-configuration``), ``/authorize`` (approves at once as :attr:`user`,
checks the client id and redirect URI, echoes ``state`` and signs the ``nonce`` into the
ID token), ``/token`` (authorization code → RS256-signed ID token; checks the client secret,
the redirect URI and that a code is used once), ``/jwks`` and ``/userinfo``.

Usage::

    with OidcProvider(redirect_uri="http://127.0.0.1:8501/oauth2callback") as provider:
        provider.user = {"sub": "1", "email": "alice@example.org", "name": "Alice"}
        provider.secrets_toml()  # the [auth] section for .streamlit/secrets.toml
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlencode, urlparse

from joserfc import jwt
from joserfc.jwk import RSAKey

__all__ = ["OidcProvider"]


class OidcProvider:
    """The provider, served from a thread on ``127.0.0.1`` at a free port while in a ``with`` block."""

    def __init__(self, redirect_uri: str, client_id: str = "samskaping-test", client_secret: str | None = None) -> None:
        self.redirect_uri = redirect_uri
        self.client_id = client_id
        self.client_secret = client_secret or secrets.token_urlsafe(24)
        self.user: dict[str, object] | None = None  # whom /authorize logs in (None: it refuses)
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
        self.log: list[str] = []  # the paths asked for, in order
        self._codes: dict[str, dict] = {}
        self._tokens: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> OidcProvider:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def metadata(self) -> dict:
        """The discovery document."""
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "claims_supported": ["sub", "email", "email_verified", "name"],
        }

    def secrets_toml(self, cookie_secret: str | None = None) -> str:
        """The ``[auth]`` section of a secrets.toml that makes Streamlit log in with this provider."""
        values = {
            "redirect_uri": self.redirect_uri,
            "cookie_secret": cookie_secret or secrets.token_urlsafe(32),
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "server_metadata_url": f"{self.issuer}/.well-known/openid-configuration",
        }
        return "[auth]\n" + "".join(f"{name} = {json.dumps(value)}\n" for name, value in values.items())

    # -- the endpoints --------------------------------------------------------------------------

    def _authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if query.get("client_id") != self.client_id or query.get("redirect_uri") != self.redirect_uri:
            return 400, {}, b"unknown client or redirect_uri"
        if query.get("response_type") != "code" or "openid" not in query.get("scope", "").split():
            return 400, {}, b"unsupported request"
        back = {"state": query.get("state", "")}
        if self.user is None:
            back["error"] = "access_denied"
        else:
            code = secrets.token_urlsafe(16)
            with self._lock:
                self._codes[code] = {"user": dict(self.user), "nonce": query.get("nonce"), "at": time.time()}
            back["code"] = code
        return 302, {"Location": f"{self.redirect_uri}?{urlencode(back)}"}, b""

    def _client_ok(self, headers, form: dict[str, str]) -> bool:
        auth = headers.get("Authorization", "")
        if auth.startswith("Basic "):
            name, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            return unquote(name) == self.client_id and unquote(secret) == self.client_secret
        return form.get("client_id") == self.client_id and form.get("client_secret") == self.client_secret

    def _token(self, headers, form: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if not self._client_ok(headers, form):
            return 401, {}, json.dumps({"error": "invalid_client"}).encode()
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)  # a code works once
        if (
            form.get("grant_type") != "authorization_code"
            or grant is None
            or form.get("redirect_uri") != self.redirect_uri
            or time.time() - grant["at"] > 60
        ):
            return 400, {}, json.dumps({"error": "invalid_grant"}).encode()
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300, **grant["user"]}
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.key)
        access_token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[access_token] = grant["user"]
        body = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
            "scope": "openid email profile",
        }
        return 200, {"Content-Type": "application/json", "Cache-Control": "no-store"}, json.dumps(body).encode()

    def _userinfo(self, headers) -> tuple[int, dict[str, str], bytes]:
        token = headers.get("Authorization", "").removeprefix("Bearer ")
        with self._lock:
            user = self._tokens.get(token)
        if user is None:
            return 401, {}, b""
        return 200, {"Content-Type": "application/json"}, json.dumps(user).encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _json(self, value: dict) -> None:
                self._send(200, {"Content-Type": "application/json"}, json.dumps(value).encode())

            def do_GET(self) -> None:
                url = urlparse(self.path)
                provider.log.append(url.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    self._json(provider.metadata())
                elif url.path == "/jwks":
                    self._json({"keys": [provider.key.as_dict(private=False)]})
                elif url.path == "/authorize":
                    self._send(*provider._authorize(query))
                elif url.path == "/userinfo":
                    self._send(*provider._userinfo(self.headers))
                else:
                    self._send(404, {}, b"")

            def do_POST(self) -> None:
                url = urlparse(self.path)
                provider.log.append(url.path)
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if url.path == "/token":
                    self._send(*provider._token(self.headers, form))
                else:
                    self._send(404, {}, b"")

            def log_message(self, *_args: object) -> None:  # quiet: the test reads provider.log
                pass

        return Handler
