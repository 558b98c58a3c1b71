"""The pull inbox: partners without an endpoint fetch their messages and acknowledge them.

Fetching is the moment data leaves, so it gets the same policy re-check as a push (consent
may have been withdrawn or expired since the item was decided) and its own log entry.
"""

import base64
from typing import Any

from sqlalchemy import select, update

from wijkhub.hub.casework.milestones import schedule as schedule_milestones
from wijkhub.hub.core.auth import Principal
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import not_found
from wijkhub.hub.core.processing_log import STATUS_ERROR, LogEntry, append
from wijkhub.hub.records import consents as consent_registry
from wijkhub.hub.records import households
from wijkhub.hub.steps.recheck import recheck
from wijkhub.hub.store.tables import DELIVERY, ITEM
from wijkhub.schemas.status import DeliveryStatus

PENDING = (DeliveryStatus.queued.value, DeliveryStatus.retrying.value)


async def list_pending(
    ctx: HubContext, partner_id: str, limit: int, who: Principal
) -> list[dict[str, Any]]:
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        rows = (
            await conn.execute(
                select(
                    DELIVERY,
                    ITEM.c.client_id,
                    ITEM.c.advice_type,
                    ITEM.c.categories,
                    ITEM.c.legal_basis,
                    ITEM.c.rules_version,
                    ITEM.c.partner_id.label("ip"),
                )
                .join(ITEM, ITEM.c.id == DELIVERY.c.item_id)
                .where(
                    DELIVERY.c.partner_id == partner_id,
                    DELIVERY.c.transport == "pull",
                    DELIVERY.c.status.in_(PENDING),
                )
                .order_by(DELIVERY.c.created_at)
                .limit(limit)
            )
        ).all()
        consents = await consent_registry.for_clients(conn, ctx, {r.client_id for r in rows})
        out, log = [], []
        for r in rows:
            item = _ItemView(r)
            verdict = recheck(
                ctx,
                item,
                r.kind,
                [c for c in consents if c.client_id.hex == r.client_id],
                await households.for_item(ctx, conn, r.item_id),  # household plan
            )
            entry = dict(
                name=f"delivery.{r.kind}",
                actor=who.actor,
                trace_id=r.trace_id,
                data_subject_id=r.client_id,
                partner_id=partner_id,
                purpose=r.advice_type,
                legal_basis=r.legal_basis,
                rules_version=r.rules_version,
            )
            if not verdict.allowed:
                assert verdict.status is not None
                await conn.execute(
                    update(DELIVERY)
                    .where(DELIVERY.c.id == r.id)
                    .values(status=verdict.status.value, last_error=verdict.reason, updated_at=now)
                )
                log.append(
                    LogEntry(
                        **entry,
                        outcome=verdict.status.value,
                        status_code=STATUS_ERROR,
                        detail=verdict.reason,
                    )
                )
                continue
            # A fetch is a try: the partner may now hold the data, so a later withdrawal
            # must send it an intrekking even before it acknowledges.
            await conn.execute(
                update(DELIVERY)
                .where(DELIVERY.c.id == r.id)
                .values(attempts=DELIVERY.c.attempts + 1, updated_at=now)
            )
            log.append(
                LogEntry(
                    **entry,
                    outcome="fetched",
                    detail="opgehaald via inbox",
                    categories=r.categories if r.kind == "advice" else [],
                )
            )
            out.append(
                {
                    "delivery_id": r.id,
                    "item_ref": r.item_id,
                    "kind": r.kind,
                    "idempotency_key": r.idempotency_key,
                    "content_type": r.content_type,
                    "created_at": r.created_at.isoformat(),
                    # Base64 keeps any format byte-exact inside JSON.
                    "payload_base64": base64.b64encode(
                        ctx.unseal_bytes(r.payload, f"delivery.payload:{r.id}")
                    ).decode(),
                }
            )
        await append(conn, log, now)
    return out


class _ItemView:
    """The advice_item fields `recheck` reads, from the joined row."""

    def __init__(self, r: Any) -> None:
        self.partner_id = r.ip
        self.advice_type = r.advice_type
        self.categories = r.categories


async def acknowledge(ctx: HubContext, partner_id: str, delivery_id: str, who: Principal) -> str:
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        row = (
            await conn.execute(
                select(DELIVERY).where(
                    DELIVERY.c.id == delivery_id,
                    DELIVERY.c.partner_id == partner_id,
                    DELIVERY.c.transport == "pull",
                )
            )
        ).first()
        if row is None:
            raise not_found("Bericht")
        if row.status not in PENDING:
            return row.status  # acknowledging twice is harmless
        item = (await conn.execute(select(ITEM).where(ITEM.c.id == row.item_id))).one()
        await conn.execute(
            update(DELIVERY)
            .where(DELIVERY.c.id == row.id)
            .values(
                status=DeliveryStatus.delivered.value,
                delivered_at=now,
                updated_at=now,
                attempts=max(row.attempts, 1),
            )
        )
        await append(
            conn,
            [
                LogEntry(
                    name=f"delivery.{row.kind}",
                    actor=who.actor,
                    outcome="delivered",
                    trace_id=row.trace_id,
                    data_subject_id=item.client_id,
                    partner_id=partner_id,
                    purpose=item.advice_type,
                    legal_basis=item.legal_basis,
                    rules_version=item.rules_version,
                    detail="ontvangst bevestigd",
                )
            ],
            now,
        )
        if row.kind == "advice":
            await schedule_milestones(ctx, conn, item, row.id, now)
    return DeliveryStatus.delivered.value
