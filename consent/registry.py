"""The consent registry: record, list and withdraw consents, each change logged."""

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.processing_log import LogEntry, append
from wijkhub.hub.tables import ConsentRow
from wijkhub.schemas.consent import Consent, ConsentIn, ConsentStatus

T = ConsentRow.__table__  # type: ignore[attr-defined]


def from_row(row: Any) -> Consent:
    return Consent.model_validate(dict(row._mapping))


async def record(
    conn: AsyncConnection,
    client_id: str,
    consent: ConsentIn,
    actor: str,
    now: datetime,
    trace_id: str,
) -> Consent:
    values = {
        **consent.model_dump(mode="json"),
        "valid_from": consent.valid_from,
        "valid_until": consent.valid_until,
        "id": uuid.uuid4().hex,
        "client_id": client_id,
        "status": ConsentStatus.active.value,
        "recorded_by": actor,
        "recorded_at": now,
    }
    await conn.execute(insert(T).values(**values))
    await append(
        conn,
        [
            LogEntry(
                name="consent.record",
                actor=actor,
                outcome="recorded",
                trace_id=trace_id,
                data_subject_id=client_id,
                partner_id=consent.partner_id,
                purpose=",".join(consent.purposes),
                legal_basis="consent",
                categories=[c.value for c in consent.categories],
                detail=f"explicit={consent.explicit}; evidence={consent.evidence_ref}",
            )
        ],
        now,
    )
    return Consent.model_validate(values)


async def for_clients(conn: AsyncConnection, client_ids: Iterable[str]) -> list[Consent]:
    rows = (await conn.execute(select(T).where(T.c.client_id.in_(list(client_ids))))).all()
    return [from_row(r) for r in rows]


async def get(conn: AsyncConnection, consent_id: str) -> Consent | None:
    row = (await conn.execute(select(T).where(T.c.id == consent_id))).first()
    return from_row(row) if row else None


async def mark_withdrawn(
    conn: AsyncConnection,
    consent: Consent,
    reason: str,
    actor: str,
    now: datetime,
    trace_id: str,
) -> Consent:
    await conn.execute(
        update(T)
        .where(T.c.id == consent.id.hex)
        .values(
            status=ConsentStatus.withdrawn.value,
            withdrawn_at=now,
            withdrawn_by=actor,
            withdrawal_reason=reason,
        )
    )
    await append(
        conn,
        [
            LogEntry(
                name="consent.withdraw",
                actor=actor,
                outcome="withdrawn",
                trace_id=trace_id,
                data_subject_id=consent.client_id.hex,
                partner_id=consent.partner_id,
                purpose=",".join(consent.purposes),
                legal_basis="consent",
                categories=[c.value for c in consent.categories],
            )
        ],
        now,
    )
    return consent.model_copy(
        update={
            "status": ConsentStatus.withdrawn,
            "withdrawn_at": now,
            "withdrawn_by": actor,
            "withdrawal_reason": reason,
        }
    )
