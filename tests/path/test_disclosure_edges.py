"""Edge cases where data could reach someone it should not, or a partner could keep data
without being told to stop: found by review and pinned here."""

import secrets
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import insert, select

from tests.support.harness import ApiClient, Env
from wijkhub.hub.casework.dead_letters import replay
from wijkhub.hub.core.auth import hash_token
from wijkhub.hub.core.clock import FakeClock, local_date
from wijkhub.hub.core.settings import WorkerSettings
from wijkhub.hub.core.transport import SendResult
from wijkhub.hub.demo import household
from wijkhub.hub.demo.run import start_demo_hub
from wijkhub.hub.plugin_api.manager import load_registry
from wijkhub.hub.plugin_api.types import PartnerMessage
from wijkhub.hub.reports.retention import RetentionPeriods, RetentionRules, purge
from wijkhub.hub.server.app import WORKER
from wijkhub.hub.store.tables import DELIVERY, STATUS, TOKEN
from wijkhub.schemas.status import PartnerStatus, StatusUpdate

CORP = household.CORPORATIE
RULES = RetentionRules(
    version="t", periods=RetentionPeriods(advice_content=30, partner_messages=30, client_record=60)
)


def corp_item(client_id: str, env: Env, partner_id: str = CORP) -> dict[str, Any]:
    return {**household.advice(client_id, env.today)["items"][0], "partner_id": partner_id}


async def corp_consent(env: Env, client_id: str) -> dict[str, Any]:
    consents = (await env.coach.get(f"/api/v1/clients/{client_id}/consents")).body
    return next(c for c in consents if c["partner_id"] == CORP)


async def test_a_coach_token_without_a_team_sees_nothing(env: Env) -> None:
    client_id = await env.household()
    token = "wjk_" + secrets.token_urlsafe(32)
    async with env.hub.ctx.db.write() as conn:  # as a token from before teams would look
        await conn.execute(
            insert(TOKEN).values(
                id=uuid.uuid4().hex,
                token_hash=hash_token(token),
                role="coach",
                partner_id=None,
                team=None,
                label="old",
                created_at=env.clock.now(),
            )
        )
    old = ApiClient(env.session, token)
    assert (await old.get(f"/api/v1/clients/{client_id}")).status == 403
    r = await old.post("/api/v1/clients", json={**household.CLIENT, "bsn": "999990020"})
    assert r.status == 403 and r.body["error"]["code"] == "no_team"


async def test_a_delivery_never_follows_a_redirect(tmp_path: Path) -> None:
    stolen: list[bytes] = []

    async def elsewhere(request: web.Request) -> web.Response:
        stolen.append(await request.read())
        return web.json_response({})

    async def redirector(_: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect(f"http://127.0.0.2:{port}/steal")

    runners = []
    for host, path, handler in (
        ("127.0.0.2", "/steal", elsewhere),
        ("127.0.0.1", "/wijkhub", redirector),
    ):
        app = web.Application()
        app.router.add_post(path, handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, host, 0)
        await site.start()
        runners.append(runner)
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    extra = (
        '[[partner]]\nid = "omleiding"\ntype = "corporatie"\nname = "Omleiding"\n'
        f'endpoint = "http://127.0.0.1:{port}/wijkhub"\n'
    )
    clock = FakeClock()
    hub, sims = await start_demo_hub(
        tmp_path, extra_partners=extra, clock=clock, run_worker=False, worker=WorkerSettings()
    )
    session = aiohttp.ClientSession(base_url=hub.url)
    try:
        coach = ApiClient(session, await hub.token("coach", "c", team="team-a"))
        cid = (await coach.post("/api/v1/clients", json=household.CLIENT)).body["id"]
        today = local_date(clock.now())
        c = {**household.consents(today)[0], "partner_id": "omleiding"}
        assert (await coach.post(f"/api/v1/clients/{cid}/consents", json=c)).status == 201
        item = {**household.advice(cid, today)["items"][0], "partner_id": "omleiding"}
        advice = (
            await coach.post("/api/v1/advices", json={"client_id": cid, "items": [item]})
        ).body
        await hub.app[WORKER].run_once()
        assert stolen == []
        current = (await coach.get(f"/api/v1/advices/{advice['id']}")).body
        assert current["items"][0]["delivery_status"] == "dead"  # a redirect is not retried
    finally:
        await session.close()
        await hub.close()
        for s in sims.values():
            await s.close()
        for runner in runners:
            await runner.cleanup()


async def test_a_pull_partner_that_fetched_gets_the_intrekking(env: Env) -> None:
    client_id = await env.household(with_consents=False)
    c = {**household.consents(env.today)[0], "partner_id": "ons-huis"}
    rc = await env.coach.post(f"/api/v1/clients/{client_id}/consents", json=c)
    await env.submit({"client_id": client_id, "items": [corp_item(client_id, env, "ons-huis")]})
    fetched = await env.partner["ons-huis"].get("/api/v1/partners/ons-huis/inbox")
    assert len(fetched.body) == 1  # it has the data now, not yet acknowledged
    w = await env.coach.post(f"/api/v1/consents/{rc.body['id']}/withdraw", json={"reason": "x"})
    assert w.status == 200
    inbox = (await env.partner["ons-huis"].get("/api/v1/partners/ons-huis/inbox")).body
    assert [m["kind"] for m in inbox] == ["withdrawal"]


@pytest.mark.parametrize("sim_options", [{CORP: {"lose_first_acks": 1}}])
async def test_withdrawal_during_a_send_whose_ack_is_lost_still_tells(env: Env) -> None:
    client_id = await env.household()
    await env.submit({"client_id": client_id, "items": [corp_item(client_id, env)]})
    corp = await corp_consent(env, client_id)
    real_send = env.worker.transport.send
    done = False

    async def send_then_withdraw(
        endpoint: str, message: PartnerMessage, headers: dict[str, str]
    ) -> SendResult:
        nonlocal done
        result = await real_send(endpoint, message, headers)  # processed; the hub sees 500
        if not done:
            done = True
            r = await env.coach.post(
                f"/api/v1/consents/{corp['id']}/withdraw", json={"reason": "x"}
            )
            assert r.status == 200
        return result

    env.worker.transport.send = send_then_withdraw  # type: ignore[method-assign]
    for _ in range(5):
        await env.deliver()
        env.clock.advance(seconds=120)
    assert [r.request.kind for r in env.sims[CORP].received] == ["advice", "withdrawal"]


@pytest.mark.parametrize("sim_options", [{CORP: {"lose_first_acks": 1}}])
@pytest.mark.parametrize("worker_settings", [WorkerSettings(max_attempts=1, poll_interval=0.05)])
async def test_a_dead_row_that_may_have_arrived_gets_the_intrekking(env: Env) -> None:
    client_id = await env.household()
    await env.submit({"client_id": client_id, "items": [corp_item(client_id, env)]})
    await env.deliver()
    corp = await corp_consent(env, client_id)
    r = await env.coach.post(f"/api/v1/consents/{corp['id']}/withdraw", json={"reason": "x"})
    assert r.status == 200
    await env.deliver()
    assert [x.request.kind for x in env.sims[CORP].received] == ["advice", "withdrawal"]


async def test_a_late_partner_answer_is_purged_too(env: Env) -> None:
    ctx = env.hub.ctx
    client_id = await env.household()
    advice = await env.submit({"client_id": client_id, "items": [corp_item(client_id, env)]})
    await env.deliver()
    item = (await env.answered(advice))["items"][0]
    backoffice = load_registry().partner_types["corporatie"].backoffice
    assert backoffice is not None

    async def answer(msg_id: str, status: PartnerStatus, detail: str) -> None:
        env.clock.advance(hours=1)
        body = backoffice.render_status(
            StatusUpdate(
                item_ref=uuid.UUID(item["id"]),
                status=status,
                partner_message_id=msg_id,
                occurred_at=env.clock.now(),
                detail=detail,
            )
        ).body
        assert (await env.post_status(CORP, body)).status == 202

    await answer("final-1", PartnerStatus.carried_out, "klaar")
    env.clock.advance(days=31)
    await purge(ctx, RULES, compact=False)
    await answer("late-2", PartnerStatus.stopped, "Mevrouw Testervelde is verhuisd")
    env.clock.advance(days=3000)
    report = await purge(ctx, RULES, compact=False)
    async with ctx.db.read() as conn:
        texts = (await conn.execute(select(STATUS.c.partner_message_id, STATUS.c.text))).all()
    assert [m for m, t in texts if t] == []
    assert report.clients, "with nothing left, the client record goes too"


async def test_a_purged_dead_letter_is_not_replayed(env: Env) -> None:
    ctx = env.hub.ctx
    env.sims[CORP].always_fail = True
    client_id = await env.household()
    await env.submit({"client_id": client_id, "items": [corp_item(client_id, env)]})
    for _ in range(6):
        await env.deliver()
        env.clock.advance(seconds=60)
    async with ctx.db.read() as conn:
        assert await conn.scalar(select(DELIVERY.c.status)) == "dead"
    env.clock.advance(days=31)
    await purge(ctx, RULES, compact=False)
    assert await replay(ctx.db, env.clock.now(), "cli:test", partner=CORP) == []


@pytest.mark.parametrize(
    "query",
    ["recorded_since=9999-12-31T23:00:00-05:00", "recorded_until=0001-01-01T00:30:00%2B01:00"],
)
async def test_out_of_range_consent_filters_are_422(env: Env, query: str) -> None:
    assert (await env.privacy.get(f"/api/v1/privacy/consents?{query}")).status == 422


async def test_a_replayed_nonce_is_on_record(env: Env) -> None:
    client_id = await env.household()
    advice = await env.submit({"client_id": client_id, "items": [corp_item(client_id, env)]})
    await env.deliver()
    item = (await env.answered(advice))["items"][0]
    backoffice = load_registry().partner_types["corporatie"].backoffice
    assert backoffice is not None
    body = backoffice.render_status(
        StatusUpdate(
            item_ref=uuid.UUID(item["id"]),
            status=PartnerStatus.carried_out,
            partner_message_id="replay-1",
            occurred_at=env.clock.now(),
        )
    ).body
    headers = {"Content-Type": "application/json", **env.sims[CORP].signed(body)}
    for expected in (202, 401):
        r = await env.partner[CORP].post(
            f"/api/v1/partners/{CORP}/status", data=body, headers=headers
        )
        assert r.status == expected
    assert await env.log(name="access.refused", outcome="signature_replayed")
