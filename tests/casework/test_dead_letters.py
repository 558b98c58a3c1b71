"""A partner that randomly errors, hangs or drops the connection: every item ends delivered or
dead (never both, never lost); `wijkhub deliveries dead|replay`; /metrics and /health/ready."""

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from sqlalchemy import select, text

from tests.support.chaos import ChaosSimulator
from tests.support.cli import cli_config, invoke
from tests.support.harness import Env
from wijkhub.hub.core.settings import WorkerSettings
from wijkhub.hub.demo import household
from wijkhub.hub.store.tables import DELIVERY, LOG

FLAKY = household.STADSBANK
MAX_ATTEMPTS = 3


@pytest.fixture
def simulator() -> type:
    return ChaosSimulator


@pytest.fixture
def sim_options() -> dict[str, dict[str, Any]]:
    # Faults come before the partner processes anything; a "timeout" outlasts the hub's limit.
    return {FLAKY: {"chaos": 0.6, "seed": 7, "hang_seconds": 1.5}}


@pytest.fixture
def worker_settings() -> WorkerSettings:
    return WorkerSettings(
        max_attempts=MAX_ATTEMPTS,
        backoff_initial=1.0,
        backoff_max=4.0,
        backoff_jitter=0.0,
        request_timeout=1.0,  # generous: a slow but healthy answer must not look lost
        poll_interval=0.05,
        breaker_threshold=1000,  # this test is about retries and dead letters
    )


async def _rows(env: Env) -> list[Any]:
    async with env.hub.ctx.db.read() as conn:
        return list(
            (
                await conn.execute(
                    select(DELIVERY).where(DELIVERY.c.partner_id == FLAKY).order_by(DELIVERY.c.id)
                )
            ).all()
        )


async def _drain(env: Env) -> None:
    """Deliver, move the fake clock past every backoff, until nothing waits any more."""
    for _ in range(MAX_ATTEMPTS * 3):
        await env.deliver()
        if not {r.status for r in await _rows(env)} & {"queued", "retrying"}:
            return
        env.clock.advance(seconds=5)
    raise AssertionError("rows still waiting")


def _cli(env: Env, tmp_path: Path, *args: str) -> Result:
    return invoke(env, cli_config(env, tmp_path), *args)


async def test_chaos_ends_delivered_or_dead_and_replay_delivers_the_dead(
    env: Env, tmp_path: Path
) -> None:
    sim = env.sims[FLAKY]
    assert isinstance(sim, ChaosSimulator)
    client = await env.household()
    for _ in range(12):
        await env.submit(household.advice(client, env.today))
    await _drain(env)

    rows = await _rows(env)
    assert len(rows) == 12  # one per advice: none lost
    assert {r.status for r in rows} <= {"delivered", "dead"}
    delivered = {r.idempotency_key for r in rows if r.status == "delivered"}
    dead = [r for r in rows if r.status == "dead"]
    assert delivered and dead, "the seed gives both outcomes; pick another if the sim changed"
    assert set(sim.injected) == {"error", "timeout", "drop"}
    # Never both: what the partner processed is exactly what the hub calls delivered, once.
    assert set(sim.processed) == delivered and all(n == 1 for n in sim.processed.values())
    assert all(r.attempts == MAX_ATTEMPTS for r in dead)

    # The operator's view: the dead letters, without personal data.
    res = await asyncio.to_thread(_cli, env, tmp_path, "deliveries", "dead", "--json")
    assert res.exit_code == 0, res.output
    listed = json.loads(res.output)
    assert {d["id"] for d in listed} == {r.id for r in dead}
    assert set(listed[0]) == {"id", "partner_id", "kind", "attempts", "last_error", "updated_at"}
    assert household.CLIENT["bsn"] not in res.output
    assert household.CLIENT["family_name"] not in res.output

    # Metrics count them too (admin only), and hold no personal data.
    r = await env.anonymous.get("/metrics")
    assert r.status == 401
    r = await env.coach.get("/metrics")
    assert r.status == 403
    r = await env.admin.get("/metrics")
    assert r.status == 200
    text = r.body.decode()
    assert f'wijkhub_dead_letters_current{{partner="{FLAKY}"}} {float(len(dead))}' in text
    assert f'wijkhub_dead_letters_total{{partner="{FLAKY}"}} {float(len(dead))}' in text
    assert (
        f'wijkhub_refused_items{{code="consent_purpose_mismatch",partner="{FLAKY}"}} 12.0' in text
    )
    assert 'wijkhub_delivery_retries_total{partner="stadsbank"}' in text
    assert household.CLIENT["bsn"] not in text and client not in text

    # The partner recovers; the operator replays; every dead one is delivered, once.
    sim.chaos = 0.0
    res = await asyncio.to_thread(_cli, env, tmp_path, "deliveries", "replay", "--partner", FLAKY)
    assert res.exit_code == 0, res.output
    assert f"Opnieuw in de wachtrij: {len(dead)}" in res.output
    replayed = {r.id: r for r in await _rows(env) if r.id in {d.id for d in dead}}
    assert {r.status for r in replayed.values()} == {"queued"}
    assert all(r.attempts == 0 for r in replayed.values())
    # Same idempotency key as before: a partner that got an earlier try drops the repeat.
    assert {r.idempotency_key for r in replayed.values()} == {r.idempotency_key for r in dead}
    await _drain(env)
    rows = await _rows(env)
    assert {r.status for r in rows} == {"delivered"}
    assert set(sim.processed) == {r.idempotency_key for r in rows}
    assert all(n == 1 for n in sim.processed.values())
    async with env.hub.ctx.db.read() as conn:
        replays = (
            await conn.execute(select(LOG).where(LOG.c.name == "delivery.advice.replay"))
        ).all()
    assert len(replays) == len(dead)
    assert all(e.actor.startswith("cli:") and e.partner_id == FLAKY for e in replays)

    # Nothing left to replay: asking again by id says so.
    res = await asyncio.to_thread(_cli, env, tmp_path, "deliveries", "replay", dead[0].id)
    assert res.exit_code == 1 and "Opnieuw in de wachtrij: 0" in res.output


async def test_replay_needs_ids_a_partner_or_all(env: Env, tmp_path: Path) -> None:
    res = await asyncio.to_thread(_cli, env, tmp_path, "deliveries", "replay")
    assert res.exit_code == 2 and "--all" in res.output


async def test_readiness_checks_the_database_and_the_schema(env: Env) -> None:
    r = await env.anonymous.get("/health/ready")
    assert r.status == 200 and r.body["database"] == "ok"
    await env.hub.ctx.db.dispose()
    # A schema behind the code (e.g. a process started before `wijkhub db upgrade`).

    async with env.hub.ctx.db.write() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    r = await env.anonymous.get("/health/ready")
    assert r.status == 503 and r.body["schema"] == "0001"


async def test_metrics_can_be_made_public(env: Env) -> None:
    env.hub.ctx.settings.metrics_public = True
    r = await env.anonymous.get("/metrics")
    assert r.status == 200 and b"wijkhub_queue_depth" in r.body
