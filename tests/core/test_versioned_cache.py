"""Token look-ups and consents are kept in memory per process, and a change made by another
process applies to the very next request: two hubs on one database, as an attacker whose token
was just revoked, or a coach whose client just withdrew consent, would meet them."""

import uuid
from collections.abc import AsyncIterator

import aiohttp
import pytest
from sqlalchemy import select

from tests.support.harness import ApiClient, Env
from wijkhub.hub.core import auth
from wijkhub.hub.core.versioned_cache import cache_for, consent_key, versions
from wijkhub.hub.demo import household
from wijkhub.hub.server.runtime import RunningHub, start
from wijkhub.hub.store.tables import TOKEN


@pytest.fixture
async def other(env: Env) -> AsyncIterator[RunningHub]:
    """A second hub on the same database and keys (another process, as far as the caches
    know: its own engine, its own memory)."""
    hub = await start(
        env.hub.ctx.settings,
        clock=env.clock,
        registry=env.hub.ctx.registry,
        run_worker=False,
        host="127.0.0.1",
        port=0,
    )
    try:
        yield hub
    finally:
        await hub.close()


async def cache_hits(hub: RunningHub, name: str) -> int:
    async with hub.ctx.db.read() as conn:
        return cache_for(conn, name, 1).hits


async def test_a_token_revoked_by_one_hub_is_refused_by_the_other_at_once(
    env: Env, other: RunningHub
) -> None:
    token = await env.hub.token("coach", "soon-revoked", team="team-a")
    async with aiohttp.ClientSession(base_url=other.url) as session:
        mallory = ApiClient(session, token)
        for _ in range(3):  # the other hub now has the token in memory
            assert (await mallory.get("/api/v1/approvals")).status == 200
        assert await cache_hits(other, "tokens") >= 2
        async with env.hub.ctx.db.write() as conn:
            token_id = (
                await conn.execute(
                    select(TOKEN.c.id).where(TOKEN.c.token_hash == auth.hash_token(token))
                )
            ).scalar_one()
            assert await auth.revoke_token(conn, token_id, env.clock.now())
        r = await mallory.get("/api/v1/approvals")
        assert r.status == 401, r.body
        # And the hub that revoked it refuses it too.
        async with aiohttp.ClientSession(base_url=env.hub.url) as own:
            assert (await ApiClient(own, token).get("/api/v1/approvals")).status == 401


async def test_a_consent_withdrawn_in_one_hub_refuses_the_next_submit_in_the_other(
    env: Env, other: RunningHub
) -> None:
    client_id = await env.household()
    token = env.coach.headers["Authorization"].removeprefix("Bearer ")
    body = household.advice(client_id, env.today)
    corp = [i for i in body["items"] if i["partner_id"] == household.CORPORATIE]
    corp_only = {**body, "items": corp}
    async with aiohttp.ClientSession(base_url=other.url) as session:
        coach_b = ApiClient(session, token)
        for _ in range(2):  # the other hub decides from its memory the second time
            r = await coach_b.post("/api/v1/advices", json=corp_only)
            assert r.status == 201, r.body
            assert all(i["decision"]["allowed"] for i in r.body["items"]), r.body
        assert await cache_hits(other, "consents") >= 1
        consents = (await env.coach.get(f"/api/v1/clients/{client_id}/consents")).body
        for c in consents:
            if c["partner_id"] == household.CORPORATIE and c["status"] == "active":
                w = await env.coach.post(
                    f"/api/v1/consents/{c['id']}/withdraw", json={"reason": "wil het niet meer"}
                )
                assert w.status == 200, w.body
        r = await coach_b.post("/api/v1/advices", json=corp_only)
        assert r.status == 201, r.body
        assert [i["decision"]["allowed"] for i in r.body["items"]] == [False] * len(
            corp_only["items"]
        ), r.body


async def test_a_version_changes_with_every_change_and_only_then(env: Env) -> None:
    client_id = await env.household()
    key = consent_key(uuid.UUID(client_id).hex)

    async def now() -> int:
        async with env.hub.ctx.db.read() as conn:
            return (await versions(conn, [key]))[key]

    first = await now()
    assert first != 0  # the consents just recorded set it
    assert await now() == first  # reading changes nothing
    consents = (await env.coach.get(f"/api/v1/clients/{client_id}/consents")).body
    w = await env.coach.post(f"/api/v1/consents/{consents[0]['id']}/withdraw", json={"reason": "x"})
    assert w.status == 200, w.body
    assert await now() != first
