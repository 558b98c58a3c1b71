"""One hub as the user meets it: `wijkhub serve` in its own process(es), the partner
simulators in another, the coach clients in a third. The bench's own process only starts
them, prepares data and watches the simulators' counts (never the hub's event loop)."""

import asyncio
import contextlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from wijkhub.bench import flow, procs
from wijkhub.hub.core import auth
from wijkhub.hub.core.clock import SystemClock, local_date
from wijkhub.hub.core.db import Database, upgrade
from wijkhub.hub.demo import household

PIDS = flow.PIDS
SLOW_PARTNER = flow.SLOW_PARTNER
FAST = [p for p in PIDS if p != SLOW_PARTNER]
TEAM = "bench"


@dataclass
class Env:
    workdir: Path
    db: Database
    hubs: list[Any]  # subprocess.Popen of each `wijkhub serve`
    urls: list[str]
    partners: procs.Partners
    coaches: procs.Coaches
    tokens: list[str]
    body: dict[str, Any]

    @property
    def hub_pids(self) -> list[int]:
        return [h.pid for h in self.hubs]

    def hub_cpu_ms(self) -> float:
        return sum(procs.cpu_ms(pid) for pid in self.hub_pids)

    def hub_memory_mb(self) -> dict[str, float]:
        mems = [procs.memory_mb(pid) for pid in self.hub_pids]
        return {k: sum(m[k] for m in mems) for k in ("rss_mb", "peak_mb")}

    def body_for(self, pids: list[str]) -> dict[str, Any]:
        return {**self.body, "items": [it for it in self.body["items"] if it["partner_id"] in pids]}


async def _household(url: str, token: str) -> dict[str, Any]:
    today = local_date(SystemClock().now())
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(base_url=url, headers=headers) as http:
        async with http.post("/api/v1/clients", json=household.CLIENT) as r:
            assert r.status == 201, await r.text()
            client_id = (await r.json())["id"]
        for c in household.consents(today):
            async with http.post(f"/api/v1/clients/{client_id}/consents", json=c) as r:
                assert r.status == 201, await r.text()
    body = household.advice(client_id, today)
    body["items"] = [it for it in body["items"] if it["advice_type"] not in flow.REFUSED]
    return body


async def open_env(
    workdir: Path, coaches: int, *, db_url: str | None = None, processes: int = 1
) -> Env:
    config = procs.write_hub_config(workdir, db_url)
    partners = await procs.Partners.start(workdir / "config", workdir / "partners.log")
    hubs: list[Any] = []
    try:
        coach_proc = await procs.Coaches.start(workdir / "coaches.log")
        url = db_url or f"sqlite+aiosqlite:///{workdir / 'wijkhub.db'}"
        await upgrade(url)
        db = Database(url)
        now = datetime.now(UTC)
        async with db.write() as conn:
            tokens = [
                await auth.create_token(conn, "coach", f"bench-{i}", now, TEAM)
                for i in range(coaches)
            ]
            partner_tokens = {
                pid: await auth.create_token(conn, f"partner:{pid}", f"simulator {pid}", now)
                for pid in PIDS
            }
        urls = []
        for i in range(processes):  # one after another: the first makes the keys
            proc, hub_url = await procs.start_hub(config, workdir / f"hub-{i}.log")
            hubs.append(proc)
            urls.append(hub_url)
        await partners.point_at(urls, partner_tokens)
        body = await _household(urls[0], tokens[0])
    except BaseException:
        for h in hubs:
            procs.stop(h)
        await partners.close()
        raise
    return Env(workdir, db, hubs, urls, partners, coach_proc, tokens, body)


async def close_env(env: Env) -> None:
    """Stop everything the bench started, in this order, each even if stopping an earlier one
    failed (the failure is raised afterwards): no hub is left running behind a crashed bench."""
    async with contextlib.AsyncExitStack() as stack:  # runs the callbacks last-in, first-out
        stack.push_async_callback(env.db.dispose)
        for h in env.hubs:
            stack.callback(procs.stop, h)
        # Before the hubs: the partners' pending answers would go to a stopped hub.
        stack.push_async_callback(env.partners.close)
        stack.callback(env.coaches.close)


async def wait_counts(
    env: Env, received: dict[str, int], answered: dict[str, int], within: float
) -> None:
    end = time.perf_counter() + within
    while True:
        c = await env.partners.counts()
        if all(c[p]["received"] >= n for p, n in received.items()) and all(
            c[p]["answered"] >= n for p, n in answered.items()
        ):
            return
        if time.perf_counter() > end:
            raise TimeoutError(f"not done in {within} s: {c}, expected {received} {answered}")
        await asyncio.sleep(0.05)


async def burst(
    env: Env,
    advices: int,
    *,
    tokens: list[str] | None = None,
    body: dict[str, Any] | None = None,
    count: list[str] | None = None,
    answers: bool = True,
    within: float = 900.0,
) -> dict[str, Any]:
    """`advices` submissions from all coaches at once, the worker delivering meanwhile. Done
    when every item of the partners in `count` is delivered (the simulator acknowledged it)
    and, with `answers`, every status update of its script is accepted by the hub. Hub CPU
    is utime + stime of the hub process(es) over the same interval."""
    count = count or PIDS
    before = await env.partners.counts()
    cpu0 = env.hub_cpu_ms()
    t0 = time.perf_counter()
    res = await env.coaches.submit(env.urls, tokens or env.tokens, body or env.body, advices)
    if res["failed"]:
        raise RuntimeError(f"{res['failed']} submissions refused (see the hub's log)")
    received = {p: before[p]["received"] + advices for p in count}
    answered = {p: before[p]["answered"] + advices for p in count} if answers else {}
    await wait_counts(env, received, answered, within)
    seconds = time.perf_counter() - t0
    cpu = env.hub_cpu_ms() - cpu0
    items = advices * len(count)
    return {
        "items": items,
        "seconds": seconds,
        "items_per_s": items / seconds,
        "cpu_ms_per_item": cpu / items,
        "latencies": res["latencies"],
        **env.hub_memory_mb(),
    }


async def isolation_pair(
    env: Env, advices: int, slow_seconds: float, slow_first: bool
) -> tuple[float, float]:
    """The three fast partners' items/s with the same advices, in the same hub, with and
    without one more item per advice for a partner that acknowledges only after
    `slow_seconds` (and sends no status updates, so it adds no intake work: the only
    difference is the slots it holds). Returns (alone, beside the slow one)."""
    await env.partners.options({SLOW_PARTNER: {"delay": slow_seconds, "answer": False}})
    try:
        rates: dict[bool, float] = {}
        for beside in (True, False) if slow_first else (False, True):
            body = env.body if beside else env.body_for(FAST)
            before = (await env.partners.counts())[SLOW_PARTNER]["received"]
            b = await burst(env, advices, body=body, count=FAST)
            rates[beside] = b["items_per_s"]
            if beside:  # let the slow partner's items finish: nothing carries over
                await wait_counts(env, {SLOW_PARTNER: before + advices}, {}, 900)
        return rates[False], rates[True]
    finally:
        await env.partners.options({SLOW_PARTNER: {"delay": 0.0, "answer": True}})
