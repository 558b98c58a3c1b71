"""OIDC sign-in against the real test provider on loopback, without a browser: PKCE, state,
nonce, the ID token's signature and claims, role and team mapping, replays."""

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc.jwk import RSAKey

from tests.support.harness import Env
from tests.support.oidc_provider import TestOidcProvider
from tests.support.web_client import Hop, WebClient

USERS = {
    "coach": {"sub": "s1", "name": "Anne Jansen", "roles": ["wijkcoach"], "team": "team-a"},
    "fg": {"sub": "s2", "name": "Fatima", "roles": ["fg", "wijkcoach"]},
    "teamless": {"sub": "s3", "name": "Zonder Team", "roles": ["wijkcoach"]},
    "norole": {"sub": "s4", "name": "Niemand", "roles": ["iets"]},
    "nested": {"sub": "s5", "name": "Geneste", "realm_access": {"roles": "fg"}},
}


@dataclass
class Setup:
    env: Env
    idp: TestOidcProvider
    web: WebClient


@pytest.fixture(params=["RS256", "ES256"])
async def oidc(request: pytest.FixtureRequest, env: Env) -> AsyncIterator[Setup]:
    idp = await TestOidcProvider(users=USERS, alg=request.param, now=env.clock.now).start()
    (env.hub.ctx.settings.config_path / "web.toml").write_text(idp.web_toml())
    web = WebClient(env.hub.url)
    try:
        yield Setup(env, idp, web)
    finally:
        await web.close()
        await idp.close()


async def _to_provider(s: Setup, volgende: str = "/") -> dict[str, str]:
    hop = await s.web.get(f"/aanmelden/oidc?volgende={volgende}")
    assert hop.status == 303 and hop.location and hop.location.startswith(s.idp.url + "/authorize")
    return {k: v[0] for k, v in parse_qs(urlsplit(hop.location).query).items()}


async def _authorize(s: Setup, params: dict[str, str], user: str) -> str:
    """The provider's sign-in form, submitted: the callback URL it redirects to."""
    hop = await s.web.post(s.idp.url + "/authorize", data={**params, "user": user})
    assert hop.status == 302 and hop.location
    return hop.location


async def _sign_in(s: Setup, user: str, volgende: str = "/") -> Hop:
    callback = await _authorize(s, await _to_provider(s, volgende), user)
    return await s.web.get(callback)


async def test_authorization_request_uses_pkce_state_and_nonce(oidc: Setup) -> None:
    params = await _to_provider(oidc)
    assert params["response_type"] == "code" and params["client_id"] == oidc.idp.client_id
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32
    assert params["redirect_uri"] == oidc.env.hub.url + "/oidc/callback"
    assert "openid" in params["scope"].split()


async def test_sign_in_maps_role_and_team_and_returns_to_the_page(oidc: Setup) -> None:
    hop = await _sign_in(oidc, "coach", "/goedkeuringen")
    assert hop.status == 303 and hop.location == oidc.env.hub.url + "/goedkeuringen"
    page = await oidc.web.follow(hop)
    assert page.status == 200 and "Anne Jansen" in page.text and "team-a" in page.text
    assert oidc.idp.token_requests == 1


async def test_first_mapped_role_wins_and_dotted_claims(oidc: Setup) -> None:
    # The mapping lists "wijkcoach" before "fg": this user (both, no team) becomes a coach,
    # and a coach needs a team, so the sign-in is refused; never a silent other role.
    page = await oidc.web.follow(await _sign_in(oidc, "fg"))
    assert page.status == 403 and "geen (geldig) team" in page.text

    toml = oidc.idp.web_toml({"fg": "privacy_officer"}).replace(
        'role_claim = "roles"', 'role_claim = "realm_access.roles"'
    )
    (oidc.env.hub.ctx.settings.config_path / "web.toml").write_text(toml)
    page = await oidc.web.follow(await _sign_in(oidc, "nested"))
    assert page.status == 200 and "privacyfunctionaris" in page.text


@pytest.mark.parametrize("user", ["norole", "teamless"])
async def test_no_role_or_no_team_is_refused(oidc: Setup, user: str) -> None:
    page = await oidc.web.follow(await _sign_in(oidc, user))
    assert page.status == 403 and "Geen toegang" in page.text
    assert oidc.web.cookie() is None


async def test_wrong_and_replayed_codes_and_states(oidc: Setup) -> None:
    callback = await _authorize(oidc, await _to_provider(oidc), "coach")
    wrong = re.sub(r"code=[^&]+", "code=verkeerd", callback)
    hop = await oidc.web.get(wrong)
    assert hop.status == 403 and "weigerde de aanmelding" in hop.text
    # That attempt used up the state: the right code with it is refused by the hub.
    hop = await oidc.web.get(callback)
    assert hop.status == 403 and "al gebruikt" in hop.text
    assert oidc.web.cookie() is None

    # A good sign-in, then its callback replayed: the state is gone.
    callback = await _authorize(oidc, await _to_provider(oidc), "coach")
    assert (await oidc.web.get(callback)).status == 303
    hop = await oidc.web.get(callback)
    assert hop.status == 403
    # A used code under a fresh state: the provider refuses it.
    fresh = await _authorize(oidc, await _to_provider(oidc), "coach")
    used = parse_qs(urlsplit(callback).query)["code"][0]
    hop = await oidc.web.get(re.sub(r"code=[^&]+", f"code={used}", fresh))
    assert hop.status == 403 and "weigerde" in hop.text
    assert oidc.idp.refused == ["unknown code", "code already used"]
    assert "error=" not in callback


@pytest.mark.parametrize(
    "override",
    [
        {"aud": "iemand-anders"},
        {"iss": "https://nep.example"},
        {"nonce": "verkeerd"},
        {"exp": 1_000_000},
    ],
)
async def test_id_token_claims_are_checked(oidc: Setup, override: dict[str, object]) -> None:
    oidc.idp.claims_override = override
    hop = await _sign_in(oidc, "coach")
    assert hop.status == 403 and "identiteitsbewijs" in hop.text
    assert oidc.web.cookie() is None


async def test_a_token_signed_with_another_key_is_refused(oidc: Setup) -> None:
    oidc.idp.alg = "RS256"
    oidc.idp.sign_with = RSAKey.generate_key(2048, parameters={"kid": "rsa-nep"})
    hop = await _sign_in(oidc, "coach")
    assert hop.status == 403 and "identiteitsbewijs" in hop.text


async def test_open_redirects_are_ignored_and_errors_are_dutch(oidc: Setup) -> None:
    hop = await _sign_in(oidc, "coach", "https://evil.example/")
    assert hop.location == oidc.env.hub.url + "/"
    hop = await oidc.web.get("/oidc/callback?error=access_denied&state=x")
    assert hop.status == 403 and "afgebroken of geweigerd" in hop.text


async def test_an_unreachable_provider_is_a_dutch_page_not_a_500(env: Env) -> None:
    idp = await TestOidcProvider(users=USERS, now=env.clock.now).start()
    (env.hub.ctx.settings.config_path / "web.toml").write_text(idp.web_toml())
    await idp.close()  # its port now refuses connections
    web = WebClient(env.hub.url)
    try:
        hop = await web.get("/aanmelden/oidc")
        assert hop.status == 403 and "niet bereikbaar" in hop.text
    finally:
        await web.close()
