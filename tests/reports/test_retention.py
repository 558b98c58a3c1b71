"""Retention: personal data of closed advices and inactive clients is purged after its
period; open advices and active clients are untouched; the processing log stays intact."""

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.support.harness import Env
from wijkhub.hub.casework.expiry import expire_due
from wijkhub.hub.core.key_rotation import key_usage
from wijkhub.hub.core.processing_log import verify
from wijkhub.hub.core.read_log import READ
from wijkhub.hub.demo import household
from wijkhub.hub.plugin_api.manager import load_registry
from wijkhub.hub.reports.retention import RetentionPeriods, RetentionRules, purge
from wijkhub.hub.store.tables import CLIENT, CONSULT, GOAL, SQLModel
from wijkhub.hub.web import config as web_config
from wijkhub.hub.web import oidc, session
from wijkhub.schemas.consultation import ConsultationKind, PartnerConsultation
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
BINARY = ("record", "details", "summary", "payload", "text", "raw", "response_excerpt", "content")
REFS = ("client_id", "advice_id", "item_id", "delivery_id", "member_id")


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
            refs = {row.get(c) for c in REFS}
            if isinstance(row.get("id"), str) and refs & mine:  # uuids, not per-table numbers
                mine.add(row["id"])
    blobs = []
    for _t, row in rows:
        ids = {row.get(c) for c in ("id", *REFS)}
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
    # Looking at the log is a read of it (logged): count everything but the reads.
    log_before = len([e for e in await env.log(limit="1000") if e["name"] != READ])
    report = await purge(ctx, RULES, dry_run=True)
    assert report.advice_content and report.partner_messages
    assert report.clients == [], "a client waits until its advices are purged for real"
    assert await sealed_of(env, client_id) == before
    assert len([e for e in await env.log(limit="1000") if e["name"] != READ]) == log_before


async def test_plan_goals_and_consultation_messages_are_purged_with_the_client(env: Env) -> None:
    ctx = env.hub.ctx
    client_id = await env.household(with_consents=False)
    r = await env.coach.post(
        "/api/v1/households", json={"members": [{"client_id": client_id, "role": "other"}]}
    )
    assert r.status == 201, r.body
    home, [member] = r.body["id"], r.body["members"]
    goal_text = "Schulden onder controle; geen ontruiming."
    r = await env.coach.post(
        f"/api/v1/households/{home}/plan/goals",
        json={"domain": "financien", "member_id": member["id"], "text": goal_text},
    )
    assert r.status == 201, r.body
    goal_id = uuid.UUID(r.body["id"]).hex
    # Every consented item is refused (no consents): only the GI's statutory item is sent.
    advice = await env.submit(household.advice(client_id, env.today))
    await env.deliver()
    gi = next(it for it in advice["items"] if it["partner_id"] == household.GI)
    question = "Is er al hulp gestart voor gezin Kwikstaart?"
    code, text = await env.sims[household.GI].consult(
        gi["id"],
        PartnerConsultation(kind=ConsultationKind.question, text=question),
        message_id="gi-q-1",
    )
    assert code == 202, text
    # A second message of the GI (a coach's free text never goes to the GI).
    reply = "Ja, sinds maandag; de schuldhulp loopt."
    code, text = await env.sims[household.GI].consult(
        gi["id"],
        PartnerConsultation(kind=ConsultationKind.question, text=reply),
        message_id="gi-q-2",
    )
    assert code == 202, text
    await env.deliver()
    await env.answered(advice)
    await post_final_status(env, gi, "gecertificeerde_instelling")
    consult = (await env.coach.get(f"/api/v1/items/{gi['id']}/consultation")).body
    assert {m["text"] for m in consult} == {question, reply}
    before = await sealed_of(env, client_id)
    async with ctx.db.read() as conn:
        goal_blob = await conn.scalar(select(GOAL.c.text).where(GOAL.c.id == goal_id))
        consult_blobs = list((await conn.execute(select(CONSULT.c.content))).scalars().all())
    assert len(consult_blobs) == 2 and {goal_blob, *consult_blobs} <= set(before)

    env.clock.advance(days=400)
    report = await purge(ctx, RULES)
    advice_id = advice["id"].replace("-", "")
    assert report.partner_messages == [advice_id]
    assert report.clients == [client_id.replace("-", "")] and report.goals == [goal_id]

    # Neither text can be read any more, anywhere; the API says so in Dutch or shows nothing.
    assert await sealed_of(env, client_id) == []
    flat = [v for _t, row in await all_rows(env) for v in row.values()]
    for blob in (goal_blob, *consult_blobs):
        assert blob not in flat
    consult = (await env.coach.get(f"/api/v1/items/{gi['id']}/consultation")).body
    assert [m["text"] for m in consult] == [None, None]
    plan = (await env.coach.get(f"/api/v1/households/{home}/plan")).body
    [goal] = plan["members"][0]["goals"]
    assert goal["text"] == "(verwijderd na bewaartermijn)"
    if ctx.db.is_sqlite:
        raw = await asyncio.to_thread(
            lambda: b"".join(p.read_bytes() for p in ctx.settings.data_dir.glob("wijkhub.db*"))
        )
        for blob in (goal_blob, *consult_blobs):
            assert blob[-32:] not in raw

    async with ctx.db.read() as conn:
        assert (await verify(conn)).ok
    entries = await env.log(data_subject_id=client_id, name="retention.purge")
    assert any("1 doelen in het huishoudplan" in e["detail"] for e in entries)
    for e in entries:
        assert goal_text not in e["detail"] and "Kwikstaart" not in e["detail"]
    assert not (await purge(ctx, RULES)).anything, "a second run finds nothing more"

    # A goal written for the purged client later is erased at the next run.
    r = await env.coach.post(
        f"/api/v1/households/{home}/plan/goals",
        json={"domain": "wonen", "member_id": member["id"], "text": "Later doel."},
    )
    assert r.status == 201, r.body
    late = await purge(ctx, RULES)
    assert late.goals == [uuid.UUID(r.body["id"]).hex] and not late.clients
    assert await sealed_of(env, client_id) == []
    assert not (await purge(ctx, RULES)).anything


async def test_a_consultation_message_keeps_the_client_until_it_is_purged(env: Env) -> None:
    """A message left on a purged advice (its content checked on its own) holds the client."""
    ctx = env.hub.ctx
    client_id = await env.household(with_consents=False)
    advice = await env.submit(household.advice(client_id, env.today))
    await env.deliver()
    gi = next(it for it in advice["items"] if it["partner_id"] == household.GI)
    code, text = await env.sims[household.GI].consult(
        gi["id"],
        PartnerConsultation(kind=ConsultationKind.question, text="Nog vragen?"),
        message_id="gi-q-2",
    )
    assert code == 202, text
    await env.answered(advice)
    await post_final_status(env, gi, "gecertificeerde_instelling")
    env.clock.advance(days=40)
    # Only the advice's messages are due (client_record: 60 days); then the consultation
    # message alone is brought back, as if it had arrived after the purge.
    async with ctx.db.read() as conn:
        [(msg_id, content)] = (await conn.execute(select(CONSULT.c.id, CONSULT.c.content))).all()
    report = await purge(ctx, RULES)
    assert report.partner_messages and not report.clients
    async with ctx.db.write() as conn:
        await conn.execute(CONSULT.update().where(CONSULT.c.id == msg_id).values(content=content))
    env.clock.advance(days=60)
    report = await purge(ctx, RULES)
    assert report.partner_messages == [advice["id"].replace("-", "")]
    assert report.clients == [client_id.replace("-", "")]
    async with ctx.db.read() as conn:
        assert await conn.scalar(select(CONSULT.c.content)) == b""
        assert (await verify(conn)).ok
    assert not (await purge(ctx, RULES)).anything


async def test_expired_web_sessions_and_signin_links_are_deleted(env: Env) -> None:
    ctx = env.hub.ctx
    hours = web_config.load(ctx.settings.config_path).session_hours

    async def start(name: str) -> session.WebSession:
        return await session.start(
            ctx, user_id=name, role="privacy_officer", team=None, label=name, via="link"
        )

    async def login_state(state: str) -> None:
        # What `oidc` stores while the identity provider is asked (no provider in tests).
        async with ctx.db.write() as conn:
            await conn.execute(
                oidc.LOGIN.insert().values(
                    state_hash=session.sha256(state),
                    nonce="n",
                    code_verifier=ctx.seal("v", "web_login.verifier:" + session.sha256(state)),
                    return_to="/",
                    created_at=ctx.clock.now(),
                )
            )

    old = await start("Fatima el Amrani")
    await login_state("stale")
    ended = await start("Kees de Vries")
    await session.end(ctx, ended.id)
    env.clock.advance(hours=hours / 2)
    live = await start("Anna Jansen")
    short = await session.create_signin_link(
        ctx, "privacy_officer", None, "Piet Pieters", ttl=timedelta(minutes=5)
    )
    long = await session.create_signin_link(
        ctx, "privacy_officer", None, "Els Bakker", ttl=timedelta(days=1)
    )
    env.clock.advance(hours=hours / 2, minutes=1)
    assert await session.load(ctx, old.id) is None and await session.load(ctx, live.id)
    await login_state("fresh")

    dry = await purge(ctx, RULES, dry_run=True)
    assert dry.web == {"web_session": 2, "web_signin_link": 1, "web_login": 1}
    report = await purge(ctx, RULES)
    assert report.web == dry.web and not report.client_data
    async with ctx.db.read() as conn:
        ids = set((await conn.execute(select(session.SESSION.c.id_hash))).scalars())
        links = set((await conn.execute(select(session.LINK.c.token_hash))).scalars())
        logins = set((await conn.execute(select(oidc.LOGIN.c.state_hash))).scalars())
        assert (await verify(conn)).ok
    assert ids == {session.sha256(live.id)}
    assert links == {session.sha256(long.rsplit("/", 1)[1])}
    assert short.rsplit("/", 1)[1] not in links
    assert logins == {session.sha256("fresh")}
    # The live ones still work; the log says what went, without names.
    assert (await session.load(ctx, live.id)) is not None
    assert (await session.use_signin_link(ctx, long.rsplit("/", 1)[1])).label == "Els Bakker"
    [entry] = [
        e
        for e in await env.log(name="retention.purge")
        if e["detail"].startswith("verlopen webgegevens")
    ]
    assert entry["detail"] == (
        "verlopen webgegevens verwijderd: 2 sessies, 1 aanmeldlinks, 1 aanmeldverzoeken"
    )
    assert entry["data_subject_id"] is None
    # Twice: the link just used is of no use any more; then nothing is left.
    assert (await purge(ctx, RULES)).web == {"web_signin_link": 1}
    assert not (await purge(ctx, RULES)).anything
