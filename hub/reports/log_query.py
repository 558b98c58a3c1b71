"""Reading the processing log with filters (privacy officer; read-only)."""

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.core import read_log
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.store.tables import LOG
from wijkhub.schemas.common import to_utc


class LogFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")
    data_subject_id: UUID | None = None
    partner_id: str | None = Field(None, max_length=63)
    name: str | None = Field(None, max_length=63)
    outcome: str | None = Field(None, max_length=63)
    trace_id: str | None = Field(None, pattern=r"^[0-9a-f]{32}$")
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None
    after_seq: int = Field(0, ge=0, le=2**63 - 1)

    @field_validator("since", "until")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return to_utc(value) if value else None

    limit: int = Field(100, ge=1, le=1000)


async def query(ctx: HubContext, f: LogFilter, reader: read_log.Reader) -> list[dict[str, Any]]:
    """A look-up in the log: the entries show which clients were processed, so the look-up is
    itself a read of each client among them, logged with the read."""
    async with ctx.db.write() as conn:
        rows = await page(conn, f)
        await read_log.record(conn, reader, read_log.LOG, subjects(rows), ctx.clock.now())
    return rows


def subjects(rows: list[dict[str, Any]]) -> list[str]:
    """The compact client ids among `rows`, as the log stores them."""
    return [UUID(r["data_subject_id"]).hex for r in rows if r["data_subject_id"]]


async def high_water(conn: AsyncConnection) -> int:
    return int(await conn.scalar(select(func.coalesce(func.max(LOG.c.seq), 0))) or 0)


async def page(
    conn: AsyncConnection, f: LogFilter, upto_seq: int | None = None
) -> list[dict[str, Any]]:
    """One page of entries, not logged: for callers that log the read themselves."""
    stmt = select(LOG).where(LOG.c.seq > f.after_seq)
    if upto_seq is not None:
        stmt = stmt.where(LOG.c.seq <= upto_seq)
    if f.data_subject_id is not None:
        stmt = stmt.where(LOG.c.data_subject_id == f.data_subject_id.hex)
    for col in ("partner_id", "name", "outcome", "trace_id"):
        value = getattr(f, col)
        if value is not None:
            stmt = stmt.where(LOG.c[col] == value)
    if f.since:
        stmt = stmt.where(LOG.c.start_time >= f.since)
    if f.until:
        stmt = stmt.where(LOG.c.start_time < f.until)
    rows = (await conn.execute(stmt.order_by(LOG.c.seq).limit(f.limit))).mappings().all()
    # The API shows client ids as canonical UUIDs everywhere; the store keeps them compact.
    return [
        {**r, "data_subject_id": str(UUID(r["data_subject_id"])) if r["data_subject_id"] else None}
        for r in rows
    ]
