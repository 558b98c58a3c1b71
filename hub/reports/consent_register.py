"""The consent register as the privacy officer searches it: every consent, with filters."""

import uuid
from datetime import date, datetime

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
)
from sqlalchemy import or_, select

from wijkhub.hub.core import read_log
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.records import consents as consent_registry
from wijkhub.hub.store.tables import CONSENT
from wijkhub.schemas.common import to_utc
from wijkhub.schemas.consent import Consent, ConsentStatus


class ConsentFilter(BaseModel):
    """`valid_on`: validity period covers that date. `period_start`/`period_end`: validity
    period overlaps that period. `recorded_since`/`recorded_until`: when it was recorded."""

    model_config = ConfigDict(extra="forbid")
    client_id: uuid.UUID | None = None
    partner_id: str | None = Field(None, max_length=63)
    status: ConsentStatus | None = None
    valid_on: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    recorded_since: AwareDatetime | None = None
    recorded_until: AwareDatetime | None = None
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10_000_000)

    @field_validator("recorded_since", "recorded_until")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return to_utc(value) if value else None


async def list_consents(
    ctx: HubContext, f: ConsentFilter, reader: read_log.Reader
) -> list[Consent]:
    stmt = select(CONSENT)
    if f.client_id:
        stmt = stmt.where(CONSENT.c.client_id == f.client_id.hex)
    if f.partner_id:
        stmt = stmt.where(CONSENT.c.partner_id == f.partner_id)
    if f.status:
        stmt = stmt.where(CONSENT.c.status == f.status.value)
    if f.valid_on:
        stmt = stmt.where(
            CONSENT.c.valid_from <= f.valid_on,
            or_(CONSENT.c.valid_until.is_(None), CONSENT.c.valid_until >= f.valid_on),
        )
    if f.period_end:
        stmt = stmt.where(CONSENT.c.valid_from <= f.period_end)
    if f.period_start:
        stmt = stmt.where(
            or_(CONSENT.c.valid_until.is_(None), CONSENT.c.valid_until >= f.period_start)
        )
    if f.recorded_since:
        stmt = stmt.where(CONSENT.c.recorded_at >= f.recorded_since)
    if f.recorded_until:
        stmt = stmt.where(CONSENT.c.recorded_at < f.recorded_until)
    stmt = stmt.order_by(CONSENT.c.recorded_at, CONSENT.c.id).offset(f.offset).limit(f.limit)
    async with ctx.db.write() as conn:
        rows = (await conn.execute(stmt)).all()
        await read_log.record(
            conn, reader, read_log.CONSENT_REGISTER, [r.client_id for r in rows], ctx.clock.now()
        )
    return [consent_registry.from_row(r, ctx) for r in rows]
