"""Figures that need a large store: consent decisions among many consents and verifying a
long processing log. The data is bulk-inserted (executemany), then measured through the
same functions the API and `wijkhub log verify` use."""

import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from wijkhub.bench.flow import percentile
from wijkhub.consent.policy import ItemFacts, decide
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.log_tree import extend
from wijkhub.hub.core.processing_log import entry_leaf_hash, verify
from wijkhub.hub.demo import household
from wijkhub.hub.records.consents import consent_aad, for_clients
from wijkhub.hub.store.tables import CLIENT, CONSENT, LOG

CHUNK = 20_000


async def consent_decisions(
    ctx: HubContext, households: int, per_household: int, samples: int, rounds: int = 1
) -> dict[str, Any]:
    """Store `households` clients with `per_household` consents each, then time one decision
    as the API makes it: one `for_clients` query for the client, then `decide()`; `samples`
    decisions in each of `rounds` rounds (the bench's repeats, over the same stored data)."""
    now = datetime.now(UTC)
    today = now.date()
    partners = [p.id for p in ctx.partners.all()]
    base = household.consents(today)
    t0 = time.perf_counter()
    ids = [uuid.uuid4().hex for _ in range(households)]
    for start in range(0, households, CHUNK):
        chunk = ids[start : start + CHUNK]
        clients = [
            {
                "id": cid,
                "bsn_hash": "bench-" + cid,
                "record": b"\x00",  # never read here; a real record is sealed client JSON
                "team": "bench",
                "created_at": now,
                "created_by": "bench",
            }
            for cid in chunk
        ]
        consents = []
        for cid in chunk:
            for k in range(per_household):
                c = base[k % len(base)]
                consent_id = uuid.uuid4().hex
                consents.append(
                    {
                        "id": consent_id,
                        "client_id": cid,
                        "partner_id": partners[k % len(partners)]
                        if k >= len(base)
                        else c["partner_id"],
                        "purposes": c["purposes"],
                        "categories": c["categories"],
                        "explicit": c.get("explicit", False),
                        "valid_from": today - timedelta(days=k),
                        "valid_until": date.fromisoformat(c["valid_until"]),
                        "evidence_ref": c["evidence_ref"],
                        "details": ctx.seal(
                            {"given_by": "bench", "withdrawal_reason": None},
                            consent_aad(consent_id),
                        ),
                        "status": "active" if k < len(base) else "withdrawn",
                        "recorded_by": "bench",
                        "recorded_at": now,
                    }
                )
        async with ctx.db.write() as conn:
            await conn.execute(insert(CLIENT), clients)
            await conn.execute(insert(CONSENT), consents)
    fill_s = time.perf_counter() - t0
    advice = household.advice("0" * 32, today)["items"][0]
    partner = ctx.partners.get(advice["partner_id"])
    assert partner is not None
    ptype = ctx.registry.get(partner.type)
    atype = ptype.advice_type(advice["advice_type"]) if ptype else None
    assert atype is not None
    facts = ItemFacts(partner.id, partner.name, partner.type, atype)
    rng = random.Random(9)
    per_round = []
    for _ in range(rounds):
        times: list[float] = []
        decide_times: list[float] = []
        allowed = 0
        for _ in range(samples):
            cid = rng.choice(ids)
            t = time.perf_counter()
            async with ctx.db.read() as conn:
                consents = await for_clients(conn, ctx, [cid])
            t_decide = time.perf_counter()
            d = decide(facts, ctx.rules, consents, today)
            done = time.perf_counter()
            times.append((done - t) * 1000)
            decide_times.append((done - t_decide) * 1000)
            allowed += d.allowed
        assert allowed == samples, "the bench's consents should allow the corporatie item"
        per_round.append(
            {
                "p50_ms": percentile(times, 50),
                "p99_ms": percentile(times, 99),
                "decide_p99_ms": percentile(decide_times, 99),
            }
        )
    return {
        "consents": households * per_household,
        "households": households,
        "fill_s": fill_s,
        **per_round[0],
        "rounds": per_round,
    }


async def log_verify_rate(ctx: HubContext, entries: int) -> dict[str, Any]:
    """Append `entries` log leaves in bulk (placed in the tree), then time `verify` over the
    whole log."""
    now = datetime.now(UTC)
    t0 = time.perf_counter()
    async with ctx.db.read() as conn:
        have = (await conn.execute(select(func.count()).select_from(LOG))).scalar_one()
    todo = entries - have
    while todo > 0:
        rows = []
        for _ in range(min(CHUNK, todo)):
            row: dict[str, Any] = {
                "trace_id": uuid.uuid4().hex,
                "span_id": uuid.uuid4().hex[:16],
                "parent_span_id": None,
                "name": "advice.deliver",
                "start_time": now,
                "end_time": now,
                "status_code": 1,
                "actor": "worker",
                "data_subject_id": uuid.uuid4().hex,
                "partner_id": "woonplaats",
                "purpose": "betalingsregeling_huurachterstand",
                "legal_basis": "consent",
                "categories": ["contact", "identification"],
                "outcome": "delivered",
                "detail": "HTTP 200",
                "rules_version": "1",
            }
            row["leaf_hash"] = entry_leaf_hash(row)
            rows.append(row)
        async with ctx.db.write() as conn:
            await conn.execute(insert(LOG), rows)
            await extend(conn, now, len(rows))
        todo -= len(rows)
    fill_s = time.perf_counter() - t0
    t = time.perf_counter()
    async with ctx.db.read() as conn:
        result = await verify(conn)
    seconds = time.perf_counter() - t
    assert result.ok, result
    return {
        "entries": result.checked,
        "fill_s": fill_s,
        "seconds": seconds,
        "entries_per_s": result.checked / seconds,
    }
