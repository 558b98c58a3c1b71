"""Milestone deadlines per delivered item.

When an advice is delivered (pushed and acknowledged, or fetched and acknowledged from the
inbox) the hub writes one `item_milestone` row per milestone of the item's advice type, with
its due day counted once, from that day, in working days (weekends and Dutch public holidays
skipped, `deadlines.due_date`) where the rule says so, and with the urgent rule when the item
names one of the advice type's threats. A partner status then meets milestones
(`schemas.status.MILESTONE_MET_BY`) or closes those it makes moot (rejected, stopped); a
withdrawal closes all. The escalation ladder (`escalation.py`) watches the open ones, and the
chain report reads them with `read_milestones`.

A dead letter (an advice the worker gave up on) gets one more milestone of its own,
`delivery`, due the day it died: it climbs the dead letters' ladder (notices to the coach and
the team leader, then the steering list) until the advice is delivered after all (a replay) or
the partner answers (it did receive it). It is not a deadline of the partner's handling, so
the chain report does not read it. A dead withdrawal notice (the partner was not told that
consent ended) climbs the same ladder on its own milestone, `withdrawal_delivery`.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.core.clock import local_date
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.deadlines import due_date
from wijkhub.hub.i18n import gettext
from wijkhub.hub.store.tables import MILESTONE, STATUS
from wijkhub.schemas.status import (
    MILESTONE_CLOSED_BY,
    MILESTONE_LABELS_NL,
    MILESTONE_MET_BY,
    Milestone,
    PartnerStatus,
)

OPEN, MET, CLOSED = "open", "met", "closed"
# The milestone of a dead letter: the advice reaching the partner at all.
DELIVERY_MILESTONE = "delivery"
DELIVERY_LABEL_NL = gettext("delivery to the partner")
# The milestone of a dead withdrawal notice: the partner does not know consent has ended.
WITHDRAWAL_MILESTONE = "withdrawal_delivery"
WITHDRAWAL_LABEL_NL = gettext("delivery of the withdrawal of consent")
DEAD_LETTER_MILESTONES = frozenset({DELIVERY_MILESTONE, WITHDRAWAL_MILESTONE})
DELIVERED = "delivered"


def label(milestone: str) -> str:
    """The Dutch name of a milestone, the dead letters' own included."""
    if milestone == DELIVERY_MILESTONE:
        return DELIVERY_LABEL_NL
    if milestone == WITHDRAWAL_MILESTONE:
        return WITHDRAWAL_LABEL_NL
    return MILESTONE_LABELS_NL[Milestone(milestone)]


async def dead_letter(
    conn: AsyncConnection,
    item: Any,
    delivery_id: str,
    now: datetime,
    milestone: str = DELIVERY_MILESTONE,
) -> bool:
    """Start the dead letters' ladder for this item's advice (in the transaction that marks
    the row dead). A second death after a replay keeps the first row and its steps."""
    try:
        async with conn.begin_nested():
            await conn.execute(
                insert(MILESTONE).values(
                    item_id=item.id,
                    delivery_id=delivery_id,
                    partner_id=item.partner_id,
                    advice_type=item.advice_type,
                    milestone=milestone,
                    days=0,
                    working_days=True,
                    urgent=False,
                    started_at=now,
                    started_on=local_date(now),
                    due_on=local_date(now),
                    state=OPEN,
                )
            )
    except IntegrityError:
        await conn.execute(
            update(MILESTONE)
            .where(MILESTONE.c.item_id == item.id, MILESTONE.c.milestone == milestone)
            .values(state=OPEN, met_at=None, met_status=None, delivery_id=delivery_id)
        )
        return False
    return True


async def delivered(
    conn: AsyncConnection, item_id: str, now: datetime, milestone: str = DELIVERY_MILESTONE
) -> None:
    """The message reached the partner after all: the dead letters' ladder stops."""
    await conn.execute(
        update(MILESTONE)
        .where(
            MILESTONE.c.item_id == item_id,
            MILESTONE.c.milestone == milestone,
            MILESTONE.c.state == OPEN,
        )
        .values(state=MET, met_at=now, met_status=DELIVERED)
    )


async def schedule(
    ctx: HubContext, conn: AsyncConnection, item: Any, delivery_id: str, delivered_at: datetime
) -> int:
    """Write the item's milestones with their due days (once: a second delivery of the same
    item, e.g. after a lost acknowledgement, changes nothing). Returns the rows written."""
    partner = ctx.partners.get(item.partner_id)
    ptype = ctx.registry.get(partner.type) if partner else None
    atype = ptype.advice_type(item.advice_type) if ptype else None
    if atype is None:
        return 0
    # Empty details: purged under the retention rules; no threats known any more.
    details = ctx.unseal(item.details, f"advice_item.details:{item.id}") if item.details else {}
    threats = details.get("threats", [])
    urgent = bool(atype.urgent_when.intersection(threats))
    start = local_date(delivered_at)
    rows = [
        {
            "item_id": item.id,
            "delivery_id": delivery_id,
            "partner_id": item.partner_id,
            "advice_type": item.advice_type,
            "milestone": milestone.value,
            "days": rule.days,
            "working_days": rule.working_days,
            "urgent": urgent,
            "started_at": delivered_at,
            "started_on": start,
            "due_on": due_date(start, rule),
            "state": OPEN,
        }
        for milestone, rule in atype.milestone_deadlines(threats).items()
    ]
    try:
        async with conn.begin_nested():
            await conn.execute(insert(MILESTONE), rows)
    except IntegrityError:
        return 0  # written before: a repeated delivery (lost acknowledgement, replay)
    # A partner may answer before its acknowledgement is recorded (the simulator does): those
    # answers count from the start.
    earlier = (
        await conn.execute(
            select(STATUS.c.status, STATUS.c.received_at)
            .where(STATUS.c.item_id == item.id)
            .order_by(STATUS.c.occurred_at, STATUS.c.id)
        )
    ).all()
    for s in earlier:
        # Judged on the hub's receipt, like every answer (`status_intake.receive`).
        await record_status(conn, item.id, PartnerStatus(s.status), s.received_at)
    return len(rows)


async def record_status(
    conn: AsyncConnection, item_id: str, status: PartnerStatus, occurred_at: datetime
) -> list[str]:
    """Meet or close the item's open milestones for a partner status; returns those met or
    closed. Called in the transaction that stores the status."""
    rows = (
        await conn.execute(
            select(MILESTONE.c.id, MILESTONE.c.milestone).where(
                MILESTONE.c.item_id == item_id, MILESTONE.c.state == OPEN
            )
        )
    ).all()
    changed: list[str] = []
    for r in rows:
        if r.milestone == WITHDRAWAL_MILESTONE:
            continue  # only the withdrawal notice's own delivery meets it
        # Any answer about a dead letter shows that the partner did receive it after all.
        met_by = frozenset(PartnerStatus) if r.milestone == DELIVERY_MILESTONE else None
        if status in (met_by or MILESTONE_MET_BY[Milestone(r.milestone)]):
            values: dict[str, Any] = {"state": MET, "met_at": occurred_at, "met_status": status}
        elif status in MILESTONE_CLOSED_BY:
            values = {"state": CLOSED, "closed_at": occurred_at, "closed_reason": status.value}
        else:
            continue
        # Only an open row: a concurrent answer that got there first wins.
        res = await conn.execute(
            update(MILESTONE)
            .where(and_(MILESTONE.c.id == r.id, MILESTONE.c.state == OPEN))
            .values(**values)
        )
        if res.rowcount:
            changed.append(r.milestone)
    return changed


async def close_all(conn: AsyncConnection, item_ids: list[str], reason: str, now: datetime) -> None:
    """Close every open milestone of these items (consent withdrawn: nothing more is due)."""
    if item_ids:
        await conn.execute(
            update(MILESTONE)
            .where(MILESTONE.c.item_id.in_(item_ids), MILESTONE.c.state == OPEN)
            .values(state=CLOSED, closed_at=now, closed_reason=reason)
        )


@dataclass(frozen=True)
class MilestoneFact:
    """One milestone of one delivered item, without personal data (for the chain report)."""

    item_id: str
    partner_id: str
    advice_type: str
    milestone: str
    urgent: bool
    started_at: datetime
    started_on: date
    due_on: date
    state: str  # open | met | closed
    met_at: datetime | None
    met_status: str | None
    closed_reason: str | None

    def overdue(self, today: date) -> bool:
        """Met after its due day, or still open after it (Dutch calendar)."""
        if self.met_at is not None:
            return local_date(self.met_at) > self.due_on
        return self.state == OPEN and today > self.due_on


async def read_milestones(
    conn: AsyncConnection,
    since: date | None = None,
    until: date | None = None,
    partner_id: str | None = None,
) -> list[MilestoneFact]:
    """Milestones of items delivered from `since` up to and including `until` (Dutch dates)."""
    q = select(MILESTONE).where(MILESTONE.c.milestone.not_in(sorted(DEAD_LETTER_MILESTONES)))
    if since is not None:
        q = q.where(MILESTONE.c.started_on >= since)
    if until is not None:
        q = q.where(MILESTONE.c.started_on <= until)
    if partner_id is not None:
        q = q.where(MILESTONE.c.partner_id == partner_id)
    rows = (await conn.execute(q.order_by(MILESTONE.c.id))).all()
    return [
        MilestoneFact(
            item_id=r.item_id,
            partner_id=r.partner_id,
            advice_type=r.advice_type,
            milestone=r.milestone,
            urgent=r.urgent,
            started_at=r.started_at,
            started_on=r.started_on,
            due_on=r.due_on,
            state=r.state,
            met_at=r.met_at,
            met_status=r.met_status,
            closed_reason=r.closed_reason,
        )
        for r in rows
    ]
