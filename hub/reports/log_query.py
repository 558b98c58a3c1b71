"""Reading the processing log with filters (privacy officer; read-only)."""

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select

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


async def query(ctx: HubContext, f: LogFilter) -> list[dict[str, Any]]:
    stmt = select(LOG).where(LOG.c.seq > f.after_seq)
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
    async with ctx.db.read() as conn:
        rows = (await conn.execute(stmt.order_by(LOG.c.seq).limit(f.limit))).mappings().all()
    # The API shows client ids as canonical UUIDs everywhere; the store keeps them compact.
    return [
        {**r, "data_subject_id": str(UUID(r["data_subject_id"])) if r["data_subject_id"] else None}
        for r in rows
    ]
