"""Revision 0009: the entries of the former hash chain become the first leaves of the tree, the
chain's verification still runs over them, and the downgrade chains the new entries on."""

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support.pg import BACKENDS, PgServer
from wijkhub.hub.core import merkle
from wijkhub.hub.core.db import Database, alembic_config, upgrade
from wijkhub.hub.core.log_tree import extend, head
from wijkhub.hub.core.processing_log import (
    GENESIS,
    LogEntry,
    append,
    entry_hash,
    entry_leaf_hash,
    new_trace_id,
    verify,
    verify_chain,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
INSERT_0008 = text(
    "INSERT INTO processing_log (seq, trace_id, span_id, parent_span_id, name, start_time,"
    " end_time, status_code, actor, data_subject_id, partner_id, purpose, legal_basis,"
    " categories, outcome, detail, rules_version, prev_hash, hash) VALUES (:seq, :trace_id,"
    " :span_id, :parent_span_id, :name, :start_time, :end_time, :status_code, :actor,"
    " :data_subject_id, :partner_id, :purpose, :legal_basis, :categories, :outcome, :detail,"
    " :rules_version, :prev_hash, :hash)"
)


def chained(n: int) -> list[dict[str, object]]:
    """What revision 0008's `append` wrote (its entry_hash is unchanged)."""
    rows, prev = [], GENESIS
    for seq in range(1, n + 1):
        row: dict[str, object] = {
            "seq": seq,
            "trace_id": new_trace_id(),
            "span_id": f"{seq:016x}",
            "parent_span_id": None,
            "name": "delivery.advice",
            "start_time": NOW + timedelta(seconds=seq),
            "end_time": NOW + timedelta(seconds=seq),
            "status_code": 1,
            "actor": "worker",
            "data_subject_id": f"{seq:032x}",
            "partner_id": "stadsbank" if seq % 2 else "gi",
            "purpose": None,
            "legal_basis": "consent",
            "categories": ["contact", "identification"],
            "outcome": "delivered",
            "detail": None,
            "rules_version": "1",
            "prev_hash": prev,
        }
        row["hash"] = prev = entry_hash(row)
        rows.append(row)
    return rows


@pytest.fixture(params=BACKENDS)
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
        return
    pg: PgServer = request.getfixturevalue("pg")
    name = await pg.create_db(template=False)
    try:
        yield pg.url(name)
    finally:
        await pg.drop_db(name)


def stamp(value: object, url: str) -> object:
    assert isinstance(value, datetime)
    return value if "postgresql" in url else value.replace(tzinfo=None).isoformat(" ")


async def at_0008_with_chain(url: str, n: int) -> list[dict[str, object]]:
    await upgrade(url, "0008")
    rows = chained(n)
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        for r in rows:
            await conn.execute(
                INSERT_0008,
                {
                    **r,
                    "categories": '["contact","identification"]',
                    # As revision 0008 stored them: UTC; on SQLite as naive text.
                    "start_time": stamp(r["start_time"], url),
                    "end_time": stamp(r["end_time"], url),
                },
            )
    await engine.dispose()
    return rows


async def test_chained_entries_become_the_first_leaves(url: str) -> None:
    rows = await at_0008_with_chain(url, 37)
    await upgrade(url)
    db = Database(url)
    try:
        async with db.read() as conn:
            stored = (
                (await conn.execute(text("SELECT seq, leaf_index, leaf_hash FROM processing_log")))
                .mappings()
                .all()
            )
            assert sorted((r["seq"], r["leaf_index"]) for r in stored) == [
                (s, s - 1) for s in range(1, 38)
            ]
            tree = await head(conn)
            res = await verify(conn)
            chain = await verify_chain(conn)
        # The migration's copy of the leaf content agrees with the hub's.
        leaves = [bytes.fromhex(entry_leaf_hash(r)) for r in rows]
        assert {r["leaf_hash"] for r in stored} == {h.hex() for h in leaves}
        assert tree.size == 37 and tree.root == merkle.root(37, merkle.memory_nodes(leaves))
        assert res.ok and res.checked == 37, res.findings
        assert chain.ok and chain.checked == 37

        # New entries are leaves after them; the old chain still verifies over the old ones.
        async with db.write() as conn:
            await append(
                conn,
                [LogEntry(name="t", actor="t", outcome="ok", trace_id=new_trace_id())] * 3,
                NOW,
            )
            await extend(conn, NOW, 100)
        async with db.read() as conn:
            res = await verify(conn)
        assert res.ok and res.checked == 40

        # Tampering with a migrated entry is caught by the tree and by the old chain.
        async with db.write() as conn:
            await conn.execute(text("UPDATE processing_log SET outcome = 'blocked' WHERE seq = 7"))
        async with db.read() as conn:
            res = await verify(conn)
            chain = await verify_chain(conn)
        assert res.first_broken_seq == 7 and chain.first_broken_seq == 7
        assert any("regel 7" in f and "oude hashketen" in f for f in res.findings)
    finally:
        await db.dispose()


async def test_downgrade_chains_the_new_entries_onto_the_old_chain(url: str) -> None:
    await at_0008_with_chain(url, 5)
    await upgrade(url)
    db = Database(url)
    async with db.write() as conn:
        await append(
            conn,
            [LogEntry(name="t", actor="t", outcome="ok", trace_id=new_trace_id())] * 4,
            NOW,
        )
    await db.dispose()
    await asyncio.to_thread(command.downgrade, alembic_config(url), "0008")
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        rows = [
            dict(r)
            for r in (await conn.execute(text("SELECT * FROM processing_log ORDER BY seq")))
            .mappings()
            .all()
        ]
    await engine.dispose()
    assert "leaf_hash" not in rows[0]
    prev = GENESIS
    for i, r in enumerate(rows, 1):
        if isinstance(r["categories"], str):
            r["categories"] = json.loads(r["categories"])
        for k in ("start_time", "end_time"):
            if isinstance(r[k], str):
                r[k] = datetime.fromisoformat(r[k]).replace(tzinfo=UTC)
        assert r["seq"] == i and r["prev_hash"] == prev and entry_hash(r) == r["hash"]
        prev = r["hash"]
    assert len(rows) == 9
