"""What the coach pages read: a team's clients (searchable although names are sealed) and a
client's advices. Team scope is decided by `clients.in_scope` and the team column, exactly as
for the API; every read opens and closes its own connection (no connection per open page)."""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, func, select

from wijkhub.hub.core import read_log
from wijkhub.hub.core.clock import local_date
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import not_found
from wijkhub.hub.records import clients, households
from wijkhub.hub.store.tables import ADVICE, CLIENT, ITEM
from wijkhub.schemas.advice import AdviceOut
from wijkhub.schemas.client import Client
from wijkhub.schemas.status import DeliveryStatus, PartnerStatus

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
