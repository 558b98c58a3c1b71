"""Step 5, store with outbox: the rows an item and its delivery are stored as, and putting a
held item (approved, released, a new version) through decide → translate → outbox again."""

import asyncio
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.core.clock import local_date
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.deadlines import due_date
from wijkhub.hub.core.partners import PartnerConfig
from wijkhub.hub.core.processing_log import LogEntry
from wijkhub.hub.plugin_api.types import PartnerMessage
from wijkhub.hub.records import clients, households
from wijkhub.hub.steps.decide import decision_columns, decision_log, facts
from wijkhub.hub.steps.translate import render
from wijkhub.hub.steps.validate import PreparedItem, prepared_from_row
from wijkhub.hub.store.tables import (
    DELIVERY,
    ITEM,
)
from wijkhub.schemas.advice import (
    Decision,
)
from wijkhub.schemas.outbound import Approval
from wijkhub.schemas.status import DeliveryStatus


def item_row(
    ctx: HubContext,
    p: PreparedItem,
    d: Decision,
    *,
    item_id: str,
    advice_id: str,
    subject: str,
    position: int,
    deadline: date | None,
) -> dict[str, Any]:
    """An advice_item row: the item as submitted (details sealed) with its decision."""
    return {
        "id": item_id,
        "advice_id": advice_id,
        "client_id": subject,
        "position": position,
        "partner_id": p.partner.id,
        "partner_type": p.partner.type,
        "advice_type": p.atype.name,
        "urgency": p.item.urgency.value,
        "requested_date": p.item.requested_date,
        "details": ctx.seal(
            {
                "motivation": p.item.motivation,
                "parameters": p.parameters,
                "threats": [t.value for t in p.item.threats],
            },
            f"advice_item.details:{item_id}",
        ),
        **decision_columns(d),
        "deadline": deadline,
    }


def delivery_row(
    ctx: HubContext,
    item_ref: str,
    partner: PartnerConfig,
    kind: str,
    msg: PartnerMessage,
    trace_id: str,
    now: datetime,
) -> dict[str, Any]:
    delivery_id = uuid.uuid4().hex
    return {
        "id": delivery_id,
        "item_id": item_ref,
        "partner_id": partner.id,
        "kind": kind,
        "transport": partner.transport.value,
        "status": DeliveryStatus.queued.value,
        "attempts": 0,
        "next_attempt_at": now,
        "idempotency_key": uuid.uuid4().hex,
        "payload": ctx.seal_bytes(msg.body, f"delivery.payload:{delivery_id}"),
        "content_type": msg.content_type,
        "trace_id": trace_id,
        "created_at": now,
        "updated_at": now,
    }


async def requeue(
    ctx: HubContext,
    conn: AsyncConnection,
    row: Any,
    *,
    actor: str,
    trace_id: str,
    now: datetime,
    approval: Approval | None = None,
    cost_cents: int | None = None,
) -> tuple[Decision, LogEntry] | None:
    """Decide a held item again (consent may have changed while it waited) and, if allowed,
    translate it and put it in the outbox. `row` is its advice_item row. None: its partner,
    advice type or client no longer exists (nothing is written)."""
    today = local_date(now)
    p = prepared_from_row(ctx, row, cost_cents)
    client = await clients.load(ctx, conn, row.client_id)
    if p is None or client is None:
        return None
    d = await households.decide_stored(ctx, conn, row.id, row.client_id, facts(p), today)
    deadline = due_date(today, p.atype.deadline_for(p.item.threats)) if d.allowed else None
    await conn.execute(
        update(ITEM).where(ITEM.c.id == row.id).values(**decision_columns(d), deadline=deadline)
    )
    if d.allowed:
        msg = await asyncio.to_thread(
            render, ctx, client, p, d, row.id, row.number, deadline, now, approval
        )
        await conn.execute(
            insert(DELIVERY).values(
                delivery_row(ctx, row.id, p.partner, "advice", msg, trace_id, now)
            )
        )
    return d, decision_log(d, p, actor=actor, trace_id=trace_id, subject=row.client_id)
