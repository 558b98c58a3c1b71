"""Partner answers: parsed by the partner's plugin, checked against the sender, stored, logged."""

import asyncio
from dataclasses import dataclass

from sqlalchemy import insert, select, update

from wijkhub.schemas.status import StatusUpdate

from .advices import ITEM, STATUS
from .auth import Principal
from .context import HubContext
from .errors import ApiError, not_found
from .plugin_types import PayloadError
from .processing_log import LogEntry, append, new_trace_id


@dataclass(frozen=True)
class IntakeResult:
    accepted: int
    duplicates: int


async def receive(
    ctx: HubContext, partner_id: str, body: bytes, content_type: str, who: Principal
) -> IntakeResult:
    partner = ctx.partners.get(partner_id)
    ptype = ctx.registry.get(partner.type) if partner else None
    if partner is None or ptype is None:
        raise not_found("Partner")
    try:
        updates: list[StatusUpdate] = await asyncio.to_thread(
            ptype.parse_status, body, content_type
        )
    except PayloadError as exc:
        raise ApiError(
            400, "invalid_payload", f"Bericht voldoet niet aan {ptype.status_format.name}: {exc}"
        ) from None
    if not updates:
        raise ApiError(400, "invalid_payload", "Bericht bevat geen statusmelding")

    now = ctx.clock.now()
    accepted = duplicates = 0
    async with ctx.db.write() as conn:
        refs = {u.item_ref.hex for u in updates}
        items = {
            r.id: r
            for r in (
                await conn.execute(
                    # A partner may only report on its own items; others look like unknown ones.
                    select(ITEM).where(
                        ITEM.c.id.in_(refs),
                        ITEM.c.partner_id == partner_id,
                        ITEM.c.allowed.is_(True),
                    )
                )
            ).all()
        }
        missing = refs - items.keys()
        if missing:
            raise ApiError(
                404, "unknown_item", f"Onbekend verzoek in statusmelding: {sorted(missing)[0]}"
            )
        seen = set(
            (
                await conn.execute(
                    select(STATUS.c.partner_message_id).where(
                        STATUS.c.partner_id == partner_id,
                        STATUS.c.partner_message_id.in_([u.partner_message_id for u in updates]),
                    )
                )
            ).scalars()
        )
        log: list[LogEntry] = []
        for u in updates:
            if u.partner_message_id in seen:
                duplicates += 1
                continue
            seen.add(u.partner_message_id)
            item = items[u.item_ref.hex]
            aad = f"status_update.text:{partner_id}:{u.partner_message_id}"
            await conn.execute(
                insert(STATUS).values(
                    item_id=item.id,
                    partner_id=partner_id,
                    partner_message_id=u.partner_message_id,
                    status=u.status.value,
                    occurred_at=u.occurred_at,
                    received_at=now,
                    text=ctx.seal({"reason": u.reason, "detail": u.detail}, aad),
                    raw=ctx.seal_bytes(
                        body, f"status_update.raw:{partner_id}:{u.partner_message_id}"
                    ),
                )
            )
            # Late or out-of-order messages are kept, but the newest event sets the status.
            await conn.execute(
                update(ITEM)
                .where(
                    ITEM.c.id == item.id,
                    (ITEM.c.partner_status_at.is_(None))
                    | (ITEM.c.partner_status_at <= u.occurred_at),
                )
                .values(partner_status=u.status.value, partner_status_at=u.occurred_at)
            )
            log.append(
                LogEntry(
                    name="status.receive",
                    actor=who.actor,
                    outcome=u.status.value,
                    trace_id=new_trace_id(),
                    data_subject_id=item.client_id,
                    partner_id=partner_id,
                    purpose=item.advice_type,
                    detail=u.partner_message_id,
                )
            )
            accepted += 1
        await append(conn, log, now)
    return IntakeResult(accepted, duplicates)
