"""Four eyes: an item that needs approval reaches no partner until someone else of the team,
within their mandate, approves it; a rejection sends it back to draft, never to the partner."""

import json
from typing import Any

import pytest

from tests.support.harness import Env
from tests.support.roles import enable_approvals, role_client
from wijkhub.hub.demo import household
from wijkhub.schemas.status import DELIVERY_STATUS_LABELS_NL, DeliveryStatus


@pytest.fixture
def partner_settings() -> dict[str, dict[str, str]]:
    # iWmo 3.2 has no place for the approval: the care provider here speaks format 1.0, whose
    # 301 carries `Goedkeuring` (Wijkhub's extension), so the pseudonyms per partner show.
    return {household.ZORG: {"format_version": "1.0"}}


async def submit(env: Env, client_id: str, advice_types: set[str], **extra: Any) -> dict[str, Any]:
    body = household.advice(client_id, env.today)
    body["items"] = [{**it, **extra} for it in body["items"] if it["advice_type"] in advice_types]
    return await env.submit(body)


def item_of(advice: dict[str, Any], partner_id: str) -> dict[str, Any]:
    return next(it for it in advice["items"] if it["partner_id"] == partner_id)


async def test_four_eyes_item_waits_for_a_second_coach(env: Env) -> None:
    enable_approvals(env)
    client_id = await env.household()
    advice = await submit(
        env,
        client_id,
        {"advies_hulp_binnen_maatregel", "wmo_begeleiding", "betalingsregeling_huurachterstand"},
    )
    gi, zorg = item_of(advice, household.GI), item_of(advice, household.ZORG)
    corp = item_of(advice, household.CORPORATIE)
    assert gi["delivery_status"] == zorg["delivery_status"] == "awaiting_approval"
    assert corp["delivery_status"] == "queued"  # not a four-eyes type, no costs
    await env.deliver()
    assert env.sims[household.GI].received == [] and env.sims[household.ZORG].received == []
    assert len(env.sims[household.CORPORATIE].received) == 1

    # The author sees nothing to approve and cannot approve (nor reject) their own item.
    r = await env.coach.get("/api/v1/approvals")
    assert r.status == 200 and r.body == []
    r = await env.coach.post(f"/api/v1/approvals/{gi['id']}/approve")
    assert r.status == 403 and r.body["error"]["code"] == "own_item"
    r = await env.coach.post(f"/api/v1/approvals/{gi['id']}/reject", json={"reason": "nee"})
    assert r.status == 403
    # A coach of another team does not see the item at all.
    other = await role_client(env, "coach", "team-b")
    assert (await other.get("/api/v1/approvals")).body == []
    assert (await other.post(f"/api/v1/approvals/{gi['id']}/approve")).status == 404
    await env.deliver()
    assert env.sims[household.GI].received == []

    second = await role_client(env, "coach")
    waiting = (await second.get("/api/v1/approvals")).body
    assert {w["item_id"] for w in waiting} == {gi["id"], zorg["id"]}
    assert all(w["required_role"] == "coach" for w in waiting)
    r = await second.post(f"/api/v1/approvals/{gi['id']}/approve")
    assert r.status == 200 and r.body["delivery_status"] == "queued", r.body
    assert (await second.post(f"/api/v1/approvals/{gi['id']}/approve")).status == 409
    await env.deliver()
    received = env.sims[household.GI].received
    assert len(received) == 1
    payload = json.loads(received[0].body)
    assert payload["goedkeuring"]["rol"] == "coach"
    ref = payload["goedkeuring"]["goedkeurder"]
    assert len(ref) == 32 and "test-coach" not in received[0].body.decode()

    # Rejected: back to draft with the reason, never sent.
    r = await second.post(
        f"/api/v1/approvals/{zorg['id']}/reject", json={"reason": "Eerst in het teamoverleg."}
    )
    assert r.status == 200 and r.body["delivery_status"] == "draft"
    assert (await second.post(f"/api/v1/approvals/{zorg['id']}/approve")).status == 409
    env.clock.advance(hours=1)
    await env.deliver()
    assert env.sims[household.ZORG].received == []
    after = await env.advice(advice["id"])
    z = item_of(after, household.ZORG)
    assert z["delivery_status"] == "draft"
    assert any(
        e["kind"] == "approval" and "teamoverleg" in (e["detail"] or "") for e in z["timeline"]
    )
    g = item_of(after, household.GI)
    assert g["delivery_status"] == "delivered"
    assert [e["kind"] for e in g["timeline"]][:3] == ["decision", "approval_requested", "approval"]

    # The processing log holds the request, the approval (with the pseudonym) and the rejection.
    requested = await env.log(name="advice_item.approval_requested")
    assert {e["partner_id"] for e in requested} == {household.GI, household.ZORG}
    approved = await env.log(name="advice_item.approve")
    assert len(approved) == 1 and approved[0]["partner_id"] == household.GI
    assert ref in approved[0]["detail"] and approved[0]["actor"].startswith("coach/")
    assert approved[0]["actor"] != requested[0]["actor"]
    rejected = await env.log(name="advice_item.reject")
    assert len(rejected) == 1 and "teamoverleg" not in (rejected[0]["detail"] or "")


async def test_above_team_managers_mandate_needs_the_cluster_manager(env: Env) -> None:
    enable_approvals(env)
    client_id = await env.household()
    big = item_of(
        await submit(env, client_id, {"wmo_begeleiding"}, estimated_cost_cents=6_000_000),
        household.ZORG,
    )
    small = item_of(
        await submit(env, client_id, {"wmo_begeleiding"}, estimated_cost_cents=4_000_000),
        household.ZORG,
    )
    coach2 = await role_client(env, "coach")
    team_manager = await role_client(env, "team_manager")
    cluster_b = await role_client(env, "cluster_manager", "team-b")
    cluster = await role_client(env, "cluster_manager")

    assert (await coach2.get("/api/v1/approvals")).body == []
    r = await coach2.post(f"/api/v1/approvals/{small['id']}/approve")
    assert r.status == 403 and r.body["error"]["code"] == "outside_mandate"
    listed = (await team_manager.get("/api/v1/approvals")).body
    assert [w["item_id"] for w in listed] == [small["id"]]
    r = await team_manager.post(f"/api/v1/approvals/{big['id']}/approve")
    assert r.status == 403 and "clustermanager" in r.body["error"]["message"]
    assert (await cluster_b.post(f"/api/v1/approvals/{big['id']}/approve")).status == 404
    await env.deliver()
    assert env.sims[household.ZORG].received == []

    r = await cluster.post(f"/api/v1/approvals/{big['id']}/approve")
    assert r.status == 200 and r.body["decided_role"] == "cluster_manager"
    r = await team_manager.post(f"/api/v1/approvals/{small['id']}/approve")
    assert r.status == 200 and r.body["decided_role"] == "team_manager"
    await env.deliver()
    assert len(env.sims[household.ZORG].received) == 2
    roles = {e["detail"].split(" (")[0] for e in await env.log(name="advice_item.approve")}
    assert roles == {"goedgekeurd door clustermanager", "goedgekeurd door teammanager"}


async def test_without_approval_config_nothing_waits(env: Env) -> None:
    client_id = await env.household()
    advice = await submit(env, client_id, {"wmo_begeleiding"}, estimated_cost_cents=9_000_000)
    assert item_of(advice, household.ZORG)["delivery_status"] == "queued"


async def test_approval_rechecks_consent(env: Env) -> None:
    enable_approvals(env)
    client_id = await env.household()
    zorg = item_of(await submit(env, client_id, {"wmo_begeleiding"}), household.ZORG)
    consents = (await env.coach.get(f"/api/v1/clients/{client_id}/consents")).body
    zc = next(c for c in consents if c["partner_id"] == household.ZORG)
    r = await env.coach.post(
        f"/api/v1/consents/{zc['id']}/withdraw", json={"reason": "ingetrokken"}
    )
    assert r.status == 200, r.body
    r = await (await role_client(env, "coach")).post(f"/api/v1/approvals/{zorg['id']}/approve")
    assert r.status == 200 and r.body["delivery_status"] == "blocked"
    await env.deliver()
    assert env.sims[household.ZORG].received == []


def test_every_delivery_status_has_a_dutch_label() -> None:

    assert set(DELIVERY_STATUS_LABELS_NL) == set(DeliveryStatus)
    assert DELIVERY_STATUS_LABELS_NL[DeliveryStatus.awaiting_approval] == "wacht op goedkeuring"


async def test_approval_reaches_the_xml_partners_in_their_own_format(env: Env) -> None:
    """The Stadsbank `Aanmelding` and the zorgaanbieder 301 carry `Goedkeuring` too."""
    enable_approvals(env)
    client_id = await env.household()
    advice = await submit(
        env,
        client_id,
        {"schuldhulpverlening_aanmelding", "wmo_begeleiding"},
        estimated_cost_cents=4_000_000,  # above the coach's mandate: a team manager approves
    )
    bank, zorg = item_of(advice, household.STADSBANK), item_of(advice, household.ZORG)
    assert bank["delivery_status"] == zorg["delivery_status"] == "awaiting_approval"
    team_manager = await role_client(env, "team_manager")
    for item in (bank, zorg):
        r = await team_manager.post(f"/api/v1/approvals/{item['id']}/approve")
        assert r.status == 200 and r.body["delivery_status"] == "queued", r.body
    approved_at = env.clock.now()
    await env.deliver()

    refs = []
    for partner in (household.STADSBANK, household.ZORG):
        [got] = env.sims[partner].received
        assert b"<Goedkeuring>" in got.body and b"test-team_manager" not in got.body
        approval = got.request.fields["approval"]
        assert approval.role == "team_manager" and approval.approved_at == approved_at
        refs.append(approval.approver_ref)
    # One pseudonym per approver and partner: the two partners cannot join on it.
    assert len(set(refs)) == 2 and all(len(ref) == 32 for ref in refs)
    logged = {e["partner_id"]: e["detail"] for e in await env.log(name="advice_item.approve")}
    assert refs[0] in logged[household.STADSBANK] and refs[1] in logged[household.ZORG]


async def test_item_without_approval_reaches_the_xml_partners_without_goedkeuring(
    env: Env,
) -> None:
    client_id = await env.household()
    await submit(env, client_id, {"schuldhulpverlening_aanmelding", "wmo_begeleiding"})
    await env.deliver()
    for partner in (household.STADSBANK, household.ZORG):
        [got] = env.sims[partner].received
        assert b"Goedkeuring" not in got.body and got.request.fields["approval"] is None
