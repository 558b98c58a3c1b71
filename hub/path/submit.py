"""Submitting an advice: the straight path validate → decide → minimise → translate → store
with outbox, in one transaction (steps in `hub/steps`). A plugin only ever receives the
minimised view."""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert

from wijkhub.hub.casework import approvals, plan
from wijkhub.hub.core.clock import local_date
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.deadlines import due_date
from wijkhub.hub.core.errors import FieldError, invalid
from wijkhub.hub.core.processing_log import LogEntry, append, new_span_id, new_trace_id
from wijkhub.hub.path.timeline import MemoryRow, advice_out
from wijkhub.hub.records import clients
from wijkhub.hub.records import consents as consent_registry
from wijkhub.hub.steps.decide import Planned, decision_log, facts
from wijkhub.hub.steps.enqueue import delivery_row, item_row
from wijkhub.hub.steps.translate import translate_all
from wijkhub.hub.steps.validate import validate_items
from wijkhub.hub.store.tables import (
    ADVICE,
    DELIVERY,
    ITEM,
)
from wijkhub.schemas.advice import (
    AdviceIn,
    AdviceOut,
)
from wijkhub.schemas.client import Client


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
        d = household.decide(p.position, facts(p), ctx.rules, consents, today)
        deadline = due_date(today, p.atype.deadline_for(p.item.threats)) if d.allowed else None
        needs = (
            approval_rules.required_role(p.atype.name, p.item.estimated_cost_cents)
            if approval_rules and d.allowed
            else None
        )
        items.append(Planned(p, d, deadline, needs, household.client(p.position, client)))
    return AdvicePlan(client, items, now, today, household)


async def submit(
    ctx: HubContext,
    advice: AdviceIn,
    actor: str,
    *,
    team: str | None = None,
    person: str | None = None,
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
            author_person=person,
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
        answer = advice_out(
            ctx,
            MemoryRow({**advice_row, "created_at": at}),
            [
                MemoryRow({**row, "number": numbers[row["id"]], "partner_status": None})
                for row in item_rows
            ],
            [
                MemoryRow({**row, "created_at": at, "updated_at": at, "last_error": None})
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
