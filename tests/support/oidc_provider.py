"""A small but real OpenID Connect provider on loopback, for the tests: discovery, JWKS,
an authorization endpoint with a sign-in form, and a token endpoint that checks the client,
the redirect URI and the PKCE verifier (S256) and hands out each code once. ID tokens are
signed with RS256 (or ES256) through joserfc.

    provider = TestOidcProvider(users={"coach": {"sub": "u1", "name": "A. Jansen",
                                                 "roles": ["wijkcoach"], "team": "team-a"}})
    await provider.start()
    ...
    await provider.close()
"""

import base64
import hashlib
import html
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

CLIENT_ID = "wijkhub-test"
CLIENT_SECRET = "test-client-secret"


@dataclass
class _Code:
    user: str
    client_id: str
    redirect_uri: str
    nonce: str | None
    challenge: str
    issued: datetime


@dataclass
class TestOidcProvider:
    __test__ = False  # not a test class, whatever its name says
    users: dict[str, dict[str, Any]]
    now: Callable[[], datetime]  # the hub's clock: token times must agree with the hub's
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    alg: str = "RS256"
    codes: dict[str, _Code] = field(default_factory=dict)
    used_codes: set[str] = field(default_factory=set)
    token_requests: int = 0
    # Show a page with a link back to the hub instead of redirecting: lets a test see (and
    # replay or tamper with) the callback URL.
    confirm_redirect: bool = False
    # Tamper with what the token endpoint hands out (tests of the hub's ID token checks).
    claims_override: dict[str, Any] = field(default_factory=dict)
    sign_with: Any = None  # another key than the published one
    refused: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.key = (
            RSAKey.generate_key(2048, parameters={"kid": "rsa-1", "use": "sig", "alg": "RS256"})
            if self.alg == "RS256"
            else ECKey.generate_key("P-256", parameters={"kid": "ec-1", "use": "sig"})
        )
        self._runner: web.AppRunner | None = None
        self.url = ""

    # --- server ----------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/.well-known/openid-configuration", self._discovery)
        app.router.add_get("/jwks", self._jwks)
        app.router.add_get("/authorize", self._authorize_form)
        app.router.add_post("/authorize", self._authorize)
        app.router.add_post("/token", self._token)
        return app

    async def start(self) -> "TestOidcProvider":
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = site._server.sockets[0].getsockname()[:2]  # type: ignore[union-attr]
        self.url = f"http://{host}:{port}"
        return self

    async def close(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    @property
    def issuer(self) -> str:
        return self.url

    def web_toml(self, roles: dict[str, str] | None = None) -> str:
        """The hub's `web.toml` for this provider."""
        mapping = roles or {
            "wijkcoach": "coach",
            "teammanager": "team_manager",
            "clustermanager": "cluster_manager",
            "teamleider": "team_leader",
            "fg": "privacy_officer",
            "beheer": "admin",
        }
        lines = [
            "[oidc]",
            f'issuer = "{self.issuer}"',
            f'client_id = "{self.client_id}"',
            f'client_secret = "{self.client_secret}"',
            'role_claim = "roles"',
            'team_claim = "team"',
            "[oidc.roles]",
            *(f'"{k}" = "{v}"' for k, v in mapping.items()),
        ]
        return "\n".join(lines) + "\n"

    # --- endpoints -------------------------------------------------------------------------

    async def _discovery(self, _: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": self.issuer,
                "authorization_endpoint": self.url + "/authorize",
                "token_endpoint": self.url + "/token",
                "jwks_uri": self.url + "/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": [self.alg],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            }
        )

    async def _jwks(self, _: web.Request) -> web.Response:
        return web.json_response({"keys": [self.key.as_dict(private=False)]})

    def _check_authorize(self, q: Any) -> str | None:
        if q.get("client_id") != self.client_id:
            return "unknown client"
        if q.get("response_type") != "code":
            return "response_type must be code"
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return "PKCE S256 required"
        if "openid" not in (q.get("scope") or "").split():
            return "scope openid required"
        return None

    async def _authorize_form(self, request: web.Request) -> web.Response:
        problem = self._check_authorize(request.query)
        if problem:
            return web.Response(status=400, text=problem)
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in request.query.items()
        )
        options = "".join(
            f'<option value="{html.escape(u)}">{html.escape(u)}</option>' for u in self.users
        )
        page = (
            '<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Test-IdP</title>'
            '</head><body><main><h1>Test-identiteitsprovider</h1><form method="post">'
            f'{hidden}<label for="user">Gebruiker</label> <select id="user" name="user">{options}'
            '</select> <button type="submit">Inloggen</button></form></main></body></html>'
        )
        return web.Response(text=page, content_type="text/html")

    async def _authorize(self, request: web.Request) -> web.Response:
        form = await request.post()
        problem = self._check_authorize(form)
        user = str(form.get("user", ""))
        if problem or user not in self.users:
            return web.Response(status=400, text=problem or "unknown user")
        code = self.issue_code(
            user,
            redirect_uri=str(form["redirect_uri"]),
            nonce=str(form.get("nonce") or "") or None,
            challenge=str(form["code_challenge"]),
        )
        query = urlencode({"code": code, "state": form.get("state", "")})
        target = f"{form['redirect_uri']}?{query}"
        if self.confirm_redirect:
            page = (
                '<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Test-IdP'
                f'</title></head><body><main><a href="{html.escape(target)}">Doorgaan naar '
                "Wijkhub</a></main></body></html>"
            )
            return web.Response(text=page, content_type="text/html")
        raise web.HTTPFound(target)

    def issue_code(self, user: str, *, redirect_uri: str, nonce: str | None, challenge: str) -> str:
        code = secrets.token_urlsafe(24)
        self.codes[code] = _Code(user, self.client_id, redirect_uri, nonce, challenge, self.now())
        return code

    def _refuse(self, why: str) -> web.Response:
        self.refused.append(why)
        return web.json_response({"error": "invalid_grant", "error_description": why}, status=400)

    async def _token(self, request: web.Request) -> web.Response:
        self.token_requests += 1
        form = await request.post()
        auth = request.headers.get("Authorization", "")
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if auth != f"Basic {expected}":
            return web.json_response({"error": "invalid_client"}, status=401)
        if form.get("grant_type") != "authorization_code":
            return self._refuse("unsupported grant")
        code = str(form.get("code", ""))
        if code in self.used_codes:
            return self._refuse("code already used")
        grant = self.codes.pop(code, None)
        if grant is None:
            return self._refuse("unknown code")
        self.used_codes.add(code)
        if form.get("redirect_uri") != grant.redirect_uri:
            return self._refuse("redirect_uri differs")
        verifier = str(form.get("code_verifier", ""))
        digest = hashlib.sha256(verifier.encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant.challenge:
            return self._refuse("PKCE verifier does not match")
        return web.json_response(
            {
                "access_token": secrets.token_urlsafe(24),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self.id_token(grant.user, grant.nonce, self.claims_override),
            }
        )

    def id_token(self, user: str, nonce: str | None, override: dict[str, Any] | None = None) -> str:
        now = int(self.now().timestamp())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            **self.users[user],
        }
        if nonce:
            claims["nonce"] = nonce
        claims.update(override or {})
        key = self.sign_with or self.key
        return jwt.encode({"alg": self.alg, "kid": key.kid}, claims, key)
