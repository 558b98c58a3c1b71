"""Engine, transactions and migrations.

SQLite (the embedded default) runs in WAL mode; every write transaction starts with
`BEGIN IMMEDIATE` and, within one process, writers queue on an asyncio lock, so the hash
chain of the processing log and the outbox claims stay correct without busy-retry storms.
PostgreSQL is the scale-out path (several processes, `FOR UPDATE SKIP LOCKED`).
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from importlib.resources import files
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.util.concurrency import await_

# Run at the start of the next write transaction of this task: an idempotency key is inserted
# in the very transaction of the change it guards (`idempotency.once`), without every handler
# passing it down. The hook itself makes sure it runs only once.
FIRST_WRITE: ContextVar[Callable[[AsyncConnection], Awaitable[None]] | None] = ContextVar(
    "wijkhub_first_write", default=None
)


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": 30}
        else:
            kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
        # hide_parameters: a logged database error must not carry the statement's values.
        self.engine: AsyncEngine = create_async_engine(url, hide_parameters=True, **kwargs)
        self._write_lock = asyncio.Lock()
        if self.is_sqlite:
            self._configure_sqlite()

    def _configure_sqlite(self) -> None:
        sync_engine = self.engine.sync_engine

        @event.listens_for(sync_engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the driver, decide when a transaction begins.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(sync_engine, "begin")
        def _on_begin(conn: Any) -> None:
            mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
            # Straight on aiosqlite's thread: one hop there and back instead of three (cursor,
            # execute, close). Every hop waits for the event loop, and a writer holds the
            # write lock meanwhile. (aiosqlite is pinned; `_execute` runs a call in its thread.)
            aio = conn.connection.driver_connection
            raw = getattr(aio, "_conn", None)
            if raw is not None and hasattr(aio, "_execute"):
                await_(aio._execute(raw.execute, f"BEGIN {mode}"))
            else:
                conn.exec_driver_sql(f"BEGIN {mode}")

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """One write transaction: all or nothing."""
        if self.is_sqlite:
            await self._write_lock.acquire()
            try:
                conn = await self.engine.connect()
            except BaseException:
                self._write_lock.release()
                raise
            try:
                try:
                    conn = await conn.execution_options(sqlite_begin="IMMEDIATE")
                    async with conn.begin():
                        await _first_write(conn)
                        yield conn
                finally:
                    # Released once COMMIT (or ROLLBACK) is done: giving the connection back
                    # to the pool costs another hop to the driver's thread, and the next
                    # writer need not wait for it.
                    self._write_lock.release()
            finally:
                await conn.close()
        else:
            async with self.engine.begin() as conn:
                await _first_write(conn)
                yield conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn, conn.begin():
            yield conn

    async def dispose(self) -> None:
        await self.engine.dispose()


async def _first_write(conn: AsyncConnection) -> None:
    hook = FIRST_WRITE.get()
    if hook is not None:
        await hook(conn)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(files("wijkhub.hub.store").joinpath("migrations")))
    cfg.set_main_option("sqlalchemy.url", url)
    cfg.attributes["configure_logger"] = False
    return cfg


def upgrade_sync(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


async def upgrade(url: str, revision: str = "head") -> None:
    # env.py runs its own event loop for the async driver: give it a thread of its own.
    await asyncio.to_thread(upgrade_sync, url, revision)
