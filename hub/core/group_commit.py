"""Group commit: small write transactions that arrive together share one.

Status updates, delivery outcomes and their log leaves are each a few statements; on SQLite
every transaction of its own costs a turn of the one write lock, a connection check-out, BEGIN
and COMMIT, and on PostgreSQL a commit (a WAL flush) each. A `GroupCommit` queues such *units*
(an async function of a connection) and runs whatever has queued by the time the writer is
free in one transaction. The caller's `run()` returns only after that transaction committed:
nothing is acknowledged before it is durable.

- **One failing unit does not take the others down.** If a unit raises, the transaction is
  rolled back, the units before it run again together, the failing unit runs alone in a
  transaction of its own (its exception, from that run, is the caller's), and the units after
  it go back to the head of the queue. A failed commit re-runs every unit alone.
- **One hop on SQLite.** aiosqlite costs several hops to its thread per statement, each
  waiting for the busy event loop while the write lock is held. Here a batch runs as one
  synchronous unit of work on a connection of its own in a thread of its own: the units'
  coroutines are driven to their end without an event loop (their statements complete at
  once), so a batch is one hop. A unit that needs the loop after all (it awaits a thread or a
  lock: translation of a released plan item, say) makes the batch fall back: that unit runs on
  the ordinary async path, alone. On PostgreSQL (asyncpg is asynchronous all the way down) the
  batch runs on an ordinary connection.
- A task with an idempotency hook waiting (`db.FIRST_WRITE`) writes on its own, as before
  (`Database.grouped`).
"""

import asyncio
import contextvars
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import StaticPool

log = logging.getLogger(__name__)

T = TypeVar("T")
Unit = Callable[[Any], Awaitable[T]]

# At most this many units per transaction: a long transaction holds the write lock (SQLite)
# and delays the first caller's answer.
MAX_UNITS = 64


class Writer(Protocol):
    """What the group commit needs of `db.Database` (which owns one)."""

    is_sqlite: bool
    engine: AsyncEngine

    def write(self, *, lock_held: bool = False) -> AbstractAsyncContextManager[AsyncConnection]: ...

    def write_lock(self) -> AbstractAsyncContextManager[None]: ...


class NeedsLoop(Exception):
    """A unit awaited something that needs the event loop: run it on the async path."""


@dataclass
class _Pending:
    unit: Unit[Any]
    future: asyncio.Future[Any]
    ran_async: bool = field(default=False)


class SyncConnection:
    """What units use of an `AsyncConnection` (execute, scalar, dialect), on a synchronous
    connection: every call completes at once, so a unit's coroutine never suspends."""

    def __init__(self, conn: Connection) -> None:
        self.sync_connection = conn
        self.dialect = conn.dialect

    async def execute(self, statement: Any, parameters: Any = None, **kw: Any) -> Any:
        return self.sync_connection.execute(statement, parameters, **kw)

    async def scalar(self, statement: Any, parameters: Any = None, **kw: Any) -> Any:
        return self.sync_connection.scalar(statement, parameters, **kw)

    async def scalars(self, statement: Any, parameters: Any = None, **kw: Any) -> Any:
        return self.sync_connection.scalars(statement, parameters, **kw)


def drive(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never suspends to its end, without an event loop."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    except RuntimeError as exc:
        # asyncio.to_thread, get_running_loop(): the unit needs the loop.
        coro.close()
        if "event loop" in str(exc):
            raise NeedsLoop from exc
        raise
    coro.close()
    raise NeedsLoop


def sqlite_sync_engine(db: Writer) -> Engine:
    """A synchronous engine on the same SQLite file, configured as `Database` configures its
    connections, with one connection used only by the group commit's thread."""
    url = db.engine.url.set(drivername="sqlite+pysqlite")
    engine = create_engine(
        url,
        poolclass=StaticPool,
        connect_args={"timeout": 30, "check_same_thread": False},
        hide_parameters=True,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy, not the driver, begins transactions
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=30000",
        ):
            dbapi_conn.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class GroupCommit:
    def __init__(self, db: Writer, max_units: int = MAX_UNITS) -> None:
        self.db = db
        self.max_units = max_units
        self._queue: deque[_Pending] = deque()
        self._task: asyncio.Task[None] | None = None
        self._sync: Engine | None = sqlite_sync_engine(db) if db.is_sqlite else None
        self._thread = ThreadPoolExecutor(1, "wijkhub-group-commit") if self._sync else None
        self.batches = 0  # transactions committed (the bench and the tests read these)
        self.units = 0
        self.alone = 0  # units re-run on their own (a unit failed, or needed the loop)

    async def run(self, unit: Unit[T]) -> T:
        """Run `unit(conn)` in a shared write transaction; return once it has committed."""
        fut: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(unit, fut))
        if self._task is None or self._task.done():
            # A context of its own: the committer must not carry the first caller's hooks.
            self._task = asyncio.get_running_loop().create_task(
                self._drain(), context=contextvars.Context()
            )
        return await fut

    async def _drain(self) -> None:
        while self._queue:
            try:
                await self._commit_next()
            except BaseException as exc:
                # Shutting down (cancelled) or a bug of ours: nobody may wait for ever.
                while self._queue:
                    p = self._queue.popleft()
                    if p.future.done():
                        continue
                    if isinstance(exc, Exception):
                        p.future.set_exception(exc)
                    else:
                        p.future.cancel()
                raise

    def _take(self) -> list[_Pending]:
        batch: list[_Pending] = []
        while self._queue and len(batch) < self.max_units:
            p = self._queue.popleft()
            if not p.future.done():  # the caller gave up (cancelled) before it began
                batch.append(p)
        return batch

    async def _commit_next(self) -> None:
        if self._sync is not None:
            # The lock first: whatever arrives while we wait for it joins this batch.
            async with self.db.write_lock():
                batch = self._take()
                if batch:
                    await self._sqlite_batch(batch)
        else:
            batch = self._take()
            if batch:
                await self._async_batch(batch)

    async def _sqlite_batch(self, batch: list[_Pending]) -> None:
        assert self._thread is not None
        loop = asyncio.get_running_loop()
        results, failed_at, error = await loop.run_in_executor(
            self._thread, self._run_sync, [p.unit for p in batch]
        )
        if failed_at is None and error is None:
            self._settle(batch, results)
            return
        if failed_at is None:
            log.warning("group commit of %d units failed (%s): each alone", len(batch), error)
            # The commit itself failed: every unit on its own, on the async path.
            for p in batch:
                await self._alone(p, locked=True)
            return
        log.debug("unit %d of %d runs alone: %r", failed_at, len(batch), error)
        # Roll back, then: those before together, the failing one alone, the rest queued.
        self._queue.extendleft(reversed(batch[failed_at + 1 :]))
        if failed_at:
            await self._sqlite_batch(batch[:failed_at])
        await self._alone(batch[failed_at], locked=True)

    def _run_sync(self, units: list[Unit[Any]]) -> tuple[list[Any], int | None, Exception | None]:
        """In the group commit's thread: one transaction, every unit, COMMIT."""
        assert self._sync is not None
        results: list[Any] = []
        with self._sync.connect() as conn:
            trans = conn.begin()
            try:
                for i, unit in enumerate(units):
                    try:
                        results.append(drive(unit(SyncConnection(conn))))
                    except Exception as exc:
                        trans.rollback()
                        return [], i, exc
                trans.commit()
            except Exception as exc:
                if trans.is_active:
                    trans.rollback()
                return [], None, exc
        return results, None, None

    async def _async_batch(self, batch: list[_Pending]) -> None:
        results: list[Any] = []
        failed_at: int | None = None
        try:
            async with self.db.write() as conn:
                for i, p in enumerate(batch):
                    try:
                        results.append(await p.unit(conn))
                    except Exception:
                        failed_at = i
                        raise
        except Exception:
            if failed_at is None:  # the commit failed
                for p in batch:
                    await self._alone(p, locked=False)
                return
            self._queue.extendleft(reversed(batch[failed_at + 1 :]))
            if failed_at:
                await self._async_batch(batch[:failed_at])
            await self._alone(batch[failed_at], locked=False)
            return
        self._settle(batch, results)

    async def _alone(self, p: _Pending, locked: bool) -> None:
        """One unit in its own ordinary transaction; its outcome is the caller's."""
        self.alone += 1
        try:
            async with self.db.write(lock_held=locked) as conn:
                result = await p.unit(conn)
        except Exception as exc:
            if not p.future.done():
                p.future.set_exception(exc)
            return
        self._settle([p], [result])

    def _settle(self, batch: list[_Pending], results: list[Any]) -> None:
        self.batches += 1
        self.units += len(batch)
        for p, r in zip(batch, results, strict=True):
            if not p.future.done():
                p.future.set_result(r)

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            await asyncio.gather(self._task, return_exceptions=True)
        if self._thread is not None:
            self._thread.shutdown(wait=True)
        if self._sync is not None:
            self._sync.dispose()
