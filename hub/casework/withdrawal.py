"""Consent ending: withdrawal, and its effect on the outbox.

Withdrawal and expiry (`expiry.py`) share `end_consent`: it stops every queued
delivery made under the consent and queues a withdrawal message (intrekking), in the
partner's own format, for every partner that has or may have received the data: delivered
items, items with an earlier attempt whose acknowledgement may have been lost, and items a
worker is sending at this moment (the worker queues their notice when it finishes, see
`delivery.py`).
"""

import asyncio
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import ApiError, not_found
from wijkhub.hub.core.processing_log import LogEntry, append, new_trace_id
from wijkhub.hub.records import consents as registry
from wijkhub.hub.records.clients import in_scope
from wijkhub.hub.steps.enqueue import delivery_row
from wijkhub.hub.store.tables import ADVICE, DELIVERY, ITEM
from wijkhub.schemas.consent import Consent, ConsentStatus
from wijkhub.schemas.outbound import WithdrawalNotice
from wijkhub.schemas.status import DeliveryStatus

PENDING = (DeliveryStatus.queued.value, DeliveryStatus.retrying.value)
NOTICE_REASON = "De cliënt heeft de toestemming ingetrokken."
# Per way a consent ends: what a stopped delivery says, and the reason in the intrekking.
ENDED_TEXTS = {
    ConsentStatus.withdrawn: ("toestemming ingetrokken", NOTICE_REASON),
    ConsentStatus.expired: ("toestemming verlopen", "De toestemming van de cliënt is verlopen."),
}


async def withdraw(
    ctx: HubContext, consent_id: str, reason: str, actor: str, *, team: str | None = None
) -> Consent:
    now = ctx.clock.now()
    trace_id = new_trace_id()
    async with ctx.db.write() as conn:
        consent = await registry.get(conn, ctx, consent_id)
        if consent is None or not await in_scope(conn, consent.client_id.hex, team):
            raise not_found("Toestemming")
        if consent.status is ConsentStatus.withdrawn:
            raise ApiError(409, "already_withdrawn", "Deze toestemming is al ingetrokken.")
        if consent.status is ConsentStatus.expired:
            raise ApiError(409, "already_expired", "Deze toestemming is al verlopen.")
        consent = await registry.mark_withdrawn(conn, ctx, consent, reason, actor, now, trace_id)
        queued = await end_consent(ctx, conn, consent, actor, now)
    if queued:
        ctx.on_new_deliveries()
    return consent


async def end_consent(
    ctx: HubContext,
    conn: AsyncConnection,
    consent: Consent,
    actor: str,
    now: datetime,
) -> int:
    """What withdrawal and expiry share, once the consent is marked ended: stop every queued
    delivery under it and queue an intrekking for every partner that has or may have
    received data. Returns the number of notices queued."""
    stopped, notice_reason = ENDED_TEXTS[consent.status]
    items = {
        i.id: i
        for i in (
            await conn.execute(
                select(ITEM, ADVICE.c.trace_id.label("advice_trace"))
                .join(ADVICE, ADVICE.c.id == ITEM.c.advice_id)
                .where(ITEM.c.consent_id == consent.id.hex)
            )
        ).all()
    }
    deliveries = (
        await conn.execute(
            select(DELIVERY).where(DELIVERY.c.item_id.in_(list(items)), DELIVERY.c.kind == "advice")
        )
    ).all()
    notify: list[Any] = []
    log: list[LogEntry] = []
    for d in deliveries:
        if d.status == DeliveryStatus.delivered.value:
            notify.append(items[d.item_id])
            continue
        if d.status == DeliveryStatus.dead.value and d.attempts > 0:
            # Given up on, but a try may have arrived with its acknowledgement lost.
            notify.append(items[d.item_id])
            continue
        if d.status not in PENDING:
            continue
        if d.lease_expires_at is not None and d.lease_expires_at > now:
            continue  # being sent right now: its worker settles it and queues the notice
        await conn.execute(
            update(DELIVERY)
            .where(DELIVERY.c.id == d.id)
            .values(
                status=DeliveryStatus.withdrawn.value,
                updated_at=now,
                last_error=stopped,
                lease_owner=None,
                lease_expires_at=None,
            )
        )
        if d.attempts > 0:
            # An earlier try may have arrived with its acknowledgement lost.
            notify.append(items[d.item_id])
        log.append(
            LogEntry(
                name="delivery.advice",
                actor=actor,
                outcome="withdrawn",
                trace_id=items[d.item_id].advice_trace,  # the advice's trace
                data_subject_id=consent.client_id.hex,
                partner_id=d.partner_id,
                purpose=items[d.item_id].advice_type,
                detail=f"niet (opnieuw) verzonden: {stopped}",
            )
        )
    await append(conn, log, now)
    # Each notice belongs to its advice's trace (as the worker's late notices do); the
    # consent transition itself has a trace of its own.
    queued = 0
    for advice_trace in {it.advice_trace for it in notify}:
        mine = [it for it in notify if it.advice_trace == advice_trace]
        queued += await queue_withdrawal_notices(ctx, conn, mine, advice_trace, now, notice_reason)
    return queued


async def queue_withdrawal_notices(
    ctx: HubContext,
    conn: AsyncConnection,
    items: Iterable[Any],
    trace_id: str,
    now: datetime,
    reason: str = NOTICE_REASON,
) -> int:
    """Queue one intrekking per item, at most once per item (safe to call twice)."""
    items = {i.id: i for i in items}
    if not items:
        return 0
    done = set(
        (
            await conn.execute(
                select(DELIVERY.c.item_id).where(
                    DELIVERY.c.item_id.in_(list(items)), DELIVERY.c.kind == "withdrawal"
                )
            )
        ).scalars()
    )
    todo = []
    for it in items.values():
        partner = ctx.partners.get(it.partner_id)
        ptype = ctx.registry.get(partner.type) if partner else None
        if it.id in done or partner is None or ptype is None:
            continue
        todo.append(
            (
                partner,
                ptype.translate_withdrawal,
                WithdrawalNotice(
                    item_ref=uuid.UUID(it.id),
                    item_number=it.number,
                    partner_id=partner.id,
                    sender=ctx.settings.sender_code,
                    subject_ref=ctx.keyring.subject_ref(it.client_id, partner.id),
                    withdrawn_at=now,
                    reason=reason,
                ),
            )
        )
    messages = await asyncio.to_thread(lambda: [translate(n) for _p, translate, n in todo])
    rows = [
        delivery_row(ctx, n.item_ref.hex, p, "withdrawal", msg, trace_id, now)
        for (p, _t, n), msg in zip(todo, messages, strict=True)
    ]
    if rows:
        await conn.execute(insert(DELIVERY), rows)
    return len(rows)
