"""Consent as the hub acts on it: recording, and withdrawal with its effect on the outbox.

Withdrawal stops every queued delivery made under the consent and queues a withdrawal
message (intrekking), in the partner's own format, for every item already delivered.
"""

import asyncio
import uuid

from sqlalchemy import insert, select, update

from wijkhub.consent import registry
from wijkhub.schemas.consent import Consent, ConsentIn, ConsentStatus
from wijkhub.schemas.outbound import WithdrawalNotice
from wijkhub.schemas.status import DeliveryStatus

from .advices import DELIVERY, ITEM, _delivery_row
from .clients import T as CLIENT
from .context import HubContext
from .errors import ApiError, FieldError, invalid, not_found
from .processing_log import LogEntry, append, new_trace_id


async def record(ctx: HubContext, client_id: str, data: ConsentIn, actor: str) -> Consent:
    partner = ctx.partners.get(data.partner_id)
    if partner is None:
        raise invalid([FieldError("partner_id", f"onbekende partner '{data.partner_id}'")])
    ptype = ctx.registry.get(partner.type)
    known = {a.name for a in ptype.advice_types} if ptype else set()
    unknown = [p for p in data.purposes if p not in known]
    if unknown:
        raise invalid(
            [
                FieldError(
                    "purposes",
                    f"{partner.name} kent geen doel {unknown[0]!r} "
                    f"(wel: {', '.join(sorted(known))})",
                )
            ]
        )
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        if not await conn.scalar(select(CLIENT.c.id).where(CLIENT.c.id == client_id)):
            raise not_found("Cliënt")
        return await registry.record(conn, client_id, data, actor, now, new_trace_id())


async def list_for_client(ctx: HubContext, client_id: str) -> list[Consent]:
    async with ctx.db.read() as conn:
        consents = await registry.for_clients(conn, [client_id])
    return sorted(consents, key=lambda c: c.recorded_at)


async def withdraw(ctx: HubContext, consent_id: str, reason: str, actor: str) -> Consent:
    now = ctx.clock.now()
    trace_id = new_trace_id()
    async with ctx.db.write() as conn:
        consent = await registry.get(conn, consent_id)
        if consent is None:
            raise not_found("Toestemming")
        if consent.status is ConsentStatus.withdrawn:
            raise ApiError(409, "already_withdrawn", "Deze toestemming is al ingetrokken.")
        consent = await registry.mark_withdrawn(conn, consent, reason, actor, now, trace_id)
        items = (await conn.execute(select(ITEM).where(ITEM.c.consent_id == consent_id))).all()
        ids = [i.id for i in items]
        stopped = await conn.execute(
            update(DELIVERY)
            .where(
                DELIVERY.c.item_id.in_(ids),
                DELIVERY.c.kind == "advice",
                DELIVERY.c.status.in_([DeliveryStatus.queued.value, DeliveryStatus.retrying.value]),
            )
            .values(
                status=DeliveryStatus.withdrawn.value,
                updated_at=now,
                last_error="toestemming ingetrokken",
                lease_owner=None,
                lease_expires_at=None,
            )
            .returning(DELIVERY.c.item_id, DELIVERY.c.partner_id)
        )
        log = [
            LogEntry(
                name="delivery.advice",
                actor=actor,
                outcome="withdrawn",
                trace_id=trace_id,
                data_subject_id=consent.client_id.hex,
                partner_id=r.partner_id,
                detail="niet verzonden: toestemming ingetrokken",
            )
            for r in stopped.all()
        ]
        delivered_items = set(
            (
                await conn.execute(
                    select(DELIVERY.c.item_id).where(
                        DELIVERY.c.item_id.in_(ids),
                        DELIVERY.c.kind == "advice",
                        DELIVERY.c.status == DeliveryStatus.delivered.value,
                    )
                )
            ).scalars()
        )
        notices = []
        for it in items:
            partner = ctx.partners.get(it.partner_id)
            ptype = ctx.registry.get(partner.type) if partner else None
            if it.id not in delivered_items or partner is None or ptype is None:
                continue
            notice = WithdrawalNotice(
                item_ref=uuid.UUID(it.id),
                item_number=it.number,
                partner_id=partner.id,
                sender=ctx.settings.sender_code,
                subject_ref=ctx.keyring.subject_ref(it.client_id, partner.id),
                withdrawn_at=now,
                reason="De cliënt heeft de toestemming ingetrokken.",
            )
            notices.append((it, partner, ptype, notice))
        messages = await asyncio.to_thread(
            lambda: [pt.translate_withdrawal(n) for _i, _p, pt, n in notices]
        )
        rows = [
            _delivery_row(ctx, it.id, partner, "withdrawal", msg, trace_id, now)
            for (it, partner, _pt, _n), msg in zip(notices, messages, strict=True)
        ]
        if rows:
            await conn.execute(insert(DELIVERY), rows)
        await append(conn, log, now)
    if rows:
        ctx.on_new_deliveries()
    return consent
