"""Group commit: units that arrive together share one transaction, each caller hears only of
its own unit, and nothing is answered before its transaction committed."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select, text

from wijkhub.hub.core.db import Database, upgrade
from wijkhub.hub.store.tables import HEALTH_PROBE


@pytest.fixture
async def db(db_url: str | None, tmp_path: Path) -> AsyncIterator[Database]:
    url = db_url or f"sqlite+aiosqlite:///{tmp_path / 'g.db'}"
    await upgrade(url)
    database = Database(url)
    try:
        yield database
    finally:
        await database.dispose()


def put(n: int) -> Any:
    async def unit(conn: Any) -> int:
        await conn.execute(insert(HEALTH_PROBE).values(id=n, checked_at=func.now()))
        return n

    return unit


async def stored(db: Database) -> set[int]:
    async with db.read() as conn:
        return set((await conn.execute(select(HEALTH_PROBE.c.id))).scalars())


async def test_units_arriving_together_share_transactions_and_all_commit(db: Database) -> None:
    results = await asyncio.gather(*(db.grouped(put(n)) for n in range(1, 101)))
    assert results == list(range(1, 101))
    assert await stored(db) == set(range(1, 101))
    group = db.group
    assert group is not None
    assert group.units == 100
    assert group.batches < 100  # shared: fewer transactions than units


async def test_a_failing_unit_fails_alone_and_the_others_commit(db: Database) -> None:
    async def broken(conn: Any) -> int:
        await conn.execute(insert(HEALTH_PROBE).values(id=1000, checked_at=func.now()))
        raise ValueError("this unit is wrong")

    async def duplicate(conn: Any) -> int:
        await conn.execute(insert(HEALTH_PROBE).values(id=1, checked_at=func.now()))
        return -1

    units = [put(n) for n in range(1, 21)]
    units[5] = broken
    units[12] = duplicate  # id 1 is taken by the first unit: a unique violation
    outcomes = await asyncio.gather(*(db.grouped(u) for u in units), return_exceptions=True)
    assert isinstance(outcomes[5], ValueError)
    assert isinstance(outcomes[12], Exception) and not isinstance(outcomes[12], ValueError)
    ok = {n for n in outcomes if isinstance(n, int)}
    assert ok == set(range(1, 21)) - {6, 13}
    # The broken unit's own write was rolled back; every other unit's is there, once.
    assert await stored(db) == ok


async def test_a_unit_that_needs_the_event_loop_still_runs_once(db: Database) -> None:
    async def needs_loop(conn: Any) -> int:
        await asyncio.to_thread(lambda: None)  # e.g. a translation in a worker thread
        await conn.execute(insert(HEALTH_PROBE).values(id=500, checked_at=func.now()))
        return 500

    async def sleeps(conn: Any) -> int:
        await conn.execute(insert(HEALTH_PROBE).values(id=501, checked_at=func.now()))
        await asyncio.sleep(0)
        return 501

    outcomes = await asyncio.gather(
        *(db.grouped(u) for u in [put(1), needs_loop, put(2), sleeps, put(3)])
    )
    assert outcomes == [1, 500, 2, 501, 3]
    assert await stored(db) == {1, 2, 3, 500, 501}


async def test_the_answer_comes_after_the_commit(db: Database) -> None:
    """Whatever a caller was told has committed: another connection sees it at once."""
    seen: list[bool] = []

    async def one(n: int) -> None:
        await db.grouped(put(n))
        async with db.read() as conn:  # a connection of its own, after the answer
            seen.append(
                (
                    await conn.execute(
                        select(func.count()).select_from(HEALTH_PROBE).where(HEALTH_PROBE.c.id == n)
                    )
                ).scalar_one()
                == 1
            )

    await asyncio.gather(*(one(n) for n in range(1, 41)))
    assert seen == [True] * 40


async def test_a_cancelled_caller_whose_unit_has_not_begun_changes_nothing(db: Database) -> None:
    if not db.is_sqlite:
        pytest.skip("holds SQLite's in-process write lock to keep the unit waiting")
    async with db.write_lock():
        task = asyncio.create_task(db.grouped(put(7)))
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert await db.grouped(put(8)) == 8  # the queue still works
    assert await stored(db) == {8}


async def test_sqlite_batches_still_lock_out_another_process_writer(
    db: Database, tmp_path: Path
) -> None:
    if not db.is_sqlite:
        pytest.skip("SQLite's BEGIN IMMEDIATE")
    release = asyncio.Event()
    started = asyncio.Event()

    async def slow(conn: Any) -> int:
        await asyncio.sleep(0)  # needs the loop: runs on the async path, holding the lock
        await conn.execute(insert(HEALTH_PROBE).values(id=900, checked_at=func.now()))
        started.set()
        await release.wait()
        return 900

    task = asyncio.create_task(db.grouped(slow))
    await started.wait()
    other = Database(db.url)
    try:
        async with other.engine.connect() as conn:
            await conn.exec_driver_sql("PRAGMA busy_timeout=50")
            with pytest.raises(Exception, match="locked"):
                await conn.execute(text("BEGIN IMMEDIATE"))
    finally:
        await other.dispose()
    release.set()
    assert await task == 900
