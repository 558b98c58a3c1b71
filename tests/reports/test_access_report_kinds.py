"""The access report lists every disclosure on its own: each delivery of each version of an
item, the coach's consultation messages, reminders and intrekkingen, in JSON, in the
client's HTML document and in the PDF, with Dutch labels."""

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.support.harness import Env
from wijkhub.hub.casework.escalation import run_escalations
from wijkhub.hub.demo import household
from wijkhub.hub.reports.access_report import AccessReport
from wijkhub.hub.web.access_report_pdf import render_pdf
from wijkhub.schemas.consultation import ConsultationKind, CounterProposal, PartnerConsultation

CORP, ZORG = household.CORPORATIE, household.ZORG


@pytest.fixture
def sim_options() -> dict[str, dict[str, Any]]:
    return {ZORG: {"answer": False}}  # its first answer goes late: a reminder follows


async def report(env: Env, client_id: str) -> dict[str, Any]:
    r = await env.privacy.get(f"/api/v1/privacy/clients/{client_id}/access-report")
    assert r.status == 200, r.body
    return r.body


def kinds(body: dict[str, Any], partner_id: str) -> list[str]:
    (rec,) = [x for x in body["recipients"] if x["partner_id"] == partner_id]
    return [d["kind"] for d in rec["disclosures"]]


async def test_a_second_versions_delivery_is_listed_beside_the_first(env: Env) -> None:
    client_id = await env.household()
    body = household.advice(client_id, env.today)
    body["items"] = [it for it in body["items"] if it["partner_id"] == CORP]
    advice = await env.submit(body)
    await env.deliver()
    (item,) = advice["items"]
    proposal = CounterProposal(parameters={"proposed_monthly_amount_cents": 5000})
    code, text = await env.sims[CORP].consult(
        item["id"],
        PartnerConsultation(
            kind=ConsultationKind.counter_proposal, text="Liever € 50.", proposal=proposal
        ),
        message_id="corp-tv-1",
    )
    assert code == 202, text
    msgs = (await env.coach.get(f"/api/v1/items/{item['id']}/consultation")).body
    env.clock.advance(minutes=5)
    r = await env.coach.post(f"/api/v1/items/{item['id']}/consultation/{msgs[0]['id']}/accept")
    assert r.status == 200, r.body
    await env.deliver()

    got = await report(env, client_id)
    (rec,) = [x for x in got["recipients"] if x["partner_id"] == CORP]
    advices = [d for d in rec["disclosures"] if d["kind"] == "advice"]
    assert len(advices) == 2, "the new version's delivery is its own disclosure"
    assert advices[0]["at"] < advices[1]["at"]
    assert all(d["categories"] and d["kind_nl"] == "advies" for d in advices)
    # The coach's answer on the old version (it names the new one) is a disclosure too.
    assert "consultation" in kinds(got, CORP)


async def test_consultation_reminder_and_withdrawal_are_each_listed(env: Env) -> None:
    client_id = await env.household()
    body = household.advice(client_id, env.today)
    body["items"] = [it for it in body["items"] if it["partner_id"] == ZORG]
    advice = await env.submit(body)
    await env.deliver()
    (item,) = advice["items"]
    assert item["decision"]["allowed"], item["decision"]
    r = await env.coach.post(
        f"/api/v1/items/{item['id']}/consultation",
        json={"kind": "question", "text": "Lukt een eerste gesprek voor 1 december?"},
    )
    assert r.status == 201, r.body
    await env.deliver()
    # A week later the provider has not answered: the ladder reminds it.
    late = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    env.clock.advance(seconds=(late - env.clock.now()).total_seconds())
    fired = await run_escalations(env.hub.ctx)
    assert fired.fired, "the first answer is late"
    await env.deliver()
    consents = (await env.privacy.get(f"/api/v1/privacy/consents?client_id={client_id}")).body
    zorg = next(c for c in consents if c["partner_id"] == ZORG)
    r = await env.coach.post(f"/api/v1/consents/{zorg['id']}/withdraw", json={"reason": "x"})
    assert r.status == 200, r.body
    await env.deliver()

    got = await report(env, client_id)
    assert kinds(got, ZORG) == ["advice", "consultation", "reminder", "withdrawal"]
    (rec,) = [x for x in got["recipients"] if x["partner_id"] == ZORG]
    by_kind = {d["kind"]: d for d in rec["disclosures"]}
    assert by_kind["consultation"]["categories"] == ["free_text"]
    assert by_kind["reminder"]["categories"] == []
    assert by_kind["withdrawal"]["kind_nl"] == "bericht dat uw toestemming is ingetrokken"
    assert by_kind["advice"]["withdrawal_acknowledged_at"] is not None

    html = await env.privacy.get(f"/api/v1/privacy/clients/{client_id}/access-report.html")
    text = html.body.decode()
    for label in (
        "overlegbericht van het wijkteam",
        "herinnering aan een termijn",
        "bericht dat uw toestemming is ingetrokken",
        "alleen een kenmerk (pseudoniem) en de referentie",
    ):
        assert label in text, label
    assert household.CLIENT["bsn"] not in text
    pdf = render_pdf(AccessReport.model_validate(got))
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
