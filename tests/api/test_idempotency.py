"""A creating request sent again with its Idempotency-Key changes nothing twice.

Through the HTTP API, as a coach's client sees it: a request that timed out and is sent
again, the same key with another body, two duplicates at once (really at once on
PostgreSQL), and every creating POST.
"""

import asyncio
import contextlib
import json
import uuid
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from tests.support.harness import Env
from wijkhub.hub.core.errors import ApiError
from wijkhub.hub.core.idempotency import HEADER, REPLAY_HEADER, Answer, forget_expired, once
from wijkhub.hub.demo import household
from wijkhub.hub.demo.simulator import ITEM_HEADER
from wijkhub.hub.store.tables import ADVICE, CLIENT, DELIVERY, IDEMPOTENCY


async def _post(
    env: Env, path: str, body: Any, key: str | None, *, time_limit: float | None = None
) -> tuple[int, Any, dict[str, str]]:
    headers = dict(env.coach.headers)
    if key is not None:
        headers[HEADER] = key
    async with env.session.post(
        path,
        data=json.dumps(body),
        headers={**headers, "Content-Type": "application/json"},
        timeout=aiohttp.ClientTimeout(total=time_limit),
    ) as r:
        return r.status, await r.json(), dict(r.headers)


async def _count(env: Env, table: Any) -> int:
    async with env.hub.ctx.db.read() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)) or 0)


async def test_a_timed_out_coach_who_sends_again_gets_one_advice_and_one_set_of_deliveries(
    env: Env,
) -> None:
    client = await env.household()
    body = household.advice(client, env.today)
    key = str(uuid.uuid4())
    # The coach's client gives up almost at once; the hub may well go on with the request.
    with contextlib.suppress(TimeoutError):
        await _post(env, "/api/v1/advices", body, key, time_limit=0.001)
    answers = []
    for _ in range(50):  # sends again until an answer arrives, as a client with retries does
        status, got, headers = await _post(env, "/api/v1/advices", body, key)
        answers.append((status, got, headers))
        if status == 201:
            break
        assert status == 409 and got["error"]["code"] == "idempotency_in_flight", got
        await asyncio.sleep(0.1)
    status, first, _ = answers[-1]
    assert status == 201
    # And once more: the very same answer, marked as a replay.
    status, again, headers = await _post(env, "/api/v1/advices", body, key)
    assert status == 201 and again == first
    assert headers.get(REPLAY_HEADER) == "true"
    assert await _count(env, ADVICE) == 1
    allowed = [it for it in first["items"] if it["decision"]["allowed"]]
    assert allowed and await _count(env, DELIVERY) == len(allowed)
    await env.deliver()
    for it in allowed:
        sim = env.sims[it["partner_id"]]
        # The transport header names the item in every format (an iWmo 3.2 301 carries no hub
        # reference in its body).
        refs = [r for r in sim.received if r.headers.get(ITEM_HEADER) == it["id"].replace("-", "")]
        assert len(refs) == 1, (it["partner_id"], len(refs))


async def test_without_a_key_a_second_post_is_a_second_advice(env: Env) -> None:
    client = await env.household()
    body = household.advice(client, env.today)
    s1, a1, h1 = await _post(env, "/api/v1/advices", body, None)
    s2, a2, _ = await _post(env, "/api/v1/advices", body, None)
    assert (s1, s2) == (201, 201) and a1["id"] != a2["id"]
    assert REPLAY_HEADER not in h1
    assert await _count(env, IDEMPOTENCY) == 0


async def test_the_same_key_with_another_body_is_a_422_that_says_so(env: Env) -> None:
    client = await env.household()
    body = household.advice(client, env.today)
    key = "advies-" + uuid.uuid4().hex
    status, _, headers = await _post(env, "/api/v1/advices", body, key)
    assert status == 201 and REPLAY_HEADER not in headers
    other = {**body, "summary": body["summary"] + " (gewijzigd)"}
    status, got, _ = await _post(env, "/api/v1/advices", other, key)
    assert status == 422
    assert got["error"]["code"] == "idempotency_key_reused"
    assert "Idempotency-Key is al gebruikt voor een ander verzoek" in got["error"]["message"]
    assert got["error"]["fields"][0]["field"] == HEADER
    assert await _count(env, ADVICE) == 1
    # The same key on another path is another request too.
    status, got, _ = await _post(env, "/api/v1/clients", household.CLIENT, key)
    assert status == 422 and got["error"]["code"] == "idempotency_key_reused"


async def test_keys_are_the_callers_own(env: Env) -> None:
    """Another coach using the same key makes an advice of their own, never gets the first
    coach's answer."""
    client = await env.household()
    body = household.advice(client, env.today)
    key = "gedeelde-sleutel"
    s1, a1, _ = await _post(env, "/api/v1/advices", body, key)
    assert s1 == 201
    other = await env.hub.token("coach", "andere-coach", team="team-a")
    async with env.session.post(
        "/api/v1/advices",
        json=body,
        headers={"Authorization": f"Bearer {other}", HEADER: key},
    ) as r:
        assert r.status == 201
        a2 = await r.json()
        assert REPLAY_HEADER not in r.headers
    assert a1["id"] != a2["id"]


async def test_a_bad_key_is_a_400_naming_the_header(env: Env) -> None:
    client = await env.household()
    status, got, _ = await _post(
        env, "/api/v1/advices", household.advice(client, env.today), "x" * 300
    )
    assert status == 400 and got["error"]["fields"][0]["field"] == HEADER
    assert await _count(env, ADVICE) == 0


async def test_refused_input_stores_no_key_so_the_fixed_request_may_use_it(env: Env) -> None:
    client = await env.household()
    body = household.advice(client, env.today)
    key = uuid.uuid4().hex
    bad = {**body, "items": []}
    status, _, _ = await _post(env, "/api/v1/advices", bad, key)
    assert status == 422
    assert await _count(env, IDEMPOTENCY) == 0
    status, _, _ = await _post(env, "/api/v1/advices", body, key)
    assert status == 201


async def test_duplicates_at_once_make_one_advice(env: Env) -> None:
    """Five copies at once: one advice; each copy gets the first answer or, while the first
    is in flight, a 409 to try again. On PostgreSQL the unique key decides between commits."""
    client = await env.household()
    body = household.advice(client, env.today)
    key = uuid.uuid4().hex
    results = await asyncio.gather(*(_post(env, "/api/v1/advices", body, key) for _ in range(5)))
    created = [got for status, got, _ in results if status == 201]
    assert created, results
    assert all(status in (201, 409) for status, _, _ in results), results
    assert len({a["id"] for a in created}) == 1
    fresh = [h for status, _, h in results if status == 201 and REPLAY_HEADER not in h]
    assert len(fresh) == 1
    assert await _count(env, ADVICE) == 1
    allowed = [it for it in created[0]["items"] if it["decision"]["allowed"]]
    assert await _count(env, DELIVERY) == len(allowed)


async def test_every_creating_post_answers_a_repeat_as_the_first_time(env: Env) -> None:
    """Clients, consents, households, members, goals, consultation: one row, one answer."""

    async def twice(path: str, body: Any) -> dict[str, Any]:
        key = uuid.uuid4().hex
        s1, first, h1 = await _post(env, path, body, key)
        s2, again, h2 = await _post(env, path, body, key)
        assert s1 == s2 and s1 in (200, 201), (path, first)
        assert again == first and h2.get(REPLAY_HEADER) == "true" and REPLAY_HEADER not in h1
        return first

    c = await twice("/api/v1/clients", household.CLIENT)
    assert await _count(env, CLIENT) == 1
    consents = household.consents(env.today)
    got = await twice(f"/api/v1/clients/{c['id']}/consents", consents[0])
    assert got["partner_id"] == consents[0]["partner_id"]
    for consent in consents[1:]:
        status, _, _ = await _post(env, f"/api/v1/clients/{c['id']}/consents", consent, None)
        assert status == 201
    r = await env.coach.get(f"/api/v1/clients/{c['id']}/consents")
    assert len(r.body) == len(consents)

    hh = await twice(
        "/api/v1/households",
        {"members": [{"client_id": c["id"], "role": "parent_with_authority"}]},
    )
    goal = await twice(
        f"/api/v1/households/{hh['id']}/plan/goals",
        {"member_id": hh["members"][0]["id"], "domain": "wonen", "text": "Huurachterstand weg"},
    )
    assert goal["text"] == "Huurachterstand weg"
    plan = (await env.coach.get(f"/api/v1/households/{hh['id']}/plan")).body
    goals = [g for m in plan["members"] for g in m["goals"]]
    assert len(goals) == 1

    advice = await env.submit(household.advice(c["id"], env.today))
    await env.deliver()
    item = next(it for it in advice["items"] if it["decision"]["allowed"])
    await twice(
        f"/api/v1/items/{item['id']}/consultation",
        {"kind": "question", "text": "Is er al contact geweest?"},
    )
    msgs = (await env.coach.get(f"/api/v1/items/{item['id']}/consultation")).body
    assert len(msgs) == 1


async def test_keys_are_forgotten_after_idempotency_hours(env: Env) -> None:
    client = await env.household()
    body = household.advice(client, env.today)
    key = uuid.uuid4().hex
    assert (await _post(env, "/api/v1/advices", body, key))[0] == 201
    env.clock.advance(hours=env.hub.ctx.settings.idempotency_hours - 1)
    assert await forget_expired(env.hub.ctx) == 0
    assert (await _post(env, "/api/v1/advices", body, key))[2].get(REPLAY_HEADER) == "true"
    env.clock.advance(hours=2)
    assert await forget_expired(env.hub.ctx) == 1
    assert await _count(env, IDEMPOTENCY) == 0


async def test_a_crash_between_the_change_and_its_answer_never_runs_the_change_twice(
    env: Env,
) -> None:
    """The process stops right after the change committed (as at kill -9): a repeat is told to
    wait while it might still be answered, then that the answer was lost, never run again."""
    ctx = env.hub.ctx
    runs = 0

    async def change() -> Answer:
        nonlocal runs
        runs += 1
        async with ctx.db.write() as conn:  # the key commits with this transaction
            await conn.execute(select(1))
        raise asyncio.CancelledError  # the process is gone before the answer is stored

    with contextlib.suppress(asyncio.CancelledError):
        await once(ctx, caller="coach:x", key="k1", request_hash="h", run=change)
    assert runs == 1
    with pytest.raises(ApiError) as waiting:
        await once(ctx, caller="coach:x", key="k1", request_hash="h", run=change)
    assert waiting.value.status == 409 and waiting.value.code == "idempotency_in_flight"
    env.clock.advance(seconds=31)
    with pytest.raises(ApiError) as lost:
        await once(ctx, caller="coach:x", key="k1", request_hash="h", run=change)
    assert lost.value.code == "idempotency_answer_lost" and "niet nog eens" in lost.value.message
    assert runs == 1
