"""Consent withdrawal racing a delivery, lost acknowledgements, the pull inbox after expiry,
poisoned outbox rows, and personal data at rest."""

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.support.harness import Env
from wijkhub.hub.core.transport import SendResult
from wijkhub.hub.demo import household
from wijkhub.hub.plugin_api.types import PartnerMessage

WITHDRAWAL_REASON = "Cliënt opgenomen in kliniek; wil nu niets delen"


async def consent_of(env: Env, client_id: str, partner_id: str) -> dict[str, Any]:
    consents = (await env.coach.get(f"/api/v1/clients/{client_id}/consents")).body
    return next(c for c in consents if c["partner_id"] == partner_id)


async def item_of(env: Env, advice_id: str, partner_id: str) -> dict[str, Any]:
    advice = await env.advice(advice_id)
    return next(
        it for it in advice["items"] if it["partner_id"] == partner_id and it["decision"]["allowed"]
    )


async def test_withdrawal_during_the_send_still_tells_the_partner(env: Env) -> None:
    client_id = await env.household()
    advice = await env.submit(household.advice(client_id, env.today))
    corp = await consent_of(env, client_id, household.CORPORATIE)
    real_send = env.worker.transport.send
    withdrawn = False

    async def send_then_withdraw(
        endpoint: str, message: PartnerMessage, headers: dict[str, str]
    ) -> SendResult:
        nonlocal withdrawn
        result = await real_send(endpoint, message, headers)
        if "verzoeken" in endpoint and not withdrawn:  # the corporatie's path in the demo
            withdrawn = True
            r = await env.coach.post(
                f"/api/v1/consents/{corp['id']}/withdraw", json={"reason": WITHDRAWAL_REASON}
            )
            assert r.status == 200
        return result

    env.worker.transport.send = send_then_withdraw  # type: ignore[method-assign]
    await env.deliver()
    sim = env.sims[household.CORPORATIE]
    assert [r.request.kind for r in sim.received] == ["advice", "withdrawal"]
    item = await item_of(env, advice["id"], household.CORPORATIE)
    assert item["delivery_status"] == "delivered", "the data did leave: say so"
    disclosed = await env.log(
        name="delivery.advice", partner_id=household.CORPORATIE, outcome="delivered"
    )
    assert len(disclosed) == 1 and disclosed[0]["categories"]
    notices = await env.log(name="delivery.withdrawal", partner_id=household.CORPORATIE)
    assert [n["outcome"] for n in notices] == ["delivered"]
    assert notices[0]["categories"] == [], "a notice carries only a pseudonym"


@pytest.mark.parametrize("sim_options", [{household.CORPORATIE: {"lose_first_acks": 1}}])
async def test_withdrawal_after_a_lost_ack_still_tells_the_partner(env: Env) -> None:
    client_id = await env.household()
    advice = await env.submit(household.advice(client_id, env.today))
    await env.deliver()  # the corporatie processed it, but the hub saw a 500
    item = await item_of(env, advice["id"], household.CORPORATIE)
    assert item["delivery_status"] == "retrying"
    corp = await consent_of(env, client_id, household.CORPORATIE)
    await env.coach.post(f"/api/v1/consents/{corp['id']}/withdraw", json={"reason": "x"})
    env.clock.advance(seconds=60)
    await env.deliver()
    sim = env.sims[household.CORPORATIE]
    assert [r.request.kind for r in sim.received] == ["advice", "withdrawal"]
    item = await item_of(env, advice["id"], household.CORPORATIE)
    assert item["delivery_status"] == "withdrawn"


async def test_pull_inbox_rechecks_consent_before_handing_out_data(env: Env) -> None:
    client_id = await env.household(with_consents=False)
    c = {**household.consents(env.today)[0], "partner_id": "ons-huis"}
    assert (await env.coach.post(f"/api/v1/clients/{client_id}/consents", json=c)).status == 201
    item = {**household.advice(client_id, env.today)["items"][0], "partner_id": "ons-huis"}
    advice = await env.submit({"client_id": client_id, "items": [item]})
    env.clock.advance(days=400)
    r = await env.partner["ons-huis"].get("/api/v1/partners/ons-huis/inbox")
    assert r.status == 200 and r.body == []
    current = await env.advice(advice["id"])
    assert current["items"][0]["delivery_status"] == "withdrawn"
    assert not await env.log(partner_id="ons-huis", outcome="fetched")
    assert await env.log(partner_id="ons-huis", name="delivery.advice", outcome="withdrawn")


async def test_a_poisoned_row_ends_dead_instead_of_looping(env: Env) -> None:
    client_id = await env.household()
    advice = await env.submit(household.advice(client_id, env.today))

    async def boom(*_: Any) -> SendResult:
        raise RuntimeError("transport exploded")

    env.worker.transport.send = boom  # type: ignore[method-assign,assignment]
    for _ in range(6):
        await env.deliver()
        env.clock.advance(seconds=120)
    current = await env.advice(advice["id"])
    states = {it["delivery_status"] for it in current["items"] if it["decision"]["allowed"]}
    assert states == {"dead"}
    dead = next(e for e in current["items"][0]["timeline"] if e["status"] == "dead")
    assert "RuntimeError" in dead["detail"] and "4 pogingen" in dead["detail"]
    assert await env.worker.run_once() == 0, "nothing is claimed again"


async def test_no_personal_data_in_plaintext_at_rest(env: Env) -> None:
    client_id = await env.household()
    advice = await env.submit(household.advice(client_id, env.today))
    await env.deliver()
    await env.answered(advice)
    corp = await consent_of(env, client_id, household.CORPORATIE)
    await env.coach.post(
        f"/api/v1/consents/{corp['id']}/withdraw", json={"reason": WITHDRAWAL_REASON}
    )
    await env.deliver()
    data_dir: Path = env.hub.ctx.settings.data_dir
    raw = await asyncio.to_thread(
        lambda: b"".join(p.read_bytes() for p in data_dir.glob("wijkhub.db*"))
    )
    secrets = [
        household.CLIENT["bsn"],
        household.CLIENT["family_name"],
        household.CLIENT["given_names"],
        household.CLIENT["address"]["street"],
        household.CLIENT["email"],
        household.CLIENT["health"]["summary"],
        WITHDRAWAL_REASON,
        "Gesimuleerde toelichting",
    ]
    secrets += [it["motivation"] for it in household.advice(client_id, env.today)["items"]]
    for s in secrets:
        assert s.encode() not in raw, f"plaintext at rest: {s!r}"
