"""What the coach pages read: a team's clients (searchable although names are sealed) and a
client's advices. Team scope is decided by `clients.in_scope` and the team column, exactly as
for the API; every read opens and closes its own connection (no connection per open page)."""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select

from wijkhub.hub.core import read_log
from wijkhub.hub.core.clock import local_date
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import not_found
from wijkhub.hub.i18n import gettext, ngettext
from wijkhub.hub.records import clients, households
from wijkhub.hub.store.tables import ADVICE, CLIENT, ITEM, MILESTONE
from wijkhub.hub.web.coach_words import day as format_day
from wijkhub.schemas.advice import AdviceItemOut, AdviceOut
from wijkhub.schemas.client import Client
from wijkhub.schemas.status import (
    MILESTONE_LABELS_NL,
    PARTNER_STATUS_LABELS_NL,
    DeliveryStatus,
    Milestone,
    PartnerStatus,
)

# ASCII digits only: `\d` would take full-width digits, which no stored hash matches.
BSN = re.compile(r"^[0-9]{8,9}$")
# A partner's answer that closes the item: no deadline to watch any more.
FINAL = {
    PartnerStatus.adopted,
    PartnerStatus.partly_adopted,
    PartnerStatus.rejected,
    PartnerStatus.carried_out,
    PartnerStatus.stopped,
}
FINAL_VALUES = {s.value for s in FINAL}
NOT_SENT = {DeliveryStatus.blocked, DeliveryStatus.draft, DeliveryStatus.withdrawn}


def _fold(text: str) -> str:
    """Case- and accent-insensitive: 'Tervelde' finds 'Testervélde'."""
    norm = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in norm if not unicodedata.combining(c))


def full_name(c: Client) -> str:
    return f"{c.given_names} {c.family_name}"


async def team_clients(
    ctx: HubContext, team: str | None, reader: read_log.Reader, query: str = ""
) -> list[Client]:
    """The team's clients, optionally filtered by name (searched over the decrypted records:
    names are sealed) or by BSN (through the keyed hash: the BSN is never stored)."""
    q = query.strip()
    digits = q.replace(" ", "").replace(".", "")
    async with ctx.db.read() as conn:
        stmt = select(CLIENT.c.id)
        if team is not None:
            stmt = stmt.where(CLIENT.c.team == team)
        if BSN.match(digits):
            stmt = stmt.where(clients.bsn_condition(ctx, digits.zfill(9)))
        ids = list((await conn.execute(stmt.order_by(CLIENT.c.created_at))).scalars())
        found = [c for c in [await clients.load(ctx, conn, i) for i in ids] if c is not None]
    if q and not BSN.match(digits):
        words = _fold(q).split()
        found = [c for c in found if all(w in _fold(full_name(c)) for w in words)]
    # The list shows each client's name and birth date: a read of each record shown.
    await read_log.record_now(
        ctx, reader, read_log.CLIENT, [c.id.hex for c in found], ["identification"]
    )
    return sorted(found, key=lambda c: (_fold(c.family_name), _fold(c.given_names)))


@dataclass
class PlanItem:
    partner_id: str
    partner_type: str
    advice_type: str
    allowed: bool
    partner_status: str | None
    deadline: date | None
    late: bool = False


@dataclass
class AdviceSummary:
    id: str
    created_at: datetime
    items: int
    allowed: int
    plan: list[PlanItem] = field(default_factory=list)


async def client_advices(
    ctx: HubContext, client_id: str, team: str | None, reader: read_log.Reader
) -> list[AdviceSummary]:
    async with ctx.db.write() as conn:
        if not await clients.in_scope(conn, client_id, team):
            raise not_found("Cliënt")
        rows = (
            await conn.execute(
                select(
                    ADVICE.c.id,
                    ADVICE.c.created_at,
                    func.count(ITEM.c.id).label("items"),
                    func.sum(case((ITEM.c.allowed, 1), else_=0)).label("allowed"),
                )
                .join(ITEM, ITEM.c.advice_id == ADVICE.c.id)
                .where(ADVICE.c.client_id == client_id)
                .group_by(ADVICE.c.id, ADVICE.c.created_at)
                .order_by(ADVICE.c.created_at.desc())
            )
        ).all()
        items = (
            await conn.execute(
                select(ITEM).where(ITEM.c.client_id == client_id).order_by(ITEM.c.position)
            )
        ).all()
        if rows:
            await read_log.record(conn, reader, read_log.ADVICE, [client_id], ctx.clock.now())
    out = [AdviceSummary(r.id, r.created_at, r.items, int(r.allowed or 0)) for r in rows]
    by_id = {a.id: a for a in out}
    today = local_date(ctx.clock.now())
    for it in items:
        if it.advice_id in by_id:
            by_id[it.advice_id].plan.append(
                PlanItem(
                    it.partner_id,
                    it.partner_type,
                    it.advice_type,
                    it.allowed,
                    it.partner_status,
                    it.deadline,
                )
            )
            plan = by_id[it.advice_id].plan[-1]
            plan.late = plan.allowed and is_late(plan, today)
    return out


async def household_ids(ctx: HubContext, client_id: str, team: str | None) -> list[str]:
    """The households (of the team) the client is a member of, oldest first."""
    member, home = households.MEMBER, households.HOUSEHOLD
    async with ctx.db.read() as conn:
        if not await clients.in_scope(conn, client_id, team):
            raise not_found("Cliënt")
        stmt = (
            select(home.c.id)
            .join(member, member.c.household_id == home.c.id)
            .where(member.c.client_id == client_id)
            .order_by(home.c.created_at, home.c.id)
        )
        if team is not None:
            stmt = stmt.where(home.c.team == team)
        return list(dict.fromkeys((await conn.execute(stmt)).scalars()))


def is_late(item: object, today: date) -> bool:
    """Past its deadline while the partner has not closed it."""
    deadline = getattr(item, "deadline", None)
    status = getattr(item, "partner_status", None)
    delivery = getattr(item, "delivery_status", None)
    if deadline is None or delivery in NOT_SENT:
        return False
    return deadline < today and getattr(status, "value", status) not in FINAL_VALUES


def answered(advice: AdviceOut) -> int:
    return sum(1 for it in advice.items if it.partner_status is not None)


# --- the one displayed state of an item ------------------------------------------------------


@dataclass(frozen=True)
class ShownState:
    """What the coach reads about an item, decided in one place (`shown_state`) for the
    household page, its plan and the advice page."""

    code: str  # for the page's data attributes and tests; never shown
    label: str
    tone: str  # "", "ok", "warn", "error": the badge's colour
    waits_for_partner: bool  # sent and not answered with a decision yet
    shows_deadline: bool  # a draft, a refusal or a replaced item has no deadline to watch


STATE_LABELS: dict[str, tuple[str, str]] = {
    "refused": (gettext("refused by the hub: not sent"), "error"),
    "awaiting_approval": (gettext("awaiting approval"), "warn"),
    "draft": (gettext("back to draft: approval rejected"), "warn"),
    "waiting": (gettext("waiting in the plan (for another item or a date)"), ""),
    "cancelled": (gettext("not sent: the item it waited for did not come through"), "error"),
    "withdrawn": (gettext("not sent: consent withdrawn"), "error"),
    "dead": (gettext("delivery failed"), "error"),
    "sending": (gettext("being delivered"), ""),
    "replaced": (gettext("replaced by a new version after a counter-proposal"), ""),
    "sent": (gettext("sent, waiting for the partner"), ""),
    "in_hand": (gettext("with the partner"), ""),
    "answered": (gettext("answered by the partner"), "ok"),
    "late": (gettext("late: past the partner's deadline"), "error"),
}
# Displayed states of an item the partner has not been sent (yet): no partner to count.
NOT_YET_SENT = {
    "refused",
    "awaiting_approval",
    "draft",
    "waiting",
    "cancelled",
    "withdrawn",
    "dead",
    "replaced",
}
POSITIVE = {PartnerStatus.adopted, PartnerStatus.partly_adopted, PartnerStatus.carried_out}


def shown_state(
    *,
    allowed: bool,
    delivery: str | None,
    partner: str | None,
    deadline: date | None,
    today: date,
    replaced: bool = False,
) -> ShownState:
    """An item's displayed state from its facts: the hub's decision, its delivery status, the
    partner's last status, its deadline and whether a counter-proposal replaced it."""
    p = PartnerStatus(partner) if partner else None

    def made(code: str, *, waits: bool = False, deadline_shown: bool = False) -> ShownState:
        label, tone = STATE_LABELS[code]
        if code in ("answered", "in_hand") and p is not None:
            label = f"{label}: {PARTNER_STATUS_LABELS_NL[p]}"
            tone = "ok" if p in POSITIVE else ("error" if p is PartnerStatus.rejected else tone)
        return ShownState(code, label, tone, waits, deadline_shown)

    if not allowed or delivery == DeliveryStatus.blocked:
        return made("refused")
    if replaced:
        return made("replaced")
    if delivery in (
        DeliveryStatus.awaiting_approval,
        DeliveryStatus.draft,
        DeliveryStatus.waiting,
        DeliveryStatus.cancelled,
        DeliveryStatus.withdrawn,
        DeliveryStatus.dead,
    ):
        return made(str(delivery))
    if p in FINAL:
        return made("answered")
    late = deadline is not None and deadline < today
    if delivery in (DeliveryStatus.queued, DeliveryStatus.retrying) and p is None:
        return made("late" if late else "sending", waits=True, deadline_shown=True)
    if late:
        return made("late", waits=True, deadline_shown=True)
    if p is not None:
        return made("in_hand", waits=True, deadline_shown=True)
    return made("sent", waits=True, deadline_shown=True)


def replaced_ids(advice: AdviceOut) -> set[str]:
    """Items a counter-proposal replaced (their timeline says so)."""
    return {it.id.hex for it in advice.items if any(e.kind == "superseded" for e in it.timeline)}


def item_state(it: AdviceItemOut, today: date, replaced: set[str]) -> ShownState:
    return shown_state(
        allowed=it.decision.allowed,
        delivery=it.delivery_status.value,
        partner=it.partner_status.value if it.partner_status else None,
        deadline=it.deadline,
        today=today,
        replaced=it.id.hex in replaced,
    )


@dataclass(frozen=True)
class Deadline:
    milestone: str  # Dutch
    due_on: date
    state: str  # open | met | closed
    late: bool


async def deadlines(ctx: HubContext, item_ids: list[str]) -> dict[str, list[Deadline]]:
    """Each item's milestones with their own due day (first answer, decision, execution)."""
    if not item_ids:
        return {}
    today = local_date(ctx.clock.now())
    async with ctx.db.read() as conn:
        rows = (
            await conn.execute(
                select(MILESTONE)
                .where(MILESTONE.c.item_id.in_(item_ids))
                .order_by(MILESTONE.c.due_on, MILESTONE.c.id)
            )
        ).all()
    out: dict[str, list[Deadline]] = {}
    for r in rows:
        try:
            label = MILESTONE_LABELS_NL[Milestone(r.milestone)]
        except ValueError:  # the dead letters' own milestone: not a partner's deadline
            continue
        met_late = r.met_at is not None and local_date(r.met_at) > r.due_on
        late = met_late or (r.state == "open" and today > r.due_on)
        out.setdefault(r.item_id, []).append(Deadline(label, r.due_on, r.state, late))
    return out


def clock_note(ctx: HubContext) -> str | None:
    """The demo moves the hub's clock ahead to show a deadline passing (`DemoClock.offset`):
    a coach must be told, or the dates on screen look wrong."""
    offset = getattr(ctx.clock, "offset", None)
    if not isinstance(offset, timedelta) or offset < timedelta(hours=1):
        return None
    days = round(offset / timedelta(days=1))
    return ngettext(
        "Demo: the hub's clock runs {days} day ahead, to show a deadline passing; "
        "for the hub it is now {today}.",
        "Demo: the hub's clock runs {days} days ahead, to show a deadline passing; "
        "for the hub it is now {today}.",
        days,
    ).format(days=days, today=format_day(local_date(ctx.clock.now())))
