"""Several real processes on one PostgreSQL: no item lost, none processed twice.

The hub in the test process takes the submissions (API, no worker); `wijkhub worker` and
`wijkhub serve` subprocesses deliver to the simulators, which run in the test process and
count every idempotency key they process. These tests run in real time (real processes), with
short leases and polls; they never sleep for a fixed time, they poll for a state.
"""

import asyncio
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from tests.support.chaos import ChaosSimulator
from tests.support.pg import PgServer
from tests.support.scale import (
    assert_each_key_processed_once,
    delivery_counts,
    keys_by_partner,
    processes,
    submit_many,
    wait_until,
    write_config,
)
from wijkhub.hub.core.settings import WorkerSettings
from wijkhub.hub.demo.run import PARTNERS, start_demo_hub
from wijkhub.hub.demo.simulator import PartnerSimulator
from wijkhub.hub.server.runtime import RunningHub
from wijkhub.hub.store.tables import DELIVERY, LOG

PIDS = [p[0] for p in PARTNERS]
DELIVERY_COUNT = func.count(DELIVERY.c.id)


@pytest.fixture
async def pg_url(pg: PgServer) -> AsyncIterator[str]:
    name = await pg.create_db()
    try:
        yield pg.url(name)
    finally:
        await pg.drop_db(name)


async def _hub(
    tmp_path: Path, url: str, **sim: Any
) -> tuple[RunningHub, dict[str, PartnerSimulator]]:
    return await start_demo_hub(
        tmp_path,
        database_url=url,
        run_worker=False,
        simulator=ChaosSimulator,
        # The worker processes have no API: the partners only receive, they do not answer.
        sim_options={pid: {"answer": False, **sim} for pid in PIDS},
        worker=WorkerSettings(),
    )


async def _close(hub: RunningHub, sims: dict[str, PartnerSimulator]) -> None:
    await hub.close()
    for s in sims.values():
        await s.close()


def _delivered(hub: RunningHub, total: int) -> Any:
    async def check() -> bool:
        return (await delivery_counts(hub)).get("delivered", 0) == total

    return check


async def test_three_worker_processes_deliver_3000_items_once_each(
    tmp_path: Path, pg_url: str
) -> None:
    hub, sims = await _hub(tmp_path, pg_url)
    try:
        total = 3000
        await submit_many(hub, total)
        assert (await delivery_counts(hub)) == {"queued": total}
        # A lease long enough that a loaded machine never lets one expire mid-send: this test
        # is about sharing the queue; expiry and re-claims are the kill -9 test's subject.
        config = write_config(
            tmp_path, pg_url, poll_interval=0.1, batch_size=50, lease_seconds=300.0
        )
        with processes(config) as ps:
            for i in range(3):
                ps.start("worker", "--id", f"w{i}")
            try:
                await wait_until(_delivered(hub, total), 150, f"{total} deliveries")
            except AssertionError:
                raise AssertionError(ps.logs()) from None
            assert ps.terminate_all() == [0, 0, 0], ps.logs()
        assert await delivery_counts(hub) == {"delivered": total}
        # Every item arrived, and each partner processed each idempotency key exactly once.
        assert sum(len(s.processed) for s in sims.values()) == total
        assert_each_key_processed_once(sims, await keys_by_partner(hub))
        assert sum(s.duplicates for s in sims.values()) == 0
        # All three really worked (claims with SKIP LOCKED share the queue out).
        async with hub.ctx.db.read() as conn:
            actors = (
                await conn.execute(select(LOG.c.actor).where(LOG.c.name == "delivery.advice"))
            ).scalars()
            per_worker: dict[str, int] = {}
            for a in actors:
                per_worker[a] = per_worker.get(a, 0) + 1
        assert set(per_worker) == {"system:w0", "system:w1", "system:w2"}, per_worker
        assert sum(per_worker.values()) == total
    finally:
        await _close(hub, sims)


async def test_kill_9_the_hub_repeatedly_loses_nothing_and_resends_with_the_same_key(
    tmp_path: Path, pg_url: str
) -> None:
    # The partners take a moment to acknowledge: a kill lands between "processed by the
    # partner" and "recorded by the hub", so some items must be sent again after a restart.
    hub, sims = await _hub(tmp_path, pg_url, ack_delay=0.05)
    try:
        total = 1000
        await submit_many(hub, total)
        # No worker id configured: the default one (host and data dir) is stable.
        config = write_config(
            tmp_path, pg_url, poll_interval=0.1, batch_size=50, lease_seconds=30.0
        )
        received = lambda: sum(len(s.processed) for s in sims.values())  # noqa: E731
        kills = 0
        with processes(config) as ps:
            proc = ps.start("serve", "--port", "0")
            for threshold in (150, 400, 650):

                async def reached(t: int = threshold) -> bool:
                    return received() >= t

                await wait_until(reached, 60, f"{threshold} items at the partners")
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                kills += 1
                # Restarted, it finds its default id again and takes back its rows at once;
                # the lease of 30 s would otherwise have to run out first.
                proc = ps.start("serve", "--port", "0")
            try:
                await wait_until(_delivered(hub, total), 90, f"{total} deliveries")
            except AssertionError:
                raise AssertionError(ps.logs()) from None
            assert ps.terminate_all()[-1] == 0, ps.logs()
        assert kills == 3
        assert await delivery_counts(hub) == {"delivered": total}
        assert_each_key_processed_once(sims, await keys_by_partner(hub))
        # Some items were sent again after a crash: the partners saw the same key again
        # (a new key would show up as a second processed key, which the check above forbids).
        assert sum(s.duplicates for s in sims.values()) > 0
    finally:
        await _close(hub, sims)


async def test_sigterm_releases_what_the_worker_holds(tmp_path: Path, pg_url: str) -> None:
    gate = asyncio.Event()  # the partners hang until the test opens the gate
    hub, sims = await _hub(tmp_path, pg_url, gate=gate)
    try:
        await submit_many(hub, 40)
        config = write_config(
            tmp_path,
            pg_url,
            poll_interval=0.1,
            lease_seconds=300.0,
            shutdown_grace=0.2,
            request_timeout=30.0,
        )
        with processes(config) as ps:
            proc = ps.start("worker", "--metrics-port", "0")

            async def hanging() -> bool:
                return sum(s.waiting for s in sims.values()) > 0  # type: ignore[attr-defined]

            await wait_until(hanging, 30, "sends in flight")
            async with hub.ctx.db.read() as conn:
                held = await conn.scalar(
                    select(DELIVERY_COUNT).where(DELIVERY.c.lease_owner.is_not(None))
                )
            assert held and held > 0
            proc.send_signal(signal.SIGTERM)
            assert await asyncio.to_thread(proc.wait, 20) == 0, ps.logs()
        async with hub.ctx.db.read() as conn:
            still_held = await conn.scalar(
                select(DELIVERY_COUNT).where(DELIVERY.c.lease_owner.is_not(None))
            )
        # Nothing waits for a 300 s lease: the next worker can take every row at once.
        assert still_held == 0
        assert (await delivery_counts(hub)).get("queued") == 40
        gate.set()
    finally:
        await _close(hub, sims)


async def test_worker_process_serves_metrics_and_readiness(tmp_path: Path, pg_url: str) -> None:
    hub, sims = await _hub(tmp_path, pg_url)
    try:
        await submit_many(hub, 20)
        config = write_config(tmp_path, pg_url, poll_interval=0.1)
        with processes(config) as ps:
            ps.start("worker", "--metrics-port", "0")
            log = config.parent / "proc-0.log"

            async def port_known() -> bool:
                return "metrics: http://" in log.read_text()

            await wait_until(port_known, 30, "the metrics port")
            url = log.read_text().split("metrics: ")[1].split()[0]
            await wait_until(_delivered(hub, 20), 30, "20 deliveries")
            async with aiohttp.ClientSession() as http:
                async with http.get(url.replace("/metrics", "/health/ready")) as r:
                    assert r.status == 200 and (await r.json())["database"] == "ok"
                async with http.get(url) as r:
                    text = await r.text()
            assert ps.terminate_all() == [0]
        assert 'wijkhub_deliveries_total{partner="stadsbank",status="delivered"} 5.0' in text
        assert "wijkhub_delivery_duration_seconds_bucket" in text
    finally:
        await _close(hub, sims)
