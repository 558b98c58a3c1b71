"""Reading an advice back with each item's timeline: decision, approval, attempts, partner
statuses, consultation and escalation, in order."""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.casework import approvals, consultation, escalation, plan
from wijkhub.hub.core import read_log
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import not_found
from wijkhub.hub.records import clients
from wijkhub.hub.store.tables import (
    ADVICE,
    ATTEMPT,
    DELIVERY,
    ITEM,
    STATUS,
)
from wijkhub.schemas.advice import (
    AdviceItemOut,
    AdviceOut,
    Decision,
    TimelineEvent,
)
from wijkhub.schemas.status import REJECTION_REASON_LABELS_NL, DeliveryStatus, PartnerStatus


class MemoryRow(dict[str, Any]):
    """A row built in memory that reads like a database row (`row.column`)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


async def get(
    ctx: HubContext, advice_id: str, reader: read_log.Reader, *, team: str | None = None
) -> AdviceOut:
    async with ctx.db.write() as conn:
        client_id = await conn.scalar(select(ADVICE.c.client_id).where(ADVICE.c.id == advice_id))
        if client_id is None or not await clients.in_scope(conn, client_id, team):
            raise not_found("Advies")
        advice = await load(ctx, conn, advice_id)
        await read_log.record(conn, reader, read_log.ADVICE, [client_id], ctx.clock.now())
        return advice


async def load(ctx: HubContext, conn: AsyncConnection, advice_id: str) -> AdviceOut:
    advice = (await conn.execute(select(ADVICE).where(ADVICE.c.id == advice_id))).first()
    if advice is None:
        raise not_found("Advies")
    items = (
        await conn.execute(
            select(ITEM).where(ITEM.c.advice_id == advice_id).order_by(ITEM.c.position)
        )
    ).all()
    ids = [i.id for i in items]
    deliveries = (
        await conn.execute(
            select(DELIVERY)
            .where(DELIVERY.c.item_id.in_(ids))
            # A tie-breaker: the timeline must read the same however rows were rewritten.
            .order_by(DELIVERY.c.created_at, DELIVERY.c.kind, DELIVERY.c.id)
        )
    ).all()
    attempts = (
        await conn.execute(
            select(ATTEMPT)
            .where(ATTEMPT.c.delivery_id.in_([d.id for d in deliveries]))
            .order_by(ATTEMPT.c.id)
        )
    ).all()
    statuses = (
        await conn.execute(
            select(STATUS)
            .where(STATUS.c.item_id.in_(ids))
            .order_by(STATUS.c.occurred_at, STATUS.c.id)
        )
    ).all()
    held = await approvals.for_items(conn, ids)
    consulted = await consultation.events_for(ctx, conn, ids)
    escalated = await escalation.timeline(ctx, conn, ids)
    out = advice_out(ctx, advice, items, deliveries, attempts, statuses, held, consulted, escalated)
    await plan.annotate(ctx, conn, out.items)
    return out


def advice_out(
    ctx: HubContext,
    advice: Any,
    items: Sequence[Any],
    deliveries: Sequence[Any],
    attempts: Sequence[Any],
    statuses: Sequence[Any],
    held: dict[str, Any],
    consulted: dict[str, list[TimelineEvent]] | None = None,
    escalated: dict[str, list[TimelineEvent]] | None = None,
) -> AdviceOut:
    """An advice with each item's timeline, from its rows (deliveries, attempts and statuses
    in the order `load` reads them): one place for `get` and `submit`."""
    advice_id = advice.id
    out = []
    for it in items:
        timeline = [
            TimelineEvent(
                at=advice.created_at,
                kind="decision",
                status="allowed" if it.allowed else "refused",
                detail=it.decision_reason,
            )
        ]
        delivery_status = DeliveryStatus.blocked
        ap = held.get(it.id)
        if ap is not None:
            timeline += approvals.timeline(ctx, ap)
            if ap.status == approvals.AWAITING:
                delivery_status = DeliveryStatus.awaiting_approval
            elif ap.status == approvals.REJECTED:
                delivery_status = DeliveryStatus.draft
        for d in (d for d in deliveries if d.item_id == it.id):
            if d.kind == "advice":
                delivery_status = DeliveryStatus(d.status)
            for a in (a for a in attempts if a.delivery_id == d.id):
                ok = a.http_status is not None and 200 <= a.http_status < 300
                timeline.append(
                    TimelineEvent(
                        at=a.started_at,
                        kind=f"{d.kind}_attempt",
                        status="ok" if ok else "failed",
                        detail=f"poging {a.number}: HTTP {a.http_status}"
                        if a.http_status
                        else f"poging {a.number}: {a.error}",
                    )
                )
            if d.status in (DeliveryStatus.dead, DeliveryStatus.withdrawn, DeliveryStatus.blocked):
                timeline.append(
                    TimelineEvent(
                        at=d.updated_at, kind=d.kind, status=d.status, detail=d.last_error
                    )
                )
        for s in (s for s in statuses if s.item_id == it.id):
            aad = f"status_update.text:{s.partner_id}:{s.partner_message_id}"
            text = ctx.unseal(s.text, aad) if s.text else {}  # empty: purged (retention)
            code = REJECTION_REASON_LABELS_NL.get(s.reason_code)  # type: ignore[call-overload]
            parts = (code, text.get("reason"), text.get("detail"))
            detail = "; ".join(x for x in parts if x) or None
            timeline.append(
                TimelineEvent(
                    at=s.occurred_at, kind="partner_status", status=s.status, detail=detail
                )
            )
        timeline += (consulted or {}).get(it.id, [])
        timeline += (escalated or {}).get(it.id, [])
        timeline.sort(key=lambda e: e.at)
        out.append(
            AdviceItemOut(
                id=uuid.UUID(it.id),
                number=it.number,
                partner_id=it.partner_id,
                partner_type=it.partner_type,
                advice_type=it.advice_type,
                urgency=it.urgency,
                requested_date=it.requested_date,
                decision=Decision(
                    allowed=it.allowed,
                    code=it.decision_code,
                    reason=it.decision_reason,
                    legal_basis=it.legal_basis,
                    categories=it.categories,
                    consent_id=uuid.UUID(it.consent_id) if it.consent_id else None,
                    rules_version=it.rules_version,
                ),
                delivery_status=delivery_status,
                partner_status=PartnerStatus(it.partner_status) if it.partner_status else None,
                deadline=it.deadline,
                timeline=timeline,
            )
        )
    summary = ctx.unseal(advice.summary, f"advice.summary:{advice_id}") if advice.summary else None
    return AdviceOut(
        id=uuid.UUID(advice.id),
        client_id=uuid.UUID(advice.client_id),
        summary=summary,
        created_at=advice.created_at,
        created_by=advice.created_by,
        trace_id=advice.trace_id,
        items=out,
    )
