"""Helpers for the scale-out tests: a hub on a PostgreSQL database shared with worker
processes, advices submitted fast, and subprocesses that are always cleaned up."""

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select

from wijkhub.hub.core.clock import local_date
from wijkhub.hub.demo import household
from wijkhub.hub.demo.simulator import PartnerSimulator
from wijkhub.hub.server.runtime import RunningHub
from wijkhub.hub.store.tables import DELIVERY

WIJKHUB = str(Path(sys.executable).parent / "wijkhub")
REFUSED_TYPES = {"budgetbeheer"}  # the demo consent does not cover it


def write_config(tmp_path: Path, db_url: str, **worker: Any) -> Path:
    """A settings file for worker processes: same data dir (key ring), config and database."""
    lines = [
        f'data_dir = "{tmp_path}"',
        f'config_dir = "{tmp_path / "config"}"',
        f'database_url = "{db_url}"',
        "metrics_public = true",
        "[worker]",
        *(f"{k} = {v!r}" if isinstance(v, str) else f"{k} = {v}" for k, v in worker.items()),
    ]
    path = tmp_path / "worker.toml"
    path.write_text("\n".join(lines).replace("'", '"') + "\n")
    return path


async def submit_many(hub: RunningHub, items: int, concurrency: int = 4) -> None:
    """`items` deliveries through the real API: advices for one household made of the demo
    advice's allowed items, 20 to an advice (the most one may hold) to keep this quick."""
    coach = await hub.token("coach", "load", team="team-a")
    today = local_date(hub.ctx.clock.now())
    headers = {"Authorization": f"Bearer {coach}"}
    async with aiohttp.ClientSession(base_url=hub.url, headers=headers) as http:
        async with http.post("/api/v1/clients", json=household.CLIENT) as r:
            assert r.status == 201, await r.text()
            client = (await r.json())["id"]
        for c in household.consents(today):
            async with http.post(f"/api/v1/clients/{client}/consents", json=c) as r:
                assert r.status == 201, await r.text()
        body = household.advice(client, today)
        allowed = [it for it in body["items"] if it["advice_type"] not in REFUSED_TYPES]
        gate = asyncio.Semaphore(concurrency)

        async def one(n: int) -> None:
            chunk = {**body, "items": (allowed * (n // len(allowed) + 1))[:n]}
            async with gate, http.post("/api/v1/advices", json=chunk) as r:
                assert r.status == 201, await r.text()
                assert all(it["decision"]["allowed"] for it in (await r.json())["items"])

        await asyncio.gather(*(one(min(20, items - i)) for i in range(0, items, 20)))


async def delivery_counts(hub: RunningHub) -> dict[str, int]:
    async with hub.ctx.db.read() as conn:
        rows = await conn.execute(
            select(DELIVERY.c.status, func.count()).group_by(DELIVERY.c.status)
        )
        return {s: n for s, n in rows.all()}


async def keys_by_partner(hub: RunningHub) -> dict[str, set[str]]:
    async with hub.ctx.db.read() as conn:
        rows = await conn.execute(select(DELIVERY.c.partner_id, DELIVERY.c.idempotency_key))
        out: dict[str, set[str]] = {}
        for pid, key in rows.all():
            out.setdefault(pid, set()).add(key)
        return out


def assert_each_key_processed_once(
    sims: dict[str, PartnerSimulator], expected: dict[str, set[str]]
) -> None:
    for pid, sim in sims.items():
        assert set(sim.processed) == expected.get(pid, set()), pid
        assert all(n == 1 for n in sim.processed.values()), pid


@dataclass
class Processes:
    config: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = open(self.config.parent / f"proc-{len(self.procs)}.log", "wb")  # noqa: SIM115
        p = subprocess.Popen(
            [WIJKHUB, "--config", str(self.config), *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
        self.procs.append(p)
        return p

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text()[-2000:]}"
            for p in sorted(self.config.parent.glob("proc-*.log"))
        )

    def terminate_all(self, timeout: float = 20) -> list[int | None]:
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        codes = []
        for p in self.procs:
            try:
                codes.append(p.wait(timeout))
            except subprocess.TimeoutExpired:
                codes.append(None)
        return codes

    def kill_all(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()


@contextmanager
def processes(config: Path) -> Iterator[Processes]:
    ps = Processes(config)
    try:
        yield ps
    finally:
        ps.kill_all()  # whatever happened, leave no process behind


async def wait_until(predicate: Any, within: float, what: str, poll: float = 0.2) -> None:
    """Poll an async predicate (real processes, so real time), failing after `within` seconds."""
    loop = asyncio.get_running_loop()
    end = loop.time() + within
    while not await predicate():
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(poll)
