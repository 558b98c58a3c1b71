"""A dead letter is not silent: it climbs its own escalation ladder, and when the partner is
reachable again its dead rows are replayed automatically.

A real hub, a real partner simulator that fails every request until told otherwise, the
worker driven by hand and a FakeClock moved past backoffs and breaker cool-downs.
"""

import uuid
from datetime import date
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from tests.support.harness import ApiClient, Env
from wijkhub.hub.casework.escalation import Step, run_escalations
from wijkhub.hub.casework.milestones import DELIVERY_MILESTONE
from wijkhub.hub.core.settings import WorkerSettings
from wijkhub.hub.demo import household
from wijkhub.hub.path.delivery import DeliveryWorker
from wijkhub.hub.store.tables import DELIVERY, MILESTONE

ZORG = household.ZORG
COOLDOWN = 30.0


@pytest.fixture
def worker_settings() -> WorkerSettings:
    return WorkerSettings(
        max_attempts=3,
        backoff_initial=1.0,
        backoff_max=5.0,
        backoff_jitter=0.0,
        poll_interval=0.05,
        breaker_threshold=2,
        breaker_cooldown=COOLDOWN,
    )


def _zorg_item() -> dict[str, Any]:
    items = household.advice("x", date(2026, 11, 23))["items"]
    return next(i for i in items if i["partner_id"] == ZORG)


async def _submit(env: Env, client_id: str) -> str:
    advice = await env.submit({"client_id": client_id, "summary": "Test", "items": [_zorg_item()]})
    [it] = advice["items"]
    assert it["decision"]["allowed"], it["decision"]
    return uuid.UUID(it["id"]).hex


async def _statuses(env: Env) -> list[str]:
    async with env.hub.ctx.db.read() as conn:
        return list(
            (
                await conn.execute(
                    select(DELIVERY.c.status)
                    .where(DELIVERY.c.partner_id == ZORG, DELIVERY.c.kind == "advice")
                    .order_by(DELIVERY.c.id)
                )
            ).scalars()
        )


async def _until_settled(env: Env) -> None:
    """Deliver, move past backoffs and cool-downs, until no row of the partner waits."""
    for _ in range(40):
        await env.deliver()
        await env.worker.settled()
        if not set(await _statuses(env)) & {"queued", "retrying"}:
            return
        env.clock.advance(seconds=COOLDOWN + 1)
    raise AssertionError(f"rows still waiting: {await _statuses(env)}")


async def _delivery_milestone(env: Env, item_id: str) -> Any:
    async with env.hub.ctx.db.read() as conn:
        return (
            await conn.execute(
                select(MILESTONE).where(
                    MILESTONE.c.item_id == item_id, MILESTONE.c.milestone == DELIVERY_MILESTONE
                )
            )
        ).one_or_none()


async def _leader(env: Env) -> ApiClient:
    return ApiClient(env.session, await env.hub.token("team_leader", "tl", team="team-a"))


async def test_a_dead_letter_notifies_coach_and_team_leader_then_the_steering_list(
    env: Env,
) -> None:
    env.sims[ZORG].always_fail = True
    item = await _submit(env, await env.household())
    await _until_settled(env)
    assert await _statuses(env) == ["dead"]

    # The day it died: the coach and the team leader know, the steering group not yet.
    r = await env.coach.get("/api/v1/escalations/my-notices")
    assert r.status == 200
    [notice] = r.body
    assert notice["item_id"].replace("-", "") == item and notice["step"] == "coach_notice"
    assert notice["milestone"] == "delivery" and notice["milestone_state"] == "open"
    assert "bezorging bij de partner mislukt" in notice["detail"]
    leader = await _leader(env)
    r = await leader.get("/api/v1/escalations/notices")
    assert [n["item_id"].replace("-", "") for n in r.body] == [item]
    assert r.body[0]["milestone_nl"] == "bezorging bij de partner"
    admin_steering = await env.admin.get("/api/v1/escalations/steering")
    assert admin_steering.body == []
    # Nothing was sent to the unreachable partner about it.
    assert {rq.request.kind for rq in env.sims[ZORG].received} <= {"advice"}
    log = await env.log(name="escalation.coach_notice")
    assert len(log) == 1

    # Two working days later (the example's setting) it is on the steering list, once.
    env.clock.advance(days=4)
    await run_escalations(env.hub.ctx)
    await run_escalations(env.hub.ctx)
    steering = (await env.admin.get("/api/v1/escalations/steering")).body
    assert [n["item_id"].replace("-", "") for n in steering] == [item]
    # Still open: nobody has delivered it yet.
    assert (await _delivery_milestone(env, item)).state == "open"


async def test_when_the_partner_is_back_its_dead_letters_are_replayed_and_the_ladder_stops(
    env: Env,
) -> None:
    client = await env.household()
    env.sims[ZORG].always_fail = True
    dead = [await _submit(env, client) for _ in range(2)]
    await _until_settled(env)
    assert await _statuses(env) == ["dead", "dead"]

    # The partner is back; a new advice is the first send that gets through.
    env.sims[ZORG].always_fail = False
    env.clock.advance(seconds=COOLDOWN + 1)
    await _submit(env, client)
    await _until_settled(env)
    assert await _statuses(env) == ["delivered"] * 3
    replays = await env.log(name="delivery.advice.replay")
    assert len(replays) == 2
    assert all("automatisch" in e["detail"] for e in replays)
    for item in dead:
        m = await _delivery_milestone(env, item)
        assert m.state == "met" and m.met_status == "delivered"
    r = await env.coach.get("/api/v1/escalations/my-notices?open=true")
    assert r.status == 200 and r.body == []
    # The partner got each item under one idempotency key.
    keys: dict[str, set[str]] = {}
    for rq in env.sims[ZORG].received:
        keys.setdefault(rq.headers["X-Wijkhub-Item"], set()).add(rq.headers["Idempotency-Key"])
    assert len(keys) == 3 and all(len(k) == 1 for k in keys.values())


async def test_with_only_dead_rows_left_one_is_the_probe_after_the_cooldown(env: Env) -> None:
    client = await env.household()
    env.sims[ZORG].always_fail = True
    for _ in range(2):
        await _submit(env, client)
    await _until_settled(env)
    assert await _statuses(env) == ["dead", "dead"]
    # Still down after the cool-down: the probe fails and the row waits again, no storm.
    env.clock.advance(seconds=COOLDOWN + 1)
    await env.deliver()
    assert sorted(await _statuses(env)) == ["dead", "retrying"]
    env.sims[ZORG].always_fail = False
    await _until_settled(env)
    assert await _statuses(env) == ["delivered", "delivered"]
    details = [e["detail"] for e in await env.log(name="delivery.advice.replay")]
    assert any("proefbericht" in d for d in details)
    assert any("weer bereikbaar" in d for d in details)


@pytest.mark.parametrize(
    "worker_settings",
    [
        WorkerSettings(
            max_attempts=3,
            backoff_initial=1.0,
            backoff_max=5.0,
            backoff_jitter=0.0,
            poll_interval=0.05,
            breaker_threshold=2,
            breaker_cooldown=COOLDOWN,
            replay_dead_on_recovery=False,
        )
    ],
)
async def test_automatic_replay_can_be_switched_off(env: Env) -> None:
    client = await env.household()
    env.sims[ZORG].always_fail = True
    await _submit(env, client)
    await _until_settled(env)
    env.sims[ZORG].always_fail = False
    env.clock.advance(seconds=COOLDOWN + 1)
    await _submit(env, client)
    await _until_settled(env)
    assert sorted(await _statuses(env)) == ["dead", "delivered"]
    assert await env.log(name="delivery.advice.replay") == []
    # Still reported: the ladder does not depend on the replay.
    assert Step.coach_notice.value in {
        n["step"] for n in (await env.coach.get("/api/v1/escalations/my-notices")).body
    }


async def _withdrawal_statuses(env: Env) -> list[str]:
    async with env.hub.ctx.db.read() as conn:
        return list(
            (
                await conn.execute(
                    select(DELIVERY.c.status).where(
                        DELIVERY.c.partner_id == ZORG, DELIVERY.c.kind == "withdrawal"
                    )
                )
            ).scalars()
        )


async def test_a_dead_withdrawal_notice_is_escalated_too_and_replayed_when_the_partner_is_back(
    env: Env,
) -> None:
    """The partner that was never told consent ended may still use the data: that is worth a
    notice as much as a lost advice."""
    client = await env.household()
    item = await _submit(env, client)
    await env.deliver()
    assert await _statuses(env) == ["delivered"]
    consents = (await env.coach.get(f"/api/v1/clients/{client}/consents")).body
    zorg = next(c for c in consents if c["partner_id"] == ZORG)
    env.sims[ZORG].always_fail = True
    r = await env.coach.post(f"/api/v1/consents/{zorg['id']}/withdraw", json={"reason": "x"})
    assert r.status == 200, r.body
    for _ in range(40):
        await env.deliver()
        if await _withdrawal_statuses(env) == ["dead"]:
            break
        env.clock.advance(seconds=COOLDOWN + 1)
    assert await _withdrawal_statuses(env) == ["dead"]
    await run_escalations(env.hub.ctx)  # the job: it must not close this one as "withdrawn"
    notices = (await env.coach.get("/api/v1/escalations/my-notices?open=true")).body
    [notice] = [n for n in notices if n["milestone"] == "withdrawal_delivery"]
    assert notice["item_id"].replace("-", "") == item
    assert "intrekking van de toestemming mislukt" in notice["detail"]

    env.sims[ZORG].always_fail = False
    for _ in range(10):
        env.clock.advance(seconds=COOLDOWN + 1)
        await env.deliver()
        await env.worker.settled()
        if await _withdrawal_statuses(env) == ["delivered"]:
            break
    assert await _withdrawal_statuses(env) == ["delivered"]
    notices = (await env.coach.get("/api/v1/escalations/my-notices?open=true")).body
    assert [n for n in notices if n["milestone"] == "withdrawal_delivery"] == []


async def test_a_restarted_worker_still_notices_the_partner_is_back(env: Env) -> None:
    """Breaker state lives in the process: a new worker starts by making a partner with dead
    letters probe-worthy, so its recovery still replays them."""
    client = await env.household()
    env.sims[ZORG].always_fail = True
    for _ in range(2):
        await _submit(env, client)
    await _until_settled(env)
    assert await _statuses(env) == ["dead", "dead"]
    env.sims[ZORG].always_fail = False
    async with aiohttp.ClientSession() as session:
        fresh = DeliveryWorker(env.hub.ctx, session, owner="restarted")
        assert await fresh.suspect_dead_partners() == {ZORG}
        for _ in range(5):
            await fresh.run_once()
            await fresh.settled()
    assert await _statuses(env) == ["delivered", "delivered"]
    details = [e["detail"] for e in await env.log(name="delivery.advice.replay")]
    assert len(details) == 2 and any("weer bereikbaar" in d for d in details)
