"""Registering and reading clients. The record is stored encrypted; the BSN only as an HMAC."""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.core import read_log
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import ApiError, not_found
from wijkhub.hub.core.processing_log import LogEntry, append, new_trace_id
from wijkhub.hub.store.tables import CLIENT, COLLISION
from wijkhub.schemas.client import Client, ClientIn

# Registrations refused because another team holds the BSN, per person per day: above this,
# every registration of that person is refused until the day has passed, so no coach can
# find out by trial which BSNs the hub knows.
COLLISIONS_PER_DAY = 5
COLLISION_WINDOW = timedelta(hours=24)
CLIENT_EXISTS = "Er is al een cliënt geregistreerd met dit BSN"
TOO_MANY_COLLISIONS = (
    "Te veel geweigerde registraties in korte tijd: registreren kan morgen weer. Neem bij "
    "twijfel contact op met de privacyfunctionaris."
)


def bsn_condition(ctx: HubContext, bsn: str) -> ColumnElement[bool]:
    """The clients with this BSN, by its keyed hash under each BSN key still kept (during a
    `keys rotate-bsn` a record may be under the old key or the new one)."""
    ctx.keyring.refresh_if_changed()
    return CLIENT.c.bsn_hash.in_(ctx.keyring.bsn_hashes(bsn))


def _aad(client_id: str) -> str:
    return f"client.record:{client_id}"


async def _recent_collisions(conn: AsyncConnection, person: str, now: datetime) -> int:
    since = now - COLLISION_WINDOW
    await conn.execute(delete(COLLISION).where(COLLISION.c.at < since))
    return int(
        await conn.scalar(
            select(func.count())
            .select_from(COLLISION)
            .where(COLLISION.c.person_id == person, COLLISION.c.at >= since)
        )
        or 0
    )


async def create(
    ctx: HubContext, data: ClientIn, actor: str, team: str, *, person: str | None = None
) -> Client:
    now = ctx.clock.now()
    client_id = uuid.uuid4().hex
    ctx.keyring.refresh_if_changed()  # a rotation elsewhere: hash under its new key
    bsn_hash = ctx.keyring.bsn_hash(data.bsn)
    record = ctx.seal(data.model_dump(mode="json"), _aad(client_id))
    person = person or actor
    async with ctx.db.write() as conn:
        if await _recent_collisions(conn, person, now) >= COLLISIONS_PER_DAY:
            raise ApiError(429, "too_many_registrations", TOO_MANY_COLLISIONS)
        existing = (
            await conn.execute(
                select(CLIENT.c.id, CLIENT.c.team).where(bsn_condition(ctx, data.bsn))
            )
        ).first()
        if existing and existing.team == team:
            raise ApiError(409, "client_exists", f"{CLIENT_EXISTS} (id {existing.id}).")
        if existing:
            # Another team's client: the same refusal without id or team, on record against
            # that client (the access report shows who tried) and counted against the person.
            await conn.execute(insert(COLLISION).values(person_id=person, at=now))
            await append(
                conn,
                [
                    LogEntry(
                        name="client.register_collision",
                        actor=actor,
                        outcome="refused",
                        trace_id=new_trace_id(),
                        data_subject_id=existing.id,
                        categories=["bsn"],
                        detail="registratie geweigerd: het BSN hoort bij een cliënt van een "
                        "ander team",
                    )
                ],
                now,
            )
        else:
            await conn.execute(
                insert(CLIENT).values(
                    id=client_id,
                    bsn_hash=bsn_hash,
                    record=record,
                    team=team,
                    created_at=now,
                    created_by=actor,
                )
            )
            await append(
                conn,
                [
                    LogEntry(
                        name="client.register",
                        actor=actor,
                        outcome="registered",
                        trace_id=new_trace_id(),
                        data_subject_id=client_id,
                        categories=["identification", "bsn"],
                    )
                ],
                now,
            )
    if existing:  # raised after the commit: the attempt stays on record
        raise ApiError(409, "client_exists", f"{CLIENT_EXISTS}.")
    return Client(id=uuid.UUID(client_id), created_at=now, **data.model_dump())


async def load(ctx: HubContext, conn: AsyncConnection, client_id: str) -> Client | None:
    row = (await conn.execute(select(CLIENT).where(CLIENT.c.id == client_id))).first()
    if row is None or not row.record:  # an empty record: purged after its retention period
        return None
    return Client(
        id=uuid.UUID(row.id), created_at=row.created_at, **ctx.unseal(row.record, _aad(row.id))
    )


async def in_scope(conn: AsyncConnection, client_id: str, team: str | None) -> bool:
    """Whether the client exists and is visible to `team` (None: any team, e.g. the privacy
    officer). The one place where a coach's team scope is decided."""
    row_team = await conn.scalar(select(CLIENT.c.team).where(CLIENT.c.id == client_id))
    return row_team is not None and (team is None or row_team == team)


RECORD_CATEGORIES = ("identification", "bsn")


async def get(
    ctx: HubContext, client_id: str, reader: read_log.Reader, team: str | None = None
) -> Client:
    async with ctx.db.write() as conn:
        client = await load(ctx, conn, client_id) if await in_scope(conn, client_id, team) else None
        if client is not None:
            await read_log.record(
                conn, reader, read_log.CLIENT, [client_id], ctx.clock.now(), RECORD_CATEGORIES
            )
    if client is None:
        raise not_found("Cliënt")
    return client
