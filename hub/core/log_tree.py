"""The processing log's Merkle tree as stored: positions for new leaves, the stored subtrees,
roots and proofs read from them.

`extend` is the sequencer's one step: it takes the tree head's row lock (PostgreSQL: `FOR
UPDATE SKIP LOCKED`, so a second sequencer returns at once instead of waiting; SQLite: the
single writer), claims the oldest leaves without a position, numbers them after the tree's
last leaf and stores every complete subtree they finish. Only the sequencer writes here;
writers of entries never touch these tables.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.core.merkle import (
    Frontier,
    NodeFn,
    consistency_proof,
    inclusion_proof,
    needed_nodes,
    root,
)
from wijkhub.hub.store.tables import LOG, LOG_NODE, LOG_TREE


class TreeError(RuntimeError):
    """The stored tree lacks a subtree a root or proof needs (damaged or rewritten)."""


@dataclass(frozen=True)
class Head:
    size: int
    root: bytes
    updated_at: datetime


@dataclass(frozen=True)
class Extension:
    old_size: int
    size: int
    root: bytes


async def head(conn: AsyncConnection) -> Head:
    row = (await conn.execute(select(LOG_TREE).where(LOG_TREE.c.id == 1))).first()
    if row is None:
        raise TreeError("the log has no tree head; run `wijkhub db upgrade`")
    return Head(row.size, bytes.fromhex(row.root_hash), row.updated_at)


async def nodes(conn: AsyncConnection, keys: list[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    found: dict[tuple[int, int], bytes] = {}
    for i in range(0, len(keys), 200):
        chunk = keys[i : i + 200]
        cond = or_(*(and_(LOG_NODE.c.level == lv, LOG_NODE.c.idx == ix) for lv, ix in chunk))
        for r in (await conn.execute(select(LOG_NODE).where(cond))).all():
            found[(r.level, r.idx)] = bytes.fromhex(r.hash)
    return found


async def _node_fn(conn: AsyncConnection, keys: list[tuple[int, int]]) -> NodeFn:
    found = await nodes(conn, keys)

    def node(level: int, index: int) -> bytes:
        try:
            return found[(level, index)]
        except KeyError:
            raise TreeError(f"subtree {level}/{index} is missing from the stored tree") from None

    return node


async def root_at(conn: AsyncConnection, size: int) -> bytes:
    keys = needed_nodes(lambda f: root(size, f))
    return root(size, await _node_fn(conn, keys))


async def inclusion(conn: AsyncConnection, index: int, size: int) -> list[bytes]:
    keys = needed_nodes(lambda f: inclusion_proof(index, size, f))
    return inclusion_proof(index, size, await _node_fn(conn, keys))


async def consistency(conn: AsyncConnection, old: int, new: int) -> list[bytes]:
    keys = needed_nodes(lambda f: consistency_proof(old, new, f))
    return consistency_proof(old, new, await _node_fn(conn, keys))


async def lock(conn: AsyncConnection) -> None:
    """Wait for the tree head (PostgreSQL; SQLite's writer is alone anyway): whatever the
    caller does next, no sequencer runs meanwhile (a log key rotation)."""
    stmt = select(LOG_TREE.c.id).where(LOG_TREE.c.id == 1)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    await conn.execute(stmt)


async def extend(conn: AsyncConnection, now: datetime, limit: int) -> Extension | None:
    """Give up to `limit` waiting leaves their positions, within the caller's write
    transaction. None: another sequencer holds the tree right now."""
    locked = select(LOG_TREE).where(LOG_TREE.c.id == 1)
    if conn.dialect.name == "postgresql":
        locked = locked.with_for_update(skip_locked=True)
    row = (await conn.execute(locked)).first()
    if row is None:
        return None
    old = row.size
    claim = select(LOG.c.seq, LOG.c.leaf_hash).where(LOG.c.leaf_index.is_(None))
    claim = claim.order_by(LOG.c.seq).limit(limit)
    if conn.dialect.name == "postgresql":
        claim = claim.with_for_update(skip_locked=True)
    leaves = (await conn.execute(claim)).all()
    if not leaves:
        return Extension(old, old, bytes.fromhex(row.root_hash))
    frontier = Frontier.load(old, await _node_fn(conn, Frontier.levels(old)))
    made: list[dict[str, object]] = []
    positions: list[dict[str, int]] = []
    for leaf in leaves:
        positions.append({"s": leaf.seq, "i": frontier.size})
        made.extend(
            {"level": lv, "idx": ix, "hash": h.hex()}
            for lv, ix, h in frontier.append(bytes.fromhex(leaf.leaf_hash))
        )
    await conn.execute(
        update(LOG).where(LOG.c.seq == bindparam("s")).values(leaf_index=bindparam("i")),
        positions,
    )
    await conn.execute(insert(LOG_NODE), made)
    new_root = frontier.root()
    await conn.execute(
        update(LOG_TREE)
        .where(LOG_TREE.c.id == 1)
        .values(size=frontier.size, root_hash=new_root.hex(), updated_at=now)
    )
    return Extension(old, frontier.size, new_root)
