"""The consent registry: record, list, withdraw and expire consents, each change logged.

Free text on a consent (who gave it, why it was withdrawn) is stored encrypted; the fields
the policy needs (partner, purposes, categories, validity, status) are plain, so a decision
needs no decryption.
"""

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.core import read_log
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import FieldError, invalid, not_found
from wijkhub.hub.core.processing_log import LogEntry, append, new_trace_id
from wijkhub.hub.core.versioned_cache import (
    CONSENT_KEY_PREFIX,
    MISSING,
    cache_for,
    consent_key,
    versions,
)
from wijkhub.hub.records.clients import in_scope
from wijkhub.hub.store.tables import CACHE_VERSION, CONSENT
from wijkhub.schemas.consent import Consent, ConsentIn, ConsentStatus

# Clients whose consents are kept in memory per process (a few KB each).
CONSENT_CACHE_SIZE = 20_000
VERSION_COLUMN = "wijkhub_cache_version"


class Sealer(Protocol):
    def seal(self, obj: Any, aad: str) -> bytes: ...
    def unseal(self, blob: bytes, aad: str) -> Any: ...


def consent_aad(consent_id: str) -> str:
    return f"consent.details:{consent_id}"


# What a consent shows once retention has shredded its free text (see hub/reports/retention.py).
PURGED_DETAILS = {"given_by": "(verwijderd na bewaartermijn)", "withdrawal_reason": None}


def from_row(row: Any, sealer: Sealer) -> Consent:
    data = dict(row._mapping)
    data.pop(VERSION_COLUMN, None)  # read beside the row by `for_clients`
    blob = data.pop("details")
    details = sealer.unseal(blob, consent_aad(data["id"])) if blob else PURGED_DETAILS
    return Consent.model_validate({**data, **details})


async def record(
    conn: AsyncConnection,
    sealer: Sealer,
    client_id: str,
    consent: ConsentIn,
    actor: str,
    now: datetime,
    trace_id: str,
) -> Consent:
    consent_id = uuid.uuid4().hex
    details = {"given_by": consent.given_by, "withdrawal_reason": None}
    values = {
        "id": consent_id,
        "client_id": client_id,
        "partner_id": consent.partner_id,
        "purposes": list(consent.purposes),
        "categories": [c.value for c in consent.categories],
        "explicit": consent.explicit,
        "valid_from": consent.valid_from,
        "valid_until": consent.valid_until,
        "evidence_ref": consent.evidence_ref,
        "details": sealer.seal(details, consent_aad(consent_id)),
        "status": ConsentStatus.active.value,
        "recorded_by": actor,
        "recorded_at": now,
    }
    await conn.execute(insert(CONSENT).values(**values))
    await append(
        conn,
        [
            LogEntry(
                name="consent.record",
                actor=actor,
                outcome="recorded",
                trace_id=trace_id,
                data_subject_id=client_id,
                partner_id=consent.partner_id,
                purpose=",".join(consent.purposes),
                legal_basis="consent",
                categories=[c.value for c in consent.categories],
                detail=f"explicit={consent.explicit}",
            )
        ],
        now,
    )
    return Consent.model_validate(
        {**{k: v for k, v in values.items() if k != "details"}, **details}
    )


async def for_clients(
    conn: AsyncConnection, sealer: Sealer, client_ids: Iterable[str]
) -> list[Consent]:
    """The clients' consents, from memory where their version is unchanged
    (`versioned_cache`): a decision on a client seen before costs one primary-key read
    instead of the query and the decryption of every consent. A client not in memory costs
    one query, as before: its rows come with their version, read in the same statement."""
    ids = list(dict.fromkeys(client_ids))
    if not ids:
        return []
    cache = cache_for(conn, "consents", CONSENT_CACHE_SIZE)
    found: dict[str, list[Consent]] = {}
    known = [c for c in ids if cache.has(consent_key(c))]
    if known:
        current = await versions(conn, [consent_key(c) for c in known])
        for cid in known:
            hit = cache.get(consent_key(cid), current[consent_key(cid)])
            if hit is not None:
                found[cid] = hit
    missing = [c for c in ids if c not in found]
    if missing:
        version = (
            select(CACHE_VERSION.c.version)
            .where(CACHE_VERSION.c.key == literal(CONSENT_KEY_PREFIX) + CONSENT.c.client_id)
            .scalar_subquery()
        )
        rows = (
            await conn.execute(
                select(CONSENT, version.label(VERSION_COLUMN)).where(
                    CONSENT.c.client_id.in_(missing)
                )
            )
        ).all()
        fresh: dict[str, list[Consent]] = {c: [] for c in missing}
        seen: dict[str, int] = {}
        for r in rows:
            fresh[r.client_id].append(from_row(r, sealer))
            v = getattr(r, VERSION_COLUMN)
            seen[r.client_id] = v if v is not None else MISSING
        for cid, consents in fresh.items():
            if cid in seen:  # one statement: the rows are exactly those of this version
                cache.put(consent_key(cid), seen[cid], consents)
        found.update(fresh)
    return [c for cid in ids for c in found[cid]]


async def get(conn: AsyncConnection, sealer: Sealer, consent_id: str) -> Consent | None:
    row = (await conn.execute(select(CONSENT).where(CONSENT.c.id == consent_id))).first()
    return from_row(row, sealer) if row else None


async def mark_withdrawn(
    conn: AsyncConnection,
    sealer: Sealer,
    consent: Consent,
    reason: str,
    actor: str,
    now: datetime,
    trace_id: str,
) -> Consent:
    details = {"given_by": consent.given_by, "withdrawal_reason": reason}
    await conn.execute(
        update(CONSENT)
        .where(CONSENT.c.id == consent.id.hex)
        .values(
            status=ConsentStatus.withdrawn.value,
            withdrawn_at=now,
            withdrawn_by=actor,
            details=sealer.seal(details, consent_aad(consent.id.hex)),
        )
    )
    await _log_end(conn, consent, "consent.withdraw", ConsentStatus.withdrawn, actor, now, trace_id)
    return consent.model_copy(
        update={
            "status": ConsentStatus.withdrawn,
            "withdrawn_at": now,
            "withdrawn_by": actor,
            "withdrawal_reason": reason,
        }
    )


async def mark_expired(
    conn: AsyncConnection, consent: Consent, actor: str, now: datetime, trace_id: str
) -> Consent | None:
    """Active → expired, once its end date has passed. None if it was no longer active (a
    concurrent withdrawal or another expiry run got there first)."""
    res = await conn.execute(
        update(CONSENT)
        .where(CONSENT.c.id == consent.id.hex, CONSENT.c.status == ConsentStatus.active.value)
        .values(status=ConsentStatus.expired.value)
    )
    if res.rowcount != 1:
        return None
    await _log_end(
        conn,
        consent,
        "consent.expire",
        ConsentStatus.expired,
        actor,
        now,
        trace_id,
        detail=f"valid_until={consent.valid_until}",
    )
    return consent.model_copy(update={"status": ConsentStatus.expired})


async def _log_end(
    conn: AsyncConnection,
    consent: Consent,
    name: str,
    status: ConsentStatus,
    actor: str,
    now: datetime,
    trace_id: str,
    detail: str | None = None,
) -> None:
    await append(
        conn,
        [
            LogEntry(
                name=name,
                actor=actor,
                outcome=status.value,
                trace_id=trace_id,
                data_subject_id=consent.client_id.hex,
                partner_id=consent.partner_id,
                purpose=",".join(consent.purposes),
                legal_basis="consent",
                categories=[c.value for c in consent.categories],
                detail=detail,
            )
        ],
        now,
    )


# The coach's side: within the team's scope, with the partner and its purposes checked.


async def register(
    ctx: HubContext, client_id: str, data: ConsentIn, actor: str, *, team: str | None = None
) -> Consent:
    partner = ctx.partners.get(data.partner_id)
    if partner is None:
        raise invalid([FieldError("partner_id", f"onbekende partner '{data.partner_id}'")])
    ptype = ctx.registry.get(partner.type)
    known = {a.name for a in ptype.advice_types} if ptype else set()
    unknown = [p for p in data.purposes if p not in known]
    if unknown:
        raise invalid(
            [
                FieldError(
                    "purposes",
                    f"{partner.name} kent geen doel {unknown[0]!r} "
                    f"(wel: {', '.join(sorted(known))})",
                )
            ]
        )
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        if not await in_scope(conn, client_id, team):
            raise not_found("Cliënt")
        return await record(conn, ctx, client_id, data, actor, now, new_trace_id())


async def list_for_client(
    ctx: HubContext, client_id: str, reader: read_log.Reader, *, team: str | None = None
) -> list[Consent]:
    async with ctx.db.write() as conn:
        if not await in_scope(conn, client_id, team):
            raise not_found("Cliënt")
        consents = await for_clients(conn, ctx, [client_id])
        await read_log.record(conn, reader, read_log.CONSENTS, [client_id], ctx.clock.now())
    return sorted(consents, key=lambda c: c.recorded_at)
