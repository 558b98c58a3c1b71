"""The processing log's tree, seen from inside the database: altering, deleting or reordering
an entry is detected and named (the attacks that also rewrite every hash, and the signed
checkpoints that catch them, are in tests/core/test_log_attacks.py)."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from wijkhub.hub.core.db import Database, upgrade
from wijkhub.hub.core.log_tree import extend
from wijkhub.hub.core.processing_log import (
    SEQUENCER_COLUMNS,
    LogEntry,
    append,
    entry_leaf_hash,
    entry_row,
    new_trace_id,
    verify,
)
from wijkhub.hub.store.tables import LOG

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path, db_url: str | None) -> AsyncIterator[Database]:
    url = db_url or f"sqlite+aiosqlite:///{tmp_path / 'log.db'}"
    await upgrade(url)
    database = Database(url)
    async with database.write() as conn:
        await append(
            conn,
            [
                LogEntry(
                    name="advice_item.decide",
                    actor="coach/1",
                    outcome="allowed",
                    trace_id=new_trace_id(),
                    partner_id=f"p{i}",
                    categories=["identification"],
                )
                for i in range(5)
            ],
            NOW,
        )
    await place(database)
    yield database
    await database.dispose()


async def place(db: Database) -> None:
    async with db.write() as conn:
        await extend(conn, NOW, 1000)


async def check(db: Database) -> tuple[bool, int | None]:
    async with db.read() as conn:
        res = await verify(conn, batch=2)  # a small batch exercises the paging too
    return res.ok, res.first_broken_seq


async def test_untouched_log_verifies(db: Database) -> None:
    assert await check(db) == (True, None)


@pytest.mark.parametrize(
    ("sql", "broken"),
    [
        ("UPDATE processing_log SET outcome = 'refused' WHERE seq = 3", 3),
        ("UPDATE processing_log SET categories = '[\"bsn\"]' WHERE seq = 2", 2),
        ("DELETE FROM processing_log WHERE seq = 4", 4),
        # Swap two entries' contents, keeping their hashes in place.
        (
            "UPDATE processing_log SET partner_id = CASE seq WHEN 2 THEN 'p2x' ELSE partner_id END",
            2,
        ),
        # Moved beyond the end: position 4 is empty.
        ("UPDATE processing_log SET leaf_index = leaf_index + 10 WHERE seq = 5", 5),
    ],
)
async def test_tampering_is_detected_and_named(db: Database, sql: str, broken: int) -> None:
    async with db.write() as conn:
        await conn.execute(text(sql))
    assert await check(db) == (False, broken)


async def test_reordering_is_detected(db: Database) -> None:
    async with db.write() as conn:
        await conn.execute(text("UPDATE processing_log SET leaf_index = 100 WHERE seq = 2"))
        await conn.execute(text("UPDATE processing_log SET leaf_index = 1 WHERE seq = 3"))
        await conn.execute(text("UPDATE processing_log SET leaf_index = 2 WHERE seq = 2"))
    ok, first = await check(db)
    assert not ok and first == 2


async def test_concurrent_appends_all_become_leaves(db: Database) -> None:
    async def writer(n: int) -> None:
        for _ in range(10):
            async with db.write() as conn:
                await append(
                    conn,
                    [
                        LogEntry(
                            name="status.receive",
                            actor=f"w{n}",
                            outcome="ok",
                            trace_id=new_trace_id(),
                        )
                    ],
                    NOW,
                )

    await asyncio.gather(*(writer(n) for n in range(8)))
    async with db.read() as conn:
        waiting = await verify(conn)
    assert waiting.ok and waiting.checked == 5 and waiting.pending == 80
    await place(db)
    async with db.read() as conn:
        res = await verify(conn)
    assert res.ok and res.checked == 85 and res.pending == 0


def test_the_leaf_covers_every_column_but_the_sequencers() -> None:
    """Taken from the table, so a column added later is covered without a change; NULLs are
    left out, so adding a nullable column leaves the older leaves' hashes as they were."""
    row = entry_row(
        LogEntry(name="n", actor="a", outcome="o", trace_id=new_trace_id(), categories=["x"]),
        NOW,
    )
    base = entry_leaf_hash(row)
    assert entry_leaf_hash({**row, "not_a_column": "x"}) == base
    for col in LOG.columns:
        if col.name in SEQUENCER_COLUMNS:
            assert entry_leaf_hash({**row, col.name: 12345}) == base
            continue
        assert entry_leaf_hash({**row, col.name: None}) == entry_leaf_hash(
            {k: v for k, v in row.items() if k != col.name}
        )
        changed = {**row, col.name: ["y"] if col.name == "categories" else 7}
        assert entry_leaf_hash(changed) != base, col.name
