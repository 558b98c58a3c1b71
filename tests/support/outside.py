"""Outside in: the hub as separate processes (`wijkhub serve`, `wijkhub worker`) with its own
settings file and data directory, against recording partners in the test process, and the
reconciliation of what the coach was told, what the hub stored and what the partners got.

Nothing here reaches into a running hub: the coach speaks HTTP, the partners record what
arrives (idempotency key, body hash, item), and the hub's rows are read from its database
from outside. Every wait is for something observable, bounded by a deadline.
"""

import asyncio
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from tests.support.chaos import ChaosSimulator, Handler
from tests.support.scale import REFUSED_TYPES, Processes, processes, wait_until
from wijkhub.hub.core import auth
from wijkhub.hub.core.clock import SystemClock, local_date
from wijkhub.hub.core.db import Database
from wijkhub.hub.core.idempotency import HEADER
from wijkhub.hub.core.settings import example_config_dir
from wijkhub.hub.demo import household
from wijkhub.hub.demo.run import PARTNERS, write_partners_toml
from wijkhub.hub.demo.simulator import ITEM_HEADER
from wijkhub.hub.plugin_api.manager import load_registry
from wijkhub.hub.store.tables import ADVICE, DELIVERY, ITEM, LOG

PIDS = [p[0] for p in PARTNERS]
URL = re.compile(rb"http://127\.0\.0\.1:\d+")
TEAM = "team-a"
TRACEBACKS = {"PYTHONFAULTHANDLER": "1"}  # a process that hangs can be made to say where

# The hub runs here as its own processes, on the machine's clock: everything these tests
# compare with the hub's times is taken from this one clock.
REAL_CLOCK = SystemClock()


@dataclass(frozen=True)
class Receipt:
    """One request that reached the partner's processing (faults before it are not here)."""

    key: str
    body_sha256: str
    item: str
    status: int


@dataclass
class RecordingPartner(ChaosSimulator):
    """A chaos partner with a ledger. `slow`: the probability that an acknowledgement comes
    only after `hang_seconds` (processed, but the hub has given up waiting)."""

    slow: float = 0.0
    ledger: list[Receipt] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.slow_rng = random.Random(self.seed + 1)

    def app(self) -> web.Application:
        app = super().app()
        app.middlewares.append(self.record)  # inside the chaos: only what got through
        return app

    @web.middleware
    async def record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        body = await request.read()
        response = await handler(request)
        self.ledger.append(
            Receipt(
                request.headers.get(HEADER, ""),
                hashlib.sha256(body).hexdigest(),
                request.headers.get(ITEM_HEADER, ""),
                response.status,
            )
        )
        if self.slow and self.slow_rng.random() < self.slow:
            await asyncio.sleep(self.hang_seconds)  # the hub's request timed out meanwhile
        return response


def accepted(partners: dict[str, RecordingPartner]) -> dict[str, set[str]]:
    """Item → the idempotency keys under which a partner acknowledged it."""
    out: dict[str, set[str]] = defaultdict(set)
    for p in partners.values():
        for r in p.ledger:
            if r.status == 200:
                out[_norm(r.item)].add(r.key)
    return out


def _norm(value: Any) -> str:
    return uuid.UUID(str(value)).hex


@dataclass
class Coach:
    """The coach's client: sends each intended advice under its own Idempotency-Key until it
    has an answer, whatever happens to the hub in between."""

    token: str
    intended: dict[str, dict[str, Any]]
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    lost: set[str] = field(default_factory=set)  # done, answer lost in a crash (409 says so)
    refusals: list[tuple[int, str | None, dict[str, Any]]] = field(default_factory=list)
    unanswered_tries: int = 0

    @property
    def open_keys(self) -> list[str]:
        return [k for k in self.intended if k not in self.answers and k not in self.lost]

    async def send(self, base: str, key: str) -> int | None:
        """One try; no answer (connection refused or cut) is simply no answer."""
        timeout = aiohttp.ClientTimeout(total=15)
        headers = {"Authorization": f"Bearer {self.token}", HEADER: key}
        try:
            async with (
                aiohttp.ClientSession(base_url=base, timeout=timeout) as s,
                s.post("/api/v1/advices", json=self.intended[key], headers=headers) as r,
            ):
                body = await r.json()
                if r.status == 201:
                    # A repeat gets the first answer, word for word.
                    assert self.answers.setdefault(key, body) == body
                elif r.status == 409 and body["error"]["code"] == "idempotency_answer_lost":
                    self.lost.add(key)
                else:
                    # In flight (409) or storage away (503): try again later, same key.
                    assert r.status in (409, 503), (r.status, body)
                    self.refusals.append((r.status, r.headers.get("Retry-After"), body))
                return r.status
        except (aiohttp.ClientError, TimeoutError):
            self.unanswered_tries += 1
            return None

    async def send_all(self, where: Callable[[], Awaitable[str]], concurrency: int = 4) -> None:
        """Keep sending what has no answer yet (to wherever the hub listens now; `where`
        waits while nobody does) until every intended advice has one; the caller bounds it."""
        gate = asyncio.Semaphore(concurrency)

        async def one(key: str) -> None:
            async with gate:
                await self.send(await where(), key)

        while self.open_keys:
            await asyncio.gather(*(one(k) for k in self.open_keys[: concurrency * 2]))


def advice_bodies(client_id: str, advices: int, items_each: int) -> dict[str, dict[str, Any]]:
    """`advices` advices of `items_each` items (the demo's allowed ones, repeated), by key."""
    today = local_date(REAL_CLOCK.now())
    demo = household.advice(client_id, today)
    allowed = [it for it in demo["items"] if it["advice_type"] not in REFUSED_TYPES]
    return {
        str(uuid.uuid4()): {
            **demo,
            "summary": f"advies {n}",
            "items": (allowed * (items_each // len(allowed) + 1))[:items_each],
        }
        for n in range(advices)
    }


@dataclass
class HubRows:
    advices: dict[str, int]  # advice id → number of items stored
    deliveries: list[tuple[str, str, str]]  # (item, idempotency key, status) of advice rows

    @property
    def counts(self) -> Counter[str]:
        return Counter(status for _, _, status in self.deliveries)


@dataclass
class OutsideHub:
    """One hub installation in `root`: data dir, config dir, settings file, processes."""

    root: Path
    partners: dict[str, RecordingPartner]
    ps: Processes
    engine: AsyncEngine  # the test's own look at the hub's database
    url: str = ""
    up: asyncio.Event = field(default_factory=asyncio.Event)  # set while serve listens
    marks: list[tuple[float, str]] = field(default_factory=list)  # what happened when

    def mark(self, what: str) -> None:
        self.marks.append((asyncio.get_running_loop().time(), what))
        if os.environ.get("WIJKHUB_TEST_TRACE"):
            print(f"{self.marks[-1][0] - self.marks[0][0]:7.2f}s {what}", flush=True)

    @property
    def run_dir(self) -> Path:
        return self.ps.config.parent

    async def serve(self, *args: str) -> None:
        """Start `wijkhub serve` on a free port and wait until it says where it listens."""
        self.mark("serve starting")
        proc = self.ps.start("serve", "--port", "0", *args, env=TRACEBACKS)
        log = self.run_dir / f"proc-{len(self.ps.procs) - 1}.log"

        async def listening() -> bool:
            if proc.poll() is not None:
                raise AssertionError(f"serve ended ({proc.returncode}):\n{self.ps.logs()}")
            return log.exists() and URL.search(log.read_bytes()) is not None

        await wait_until(listening, 90, "serve listening", poll=0.1)
        match = URL.search(log.read_bytes())
        assert match
        self.url = match.group(0).decode()
        self.up.set()
        self.mark("serve listening")
        for p in self.partners.values():
            p.hub_url = self.url  # where a partner fetches the hub's signing keys

    def worker(self) -> None:
        """Start `wijkhub worker` (a delivery worker without the API)."""
        self.mark("worker starting")
        self.ps.start("worker", env=TRACEBACKS)

    async def stop(self, within: float = 60) -> None:
        """SIGTERM to every live process; each must finish its sends or release its rows and
        exit 0. One that does not is made to print where it hangs (faulthandler)."""
        alive = [p for p in self.ps.procs if p.poll() is None]
        for p in alive:
            p.send_signal(signal.SIGTERM)
        codes = []
        for p in alive:
            try:
                codes.append(await asyncio.to_thread(p.wait, within))
            except subprocess.TimeoutExpired:
                p.send_signal(signal.SIGABRT)
                await asyncio.to_thread(p.wait, 10)
                codes.append(None)
        self.mark(f"stopped: {codes}")
        assert codes and all(c == 0 for c in codes), f"{codes}\n{self.ps.logs()}"

    def kill_9(self, index: int = -1) -> None:
        proc = self.ps.procs[index]
        self.mark(f"kill -9 {' '.join(map(str, proc.args[3:]))}")  # type: ignore[index]
        proc.kill()
        proc.wait()
        if "serve" in proc.args:  # type: ignore[operator]
            self.url = ""  # the coach's client finds nobody until serve is back
            self.up.clear()

    async def address(self) -> str:
        """Where serve listens, once it does."""
        await self.up.wait()
        return self.url

    async def ready(self) -> int:
        async with aiohttp.ClientSession() as s, s.get(f"{self.url}/health/ready") as r:
            return r.status

    async def rows(self) -> HubRows:
        async with self.engine.connect() as conn:
            counts = dict(
                (
                    await conn.execute(
                        select(ADVICE.c.id, func.count(ITEM.c.id))
                        .select_from(ADVICE.outerjoin(ITEM, ITEM.c.advice_id == ADVICE.c.id))
                        .group_by(ADVICE.c.id)
                    )
                ).all()
            )
            deliveries = (
                await conn.execute(
                    select(DELIVERY.c.item_id, DELIVERY.c.idempotency_key, DELIVERY.c.status).where(
                        DELIVERY.c.kind == "advice"
                    )
                )
            ).all()
        return HubRows(
            {_norm(a): n for a, n in counts.items()},
            [(_norm(i), k, s) for i, k, s in deliveries],
        )

    async def lease_owners(self) -> set[str]:
        async with self.engine.connect() as conn:
            owners = await conn.execute(
                select(DELIVERY.c.lease_owner).where(DELIVERY.c.lease_owner.is_not(None)).distinct()
            )
            return set(owners.scalars())

    async def delivery_log(self) -> Counter[str]:
        """Per worker (the processing log's actor), the deliveries it logged."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(LOG.c.actor, func.count())
                .where(LOG.c.name == "delivery.advice", LOG.c.outcome == "delivered")
                .group_by(LOG.c.actor)
            )
            return Counter(dict(rows.all()))

    async def wait_settled(self, items: int, within: float, dead: int = 0) -> HubRows:
        """Until every item is delivered (or, `dead` of them, dead letters)."""
        box: dict[str, HubRows] = {}

        async def settled() -> bool:
            box["rows"] = await self.rows()
            c = box["rows"].counts
            return c["delivered"] == items - dead and c["dead"] == dead

        try:
            await wait_until(settled, within, f"{items} items settled")
        except AssertionError:
            raise AssertionError(f"{box.get('rows')}\n{self.marks}\n{self.ps.logs()}") from None
        self.mark(f"settled: {dict(box['rows'].counts)}")
        return box["rows"]


def copy_sqlite(template: Path, dest: Path) -> None:
    """A copy of one migrated SQLite database: migrations run once per session, not per hub."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal"):
        if Path(f"{template}{suffix}").exists():
            shutil.copy(f"{template}{suffix}", f"{dest}{suffix}")


@asynccontextmanager
async def outside_hub(
    root: Path,
    *,
    database_url: str | None = None,
    observe_url: str | None = None,
    partner_options: dict[str, dict[str, Any]] | None = None,
    **worker: Any,
) -> AsyncIterator[OutsideHub]:
    """Partners first (the hub's partners.toml needs their ports), then the settings file;
    the database must exist and be migrated (`database_url`, default SQLite in the data dir).
    `observe_url`: where the test reads the rows (default the hub's own URL). Every process
    is killed on the way out, whatever happened."""
    registry = load_registry()
    partners: dict[str, RecordingPartner] = {}
    data = root / "data"
    config_dir = data / "config"
    run = root / "run"
    for d in (config_dir, run):
        d.mkdir(parents=True, exist_ok=True)
    db_url = database_url or f"sqlite+aiosqlite:///{data / 'wijkhub.db'}"
    try:
        for pid, ptype, _name, path in PARTNERS:
            p = RecordingPartner(
                registry.partner_types[ptype],
                pid,
                path=path,
                answer=False,
                **(partner_options or {}).get(pid, {}),
            )
            await p.start()
            partners[pid] = p
        shutil.copy(example_config_dir() / "privacy-rules.toml", config_dir)
        write_partners_toml(config_dir / "partners.toml", partners)  # type: ignore[arg-type]
        lines = [
            f'data_dir = "{data}"',
            f'config_dir = "{config_dir}"',
            f'database_url = "{db_url}"',
            "metrics_public = true",
            "[worker]",
            *(f"{k} = {json.dumps(v)}" for k, v in worker.items()),
        ]
        settings = run / "hub.toml"
        settings.write_text("\n".join(lines) + "\n")
        engine = create_async_engine(observe_url or db_url)
        try:
            with processes(settings) as ps:
                yield OutsideHub(root, partners, ps, engine)
        finally:
            await engine.dispose()
    finally:
        for p in partners.values():
            await p.close()


async def coach_with_household(
    hub: OutsideHub, db_url: str, advices: int, items_each: int
) -> Coach:
    """A coach token (written to the database as `wijkhub tokens create` does), a household
    with its consents through the running hub, and the advices the coach means to send."""
    db = Database(db_url)
    try:
        async with db.write() as conn:
            token = await auth.create_token(
                conn, "coach", "coach", REAL_CLOCK.now(), TEAM, ttl=timedelta(days=1)
            )
    finally:
        await db.dispose()
    today = local_date(REAL_CLOCK.now())
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(base_url=hub.url, headers=headers) as http:
        async with http.post("/api/v1/clients", json=household.CLIENT) as r:
            assert r.status == 201, await r.text()
            client = (await r.json())["id"]
        for c in household.consents(today):
            async with http.post(f"/api/v1/clients/{client}/consents", json=c) as r:
                assert r.status == 201, await r.text()
    return Coach(token, advice_bodies(client, advices, items_each))


async def until(predicate: Callable[[], bool], within: float, what: str) -> None:
    """Wait for a condition on the test's own state (the ledger, the coach's answers)."""

    async def check() -> bool:
        return predicate()

    await wait_until(check, within, what, poll=0.05)


def ledger_size(partners: dict[str, RecordingPartner]) -> int:
    return sum(len(accepted({k: p})) for k, p in partners.items())


def reconcile(coach: Coach, rows: HubRows, partners: dict[str, RecordingPartner]) -> dict[str, int]:
    """The three accounts agree: 0 lost, 0 doubled, 0 items under two keys, 0 both dead and
    delivered, no half-stored advice. Returns the figures for the test's own assertions."""
    # The coach: every intended advice has an answer (or a "done, answer lost"), one advice
    # per key and no advice under two keys.
    assert not coach.open_keys, coach.open_keys
    ids = [_norm(a["id"]) for a in coach.answers.values()]
    assert len(set(ids)) == len(ids)
    # The hub: exactly the intended advices (none lost, none twice), each whole.
    assert len(rows.advices) == len(coach.intended), (len(rows.advices), len(coach.intended))
    assert set(ids) <= set(rows.advices)
    assert sorted(rows.advices.values()) == sorted(len(b["items"]) for b in coach.intended.values())
    per_item = Counter(item for item, _, _ in rows.deliveries)
    assert len(per_item) == sum(rows.advices.values()) and set(per_item.values()) == {1}
    # The partners: each item acknowledged under its one key, or never (a dead letter).
    got = accepted(partners)
    hub_items = {item: (key, status) for item, key, status in rows.deliveries}
    assert set(got) <= set(hub_items), "a partner got an item the hub does not know"
    for item, (key, status) in hub_items.items():
        assert status in ("delivered", "dead"), (item, status)
        if status == "delivered":
            assert got.get(item) == {key}, (item, key, got.get(item))
        else:
            assert item not in got, f"{item} both dead and delivered"
    # One key, one item, one body: a repeat sends the very same message.
    bodies: dict[str, set[str]] = defaultdict(set)
    items_of: dict[str, set[str]] = defaultdict(set)
    for p in partners.values():
        for r in p.ledger:
            bodies[r.key].add(r.body_sha256)
            items_of[r.key].add(_norm(r.item))
    assert all(len(b) == 1 for b in bodies.values())
    assert all(len(i) == 1 for i in items_of.values())
    return {
        "advices": len(rows.advices),
        "delivered": rows.counts["delivered"],
        "dead": rows.counts["dead"],
        "repeats": sum(p.duplicates for p in partners.values()),
    }
