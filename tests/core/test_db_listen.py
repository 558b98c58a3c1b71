"""PostgreSQL notifications wake an idle worker; when the database goes away, the LISTEN
connection goes with it. The subscription must say so, and the worker must listen again once
the database is back, instead of sleeping on a connection that can never wake it."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from tests.support.harness import Env
from tests.support.pg import BACKENDS, PgServer
from tests.support.scale import wait_until
from wijkhub.hub.core.db import Database
from wijkhub.hub.path.delivery import DELIVERY_CHANNEL

pytestmark = pytest.mark.skipif("postgresql" not in BACKENDS, reason="PostgreSQL not selected")


@pytest.fixture
async def pg_db(pg: PgServer) -> AsyncIterator[str]:
    name = await pg.create_db()
    try:
        yield name
    finally:
        await pg.drop_db(name)


async def listen_backends(dsn: str, channel: str) -> set[int]:
    """The server processes whose last statement was a LISTEN on `channel`."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND query ILIKE $1",
            f"%LISTEN%{channel}%",
        )
        return {r["pid"] for r in rows}
    finally:
        await conn.close()


async def terminate(dsn: str, pids: set[int]) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        for pid in pids:
            await conn.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await conn.close()


async def test_a_notification_wakes_and_a_lost_connection_says_so(pg: PgServer, pg_db: str) -> None:
    db = Database(pg.url(pg_db))
    wake = asyncio.Event()
    sub = await db.listen("wijkhub_test", wake)
    try:
        assert sub.alive
        conn = await asyncpg.connect(pg.dsn(pg_db))
        try:
            await conn.execute("NOTIFY wijkhub_test")
        finally:
            await conn.close()
        await asyncio.wait_for(wake.wait(), 10)

        wake.clear()
        await terminate(pg.dsn(pg_db), await listen_backends(pg.dsn(pg_db), "wijkhub_test"))
        await asyncio.wait_for(wake.wait(), 10)  # the waiter looks at once
        assert not sub.alive
    finally:
        await sub.stop()
        await db.dispose()


async def test_on_sqlite_nothing_listens(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/x.db")
    sub = await db.listen("wijkhub_test", asyncio.Event())
    assert not sub.alive
    await sub.stop()
    await db.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_the_worker_listens_again_after_losing_its_connection(env: Env, db_url: str) -> None:
    dsn = db_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    worker = env.worker
    task = asyncio.create_task(worker.run())
    try:

        async def listening_on(exclude: set[int]) -> bool:
            pids = await listen_backends(dsn, DELIVERY_CHANNEL)
            return worker.listening and bool(pids - exclude)

        await wait_until(lambda: listening_on(set()), 30, "the worker to listen")
        first = await listen_backends(dsn, DELIVERY_CHANNEL)
        await terminate(dsn, first)  # as when PostgreSQL restarts

        await wait_until(lambda: listening_on(first), 30, "the worker to listen again")
    finally:
        worker.stop()
        await asyncio.wait_for(task, 30)
