"""The household plan: goals per member and life domain, and the advice items that serve them.

An item can name the member it is about (that member's consent decides, see
`households.decide_stored` and consent/members.py), the goal it serves, and what it waits for:
another item reaching a partner status, or a date. A waiting item is stored and decided like
any other, but gets no outbox row. It is released (decided again, translated, queued) when its
predecessor reaches the status — in the same transaction as the partner's status update — or
when its date comes (the periodic job `settle_due`, on the injected clock). It is cancelled,
never sent, when its predecessor will not get there: refused, rejected, stopped, withdrawn,
dead, its approval rejected, or itself cancelled. Every step is in the processing log, with
item ids and codes only.

Settling is idempotent and safe with several workers: an item leaves `waiting` only through a
conditional update that exactly one transaction wins.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.consent.members import MemberConsents, decide_for_member
from wijkhub.consent.policy import ItemFacts, decide
from wijkhub.consent.rules import PrivacyRules
from wijkhub.hub.core.clock import local_date
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import FieldError, invalid
from wijkhub.hub.core.processing_log import LogEntry, append, new_trace_id
from wijkhub.hub.records import clients, households
from wijkhub.hub.steps.enqueue import requeue
from wijkhub.hub.store.tables import (
    ADVICE,
    APPROVAL,
    DELIVERY,
    GOAL,
    ITEM,
    MEMBER,
    PLAN_ITEM,
    STATUS,
)
from wijkhub.schemas.advice import AdviceIn, AdviceItemOut, Decision, TimelineEvent
from wijkhub.schemas.client import Client
from wijkhub.schemas.consent import Consent
from wijkhub.schemas.household import (
    LIFE_DOMAIN_LABELS_NL,
    Goal,
    GoalIn,
    ItemLink,
)
from wijkhub.schemas.outbound import Approval
from wijkhub.schemas.status import (
    DELIVERY_STATUS_LABELS_NL,
    PARTNER_STATUS_LABELS_NL,
    DeliveryStatus,
    PartnerStatus,
)

PURGED_GOAL_TEXT = "(verwijderd na bewaartermijn)"
WAITING, RELEASED, CANCELLED = "waiting", "released", "cancelled"
REACHED, FATAL, PENDING = "reached", "fatal", "pending"
SYSTEM_ACTOR = "system:plan"
# The usual order of a partner's answers: a later stage also reaches an earlier one (carried
# out implies adopted). Statuses not listed are reached only by themselves.
STAGE = {
    PartnerStatus.received.value: 1,
    PartnerStatus.in_progress.value: 2,
    PartnerStatus.adopted.value: 3,
    PartnerStatus.partly_adopted.value: 3,
    PartnerStatus.carried_out.value: 4,
}
FATAL_PARTNER = {PartnerStatus.rejected.value, PartnerStatus.stopped.value}
FATAL_DELIVERY = {
    DeliveryStatus.blocked.value,
    DeliveryStatus.withdrawn.value,
    DeliveryStatus.dead.value,
}
ENDED_PARTNER = FATAL_PARTNER | {PartnerStatus.carried_out.value}
RUNNING_DELIVERY = {
    DeliveryStatus.queued,
    DeliveryStatus.retrying,
    DeliveryStatus.delivered,
    DeliveryStatus.waiting,
    DeliveryStatus.awaiting_approval,
}


def reached(status: str, wanted: str) -> bool:
    if status == wanted:
        return True
    return status in STAGE and wanted in STAGE and STAGE[status] > STAGE[wanted]


def _status_nl(status: str) -> str:
    try:
        return PARTNER_STATUS_LABELS_NL.get(PartnerStatus(status), status)
    except ValueError:
        return status


def _fmt(d: date) -> str:
    return d.strftime("%d-%m-%Y")


async def is_waiting(conn: AsyncConnection, item_id: str) -> bool:
    state = await conn.scalar(select(PLAN_ITEM.c.wait_state).where(PLAN_ITEM.c.item_id == item_id))
    return state == WAITING


# --- at submission ----------------------------------------------------------------------------


@dataclass
class ItemPlan:
    household_id: str | None = None
    member_id: str | None = None
    goal_id: str | None = None
    subject: str | None = None  # the member's client id
    client: Client | None = None
    consents: MemberConsents | None = None
    wait_item: int | None = None  # an earlier item of this advice
    wait_item_id: str | None = None  # an item submitted before
    wait_status: str | None = None
    wait_until: date | None = None
    waits: bool = False
    verdict: tuple[str, str | None] = (PENDING, None)  # of an earlier item, at submission


@dataclass
class Planned:
    items: dict[int, ItemPlan] = field(default_factory=dict)

    def subject(self, pos: int, default: str) -> str:
        ip = self.items.get(pos)
        return ip.subject if ip and ip.subject else default

    def client(self, pos: int, default: Client) -> Client:
        ip = self.items.get(pos)
        return ip.client if ip and ip.client else default

    def waits(self, pos: int) -> bool:
        ip = self.items.get(pos)
        return bool(ip and ip.waits)

    def decide(
        self,
        pos: int,
        facts: ItemFacts,
        rules: PrivacyRules,
        consents: list[Consent],
        today: date,
    ) -> Decision:
        ip = self.items.get(pos)
        if ip and ip.consents is not None:
            return decide_for_member(facts, rules, ip.consents, today)
        return decide(facts, rules, consents, today)

    async def link(
        self,
        ctx: HubContext,
        conn: AsyncConnection,
        refs: dict[int, str],
        decisions: list[Decision],
        *,
        actor: str,
        trace_id: str,
        parent_span_id: str,
    ) -> list[LogEntry]:
        """Store the plan side of the submitted items (same transaction as the items)."""
        now = ctx.clock.now()
        log: list[LogEntry] = []
        states: dict[int, str | None] = {}
        for pos in sorted(self.items):
            ip, d = self.items[pos], decisions[pos]
            state: str | None = None
            reason: str | None = None
            wait_item_id = refs[ip.wait_item] if ip.wait_item is not None else ip.wait_item_id
            if ip.waits and d.allowed:
                state = WAITING
                if ip.wait_item is not None and not decisions[ip.wait_item].allowed:
                    state, reason = CANCELLED, "niet verstuurd: voorgaand onderdeel geweigerd"
                elif ip.wait_item is not None and states.get(ip.wait_item) == CANCELLED:
                    state, reason = CANCELLED, "niet verstuurd: voorgaand onderdeel niet verstuurd"
                elif ip.verdict[0] == FATAL:
                    state, reason = CANCELLED, ip.verdict[1]
            elif ip.verdict[0] == REACHED and d.allowed:
                state, reason = RELEASED, ip.verdict[1]
            states[pos] = state
            await conn.execute(
                insert(PLAN_ITEM).values(
                    item_id=refs[pos],
                    household_id=ip.household_id,
                    member_id=ip.member_id,
                    goal_id=ip.goal_id,
                    wait_item_id=wait_item_id,
                    wait_status=ip.wait_status,
                    wait_until=ip.wait_until,
                    wait_state=state,
                    wait_reason=reason,
                    created_at=now,
                    settled_at=now if state in (RELEASED, CANCELLED) else None,
                )
            )
            if state is not None:
                what = (
                    f"tot {_fmt(ip.wait_until)}"
                    if ip.wait_until
                    else f"op onderdeel {wait_item_id} tot status {ip.wait_status}"
                )
                log.append(
                    LogEntry(
                        name="advice_item.wait" if state == WAITING else f"advice_item.{state}",
                        actor=actor,
                        outcome=state,
                        trace_id=trace_id,
                        parent_span_id=parent_span_id,
                        data_subject_id=ip.subject,
                        partner_id=None,
                        detail=f"{refs[pos]} wacht {what}" + (f"; {reason}" if reason else ""),
                    )
                )
        return log


async def _advice_households(conn: AsyncConnection, client_id: str) -> set[str]:
    rows = await conn.execute(select(MEMBER.c.household_id).where(MEMBER.c.client_id == client_id))
    return set(rows.scalars())


async def prepare(
    ctx: HubContext,
    conn: AsyncConnection,
    advice: AdviceIn,
    client_id: str,
    team: str | None,
    today: date,
) -> Planned:
    """Check the plan fields of an advice (member, goal, wait) and load what they need."""
    planned = Planned()
    if not any(it.member_id or it.goal_id or it.wait_for for it in advice.items):
        return planned
    homes = await _advice_households(conn, client_id)
    errors: list[FieldError] = []
    for i, it in enumerate(advice.items):
        if not (it.member_id or it.goal_id or it.wait_for):
            continue
        where = f"items.{i}"
        ip = ItemPlan()
        member_id = it.member_id.hex if it.member_id else None
        if it.goal_id is not None:
            goal = (await conn.execute(select(GOAL).where(GOAL.c.id == it.goal_id.hex))).first()
            if goal is None or goal.household_id not in homes:
                errors.append(
                    FieldError(f"{where}.goal_id", "onbekend doel in het plan van deze cliënt")
                )
                continue
            if member_id is not None and goal.member_id != member_id:
                errors.append(FieldError(f"{where}.goal_id", "dit doel hoort bij een ander lid"))
                continue
            member_id, ip.goal_id, ip.household_id = goal.member_id, goal.id, goal.household_id
        if member_id is not None:
            m = (await conn.execute(select(MEMBER).where(MEMBER.c.id == member_id))).first()
            found = await households.member_consents(ctx, conn, member_id) if m else None
            if m is None or found is None or m.household_id not in homes:
                errors.append(
                    FieldError(
                        f"{where}.member_id", "onbekend lid van het huishouden van deze cliënt"
                    )
                )
                continue
            ip.member_id, ip.household_id = member_id, m.household_id
            ip.subject, ip.consents = found
            ip.client = await clients.load(ctx, conn, m.client_id)
            if ip.client is None:
                errors.append(FieldError(f"{where}.member_id", "van dit lid is geen dossier meer"))
                continue
        w = it.wait_for
        if w is not None:
            ip.waits = True
            ip.wait_status = w.status.value if w.status else None
            if w.until is not None:
                if w.until <= today:
                    errors.append(FieldError(f"{where}.wait_for.until", "moet na vandaag liggen"))
                ip.wait_until = w.until
            elif w.item is not None:
                if w.item >= i:
                    errors.append(
                        FieldError(
                            f"{where}.wait_for.item",
                            "moet verwijzen naar een eerder onderdeel van dit advies",
                        )
                    )
                ip.wait_item = w.item
            elif w.item_id is not None:
                pred_client = await conn.scalar(
                    select(ADVICE.c.client_id)
                    .join(ITEM, ITEM.c.advice_id == ADVICE.c.id)
                    .where(ITEM.c.id == w.item_id.hex)
                )
                if pred_client is None or not await clients.in_scope(conn, pred_client, team):
                    errors.append(FieldError(f"{where}.wait_for.item_id", "onbekend onderdeel"))
                    continue
                ip.wait_item_id = w.item_id.hex
                ip.verdict = await _verdict(conn, ip.wait_item_id, ip.wait_status or "")
                ip.waits = ip.verdict[0] != REACHED
        planned.items[i] = ip
    if errors:
        raise invalid(errors)
    return planned


# --- settling: release or cancel --------------------------------------------------------------


async def _verdict(conn: AsyncConnection, pred_id: str, wanted: str) -> tuple[str, str | None]:
    """Has the predecessor reached `wanted`, will it never, or may it still?"""
    pred = (await conn.execute(select(ITEM).where(ITEM.c.id == pred_id))).first()
    if pred is None or not pred.allowed:
        return FATAL, "niet verstuurd: voorgaand onderdeel geweigerd"
    seen = (
        await conn.execute(select(STATUS.c.status).where(STATUS.c.item_id == pred_id))
    ).scalars()
    if any(reached(s, wanted) for s in seen):
        return REACHED, f"vrijgegeven: voorgaand onderdeel is {_status_nl(wanted)}"
    if pred.partner_status in FATAL_PARTNER:
        return FATAL, f"niet verstuurd: voorgaand item {_status_nl(pred.partner_status)}"
    sent = (
        await conn.execute(
            select(DELIVERY.c.status).where(
                DELIVERY.c.item_id == pred_id, DELIVERY.c.kind == "advice"
            )
        )
    ).scalars()
    for s in sent:
        if s in FATAL_DELIVERY:
            label = DELIVERY_STATUS_LABELS_NL[DeliveryStatus(s)]
            return FATAL, f"niet verstuurd: voorgaand item {label}"
    approval = await conn.scalar(select(APPROVAL.c.status).where(APPROVAL.c.item_id == pred_id))
    if approval == "rejected":
        return FATAL, "niet verstuurd: goedkeuring van voorgaand item afgewezen"
    state = await conn.scalar(select(PLAN_ITEM.c.wait_state).where(PLAN_ITEM.c.item_id == pred_id))
    if state == CANCELLED:
        return FATAL, "niet verstuurd: voorgaand item niet verstuurd"
    return PENDING, None


async def _queue(
    ctx: HubContext, conn: AsyncConnection, item_id: str, now: datetime
) -> tuple[list[LogEntry], bool]:
    """Put a released item in the outbox, decided again. Its approval, when it needs one,
    goes with it; while that approval is still open the approval queues it later."""
    row = (
        await conn.execute(
            select(ITEM, ADVICE.c.trace_id)
            .join(ADVICE, ADVICE.c.id == ITEM.c.advice_id)
            .where(ITEM.c.id == item_id)
        )
    ).one()
    ap = (await conn.execute(select(APPROVAL).where(APPROVAL.c.item_id == item_id))).first()
    if ap is not None and ap.status != "approved":
        return [], False
    approval = (
        Approval(
            role=ap.decided_role,
            approver_ref=ctx.keyring.subject_ref(f"approver:{ap.decided_token}", row.partner_id),
            approved_at=ap.decided_at,
        )
        if ap is not None
        else None
    )
    done = await requeue(
        ctx,
        conn,
        row,
        actor=SYSTEM_ACTOR,
        trace_id=row.trace_id,
        now=now,
        approval=approval,
        cost_cents=ap.cost_cents if ap is not None else None,
    )
    if done is None:
        await conn.execute(
            update(PLAN_ITEM)
            .where(PLAN_ITEM.c.item_id == item_id)
            .values(
                wait_state=CANCELLED,
                wait_reason="niet verstuurd: partner, adviestype of cliënt bestaat niet meer",
            )
        )
        return [], False
    return [done[1]], done[0].allowed


async def settle(
    ctx: HubContext, conn: AsyncConnection, now: datetime, predecessors: set[str] | None = None
) -> tuple[list[LogEntry], int]:
    """Release or cancel the waiting items whose wait is over (only those waiting on
    `predecessors` when given), then those waiting on what just changed. Returns the log
    entries and how many items were queued."""
    today = local_date(now)
    log: list[LogEntry] = []
    queued = 0
    frontier = predecessors
    for _ in range(100):  # one link of a chain per pass; chains are short
        q = (
            select(
                PLAN_ITEM,
                ITEM.c.client_id,
                ITEM.c.partner_id,
                ITEM.c.advice_type,
                ADVICE.c.trace_id,
            )
            .join(ITEM, ITEM.c.id == PLAN_ITEM.c.item_id)
            .join(ADVICE, ADVICE.c.id == ITEM.c.advice_id)
            .where(PLAN_ITEM.c.wait_state == WAITING)
            .order_by(PLAN_ITEM.c.created_at, PLAN_ITEM.c.item_id)
        )
        if frontier is not None:
            q = q.where(PLAN_ITEM.c.wait_item_id.in_(frontier))
        changed: set[str] = set()
        for r in (await conn.execute(q)).all():
            if r.wait_until is not None:
                if r.wait_until > today:
                    continue
                outcome, reason = RELEASED, f"vrijgegeven: datum {_fmt(r.wait_until)} bereikt"
            else:
                v, reason = await _verdict(conn, r.wait_item_id, r.wait_status)
                if v == PENDING:
                    continue
                outcome = RELEASED if v == REACHED else CANCELLED
            # Exactly one transaction moves an item out of `waiting`.
            res = await conn.execute(
                update(PLAN_ITEM)
                .where(PLAN_ITEM.c.item_id == r.item_id, PLAN_ITEM.c.wait_state == WAITING)
                .values(wait_state=outcome, wait_reason=reason, settled_at=now)
            )
            if res.rowcount != 1:
                continue
            changed.add(r.item_id)
            log.append(
                LogEntry(
                    name="advice_item.release" if outcome == RELEASED else "advice_item.cancel",
                    actor=SYSTEM_ACTOR,
                    outcome=outcome,
                    trace_id=r.trace_id,
                    data_subject_id=r.client_id,
                    partner_id=r.partner_id,
                    purpose=r.advice_type,
                    detail=f"{r.item_id}: {reason}",
                )
            )
            if outcome == RELEASED:
                entries, sent = await _queue(ctx, conn, r.item_id, now)
                log += entries
                queued += sent
        if not changed:
            break
        frontier = changed
    return log, queued


async def on_status(
    ctx: HubContext, conn: AsyncConnection, item_ids: set[str], now: datetime
) -> int:
    """Called by the status intake in its own transaction: settle what waits on these items.
    Returns how many items were queued (the caller wakes the worker)."""
    if not item_ids:
        return 0
    log, queued = await settle(ctx, conn, now, item_ids)
    await append(conn, log, now)
    return queued


async def settle_due(ctx: HubContext) -> int:
    """The periodic job: release items whose date has come, and settle any wait whose
    predecessor changed outside the status intake (refused, dead, approval rejected)."""
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        log, queued = await settle(ctx, conn, now)
        await append(conn, log, now)
    if queued:
        ctx.on_new_deliveries()
    return len(log)


# --- reading: timeline and plan ---------------------------------------------------------------


def _waiting_on(r: Any, preds: dict[str, Any], ctx: HubContext) -> str:
    if r.wait_until is not None:
        return f"wacht tot {_fmt(r.wait_until)}"
    p = preds.get(r.wait_item_id)
    if p is None:
        return f"wacht op een ander onderdeel (status '{_status_nl(r.wait_status)}')"
    partner = ctx.partners.get(p.partner_id)
    return (
        f"wacht tot onderdeel {p.number} ({partner.name if partner else p.partner_id}, "
        f"{p.advice_type}) de status '{_status_nl(r.wait_status)}' heeft"
    )


async def annotate(ctx: HubContext, conn: AsyncConnection, out: list[AdviceItemOut]) -> None:
    """Add the plan's side to items read back: waiting (on what), released, cancelled; and the
    names of the members a refusal reason refers to."""
    texts = [o.decision.reason for o in out] + [e.detail for o in out for e in o.timeline]
    names = await households.names_for_text(ctx, conn, texts)
    if names:
        for o in out:
            o.decision.reason = households.render_names(o.decision.reason, names) or ""
            for e in o.timeline:
                e.detail = households.render_names(e.detail, names)
    ids = [o.id.hex for o in out]
    rows = {
        r.item_id: r
        for r in (
            await conn.execute(
                select(PLAN_ITEM).where(
                    PLAN_ITEM.c.item_id.in_(ids), PLAN_ITEM.c.wait_state.is_not(None)
                )
            )
        ).all()
    }
    if not rows:
        return
    pred_ids = {r.wait_item_id for r in rows.values() if r.wait_item_id}
    preds = {
        p.id: p
        for p in (
            await conn.execute(
                select(ITEM.c.id, ITEM.c.number, ITEM.c.partner_id, ITEM.c.advice_type).where(
                    ITEM.c.id.in_(pred_ids)
                )
            )
        ).all()
    }
    for o in out:
        r = rows.get(o.id.hex)
        if r is None:
            continue
        o.timeline.append(
            TimelineEvent(
                at=r.created_at, kind="wait", status=WAITING, detail=_waiting_on(r, preds, ctx)
            )
        )
        if r.wait_state == WAITING:
            o.delivery_status = DeliveryStatus.waiting
        elif r.settled_at is not None:
            o.timeline.append(
                TimelineEvent(
                    at=r.settled_at, kind="wait", status=r.wait_state, detail=r.wait_reason
                )
            )
            if r.wait_state == CANCELLED:
                o.delivery_status = DeliveryStatus.cancelled
        o.timeline.sort(key=lambda e: e.at)


async def add_goal(ctx: HubContext, household_id: str, body: GoalIn, actor: str, team: str) -> Goal:
    now, goal_id = ctx.clock.now(), uuid.uuid4().hex
    async with ctx.db.write() as conn:
        await households.row_in_scope(conn, household_id, team)
        m = (
            await conn.execute(
                select(MEMBER).where(
                    MEMBER.c.id == body.member_id.hex, MEMBER.c.household_id == household_id
                )
            )
        ).first()
        if m is None:
            raise invalid([FieldError("member_id", "onbekend lid van dit huishouden")])
        await conn.execute(
            insert(GOAL).values(
                id=goal_id,
                household_id=household_id,
                member_id=m.id,
                domain=body.domain.value,
                text=ctx.seal(body.text, f"plan_goal.text:{goal_id}"),
                created_at=now,
                created_by=actor,
            )
        )
        await append(
            conn,
            [
                LogEntry(
                    name="plan.goal_add",
                    actor=actor,
                    outcome="added",
                    trace_id=new_trace_id(),
                    data_subject_id=m.client_id,
                    purpose=body.domain.value,
                    categories=["free_text"],
                    detail=goal_id,
                )
            ],
            now,
        )
    return Goal(
        id=uuid.UUID(goal_id),
        domain=body.domain,
        domain_label=LIFE_DOMAIN_LABELS_NL[body.domain],
        member_id=body.member_id,
        text=body.text,
        created_at=now,
    )


async def link_item(
    ctx: HubContext, household_id: str, body: ItemLink, actor: str, team: str
) -> dict[str, Any]:
    """Put an item submitted earlier into the plan, under its member (and goal)."""
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        await households.row_in_scope(conn, household_id, team)
        item = (
            await conn.execute(
                select(ITEM, ADVICE.c.client_id.label("advice_client"), ADVICE.c.trace_id)
                .join(ADVICE, ADVICE.c.id == ITEM.c.advice_id)
                .where(ITEM.c.id == body.item_id.hex)
            )
        ).first()
        if item is None or not await clients.in_scope(conn, item.advice_client, team):
            raise invalid([FieldError("item_id", "onbekend onderdeel")])
        m = (
            await conn.execute(
                select(MEMBER).where(
                    MEMBER.c.id == body.member_id.hex, MEMBER.c.household_id == household_id
                )
            )
        ).first()
        if m is None:
            raise invalid([FieldError("member_id", "onbekend lid van dit huishouden")])
        if m.client_id != item.client_id:
            raise invalid(
                [
                    FieldError(
                        "member_id", "het onderdeel gaat over een ander lid van het huishouden"
                    )
                ]
            )
        goal_id = body.goal_id.hex if body.goal_id else None
        if goal_id is not None:
            g = (await conn.execute(select(GOAL).where(GOAL.c.id == goal_id))).first()
            if g is None or g.household_id != household_id or g.member_id != m.id:
                raise invalid([FieldError("goal_id", "onbekend doel van dit lid")])
        values = {"household_id": household_id, "member_id": m.id, "goal_id": goal_id}
        res = await conn.execute(
            update(PLAN_ITEM).where(PLAN_ITEM.c.item_id == item.id).values(**values)
        )
        if res.rowcount == 0:
            await conn.execute(insert(PLAN_ITEM).values(item_id=item.id, created_at=now, **values))
        await append(
            conn,
            [
                LogEntry(
                    name="plan.item_link",
                    actor=actor,
                    outcome="linked",
                    trace_id=item.trace_id,
                    data_subject_id=item.client_id,
                    partner_id=item.partner_id,
                    purpose=item.advice_type,
                    detail=f"{item.id} in plan {household_id}",
                )
            ],
            now,
        )
    return {"item_id": body.item_id, "member_id": body.member_id, "goal_id": body.goal_id}
