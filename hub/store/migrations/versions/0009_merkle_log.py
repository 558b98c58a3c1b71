"""processing log as a Merkle tree

Entries become leaves of an RFC 9162 Merkle tree: each carries its leaf hash, the sequencer
gives it a position (`leaf_index`) and stores every complete subtree (`log_node`), the tree
head (`log_tree`) and the signed checkpoints (`log_checkpoint`). The entries of the former
hash chain become the first leaves, in chain order; their `prev_hash` / `hash` stay, so the
chain's own verification still runs over them.

The leaf content is computed here as hub/core/processing_log.py computes it (the store may
not import the core); tests/store/test_log_migration.py checks that the two agree.

Downgrade chains the entries written as leaves onto the old chain (the old `entry_hash`),
then drops the tree.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

import base64
import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

import wijkhub.hub.store.tables

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString
TS = wijkhub.hub.store.tables.UTCDateTime
BATCH = 2000
GENESIS = "0" * 64
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SEQUENCER_COLUMNS = frozenset({"seq", "leaf_index", "leaf_hash"})

LOG = sa.table(
    "processing_log",
    sa.column("seq", sa.Integer),
    sa.column("trace_id", S),
    sa.column("span_id", S),
    sa.column("parent_span_id", S),
    sa.column("name", S),
    sa.column("start_time", TS(timezone=True)),
    sa.column("end_time", TS(timezone=True)),
    sa.column("status_code", sa.Integer),
    sa.column("actor", S),
    sa.column("data_subject_id", S),
    sa.column("partner_id", S),
    sa.column("purpose", S),
    sa.column("legal_basis", S),
    sa.column("categories", sa.JSON),
    sa.column("outcome", S),
    sa.column("detail", S),
    sa.column("rules_version", S),
    sa.column("prev_hash", S),
    sa.column("hash", S),
    sa.column("leaf_hash", S),
    sa.column("leaf_index", sa.Integer),
)
NODE = sa.table(
    "log_node", sa.column("level", sa.Integer), sa.column("idx", sa.Integer), sa.column("hash", S)
)
TREE = sa.table(
    "log_tree",
    sa.column("id", sa.Integer),
    sa.column("size", sa.Integer),
    sa.column("root_hash", S),
    sa.column("updated_at", TS(timezone=True)),
)


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode()}
    return value


def leaf_content(row: dict[str, Any]) -> bytes:
    material = {
        k: _canonical(v) for k, v in row.items() if k not in SEQUENCER_COLUMNS and v is not None
    }
    return json.dumps(material, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def upgrade() -> None:
    with op.batch_alter_table("processing_log", schema=None) as batch_op:
        batch_op.alter_column("prev_hash", existing_type=S(), nullable=True)
        batch_op.alter_column("hash", existing_type=S(), nullable=True)
        batch_op.add_column(sa.Column("leaf_hash", S(), nullable=True))
        batch_op.add_column(sa.Column("leaf_index", sa.Integer(), nullable=True))
        batch_op.create_index("ix_processing_log_leaf_index", ["leaf_index"], unique=True)
    op.create_table(
        "log_node",
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hash", S(), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx"),
    )
    op.create_table(
        "log_tree",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("root_hash", S(), nullable=False),
        sa.Column("updated_at", TS(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "log_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tree_size", sa.Integer(), nullable=False),
        sa.Column("root_hash", S(), nullable=False),
        sa.Column("key_id", S(), nullable=False),
        sa.Column("note", S(), nullable=False),
        sa.Column("signed_at", TS(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("log_checkpoint", schema=None) as batch_op:
        batch_op.create_index("ix_log_checkpoint_tree_size", ["tree_size"], unique=False)

    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        # The chain's writers chose `seq` themselves, so PostgreSQL's sequence never moved;
        # from now on the database numbers the entries: start it after the last one.
        conn.execute(
            sa.text(
                "SELECT setval(pg_get_serial_sequence('processing_log', 'seq'),"
                " COALESCE(MAX(seq), 0) + 1, false) FROM processing_log"
            )
        )
    size, root = _chain_to_leaves(conn)
    # The head's time is the newest entry's (a migration reads no clock).
    newest = conn.execute(sa.select(sa.func.max(LOG.c.end_time))).scalar()
    conn.execute(
        sa.insert(TREE).values(id=1, size=size, root_hash=root.hex(), updated_at=newest or EPOCH)
    )
    with op.batch_alter_table("processing_log", schema=None) as batch_op:
        batch_op.alter_column("leaf_hash", existing_type=S(), nullable=False)


def _chain_to_leaves(conn: sa.Connection) -> tuple[int, bytes]:
    """The chained entries, in chain order, become leaves 0 .. n-1; every complete subtree
    is stored as the sequencer would store it."""
    stack: list[tuple[int, bytes]] = []  # the frontier: (level, hash), largest first
    size, after = 0, 0
    while True:
        rows = (
            conn.execute(sa.select(LOG).where(LOG.c.seq > after).order_by(LOG.c.seq).limit(BATCH))
            .mappings()
            .all()
        )
        if not rows:
            break
        nodes = []
        for r in rows:
            row = dict(r)
            leaf = _leaf(leaf_content(row))
            conn.execute(
                sa.update(LOG)
                .where(LOG.c.seq == row["seq"])
                .values(leaf_hash=leaf.hex(), leaf_index=size)
            )
            level, h, index = 0, leaf, size
            nodes.append({"level": 0, "idx": index, "hash": h.hex()})
            while stack and stack[-1][0] == level:
                h = _node(stack.pop()[1], h)
                level, index = level + 1, index >> 1
                nodes.append({"level": level, "idx": index, "hash": h.hex()})
            stack.append((level, h))
            size += 1
        conn.execute(sa.insert(NODE), nodes)
        after = rows[-1]["seq"]
    if not stack:
        return 0, hashlib.sha256(b"").digest()
    root = stack[-1][1]
    for _, h in reversed(stack[:-1]):
        root = _node(h, root)
    return size, root


def _entry_hash(row: dict[str, Any]) -> str:
    """The former chain's hash (hub/core/processing_log.py:entry_hash as of revision 0008)."""
    keys = (
        "seq",
        "trace_id",
        "span_id",
        "parent_span_id",
        "name",
        "start_time",
        "end_time",
        "status_code",
        "actor",
        "data_subject_id",
        "partner_id",
        "purpose",
        "legal_basis",
        "categories",
        "outcome",
        "detail",
        "rules_version",
        "prev_hash",
    )
    material = {k: row[k] for k in keys}
    for k in ("start_time", "end_time"):
        material[k] = row[k].astimezone(UTC).isoformat()
    blob = json.dumps(material, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def downgrade() -> None:
    conn = op.get_bind()
    # Entries written as leaves only: chain them after the last chained entry, in seq order,
    # so revision 0008's verification holds over the whole log again.
    last = conn.execute(
        sa.select(LOG.c.hash).where(LOG.c.hash.is_not(None)).order_by(LOG.c.seq.desc()).limit(1)
    ).scalar()
    prev = last or GENESIS
    seq = conn.execute(sa.select(sa.func.count()).where(LOG.c.hash.is_not(None))).scalar() or 0
    after = 0
    while True:
        rows = (
            conn.execute(
                sa.select(LOG)
                .where(LOG.c.hash.is_(None), LOG.c.seq > after)
                .order_by(LOG.c.seq)
                .limit(BATCH)
            )
            .mappings()
            .all()
        )
        if not rows:
            break
        for r in rows:
            # The old chain wants seq 1, 2, 3 ... without gaps (PostgreSQL's sequence leaves
            # some): close them up. Each row moves down into a number already vacated.
            seq += 1
            row = {**dict(r), "seq": seq, "prev_hash": prev}
            prev = _entry_hash(row)
            conn.execute(
                sa.update(LOG)
                .where(LOG.c.seq == r["seq"])
                .values(seq=seq, prev_hash=row["prev_hash"], hash=prev)
            )
        after = rows[-1]["seq"]
    with op.batch_alter_table("log_checkpoint", schema=None) as batch_op:
        batch_op.drop_index("ix_log_checkpoint_tree_size")
    op.drop_table("log_checkpoint")
    op.drop_table("log_tree")
    op.drop_table("log_node")
    with op.batch_alter_table("processing_log", schema=None) as batch_op:
        batch_op.drop_index("ix_processing_log_leaf_index")
        batch_op.drop_column("leaf_index")
        batch_op.drop_column("leaf_hash")
        batch_op.alter_column("hash", existing_type=S(), nullable=False)
        batch_op.alter_column("prev_hash", existing_type=S(), nullable=False)
