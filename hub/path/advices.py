"""Submitting an advice and reading it back with its per-partner timeline.

The straight path of DESIGN.md: validate → decide (consent) → minimise → translate (plugin)
→ store with outbox, in one transaction. A plugin only ever receives the minimised view.
"""

import asyncio
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.consent.free_text import contains_bsn
from wijkhub.consent.minimise import client_view, motivation_for, threats_for
from wijkhub.consent.policy import ItemFacts
from wijkhub.hub.casework import approvals, consultation, escalation, plan
from wijkhub.hub.core.clock import local_date
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.deadlines import due_date
from wijkhub.hub.core.errors import ApiError, FieldError, invalid, not_found
from wijkhub.hub.core.partners import PartnerConfig
from wijkhub.hub.core.processing_log import STATUS_OK, LogEntry, append, new_span_id, new_trace_id
from wijkhub.hub.plugin_api.types import AdviceType, PartnerMessage, PartnerType
from wijkhub.hub.records import clients, households
from wijkhub.hub.records import consents as consent_registry
from wijkhub.hub.store.tables import (
    ADVICE,
    ATTEMPT,
    DELIVERY,
    ITEM,
    STATUS,
)
from wijkhub.schemas.advice import (
    AdviceIn,
    AdviceItemIn,
    AdviceItemOut,
    AdviceOut,
    Decision,
    TimelineEvent,
    Urgency,
)
from wijkhub.schemas.client import Client
from wijkhub.schemas.outbound import Approval, OutboundAdvice
from wijkhub.schemas.status import REJECTION_REASON_LABELS_NL, DeliveryStatus, PartnerStatus

log_ = logging.getLogger(__name__)


@dataclass
class PreparedItem:
    position: int
    item: AdviceItemIn
    partner: PartnerConfig
    ptype: PartnerType
    atype: AdviceType
    parameters: dict[str, Any]


def validate_items(ctx: HubContext, advice: AdviceIn) -> list[PreparedItem]:
    """Checks that need the configuration: partner, advice type, advice-type parameters."""
    errors: list[FieldError] = []
    prepared: list[PreparedItem] = []
    for i, item in enumerate(advice.items):
        where = f"items.{i}"
        partner = ctx.partners.get(item.partner_id)
        if partner is None:
            errors.append(
                FieldError(f"{where}.partner_id", f"onbekende partner '{item.partner_id}'")
            )
            continue
        ptype = ctx.registry.get(partner.type)
        atype = ptype.advice_type(item.advice_type) if ptype else None
        if ptype is None or atype is None:
            known = ", ".join(a.name for a in ptype.advice_types) if ptype else ""
            errors.append(
                FieldError(
                    f"{where}.advice_type",
                    f"{partner.name} kent adviestype '{item.advice_type}' niet (wel: {known})",
                )
            )
            continue
        params: dict[str, Any] = {}
        if atype.parameters is not None:
            try:
                params = atype.parameters.model_validate(item.parameters).model_dump(mode="json")
            except ValidationError as exc:
                for e in exc.errors():
                    loc = ".".join(str(p) for p in e["loc"])
                    errors.append(
                        FieldError(f"{where}.parameters{'.' + loc if loc else ''}", e["msg"])
                    )
                continue
        elif item.parameters:
            errors.append(
                FieldError(f"{where}.parameters", f"'{atype.name}' heeft geen parameters")
            )
            continue
        prules = ctx.rules.for_type(partner.type)
        if not (prules and prules.bsn_allowed) and contains_bsn(item.motivation):
            errors.append(
                FieldError(
                    f"{where}.motivation",
                    f"de motivatie bevat een BSN, en {partner.name} mag geen BSN ontvangen; "
                    "haal het nummer uit de tekst",
                )
            )
            continue
        prepared.append(PreparedItem(i, item, partner, ptype, atype, params))
    if errors:
        raise invalid(errors)
    return prepared


def decision_columns(d: Decision) -> dict[str, Any]:
    """How a policy decision is stored on its advice_item row."""
    return {
        "allowed": d.allowed,
        "decision_code": d.code,
        "decision_reason": d.reason,
        "legal_basis": d.legal_basis.value if d.legal_basis else None,
        "categories": [c.value for c in d.categories],
        "consent_id": d.consent_id.hex if d.consent_id else None,
        "rules_version": d.rules_version,
    }


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


def decision_log(
    d: Decision,
    p: PreparedItem,
    *,
    actor: str,
    trace_id: str,
    subject: str,
    parent_span_id: str | None = None,
) -> LogEntry:
    """The processing-log entry of one policy decision (submit, release, a new version)."""
    return LogEntry(
        name="advice_item.decide",
        actor=actor,
        trace_id=trace_id,
        parent_span_id=parent_span_id,
        status_code=STATUS_OK,
        outcome="allowed" if d.allowed else "refused",
        detail=d.code,
        data_subject_id=subject,
        partner_id=p.partner.id,
        purpose=p.atype.name,
        legal_basis=d.legal_basis.value if d.legal_basis else None,
        categories=[c.value for c in d.categories],
        rules_version=d.rules_version,
    )


def _facts(p: PreparedItem) -> ItemFacts:
    return ItemFacts(p.partner.id, p.partner.name, p.partner.type, p.atype)


def _outbound(
    ctx: HubContext,
    client: Client,
    p: PreparedItem,
    decision: Decision,
    item_ref: str,
    number: int,
    deadline: date | None,
    now: datetime,
    approval: Approval | None = None,
) -> OutboundAdvice:
    """Minimise: the item as this partner may see it."""
    view = client_view(
        client, decision.categories, ctx.keyring.subject_ref(client.id.hex, p.partner.id)
    )
    return OutboundAdvice(
        item_ref=uuid.UUID(item_ref),
        item_number=number,
        advice_type=p.atype.name,
        partner_id=p.partner.id,
        sender=ctx.settings.sender_code,
        created_at=now,
        deadline=deadline,
        urgency=p.item.urgency,
        requested_date=p.item.requested_date,
        threats=threats_for(p.atype, p.item.threats, decision.categories),
        motivation=motivation_for(
            p.item.motivation, p.atype.motivation_category, decision.categories
        ),
        parameters=p.parameters,
        legal_basis=decision.legal_basis,  # type: ignore[arg-type]
        categories=decision.categories,
        client=view,
        approval=approval,
    )


def _render(
    ctx: HubContext,
    client: Client,
    p: PreparedItem,
    decision: Decision,
    item_ref: str,
    number: int,
    deadline: date | None,
    now: datetime,
    approval: Approval | None = None,
) -> PartnerMessage:
    """Minimise and translate: runs in a worker thread (XML and XSD work is CPU-bound)."""
    outbound = _outbound(ctx, client, p, decision, item_ref, number, deadline, now, approval)
    return p.ptype.translate_advice(outbound)


@dataclass
class Planned:
    """One validated item with its policy decision, before anything is stored."""

    prepared: PreparedItem
    decision: Decision
    deadline: date | None
    needs_approval: str | None  # the role that must approve first, or None
    client: Client  # whom the item is about: the advice's client or a household member


@dataclass
class AdvicePlan:
    client: Client
    items: list[Planned]
    now: datetime
    today: date
    household: plan.Planned  # members, goals and waits of the household plan


async def plan_advice(ctx: HubContext, advice: AdviceIn, *, team: str | None = None) -> AdvicePlan:
    """Validate → decide, for submit and its dry run alike (one code path, nothing stored)."""
    prepared = validate_items(ctx, advice)
    client_id = advice.client_id.hex
    now = ctx.clock.now()
    today = local_date(now)
    async with ctx.db.read() as conn:
        in_team = await clients.in_scope(conn, client_id, team)
        client = await clients.load(ctx, conn, client_id) if in_team else None
        if client is None:
            raise invalid([FieldError("client_id", "onbekende cliënt")])
        consents = await consent_registry.for_clients(conn, ctx, [client_id])
        # Household plan: per item its member (whose consent decides), goal and wait.
        household = await plan.prepare(ctx, conn, advice, client_id, team, today)
    approval_rules = approvals.load_rules(ctx)
    items = []
    for p in prepared:
        d = household.decide(p.position, _facts(p), ctx.rules, consents, today)
        deadline = due_date(today, p.atype.deadline_for(p.item.threats)) if d.allowed else None
        needs = (
            approval_rules.required_role(p.atype.name, p.item.estimated_cost_cents)
            if approval_rules and d.allowed
            else None
        )
        items.append(Planned(p, d, deadline, needs, household.client(p.position, client)))
    return AdvicePlan(client, items, now, today, household)


async def translate_all(
    ctx: HubContext, todo: list[tuple[Planned, str, int]], now: datetime
) -> list[tuple[OutboundAdvice, PartnerMessage]]:
    """Minimise → translate each (item, ref, number) in a worker thread; a plugin that cannot
    express the data in its format refuses the whole advice."""

    def run() -> list[tuple[OutboundAdvice, PartnerMessage]]:
        out = []
        for pl, ref, n in todo:
            ob = _outbound(ctx, pl.client, pl.prepared, pl.decision, ref, n, pl.deadline, now)
            out.append((ob, pl.prepared.ptype.translate_advice(ob)))
        return out

    try:
        return await asyncio.to_thread(run)
    except ValueError as exc:
        # Refuse rather than store an item that can never be sent (submit rolls back).
        log_.warning("translation failed: %s", type(exc).__name__)
        raise ApiError(
            422,
            "untranslatable",
            "Een onderdeel kan niet in het formaat van de partner worden "
            "uitgedrukt; controleer de tekstvelden op ongebruikelijke tekens.",
        ) from None


async def submit(
    ctx: HubContext, advice: AdviceIn, actor: str, *, team: str | None = None
) -> AdviceOut:
    pln = await plan_advice(ctx, advice, team=team)
    client, now = pln.client, pln.now
    client_id = client.id.hex

    advice_id, trace_id, root_span = uuid.uuid4().hex, new_trace_id(), new_span_id()
    # The CPU work (sealing, building rows and log entries) happens before BEGIN IMMEDIATE:
    # on SQLite every writer waits while this transaction holds the write lock.
    advice_row = {
        "id": advice_id,
        "client_id": client_id,
        "created_at": now,
        "created_by": actor,
        "trace_id": trace_id,
        "summary": ctx.seal(advice.summary, f"advice.summary:{advice_id}")
        if advice.summary
        else None,
    }
    item_rows: list[dict[str, Any]] = []
    to_send: list[tuple[Planned, str]] = []
    refs: dict[int, str] = {}
    pending: list[approvals.Pending] = []
    log = [
        LogEntry(
            name="advice.submit",
            actor=actor,
            outcome="submitted",
            trace_id=trace_id,
            span_id=root_span,
            data_subject_id=client_id,
            detail=f"{len(pln.items)} onderdelen",
        )
    ]
    for pl in pln.items:
        p, d, deadline = pl.prepared, pl.decision, pl.deadline
        item_ref = refs[p.position] = uuid.uuid4().hex
        subject = pln.household.subject(p.position, client_id)  # a household member, or the client
        item_rows.append(
            item_row(
                ctx,
                p,
                d,
                item_id=item_ref,
                advice_id=advice_id,
                subject=subject,
                position=p.position,
                # A waiting item's deadline runs from the day it is sent, not from today.
                deadline=None if pln.household.waits(p.position) else deadline,
            )
        )
        log.append(
            decision_log(
                d, p, actor=actor, trace_id=trace_id, subject=subject, parent_span_id=root_span
            )
        )
        if pl.needs_approval is not None:  # four eyes: no outbox row until approved
            pending.append(
                approvals.Pending(
                    item_ref,
                    p.partner.id,
                    p.atype.name,
                    pl.needs_approval,
                    p.item.estimated_cost_cents,
                )
            )
        elif d.allowed and not pln.household.waits(p.position):  # waiting: no outbox row yet
            to_send.append((pl, item_ref))

    async with ctx.db.write() as conn:
        await conn.execute(insert(ADVICE).values(**advice_row))
        # One statement for all items; the numbers come back by id (iWmo needs them below).
        numbers: dict[str, int] = {
            r.id: r.number
            for r in await conn.execute(insert(ITEM).returning(ITEM.c.id, ITEM.c.number), item_rows)
        }
        rendered = [(pl, ref, numbers[ref]) for pl, ref in to_send]
        deliveries: list[dict[str, Any]] = []
        if rendered:
            messages = await translate_all(ctx, rendered, now)
            deliveries = [
                delivery_row(ctx, ref, pl.prepared.partner, "advice", msg, trace_id, now)
                for (pl, ref, _n), (_ob, msg) in zip(rendered, messages, strict=True)
            ]
            await conn.execute(insert(DELIVERY), deliveries)
        log += await approvals.hold(
            ctx,
            conn,
            pending,
            advice_id=advice_id,
            client_id=client_id,
            actor=actor,
            trace_id=trace_id,
            parent_span_id=root_span,
            now=now,
        )
        log += await pln.household.link(
            ctx,
            conn,
            refs,
            [pl.decision for pl in pln.items],
            actor=actor,
            trace_id=trace_id,
            parent_span_id=root_span,
        )
        held = await approvals.for_items(conn, [x.item_ref for x in pending]) if pending else {}
        await append(conn, log, now)
        # The answer is built from what was just stored, exactly as `get` builds it from the
        # database (the same function), without reading it all back.
        at = now.astimezone(UTC)  # as the database returns it
        answer = _advice_out(
            ctx,
            _Row({**advice_row, "created_at": at}),
            [
                _Row({**row, "number": numbers[row["id"]], "partner_status": None})
                for row in item_rows
            ],
            [
                _Row({**row, "created_at": at, "updated_at": at, "last_error": None})
                for row in deliveries
            ],
            [],
            [],
            held,
        )
        if pln.household.items:  # waits and members' names: the plan's side of the answer
            await plan.annotate(ctx, conn, answer.items)
    if rendered:
        ctx.on_new_deliveries()
    return answer


class _Row(dict[str, Any]):
    """A row built in memory that reads like a database row (`row.column`)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


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


async def get(ctx: HubContext, advice_id: str, *, team: str | None = None) -> AdviceOut:
    async with ctx.db.read() as conn:
        client_id = await conn.scalar(select(ADVICE.c.client_id).where(ADVICE.c.id == advice_id))
        if client_id is None or not await clients.in_scope(conn, client_id, team):
            raise not_found("Advies")
        return await _load(ctx, conn, advice_id)


async def _load(ctx: HubContext, conn: AsyncConnection, advice_id: str) -> AdviceOut:
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
    out = _advice_out(
        ctx, advice, items, deliveries, attempts, statuses, held, consulted, escalated
    )
    await plan.annotate(ctx, conn, out.items)
    return out


def _advice_out(
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
    in the order `_load` reads them): one place for `get` and `submit`."""
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


def prepared_from_row(
    ctx: HubContext, row: Any, cost_cents: int | None = None
) -> PreparedItem | None:
    """A stored item as it was submitted (None: its partner or advice type is gone)."""
    details = ctx.unseal(row.details, f"advice_item.details:{row.id}")
    partner = ctx.partners.get(row.partner_id)
    ptype = ctx.registry.get(partner.type) if partner else None
    atype = ptype.advice_type(row.advice_type) if ptype else None
    if partner is None or ptype is None or atype is None:
        return None
    item_in = AdviceItemIn(
        partner_id=partner.id,
        advice_type=atype.name,
        motivation=details["motivation"],
        urgency=Urgency(row.urgency),
        requested_date=row.requested_date,
        threats=details["threats"],
        parameters=details["parameters"],
        estimated_cost_cents=cost_cents,
    )
    return PreparedItem(row.position, item_in, partner, ptype, atype, details["parameters"])


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
    d = await households.decide_stored(ctx, conn, row.id, row.client_id, _facts(p), today)
    deadline = due_date(today, p.atype.deadline_for(p.item.threats)) if d.allowed else None
    await conn.execute(
        update(ITEM).where(ITEM.c.id == row.id).values(**decision_columns(d), deadline=deadline)
    )
    if d.allowed:
        msg = await asyncio.to_thread(
            _render, ctx, client, p, d, row.id, row.number, deadline, now, approval
        )
        await conn.execute(
            insert(DELIVERY).values(
                delivery_row(ctx, row.id, p.partner, "advice", msg, trace_id, now)
            )
        )
    return d, decision_log(d, p, actor=actor, trace_id=trace_id, subject=row.client_id)


# The dry run: refs and numbers are given out only when an advice is stored.
PREVIEW_REF = "0" * 32
PREVIEW_NUMBER = 1


class ItemPreview(BaseModel):
    """What one item would do if sent now: the partner's exact payload, or why it is refused."""

    position: int
    partner_id: str
    partner_name: str
    advice_type: str
    advice_title: str
    decision: Decision
    deadline: date | None
    needs_approval: str | None = Field(
        description="rol die eerst moet goedkeuren (vier ogen), of leeg"
    )
    outbound: dict[str, Any] | None = Field(
        description="het geminimaliseerde onderdeel zoals de plugin het krijgt; leeg bij weigering"
    )
    content_type: str | None
    payload: str | None = Field(description="het bericht in het formaat van de partner")


class AdvicePreview(BaseModel):
    client_id: uuid.UUID
    item_ref: uuid.UUID = Field(description="plaatshouder; de echte referentie volgt bij indienen")
    item_number: int
    items: list[ItemPreview]


async def preview(ctx: HubContext, advice: AdviceIn, *, team: str | None = None) -> AdvicePreview:
    """Submit's dry run: the same validate → decide → minimise → translate, nothing stored."""
    pln = await plan_advice(ctx, advice, team=team)
    allowed = [(pl, PREVIEW_REF, PREVIEW_NUMBER) for pl in pln.items if pl.decision.allowed]
    rendered = iter(await translate_all(ctx, allowed, pln.now))
    out = []
    for pl in pln.items:
        p = pl.prepared
        ob, msg = next(rendered) if pl.decision.allowed else (None, None)
        out.append(
            ItemPreview(
                position=p.position,
                partner_id=p.partner.id,
                partner_name=p.partner.name,
                advice_type=p.atype.name,
                advice_title=p.atype.title_nl,
                decision=pl.decision,
                deadline=pl.deadline,
                needs_approval=pl.needs_approval,
                outbound=ob.model_dump(mode="json") if ob else None,
                content_type=msg.content_type if msg else None,
                payload=msg.body.decode("utf-8", "replace") if msg else None,
            )
        )
    return AdvicePreview(
        client_id=advice.client_id,
        item_ref=uuid.UUID(PREVIEW_REF),
        item_number=PREVIEW_NUMBER,
        items=out,
    )
