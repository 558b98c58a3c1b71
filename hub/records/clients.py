"""Registering and reading clients. The record is stored encrypted; the BSN only as an HMAC."""

import uuid

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.core import read_log
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import ApiError, not_found
from wijkhub.hub.core.processing_log import LogEntry, append, new_trace_id
from wijkhub.hub.store.tables import CLIENT
from wijkhub.schemas.client import Client, ClientIn


def _aad(client_id: str) -> str:
    return f"client.record:{client_id}"


async def create(ctx: HubContext, data: ClientIn, actor: str, team: str) -> Client:
    now = ctx.clock.now()
    client_id = uuid.uuid4().hex
    bsn_hash = ctx.keyring.lookup_hash(data.bsn)
    record = ctx.seal(data.model_dump(mode="json"), _aad(client_id))
    async with ctx.db.write() as conn:
        existing = (
            await conn.execute(
                select(CLIENT.c.id, CLIENT.c.team).where(CLIENT.c.bsn_hash == bsn_hash)
            )
        ).first()
        if existing:
            # Another team's client id is not this coach's business.
            ref = f" (id {existing.id})" if existing.team == team else ""
            raise ApiError(
                409, "client_exists", f"Er is al een cliënt geregistreerd met dit BSN{ref}."
            )
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
