"""The sequencer: gives waiting log entries their place in the Merkle tree, signs a checkpoint
over each batch and hands it to the witness directory.

Safe to run in every hub process at once (a periodic job of `wijkhub serve`, or `wijkhub log
sequence` from cron): on PostgreSQL the tree head's row is taken with `SKIP LOCKED`, so only
one process extends the tree at a time and the others return at once; on SQLite the single
writer does the same. Writers of entries are never held up by it.

The checkpoint is stored in the same transaction as the batch, and written to the witness
directory only after the commit: a witness never holds a tree the database rolled back.
"""

from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.core import checkpoints, log_tree, witness
from wijkhub.hub.core.checkpoints import LogKey
from wijkhub.hub.core.clock import Clock
from wijkhub.hub.core.crypto import KeyRing
from wijkhub.hub.core.db import Database
from wijkhub.hub.core.settings import Settings
from wijkhub.hub.store.tables import LOG_CHECKPOINT


@dataclass
class Sequenced:
    added: int = 0  # leaves that got a place
    size: int = 0  # the tree's size afterwards
    checkpoints: int = 0  # checkpoints signed
    busy: bool = False  # another process held the tree


def log_keys(ring: KeyRing) -> list[LogKey]:
    """Every log key of the ring, the retired ones with the size they were retired at."""
    return [
        LogKey(kid, pub, ring.log_retired.get(kid)) for kid, pub in ring.public_log_keys().items()
    ]


async def newest_checkpoint(conn: AsyncConnection) -> str | None:
    row = (
        await conn.execute(
            select(LOG_CHECKPOINT.c.note)
            .order_by(LOG_CHECKPOINT.c.tree_size.desc(), LOG_CHECKPOINT.c.id.desc())
            .limit(1)
        )
    ).first()
    return row.note if row else None


async def _batch(
    db: Database, ring: KeyRing, settings: Settings, clock: Clock
) -> tuple[log_tree.Extension | None, str | None]:
    async with db.write() as conn:
        ext = await log_tree.extend(conn, clock.now(), settings.log.batch_size)
        if ext is None:
            return None, None
        last = (await conn.execute(select(func.max(LOG_CHECKPOINT.c.tree_size)))).scalar()
        if ext.size == 0 or (last is not None and ext.size <= last):
            return ext, None
        ring.refresh()  # a rotation by `wijkhub log rotate-key` in another process
        kid, key = ring.log_key()
        note = checkpoints.sign(settings.log_origin, ext.size, ext.root, key)
        await conn.execute(
            insert(LOG_CHECKPOINT).values(
                tree_size=ext.size,
                root_hash=ext.root.hex(),
                key_id=kid,
                note=note,
                signed_at=clock.now(),
            )
        )
    return ext, note


async def sequence(db: Database, ring: KeyRing, settings: Settings, clock: Clock) -> Sequenced:
    """Place every waiting leaf (in batches of `log.batch_size`), one checkpoint per batch."""
    out = Sequenced()
    while True:
        ext, note = await _batch(db, ring, settings, clock)
        if ext is None:
            out.busy = True
            break
        out.added += ext.size - ext.old_size
        out.size = ext.size
        if note is not None:
            out.checkpoints += 1
            witness.write(settings.witness_path, ext.size, note)
        if ext.size - ext.old_size < settings.log.batch_size:
            break
    # A process that stopped between its commit and the witness file: catch up.
    async with db.read() as conn:
        newest = await newest_checkpoint(conn)
    if newest is not None:
        cp = checkpoints.parse(newest)
        witness.write(settings.witness_path, cp.size, newest)
    return out
