"""Re-encrypting every sealed value under the active key, in small batches, while the hub
keeps running; and counting which key each value is under (so an old key can be retired).

Every encrypted column is listed in SEALED with the associated data its writer used; a test
fails when a `bytes` column is added to the tables without being listed here.
"""

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, func, select, update

from wijkhub.hub.core.crypto import KeyRing
from wijkhub.hub.core.db import Database
from wijkhub.hub.store.tables import SQLModel


@dataclass(frozen=True)
class Sealed:
    table: str
    column: str
    aad: Callable[[Any], str]
    needs: tuple[str, ...] = ("id",)


SEALED: tuple[Sealed, ...] = (
    Sealed("client", "record", lambda r: f"client.record:{r.id}"),
    Sealed("consent", "details", lambda r: f"consent.details:{r.id}"),
    Sealed("advice", "summary", lambda r: f"advice.summary:{r.id}"),
    Sealed("advice_item", "details", lambda r: f"advice_item.details:{r.id}", ("number", "id")),
    Sealed("delivery", "payload", lambda r: f"delivery.payload:{r.id}"),
    Sealed(
        "delivery_attempt",
        "response_excerpt",
        lambda r: f"delivery_attempt.response:{r.delivery_id}:{r.number}",
        ("id", "delivery_id", "number"),
    ),
    Sealed(
        "status_update",
        "text",
        lambda r: f"status_update.text:{r.partner_id}:{r.partner_message_id}",
        ("id", "partner_id", "partner_message_id"),
    ),
    Sealed(
        "status_update",
        "raw",
        lambda r: f"status_update.raw:{r.partner_id}:{r.partner_message_id}",
        ("id", "partner_id", "partner_message_id"),
    ),
    Sealed("item_approval", "reason", lambda r: f"item_approval.reason:{r.item_id}", ("item_id",)),
    Sealed("plan_goal", "text", lambda r: f"plan_goal.text:{r.id}", ("id",)),
    Sealed("consultation_message", "content", lambda r: f"consultation_message.content:{r.id}"),
    # The first answer to a creating request, kept for its repeats (core/idempotency.py).
    Sealed("idempotency_key", "response", lambda r: f"idempotency_key.response.{r.id}"),
    # web UI (hub/web): display names of sessions and sign-in links, OIDC PKCE verifiers
    Sealed("web_session", "label", lambda r: f"web_session.label:{r.id_hash}", ("id_hash",)),
    Sealed(
        "web_signin_link",
        "label",
        lambda r: f"web_signin_link.label:{r.token_hash}",
        ("token_hash",),
    ),
    Sealed("staff_person", "name", lambda r: f"staff_person.name:{r.person_id}", ("person_id",)),
    Sealed(
        "web_login",
        "code_verifier",
        lambda r: f"web_login.verifier:{r.state_hash}",
        ("state_hash",),
    ),
)


def _sealed(col: Any) -> Any:
    # NULL: no value; empty: crypto-shredded by retention (reports/retention.py): nothing to move.
    return col.is_not(None) & (func.length(col) > 0)


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


async def key_usage(db: Database) -> Counter[str]:
    """How many values are under each key id."""
    usage: Counter[str] = Counter()
    async with db.read() as conn:
        for s in SEALED:
            col = _table(s.table).c[s.column]
            for (blob,) in (await conn.execute(select(col).where(_sealed(col)))).all():
                usage[KeyRing.key_id_of(blob)] += 1
    return usage


async def reencrypt(db: Database, keyring: KeyRing, batch: int = 200) -> int:
    """Move every value not under the active key onto it; returns how many moved.

    One short write transaction per batch, so a running hub's writers interleave.
    """
    moved = 0
    for s in SEALED:
        t = _table(s.table)
        pk = t.c[s.needs[0]]
        col = t.c[s.column]
        after: Any = None
        while True:
            stmt = select(*(t.c[n] for n in s.needs), col).where(_sealed(col))
            if after is not None:
                stmt = stmt.where(pk > after)
            async with db.write() as conn:
                rows = (await conn.execute(stmt.order_by(pk).limit(batch))).all()
                for r in rows:
                    blob = getattr(r, s.column)
                    if KeyRing.key_id_of(blob) == keyring.active:
                        continue
                    aad = s.aad(r).encode()
                    fresh = keyring.encrypt(keyring.decrypt(blob, aad), aad)
                    # Only if unchanged meanwhile: a concurrent writer's value wins.
                    res = await conn.execute(
                        update(t).where(pk == getattr(r, pk.name), col == blob).values({col: fresh})
                    )
                    moved += res.rowcount
            if len(rows) < batch:
                break
            after = getattr(rows[-1], pk.name)
    return moved


# --- the BSN look-up hashes ---------------------------------------------------------------
#
# A BSN is stored only as a keyed hash, so a new BSN key needs every BSN again: it is read from
# the client's sealed record (the hash column is re-made, the record stays as it is). A record
# purged by retention has no BSN left and no hash to re-make (reports/retention.py).

CLIENT_RECORD = SEALED[0]
# What retention leaves in the hash column of a purged record (reports/retention.py).
PURGED_BSN_PREFIX = "purged:"


async def bsn_key_usage(db: Database) -> Counter[str]:
    """How many stored BSN hashes are under each BSN key id ("" is the first, legacy key)."""
    t = _table("client")
    usage: Counter[str] = Counter()
    async with db.read() as conn:
        stmt = select(t.c.bsn_hash).where(~t.c.bsn_hash.startswith(PURGED_BSN_PREFIX))
        for (stored,) in (await conn.execute(stmt)).all():
            usage[KeyRing.bsn_key_of(stored)] += 1
    return usage


@dataclass(frozen=True)
class Rehash:
    moved: int
    left: int  # hashes still under an older key (0: the rotation is complete)


async def rehash_bsns(
    db: Database, keyring: KeyRing, batch: int = 200, batches: int | None = None
) -> Rehash:
    """Re-make every BSN hash not under the active BSN key, `batch` records per short write
    transaction (a running hub's writers interleave), at most `batches` of them."""
    t = _table("client")
    pending = (t.c.record.is_not(None)) & (func.length(t.c.record) > 0)
    pending &= ~t.c.bsn_hash.startswith(PURGED_BSN_PREFIX)
    moved, done, after = 0, 0, None
    while batches is None or done < batches:
        stmt = select(t.c.id, t.c.bsn_hash, t.c.record).where(pending)
        if after is not None:
            stmt = stmt.where(t.c.id > after)
        async with db.write() as conn:
            rows = (await conn.execute(stmt.order_by(t.c.id).limit(batch))).all()
            for r in rows:
                if KeyRing.bsn_key_of(r.bsn_hash) == keyring.active_bsn:
                    continue
                aad = CLIENT_RECORD.aad(r).encode()
                bsn = json.loads(keyring.decrypt(r.record, aad))["bsn"]
                res = await conn.execute(
                    update(t)
                    .where(t.c.id == r.id, t.c.bsn_hash == r.bsn_hash)
                    .values(bsn_hash=keyring.bsn_hash(bsn))
                )
                moved += res.rowcount
        done += 1
        if len(rows) < batch:
            break
        after = rows[-1].id
    usage = await bsn_key_usage(db)
    left = sum(n for kid, n in usage.items() if kid != keyring.active_bsn)
    return Rehash(moved, left)
