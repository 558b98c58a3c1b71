"""Partner answers: parsed by the partner's plugin, checked against the sender, stored, logged."""

import asyncio
import uuid
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from wijkhub.hub.casework import consultation, plan
from wijkhub.hub.casework.milestones import record_status as record_milestones
from wijkhub.hub.casework.partner_times import check_window
from wijkhub.hub.core import partner_ids
from wijkhub.hub.core.access_log import refused
from wijkhub.hub.core.auth import Principal
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.db import Database
from wijkhub.hub.core.errors import ApiError, not_found
from wijkhub.hub.core.processing_log import LogEntry, append
from wijkhub.hub.core.signatures import WINDOW_SECONDS, SignatureError, verify_inbound
from wijkhub.hub.plugin_api.types import PartnerMessage, PartnerType, PayloadError, RetourInput
from wijkhub.hub.store.tables import ADVICE, ITEM, NONCE, STATUS
from wijkhub.schemas.common import AMSTERDAM
from wijkhub.schemas.status import StatusUpdate

# Twice the window: a nonce is remembered for as long as its timestamp could be accepted.
NONCE_TTL = timedelta(seconds=2 * WINDOW_SECONDS)
PARSE_INLINE_BYTES = 64 * 1024


# Expired nonces are deleted at most this often per database (the delete is housekeeping:
# a replay is refused by the unique nonce while it is stored and by the signature window after).
PURGE_EVERY = timedelta(seconds=WINDOW_SECONDS / 10)
_next_purge: "weakref.WeakKeyDictionary[Database, datetime]" = weakref.WeakKeyDictionary()


def _purge_due(ctx: HubContext, now: datetime) -> bool:
    due = _next_purge.get(ctx.db)
    if due is not None and now < due:
        return False
    _next_purge[ctx.db] = now + PURGE_EVERY
    return True


def _insert_for(dialect: str) -> Any:
    """INSERT … ON CONFLICT DO NOTHING, in the dialect's own spelling."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


class _Replayed(Exception):
    """The nonce was spent before; raised inside the transaction, answered outside it."""


@dataclass(frozen=True)
class IntakeResult:
    accepted: int
    duplicates: int
    retour: PartnerMessage | None = None  # the format's retour message (iWmo 306/308)


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
        # A status message is small: parsing it costs less than a hop to a thread and back.
        # Only a large body is parsed off the event loop.
        updates: list[StatusUpdate] = (
            await asyncio.to_thread(ptype.parse_status, body, content_type)
            if len(body) > PARSE_INLINE_BYTES
            else ptype.parse_status(body, content_type)
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
    if not updates and ptype.answer_status is None:
        raise ApiError(400, "invalid_payload", "Bericht bevat geen statusmelding")
    partner_ids.check(
        {
            (f"updates.{i}.partner_message_id" if len(updates) > 1 else "partner_message_id"): (
                u.partner_message_id
            )
            for i, u in enumerate(updates)
        }
    )
    consultation.check_inbound(ptype, updates)

    now = ctx.clock.now()
    updates, retour = await _judge(ctx, ptype, partner_id, body, updates, now)
    try:
        result = await _store(ctx, partner_id, body, who, updates, nonce, now)
        return IntakeResult(result.accepted, result.duplicates, retour)
    except _Replayed:
        await refused(ctx, who.actor, "signature_replayed", f"status {partner_id}")
        raise ApiError(
            401,
            "signature_replayed",
            "Dit bericht is al eens ontvangen (dezelfde nonce); "
            "onderteken elke verzending opnieuw.",
        ) from None


async def _judge(
    ctx: HubContext,
    ptype: PartnerType,
    partner_id: str,
    body: bytes,
    updates: list[StatusUpdate],
    now: datetime,
) -> tuple[list[StatusUpdate], PartnerMessage | None]:
    """Name each update's item (a format may name it by its number only) and let a format with
    retour messages judge the message: only what it accepts is stored."""
    numbers = {u.item_number for u in updates if u.item_ref is None and u.item_number}
    found: dict[int, tuple[str, str]] = {}
    if numbers:
        async with ctx.db.read() as conn:
            rows = await conn.execute(
                # Only this partner's own items: another's number is as unknown as no number.
                select(ITEM.c.number, ITEM.c.id, ITEM.c.advice_type).where(
                    ITEM.c.number.in_(numbers),
                    ITEM.c.partner_id == partner_id,
                    ITEM.c.allowed.is_(True),
                )
            )
            found = {r.number: (r.id, r.advice_type) for r in rows}
    named: list[StatusUpdate] = []
    for u in updates:
        if u.item_ref is None:
            hit = found.get(u.item_number or 0)
            if hit is None:
                if ptype.answer_status is None:
                    raise ApiError(404, "unknown_item", "Onbekend verzoek in statusmelding")
                continue  # the retour says it cannot be linked
            u = u.model_copy(update={"item_ref": uuid.UUID(hit[0])})
        named.append(u)
    if ptype.answer_status is None:
        return named, None
    linked = {
        u.partner_message_id: found[u.item_number][1]
        for u in named
        if u.item_number is not None and u.item_number in found
    }
    given = RetourInput(
        today=now.astimezone(AMSTERDAM).date(),  # a Dagtekening is a Dutch date
        linked=linked,
        retour_id=uuid.uuid4().hex[:12].upper(),
    )
    try:
        # As with parsing: a large message is judged (XSD, retour) off the event loop.
        verdict = (
            await asyncio.to_thread(ptype.answer_status, body, named, given)
            if len(body) > PARSE_INLINE_BYTES
            else ptype.answer_status(body, named, given)
        )
    except ValueError:
        # A plugin that cannot judge its own message must not turn it into a 500.
        raise ApiError(
            400, "invalid_payload", f"Bericht voldoet niet aan {ptype.status_format.name}"
        ) from None
    return [u for u in named if u.partner_message_id in verdict.accepted], verdict.message


async def _store(
    ctx: HubContext,
    partner_id: str,
    body: bytes,
    who: Principal,
    updates: list[StatusUpdate],
    nonce: str,
    now: datetime,
) -> IntakeResult:
    # Sealed before BEGIN IMMEDIATE: on SQLite every writer waits while the lock is held.
    sealed = {
        u.partner_message_id: (
            ctx.seal(
                {"reason": u.reason, "detail": u.detail},
                f"status_update.text:{partner_id}:{u.partner_message_id}",
            ),
            ctx.seal_bytes(body, f"status_update.raw:{partner_id}:{u.partner_message_id}"),
        )
        for u in updates
    }
    purge = _purge_due(ctx, now)

    async def unit(conn: Any) -> tuple[IntakeResult, bool]:
        # Shares its transaction with other partner messages (group commit): it must change
        # nothing but the database, since it may run a second time, alone.
        accepted = duplicates = 0
        changed: set[str] = set()
        # The nonce is spent in the same transaction as the change: a replay of this exact
        # request (within the signature window) changes nothing.
        if purge:
            await conn.execute(delete(NONCE).where(NONCE.c.seen_at < now - NONCE_TTL))
        spend = _insert_for(conn.dialect.name)(NONCE).on_conflict_do_nothing()
        res = await conn.execute(spend.values(partner_id=partner_id, nonce=nonce, seen_at=now))
        if res.rowcount != 1:
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
        await check_window(conn, updates, items, now)
        # Stored with ON CONFLICT DO NOTHING: what comes back is new, the rest was seen
        # before (or twice in this message). One statement instead of a look-up plus inserts.
        rows: dict[str, dict[str, object]] = {}
        for u in updates:
            text, raw = sealed[u.partner_message_id]
            rows.setdefault(
                u.partner_message_id,
                {
                    "item_id": items[u.item_ref.hex].id,
                    "partner_id": partner_id,
                    "partner_message_id": u.partner_message_id,
                    "status": u.status.value,
                    "occurred_at": u.occurred_at,
                    "received_at": now,
                    "text": text,
                    "raw": raw,
                    "reason_code": u.reason_code.value if u.reason_code else None,
                    "effective_date": u.effective_date,
                },
            )
        new = (
            set(
                (
                    await conn.execute(
                        _insert_for(conn.dialect.name)(STATUS)
                        .on_conflict_do_nothing()
                        .returning(STATUS.c.partner_message_id),
                        list(rows.values()),
                    )
                ).scalars()
            )
            if rows
            else set()
        )
        log: list[LogEntry] = []
        for u in updates:
            if u.partner_message_id not in new:
                duplicates += 1
                continue
            new.discard(u.partner_message_id)  # a second copy in this message is a duplicate
            item = items[u.item_ref.hex]
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
            # A deadline is judged on when the hub received the answer: the partner's own
            # time may run up to the allowed skew behind, which must not make late on time.
            await record_milestones(conn, item.id, u.status, now)
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
                    detail=partner_ids.log_ref(ctx.keyring, partner_id, u.partner_message_id),
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
        return IntakeResult(accepted, duplicates), bool(queued)

    result, queued = await ctx.db.grouped(unit)
    if queued:
        ctx.on_new_deliveries()
    return result
