"""The processing log: one entry per decision or data movement, chained by SHA-256.

Each entry's hash covers its own fields, its sequence number and the previous entry's hash,
so altering, deleting or reordering an entry breaks the chain at that entry. Entries are
appended inside the same transaction as the change they describe: no change without its
entry, no entry without its change. (The Logboek Dataverwerkingen standard has no integrity
mechanism; the chain is Wijkhub's own addition.)
"""

import hashlib
import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.store.tables import LOG

GENESIS = "0" * 64

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


async def append(conn: AsyncConnection, entries: Iterable[LogEntry], now: datetime) -> None:
    """Append entries to the chain within the caller's write transaction."""
    entries = list(entries)
    if not entries:
        return
    if conn.dialect.name == "postgresql":
        # Concurrent appenders on PostgreSQL queue here; SQLite writers are already serial.
        await conn.execute(text("SELECT pg_advisory_xact_lock(7271001)"))
    last = (
        await conn.execute(select(LOG.c.seq, LOG.c.hash).order_by(LOG.c.seq.desc()).limit(1))
    ).first()
    seq, prev = (last.seq, last.hash) if last else (0, GENESIS)
    rows = []
    for e in entries:
        seq += 1
        row: dict[str, object] = {
            "seq": seq,
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
            "prev_hash": prev,
        }
        row["hash"] = prev = entry_hash(row)
        # Stored beside the entry, outside the hashed fields: the chain's content is unchanged.
        row["foreign_operation"] = e.foreign_operation
        rows.append(row)
    await conn.execute(insert(LOG), rows)


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    problem: str | None = None


async def verify(conn: AsyncConnection, batch: int = 5000) -> VerifyResult:
    """Walk the whole chain in order; name the first entry that does not fit."""
    prev, expected_seq, checked = GENESIS, 1, 0
    after = 0
    while True:
        rows = (
            (
                await conn.execute(
                    select(LOG).where(LOG.c.seq > after).order_by(LOG.c.seq).limit(batch)
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
                return VerifyResult(
                    False, checked, expected_seq, f"entry {expected_seq} is missing"
                )
            if row["prev_hash"] != prev:
                return VerifyResult(
                    False, checked, row["seq"], "does not link to the previous entry"
                )
            if entry_hash(row) != row["hash"]:
                return VerifyResult(False, checked, row["seq"], "content does not match its hash")
            prev = row["hash"]
            expected_seq += 1
            checked += 1
        after = rows[-1]["seq"]
