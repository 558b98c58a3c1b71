"""The privacy officer's search for an access request: by name or by BSN.

The BSN is never stored: it is compared through the keyed hash, and the search itself
travels in a POST body (never a URL, so no access log or browser history holds it). A name is
sealed like all personal data, so a name search decrypts the records in memory and compares
them case- and accent-insensitively; what the officer is shown (the matches) is a read and
is logged, before the answer is built.
"""

import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from wijkhub.hub.core import read_log
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.records import clients
from wijkhub.hub.store.tables import CLIENT

MAX_RESULTS = 50


@dataclass(frozen=True)
class Found:
    client_id: str
    name: str
    birth_date: date | None
    team: str


def fold(text: str) -> str:
    """'testervelde' finds 'Testervélde'."""
    norm = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in norm if not unicodedata.combining(c))


def as_bsn(term: str) -> str | None:
    """The term as a 9-digit BSN if it is one (spaces and dots allowed, 8 digits padded)."""
    compact = term.replace(" ", "").replace(".", "")
    if compact.isdigit() and len(compact) in (8, 9):
        return compact.zfill(9)
    return None


async def find(ctx: HubContext, term: str, reader: read_log.Reader) -> list[Found]:
    """Clients whose BSN is `term`, or whose name holds every word of `term`."""
    term = term.strip()
    if not term:
        return []
    bsn = as_bsn(term)
    words = [fold(w) for w in term.split()]
    found: list[Found] = []
    async with ctx.db.write() as conn:
        if bsn is not None:
            query = select(CLIENT.c.id, CLIENT.c.team).where(clients.bsn_condition(ctx, bsn))
        else:
            query = select(CLIENT.c.id, CLIENT.c.team).order_by(CLIENT.c.created_at)
        rows = (await conn.execute(query)).all()
        for row in rows:
            client = await clients.load(ctx, conn, row.id)
            if client is None:
                continue
            name = f"{client.given_names} {client.family_name}"
            if bsn is not None or all(w in fold(name) for w in words):
                found.append(Found(row.id, name, client.birth_date, row.team))
        found = sorted(found, key=lambda f: (fold(f.name), f.birth_date or date.min))
        found = found[:MAX_RESULTS]
        await read_log.record(
            conn,
            reader,
            read_log.CLIENT,
            [f.client_id for f in found],
            ctx.clock.now(),
            clients.RECORD_CATEGORIES,
        )
    return found


def client_hex(value: str) -> str | None:
    try:
        return uuid.UUID(value.replace("-", "").strip()).hex
    except ValueError:
        return None
