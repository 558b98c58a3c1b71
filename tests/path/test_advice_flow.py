"""One advice to four partners, end to end: HTTP API → policy → plugins → outbox → worker →
real partner simulators → status updates back into the advice's timeline."""

from typing import Any

import pytest

from tests.support.harness import Env
from wijkhub.hub.demo import household
from wijkhub.schemas.status import DeliveryStatus

BSN = household.CLIENT["bsn"]


def items_by_partner(advice: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for it in advice["items"]:
        out.setdefault(it["partner_id"], []).append(it)
    return out


async def test_each_simulator_receives_exactly_its_own_item(env: Env) -> None:
    client_id = await env.household()
    advice = await env.submit(household.advice(client_id, env.today))
    await env.deliver()

    allowed = [it for it in advice["items"] if it["decision"]["allowed"]]
    assert {it["partner_id"] for it in allowed} == set(env.sims)
    for it in allowed:
        sim = env.sims[it["partner_id"]]
        assert [str(r.request.item_ref) for r in sim.received] == [it["id"]]
        assert sim.received[0].request.advice_type == it["advice_type"]
        assert sim.received[0].request.kind == "advice"
    # The pull partner got nothing pushed and has nothing waiting.
    r = await env.partner["ons-huis"].get("/api/v1/partners/ons-huis/inbox")
    assert r.status == 200 and r.body == []


async def test_corporatie_never_receives_the_bsn(env: Env) -> None:
    client_id = await env.household()
    await env.submit(household.advice(client_id, env.today))
    await env.deliver()
    raw = b"".join(r.body for r in env.sims[household.CORPORATIE].received)
    assert raw, "the corporatie received nothing"
    for form in (BSN, f"{BSN[:4]}.{BSN[4:6]}.{BSN[6:]}"):
        assert form.encode() not in raw
    # The Stadsbank may: its rules and the consent allow it, so this is not vacuous.
    assert BSN.encode() in b"".join(r.body for r in env.sims[household.STADSBANK].received)


async def test_refused_item_reaches_no_simulator_and_is_logged(env: Env) -> None:
    client_id = await env.household()
    advice = await env.submit(household.advice(client_id, env.today))
    refused = [it for it in advice["items"] if not it["decision"]["allowed"]]
    assert len(refused) == 1
    item = refused[0]
    assert item["advice_type"] == "budgetbeheer"
    assert item["decision"]["code"] == "consent_purpose_mismatch"
    assert "Budgetbeheer" in item["decision"]["reason"]
    assert item["delivery_status"] == DeliveryStatus.blocked
    await env.deliver()

    stadsbank = env.sims[household.STADSBANK]
    assert [r.request.advice_type for r in stadsbank.received] == ["schuldhulpverlening_aanmelding"]
    entries = await env.log(data_subject_id=client_id, name="advice_item.decide", outcome="refused")
    assert len(entries) == 1
    e = entries[0]
    assert (e["partner_id"], e["purpose"], e["detail"]) == (
        household.STADSBANK,
        "budgetbeheer",
        "consent_purpose_mismatch",
    )
    assert e["categories"] == []
    # No delivery entry exists for the refused purpose.
    moved = await env.log(data_subject_id=client_id, name="delivery.advice")
    assert "budgetbeheer" not in {m["purpose"] for m in moved}
    assert len(moved) == 4


async def test_status_updates_show_up_in_the_timeline(env: Env) -> None:
    client_id = await env.household()
    advice = await env.submit(household.advice(client_id, env.today))
    await env.deliver()
    advice = await env.answered(advice)
    for it in advice["items"]:
        if not it["decision"]["allowed"]:
            continue
        script = [s.value for s in env.sims[it["partner_id"]].backoffice.script]
        assert it["delivery_status"] == "delivered"
        assert it["partner_status"] == script[-1]
        statuses = [e["status"] for e in it["timeline"] if e["kind"] == "partner_status"]
        assert statuses == script
        kinds = [e["kind"] for e in it["timeline"]]
        # The hub's own events in order; a partner that dates by the day only (iWmo's
        # dagtekening) shows its answer at the start of that day.
        assert kinds.index("decision") < kinds.index("advice_attempt")
    gi = items_by_partner(advice)[household.GI][0]
    partly = [e for e in gi["timeline"] if e["status"] == "partly_adopted"]
    assert partly and partly[0]["detail"], "a partial adoption carries its reason"


@pytest.mark.parametrize("sim_options", [{household.STADSBANK: {"fail_first": 2}}])
async def test_flaky_partner_gets_the_item_once(env: Env) -> None:
    client_id = await env.household()
    advice = await env.submit(household.advice(client_id, env.today))
    item = next(
        it for it in advice["items"] if it["advice_type"] == "schuldhulpverlening_aanmelding"
    )
    sim = env.sims[household.STADSBANK]

    await env.deliver()
    assert (await env.advice(advice["id"]))["items"][1]["delivery_status"] == "retrying"
    assert sim.received == []
    for _ in range(2):
        env.clock.advance(seconds=60)  # past any backoff (max 10 s in the test settings)
        await env.deliver()
    current = await env.advice(advice["id"])
    mine = next(it for it in current["items"] if it["id"] == item["id"])
    assert mine["delivery_status"] == "delivered"
    assert sim.requests == 3
    assert len(sim.received) == 1 and list(sim.processed.values()) == [1]
    attempts = [e["status"] for e in mine["timeline"] if e["kind"] == "advice_attempt"]
    assert attempts == ["failed", "failed", "ok"]


@pytest.mark.parametrize("sim_options", [{household.ZORG: {"lose_first_acks": 1}}])
async def test_lost_acknowledgement_does_not_duplicate(env: Env) -> None:
    client_id = await env.household()
    await env.submit(household.advice(client_id, env.today))
    await env.deliver()
    env.clock.advance(seconds=60)
    await env.deliver()
    sim = env.sims[household.ZORG]
    assert sim.requests == 2, "the hub retried after the lost acknowledgement"
    assert sim.duplicates == 1
    assert len(sim.received) == 1
    key = next(iter(sim.processed))
    assert sim.processed[key] == 1


@pytest.mark.parametrize("sim_options", [{household.GI: {"always_fail": True}}])
async def test_always_failing_partner_ends_dead_and_visible(env: Env) -> None:
    client_id = await env.household()
    advice = await env.submit(household.advice(client_id, env.today))
    for _ in range(6):
        await env.deliver()
        env.clock.advance(seconds=60)
    current = await env.advice(advice["id"])
    gi = items_by_partner(current)[household.GI][0]
    assert gi["delivery_status"] == "dead"
    assert env.sims[household.GI].requests == 4  # max_attempts in the test settings
    dead = [e for e in gi["timeline"] if e["status"] == "dead"]
    assert dead and "4 pogingen" in dead[0]["detail"]
    # The others were not held up by the dead partner.
    others = [
        it
        for it in current["items"]
        if it["decision"]["allowed"] and it["partner_id"] != household.GI
    ]
    assert {it["delivery_status"] for it in others} == {"delivered"}
    assert await env.log(name="delivery.advice", outcome="dead", partner_id=household.GI)


async def test_consent_withdrawn_before_delivery_sends_nothing(env: Env) -> None:
    client_id = await env.household()
    advice = await env.submit(household.advice(client_id, env.today))
    consents = (await env.coach.get(f"/api/v1/clients/{client_id}/consents")).body
    zorg = next(c for c in consents if c["partner_id"] == household.ZORG)
    r = await env.coach.post(
        f"/api/v1/consents/{zorg['id']}/withdraw",
        json={"reason": "Cliënt wil geen begeleiding meer."},
    )
    assert r.status == 200 and r.body["status"] == "withdrawn"
    await env.deliver()
    assert env.sims[household.ZORG].received == []
    item = items_by_partner(await env.advice(advice["id"]))[household.ZORG][0]
    assert item["delivery_status"] == "withdrawn"
    assert env.sims[household.CORPORATIE].received, "other partners still got theirs"


async def test_consent_expiring_before_delivery_sends_nothing(env: Env) -> None:
    client_id = await env.household()
    advice = await env.submit(household.advice(client_id, env.today))
    env.clock.advance(days=400)  # the demo consents are valid for 365 days
    await env.deliver()
    for pid in (household.CORPORATIE, household.STADSBANK, household.ZORG):
        assert env.sims[pid].received == []
    current = items_by_partner(await env.advice(advice["id"]))
    assert current[household.ZORG][0]["delivery_status"] == "withdrawn"
    assert "verlopen" in next(
        e["detail"] for e in current[household.ZORG][0]["timeline"] if e["status"] == "withdrawn"
    )
    # The GI works on a statutory basis: no consent to expire.
    assert len(env.sims[household.GI].received) == 1


async def test_withdrawal_after_delivery_tells_the_partner(env: Env) -> None:
    client_id = await env.household()
    await env.submit(household.advice(client_id, env.today))
    await env.deliver()
    consents = (await env.coach.get(f"/api/v1/clients/{client_id}/consents")).body
    corp = next(c for c in consents if c["partner_id"] == household.CORPORATIE)
    r = await env.coach.post(
        f"/api/v1/consents/{corp['id']}/withdraw", json={"reason": "ingetrokken"}
    )
    assert r.status == 200
    await env.deliver()
    sim = env.sims[household.CORPORATIE]
    kinds = [x.request.kind for x in sim.received]
    assert kinds == ["advice", "withdrawal"]
    assert sim.received[1].request.item_ref == sim.received[0].request.item_ref
    assert BSN.encode() not in sim.received[1].body
    assert env.sims[household.STADSBANK].requests_by_kind["withdrawal"] == 0
