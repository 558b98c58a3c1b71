"""One partner down does not delay the others: the per-partner circuit breaker and limits.

Asserted on the breaker's state, on counts and on ordering (what was delivered while the dead
partner's requests were still hanging), never on wall-clock timings.
"""

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.support.chaos import ChaosSimulator
from tests.support.harness import Env
from wijkhub.hub.core.breaker import CLOSED, HALF_OPEN, OPEN, Breakers
from wijkhub.hub.core.clock import FakeClock
from wijkhub.hub.core.settings import WorkerSettings
from wijkhub.hub.demo import household
from wijkhub.hub.store.tables import DELIVERY

DEAD = household.STADSBANK
OTHERS = [household.CORPORATIE, household.GI, household.ZORG]


def test_breaker_opens_after_threshold_then_lets_one_probe_through() -> None:
    clock = FakeClock()
    b = Breakers(clock, threshold=3, cooldown=30)
    for _ in range(2):
        assert b.acquire("p")
        b.record("p", ok=False)
    assert b.state("p") == CLOSED
    b.record("p", ok=False)
    assert b.state("p") == OPEN and b.blocked() == {"p"} and not b.acquire("p")
    assert b.retry_at("p") == clock.now() + timedelta(seconds=30)
    clock.advance(seconds=30)
    assert b.state("p") == HALF_OPEN and b.blocked() == set()
    assert b.acquire("p")  # the probe
    assert not b.acquire("p") and b.blocked() == {"p"}  # only one at a time
    b.record("p", ok=False)  # probe failed: open again for a full cool-down
    assert b.state("p") == OPEN and b.opened("p") == 2
    clock.advance(seconds=30)
    assert b.acquire("p")
    b.record("p", ok=True)
    assert b.state("p") == CLOSED and b.acquire("p") and b.acquire("p")
    assert b.state("other") == CLOSED


@pytest.fixture
def worker_settings() -> WorkerSettings:
    return WorkerSettings(
        max_attempts=10,
        backoff_initial=1.0,
        backoff_max=5.0,
        backoff_jitter=0.0,
        poll_interval=0.05,
        breaker_threshold=3,
        breaker_cooldown=60.0,
        batch_size=200,
        # One at a time to the partner that goes down, so the count of tries is exact.
        partner_concurrency={DEAD: 1},
    )


async def _submit(env: Env, n: int) -> None:
    if not hasattr(env, "client_id"):
        env.client_id = await env.household()  # type: ignore[attr-defined]
    body = household.advice(env.client_id, env.today)  # type: ignore[attr-defined]
    for _ in range(n):
        await env.submit(body)


@pytest.mark.parametrize("sim_options", [{DEAD: {"always_fail": True}}])
async def test_a_dead_partner_opens_its_breaker_and_the_others_get_everything(env: Env) -> None:
    await _submit(env, 10)  # 10 items for each partner
    worker = env.worker
    await env.deliver()
    for pid in OTHERS:
        assert len(env.sims[pid].processed) == 10, pid
    assert worker.breakers.state(DEAD) == OPEN
    # The dead partner got `threshold` tries before the breaker stopped them (all ten rows
    # came in one batch, so the ones after the third were put back untried).
    assert env.sims[DEAD].requests == 3
    # Its rows stay queued; none was dead-lettered or lost, and the untried ones have no
    # attempt counted.
    rows = await _stadsbank_rows(env)
    assert len(rows) == 10 and {r["status"] for r in rows} <= {"queued", "retrying"}
    assert sorted(r["attempts"] for r in rows) == [0] * 7 + [1] * 3
    # More advices while it is open: the others get theirs, the dead partner sees nothing.
    await _submit(env, 5)
    await env.deliver()
    for pid in OTHERS:
        assert len(env.sims[pid].processed) == 15
    assert env.sims[DEAD].requests == 3
    # After the cool-down one probe goes out; the partner is back, so everything follows.
    env.sims[DEAD].always_fail = False
    env.clock.advance(seconds=61)
    await env.deliver()
    assert worker.breakers.state(DEAD) == CLOSED
    assert len(env.sims[DEAD].processed) == 15
    assert {r["status"] for r in await _stadsbank_rows(env)} == {"delivered"}


async def _stadsbank_rows(env: Env) -> list[dict[str, Any]]:

    async with env.hub.ctx.db.read() as conn:
        rows = await conn.execute(
            select(DELIVERY.c.status, DELIVERY.c.attempts).where(DELIVERY.c.partner_id == DEAD)
        )
        return [dict(r._mapping) for r in rows]


@pytest.fixture
def gate() -> asyncio.Event:
    return asyncio.Event()


@pytest.fixture
def sim_options(gate: asyncio.Event) -> dict[str, dict[str, Any]]:
    return {DEAD: {"gate": gate}}


@pytest.fixture
def simulator() -> type:
    return ChaosSimulator


async def test_a_hanging_partner_does_not_hold_up_the_others(env: Env, gate: asyncio.Event) -> None:
    """The running worker loop: every other partner is served while all of the hanging
    partner's requests are still open (ordering, not timing)."""
    dead = env.sims[DEAD]
    assert isinstance(dead, ChaosSimulator)
    await _submit(env, 20)
    worker = env.worker
    limit = worker.limit(DEAD)
    assert limit == 1  # partner_concurrency, from the settings above
    task = asyncio.create_task(worker.run())
    try:
        async with asyncio.timeout(30):
            for pid in OTHERS:
                await env.sims[pid].wait_for(lambda s: len(s.processed) == 20)
            await dead.wait_for(lambda s: s.waiting == limit)  # type: ignore[attr-defined]
        # Everyone else is done, and the hanging partner holds exactly its own slots.
        assert len(dead.processed) == 0 and dead.waiting == limit
        gate.set()
        async with asyncio.timeout(30):
            await dead.wait_for(lambda s: len(s.processed) == 20)
    finally:
        gate.set()
        worker.stop()
        await asyncio.wait_for(task, 30)
