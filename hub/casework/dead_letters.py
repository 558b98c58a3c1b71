"""Dead letters: list them, and replay them (back to `queued`).

Replay decisions:
- The row keeps its id, payload and **idempotency key**, so a partner that did receive an
  earlier try (its acknowledgement was lost) drops the repeat.
- `attempts` restarts at 0: the row gets the full retry budget and backoff again. Earlier
  attempts stay in `delivery_attempt` (their numbers restart too; order them by
  `started_at`), and the replay itself is an entry in the processing log.
- The worker re-checks the policy before sending, as for every try: a replay never sends
  what consent no longer covers.
- Automatic replay (`worker.replay_dead_on_recovery`, on by default): when a partner's
  breaker closes again, the worker replays that partner's dead rows that used up their tries
  (`delivery.py`; a message the partner refused would only be refused again); the log entry
  says why. A dead advice also climbs the dead letters' escalation ladder
  (`escalation.py`, `milestones.dead_letter`).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.core.db import Database
from wijkhub.hub.core.processing_log import STATUS_OK, LogEntry, append
from wijkhub.hub.store.tables import DELIVERY, ITEM
from wijkhub.schemas.status import DeliveryStatus

DEAD = DeliveryStatus.dead.value


@dataclass(frozen=True)
class DeadLetter:
    id: str
    partner_id: str
    kind: str
    attempts: int
    last_error: str | None
    updated_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "updated_at": self.updated_at.isoformat()}


async def list_dead(
    conn: AsyncConnection, partner: str | None = None, limit: int = 1000
) -> list[DeadLetter]:
    """Dead rows, oldest first: no payload, no client, nothing personal."""
    q = select(
        DELIVERY.c.id,
        DELIVERY.c.partner_id,
        DELIVERY.c.kind,
        DELIVERY.c.attempts,
        DELIVERY.c.last_error,
        DELIVERY.c.updated_at,
    ).where(DELIVERY.c.status == DEAD)
    if partner:
        q = q.where(DELIVERY.c.partner_id == partner)
    rows = await conn.execute(q.order_by(DELIVERY.c.updated_at, DELIVERY.c.id).limit(limit))
    return [DeadLetter(*r) for r in rows.all()]


async def replay(
    db: Database,
    now: datetime,
    actor: str,
    *,
    ids: list[str] | None = None,
    partner: str | None = None,
    why: str | None = None,
    min_attempts: int | None = None,
) -> list[str]:
    """Re-queue dead rows (all of a partner's, or the given ids); returns the ids re-queued.
    Ids that are not dead (delivered meanwhile, unknown) are left alone."""
    # A payload emptied by retention is gone for good: nothing to send again.
    cond = [DELIVERY.c.status == DEAD, func.coalesce(func.length(DELIVERY.c.payload), 0) > 0]
    if ids:
        cond.append(DELIVERY.c.id.in_(ids))
    if partner:
        cond.append(DELIVERY.c.partner_id == partner)
    if min_attempts is not None:
        # Only rows that used up their tries: one the partner refused (4xx) fails again.
        cond.append(DELIVERY.c.attempts >= min_attempts)
    async with db.write() as conn:
        rows = (
            await conn.execute(
                select(
                    DELIVERY.c.id,
                    DELIVERY.c.partner_id,
                    DELIVERY.c.kind,
                    DELIVERY.c.attempts,
                    DELIVERY.c.trace_id,
                    ITEM.c.client_id,
                    ITEM.c.advice_type,
                    ITEM.c.legal_basis,
                    ITEM.c.rules_version,
                )
                .join(ITEM, ITEM.c.id == DELIVERY.c.item_id)
                .where(*cond)
                .order_by(DELIVERY.c.id)
                # Not twice at once (PostgreSQL); SQLite writers are serial anyway.
                .with_for_update(of=DELIVERY)
            )
        ).all()
        if not rows:
            return []
        done = [r.id for r in rows]
        await conn.execute(
            update(DELIVERY)
            .where(DELIVERY.c.id.in_(done), DELIVERY.c.status == DEAD)
            .values(
                status=DeliveryStatus.queued.value,
                attempts=0,
                next_attempt_at=now,
                lease_owner=None,
                lease_expires_at=None,
                updated_at=now,
            )
        )
        await append(
            conn,
            [
                LogEntry(
                    name=f"delivery.{r.kind}.replay",
                    actor=actor,
                    outcome=DeliveryStatus.queued.value,
                    status_code=STATUS_OK,
                    trace_id=r.trace_id,
                    data_subject_id=r.client_id,
                    partner_id=r.partner_id,
                    purpose=r.advice_type,
                    legal_basis=r.legal_basis,
                    rules_version=r.rules_version,
                    detail=f"dead letter {r.id} opnieuw aangeboden na {r.attempts} pogingen"
                    + (f" ({why})" if why else ""),
                )
                for r in rows
            ],
            now,
        )
    return done
