"""Leaves without a lock, and the sequencer that places them: writers never wait for each
other or for the sequencer; several sequencers at once place every leaf exactly once."""

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from sqlalchemy import func, select

from tests.support.harness import Env
from tests.support.pg import BACKENDS, PgServer
from wijkhub.hub.core import checkpoints, log_tree, witness
from wijkhub.hub.core.clock import FakeClock
from wijkhub.hub.core.crypto import KeyRing
from wijkhub.hub.core.db import Database, upgrade
from wijkhub.hub.core.log_verify import verify_log
from wijkhub.hub.core.processing_log import LogEntry, append, new_trace_id
from wijkhub.hub.core.sequencer import log_keys, newest_checkpoint, sequence
from wijkhub.hub.core.settings import JobSettings, LogSettings, Settings
from wijkhub.hub.server.jobs import periodic_jobs
from wijkhub.hub.store.tables import LOG, LOG_CHECKPOINT

CLOCK = FakeClock()


def entries(n: int, actor: str = "t") -> list[LogEntry]:
    return [
        LogEntry(name="t", actor=actor, outcome="ok", trace_id=new_trace_id()) for _ in range(n)
    ]


@pytest.fixture(params=BACKENDS)
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        u = f"sqlite+aiosqlite:///{tmp_path / 's.db'}"
        await upgrade(u)
        yield u
        return
    pg: PgServer = request.getfixturevalue("pg")
    name = await pg.create_db()
    try:
        yield pg.url(name)
    finally:
        await pg.drop_db(name)


@pytest.fixture
def settings(tmp_path: Path, url: str) -> Settings:
    return Settings(data_dir=tmp_path, database_url=url, log={"batch_size": 7})


async def test_sequencing_places_signs_and_witnesses(url: str, settings: Settings) -> None:
    db, ring = Database(url), KeyRing.generate()
    try:
        async with db.write() as conn:
            await append(conn, entries(10), CLOCK.now())
        res = await sequence(db, ring, settings, CLOCK)
        # Batches of 7: two batches, one checkpoint each.
        assert (res.added, res.size, res.checkpoints) == (10, 10, 2)
        async with db.read() as conn:
            head = await log_tree.head(conn)
            notes = (await conn.execute(select(LOG_CHECKPOINT.c.note))).scalars().all()
        cps = [checkpoints.check(n, settings.log_origin, log_keys(ring))[0] for n in notes]
        assert sorted(c.size for c in cps) == [7, 10] and cps[-1].root == head.root
        files = witness.read_all(settings.witness_path)
        assert sorted(f.note for f in files) == sorted(notes)
        again = await sequence(db, ring, settings, CLOCK)
        assert (again.added, again.checkpoints) == (0, 0)
        assert len(witness.read_all(settings.witness_path)) == 2
    finally:
        await db.dispose()


async def test_concurrent_writers_and_sequencers(url: str, settings: Settings) -> None:
    """Two hub processes' worth (two engines): writers append while both sequence."""
    dbs = [Database(url), Database(url)]
    ring = KeyRing.generate()
    try:

        async def writer(db: Database, n: int) -> None:
            for _ in range(12):
                async with db.write() as conn:
                    await append(conn, entries(3, f"w{n}"), CLOCK.now())

        async def sequencer(db: Database) -> None:
            for _ in range(15):
                await sequence(db, ring, settings, CLOCK)
                await asyncio.sleep(0)

        await asyncio.gather(
            *(writer(dbs[n % 2], n) for n in range(4)), sequencer(dbs[0]), sequencer(dbs[1])
        )
        await sequence(dbs[0], ring, settings, CLOCK)
        async with dbs[0].read() as conn:
            positions = (await conn.execute(select(LOG.c.leaf_index))).scalars().all()
            sizes = (await conn.execute(select(LOG_CHECKPOINT.c.tree_size))).scalars().all()
            rep = await verify_log(conn, settings.log_origin, log_keys(ring), settings.witness_path)
        assert sorted(positions) == list(range(144))
        assert len(sizes) == len(set(sizes)) and max(sizes) == 144  # never two of one size
        assert rep.ok, rep.findings
    finally:
        for db in dbs:
            await db.dispose()


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="PostgreSQL's locks")
@pytest.mark.parametrize("url", ["postgresql"], indirect=True)
async def test_writers_on_postgresql_share_no_lock(url: str, settings: Settings) -> None:
    """One transaction appends and stays open (as a slow request would), another holds the
    tree head as a sequencer does: a third appends and commits without waiting for either."""
    db = Database(url)
    try:
        async with db.write() as slow, db.write() as seq:
            await append(slow, entries(1, "slow"), CLOCK.now())
            await log_tree.lock(seq)
            async with asyncio.timeout(5), db.write() as fast:
                await append(fast, entries(1, "fast"), CLOCK.now())
        async with db.read() as conn:
            n = (await conn.execute(select(func.count()).select_from(LOG))).scalar_one()
        assert n == 2
    finally:
        await db.dispose()


async def test_the_server_runs_the_sequencer_as_a_job(env: Env) -> None:
    """`serve`'s periodic jobs place and sign while entries arrive (here: every 50 ms)."""
    base = env.hub.ctx.settings
    settings = base.model_copy(
        update={
            "jobs": JobSettings(
                consent_expiry_interval=0, plan_wait_interval=0, escalation_interval=0
            ),
            "log": LogSettings(checkpoint_interval=0.05),
        }
    )
    ctx = dataclasses.replace(env.hub.ctx, settings=settings)
    await env.household()  # writes entries
    jobs = periodic_jobs(ctx, True)(web.Application())
    await anext(jobs)
    try:
        for _ in range(200):
            async with ctx.db.read() as conn:
                note = await newest_checkpoint(conn)
            if note is not None:
                break
            await asyncio.sleep(0.05)
        assert note is not None, "no checkpoint signed by the job"
        assert witness.read_all(settings.witness_path)
    finally:
        with contextlib.suppress(StopAsyncIteration):
            await anext(jobs)
