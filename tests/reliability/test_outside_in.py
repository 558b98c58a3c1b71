"""Outside in: the hub runs as separate processes with its own settings file and data dir;
the partners are real HTTP servers in the test process that record every message (key, body
hash, item) and answer in their own format; the coach's client sends again, under the same
Idempotency-Key, whatever it got no answer to.

Each scenario ends with one reconciliation of the coach's answers, the hub's rows and the
partners' ledgers (tests/support/outside.py:reconcile): 0 lost, 0 doubled, 0 items under two
keys, 0 both dead and delivered, no half-stored advice. Real processes, so real time: every
wait is for an observable state (the ledger, the rows, /health/ready) with a deadline, and
every process is killed on the way out, also when the test fails.
"""

import asyncio
import re
import resource
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.outside import (
    PIDS,
    OutsideHub,
    accepted,
    coach_with_household,
    copy_sqlite,
    ledger_size,
    outside_hub,
    reconcile,
    until,
)
from tests.support.pg import BACKENDS, PgServer
from tests.support.proxy import TcpProxy
from tests.support.scale import wait_until
from wijkhub.hub.demo import household

# Quick polls and retries, a lease long enough never to run out in a test: a restarted
# process takes its rows back under its stable worker id, not by waiting.
FAST = {
    "poll_interval": 0.1,
    "batch_size": 20,
    "lease_seconds": 30.0,
    "request_timeout": 2.0,
    "backoff_initial": 0.05,
    "backoff_max": 0.5,
    "backoff_jitter": 0.05,
}
SLOW_ACK = {pid: {"ack_delay": 0.02} for pid in PIDS}  # a kill lands between send and record

needs_pg = pytest.mark.skipif("postgresql" not in BACKENDS, reason="PostgreSQL not selected")


def sqlite_url(root: Path) -> str:
    return f"sqlite+aiosqlite:///{root / 'data' / 'wijkhub.db'}"


@pytest.fixture
async def pg_db(pg: PgServer) -> AsyncIterator[str]:
    name = await pg.create_db()
    try:
        yield name
    finally:
        await pg.drop_db(name)


async def test_kill_9_on_sqlite_during_a_submit_burst_and_mid_stream(
    tmp_path: Path, sqlite_template: Path
) -> None:
    advices, each = 24, 4
    total = advices * each
    copy_sqlite(sqlite_template, tmp_path / "data" / "wijkhub.db")
    async with outside_hub(tmp_path, partner_options=SLOW_ACK, **FAST) as hub:
        await hub.serve()
        coach = await coach_with_household(hub, sqlite_url(tmp_path), advices, each)
        sending = asyncio.create_task(coach.send_all(hub.address))
        try:
            # One kill in the middle of both: the coach's burst and the deliveries.
            await until(
                lambda: len(coach.answers) >= advices // 3 and ledger_size(hub.partners) > 0,
                60,
                "the first answers and the first deliveries",
            )
            hub.kill_9()
            assert len(coach.answers) < advices, "the kill came after the burst"
            assert ledger_size(hub.partners) < total, "the kill came after the deliveries"
            await hub.serve()  # the same default worker id: its rows come back at once
            async with asyncio.timeout(60):
                await sending
            hub.mark("every advice answered")
        finally:
            sending.cancel()
        rows = await hub.wait_settled(total, 60)
        await hub.stop()
    figures = reconcile(coach, rows, hub.partners)
    assert figures["delivered"] == total
    # The kill cost answers: the coach had to send again (and got the first answer back).
    assert coach.unanswered_tries > 0


@needs_pg
async def test_kill_9_on_postgresql_with_two_worker_processes(
    tmp_path: Path, pg: PgServer, pg_db: str
) -> None:
    advices, each = 12, 16
    total = advices * each
    gate = asyncio.Event()  # the partners hold every request until both workers hold rows
    options = {pid: {"ack_delay": 0.02, "gate": gate} for pid in PIDS}
    # A short lease: the rows of the killed serve are the other process's after it.
    worker = {**FAST, "lease_seconds": 5.0, "concurrency": 8}
    async with outside_hub(
        tmp_path, database_url=pg.url(pg_db), partner_options=options, **worker
    ) as hub:
        hub.worker()  # a delivery worker of its own, starting beside serve
        await hub.serve()  # the API and a second worker
        coach = await coach_with_household(hub, pg.url(pg_db), advices, each)
        async with asyncio.timeout(60):
            await coach.send_all(hub.address)

        async def both_hold_rows() -> bool:
            return len(await hub.lease_owners()) == 2

        await wait_until(both_hold_rows, 90, "rows leased by both processes")
        holders = await hub.lease_owners()
        gate.set()
        hub.mark("partners open")
        await until(lambda: ledger_size(hub.partners) >= total // 4, 60, "a quarter delivered")
        hub.kill_9(_alive(hub, "worker"))
        hub.worker()  # the same default worker id: its rows come back at once
        await until(lambda: ledger_size(hub.partners) >= total // 2, 60, "half delivered")
        hub.kill_9(_alive(hub, "serve"))  # not restarted: the worker takes its rows over
        assert ledger_size(hub.partners) < total, "the kill came too late"
        rows = await hub.wait_settled(total, 90)
        await hub.stop()
        logged = await hub.delivery_log()
    figures = reconcile(coach, rows, hub.partners)
    assert figures["delivered"] == total
    # Every delivery in the processing log once, and both processes delivered.
    assert sum(logged.values()) == total, logged
    assert len(logged) >= 2, (logged, holders, hub.marks)
    assert figures["repeats"] > 0  # sent by a killed process, sent again under the same key


def _alive(hub: OutsideHub, command: str) -> int:
    return next(
        n
        for n, p in enumerate(hub.ps.procs)
        if p.poll() is None and command in p.args  # type: ignore[operator]
    )


async def test_chaos_partners_and_one_down_until_it_recovers(
    tmp_path: Path, sqlite_template: Path
) -> None:
    advices, each = 8, 4  # the demo's four allowed items: one of each partner
    copy_sqlite(sqlite_template, tmp_path / "data" / "wijkhub.db")
    chaos = {"chaos": 0.3, "slow": 0.1, "hang_seconds": 1.5, "seed": 7}
    options = {pid: {**chaos, "seed": n} for n, pid in enumerate(PIDS)}
    options[household.STADSBANK] = {"always_fail": True}  # down: every try a 503
    worker = {
        **FAST,
        "request_timeout": 0.5,  # a hanging or slow answer is a timeout
        "max_attempts": 10,
        "breaker_threshold": 3,
        "breaker_cooldown": 0.1,
    }
    async with outside_hub(tmp_path, partner_options=options, **worker) as hub:
        await hub.serve()
        coach = await coach_with_household(hub, sqlite_url(tmp_path), advices, each)
        # Three items for the Stadsbank: its dead letters take all their tries one by one
        # (its breaker lets one probe through per cool-down).
        for body in list(coach.intended.values())[3:]:
            body["items"] = [it for it in body["items"] if it["partner_id"] != household.STADSBANK]
        total = sum(len(b["items"]) for b in coach.intended.values())
        async with asyncio.timeout(60):
            await coach.send_all(hub.address)
        hub.mark("every advice answered")
        # Every Stadsbank item a dead letter, the others delivered through the chaos.
        mid = await hub.wait_settled(total, 90, dead=3)
        dead = {item for item, _, status in mid.deliveries if status == "dead"}
        assert not dead & set(accepted(hub.partners))
        # The Stadsbank is back: its breaker closes on the first send that gets through,
        # and its dead letters are replayed by themselves, under their own keys.
        hub.partners[household.STADSBANK].always_fail = False
        rows = await hub.wait_settled(total, 90)
        await hub.stop()
        said = (hub.run_dir / "proc-0.log").read_text()
    figures = reconcile(coach, rows, hub.partners)
    assert figures["delivered"] == total
    # What the operator reads on serve's standard error.
    assert "breaker of stadsbank open after 3 failed sends" in said
    assert "stadsbank answers again, breaker closed" in said
    assert re.search(r"\d dead letters? of stadsbank replayed", said), said[-3000:]
    keys_before = {item: key for item, key, _ in mid.deliveries}
    assert keys_before == {item: key for item, key, _ in rows.deliveries}
    injected = {f for p in hub.partners.values() for f, n in p.injected.items() if n}
    assert injected == {"error", "timeout", "drop"}  # the faults really happened
    assert figures["repeats"] > 0  # slow answers: processed, sent again, recognised


async def test_a_full_disk_answers_503_stores_nothing_half_and_recovers(
    tmp_path: Path, sqlite_template: Path
) -> None:
    db = tmp_path / "data" / "wijkhub.db"
    copy_sqlite(sqlite_template, db)
    # Sends whose outcome could not be recorded keep their lease until it runs out: short.
    async with outside_hub(tmp_path, **{**FAST, "lease_seconds": 5.0}) as hub:
        await hub.serve()
        coach = await coach_with_household(hub, sqlite_url(tmp_path), 40, 2)
        keys = list(coach.intended)
        for key in keys[:3]:
            assert await coach.send(hub.url, key) == 201
        # The disk is full: no file of the hub may grow beyond a few pages more.
        proc = hub.ps.procs[-1]
        limit = db.stat().st_size + 64 * 1024
        resource.prlimit(proc.pid, resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
        try:
            sent = 3
            while not coach.refusals and sent < len(keys):
                await coach.send(hub.url, keys[sent])
                sent += 1
            assert coach.refusals, "the disk never filled up"
            status, retry_after, body = coach.refusals[0]
            assert status == 503 and retry_after and retry_after.isdigit()
            assert body["error"]["code"] == "storage_unavailable", body
            assert await hub.ready() == 503
            hub.mark(f"disk full after {sent} advices")
        finally:
            # Space again.
            resource.prlimit(
                proc.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY)
            )

        async def ready() -> bool:
            return await hub.ready() == 200

        await wait_until(ready, 60, "ready again")
        hub.mark("ready again")
        async with asyncio.timeout(60):
            await coach.send_all(hub.address)
        hub.mark("every advice answered")
        assert proc.poll() is None  # the same process, never restarted
        rows = await hub.wait_settled(80, 60)
        await hub.stop()
    reconcile(coach, rows, hub.partners)


@needs_pg
async def test_the_database_away_and_back(tmp_path: Path, pg: PgServer, pg_db: str) -> None:
    advices, each = 20, 4
    async with TcpProxy("127.0.0.1", 5432) as proxy:  # between the hub and PostgreSQL
        hub_url = pg.url(pg_db).replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
        async with outside_hub(
            tmp_path,
            database_url=hub_url,
            observe_url=pg.url(pg_db),
            **{**FAST, "lease_seconds": 5.0},  # sends not recorded while it was away
        ) as hub:
            await hub.serve()
            coach = await coach_with_household(hub, pg.url(pg_db), advices, each)
            keys = list(coach.intended)
            for key in keys[:5]:
                assert await coach.send(hub.url, key) == 201
            proxy.cut()  # every connection dies, new ones are refused
            hub.mark("database away")

            async def not_ready() -> bool:
                return await hub.ready() == 503

            await wait_until(not_ready, 30, "not ready")
            assert await coach.send(hub.url, keys[5]) == 503
            _, retry_after, body = coach.refusals[-1]
            assert retry_after and body["error"]["code"] == "storage_unavailable", body
            proxy.restore()
            hub.mark("database back")

            async def ready() -> bool:
                return await hub.ready() == 200

            await wait_until(ready, 60, "ready again")
            hub.mark("ready again")
            async with asyncio.timeout(60):
                await coach.send_all(hub.address)
            hub.mark("every advice answered")
            rows = await hub.wait_settled(advices * each, 60)
            assert len(hub.ps.procs) == 1  # the same process throughout
            await hub.stop()
    reconcile(coach, rows, hub.partners)
