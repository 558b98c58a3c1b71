"""Engine, transactions and migrations.

SQLite (the embedded default) runs in WAL mode; every write transaction starts with
`BEGIN IMMEDIATE` and, within one process, writers queue on an asyncio lock, so the log's
sequencer and the outbox claims stay correct without busy-retry storms.
PostgreSQL is the scale-out path (several processes, `FOR UPDATE SKIP LOCKED`).
"""

import asyncio
import errno
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from importlib.resources import files
from typing import Any, TypeVar

import asyncpg
from alembic import command
from alembic.config import Config
from sqlalchemy import event, exc, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.util.concurrency import await_

from wijkhub.hub.core.group_commit import GroupCommit
from wijkhub.hub.store.tables import HEALTH_PROBE

log = logging.getLogger(__name__)

# A storage fault is temporary as far as a caller can tell (disk full, database locked, read
# only, PostgreSQL restarting or away): the request is refused as a whole with 503 and
# Retry-After, never a 500. A bug (a missing table, bad SQL) is not one of these.
RETRY_AFTER_SECONDS = 5
MSG_STORAGE_UNAVAILABLE = (
    "De opslag van Wijkhub is tijdelijk niet beschikbaar; er is niets opgeslagen. "
    "Probeer het over enkele seconden opnieuw."
)
# A LISTEN connection that cannot be made in this time is given up; the caller polls.
LISTEN_CONNECT_TIMEOUT = 5.0
# SQLite primary result codes: BUSY, LOCKED, NOMEM, READONLY, IOERR, FULL, CANTOPEN, PROTOCOL.
_SQLITE_FAULTS = frozenset({5, 6, 7, 8, 10, 13, 14, 15})
# PostgreSQL SQLSTATE: connection exceptions, insufficient resources (disk full, too many
# connections), operator intervention (shutdown, cannot connect now), read-only transaction.
_PG_FAULT_CLASSES = ("08", "53", "57P")
_PG_FAULTS = frozenset({"25006"})
_OS_FAULTS = frozenset({errno.ENOSPC, errno.EROFS, errno.EIO, errno.EDQUOT})


def storage_fault(error: BaseException) -> bool:
    """Is this error the storage being unavailable for now (not a bug of ours)?"""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, exc.TimeoutError | exc.DisconnectionError):
            return True  # no connection from the pool in time, or the connection is gone
        if isinstance(current, exc.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, sqlite3.Error):
            code = getattr(current, "sqlite_errorcode", None)
            if code is not None and code & 0xFF in _SQLITE_FAULTS:
                return True
        state = getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        if isinstance(state, str) and (state in _PG_FAULTS or state.startswith(_PG_FAULT_CLASSES)):
            return True
        if isinstance(current, ConnectionError) or (
            isinstance(current, OSError) and current.errno in _OS_FAULTS
        ):
            return True
        nxt = getattr(current, "orig", None) if isinstance(current, exc.DBAPIError) else None
        current = nxt or current.__cause__ or current.__context__
    return False


# Run at the start of the next write transaction of this task: an idempotency key is inserted
# in the very transaction of the change it guards (`idempotency.once`), without every handler
# passing it down. The hook itself makes sure it runs only once.
FIRST_WRITE: ContextVar[Callable[[AsyncConnection], Awaitable[None]] | None] = ContextVar(
    "wijkhub_first_write", default=None
)


T = TypeVar("T")


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
        self._group: GroupCommit | None = None
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
    async def write_lock(self) -> AsyncIterator[None]:
        """This process's turn at the SQLite writer (the group commit holds it per batch)."""
        async with self._write_lock:
            yield

    async def grouped(self, unit: Callable[[Any], Awaitable[T]]) -> T:
        """`unit(conn)` in a write transaction shared with the units that arrive meanwhile
        (`group_commit.py`); returns once that transaction committed. The unit may run again
        (alone) if another unit of its group fails, so it must change nothing but the
        database, and it may get a synchronous connection with the same `execute`."""
        if FIRST_WRITE.get() is not None:
            # The idempotency key belongs to this task's own transaction.
            async with self.write() as conn:
                return await unit(conn)
        if self._group is None:
            self._group = GroupCommit(self)
        return await self._group.run(unit)

    @property
    def group(self) -> GroupCommit | None:
        return self._group

    @asynccontextmanager
    async def write(self, *, lock_held: bool = False) -> AsyncIterator[AsyncConnection]:
        """One write transaction: all or nothing. `lock_held`: the caller holds
        `write_lock()` already (SQLite)."""
        if self.is_sqlite:
            if not lock_held:
                await self._write_lock.acquire()
            try:
                conn = await self.engine.connect()
            except BaseException:
                if not lock_held:
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
                    if not lock_held:
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

    async def listen(self, channel: str, wake: asyncio.Event) -> "Subscription":
        """PostgreSQL: set `wake` whenever another transaction (any process) notifies
        `channel` at its commit (the triggers of migration 0016). SQLite has no
        notifications: the subscription is never alive and callers keep polling."""
        if self.is_sqlite:
            return Subscription(None, channel, wake)
        # A connection of its own, outside the pool: it stays open while the hub runs.
        dsn = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        conn = await asyncpg.connect(dsn, timeout=LISTEN_CONNECT_TIMEOUT)
        sub = Subscription(conn, channel, wake)
        await conn.add_listener(channel, sub.notified)
        conn.add_termination_listener(sub.lost)
        return sub

    async def write_probe(self, now: Any) -> None:
        """Commit one small write (readiness): a database that reads but cannot write (disk
        full, read only, locked) fails here, not in the next coach's request."""
        async with self.write() as conn:
            res = await conn.execute(
                update(HEALTH_PROBE).where(HEALTH_PROBE.c.id == 1).values(checked_at=now)
            )
            if res.rowcount == 0:
                await conn.execute(HEALTH_PROBE.insert().values(id=1, checked_at=now))

    async def dispose(self) -> None:
        if self._group is not None:
            await self._group.close()
            self._group = None
        await self.engine.dispose()


class Subscription:
    """One LISTEN on its own connection. When that connection is lost (the database away
    or restarted) no notification can arrive any more: `alive` turns false and `wake` is
    set, so the waiter looks at once, polls, and listens again."""

    def __init__(self, conn: asyncpg.Connection | None, channel: str, wake: asyncio.Event) -> None:
        self._conn = conn
        self._channel = channel
        self._wake = wake

    @property
    def alive(self) -> bool:
        return self._conn is not None and not self._conn.is_closed()

    def notified(self, *_args: Any) -> None:
        self._wake.set()

    def lost(self, *_args: Any) -> None:
        log.warning("LISTEN on %s lost its connection; polling until it is back", self._channel)
        self._wake.set()

    async def stop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None or conn.is_closed():
            return
        try:
            await conn.remove_listener(self._channel, self.notified)
            await conn.close(timeout=5)
        except Exception:  # the connection went while stopping: nothing left to undo
            conn.terminate()


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
