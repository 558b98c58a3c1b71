"""Consultation per item, both ways, end to end: the coach's API → the
partner's plugin → the outbox → real partner simulators, and the partners' signed messages in
their own formats → the status endpoint → the item's consultation and timeline."""

import json
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from tests.support.factories import consultation
from tests.support.harness import ApiClient, Env, status_body
from tests.support.roles import enable_approvals, role_client
from wijkhub.hub.demo import household
from wijkhub.hub.plugin_api.manager import load_registry
from wijkhub.hub.store.tables import STATUS
from wijkhub.schemas.consultation import CounterProposal
from wijkhub.schemas.status import PartnerStatus, RejectionReason, StatusUpdate

PARTNERS = (household.CORPORATIE, household.STADSBANK, household.GI, household.ZORG)
# The GI's rules exclude free text about the client: a coach's message never goes there.
TEXT_PARTNERS = (household.CORPORATIE, household.STADSBANK, household.ZORG)


@pytest.fixture
def sim_options() -> dict[str, dict[str, Any]]:
    # The partners answer only what a test makes them answer.
    return {pid: {"answer": False} for pid in PARTNERS}


async def sent_items(env: Env, *types: str) -> dict[str, dict[str, Any]]:
    """Submit the demo household's advice (only `types`, if given) and deliver it."""
    client_id = await env.household()
    body = household.advice(client_id, env.today)
    if types:
        body["items"] = [it for it in body["items"] if it["advice_type"] in types]
    advice = await env.submit(body)
    await env.deliver()
    return {
        it["partner_id"]: {**it, "advice_id": advice["id"]}
        for it in advice["items"]
        if it["decision"]["allowed"]
    }


async def timeline(env: Env, item: dict[str, Any]) -> list[dict[str, Any]]:
    advice = await env.advice(item["advice_id"])
    return next(it for it in advice["items"] if it["id"] == item["id"])["timeline"]


async def messages(env: Env, item_id: str) -> list[dict[str, Any]]:
    r = await env.coach.get(f"/api/v1/items/{item_id}/consultation")
    assert r.status == 200, r.body
    return r.body


async def test_coach_question_reaches_each_partner_in_its_own_format(env: Env) -> None:
    items = await sent_items(env)
    assert set(items) == set(PARTNERS)
    gi = items.pop(household.GI)
    r = await env.coach.post(
        f"/api/v1/items/{gi['id']}/consultation", json={"kind": "question", "text": "Vraag?"}
    )
    assert r.status == 422 and r.body["error"]["fields"][0]["field"] == "text"
    for pid, item in items.items():
        r = await env.coach.post(
            f"/api/v1/items/{item['id']}/consultation",
            json={"kind": "question", "text": f"Vraag aan {pid}: lukt het voor 1 december?"},
        )
        assert r.status == 201, r.body
        assert r.body["direction"] == "out" and r.body["delivery_status"] == "queued"
    await env.deliver()
    assert env.sims[household.GI].consultations == []
    for pid, item in items.items():
        sim = env.sims[pid]
        assert sim.rejected_signatures == 0  # signed like a delivery, and verified
        [got] = sim.consultations
        assert str(got.item_ref) == item["id"]
        assert got.fields["soort"] == "vraag"
        assert got.fields["tekst"] == f"Vraag aan {pid}: lukt het voor 1 december?"
        body = next(r.body for r in sim.received if r.request.kind == "consultation")
        if pid == household.CORPORATIE:
            assert json.loads(body)["berichttype"] == "overlegbericht"
        elif pid == household.STADSBANK:
            assert b"<Overlegbericht" in body
        else:
            assert b"urn:wijkhub:zorgaanbieder:overleg:1" in body
        [msg] = await messages(env, item["id"])
        assert msg["delivery_status"] == "delivered"
        events = await timeline(env, item)
        assert any(e["kind"] == "consultation_out" and "1 december" in e["detail"] for e in events)
    # In the processing log, without the text.
    log = await env.log()
    sent = [e for e in log if e["name"] == "consultation.send"]
    assert len(sent) == 3 and {e["outcome"] for e in sent} == {"question"}
    assert all("december" not in json.dumps(e) for e in log)
    delivered = {e["partner_id"] for e in log if e["name"] == "delivery.consultation"}
    assert delivered == set(TEXT_PARTNERS)


@pytest.mark.parametrize("pid", PARTNERS)
async def test_partner_question_arrives_signed_and_the_coach_answers(env: Env, pid: str) -> None:
    item = (await sent_items(env))[pid]
    sim = env.sims[pid]
    code, text = await sim.consult(
        item["id"],
        consultation("question", "Is er al hulp gestart voor gezin Kwikstaart?"),
        message_id=f"{pid}-q-1",
    )
    assert code == 202, text
    [msg] = await messages(env, item["id"])
    assert (msg["direction"], msg["kind"]) == ("in", "question")
    assert msg["text"] == "Is er al hulp gestart voor gezin Kwikstaart?"
    events = await timeline(env, item)
    assert any(e["kind"] == "consultation_in" and "Kwikstaart" in e["detail"] for e in events)
    advice = await env.advice(item["advice_id"])
    mine = next(it for it in advice["items"] if it["id"] == item["id"])
    assert mine["partner_status"] == PartnerStatus.in_consultation

    # The coach answers that question; the partner sees which of its messages is answered.
    r = await env.coach.post(
        f"/api/v1/items/{item['id']}/consultation",
        json={"kind": "answer", "text": "Ja, sinds vorige week.", "in_reply_to": msg["id"]},
    )
    if pid == household.GI:  # no free text to the GI: its question is answered outside the hub
        assert r.status == 422 and r.body["error"]["fields"][0]["field"] == "text"
        return
    assert r.status == 201, r.body
    await env.deliver()
    [answer] = sim.consultations
    assert answer.fields["soort"] == "antwoord" and answer.fields["antwoord_op"] == f"{pid}-q-1"

    # The partner answers back, naming the hub's message id as it received it.
    code, text = await sim.consult(
        item["id"],
        consultation(
            "answer", "Dank, dan plannen wij het gesprek aan de Merelhof.", in_reply_to=r.body["id"]
        ),
        message_id=f"{pid}-a-1",
    )
    assert code == 202, text
    log = await env.log()
    received = [e for e in log if e["name"] == "consultation.receive"]
    assert [e["outcome"] for e in received] == ["question", "answer"]
    assert all("Kwikstaart" not in json.dumps(e) and "Merelhof" not in json.dumps(e) for e in log)


async def test_coach_reports_back_what_was_done(env: Env) -> None:
    item = (await sent_items(env, "wmo_begeleiding"))[household.ZORG]
    r = await env.coach.post(
        f"/api/v1/items/{item['id']}/consultation",
        json={"kind": "report_back", "text": "Uw signaal is besproken; er komt gezinscoaching."},
    )
    assert r.status == 201, r.body
    await env.deliver()
    [got] = env.sims[household.ZORG].consultations
    assert got.fields["soort"] == "terugkoppeling"


@pytest.mark.parametrize("pid", [household.STADSBANK, household.ZORG, household.CORPORATIE])
async def test_rejection_for_professional_secrecy_is_stored_with_its_code(
    env: Env, pid: str
) -> None:
    item = (await sent_items(env))[pid]
    code, text = await env.sims[pid].send(
        StatusUpdate(
            item_ref=item["id"],
            status=PartnerStatus.rejected,
            occurred_at=env.clock.now(),
            partner_message_id=f"{pid}-r-1",
            reason="Wij kunnen hierover niets zeggen.",
            reason_code=RejectionReason.professional_secrecy,
        )
    )
    assert code == 202, text
    async with env.hub.ctx.db.read() as conn:
        stored = await conn.scalar(
            select(STATUS.c.reason_code).where(STATUS.c.item_id == uuid.UUID(item["id"]).hex)
        )
    assert stored == "professional_secrecy"  # its own column: countable without unsealing
    events = await timeline(env, item)
    [rejected] = [e for e in events if e["kind"] == "partner_status"]
    assert rejected["status"] == "rejected"
    assert rejected["detail"].startswith("geweigerd: beroepsgeheim")


@pytest.mark.parametrize(
    ("pid", "content_type", "field"),
    [
        (household.CORPORATIE, "application/json", "reden_code"),
        (household.GI, "application/json", "reden_code"),
        (household.STADSBANK, "application/xml", "RedenCode"),
        (household.ZORG, "application/xml", "RedenCode"),
    ],
)
async def test_rejection_without_reason_code_is_a_4xx_naming_the_field(
    env: Env, pid: str, content_type: str, field: str
) -> None:
    item = (await sent_items(env))[pid]
    ptype = {household.CORPORATIE: "corporatie", household.GI: "gecertificeerde_instelling",
             household.STADSBANK: "stadsbank", household.ZORG: "zorgaanbieder"}[pid]  # fmt: skip
    body = status_body(ptype, item["id"], "rejected", f"{pid}-r-2", reason="Nee.")
    # Take the code out again, in the partner's own format.
    if content_type == "application/json":
        data = json.loads(body)
        del data["reden_code"]
        body = json.dumps(data).encode()
    else:
        start, end = body.index(b"<RedenCode>"), body.index(b"</RedenCode>") + len(b"</RedenCode>")
        body = body[:start] + body[end:]
    r = await env.post_status(pid, body, content_type=content_type)
    assert r.status == 400, r.body
    assert field in r.body["error"]["message"]
    advice = await env.advice(item["advice_id"])
    assert next(it for it in advice["items"] if it["id"] == item["id"])["partner_status"] is None


async def test_accepted_counter_proposal_makes_a_new_version_that_is_delivered(env: Env) -> None:
    item = (await sent_items(env, "betalingsregeling_huurachterstand"))[household.CORPORATIE]
    sim = env.sims[household.CORPORATIE]
    proposal = CounterProposal(parameters={"proposed_monthly_amount_cents": 5000})
    code, text = await sim.consult(
        item["id"],
        consultation("counter_proposal", "Liever € 50 per maand.", proposal=proposal),
        message_id="corp-tv-1",
    )
    assert code == 202, text
    [msg] = await messages(env, item["id"])
    assert msg["proposal_status"] == "open"
    assert msg["proposal"]["parameters"] == {"proposed_monthly_amount_cents": 5000}

    r = await env.coach.post(f"/api/v1/items/{item['id']}/consultation/{msg['id']}/accept")
    assert r.status == 200, r.body
    assert (r.body["version"], r.body["delivery_status"]) == (2, "queued")
    new_id = r.body["new_item_id"]
    again = await env.coach.post(f"/api/v1/items/{item['id']}/consultation/{msg['id']}/accept")
    assert again.status == 409
    await env.deliver()

    advices = [x.request for x in sim.received if x.request.kind == "advice"]
    assert [str(a.item_ref) for a in advices] == [item["id"], new_id]
    assert advices[1].fields["betalingsregeling_huurachterstand"] == {
        "voorgestelde_maandtermijn_centen": 5000,
        "looptijd_maanden": 25,  # what the proposal left out stays as it was
    }
    # The old version is kept, superseded and linked; the partner is told on the old one.
    [told] = sim.consultations
    assert str(told.item_ref) == item["id"] and new_id in str(uuid.UUID(new_id))
    assert told.fields["antwoord_op"] == "corp-tv-1"
    assert str(uuid.UUID(new_id)) in str(told.fields["tekst"])
    advice = await env.advice(item["advice_id"])
    by_id = {it["id"]: it for it in advice["items"]}
    assert set(by_id) == {item["id"], new_id}
    assert by_id[new_id]["delivery_status"] == "delivered"
    assert any(e["kind"] == "superseded" for e in by_id[item["id"]]["timeline"])
    assert any(e["kind"] == "version" for e in by_id[new_id]["timeline"])
    names = [e["name"] for e in await env.log()]
    assert "advice_item.new_version" in names


async def test_counter_proposal_needing_a_category_without_consent_is_refused(env: Env) -> None:
    items = await sent_items(env, "betalingsregeling_huurachterstand")
    item = items[household.CORPORATIE]
    # Consent for an urgentieverklaring, but without the housing data it needs.
    client_id = (await env.advice(item["advice_id"]))["client_id"]
    consent = {
        **household.consents(env.today)[0],
        "purposes": ["urgentieverklaring"],
        "categories": ["identification", "contact", "free_text"],
    }
    rc = await env.coach.post(f"/api/v1/clients/{client_id}/consents", json=consent)
    assert rc.status == 201, rc.body
    sim = env.sims[household.CORPORATIE]
    before = len(sim.received)
    code, text = await sim.consult(
        item["id"],
        consultation(
            "counter_proposal",
            "Wij zien eerder een urgentieverklaring.",
            proposal=CounterProposal(advice_type="urgentieverklaring", parameters={}),
        ),
        message_id="corp-tv-2",
    )
    assert code == 202, text
    [msg] = await messages(env, item["id"])
    r = await env.coach.post(f"/api/v1/items/{item['id']}/consultation/{msg['id']}/accept")
    assert r.status == 422, r.body
    assert r.body["error"]["code"] == "counter_proposal_refused"
    assert "dekt niet" in r.body["error"]["message"] and "toestemming" in r.body["error"]["message"]
    await env.deliver()
    assert len(sim.received) == before  # nothing sent
    [msg] = await messages(env, item["id"])
    assert msg["proposal_status"] == "refused" and "dekt niet" in msg["resolution"]
    advice = await env.advice(item["advice_id"])
    assert [it["id"] for it in advice["items"]] == [item["id"]]  # no new version
    log = await env.log()
    assert any(
        e["name"] == "advice_item.decide" and e["detail"] == "consent_categories_missing"
        for e in log
    )


async def test_counter_proposal_of_an_approval_type_waits_for_approval_again(env: Env) -> None:
    enable_approvals(env)
    client_id = await env.household()
    body = household.advice(client_id, env.today)
    body["items"] = [it for it in body["items"] if it["partner_id"] == household.GI]
    [item] = (await env.submit(body))["items"]
    second = await role_client(env, "coach")
    assert (await second.post(f"/api/v1/approvals/{item['id']}/approve")).status == 200
    await env.deliver()
    sim = env.sims[household.GI]
    assert len(sim.received) == 1

    code, text = await sim.consult(
        item["id"],
        consultation(
            "counter_proposal",
            "Ambulante jeugdhulp past beter.",
            proposal=CounterProposal(parameters={"help_form": "outpatient_youth_care"}),
        ),
        message_id="gi-tv-1",
    )
    assert code == 202, text
    [msg] = await messages(env, item["id"])
    r = await env.coach.post(f"/api/v1/items/{item['id']}/consultation/{msg['id']}/accept")
    assert r.status == 200 and r.body["delivery_status"] == "awaiting_approval", r.body
    new_id = r.body["new_item_id"]
    await env.deliver()
    assert [x.request.kind for x in sim.received] == ["advice", "consultation"]
    # The author of the acceptance cannot approve it; a second coach can.
    assert (await env.coach.post(f"/api/v1/approvals/{new_id}/approve")).status == 403
    waiting = (await second.get("/api/v1/approvals")).body
    assert [w["item_id"] for w in waiting] == [new_id]
    assert (await second.post(f"/api/v1/approvals/{new_id}/approve")).status == 200
    await env.deliver()
    advices = [x.request for x in sim.received if x.request.kind == "advice"]
    assert [str(a.item_ref) for a in advices] == [item["id"], new_id]
    assert advices[1].fields["advies_hulp_binnen_maatregel"]["hulpvorm"] == "ambulante_jeugdhulp"


async def test_declining_a_counter_proposal_is_recorded_and_answered(env: Env) -> None:
    item = (await sent_items(env, "schuldhulpverlening_aanmelding"))[household.STADSBANK]
    sim = env.sims[household.STADSBANK]
    code, text = await sim.consult(
        item["id"],
        consultation(
            "counter_proposal",
            "Eerst budgetbeheer.",
            proposal=CounterProposal(advice_type="budgetbeheer"),
        ),
        message_id="sb-tv-1",
    )
    assert code == 202, text
    [msg] = await messages(env, item["id"])
    r = await env.coach.post(
        f"/api/v1/items/{item['id']}/consultation/{msg['id']}/decline",
        json={"text": "De schulden zijn te hoog om te wachten."},
    )
    assert r.status == 200 and r.body["proposal_status"] == "declined", r.body
    assert (
        await env.coach.post(f"/api/v1/items/{item['id']}/consultation/{msg['id']}/accept")
    ).status == 409
    await env.deliver()
    [answer] = sim.consultations
    assert answer.fields["soort"] == "antwoord" and answer.fields["antwoord_op"] == "sb-tv-1"
    log = await env.log()
    assert any(
        e["name"] == "consultation.counter_proposal" and e["outcome"] == "declined" for e in log
    )


async def test_unsigned_or_replayed_partner_messages_are_refused(env: Env) -> None:
    item = (await sent_items(env, "betalingsregeling_huurachterstand"))[household.CORPORATIE]
    backoffice = load_registry().partner_types["corporatie"].backoffice
    assert backoffice is not None
    body = backoffice.render_status(
        StatusUpdate(
            item_ref=item["id"],
            status=PartnerStatus.in_consultation,
            occurred_at=env.clock.now(),
            partner_message_id="corp-q-9",
            consultation=consultation("question", "Mag de termijn omlaag?"),
        )
    ).body
    r = await env.post_status(household.CORPORATIE, body, signed=False)
    assert r.status == 401 and r.body["error"]["code"] == "signature_missing"
    headers = {"Content-Type": "application/json", **env.sims[household.CORPORATIE].signed(body)}
    client: ApiClient = env.partner[household.CORPORATIE]
    path = f"/api/v1/partners/{household.CORPORATIE}/status"
    assert (await client.post(path, data=body, headers=headers)).status == 202
    replay = await client.post(path, data=body, headers=headers)
    assert replay.status == 401 and replay.body["error"]["code"] == "signature_replayed"
    assert len(await messages(env, item["id"])) == 1


async def test_coach_input_is_validated_and_team_scoped(env: Env) -> None:
    item = (await sent_items(env, "betalingsregeling_huurachterstand"))[household.CORPORATIE]
    path = f"/api/v1/items/{item['id']}/consultation"
    r = await env.coach.post(path, json={"kind": "counter_proposal", "text": "x"})
    assert r.status == 422 and "kind" in r.body["error"]["message"], r.body
    r = await env.coach.post(path, json={"kind": "question", "text": ""})
    assert r.status == 422 and "text" in r.body["error"]["message"], r.body
    r = await env.coach.post(
        path, json={"kind": "answer", "text": "x", "in_reply_to": uuid.uuid4().hex}
    )
    assert r.status == 422 and "in_reply_to" in r.body["error"]["message"], r.body
    other = await role_client(env, "coach", "team-b")
    assert (await other.get(path)).status == 404
    assert (await other.post(path, json={"kind": "question", "text": "x"})).status == 404
    assert (await env.privacy.post(path, json={"kind": "question", "text": "x"})).status == 403
    assert await messages(env, item["id"]) == []
    await env.deliver()
    assert env.sims[household.CORPORATIE].consultations == []


async def test_counter_proposal_naming_another_partners_type_is_a_4xx(env: Env) -> None:
    item = (await sent_items(env, "betalingsregeling_huurachterstand"))[household.CORPORATIE]
    code, text = await env.sims[household.CORPORATIE].consult(
        item["id"],
        consultation(
            "counter_proposal",
            "Iets anders.",
            proposal=CounterProposal(advice_type="budgetbeheer"),
        ),
        message_id="corp-tv-3",
    )
    assert code == 400 and "budgetbeheer" in text
    assert await messages(env, item["id"]) == []


async def test_queued_question_is_not_sent_after_consent_is_withdrawn(env: Env) -> None:
    item = (await sent_items(env, "betalingsregeling_huurachterstand"))[household.CORPORATIE]
    r = await env.coach.post(
        f"/api/v1/items/{item['id']}/consultation",
        json={"kind": "question", "text": "Kan de termijn omlaag?"},
    )
    assert r.status == 201, r.body
    client_id = (await env.advice(item["advice_id"]))["client_id"]
    consents = (await env.coach.get(f"/api/v1/clients/{client_id}/consents")).body
    corp = next(c for c in consents if c["partner_id"] == household.CORPORATIE)
    w = await env.coach.post(
        f"/api/v1/consents/{corp['id']}/withdraw", json={"reason": "ingetrokken"}
    )
    assert w.status == 200, w.body
    await env.deliver()
    sim = env.sims[household.CORPORATIE]
    assert sim.consultations == []  # the free text stayed home
    assert [x.request.kind for x in sim.received] == ["advice", "withdrawal"]
    [msg] = await messages(env, item["id"])
    assert msg["delivery_status"] == "withdrawn"
    # And no new message may be sent now.
    r = await env.coach.post(
        f"/api/v1/items/{item['id']}/consultation",
        json={"kind": "question", "text": "Nog een vraag."},
    )
    assert r.status == 409 and "ingetrokken" in r.body["error"]["message"], r.body
