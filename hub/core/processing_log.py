"""The processing log: one entry per decision or data movement, each a leaf of a Merkle tree.

An entry is written inside the same transaction as the change it describes (no change without
its entry, no entry without its change), with its leaf hash: RFC 9162's SHA-256(0x00 || d)
over `leaf_content`, the canonical JSON of every column but the ones the sequencer assigns.
Writers read nothing and lock nothing: the sequencer (hub/core/sequencer.py) gives entries
their place in the tree later, in batches, and signs checkpoints over it.

Entries written before the tree carry the hash chain the log was then (`prev_hash`, `hash`);
`verify_chain` still walks it. (The Logboek Dataverwerkingen standard has no integrity
mechanism; chain and tree are Wijkhub's own addition.)
"""

import base64
import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.core.merkle import Frontier, leaf_hash
from wijkhub.hub.store.tables import LOG, LOG_CHECKPOINT, LOG_NODE, LOG_TREE

GENESIS = "0" * 64

# Messages (Dutch: the privacy officer reads them).
CHAIN_MISSING = "ontbreekt in de oude hashketen"
CHAIN_LINK = "sluit niet aan op de vorige regel van de oude hashketen"
CHAIN_CONTENT = "inhoud past niet bij de hash in de oude hashketen"

STATUS_UNSET, STATUS_OK, STATUS_ERROR = 0, 1, 2


def new_trace_id() -> str:
    return secrets.token_hex(16)


def new_span_id() -> str:
    return secrets.token_hex(8)


@dataclass
class LogEntry:
    name: str
    actor: str
    outcome: str
    trace_id: str
    status_code: int = STATUS_OK
    data_subject_id: str | None = None
    partner_id: str | None = None
    purpose: str | None = None
    legal_basis: str | None = None
    categories: Sequence[str] = ()
    detail: str | None = None
    rules_version: str | None = None
    parent_span_id: str | None = None
    span_id: str = field(default_factory=new_span_id)
    start_time: datetime | None = None
    end_time: datetime | None = None
    foreign_operation: str | None = None  # a caller's validated W3C traceparent


_HASHED = (
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


def entry_hash(row: dict[str, object]) -> str:
    material = {k: row[k] for k in _HASHED}
    for k in ("start_time", "end_time"):
        # Stored as UTC: hash the UTC form, or an entry written with another offset
        # would not verify after the round trip through the database.
        material[k] = row[k].astimezone(UTC).isoformat()  # type: ignore[union-attr]
    blob = json.dumps(material, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


# Assigned by the database and the sequencer, after the writer hashed the entry.
SEQUENCER_COLUMNS = frozenset({"seq", "leaf_index", "leaf_hash"})


def _canonical(value: object) -> object:
    if isinstance(value, datetime):
        # Stored as UTC: hash the UTC form, or an entry written with another offset would
        # not verify after the round trip through the database.
        return value.astimezone(UTC).isoformat()
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode()}
    return value


def leaf_content(row: Mapping[str, Any]) -> bytes:
    """Canonical JSON of every column of the entry except SEQUENCER_COLUMNS.

    Columns are taken from the table, so one added later is covered without a change here.
    NULL columns are left out: an entry written before a nullable column existed keeps its
    hash when the column is added, while setting or clearing any value changes it.
    """
    material = {
        c.name: _canonical(row.get(c.name))
        for c in LOG.columns
        if c.name not in SEQUENCER_COLUMNS and row.get(c.name) is not None
    }
    return json.dumps(material, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_leaf_hash(row: Mapping[str, Any]) -> str:
    return leaf_hash(leaf_content(row)).hex()


def entry_row(e: LogEntry, now: datetime) -> dict[str, object]:
    """The row `append` inserts for `e`, leaf hash included."""
    row: dict[str, object] = {
        "trace_id": e.trace_id,
        "span_id": e.span_id,
        "parent_span_id": e.parent_span_id,
        "name": e.name,
        "start_time": e.start_time or now,
        "end_time": e.end_time or now,
        "status_code": e.status_code,
        "actor": e.actor,
        "data_subject_id": e.data_subject_id,
        "partner_id": e.partner_id,
        "purpose": e.purpose,
        "legal_basis": e.legal_basis,
        "categories": sorted(e.categories),
        "outcome": e.outcome,
        "detail": e.detail,
        "rules_version": e.rules_version,
        "foreign_operation": e.foreign_operation,
    }
    row["leaf_hash"] = entry_leaf_hash(row)
    return row


async def append(conn: AsyncConnection, entries: Iterable[LogEntry], now: datetime) -> None:
    """Insert entries as leaves within the caller's write transaction: no tip is read and no
    lock taken, so concurrent writers never wait for each other here."""
    rows = [entry_row(e, now) for e in entries]
    if rows:
        await conn.execute(insert(LOG), rows)


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_broken_seq: int | None = None  # the first broken line ("regel"), 1-based
    problem: str | None = None
    findings: list[str] = field(default_factory=list)  # every problem, Dutch, with its place
    size: int = 0  # leaves with a position
    pending: int = 0  # leaves still waiting for the sequencer
    roots: dict[int, bytes] = field(default_factory=dict)  # root at each size asked for


@dataclass(frozen=True)
class Claim:
    """What a checkpoint says: the tree had `size` leaves and this root."""

    label: str  # Dutch, names the checkpoint ("checkpoint 12 in de database", a file name)
    size: int
    root: bytes


LEAF_MISSING = "regel {n} ontbreekt (positie {i} in de boom is leeg)"
LEAF_CONTENT = "regel {n} (positie {i}): de inhoud past niet bij de leafhash"
LEAF_MOVED = "regel {n} (positie {i}): staat niet op deze plaats in de opgeslagen boom"
LEAF_GAP_END = "regel {n} en verder: posities na het einde van de boom ({size} regels)"
HEAD_WRONG = "de boomkop zegt {head} regels met een andere wortel dan de {size} regels zelf"
CLAIM_TRUNCATED = (
    "{label} noemt {claimed} regels, de log heeft er {size}: "
    "{gone} regels aan het eind verwijderd, of de log is opnieuw opgebouwd"
)
CLAIM_ROOT = (
    "{label} (grootte {claimed}) past niet bij de log: een regel tussen regel {first} "
    "en regel {claimed} is veranderd, verwijderd, verplaatst of ingevoegd"
)
CHAIN_BROKEN = "oude hashketen gebroken bij regel {seq}: {problem}"


async def verify(
    conn: AsyncConnection, batch: int = 5000, claims: Sequence[Claim] | None = None
) -> VerifyResult:
    """Recompute the tree from the entries themselves and compare it with what the database
    stores (leaf hashes, subtrees, head) and with `claims` (by default the checkpoint rows
    in the database, unsigned: hub/core/log_verify.py adds signatures and witnesses); then
    walk the former hash chain. Every problem is named with its place."""
    if claims is None:
        claims = [
            Claim(f"checkpoint {r.id} in de database", r.tree_size, bytes.fromhex(r.root_hash))
            for r in (await conn.execute(select(LOG_CHECKPOINT))).all()
        ]
    wanted = sorted({c.size for c in claims})
    findings: list[tuple[int, str]] = []  # (line, message)
    frontier = Frontier()
    roots: dict[int, bytes] = {}
    w = 0
    while w < len(wanted) and wanted[w] == 0:
        roots[0] = frontier.root()
        w += 1
    while True:
        rows = (
            (
                await conn.execute(
                    select(LOG)
                    .where(LOG.c.leaf_index >= frontier.size)
                    .order_by(LOG.c.leaf_index)
                    .limit(batch)
                )
            )
            .mappings()
            .all()
        )
        if not rows:
            break
        stored = {
            r.idx: bytes.fromhex(r.hash)
            for r in (
                await conn.execute(
                    select(LOG_NODE.c.idx, LOG_NODE.c.hash).where(
                        LOG_NODE.c.level == 0,
                        LOG_NODE.c.idx >= frontier.size,
                        LOG_NODE.c.idx <= rows[-1]["leaf_index"],
                    )
                )
            ).all()
        }
        for r in rows:
            i = frontier.size
            if r["leaf_index"] != i:
                # Positions must run 0, 1, 2 ... without a hole: the rest cannot be placed.
                findings.append((i + 1, LEAF_MISSING.format(n=i + 1, i=i)))
                break
            recomputed = leaf_hash(leaf_content(r))
            if recomputed.hex() != r["leaf_hash"]:
                findings.append((i + 1, LEAF_CONTENT.format(n=i + 1, i=i)))
            elif stored.get(i) != recomputed:
                findings.append((i + 1, LEAF_MOVED.format(n=i + 1, i=i)))
            frontier.append(recomputed)
            while w < len(wanted) and wanted[w] == frontier.size:
                roots[frontier.size] = frontier.root()
                w += 1
        else:
            continue
        break
    size = frontier.size
    beyond = (await conn.execute(select(func.count()).where(LOG.c.leaf_index >= size))).scalar_one()
    if beyond:
        findings.append((size + 1, LEAF_GAP_END.format(n=size + 1, size=size)))
    tree = (await conn.execute(select(LOG_TREE).where(LOG_TREE.c.id == 1))).first()
    if tree is None or tree.size != size or bytes.fromhex(tree.root_hash) != frontier.root():
        findings.append((size + 1, HEAD_WRONG.format(head=tree.size if tree else 0, size=size)))
    good = [0, *sorted(c.size for c in claims if c.size <= size and roots[c.size] == c.root)]
    for c in sorted(claims, key=lambda c: c.size):
        if c.size > size:
            findings.append(
                (
                    size + 1,
                    CLAIM_TRUNCATED.format(
                        label=c.label, claimed=c.size, size=size, gone=c.size - size
                    ),
                )
            )
        elif roots[c.size] != c.root:
            first = max(g for g in good if g < c.size) + 1
            findings.append((first, CLAIM_ROOT.format(label=c.label, claimed=c.size, first=first)))
    chain = await verify_chain(conn, batch)
    if not chain.ok:
        findings.append(
            (
                chain.first_broken_seq or 0,
                CHAIN_BROKEN.format(seq=chain.first_broken_seq, problem=chain.problem),
            )
        )
    pending = (
        await conn.execute(select(func.count()).where(LOG.c.leaf_index.is_(None)))
    ).scalar_one()
    first = min(findings, key=lambda f: f[0], default=None)
    return VerifyResult(
        ok=not findings,
        checked=size,
        first_broken_seq=first[0] if first else None,
        problem=first[1] if first else None,
        findings=[m for _, m in findings],
        size=size,
        pending=pending,
        roots=roots,
    )


async def verify_chain(conn: AsyncConnection, batch: int = 5000) -> VerifyResult:
    """Walk the former hash chain (the entries written before the tree) in order; name the
    first entry that does not fit."""
    prev, expected_seq, checked = GENESIS, 1, 0
    after = 0
    while True:
        rows = (
            (
                await conn.execute(
                    select(LOG)
                    .where(LOG.c.seq > after, LOG.c.hash.is_not(None))
                    .order_by(LOG.c.seq)
                    .limit(batch)
                )
            )
            .mappings()
            .all()
        )
        if not rows:
            return VerifyResult(True, checked)
        for r in rows:
            row = dict(r)
            if row["seq"] != expected_seq:
                return VerifyResult(False, checked, expected_seq, CHAIN_MISSING)
            if row["prev_hash"] != prev:
                return VerifyResult(False, checked, row["seq"], CHAIN_LINK)
            if entry_hash(row) != row["hash"]:
                return VerifyResult(False, checked, row["seq"], CHAIN_CONTENT)
            prev = row["hash"]
            expected_seq += 1
            checked += 1
        after = rows[-1]["seq"]
