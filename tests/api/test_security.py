"""Authenticated partners, scoped coaches, and refused attempts on record."""

from typing import Any

import pytest

from tests.support.harness import ApiClient, Env, status_body
from wijkhub.hub.core.signatures import INBOUND_HEADER, sign_inbound
from wijkhub.hub.core.transport import SendResult
from wijkhub.hub.demo import household
from wijkhub.hub.plugin_api.types import PartnerMessage

CORP = household.CORPORATIE


async def delivered(env: Env) -> tuple[str, dict[str, Any]]:
    client_id = await env.household()
    advice = await env.submit(household.advice(client_id, env.today))
    await env.deliver()
    return client_id, await env.answered(advice)


def corp_status(item_id: str, status: str = "carried_out", msg_id: str = "sec-1") -> bytes:
    return status_body("corporatie", item_id, status, msg_id)


async def post_with(env: Env, body: bytes, signature: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers[INBOUND_HEADER] = signature
    r = await env.partner[CORP].post(f"/api/v1/partners/{CORP}/status", data=body, headers=headers)
    return r.status


def now_ts(env: Env) -> int:
    return int(env.clock.now().timestamp())


@pytest.mark.parametrize(
    "attack", ["unsigned", "forged", "expired", "future", "tampered", "malformed"]
)
async def test_bad_signatures_are_refused_and_change_nothing(env: Env, attack: str) -> None:
    _, advice = await delivered(env)
    item = next(it for it in advice["items"] if it["partner_id"] == CORP)
    body = corp_status(item["id"])
    secret = env.sims[CORP].secret
    assert secret is not None
    t = now_ts(env)
    signature = {
        "unsigned": None,
        "forged": sign_inbound(b"x" * 32, body, t, "a" * 16),
        "expired": sign_inbound(secret, body, t - 301, "b" * 16),
        "future": sign_inbound(secret, body, t + 301, "c" * 16),
        "tampered": sign_inbound(secret, body.replace(b"uitgevoerd", b"gestopt"), t, "d" * 16),
        "malformed": "v1=deadbeef",
    }[attack]
    assert await post_with(env, body, signature) == 401
    after = next(it for it in (await env.advice(advice["id"]))["items"] if it["id"] == item["id"])
    assert after == item
    refused = await env.log(name="access.refused")
    assert refused and refused[-1]["actor"].startswith(f"partner:{CORP}")


async def test_a_replayed_status_update_is_refused(env: Env) -> None:
    _, advice = await delivered(env)
    item = next(it for it in advice["items"] if it["partner_id"] == CORP)
    body = corp_status(item["id"], "stopped", "sec-replay")
    secret = env.sims[CORP].secret
    assert secret is not None
    signature = sign_inbound(secret, body, now_ts(env), "e" * 16)
    assert await post_with(env, body, signature) == 202
    env.clock.advance(seconds=60)  # still inside the window
    assert await post_with(env, body, signature) == 401
    timeline = next(
        it for it in (await env.advice(advice["id"]))["items"] if it["id"] == item["id"]
    )["timeline"]
    assert [e["status"] for e in timeline].count("stopped") == 1


async def test_a_partner_without_a_configured_secret_cannot_report(env: Env) -> None:
    r = await env.partner["ons-huis"].post(
        "/api/v1/partners/ons-huis/status", data=b"{}", headers={"Content-Type": "application/json"}
    )
    assert r.status == 403 and r.body["error"]["code"] == "no_partner_secret"


async def test_a_delivery_altered_in_transit_is_refused_by_the_partner(env: Env) -> None:
    client_id = await env.household()
    advice = await env.submit(household.advice(client_id, env.today))
    real_send = env.worker.transport.send

    async def tamper(endpoint: str, message: PartnerMessage, headers: dict[str, str]) -> SendResult:
        if "verzoeken" in endpoint:  # the corporatie: change the body after signing
            message = PartnerMessage(
                message.body.replace(b"Proefstraat", b"Nepstraat"), message.content_type
            )
        return await real_send(endpoint, message, headers)

    env.worker.transport.send = tamper  # type: ignore[method-assign]
    await env.deliver()
    sim = env.sims[CORP]
    assert sim.rejected_signatures == 1 and sim.received == []
    item = next(it for it in (await env.advice(advice["id"]))["items"] if it["partner_id"] == CORP)
    assert item["delivery_status"] == "dead"  # a 401 will not get better by retrying
    # The untouched deliveries verified fine.
    assert all(len(env.sims[p].received) == 1 for p in env.sims if p != CORP)


async def test_public_keys_are_published(env: Env) -> None:
    r = await env.anonymous.get("/.well-known/wijkhub-keys.json")
    assert r.status == 200
    (key,) = r.body["keys"]
    assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and key["kid"] == "s1"
    assert "d" not in key, "never the private part"


async def test_a_coach_sees_only_the_own_teams_clients(env: Env) -> None:
    client_id, advice = await delivered(env)
    other = ApiClient(env.session, await env.hub.token("coach", "team b", team="team-b"))
    consents = (await env.coach.get(f"/api/v1/clients/{client_id}/consents")).body
    attempts = [
        await other.get(f"/api/v1/clients/{client_id}"),
        await other.get(f"/api/v1/clients/{client_id}/consents"),
        await other.get(f"/api/v1/advices/{advice['id']}"),
        await other.post(
            f"/api/v1/clients/{client_id}/consents", json=household.consents(env.today)[0]
        ),
        await other.post(f"/api/v1/consents/{consents[0]['id']}/withdraw", json={"reason": "x"}),
    ]
    assert [r.status for r in attempts] == [404] * 5
    r = await other.post("/api/v1/advices", json=household.advice(client_id, env.today))
    assert r.status == 422 and r.body["error"]["fields"][0]["field"] == "client_id"
    dup = await other.post("/api/v1/clients", json=household.CLIENT)
    assert dup.status == 409 and client_id not in dup.body["error"]["message"]
    # Nothing changed for team A.
    assert (await env.coach.get(f"/api/v1/clients/{client_id}/consents")).body == consents
    # And team B's own clients work as usual.
    own = await other.post("/api/v1/clients", json={**household.CLIENT, "bsn": "999990020"})
    assert own.status == 201
    assert (await other.get(f"/api/v1/clients/{own.body['id']}")).status == 200
    assert (await env.coach.get(f"/api/v1/clients/{own.body['id']}")).status == 404


async def test_wrong_role_attempts_are_logged(env: Env) -> None:
    r = await env.privacy.post("/api/v1/advices", json={})
    assert r.status == 403
    entries = await env.log(name="access.refused", outcome="forbidden_role")
    assert entries and entries[-1]["actor"].startswith("privacy_officer/")
    assert entries[-1]["detail"] == "POST /advices"
