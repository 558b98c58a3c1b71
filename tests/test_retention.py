"""Retention: personal data of closed advices and inactive clients is purged after its
period; open advices and active clients are untouched; the processing log stays intact."""

import asyncio
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from tests.harness import Env
from wijkhub.hub import demo_household as household
from wijkhub.hub.consent_expiry import expire_due
from wijkhub.hub.key_rotation import key_usage
from wijkhub.hub.plugins import load_registry
from wijkhub.hub.processing_log import verify
from wijkhub.hub.retention import RetentionPeriods, RetentionRules, purge
from wijkhub.hub.tables import SQLModel
from wijkhub.schemas.status import PartnerStatus, StatusUpdate

RULES = RetentionRules(
    version="test",
    periods=RetentionPeriods(advice_content=30, partner_messages=30, client_record=60),
)
OTHER = {
    **household.CLIENT,
    "bsn": "999990020",
    "given_names": "Bram",
    "family_name": "Anderveld",
    "address": {**household.CLIENT["address"], "street": "Blijfstraat", "postcode": "7522 CD"},
}
BINARY = ("record", "details", "summary", "payload", "text", "raw", "response_excerpt")


async def post_final_status(env: Env, item: dict[str, Any], partner_type: str) -> None:
    env.clock.advance(hours=1)  # after the simulator's scripted answers
    backoffice = load_registry().partner_types[partner_type].backoffice
    assert backoffice is not None
    body = backoffice.render_status(
        StatusUpdate(
            item_ref=uuid.UUID(item["id"]),
            status=PartnerStatus.carried_out,
            partner_message_id=f"final-{item['id'][:8]}",
            occurred_at=env.clock.now(),
        )
    ).body
    r = await env.post_status(item["partner_id"], body)
    assert r.status == 202, r.body


async def all_rows(env: Env) -> list[tuple[str, dict[str, Any]]]:
    """Every row of every table."""
    out = []
    async with env.hub.ctx.db.read() as conn:
        for t in SQLModel.metadata.sorted_tables:
            out += [(t.name, dict(r)) for r in (await conn.execute(select(t))).mappings()]
    return out


async def sealed_of(env: Env, client_id: str) -> list[bytes]:
    """Every encrypted value that belongs to this client (its rows found by their ids)."""
    rows = await all_rows(env)
    mine = {uuid.UUID(client_id).hex}
    # Rows point at the client, advice, item or delivery they belong to: follow the ids.
    for _ in range(3):
        for _t, row in rows:
            refs = {row.get(c) for c in ("client_id", "advice_id", "item_id", "delivery_id")}
            if isinstance(row.get("id"), str) and refs & mine:  # uuids, not per-table numbers
                mine.add(row["id"])
    blobs = []
    for _t, row in rows:
        ids = {row.get(c) for c in ("id", "client_id", "item_id", "delivery_id", "advice_id")}
        if {i for i in ids if isinstance(i, str)} & mine:
            blobs += [row[c] for c in BINARY if isinstance(row.get(c), bytes) and row[c]]
    return blobs


async def test_purge_removes_a_closed_clients_personal_data_and_keeps_the_log(
    env: Env,
) -> None:
    ctx = env.hub.ctx
    client_id = await env.household()
    advice = await env.submit(household.advice(client_id, env.today))
    # Another client whose advice stays open (adopted, never carried out): never purged.
    other = (await env.coach.post("/api/v1/clients", json=OTHER)).body["id"]
    c = {**household.consents(env.today)[0], "valid_until": None}
    assert (await env.coach.post(f"/api/v1/clients/{other}/consents", json=c)).status == 201
    other_item = {**household.advice(other, env.today)["items"][0]}
    other_advice = await env.submit(
        {"client_id": other, "summary": "Blijft", "items": [other_item]}
    )
    await env.deliver()
    advice = await env.answered(advice)
    await env.answered(other_advice)
    gi = next(it for it in advice["items"] if it["partner_id"] == household.GI)
    await post_final_status(env, gi, "gecertificeerde_instelling")

    env.clock.advance(days=200)
    early = await purge(ctx, RULES)
    assert not early.anything, "adopted and in-progress items keep the advice open"
    env.clock.advance(days=200)  # the consents (365 days) have ended
    await expire_due(ctx)
    assert not (await purge(ctx, RULES)).anything, "intrekkingen still queued: not closed"
    await env.deliver()  # each partner acknowledges its intrekking: now the advice is closed
    env.clock.advance(days=29)
    assert not (await purge(ctx, RULES)).anything, "29 days after closing: too early"

    cid = uuid.UUID(client_id).hex
    before = await sealed_of(env, client_id)
    assert len(before) > 15
    other_before = await sealed_of(env, other)
    async with ctx.db.read() as conn:
        from wijkhub.hub.clients import T as CLIENT

        old_hash = await conn.scalar(select(CLIENT.c.bsn_hash).where(CLIENT.c.id == cid))
        old_record = await conn.scalar(select(CLIENT.c.record).where(CLIENT.c.id == cid))
    assert ctx.unseal(old_record, f"client.record:{cid}")["bsn"] == household.CLIENT["bsn"]

    env.clock.advance(days=2)
    report = await purge(ctx, RULES)
    assert report.advice_content == report.partner_messages == [advice["id"].replace("-", "")]
    assert report.clients == [], "the client record waits for its own, longer period"
    env.clock.advance(days=60)
    report = await purge(ctx, RULES)
    assert report.clients == [client_id.replace("-", "")]
    assert not report.advice_content and not report.partner_messages
    if ctx.db.is_sqlite:
        assert report.compacted is True

    # No value of the purged client is left in any table; the other client is untouched.
    flat = [v for _t, row in await all_rows(env) for v in row.values()]
    for blob in before:
        where = [(t, k) for t, row in await all_rows(env) for k, v in row.items() if v == blob]
        assert blob not in flat, where
    assert old_hash not in flat
    assert await sealed_of(env, client_id) == []
    assert await sealed_of(env, other) == other_before
    with pytest.raises(Exception):  # noqa: B017 — nothing left to decrypt
        async with ctx.db.read() as conn:
            record = await conn.scalar(select(CLIENT.c.record).where(CLIENT.c.id == cid))
        ctx.unseal(record, f"client.record:{cid}")
    assert (await env.coach.get(f"/api/v1/clients/{client_id}")).status == 404
    assert (await env.coach.get(f"/api/v1/clients/{other}")).status == 200
    kept = await env.advice(other_advice["id"])
    assert kept["summary"] == "Blijft"
    # The skeleton stays for statistics: decisions, statuses, timeline without texts.
    purged = await env.advice(advice["id"])
    assert purged["summary"] is None and len(purged["items"]) == 5

    if ctx.db.is_sqlite:
        data_dir = ctx.settings.data_dir
        raw = await asyncio.to_thread(
            lambda: b"".join(p.read_bytes() for p in data_dir.glob("wijkhub.db*"))
        )
        for blob in before:
            assert blob[-32:] not in raw, "old ciphertext still in the database file"
        assert old_hash.encode() not in raw
        for s in (
            household.CLIENT["bsn"],
            household.CLIENT["family_name"],
            household.CLIENT["given_names"],
            household.CLIENT["address"]["street"],
            household.CLIENT["address"]["postcode"],
        ):
            assert s.encode() not in raw, s

    # The log is intact, verifies, and says what was purged.
    async with ctx.db.read() as conn:
        assert (await verify(conn)).ok
    entries = await env.log(data_subject_id=client_id, name="retention.purge")
    assert len(entries) == 3 and {e["actor"] for e in entries} == {"system:retention"}
    assert any("cliëntgegevens" in e["detail"] for e in entries)
    # The access report still answers from the log, without the name.
    r = await env.privacy.get(f"/api/v1/privacy/clients/{client_id}/access-report")
    assert r.status == 200 and r.body["client_name"] is None
    assert {x["partner_id"] for x in r.body["recipients"]} == {
        household.CORPORATIE,
        household.STADSBANK,
        household.GI,
        household.ZORG,
    }
    consents = (await env.privacy.get(f"/api/v1/privacy/consents?client_id={client_id}")).body
    assert {c["given_by"] for c in consents} == {"(verwijderd na bewaartermijn)"}
    # Key rotation skips the shredded values instead of tripping over them.
    assert set(await key_usage(ctx.db)) == {"k1"}
    # A second run finds nothing more to do.
    assert not (await purge(ctx, RULES)).anything


async def test_dry_run_changes_nothing(env: Env) -> None:
    ctx = env.hub.ctx
    client_id = await env.household(with_consents=False)
    # Every consented item is refused: the advice is closed at once (GI aside).
    advice = await env.submit(household.advice(client_id, env.today))
    await env.deliver()
    gi = next(it for it in advice["items"] if it["partner_id"] == household.GI)
    await env.answered(advice)
    await post_final_status(env, gi, "gecertificeerde_instelling")
    env.clock.advance(days=400)
    before = await sealed_of(env, client_id)
    log_before = len(await env.log(limit="1000"))
    report = await purge(ctx, RULES, dry_run=True)
    assert report.advice_content and report.partner_messages
    assert report.clients == [], "a client waits until its advices are purged for real"
    assert await sealed_of(env, client_id) == before
    assert len(await env.log(limit="1000")) == log_before
