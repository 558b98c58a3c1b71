"""Whose pages an inwoner may open: the one rule for the inwoner's pages and for the codes.

A person of 16 or older sees their own page (from 16 a child exercises its own privacy rights,
AVG/UAVG art. 5 and the WGBO); a parent with authority sees the page of each child (household
role `child`) in the same household who is younger than 16. A child younger than 16 has no
page of its own: the coach hands the code to a parent with authority. Every other client id,
existing or not, is "not found" (no page tells whether someone else's id exists).
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from wijkhub.hub.core.clock import local_date
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.i18n import gettext
from wijkhub.hub.records import clients
from wijkhub.hub.store.tables import MEMBER
from wijkhub.schemas.household import MemberRole

OWN_RIGHTS_AGE = 16
RELATION_SELF = "self"
RELATION_CHILD = "child"
RELATION_NL = {RELATION_SELF: gettext("your own data"), RELATION_CHILD: gettext("your child")}


@dataclass(frozen=True)
class Viewable:
    client_id: str
    name: str
    relation: str  # self | child

    @property
    def relation_nl(self) -> str:
        return RELATION_NL[self.relation]


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


async def viewable(ctx: HubContext, conn: AsyncConnection, viewer_id: str) -> list[Viewable]:
    """The pages the inwoner `viewer_id` may open: their own first (if 16 or older), then their
    children younger than 16, oldest first. Empty: this person has no page."""
    today = local_date(ctx.clock.now())
    out: list[Viewable] = []
    me = await clients.load(ctx, conn, viewer_id)
    if me is None:  # purged after its retention period (or never existed)
        return out
    if age_on(me.birth_date, today) >= OWN_RIGHTS_AGE:
        out.append(Viewable(viewer_id, f"{me.given_names} {me.family_name}", RELATION_SELF))
    parent, child = MEMBER, aliased(MEMBER)
    child_ids = (
        await conn.execute(
            select(child.c.client_id)
            .join(parent, parent.c.household_id == child.c.household_id)
            .where(
                parent.c.client_id == viewer_id,
                parent.c.role == MemberRole.parent_with_authority.value,
                child.c.role == MemberRole.child.value,
            )
            .order_by(child.c.added_at, child.c.id)
        )
    ).scalars()
    seen = {viewer_id}
    for cid in child_ids:
        if cid in seen:
            continue
        seen.add(cid)
        kid = await clients.load(ctx, conn, cid)
        if kid is not None and age_on(kid.birth_date, today) < OWN_RIGHTS_AGE:
            out.append(Viewable(cid, f"{kid.given_names} {kid.family_name}", RELATION_CHILD))
    return out


async def pages_for(ctx: HubContext, viewer_id: str) -> list[Viewable]:
    """`viewable` in a read transaction of its own."""
    async with ctx.db.read() as conn:
        return await viewable(ctx, conn, viewer_id)
