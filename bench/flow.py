"""The hub's own path measured end to end: fan-out, submit latency, growth, isolation and
scale-out. Everything goes through the real HTTP API, outbox, worker and partner simulators
(hub/demo/run.py), exactly as `wijkhub demo` runs them."""

import asyncio
import contextlib
import gc
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import func, insert, select

from wijkhub.hub.core import log_tree
from wijkhub.hub.core.clock import SystemClock, local_date
from wijkhub.hub.core.db import Database
from wijkhub.hub.core.processing_log import entry_leaf_hash
from wijkhub.hub.core.settings import WorkerSettings
from wijkhub.hub.demo import household
from wijkhub.hub.demo.run import PARTNERS, start_demo_hub
from wijkhub.hub.demo.simulator import PartnerSimulator
from wijkhub.hub.server.runtime import RunningHub
from wijkhub.hub.store.tables import ADVICE, DELIVERY, ITEM, LOG

PIDS = [p[0] for p in PARTNERS]
SLOW_PARTNER = household.ZORG
REFUSED = {"budgetbeheer"}  # the demo consents do not cover it: four items remain
WORKER = str(Path(sys.executable).parent / "wijkhub")


@dataclass
class SlowSimulator(PartnerSimulator):
    """A partner that takes `delay` seconds before it answers the hub's POST."""

    delay: float = 0.0

    async def _handle(self, request: web.Request) -> web.Response:
        if self.delay:
            await asyncio.sleep(self.delay)
        return await super()._handle(request)


def reset_peak_memory() -> None:
    """Start a new peak (VmHWM) from here: the bench's own bulk inserts must not count."""
    gc.collect()
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def memory_mb() -> dict[str, float]:
    """Resident and peak resident memory of this process (hub, simulators and load clients
    share it, so this is an upper bound for the hub)."""
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1]) / 1024
    return {"rss_mb": out.get("VmRSS", 0.0), "peak_mb": out.get("VmHWM", 0.0)}


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s) + 0.5) - 1))]


@dataclass
class Household:
    client_id: str
    tokens: list[str]
    body: dict[str, Any] = field(default_factory=dict)


async def start_hub(
    workdir: Path,
    *,
    db_url: str | None = None,
    run_worker: bool = True,
    slow: float = 0.0,
    answer: bool = True,
) -> tuple[RunningHub, dict[str, PartnerSimulator]]:
    opts: dict[str, dict[str, Any]] = {pid: {"answer": answer} for pid in PIDS}
    if slow:
        opts[SLOW_PARTNER]["delay"] = slow
    return await start_demo_hub(
        workdir,
        database_url=db_url,
        run_worker=run_worker,
        simulator=SlowSimulator,
        sim_options=opts,
        worker=WorkerSettings(poll_interval=0.2, backoff_initial=0.2, backoff_max=2.0),
    )


async def stop_hub(hub: RunningHub, sims: dict[str, PartnerSimulator]) -> None:
    for s in sims.values():  # first: their pending answers would go to a closed hub
        await s.close()
    await hub.close()
    await hub.ctx.db.dispose()


async def household_for(hub: RunningHub, coaches: int) -> Household:
    tokens = [await hub.token("coach", f"bench-{i}", team="bench") for i in range(coaches)]
    today = local_date(SystemClock().now())
    headers = {"Authorization": f"Bearer {tokens[0]}"}
    async with aiohttp.ClientSession(base_url=hub.url, headers=headers) as http:
        async with http.post("/api/v1/clients", json=household.CLIENT) as r:
            assert r.status == 201, await r.text()
            client_id = (await r.json())["id"]
        for c in household.consents(today):
            async with http.post(f"/api/v1/clients/{client_id}/consents", json=c) as r:
                assert r.status == 201, await r.text()
    body = household.advice(client_id, today)
    body["items"] = [it for it in body["items"] if it["advice_type"] not in REFUSED]
    return Household(client_id, tokens, body)


async def delivered_by_partner(hub: RunningHub) -> dict[str, int]:
    async with hub.ctx.db.read() as conn:
        rows = await conn.execute(
            select(DELIVERY.c.partner_id, func.count())
            .where(DELIVERY.c.status == "delivered", DELIVERY.c.kind == "advice")
            .group_by(DELIVERY.c.partner_id)
        )
        return dict(rows.all())  # type: ignore[arg-type]


async def submit_load(hub: RunningHub, hh: Household, advices: int) -> list[float]:
    """`advices` submissions spread over one keep-alive client per coach token, all at once;
    returns each submission's latency in milliseconds."""
    latencies: list[float] = []
    per = [
        advices // len(hh.tokens) + (i < advices % len(hh.tokens)) for i in range(len(hh.tokens))
    ]

    async def coach(token: str, n: int) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        async with aiohttp.ClientSession(base_url=hub.url, headers=headers) as http:
            for _ in range(n):
                t0 = time.perf_counter()
                async with http.post("/api/v1/advices", json=hh.body) as r:
                    await r.read()
                    assert r.status == 201, r.status
                latencies.append((time.perf_counter() - t0) * 1000)

    await asyncio.gather(*(coach(t, n) for t, n in zip(hh.tokens, per, strict=True) if n))
    return latencies


async def wait_delivered(
    hub: RunningHub, expected: dict[str, int], within: float, poll: float = 0.05
) -> dict[str, float]:
    """Poll until each partner in `expected` has that many advice deliveries acknowledged;
    returns the moment (perf_counter) each partner got there."""
    reached: dict[str, float] = {}
    end = time.perf_counter() + within
    while len(reached) < len(expected):
        counts = await delivered_by_partner(hub)
        now = time.perf_counter()
        for pid, n in expected.items():
            if pid not in reached and counts.get(pid, 0) >= n:
                reached[pid] = now
        if now > end:
            raise TimeoutError(f"deliveries not done in {within} s: {counts} of {expected}")
        await asyncio.sleep(poll)
    return reached


async def wait_received(
    sims: dict[str, PartnerSimulator], expected: dict[str, int], within: float
) -> None:
    """Wait in memory until each simulator has received that many messages. (Counting in the
    database reads every delivery row: polling it all along would cost more as the store
    grows, on the hub's own event loop, and so distort the growth figures.)"""
    end = time.perf_counter() + within
    while any(len(sims[p].received) < n for p, n in expected.items()):
        if time.perf_counter() > end:
            return  # wait_delivered reports what is missing
        await asyncio.sleep(0.02)


async def wait_answered(sims: dict[str, PartnerSimulator], pids: list[str], n: int) -> None:
    # Polled: the answers of several simulators are counted together.
    while sum(len(sims[p].answered) for p in pids) < n:  # noqa: ASYNC110
        await asyncio.sleep(0.05)


async def burst(
    hub: RunningHub,
    sims: dict[str, PartnerSimulator],
    hh: Household,
    advices: int,
    *,
    within: float,
    pids: list[str] | None = None,
) -> dict[str, Any]:
    """A burst of `advices` (four items each) from all coaches at once, with the worker
    running. Rate = items delivered and acknowledged (and, where the partners answer, their
    status updates back in the hub) per second from the first submission to the last."""
    pids = pids or PIDS
    before = await delivered_by_partner(hub)
    answered_before = sum(len(sims[p].answered) for p in pids)
    expected = {p: before.get(p, 0) + advices for p in PIDS}
    received = {p: len(sims[p].received) + advices for p in pids}
    t0 = time.perf_counter()
    latencies = await submit_load(hub, hh, advices)
    await wait_received(sims, received, within)
    reached = await wait_delivered(hub, {p: expected[p] for p in pids}, within)
    if all(sims[p].answer for p in pids):
        await asyncio.wait_for(
            wait_answered(sims, pids, answered_before + advices * len(pids)), within
        )
    t_end = max([*reached.values(), time.perf_counter()])
    items = advices * len(pids)
    return {
        "items": items,
        "seconds": t_end - t0,
        "items_per_s": items / (t_end - t0),
        "latencies": latencies,
    }


# --- growth: stored advices, made by copying delivered ones (with a valid log chain) -----


async def grow(hub: RunningHub, target: int) -> int:
    return await grow_db(hub.ctx.db, target)


async def grow_db(db: Database, target: int) -> int:
    """Copy the advices already stored (items, deliveries and their log entries, placed in
    the log's tree in the same transaction, so the hub's sequencer has nothing left to do)
    until `target` advices are stored. Copies keep their sealed blobs: they are never read."""
    async with db.read() as conn:
        have = (await conn.execute(select(func.count()).select_from(ADVICE))).scalar_one()
        # At most 500 originals: enough variety, and the bench's own memory stays small.
        tpl_adv = [
            dict(r)
            for r in (await conn.execute(select(ADVICE).order_by(ADVICE.c.created_at).limit(500)))
            .mappings()
            .all()
        ]
        ids = [a["id"] for a in tpl_adv]
        tpl_items = [
            dict(r)
            for r in (await conn.execute(select(ITEM).where(ITEM.c.advice_id.in_(ids))))
            .mappings()
            .all()
        ]
        item_ids = [i["id"] for i in tpl_items]
        tpl_del = [
            dict(r)
            for r in (await conn.execute(select(DELIVERY).where(DELIVERY.c.item_id.in_(item_ids))))
            .mappings()
            .all()
        ]
        traces = [a["trace_id"] for a in tpl_adv]
        tpl_log = [
            dict(r)
            for r in (
                await conn.execute(
                    select(LOG).where(LOG.c.trace_id.in_(traces)).order_by(LOG.c.seq)
                )
            )
            .mappings()
            .all()
        ]
    while have < target:
        n = min(len(tpl_adv), target - have)
        adv_rows, item_rows, del_rows, log_rows = [], [], [], []
        trace_map: dict[str, str] = {}
        item_map: dict[str, str] = {}
        keep = {a["id"] for a in tpl_adv[:n]}
        adv_map = {a: uuid.uuid4().hex for a in keep}
        for a in tpl_adv[:n]:
            trace_map[a["trace_id"]] = uuid.uuid4().hex
            adv_rows.append({**a, "id": adv_map[a["id"]], "trace_id": trace_map[a["trace_id"]]})
        for it in tpl_items:
            if it["advice_id"] in keep:
                item_map[it["id"]] = uuid.uuid4().hex
                item_rows.append(
                    {
                        **it,
                        "number": None,
                        "id": item_map[it["id"]],
                        "advice_id": adv_map[it["advice_id"]],
                    }
                )
        for d in tpl_del:
            if d["item_id"] in item_map:
                del_rows.append(
                    {
                        **d,
                        "id": uuid.uuid4().hex,
                        "item_id": item_map[d["item_id"]],
                        "idempotency_key": uuid.uuid4().hex,
                        "trace_id": trace_map.get(d["trace_id"], d["trace_id"]),
                    }
                )
        async with db.write() as conn:
            for e in tpl_log:
                if e["trace_id"] not in trace_map:
                    continue
                row = {
                    k: v
                    for k, v in e.items()
                    if k not in ("seq", "leaf_index", "prev_hash", "hash")
                }
                row["trace_id"] = trace_map[e["trace_id"]]
                row["leaf_hash"] = entry_leaf_hash(row)
                log_rows.append(row)
            await conn.execute(insert(ADVICE), adv_rows)
            await conn.execute(insert(ITEM), item_rows)
            await conn.execute(insert(DELIVERY), del_rows)
            if log_rows:
                await conn.execute(insert(LOG), log_rows)
                await log_tree.extend(conn, datetime.now(UTC), len(log_rows))
        have += n
    return have


# --- scale-out: worker processes on PostgreSQL ---------------------------------------------


def write_worker_config(workdir: Path, db_url: str) -> Path:
    path = workdir / "worker.toml"
    path.write_text(
        f'data_dir = "{workdir}"\nconfig_dir = "{workdir / "config"}"\n'
        f'database_url = "{db_url}"\n[worker]\npoll_interval = 0.1\n'
    )
    return path


def spawn_worker(cfg: Path, log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        return subprocess.Popen(
            [WORKER, "--config", str(cfg), "worker"], stdout=out, stderr=subprocess.STDOUT
        )


async def scale_out(workdir: Path, db_url: str, advices: int, workers: int) -> dict[str, Any]:
    """Queue `advices` through the API (no worker running), then start `workers` worker
    processes and time until every item is delivered. The partners only acknowledge."""
    hub, sims = await start_hub(workdir, db_url=db_url, run_worker=False, answer=False)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        hh = await household_for(hub, 8)
        await submit_load(hub, hh, advices)
        cfg = write_worker_config(workdir, db_url)
        t0 = time.perf_counter()
        procs += [spawn_worker(cfg, workdir / f"worker-{i}.log") for i in range(workers)]
        # Timed from the first acknowledged delivery, so process start-up does not count.
        total, first, t_first = advices * 4, None, 0.0
        end = time.perf_counter() + 600
        while True:
            done = sum((await delivered_by_partner(hub)).values())
            now = time.perf_counter()
            if first is None and done:
                first, t_first = done, now
            if done >= total:
                break
            if now > end:
                raise TimeoutError(f"scale-out: {done} of {total} delivered")
            await asyncio.sleep(0.05)
        seconds = max(now - t_first, 1e-6)
        rate = (total - (first or 0)) / seconds
        return {"items": total, "seconds": now - t0, "items_per_s": rate}
    finally:
        for p in procs:
            with contextlib.suppress(ProcessLookupError):
                p.terminate()
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
        await stop_hub(hub, sims)
