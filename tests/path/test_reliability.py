"""Outside in: `wijkhub serve` as a separate process on SQLite, killed with SIGKILL in the middle
of a burst of coach submissions, restarted, while the coach's client sends again with the same
Idempotency-Key whatever it did not get an answer to.

Afterwards the coach's answers, the hub's rows and the partners' ledgers (every idempotency
key they processed) are reconciled: every intended advice is stored exactly once and whole,
every item reached its partner under one key, nothing is both dead and delivered. Real
processes, so real time; the test polls for states and never sleeps for a fixed time.
"""

import asyncio
import re
import signal
import uuid
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select

from tests.support.scale import (
    REFUSED_TYPES,
    assert_each_key_processed_once,
    delivery_counts,
    keys_by_partner,
    processes,
    wait_until,
    write_config,
)
from wijkhub.hub.core.clock import local_date
from wijkhub.hub.core.idempotency import HEADER
from wijkhub.hub.core.settings import WorkerSettings
from wijkhub.hub.demo import household
from wijkhub.hub.demo.run import PARTNERS, start_demo_hub
from wijkhub.hub.store.tables import ADVICE, DELIVERY, ITEM

PIDS = [p[0] for p in PARTNERS]
INTENDED = 40
ITEMS_EACH = 2
URL = re.compile(rb"http://127\.0\.0\.1:\d+")


def _url_in(log: Path) -> str | None:
    match = URL.search(log.read_bytes()) if log.exists() else None
    return match.group(0).decode() if match else None


async def _serve_url(log: Path) -> str:
    async def listening() -> bool:
        return _url_in(log) is not None

    await wait_until(listening, 60, "serve listening")
    url = _url_in(log)
    assert url
    return url


async def test_kill_9_during_a_submit_burst_stores_each_advice_once_and_delivers_it_once(
    tmp_path: Path,
) -> None:
    hub, sims = await start_demo_hub(
        tmp_path,
        run_worker=False,
        sim_options={pid: {"answer": False} for pid in PIDS},
        worker=WorkerSettings(),
    )
    try:
        coach = await hub.token("coach", "burst", team="team-a")
        today = local_date(hub.ctx.clock.now())
        auth = {"Authorization": f"Bearer {coach}"}
        async with aiohttp.ClientSession(base_url=hub.url, headers=auth) as http:
            async with http.post("/api/v1/clients", json=household.CLIENT) as r:
                client = (await r.json())["id"]
            for c in household.consents(today):
                async with http.post(f"/api/v1/clients/{client}/consents", json=c) as r:
                    assert r.status == 201, await r.text()
        demo = household.advice(client, today)
        allowed = [it for it in demo["items"] if it["advice_type"] not in REFUSED_TYPES]
        intended = {
            str(uuid.uuid4()): {**demo, "summary": f"advies {n}", "items": allowed[:ITEMS_EACH]}
            for n in range(INTENDED)
        }
        answers: dict[str, dict[str, Any]] = {}
        lost: set[str] = set()  # changed once, answer lost in the crash (a 409 that says so)

        async def send(base: str, key: str) -> None:
            """One try as the coach's client makes it; no answer is simply no answer."""
            timeout = aiohttp.ClientTimeout(total=10)
            try:
                async with (
                    aiohttp.ClientSession(base_url=base, headers=auth, timeout=timeout) as s,
                    s.post("/api/v1/advices", json=intended[key], headers={HEADER: key}) as r,
                ):
                    body = await r.json()
                    if r.status == 201:
                        assert answers.setdefault(key, body) == body  # a replay is the same
                    elif body["error"]["code"] == "idempotency_answer_lost":
                        lost.add(key)
                    else:
                        assert r.status in (409, 503), body
            except (aiohttp.ClientError, TimeoutError):
                pass

        config = write_config(
            tmp_path, hub.ctx.settings.db_url, poll_interval=0.1, lease_seconds=30.0
        )
        with processes(config) as ps:
            proc = ps.start("serve", "--port", "0")
            base = await _serve_url(tmp_path / "proc-0.log")
            gate = asyncio.Semaphore(8)

            async def burst_one(key: str) -> None:
                async with gate:
                    await send(base, key)

            burst = asyncio.gather(*(burst_one(k) for k in intended))

            async def some_answered() -> bool:
                return len(answers) >= INTENDED // 4

            await wait_until(some_answered, 60, "the first answers")
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            await burst
            assert len(answers) < INTENDED, "the kill came too late to test anything"

            ps.start("serve", "--port", "0")
            base = await _serve_url(tmp_path / "proc-1.log")

            async def all_answered() -> bool:
                # Sends again what is still unknown, and once more something answered.
                open_keys = [k for k in intended if k not in answers and k not in lost]
                await asyncio.gather(*(send(base, k) for k in open_keys[:8]))
                await send(base, next(iter(answers)))
                return len(answers) + len(lost) == INTENDED

            try:
                await wait_until(all_answered, 90, "an answer to every advice", poll=0.5)
                total = INTENDED * ITEMS_EACH

                async def delivered() -> bool:
                    return (await delivery_counts(hub)).get("delivered", 0) == total

                await wait_until(delivered, 90, f"{total} deliveries")
            except AssertionError:
                raise AssertionError(ps.logs()) from None
            assert ps.terminate_all()[-1] == 0, ps.logs()

        # The coach: one advice per key, no two keys with one advice.
        ids = {a["id"].replace("-", "") for a in answers.values()}
        assert len(ids) == len(answers)
        async with hub.ctx.db.read() as conn:
            stored = set((await conn.execute(select(ADVICE.c.id))).scalars())
            per_advice = dict(
                (
                    await conn.execute(
                        select(ITEM.c.advice_id, func.count()).group_by(ITEM.c.advice_id)
                    )
                ).all()
            )
            per_item = dict(
                (
                    await conn.execute(
                        select(DELIVERY.c.item_id, func.count())
                        .where(DELIVERY.c.kind == "advice")
                        .group_by(DELIVERY.c.item_id)
                    )
                ).all()
            )
        # The hub: every intended advice exactly once (0 lost, 0 doubled), whole.
        assert len(stored) == INTENDED and ids <= stored
        assert set(per_advice.values()) == {ITEMS_EACH}
        assert len(per_item) == INTENDED * ITEMS_EACH and set(per_item.values()) == {1}
        # The partners: each item under one key, processed once; nothing dead.
        assert await delivery_counts(hub) == {"delivered": INTENDED * ITEMS_EACH}
        assert_each_key_processed_once(sims, await keys_by_partner(hub))
    finally:
        await hub.close()
        for s in sims.values():
            await s.close()
