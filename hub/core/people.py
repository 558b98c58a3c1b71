"""The hub's own people: who is behind a pseudonymous actor such as "coach/df7d2555".

The processing log names actors by role and the first characters of their person id
(`auth.Principal.actor`), never by name. A person is remembered here when they sign in to the
web UI or get an API token, with the name sealed like every other name in the hub, so that an
approver sees which colleague asks, and a privacy officer can find out who acted (that look-up
is itself logged by the caller).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.core.context import HubContext
from wijkhub.hub.store.tables import STAFF

# An actor's person part: the first 8 hex characters of the person id.
ACTOR_ID_LENGTH = 8


@dataclass(frozen=True)
class Person:
    person_id: str
    name: str
    role: str
    team: str | None
    first_seen: datetime
    last_seen: datetime

    @property
    def actor(self) -> str:
        return f"{self.role}/{self.person_id[:ACTOR_ID_LENGTH]}"


def _aad(person_id: str) -> str:
    return f"staff_person.name:{person_id}"


async def remember(
    ctx: HubContext,
    conn: AsyncConnection,
    person_id: str,
    name: str,
    role: str,
    team: str | None,
    now: datetime,
) -> None:
    """Record (or refresh) who `person_id` is, in the caller's write transaction (which
    serialises writers, so the read-then-write cannot race within one database)."""
    sealed = ctx.seal(name, _aad(person_id))
    known = await conn.scalar(select(STAFF.c.person_id).where(STAFF.c.person_id == person_id))
    if known is None:
        await conn.execute(
            insert(STAFF).values(
                person_id=person_id,
                name=sealed,
                role=role,
                team=team,
                first_seen=now,
                last_seen=now,
            )
        )
    else:
        await conn.execute(
            update(STAFF)
            .where(STAFF.c.person_id == person_id)
            .values(name=sealed, role=role, team=team, last_seen=now)
        )


def _person(ctx: HubContext, row: object) -> Person:
    return Person(
        row.person_id,  # type: ignore[attr-defined]
        ctx.unseal(row.name, _aad(row.person_id)),  # type: ignore[attr-defined]
        row.role,  # type: ignore[attr-defined]
        row.team,  # type: ignore[attr-defined]
        row.first_seen,  # type: ignore[attr-defined]
        row.last_seen,  # type: ignore[attr-defined]
    )


async def names(
    ctx: HubContext, conn: AsyncConnection, actors: set[str], *, team: str | None
) -> dict[str, str]:
    """Actor → name, for people of `team` only (an approver sees colleagues, no one else).
    An actor that matches no one, or two people of the team, has no name here."""
    out: dict[str, str] = {}
    for actor in sorted(actors):
        found = [p for p in await lookup(ctx, conn, actor) if p.team == team]
        if len(found) == 1:
            out[actor] = found[0].name
    return out


def parse_actor(actor: str) -> tuple[str, str] | None:
    """("coach", "df7d2555") from "coach/df7d2555"; None for anything else (a partner, the
    system, a CLI user)."""
    role, _, pid = actor.strip().partition("/")
    pid = pid.lower()
    if not role or len(pid) != ACTOR_ID_LENGTH or any(c not in "0123456789abcdef" for c in pid):
        return None
    return role, pid


async def lookup(ctx: HubContext, conn: AsyncConnection, actor: str) -> list[Person]:
    """Everyone who appears in the log as `actor` (one, almost always: the id part is 32 bits
    of a hash, so two people may share it; both are then shown)."""
    parsed = parse_actor(actor)
    if parsed is None:
        return []
    # Not filtered by role: one person may act in more than one (a coach's token, a session).
    rows = (await conn.execute(select(STAFF).where(STAFF.c.person_id.like(f"{parsed[1]}%")))).all()
    return [_person(ctx, r) for r in rows]
