"""PostgreSQL for the tests: one migrated template database per session, one copy per test.

`CREATE DATABASE … TEMPLATE` copies the migrated template in a few tens of milliseconds, so
each test gets a fresh, fully migrated database without running Alembic again. The server is
found through `WIJKHUB_TEST_PG` (a libpq/asyncpg URL, default the local trust-auth server).
Unreachable: the PostgreSQL variants are skipped with the reason, except under CI (the `CI`
environment variable is set), where they fail: CI must run both backends.
"""

import asyncio
import os
import secrets
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from wijkhub.hub.core.db import upgrade

ADMIN_DSN = os.environ.get("WIJKHUB_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = [
    b.strip() for b in os.environ.get("WIJKHUB_TEST_BACKENDS", "sqlite,postgresql").split(",")
]

T = TypeVar("T")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, even inside a running event loop."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:
            box["error"] = exc

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


class PgServer:
    def __init__(self, admin_dsn: str) -> None:
        self.admin_dsn = admin_dsn
        self.template: str | None = None

    def dsn(self, dbname: str) -> str:
        parts = urlsplit(self.admin_dsn)
        return urlunsplit(parts._replace(path=f"/{dbname}"))

    def url(self, dbname: str) -> str:
        """The SQLAlchemy URL the hub uses (async driver)."""
        return self.dsn(dbname).replace("postgresql://", "postgresql+asyncpg://", 1)

    async def _admin(self, sql: str) -> None:
        conn = await asyncpg.connect(self.admin_dsn, timeout=5)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def create_db(self, *, template: bool = True) -> str:
        name = f"wijkhub_t_{secrets.token_hex(6)}"
        tpl = f" TEMPLATE {self.template}" if template and self.template else ""
        await self._admin(f"CREATE DATABASE {name}{tpl}")
        # Test data need not survive a power cut: without a WAL flush per commit the
        # tests run at the speed of the hub, not of the disk. (Not copied by TEMPLATE.)
        await self._admin(f"ALTER DATABASE {name} SET synchronous_commit = off")
        return name

    async def drop_db(self, name: str) -> None:
        await self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def _reachable(dsn: str) -> str | None:
    try:
        conn = await asyncpg.connect(dsn, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"{type(exc).__name__}: {exc}"
    await conn.close()
    return None


def pg_server_or_skip() -> PgServer:
    problem = run_sync(_reachable(ADMIN_DSN))
    if problem:
        msg = f"PostgreSQL not reachable at {ADMIN_DSN} ({problem})"
        if os.environ.get("CI"):
            pytest.fail(f"{msg}; CI must run the PostgreSQL variants", pytrace=False)
        pytest.skip(msg)
    return PgServer(ADMIN_DSN)


def make_template(server: PgServer) -> None:
    name = run_sync(server.create_db(template=False))
    run_sync(upgrade(server.url(name)))
    server.template = name
