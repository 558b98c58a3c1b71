"""Consultation per item, both ways.

- A partner asks, answers or proposes a change on its status update (`StatusUpdate.
  consultation`), in its own format, signed like every status update: `status_intake` stores
  it through `record_inbound`.
- A coach asks, answers or reports back (`send`): the message is translated by the partner's
  plugin and queued in the outbox (kind "consultation"), signed and delivered like an advice.
- A coach accepts a counter-proposal (`accept`): a new version of the item is made (the old one
  is kept, superseded, linked in `advice_item_version`), decided again by the consent policy
  and approved again where `approval.toml` requires it, then queued. A proposal the policy
  refuses is refused with the policy's Dutch reason and nothing is sent. Declining (`decline`)
  is recorded and answered to the partner.

Message text is personal free text: sealed. The processing log names each message, never its
text. The item's timeline (`events_for`) shows every message and version.
"""

import asyncio
import uuid
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.consent.free_text import contains_bsn
from wijkhub.consent.members import decide_for_member
from wijkhub.consent.policy import ItemFacts, decide
from wijkhub.hub.casework import approvals
from wijkhub.hub.core import read_log
from wijkhub.hub.core.auth import Principal
from wijkhub.hub.core.clock import local_date
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.deadlines import due_date
from wijkhub.hub.core.errors import ApiError, FieldError, invalid, not_found
from wijkhub.hub.core.partners import PartnerConfig
from wijkhub.hub.core.processing_log import LogEntry, append
from wijkhub.hub.i18n import gettext, pydantic_message
from wijkhub.hub.plugin_api.types import PartnerType
from wijkhub.hub.records import clients, households
from wijkhub.hub.records import consents as consent_registry
from wijkhub.hub.steps.decide import decision_log
from wijkhub.hub.steps.enqueue import delivery_row, item_row
from wijkhub.hub.steps.translate import render
from wijkhub.hub.steps.validate import validate_items
from wijkhub.hub.store.tables import (
    ADVICE,
    APPROVAL,
    CONSULT,
    DELIVERY,
    ITEM,
    VERSION,
)
from wijkhub.schemas.advice import AdviceIn, AdviceItemIn, Decision, TimelineEvent, Urgency
from wijkhub.schemas.categories import DataCategory
from wijkhub.schemas.consultation import (
    CONSULTATION_KIND_LABELS_NL,
    ConsultationIn,
    ConsultationKind,
    CounterProposal,
    OutboundConsultation,
)
from wijkhub.schemas.status import StatusUpdate

OPEN, ACCEPTED, DECLINED, REFUSED = "open", "accepted", "declined", "refused"
IN, OUT = "in", "out"
AWAITS_APPROVAL = gettext(
    "This item is still awaiting approval; consultation with the partner is only possible "
    "once it has been approved and sent."
)
NOT_SENT_YET = gettext(
    "This item has not (yet) been sent to the partner; the partner does not know it, so "
    "there is nothing to consult about yet."
)
TEXT_HAS_BSN = gettext(
    "the message contains a BSN, and {partner} may not receive a BSN; remove the number "
    "from the text"
)
NO_FREE_TEXT = gettext(
    "{partner} may not receive free text about the client (privacy rules or consent); "
    "consult outside the hub"
)
PROPOSAL_STATUS_NL = {
    OPEN: gettext("open"),
    ACCEPTED: gettext("accepted"),
    DECLINED: gettext("declined by the coach"),
    REFUSED: gettext("refused by the privacy policy"),
}


def _aad(message_id: str) -> str:
    return f"consultation_message.content:{message_id}"


def _log(name: str, actor: str, item: Any, outcome: str, detail: str | None = None) -> LogEntry:
    """A consultation step in the processing log: who, which item and partner, never the text."""
    return LogEntry(
        name=name,
        actor=actor,
        outcome=outcome,
        trace_id=item.advice_trace,
        data_subject_id=item.client_id,
        partner_id=item.partner_id,
        purpose=item.advice_type,
        legal_basis=item.legal_basis,
        # The message is free text about the client.
        categories=[DataCategory.free_text.value],
        detail=detail,
    )


# --- partner -> hub (called by status_intake) -------------------------------------------------


def check_inbound(ptype: PartnerType, updates: list[StatusUpdate]) -> None:
    """A counter-proposal may only name an advice type of the same partner type."""
    for u in updates:
        proposal = u.consultation.proposal if u.consultation else None
        if proposal and proposal.advice_type and ptype.advice_type(proposal.advice_type) is None:
            known = ", ".join(a.name for a in ptype.advice_types)
            raise ApiError(
                400,
                "invalid_payload",
                f"Tegenvoorstel: adviestype '{proposal.advice_type}' bestaat niet bij "
                f"{ptype.title_nl} (wel: {known})",
            )


async def record_inbound(
    ctx: HubContext,
    conn: AsyncConnection,
    item: Any,
    partner_id: str,
    actor: str,
    u: StatusUpdate,
    now: datetime,
) -> LogEntry:
    """Store a partner's consultation message (in the status update's transaction)."""
    c = u.consultation
    assert c is not None
    message_id = uuid.uuid4().hex
    await conn.execute(
        insert(CONSULT).values(
            id=message_id,
            item_id=item.id,
            partner_id=partner_id,
            direction=IN,
            kind=c.kind.value,
            author=actor,
            partner_message_id=u.partner_message_id,
            in_reply_to=c.in_reply_to,
            content=ctx.seal(
                {
                    "text": c.text,
                    "proposal": c.proposal.model_dump(mode="json") if c.proposal else None,
                },
                _aad(message_id),
            ),
            proposal_status=OPEN if c.kind is ConsultationKind.counter_proposal else None,
            created_at=now,
        )
    )
    return _log("consultation.receive", actor, item, c.kind.value, message_id)


# --- the coach's side -------------------------------------------------------------------------


async def _item(conn: AsyncConnection, item_id: str, team: str | None) -> Any:
    """The item with its advice's trace, if the caller's team may see its client."""
    item = (
        await conn.execute(
            select(ITEM, ADVICE.c.trace_id.label("advice_trace"))
            .join(ADVICE, ADVICE.c.id == ITEM.c.advice_id)
            .where(ITEM.c.id == item_id)
        )
    ).first()
    if item is None or not await clients.in_scope(conn, item.client_id, team):
        raise not_found("Onderdeel")
    return item


def _partner(ctx: HubContext, item: Any) -> tuple[PartnerConfig, PartnerType]:
    partner = ctx.partners.get(item.partner_id)
    ptype = ctx.registry.get(partner.type) if partner else None
    if partner is None or ptype is None:
        raise ApiError(409, "gone", "Deze partner is niet meer geconfigureerd.")
    return partner, ptype


async def check_sent(conn: AsyncConnection, item: Any) -> None:
    """A message only about an item the partner has been sent: not while it waits for a second
    pair of eyes (it would reach the partner before anyone approved it), nor as a draft or a
    plan item that is still waiting."""
    approval = await conn.scalar(select(APPROVAL.c.status).where(APPROVAL.c.item_id == item.id))
    if approval == approvals.AWAITING:
        raise ApiError(409, "awaiting_approval", AWAITS_APPROVAL)
    sent = await conn.scalar(
        select(DELIVERY.c.id).where(DELIVERY.c.item_id == item.id, DELIVERY.c.kind == "advice")
    )
    if sent is None:
        raise ApiError(409, "not_sent", NOT_SENT_YET)


async def _decide_now(ctx: HubContext, conn: AsyncConnection, item: Any, atype: Any) -> Decision:
    partner, _ = _partner(ctx, item)
    consents = await consent_registry.for_clients(conn, ctx, [item.client_id])
    return decide(
        ItemFacts(partner.id, partner.name, partner.type, atype),
        ctx.rules,
        consents,
        local_date(ctx.clock.now()),
    )


def check_text(ctx: HubContext, partner: PartnerConfig, d: Decision, text: str) -> None:
    """A coach's message is free text about the client: it needs the free-text category in
    the current decision, and may not carry a BSN to a partner without the right to one."""
    if DataCategory.free_text not in d.categories:
        raise invalid([FieldError("text", NO_FREE_TEXT.format(partner=partner.name))])
    prules = ctx.rules.for_type(partner.type)
    if not (prules and prules.bsn_allowed) and contains_bsn(text):
        raise invalid([FieldError("text", TEXT_HAS_BSN.format(partner=partner.name))])


async def _queue_message(
    ctx: HubContext,
    conn: AsyncConnection,
    item: Any,
    kind: ConsultationKind,
    text: str,
    in_reply_to: str | None,
    author: str,
    now: datetime,
) -> tuple[str, LogEntry]:
    """Translate a coach's message with the partner's plugin and put it in the outbox."""

    partner, ptype = _partner(ctx, item)
    if ptype.translate_consultation is None:
        raise ApiError(
            409,
            "no_consultation",
            f"{partner.name} kan (nog) geen overlegberichten ontvangen via de hub.",
        )
    message_id = uuid.uuid4()
    outbound = OutboundConsultation(
        item_ref=uuid.UUID(item.id),
        item_number=item.number,
        partner_id=partner.id,
        sender=ctx.settings.sender_code,
        message_ref=message_id,
        kind=kind,
        sent_at=now,
        text=text,
        in_reply_to=in_reply_to,
    )
    try:
        msg = await asyncio.to_thread(ptype.translate_consultation, outbound)
    except ValueError:
        raise ApiError(
            422,
            "untranslatable",
            "Het bericht kan niet in het formaat van de partner worden uitgedrukt; "
            "controleer de tekst op ongebruikelijke tekens.",
        ) from None
    row = delivery_row(ctx, item.id, partner, "consultation", msg, item.advice_trace, now)
    await conn.execute(insert(DELIVERY).values(row))
    await conn.execute(
        insert(CONSULT).values(
            id=message_id.hex,
            item_id=item.id,
            partner_id=partner.id,
            direction=OUT,
            kind=kind.value,
            author=author,
            in_reply_to=in_reply_to,
            content=ctx.seal({"text": text, "proposal": None}, _aad(message_id.hex)),
            delivery_id=row["id"],
            created_at=now,
        )
    )
    return message_id.hex, _log("consultation.send", author, item, kind.value, message_id.hex)


async def send(
    ctx: HubContext, item_id: str, body: ConsultationIn, who: Principal, team: str | None
) -> dict[str, Any]:
    """A coach's question, answer or report-back to the partner of an item."""
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        item = await _item(conn, item_id, team)
        if not item.allowed:
            raise ApiError(
                409,
                "item_refused",
                "Over een onderdeel dat het privacybeleid weigerde, wordt niet overlegd: "
                "de partner kent het niet.",
            )
        await check_sent(conn, item)
        partner, ptype = _partner(ctx, item)
        atype = ptype.advice_type(item.advice_type)
        # The text is data about the client: it may only go while the basis still holds.
        d = await _decide_now(ctx, conn, item, atype)
        if not d.allowed:
            raise ApiError(409, "not_allowed", f"Bericht niet verstuurd: {d.reason}")
        check_text(ctx, partner, d, body.text)
        reply_to = None
        if body.in_reply_to is not None:
            reply_to = await conn.scalar(
                select(CONSULT.c.partner_message_id).where(
                    CONSULT.c.id == body.in_reply_to.hex,
                    CONSULT.c.item_id == item.id,
                    CONSULT.c.direction == IN,
                )
            )
            if reply_to is None:
                raise invalid(
                    [FieldError("in_reply_to", "geen bericht van de partner bij dit onderdeel")]
                )
        message_id, entry = await _queue_message(
            ctx, conn, item, body.kind, body.text, reply_to, who.actor, now
        )
        await append(conn, [entry], now)
    ctx.on_new_deliveries()
    return (await _messages(ctx, item_id, team, only=message_id))[0]


async def list_for(
    ctx: HubContext, item_id: str, team: str | None, reader: read_log.Reader
) -> list[dict[str, Any]]:
    """The item's thread, as the coach reads it: the free text is about the client, logged."""
    return await _messages(ctx, item_id, team, reader=reader)


async def _messages(
    ctx: HubContext,
    item_id: str,
    team: str | None,
    only: str | None = None,
    reader: read_log.Reader | None = None,
) -> list[dict[str, Any]]:
    # Without a reader: the message just written, echoed to its author (its write is logged).
    async with ctx.db.write() if reader else ctx.db.read() as conn:
        item = await _item(conn, item_id, team)
        if reader is not None:
            await read_log.record(
                conn, reader, read_log.CONSULTATION, [item.client_id], ctx.clock.now()
            )
        query = select(CONSULT, DELIVERY.c.status.label("delivery_status")).outerjoin(
            DELIVERY, DELIVERY.c.id == CONSULT.c.delivery_id
        )
        query = query.where(CONSULT.c.id == only) if only else query
        rows = (
            await conn.execute(
                query.where(CONSULT.c.item_id == item_id).order_by(
                    CONSULT.c.created_at, CONSULT.c.id
                )
            )
        ).all()
    return [_out(ctx, r) for r in rows]


def _content(ctx: HubContext, row: Any) -> dict[str, Any]:
    return ctx.unseal(row.content, _aad(row.id)) if row.content else {}  # empty: purged


def _out(ctx: HubContext, r: Any) -> dict[str, Any]:
    content = _content(ctx, r)
    return {
        "id": r.id,
        "item_id": r.item_id,
        "direction": r.direction,
        "kind": r.kind,
        "text": content.get("text"),
        "in_reply_to": r.in_reply_to,
        "proposal": content.get("proposal"),
        "proposal_status": r.proposal_status,
        "resolution": r.resolution,
        "new_item_id": r.new_item_id,
        "delivery_status": r.delivery_status,
        "created_at": r.created_at,
        "author": r.author,
    }


async def _open_proposal(conn: AsyncConnection, item_id: str, proposal_id: str) -> Any:
    row = (
        await conn.execute(
            select(CONSULT).where(
                CONSULT.c.id == proposal_id,
                CONSULT.c.item_id == item_id,
                CONSULT.c.kind == ConsultationKind.counter_proposal.value,
            )
        )
    ).first()
    if row is None:
        raise not_found("Tegenvoorstel")
    if row.proposal_status != OPEN:
        raise ApiError(
            409,
            "already_decided",
            f"Over dit tegenvoorstel is al beslist ({PROPOSAL_STATUS_NL[row.proposal_status]}).",
        )
    return row


async def _resolve(
    conn: AsyncConnection,
    proposal_id: str,
    status: str,
    who: Principal,
    now: datetime,
    resolution: str | None = None,
    new_item_id: str | None = None,
) -> None:
    """Claim the open proposal: a concurrent decision on it updates no row and loses."""
    res = await conn.execute(
        update(CONSULT)
        .where(CONSULT.c.id == proposal_id, CONSULT.c.proposal_status == OPEN)
        .values(
            proposal_status=status,
            resolved_at=now,
            resolved_by=who.actor,
            resolution=resolution,
            new_item_id=new_item_id,
        )
    )
    if res.rowcount != 1:
        raise ApiError(409, "already_decided", "Over dit tegenvoorstel is al beslist.")


async def decline(
    ctx: HubContext,
    item_id: str,
    proposal_id: str,
    text: str,
    who: Principal,
    team: str | None,
) -> dict[str, Any]:
    """Decline a counter-proposal: recorded, and the partner gets the coach's answer."""
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        item = await _item(conn, item_id, team)
        proposal = await _open_proposal(conn, item_id, proposal_id)
        partner, ptype = _partner(ctx, item)
        d = await _decide_now(ctx, conn, item, ptype.advice_type(item.advice_type))
        if not d.allowed:
            raise ApiError(409, "not_allowed", f"Bericht niet verstuurd: {d.reason}")
        check_text(ctx, partner, d, text)
        await _resolve(conn, proposal_id, DECLINED, who, now, "afgewezen door de coach")
        _, entry = await _queue_message(
            ctx,
            conn,
            item,
            ConsultationKind.answer,
            text,
            proposal.partner_message_id,
            who.actor,
            now,
        )
        await append(
            conn,
            [_log("consultation.counter_proposal", who.actor, item, DECLINED, proposal_id), entry],
            now,
        )
    ctx.on_new_deliveries()
    return (await _messages(ctx, item_id, team, only=proposal_id))[0]


async def accept(
    ctx: HubContext, item_id: str, proposal_id: str, who: Principal, team: str | None
) -> dict[str, Any]:
    """Accept a counter-proposal: a new version of the item, decided and approved again."""

    now = ctx.clock.now()
    today = local_date(now)
    async with ctx.db.read() as conn:
        item = await _item(conn, item_id, team)
        proposal_row = await _open_proposal(conn, item_id, proposal_id)
        if await conn.scalar(
            select(VERSION.c.item_id).where(VERSION.c.previous_item_id == item_id)
        ):
            raise ApiError(
                409, "superseded", "Dit onderdeel is al vervangen door een nieuwe versie."
            )
        client = await clients.load(ctx, conn, item.client_id)
        consents = await consent_registry.for_clients(conn, ctx, [item.client_id])
        member = await households.for_item(ctx, conn, item_id)
        cost = await conn.scalar(select(APPROVAL.c.cost_cents).where(APPROVAL.c.item_id == item_id))
        version = 1 + (
            await conn.scalar(select(VERSION.c.version).where(VERSION.c.item_id == item_id)) or 1
        )
    if client is None:
        raise not_found("Cliënt")
    proposal = CounterProposal.model_validate(_content(ctx, proposal_row)["proposal"])
    details = ctx.unseal(item.details, f"advice_item.details:{item_id}")
    advice_type = proposal.advice_type or item.advice_type
    same_type = advice_type == item.advice_type
    try:
        item_in = AdviceItemIn(
            partner_id=item.partner_id,
            advice_type=advice_type,
            motivation=details["motivation"],
            urgency=Urgency(item.urgency),
            requested_date=proposal.requested_date or item.requested_date,
            threats=details["threats"],
            # Within the same advice type a proposal changes only the parameters it names.
            parameters={
                **(details["parameters"] if same_type else {}),
                **(proposal.parameters or {}),
            },
            estimated_cost_cents=cost,
        )
        advice_in = AdviceIn(client_id=uuid.UUID(item.client_id), items=[item_in])
    except ValidationError as exc:
        raise invalid(
            [
                FieldError(
                    "proposal", f"tegenvoorstel onbruikbaar: {pydantic_message(exc.errors()[0])}"
                )
            ]
        ) from None
    try:
        [p] = validate_items(ctx, advice_in)
    except ApiError as exc:
        # The proposal's parameters or advice type do not fit: say so in the coach's terms.
        raise ApiError(
            422,
            "counter_proposal_invalid",
            "Het tegenvoorstel past niet bij het adviestype: "
            + "; ".join(e.message for e in exc.fields),
            [
                FieldError("proposal." + f.field.removeprefix("items.0."), f.message)
                for f in exc.fields
            ],
        ) from None
    # The same code path as a submission: the policy decides the new version from scratch,
    # per household member (a child's item also needs the parents with authority).
    facts = ItemFacts(p.partner.id, p.partner.name, p.partner.type, p.atype)
    d = (
        decide_for_member(facts, ctx.rules, member, today)
        if member is not None
        else decide(facts, ctx.rules, consents, today)
    )
    decide_log = decision_log(
        d, p, actor=who.actor, trace_id=item.advice_trace, subject=item.client_id
    )
    if not d.allowed:
        async with ctx.db.write() as conn:
            await _resolve(conn, proposal_id, REFUSED, who, now, d.reason)
            await append(
                conn,
                [
                    decide_log,
                    _log("consultation.counter_proposal", who.actor, item, REFUSED, d.code),
                ],
                now,
            )
        raise ApiError(
            422,
            "counter_proposal_refused",
            f"Het tegenvoorstel kan niet worden overgenomen: {d.reason} Er is niets verstuurd.",
        )

    rules = approvals.load_rules(ctx)
    needs = rules.required_role(p.atype.name, cost) if rules else None
    new_id = uuid.uuid4().hex
    deadline = due_date(today, p.atype.deadline_for(item_in.threats))
    async with ctx.db.write() as conn:
        await _resolve(conn, proposal_id, ACCEPTED, who, now, f"versie {version}", new_id)
        number = (
            await conn.execute(
                insert(ITEM)
                .values(
                    **item_row(
                        ctx,
                        p,
                        d,
                        item_id=new_id,
                        advice_id=item.advice_id,
                        subject=item.client_id,
                        position=item.position,
                        deadline=deadline,
                    )
                )
                .returning(ITEM.c.number)
            )
        ).scalar_one()
        await conn.execute(
            insert(VERSION).values(
                item_id=new_id,
                previous_item_id=item_id,
                version=version,
                proposal_id=proposal_id,
                created_at=now,
            )
        )
        log = [
            _log("consultation.counter_proposal", who.actor, item, ACCEPTED, proposal_id),
            decide_log,
            LogEntry(
                name="advice_item.new_version",
                actor=who.actor,
                outcome=f"version_{version}",
                trace_id=item.advice_trace,
                data_subject_id=item.client_id,
                partner_id=p.partner.id,
                purpose=p.atype.name,
                detail=f"vervangt {item_id}",
            ),
        ]
        if needs is not None:  # four eyes again: no outbox row until approved
            log += await approvals.hold(
                ctx,
                conn,
                [approvals.Pending(new_id, p.partner.id, p.atype.name, needs, cost)],
                advice_id=item.advice_id,
                client_id=item.client_id,
                actor=who.actor,
                trace_id=item.advice_trace,
                parent_span_id=None,  # type: ignore[arg-type]
                now=now,
                author_person=who.person_id,
            )
            status = "awaiting_approval"
        else:
            msg = await asyncio.to_thread(render, ctx, client, p, d, new_id, number, deadline, now)
            await conn.execute(
                insert(DELIVERY).values(
                    delivery_row(ctx, new_id, p.partner, "advice", msg, item.advice_trace, now)
                )
            )
            status = "queued"
        # The partner learns on the old item which new one replaces it.
        _, entry = await _queue_message(
            ctx,
            conn,
            item,
            ConsultationKind.answer,
            f"Tegenvoorstel aanvaard. Dit verzoek is vervangen door versie {version} met "
            f"referentie {uuid.UUID(new_id)}" + ("; die volgt na goedkeuring." if needs else "."),
            proposal_row.partner_message_id,
            who.actor,
            now,
        )
        log.append(entry)
        await append(conn, log, now)
    ctx.on_new_deliveries()
    return {
        "proposal_id": proposal_id,
        "previous_item_id": item_id,
        "new_item_id": new_id,
        "version": version,
        "delivery_status": status,
    }


# --- the item's timeline ----------------------------------------------------------------------


async def events_for(
    ctx: HubContext, conn: AsyncConnection, ids: list[str]
) -> dict[str, list[TimelineEvent]]:
    """Consultation messages and versions of these items, as timeline events."""
    out: dict[str, list[TimelineEvent]] = {i: [] for i in ids}
    rows = (
        await conn.execute(
            select(CONSULT).where(CONSULT.c.item_id.in_(ids)).order_by(CONSULT.c.created_at)
        )
    ).all()
    for r in rows:
        text = _content(ctx, r).get("text")
        label = CONSULTATION_KIND_LABELS_NL[ConsultationKind(r.kind)]
        who = "partner" if r.direction == IN else "coach"
        detail = f"{label} van de {who}" + (f": {text}" if text else "")
        if r.proposal_status:
            detail += f" [{PROPOSAL_STATUS_NL[r.proposal_status]}"
            detail += f": {r.resolution}]" if r.resolution else "]"
        out[r.item_id].append(
            TimelineEvent(
                at=r.created_at, kind=f"consultation_{r.direction}", status=r.kind, detail=detail
            )
        )
        if r.resolved_at is not None:
            out[r.item_id].append(
                TimelineEvent(
                    at=r.resolved_at,
                    kind="counter_proposal",
                    status=r.proposal_status,
                    detail=f"tegenvoorstel {PROPOSAL_STATUS_NL[r.proposal_status]}"
                    + (f": {r.resolution}" if r.resolution else ""),
                )
            )
    versions = (
        await conn.execute(
            select(VERSION).where(VERSION.c.item_id.in_(ids) | VERSION.c.previous_item_id.in_(ids))
        )
    ).all()
    for v in versions:
        if v.previous_item_id in out:
            out[v.previous_item_id].append(
                TimelineEvent(
                    at=v.created_at,
                    kind="superseded",
                    status=v.item_id,
                    detail=f"vervangen door versie {v.version} (na een tegenvoorstel)",
                )
            )
        if v.item_id in out:
            out[v.item_id].append(
                TimelineEvent(
                    at=v.created_at,
                    kind="version",
                    status=str(v.version),
                    detail=f"versie {v.version}; vervangt {v.previous_item_id}",
                )
            )
    return out
