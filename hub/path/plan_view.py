"""The household plan as the coach reads it: per member the goals and each item with its
state, since and until (the items' timelines come from `timeline`)."""

import uuid

from sqlalchemy import select

from wijkhub.hub.casework.plan import (
    ENDED_PARTNER,
    PURGED_GOAL_TEXT,
    RELEASED,
    RUNNING_DELIVERY,
    WAITING,
)
from wijkhub.hub.core import read_log
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.path.timeline import load
from wijkhub.hub.records import households
from wijkhub.hub.store.tables import (
    GOAL,
    ITEM,
    PLAN_ITEM,
)
from wijkhub.schemas.household import (
    LIFE_DOMAIN_LABELS_NL,
    Goal,
    LifeDomain,
    MemberPlan,
    Plan,
    PlanItem,
)
from wijkhub.schemas.status import (
    DELIVERY_STATUS_LABELS_NL,
)


async def view(
    ctx: HubContext, household_id: str, team: str | None, reader: read_log.Reader
) -> Plan:
    async with ctx.db.write() as conn:
        await households.row_in_scope(conn, household_id, team)
        members = await households.members_of(ctx, conn, household_id)
        await read_log.record(
            conn, reader, read_log.PLAN, [m.client_id.hex for m in members], ctx.clock.now()
        )
        goals = (
            await conn.execute(
                select(GOAL)
                .where(GOAL.c.household_id == household_id)
                .order_by(GOAL.c.created_at, GOAL.c.id)
            )
        ).all()
        links = (
            await conn.execute(select(PLAN_ITEM).where(PLAN_ITEM.c.household_id == household_id))
        ).all()
        by_item = {r.item_id: r for r in links}
        advice_ids = sorted(
            set(
                (
                    await conn.execute(select(ITEM.c.advice_id).where(ITEM.c.id.in_(list(by_item))))
                ).scalars()
            )
        )
        loaded = [await load(ctx, conn, a) for a in advice_ids]
    goal_domain = {g.id: LifeDomain(g.domain) for g in goals}
    items: dict[str, list[PlanItem]] = {}
    for advice in loaded:
        for it in advice.items:
            link = by_item.get(it.id.hex)
            if link is None or link.member_id is None:
                continue
            running = it.delivery_status in RUNNING_DELIVERY and (
                it.partner_status is None or it.partner_status.value not in ENDED_PARTNER
            )
            waiting = next(
                (e.detail for e in it.timeline if e.kind == "wait" and e.status == WAITING), None
            )
            since = link.settled_at if link.wait_state == RELEASED else advice.created_at
            items.setdefault(link.member_id, []).append(
                PlanItem(
                    item_id=it.id,
                    advice_id=advice.id,
                    number=it.number,
                    partner_id=it.partner_id,
                    advice_type=it.advice_type,
                    goal_id=uuid.UUID(link.goal_id) if link.goal_id else None,
                    domain=goal_domain.get(link.goal_id) if link.goal_id else None,
                    delivery_status=it.delivery_status.value,
                    delivery_status_label=DELIVERY_STATUS_LABELS_NL[it.delivery_status],
                    partner_status=it.partner_status,
                    running=running,
                    since=since,
                    until=it.deadline,
                    waiting_on=waiting if link.wait_state == WAITING else link.wait_reason,
                )
            )
    return Plan(
        household_id=uuid.UUID(household_id),
        domains={d.value: label for d, label in LIFE_DOMAIN_LABELS_NL.items()},
        members=[
            MemberPlan(
                member=m,
                goals=[
                    Goal(
                        id=uuid.UUID(g.id),
                        domain=LifeDomain(g.domain),
                        domain_label=LIFE_DOMAIN_LABELS_NL[LifeDomain(g.domain)],
                        member_id=m.id,
                        # Empty: erased under the retention rules (hub/reports/retention.py).
                        text=ctx.unseal(g.text, f"plan_goal.text:{g.id}")
                        if g.text
                        else PURGED_GOAL_TEXT,
                        created_at=g.created_at,
                    )
                    for g in goals
                    if g.member_id == m.id.hex
                ],
                items=sorted(items.get(m.id.hex, []), key=lambda p: p.number),
            )
            for m in members
        ],
    )
