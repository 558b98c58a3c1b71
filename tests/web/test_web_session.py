"""Web sessions and one-time sign-in links: only hashes stored, single use, expiry, cookie
flags (Secure behind TLS or a trusted proxy), sign-out ends the session on the server."""

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.support.harness import Env
from tests.support.web_client import WebClient
from wijkhub.hub.core.key_rotation import key_usage, reencrypt
from wijkhub.hub.store.tables import LINK, SESSION
from wijkhub.hub.web.session import SigninError, create_signin_link, sha256
from wijkhub.hub.web.signin import local_target


@pytest.fixture
async def browser(env: Env) -> AsyncIterator[WebClient]:
    client = WebClient(env.hub.url)
    try:
        yield client
    finally:
        await client.close()


async def _link(env: Env, role: str = "privacy_officer", team: str | None = None) -> str:
    return await create_signin_link(env.hub.ctx, role, team, "Fatima el Amrani", env.hub.url)


async def test_a_link_signs_in_once_and_only_hashes_are_stored(
    env: Env, browser: WebClient
) -> None:
    link = await _link(env)
    hop = await browser.get(link)
    assert hop.status == 303 and hop.location == env.hub.url + "/"
    sid = browser.cookie()
    assert sid
    page = await browser.follow(hop)
    assert page.url.endswith("/privacy") and "Fatima el Amrani" in page.text

    # Used once: a second browser with the same link gets the Dutch refusal, no session.
    other = WebClient(env.hub.url)
    try:
        again = await other.get(link)
        assert again.status == 403 and "al gebruikt of verlopen" in again.text
        assert other.cookie() is None
    finally:
        await other.close()

    token = link.rsplit("/", 1)[1]
    async with env.hub.ctx.db.read() as conn:
        sessions = (await conn.execute(select(SESSION))).mappings().all()
        links = (await conn.execute(select(LINK))).mappings().all()
    assert [s["id_hash"] for s in sessions] == [sha256(sid)]
    assert [x["token_hash"] for x in links] == [sha256(token)]
    stored = repr(sessions) + repr(links)
    assert sid not in stored and token not in stored and "Fatima" not in stored  # name sealed


async def test_an_expired_link_and_an_expired_session_are_refused(
    env: Env, browser: WebClient
) -> None:
    stale = await create_signin_link(
        env.hub.ctx, "coach", "team-a", "A", env.hub.url, ttl=timedelta(minutes=5)
    )
    env.clock.advance(minutes=6)
    assert (await browser.get(stale)).status == 403
    await _link(env)  # creating a link clears the expired (and used) ones
    async with env.hub.ctx.db.read() as conn:
        assert len((await conn.execute(select(LINK))).all()) == 1

    await browser.get(await _link(env))
    assert (await browser.get("/privacy")).status == 200
    env.clock.advance(hours=8, seconds=1)  # session_hours default 8
    hop = await browser.get("/privacy")
    assert hop.status == 303 and re.search(
        r"/aanmelden\?volgende=(%2F|/)privacy", hop.location or ""
    )


async def test_cookie_flags_and_secure_behind_a_trusted_proxy(env: Env, browser: WebClient) -> None:
    hop = await browser.get(await _link(env))
    cookie = hop.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http on loopback

    # An untrusted client claiming TLS does not make the cookie Secure ...
    hop = await browser.get(await _link(env), headers={"X-Forwarded-Proto": "https"})
    assert "Secure" not in hop.headers["Set-Cookie"]
    # ... a trusted proxy does.
    (env.hub.ctx.settings.config_path / "web.toml").write_text(
        'trusted_proxies = ["127.0.0.1/32"]\n'
    )
    hop = await browser.get(await _link(env), headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in hop.headers["Set-Cookie"]
    (env.hub.ctx.settings.config_path / "web.toml").write_text('cookie_secure = "always"\n')
    hop = await browser.get(await _link(env))
    assert "Secure" in hop.headers["Set-Cookie"]


async def test_sign_out_ends_the_session_on_the_server(env: Env, browser: WebClient) -> None:
    await browser.get(await _link(env))
    sid = browser.cookie()
    token = await browser.csrf("/privacy")
    hop = await browser.post("/afmelden", data={"csrf_token": token})
    assert hop.status == 303 and hop.location and hop.location.endswith("/aanmelden?afgemeld=1")
    # Even a browser that kept the old cookie is no longer signed in.
    thief = WebClient(env.hub.url)
    try:
        thief.jar.update_cookies({"wijkhub_sessie": sid})
        assert (await thief.get("/privacy")).status == 303
    finally:
        await thief.close()


async def test_a_team_role_needs_a_team_and_the_api_is_untouched(
    env: Env, browser: WebClient
) -> None:

    with pytest.raises(SigninError):
        await create_signin_link(env.hub.ctx, "coach", None, "Zonder team")
    with pytest.raises(SigninError):
        await create_signin_link(env.hub.ctx, "partner", None, "Geen webrol")
    # The API keeps answering JSON, also for paths the web pages do not know.
    r = await env.coach.get("/api/v1/processing-log")
    assert r.status == 403 and r.body["error"]["code"] == "forbidden"
    hop = await browser.get("/api/v1/nope")
    assert hop.status == 404 and hop.headers["Content-Type"].startswith("application/json")
    hop = await browser.get("/bestaat-niet")
    assert hop.status == 404 and "Niet gevonden" in hop.text


def test_return_address_is_local_only() -> None:

    for bad in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)", "", None):
        assert local_target(bad) == "/"
    assert (
        local_target("/privacy/verwerkingen?outcome=refused")
        == "/privacy/verwerkingen?outcome=refused"
    )


async def test_key_rotation_moves_web_rows_too(env: Env, browser: WebClient) -> None:
    """Names of sessions and links are sealed: a key rotation re-encrypts them, and the
    session still works under the new key."""

    await browser.get(await _link(env))
    await create_signin_link(env.hub.ctx, "coach", "team-a", "Nog ongebruikt")
    ring = env.hub.ctx.keyring
    old = ring.active
    ring.add_key()
    assert await reencrypt(env.hub.ctx.db, ring) > 0
    assert old not in await key_usage(env.hub.ctx.db)
    page = await browser.get("/privacy")
    assert page.status == 200 and "Fatima el Amrani" in page.text
