"""Requests that race for the same unique value get the answer a repeat gets, never a 500.

On PostgreSQL two requests really run at once: both find no row and both insert, and the
second commit hits the unique index. The hub re-runs that request, which then sees the first
one's row (SQLite serialises writers, so there the same test checks the ordinary path).
"""

import asyncio
import uuid

from tests.support.harness import Env, corp_status
from wijkhub.hub.core import partner_ids
from wijkhub.hub.demo import household


async def test_same_bsn_registered_five_times_at_once_is_one_client_and_four_409s(
    env: Env,
) -> None:
    results = await asyncio.gather(
        *(env.coach.post("/api/v1/clients", json=household.CLIENT) for _ in range(5))
    )
    statuses = sorted(r.status for r in results)
    assert statuses == [201, 409, 409, 409, 409], [r.body for r in results]
    created = next(r.body["id"] for r in results if r.status == 201)
    for r in results:
        if r.status == 409:
            assert r.body["error"]["code"] == "client_exists"
            assert created.replace("-", "") in r.body["error"]["message"]


async def test_same_partner_message_posted_five_times_at_once_is_stored_once(env: Env) -> None:
    client = await env.household()
    advice = await env.submit(household.advice(client, env.today))
    await env.deliver()
    corp = next(it for it in advice["items"] if it["partner_id"] == household.CORPORATIE)
    msg_id = f"race-{uuid.uuid4().hex[:8]}"
    body = corp_status(corp["id"], "in_progress", msg_id)
    results = await asyncio.gather(*(env.post_status("woonplaats", body) for _ in range(5)))
    assert [r.status for r in results] == [202] * 5, [r.body for r in results]
    assert sum(r.body["accepted"] for r in results) == 1
    assert sum(r.body["duplicates"] for r in results) == 4
    log = await env.log(partner_id="woonplaats")
    ref = partner_ids.log_ref(env.hub.ctx.keyring, "woonplaats", msg_id)  # the log's form
    assert sum(1 for e in log if e.get("detail") == ref) == 1
