"""Partner answers: parsed by the partner's plugin, checked against the sender, stored, logged."""

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from wijkhub.schemas.status import StatusUpdate

from . import consultation, plan
from .access_log import refused
from .advices import ADVICE, ITEM, STATUS
from .auth import Principal
from .context import HubContext
from .errors import ApiError, not_found
from .milestones import record_status as record_milestones
from .plugin_types import PayloadError
from .processing_log import LogEntry, append
from .signatures import WINDOW_SECONDS, SignatureError, verify_inbound
from .tables import InboundNonceRow

NONCE = InboundNonceRow.__table__  # type: ignore[attr-defined]
# Twice the window: a nonce is remembered for as long as its timestamp could be accepted.
NONCE_TTL = timedelta(seconds=2 * WINDOW_SECONDS)


class _Replayed(Exception):
    """The nonce was spent before; raised inside the transaction, answered outside it."""


@dataclass(frozen=True)
class IntakeResult:
    accepted: int
    duplicates: int


async def receive(
    ctx: HubContext,
    partner_id: str,
    body: bytes,
    content_type: str,
    who: Principal,
    signature: str | None,
) -> IntakeResult:
    partner = ctx.partners.get(partner_id)
    ptype = ctx.registry.get(partner.type) if partner else None
    if partner is None or ptype is None:
        raise not_found("Partner")
    secret = ctx.partners.secret(partner_id)
    if secret is None:
        await refused(ctx, who.actor, "no_partner_secret", f"status {partner_id}")
        raise ApiError(
            403,
            "no_partner_secret",
            "Voor deze partner is geen ondertekeningsgeheim geconfigureerd.",
        )
    try:
        nonce = verify_inbound(secret, signature, body, ctx.clock.now())
    except SignatureError as exc:
        await refused(ctx, who.actor, exc.code, f"status {partner_id}")
        raise ApiError(401, exc.code, exc.message) from None
    try:
        updates: list[StatusUpdate] = await asyncio.to_thread(
            ptype.parse_status, body, content_type
        )
    except PayloadError as exc:
        raise ApiError(
            400, "invalid_payload", f"Bericht voldoet niet aan {ptype.status_format.name}: {exc}"
        ) from None
    except ValueError:
        # The contract says PayloadError only; a plugin that lets another error through
        # still must not turn bad partner input into a 500 (nor echo the input).
        raise ApiError(
            400, "invalid_payload", f"Bericht voldoet niet aan {ptype.status_format.name}"
        ) from None
    if not updates:
        raise ApiError(400, "invalid_payload", "Bericht bevat geen statusmelding")
    consultation.check_inbound(ptype, updates)

    now = ctx.clock.now()
    try:
        return await _store(ctx, partner_id, body, who, updates, nonce, now)
    except _Replayed:
        await refused(ctx, who.actor, "signature_replayed", f"status {partner_id}")
        raise ApiError(
            401,
            "signature_replayed",
            "Dit bericht is al eens ontvangen (dezelfde nonce); "
            "onderteken elke verzending opnieuw.",
        ) from None


async def _store(
    ctx: HubContext,
    partner_id: str,
    body: bytes,
    who: Principal,
    updates: list[StatusUpdate],
    nonce: str,
    now: datetime,
) -> IntakeResult:
    accepted = duplicates = 0
    changed: set[str] = set()
    async with ctx.db.write() as conn:
        # The nonce is spent in the same transaction as the change: a replay of this exact
        # request (within the signature window) changes nothing.
        await conn.execute(delete(NONCE).where(NONCE.c.seen_at < now - NONCE_TTL))
        try:
            async with conn.begin_nested():
                await conn.execute(
                    insert(NONCE).values(partner_id=partner_id, nonce=nonce, seen_at=now)
                )
        except IntegrityError:
            replayed = True
        else:
            replayed = False
        if replayed:
            raise _Replayed
        refs = {u.item_ref.hex for u in updates}
        items = {
            r.id: r
            for r in (
                await conn.execute(
                    # A partner may only report on its own items; others look like unknown ones.
                    select(ITEM, ADVICE.c.trace_id.label("advice_trace"))
                    .join(ADVICE, ADVICE.c.id == ITEM.c.advice_id)
                    .where(
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
                    reason_code=u.reason_code.value if u.reason_code else None,
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
            await record_milestones(conn, item.id, u.status, u.occurred_at)
            log.append(
                LogEntry(
                    name="status.receive",
                    actor=who.actor,
                    outcome=u.status.value,
                    trace_id=item.advice_trace,  # one trace per advice, answers included
                    data_subject_id=item.client_id,
                    partner_id=partner_id,
                    purpose=item.advice_type,
                    legal_basis=item.legal_basis,
                    detail=u.partner_message_id,
                )
            )
            if u.consultation is not None:
                log.append(
                    await consultation.record_inbound(
                        ctx, conn, item, partner_id, who.actor, u, now
                    )
                )
            accepted += 1
            changed.add(item.id)
        await append(conn, log, now)
        # Household plan: items waiting for these answers are released or cancelled, now.
        queued = await plan.on_status(ctx, conn, changed, now)
    if queued:
        ctx.on_new_deliveries()
    return IntakeResult(accepted, duplicates)
