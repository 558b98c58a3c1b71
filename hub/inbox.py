"""The pull inbox: partners without an endpoint fetch their messages and acknowledge them."""

import base64
from typing import Any

from sqlalchemy import select, update

from wijkhub.schemas.status import DeliveryStatus

from .advices import DELIVERY, ITEM
from .auth import Principal
from .context import HubContext
from .errors import not_found
from .processing_log import LogEntry, append

PENDING = (DeliveryStatus.queued.value, DeliveryStatus.retrying.value)


async def list_pending(ctx: HubContext, partner_id: str, limit: int) -> list[dict[str, Any]]:
    async with ctx.db.read() as conn:
        rows = (
            await conn.execute(
                select(DELIVERY)
                .where(
                    DELIVERY.c.partner_id == partner_id,
                    DELIVERY.c.transport == "pull",
                    DELIVERY.c.status.in_(PENDING),
                )
                .order_by(DELIVERY.c.created_at)
                .limit(limit)
            )
        ).all()
    return [
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
        for r in rows
    ]


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
        if row.status == DeliveryStatus.delivered.value:
            return row.status  # acknowledging twice is harmless
        if row.status not in PENDING:
            return row.status
        item = (await conn.execute(select(ITEM).where(ITEM.c.id == row.item_id))).one()
        await conn.execute(
            update(DELIVERY)
            .where(DELIVERY.c.id == row.id)
            .values(
                status=DeliveryStatus.delivered.value,
                delivered_at=now,
                updated_at=now,
                attempts=row.attempts + 1,
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
                    categories=item.categories,
                    rules_version=item.rules_version,
                    detail="opgehaald via inbox",
                )
            ],
            now,
        )
    return DeliveryStatus.delivered.value
