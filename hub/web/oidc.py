"""Sign-in through the organisation's identity provider: OpenID Connect, authorization code
flow with PKCE (S256), `state` and `nonce`. authlib builds the authorization request and the
PKCE challenge; joserfc (authlib's JOSE library) verifies the ID token's signature against the
provider's JWKS; aiohttp is the HTTP client.

The request in flight (state, nonce, code verifier) is stored server-side (`web_login`, state
hashed, verifier sealed) and deleted when the callback uses it: a replayed callback finds
nothing. The provider refuses a replayed or wrong code at its token endpoint; the hub then
refuses the sign-in.
"""

import secrets
from dataclasses import dataclass
from typing import Any

import aiohttp
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import delete, insert

from wijkhub.hub.core.auth import person_id_for
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.store.tables import LOGIN, LOGIN_TTL
from wijkhub.hub.web import config
from wijkhub.hub.web.session import SigninError, WebSession, sha256, start

ALGORITHMS = ["RS256", "ES256", "PS256"]
CALLBACK_PATH = "/oidc/callback"
TIMEOUT = aiohttp.ClientTimeout(total=10)


@dataclass
class Provider:
    metadata: dict[str, Any]
    jwks: dict[str, Any]


_providers: dict[str, Provider] = {}


UNREACHABLE = "De identiteitsprovider is niet bereikbaar; probeer het later opnieuw."


async def _get_json(url: str) -> dict[str, Any]:
    try:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as http, http.get(url) as r:
            if r.status != 200:
                raise SigninError(UNREACHABLE)
            data = await r.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        raise SigninError(UNREACHABLE) from exc
    if not isinstance(data, dict):
        raise SigninError(UNREACHABLE)
    return data


async def provider(oidc: config.OidcSettings, refresh: bool = False) -> Provider:
    """Discovery and keys, cached; fetched again when a token names an unknown key."""
    hit = _providers.get(oidc.issuer)
    if hit is None or refresh:
        meta = await _get_json(oidc.issuer.rstrip("/") + "/.well-known/openid-configuration")
        if meta.get("issuer") != oidc.issuer:
            raise SigninError("De identiteitsprovider noemt een ander adres dan ingesteld.")
        hit = Provider(meta, await _get_json(meta["jwks_uri"]))
        _providers[oidc.issuer] = hit
    return hit


def settings(ctx: HubContext) -> config.OidcSettings:
    oidc = config.load(ctx.settings.config_path).oidc
    if oidc is None:
        raise SigninError("Aanmelden via de identiteitsprovider is niet ingesteld (web.toml).")
    return oidc


async def begin(ctx: HubContext, redirect_uri: str, return_to: str) -> str:
    """The provider's authorization URL for a new sign-in."""
    oidc = settings(ctx)
    prov = await provider(oidc)
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        await conn.execute(delete(LOGIN).where(LOGIN.c.created_at < now - LOGIN_TTL))
        await conn.execute(
            insert(LOGIN).values(
                state_hash=sha256(state),
                nonce=nonce,
                code_verifier=ctx.seal(verifier, "web_login.verifier:" + sha256(state)),
                return_to=return_to,
                created_at=now,
            )
        )
    return prepare_grant_uri(
        prov.metadata["authorization_endpoint"],
        oidc.client_id,
        "code",
        redirect_uri=redirect_uri,
        scope=" ".join(oidc.scopes),
        state=state,
        nonce=nonce,
        code_challenge=create_s256_code_challenge(verifier),
        code_challenge_method="S256",
    )


async def _take_login(ctx: HubContext, state: str) -> tuple[str, str, str]:
    """The stored request for `state`, deleted in the same transaction (single use)."""
    h = sha256(state)
    async with ctx.db.write() as conn:
        row = (
            await conn.execute(
                delete(LOGIN)
                .where(LOGIN.c.state_hash == h)
                .returning(LOGIN.c.nonce, LOGIN.c.code_verifier, LOGIN.c.return_to)
            )
        ).first()
    if row is None:
        raise SigninError("Deze aanmelding is onbekend, verlopen of al gebruikt; probeer opnieuw.")
    verifier = ctx.unseal(row.code_verifier, "web_login.verifier:" + h)
    return row.nonce, verifier, row.return_to


def claim(claims: dict[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def map_role(oidc: config.OidcSettings, claims: dict[str, Any]) -> str:
    raw = claim(claims, oidc.role_claim)
    have = {raw} if isinstance(raw, str) else {str(v) for v in raw or []}
    for provider_value, role in oidc.roles.items():
        if provider_value in have:
            return role
    raise SigninError("Uw account heeft geen rol in Wijkhub; vraag uw beheerder.")


async def finish(
    ctx: HubContext, code: str, state: str, redirect_uri: str
) -> tuple[WebSession, str]:
    """The callback: exchange the code (with the PKCE verifier), verify the ID token, map
    role and team, start a session. Returns the session and where the browser goes next."""
    oidc = settings(ctx)
    nonce, verifier, return_to = await _take_login(ctx, state)
    prov = await provider(oidc)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
        "client_id": oidc.client_id,
    }
    secret = oidc.secret(ctx.settings.config_path)
    headers = {"Authorization": aiohttp.encode_basic_auth(oidc.client_id, secret)} if secret else {}
    try:
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as http,
            http.post(prov.metadata["token_endpoint"], data=form, headers=headers) as r,
        ):
            status = r.status
            body = await r.json(content_type=None) if status == 200 else {}
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        raise SigninError(UNREACHABLE) from exc
    if status != 200 or not isinstance(body, dict) or "id_token" not in body:
        raise SigninError("De identiteitsprovider weigerde de aanmelding; probeer opnieuw.")
    claims = await _verify_id_token(ctx, oidc, prov, body["id_token"], nonce)
    role = map_role(oidc, claims)
    team = claim(claims, oidc.team_claim)
    name = claim(claims, oidc.name_claim) or claim(claims, "preferred_username") or "onbekend"
    session = await start(
        ctx,
        user_id=person_id_for(str(claims["sub"])),
        role=role,
        team=str(team) if team else None,
        label=str(name),
        via="oidc",
    )
    return session, return_to


async def _verify_id_token(
    ctx: HubContext,
    oidc: config.OidcSettings,
    prov: Provider,
    id_token: str,
    nonce: str,
) -> dict[str, Any]:
    try:
        try:
            token = jwt.decode(id_token, KeySet.import_key_set(prov.jwks), algorithms=ALGORITHMS)
        except (JoseError, ValueError):
            # Perhaps the provider rotated its keys: fetch them once more.
            prov = await provider(oidc, refresh=True)
            token = jwt.decode(id_token, KeySet.import_key_set(prov.jwks), algorithms=ALGORITHMS)
        now = int(ctx.clock.now().timestamp())
        jwt.JWTClaimsRegistry(
            now=now,
            leeway=oidc.leeway,
            iss={"essential": True, "value": oidc.issuer},
            aud={"essential": True, "value": oidc.client_id},
            sub={"essential": True},
            exp={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(token.claims)
    except (JoseError, ValueError, KeyError) as exc:
        raise SigninError("Het identiteitsbewijs van de provider is ongeldig.") from exc
    if not secrets.compare_digest(str(token.claims.get("nonce")), nonce):
        raise SigninError("Het identiteitsbewijs hoort niet bij deze aanmelding.")
    return dict(token.claims)
