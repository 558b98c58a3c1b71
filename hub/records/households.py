"""Households (cliëntsystemen): clients grouped with their roles, and consent per member.

A household belongs to the team of the coach who made it; its members are clients of that
team. Names are never stored here: they come from the sealed client records when read. A
refusal reason names people with a placeholder (`«lid:<member id>»`) that `render_names`
turns into the member's name for the coach; the stored reason and the processing log keep
only the placeholder (a pseudonymous id), never the name.
"""

import re
import uuid
from datetime import date
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.consent.members import MemberConsents, Person, decide_for_member
from wijkhub.consent.policy import ItemFacts, decide
from wijkhub.hub.core import read_log
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import ApiError, FieldError, invalid, not_found
from wijkhub.hub.core.processing_log import LogEntry, append, new_trace_id
from wijkhub.hub.records import clients
from wijkhub.hub.records import consents as consent_registry
from wijkhub.hub.store.tables import (
    HOUSEHOLD,
    MEMBER,
    PLAN_ITEM,
)
from wijkhub.schemas.advice import Decision
from wijkhub.schemas.client import Client
from wijkhub.schemas.household import (
    MEMBER_ROLE_LABELS_NL,
    Household,
    HouseholdIn,
    Member,
    MemberIn,
    MemberRole,
)

_PLACEHOLDER = re.compile(r"«lid:([0-9a-f]{32})»")


def placeholder(member_id: str) -> str:
    return f"«lid:{member_id}»"


def name_of(client: Client | None) -> str:
    if client is None:
        return "(onbekend)"  # purged after its retention period
    return f"{client.given_names} {client.family_name}"


def render_names(text: str | None, names: dict[str, str]) -> str | None:
    if not text:
        return text
    return _PLACEHOLDER.sub(lambda m: names.get(m.group(1), "een lid van het huishouden"), text)


async def row_in_scope(conn: AsyncConnection, household_id: str, team: str | None) -> Any:
    row = (await conn.execute(select(HOUSEHOLD).where(HOUSEHOLD.c.id == household_id))).first()
    if row is None or (team is not None and row.team != team):
        raise not_found("Huishouden")
    return row


async def members_of(ctx: HubContext, conn: AsyncConnection, household_id: str) -> list[Member]:
    rows = (
        await conn.execute(
            select(MEMBER)
            .where(MEMBER.c.household_id == household_id)
            .order_by(MEMBER.c.added_at, MEMBER.c.id)
        )
    ).all()
    return [
        Member(
            id=uuid.UUID(r.id),
            client_id=uuid.UUID(r.client_id),
            role=MemberRole(r.role),
            role_label=MEMBER_ROLE_LABELS_NL[MemberRole(r.role)],
            name=name_of(await clients.load(ctx, conn, r.client_id)),
            added_at=r.added_at,
        )
        for r in rows
    ]


async def _add(
    ctx: HubContext,
    conn: AsyncConnection,
    household_id: str,
    members: list[MemberIn],
    actor: str,
    team: str,
    trace_id: str,
    field_prefix: str,
) -> list[LogEntry]:
    now = ctx.clock.now()
    existing = set(
        (
            await conn.execute(
                select(MEMBER.c.client_id).where(MEMBER.c.household_id == household_id)
            )
        ).scalars()
    )
    errors: list[FieldError] = []
    for i, m in enumerate(members):
        where = field_prefix.format(i=i)
        cid = m.client_id.hex
        if not await clients.in_scope(conn, cid, team):
            errors.append(FieldError(f"{where}client_id", "onbekende cliënt"))
        elif cid in existing:
            errors.append(
                FieldError(f"{where}client_id", "deze cliënt is al lid van dit huishouden")
            )
        existing.add(cid)
    if errors:
        raise invalid(errors)
    log = []
    for m in members:
        await conn.execute(
            insert(MEMBER).values(
                id=uuid.uuid4().hex,
                household_id=household_id,
                client_id=m.client_id.hex,
                role=m.role.value,
                added_at=now,
                added_by=actor,
            )
        )
        log.append(
            LogEntry(
                name="household.member_add",
                actor=actor,
                outcome="added",
                trace_id=trace_id,
                data_subject_id=m.client_id.hex,
                categories=["household"],
                detail=m.role.value,
            )
        )
    return log


async def create(ctx: HubContext, body: HouseholdIn, actor: str, team: str) -> Household:
    household_id, trace_id, now = uuid.uuid4().hex, new_trace_id(), ctx.clock.now()
    async with ctx.db.write() as conn:
        await conn.execute(
            insert(HOUSEHOLD).values(id=household_id, team=team, created_at=now, created_by=actor)
        )
        log = [
            LogEntry(
                name="household.create",
                actor=actor,
                outcome="created",
                trace_id=trace_id,
                detail=household_id,
            )
        ]
        log += await _add(
            ctx, conn, household_id, body.members, actor, team, trace_id, "members.{i}."
        )
        await append(conn, log, now)
        # The answer echoes what the coach just wrote (logged above), not a read of records.
        members = await members_of(ctx, conn, household_id)
    return Household(id=uuid.UUID(household_id), team=team, created_at=now, members=members)


async def add_member(
    ctx: HubContext, household_id: str, body: MemberIn, actor: str, team: str
) -> Member:
    async with ctx.db.write() as conn:
        await row_in_scope(conn, household_id, team)
        log = await _add(ctx, conn, household_id, [body], actor, team, new_trace_id(), "")
        await append(conn, log, ctx.clock.now())
        members = await members_of(ctx, conn, household_id)
    return next(m for m in members if m.client_id == body.client_id)


async def get(
    ctx: HubContext, household_id: str, team: str | None, reader: read_log.Reader
) -> Household:
    async with ctx.db.write() as conn:
        row = await row_in_scope(conn, household_id, team)
        members = await members_of(ctx, conn, household_id)
        await read_log.record(
            conn, reader, read_log.HOUSEHOLD, [m.client_id.hex for m in members], ctx.clock.now()
        )
    return Household(
        id=uuid.UUID(row.id), team=row.team, created_at=row.created_at, members=members
    )


# --- consent per member -----------------------------------------------------------------------


async def member_consents(
    ctx: HubContext, conn: AsyncConnection, member_id: str
) -> tuple[str, MemberConsents] | None:
    """The member's client id and what the policy needs: the member's own consents and, for
    a child, those of the parents with authority in the same household."""
    member = (await conn.execute(select(MEMBER).where(MEMBER.c.id == member_id))).first()
    if member is None:
        return None
    is_child = member.role == MemberRole.child.value
    parents = []
    if is_child:
        parents = (
            await conn.execute(
                select(MEMBER)
                .where(
                    MEMBER.c.household_id == member.household_id,
                    MEMBER.c.role == MemberRole.parent_with_authority.value,
                )
                .order_by(MEMBER.c.added_at, MEMBER.c.id)
            )
        ).all()
    ids = [member.client_id, *(p.client_id for p in parents)]
    consents = await consent_registry.for_clients(conn, ctx, ids)

    def person(row: Any) -> Person:
        return Person(
            placeholder(row.id), tuple(c for c in consents if c.client_id.hex == row.client_id)
        )

    return member.client_id, MemberConsents(
        person(member), is_child, tuple(person(p) for p in parents)
    )


async def for_item(ctx: HubContext, conn: AsyncConnection, item_id: str) -> MemberConsents | None:
    """What the policy needs for an item the plan names a member for (None: no member)."""
    member_id = await conn.scalar(
        select(PLAN_ITEM.c.member_id).where(PLAN_ITEM.c.item_id == item_id)
    )
    found = await member_consents(ctx, conn, member_id) if member_id else None
    return found[1] if found is not None else None


async def decide_stored(
    ctx: HubContext,
    conn: AsyncConnection,
    item_id: str,
    client_id: str,
    facts: ItemFacts,
    today: date,
) -> Decision:
    """Decide a stored item again: per member when the plan names one, else for its client."""
    member = await for_item(ctx, conn, item_id)
    if member is not None:
        return decide_for_member(facts, ctx.rules, member, today)
    consents = await consent_registry.for_clients(conn, ctx, [client_id])
    return decide(facts, ctx.rules, consents, today)


async def names_for_text(
    ctx: HubContext, conn: AsyncConnection, texts: list[str | None]
) -> dict[str, str]:
    """Names of the members that placeholders in `texts` refer to."""
    ids = {m for t in texts if t for m in _PLACEHOLDER.findall(t)}
    if not ids:
        return {}
    rows = (await conn.execute(select(MEMBER).where(MEMBER.c.id.in_(ids)))).all()
    return {r.id: name_of(await clients.load(ctx, conn, r.client_id)) for r in rows}


def bad_member(where: str) -> ApiError:
    return invalid([FieldError(where, "onbekend lid van een huishouden")])
