"""Every endpoint needs a bearer token of the right role; partners see only their own."""

import base64
import uuid
from typing import Any

import pytest

from tests.support.harness import ApiClient, Env, corp_status, status_body
from wijkhub.hub.api.routes import api
from wijkhub.hub.core import auth
from wijkhub.hub.demo import household

ZERO = "00000000-0000-4000-8000-000000000000"


def concrete(path: str, partner: str = "woonplaats") -> str:
    return (
        path.replace("{partner_id}", partner)
        .replace("{client_id}", ZERO)
        .replace("{consent_id}", ZERO)
        .replace("{advice_id}", ZERO)
        .replace("{delivery_id}", ZERO)
        .replace("{item_id}", ZERO)
        .replace("{household_id}", ZERO)
        .replace("{proposal_id}", ZERO)
        .replace("{span_id}", "0" * 16)
    )


ROUTES = [(r.method, r.path, r.roles) for r in api.routes]


@pytest.mark.parametrize(
    ("method", "path", "roles"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES]
)
async def test_every_endpoint_refuses_missing_and_wrong_tokens(
    env: Env, method: str, path: str, roles: frozenset[str]
) -> None:
    url = "/api/v1" + concrete(path)
    r = await env.anonymous.request(method, url, json={})
    assert r.status == 401 and r.body["error"]["code"] == "unauthenticated"
    bogus = ApiClient(env.session, "wjk_not-a-real-token")
    assert (await bogus.request(method, url, json={})).status == 401
    callers: dict[str, ApiClient] = {
        "coach": env.coach,
        "privacy_officer": env.privacy,
        "admin": env.admin,
        "partner": env.partner["woonplaats"],
        "team_manager": ApiClient(
            env.session, await env.hub.token("team_manager", "test-tm", team="team-a")
        ),
        "cluster_manager": ApiClient(
            env.session, await env.hub.token("cluster_manager", "test-cm", team="team-a")
        ),
    }
    for role, caller in callers.items():
        r = await caller.request(method, url, json={})
        if role in roles:
            assert r.status != 403, (role, r.body)
        else:
            assert r.status == 403, (role, r.status)


async def test_revoked_token_is_refused(env: Env) -> None:

    async with env.hub.ctx.db.write() as conn:
        tokens = await auth.list_tokens(conn)
        coach_id = next(t["id"] for t in tokens if t["label"] == "test-coach")
        assert await auth.revoke_token(conn, coach_id, env.clock.now())
    r = await env.coach.post("/api/v1/clients", json=household.CLIENT)
    assert r.status == 401


async def test_openapi_document_lists_every_route(env: Env) -> None:
    r = await env.anonymous.get("/api/v1/openapi.json")
    assert r.status == 200
    doc = r.body
    for method, path, roles in ROUTES:
        op = doc["paths"]["/api/v1" + path][method.lower()]
        assert set(op["x-roles"]) == set(roles)
    post = doc["paths"]["/api/v1/advices"]["post"]
    ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.rsplit("/", 1)[-1] in doc["components"]["schemas"]


async def delivered_advice(env: Env) -> tuple[str, dict[str, Any]]:
    client_id = await env.household()
    advice = await env.submit(household.advice(client_id, env.today))
    await env.deliver()
    return client_id, await env.answered(advice)


async def test_partner_cannot_report_on_another_partners_item(env: Env) -> None:
    _, advice = await delivered_advice(env)
    stadsbank_item = next(it for it in advice["items"] if it["partner_id"] == household.STADSBANK)
    body = corp_status(stadsbank_item["id"], "rejected", "evil-1", "nee")
    # Through its own endpoint: the other partner's item does not exist for it.
    r = await env.post_status("woonplaats", body)
    assert r.status == 404
    # Through the other partner's endpoint: not its inbox.
    r = await env.post_status("woonplaats", body, path_partner="stadsbank")
    assert r.status == 403
    r = await env.partner["woonplaats"].get("/api/v1/partners/stadsbank/inbox")
    assert r.status == 403
    after = await env.advice(advice["id"])
    mine = next(it for it in after["items"] if it["id"] == stadsbank_item["id"])
    assert mine["partner_status"] == stadsbank_item["partner_status"] != "rejected"


async def test_bad_status_payload_is_400_and_changes_nothing(env: Env) -> None:
    _, advice = await delivered_advice(env)
    corp = next(it for it in advice["items"] if it["partner_id"] == household.CORPORATIE)
    for payload in (b"not json", b'{"status": "toegekend"}', b"<xml/>"):
        r = await env.post_status("woonplaats", payload)
        assert r.status == 400, payload
        assert r.body["error"]["code"] == "invalid_payload"
    after = await env.advice(advice["id"])
    assert next(it for it in after["items"] if it["id"] == corp["id"]) == corp


async def test_repeated_status_message_is_stored_once(env: Env) -> None:
    _, advice = await delivered_advice(env)
    corp = next(it for it in advice["items"] if it["partner_id"] == household.CORPORATIE)
    env.clock.advance(minutes=1)  # after the simulator's own answers
    body = status_body(
        "corporatie",
        corp["id"],
        "carried_out",
        "corp-final-1",
        occurred_at=env.clock.now().isoformat(),
    )
    # The partner sends the same message twice (each time freshly signed).
    first = await env.post_status("woonplaats", body)
    again = await env.post_status("woonplaats", body)
    assert first.status == again.status == 202
    assert first.body == {"accepted": 1, "duplicates": 0}
    assert again.body == {"accepted": 0, "duplicates": 1}
    item = next(it for it in (await env.advice(advice["id"]))["items"] if it["id"] == corp["id"])
    assert item["partner_status"] == "carried_out"
    assert [e["status"] for e in item["timeline"]].count("carried_out") == 1


async def test_pull_partner_fetches_and_acknowledges(env: Env) -> None:
    client_id = await env.household(with_consents=False)
    c = {**household.consents(env.today)[0], "partner_id": "ons-huis"}
    assert (await env.coach.post(f"/api/v1/clients/{client_id}/consents", json=c)).status == 201
    item = {**household.advice(client_id, env.today)["items"][0], "partner_id": "ons-huis"}
    advice = await env.submit({"client_id": client_id, "items": [item]})
    await env.deliver()  # the push worker must leave pull deliveries alone
    partner = env.partner["ons-huis"]
    r = await partner.get("/api/v1/partners/ons-huis/inbox")
    assert r.status == 200 and len(r.body) == 1
    msg = r.body[0]
    payload = base64.b64decode(msg["payload_base64"])
    assert household.CLIENT["bsn"].encode() not in payload
    assert household.CLIENT["family_name"].encode() in payload
    assert uuid.UUID(msg["item_ref"]) == uuid.UUID(advice["items"][0]["id"])
    ack = await partner.post(f"/api/v1/partners/ons-huis/inbox/{msg['delivery_id']}/ack")
    assert ack.status == 200 and ack.body == {"status": "delivered"}
    assert (await partner.get("/api/v1/partners/ons-huis/inbox")).body == []
    current = await env.advice(advice["id"])
    assert current["items"][0]["delivery_status"] == "delivered"
    assert await env.log(name="delivery.advice", partner_id="ons-huis", outcome="delivered")
    # Another partner cannot acknowledge it.
    other = await env.partner["woonplaats"].post(
        f"/api/v1/partners/ons-huis/inbox/{msg['delivery_id']}/ack"
    )
    assert other.status == 403
