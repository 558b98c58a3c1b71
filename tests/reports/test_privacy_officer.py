"""The privacy officer: consents with filters, the processing log as CSV and in the Logboek
Dataverwerkingen shape, the access report (AVG art. 15), the FHIR consent export, and a chain
that verifies after many concurrent submissions through the API."""

import asyncio
import csv
import io
import json
from typing import Any

from fhir.resources.consent import Consent as ConsentR5
from fhir.resources.R4B.bundle import Bundle as BundleR4
from fhir.resources.R4B.consent import Consent as ConsentR4

from tests.support.harness import Env
from wijkhub.hub.api.routes import api
from wijkhub.hub.core.log_tree import extend
from wijkhub.hub.core.processing_log import verify
from wijkhub.hub.demo import household

BSN = household.CLIENT["bsn"]
PRIVACY_PATHS = ("/privacy/", "/processing-log")


async def household_without_zorg_consent(env: Env) -> str:
    """Consents for the corporatie and the Stadsbank only: every Zorg item is refused."""
    client_id = await env.household(with_consents=False)
    for c in household.consents(env.today):
        if c["partner_id"] != household.ZORG:
            r = await env.coach.post(f"/api/v1/clients/{client_id}/consents", json=c)
            assert r.status == 201, r.body
    return client_id


async def consent_of(env: Env, client_id: str, partner_id: str) -> dict[str, Any]:
    r = await env.privacy.get(f"/api/v1/privacy/consents?client_id={client_id}")
    return next(c for c in r.body if c["partner_id"] == partner_id)


def test_every_privacy_officer_route_is_for_the_privacy_officer_only() -> None:
    # tests/api/test_api_access.py checks every declared role against real tokens; this makes sure
    # the privacy officer's routes are declared with that role and no other.
    mine = [r for r in api.routes if r.path.startswith(PRIVACY_PATHS)]
    assert len(mine) >= 7
    for r in mine:
        assert r.method == "GET", r.path
        assert r.roles == {"privacy_officer"}, r.path


async def test_privacy_routes_refuse_coach_and_partner_tokens(env: Env) -> None:
    client_id = await env.household()
    for r in api.routes:
        if not r.path.startswith(PRIVACY_PATHS):
            continue
        url = "/api/v1" + r.path.replace("{client_id}", client_id)
        assert (await env.privacy.get(url)).status == 200, url
        for caller in (env.coach, env.partner[household.CORPORATIE], env.admin):
            assert (await caller.get(url)).status == 403, url


async def test_access_report_lists_exactly_the_partners_that_received_data(env: Env) -> None:
    client_id = await household_without_zorg_consent(env)
    advice = await env.submit(household.advice(client_id, env.today))
    refused = {(it["partner_id"], it["advice_type"]) for it in advice["items"]}
    refused = {
        (it["partner_id"], it["advice_type"])
        for it in advice["items"]
        if not it["decision"]["allowed"]
    }
    assert refused == {
        (household.ZORG, "wmo_begeleiding"),
        (household.STADSBANK, "budgetbeheer"),
    }
    await env.deliver()
    assert env.sims[household.ZORG].received == []

    r = await env.privacy.get(f"/api/v1/privacy/clients/{client_id}/access-report")
    assert r.status == 200, r.body
    report = r.body
    assert report["client_name"] == "Fenna Maria Testervelde"
    got = {
        rec["partner_id"]: {d["purpose"] for d in rec["disclosures"]}
        for rec in report["recipients"]
    }
    assert got == {
        household.CORPORATIE: {"betalingsregeling_huurachterstand"},
        household.STADSBANK: {"schuldhulpverlening_aanmelding"},
        household.GI: {"advies_hulp_binnen_maatregel"},
    }
    # Categories and basis are exactly what the log says the partner received.
    for rec in report["recipients"]:
        (entry,) = await env.log(
            data_subject_id=client_id,
            name="delivery.advice",
            outcome="delivered",
            partner_id=rec["partner_id"],
        )
        (d,) = rec["disclosures"]
        assert d["categories"] == entry["categories"] and d["categories"]
        assert d["legal_basis"] == entry["legal_basis"]
    gi = next(x for x in report["recipients"] if x["partner_id"] == household.GI)
    assert gi["disclosures"][0]["legal_basis"] == "statutory_task"
    stadsbank = next(x for x in report["recipients"] if x["partner_id"] == household.STADSBANK)
    assert "bsn" in stadsbank["disclosures"][0]["categories"]
    corp = next(x for x in report["recipients"] if x["partner_id"] == household.CORPORATIE)
    assert "bsn" not in corp["disclosures"][0]["categories"]
    assert {c["partner_id"]: c["status"] for c in report["consents"]} == {
        household.CORPORATIE: "active",
        household.STADSBANK: "active",
    }
    # Generating the report is itself a processing of the client's data: logged.
    assert await env.log(data_subject_id=client_id, name="access_report.generate")

    html = await env.privacy.get(f"/api/v1/privacy/clients/{client_id}/access-report.html")
    assert html.status == 200
    text = html.body.decode()
    assert '<html lang="nl">' in text and "@media print" in text
    assert "Wie heeft gegevens over u ontvangen?" in text
    assert "Fenna Maria Testervelde" in text
    for name in ("De Woonplaats", "Stadsbank Oost Nederland", "Jeugdbescherming Overijssel"):
        assert f"<h3>{name}</h3>" in text
    assert "Zorggroep Twente" not in text
    assert "Budgetbeheer" not in text
    assert BSN not in text


async def test_access_report_shows_acknowledged_withdrawal(env: Env) -> None:
    client_id = await env.household()
    await env.submit(household.advice(client_id, env.today))
    await env.deliver()
    corp = await consent_of(env, client_id, household.CORPORATIE)
    r = await env.coach.post(f"/api/v1/consents/{corp['id']}/withdraw", json={"reason": "x"})
    assert r.status == 200
    await env.deliver()
    report = (await env.privacy.get(f"/api/v1/privacy/clients/{client_id}/access-report")).body
    rec = next(x for x in report["recipients"] if x["partner_id"] == household.CORPORATIE)
    assert rec["disclosures"][0]["withdrawal_acknowledged_at"] is not None
    others = [x for x in report["recipients"] if x["partner_id"] != household.CORPORATIE]
    assert all(d["withdrawal_acknowledged_at"] is None for x in others for d in x["disclosures"])
    state = {c["partner_id"]: c["status"] for c in report["consents"]}
    assert state[household.CORPORATIE] == "withdrawn"


async def test_access_report_counts_a_pull_fetch_once(env: Env) -> None:
    client_id = await env.household(with_consents=False)
    c = {**household.consents(env.today)[0], "partner_id": "ons-huis"}
    assert (await env.coach.post(f"/api/v1/clients/{client_id}/consents", json=c)).status == 201
    item = {**household.advice(client_id, env.today)["items"][0], "partner_id": "ons-huis"}
    await env.submit({"client_id": client_id, "items": [item]})
    url = f"/api/v1/privacy/clients/{client_id}/access-report"
    assert (await env.privacy.get(url)).body["recipients"] == [], "queued is not received"
    inbox = await env.partner["ons-huis"].get("/api/v1/partners/ons-huis/inbox")
    (msg,) = inbox.body
    ack = await env.partner["ons-huis"].post(
        f"/api/v1/partners/ons-huis/inbox/{msg['delivery_id']}/ack"
    )
    assert ack.status == 200
    (rec,) = (await env.privacy.get(url)).body["recipients"]
    assert rec["partner_id"] == "ons-huis" and len(rec["disclosures"]) == 1


async def test_unknown_client_has_no_report(env: Env) -> None:
    for path in ("access-report", "access-report.html", "consents/fhir"):
        r = await env.privacy.get(
            f"/api/v1/privacy/clients/00000000-0000-4000-8000-000000000000/{path}"
        )
        assert r.status == 404, path
    assert (await env.privacy.get("/api/v1/privacy/clients/not-a-uuid/access-report")).status == 404


async def test_consents_filter_by_client_partner_status_and_validity(env: Env) -> None:
    a = await env.household()
    r = await env.coach.post("/api/v1/clients", json={**household.CLIENT, "bsn": "999990020"})
    b = r.body["id"]
    c = {**household.consents(env.today)[0], "valid_until": None}
    assert (await env.coach.post(f"/api/v1/clients/{b}/consents", json=c)).status == 201
    corp = await consent_of(env, a, household.CORPORATIE)
    await env.coach.post(f"/api/v1/consents/{corp['id']}/withdraw", json={"reason": "x"})

    async def ids(query: str) -> list[tuple[str, str, str]]:
        r = await env.privacy.get(f"/api/v1/privacy/consents?{query}")
        assert r.status == 200, r.body
        return sorted((c["client_id"], c["partner_id"], c["status"]) for c in r.body)

    assert len(await ids("")) == 4
    assert await ids(f"client_id={b}") == [(b, household.CORPORATIE, "active")]
    assert await ids(f"partner_id={household.CORPORATIE}") == sorted(
        [(a, household.CORPORATIE, "withdrawn"), (b, household.CORPORATIE, "active")]
    )
    assert await ids("status=withdrawn") == [(a, household.CORPORATIE, "withdrawn")]
    later = env.today.replace(year=env.today.year + 2).isoformat()
    assert await ids(f"valid_on={later}") == [(b, household.CORPORATIE, "active")]
    assert len(await ids(f"period_start={later}&period_end={later}")) == 1
    assert len(await ids(f"valid_on={env.today.isoformat()}&status=active")) == 3
    bad = await env.privacy.get("/api/v1/privacy/consents?status=kwijt")
    assert bad.status == 422 and "status" in bad.body["error"]["message"]


async def test_log_exports_csv_and_logboek_shape(env: Env) -> None:
    client_id = await env.household()
    await env.submit(household.advice(client_id, env.today))
    await env.deliver()
    query = f"data_subject_id={client_id}&name=advice_item.decide"
    r = await env.privacy.get(f"/api/v1/processing-log/csv?{query}")
    assert r.status == 200
    rows = list(csv.DictReader(io.StringIO(r.body.decode())))
    entries = await env.log(data_subject_id=client_id, name="advice_item.decide")
    assert [int(x["seq"]) for x in rows] == [e["seq"] for e in entries] and len(rows) == 5
    refused = [x for x in rows if x["outcome"] == "refused"]
    assert len(refused) == 1 and refused[0]["detail"] == "consent_purpose_mismatch"
    assert all(x["leaf_hash"] == e["leaf_hash"] for x, e in zip(rows, entries, strict=True))
    # Without a limit the export has everything; with one it stops there.
    every = await env.privacy.get("/api/v1/processing-log/csv")
    assert len(every.body.decode().splitlines()) - 1 > 5
    two = await env.privacy.get(f"/api/v1/processing-log/csv?{query}&limit=2")
    assert len(two.body.decode().splitlines()) == 3

    ldv = await env.privacy.get(f"/api/v1/processing-log/logboek?data_subject_id={client_id}")
    assert ldv.status == 200
    records, audit = ldv.body["processing_records"], ldv.body["audit_records"]
    assert len(records) == len(audit) > 5
    for rec in records:
        assert "actor" not in json.dumps(rec), "who acted belongs in the audit record"
        attrs = rec["attributes"]
        assert attrs["dpl.core.data_subject_id"] == client_id
        assert attrs["dpl.core.data_subject_id_type"] == "wijkhub-client-id"
        assert len(rec["trace_id"]) == 32 and len(rec["span_id"]) == 16
        assert rec["status_code"] in (1, 2)
    assert {a["span_id"] for a in audit} == {r["span_id"] for r in records}
    assert any(a["actor"].startswith("coach") for a in audit)
    delivered = [r for r in records if r["name"] == "delivery.advice"]
    assert delivered[0]["attributes"]["dpl.core.processing_activity_id"].endswith(
        delivered[0]["attributes"]["dpl.wijkhub.purpose"]
    )
    assert BSN not in json.dumps(ldv.body)


async def test_fhir_export_r4_and_r5(env: Env) -> None:
    client_id = await env.household()
    corp = await consent_of(env, client_id, household.CORPORATIE)
    await env.coach.post(f"/api/v1/consents/{corp['id']}/withdraw", json={"reason": "x"})
    r = await env.privacy.get(f"/api/v1/privacy/clients/{client_id}/consents/fhir")
    assert r.status == 200
    text = r.body.decode()
    assert BSN not in text and "Testervelde" not in text
    bundle = BundleR4.model_validate_json(text)  # round-trips through the R4 model
    consents = [ConsentR4.model_validate(e.resource.model_dump()) for e in bundle.entry]
    assert len(consents) == 3
    by_partner = {c.provision.actor[0].reference.reference: c for c in consents}
    withdrawn = by_partner[f"Organization/{household.CORPORATIE}"]
    assert withdrawn.status == "inactive"
    zorg = by_partner[f"Organization/{household.ZORG}"]
    assert zorg.status == "active"
    assert zorg.scope.coding[0].code == "patient-privacy"
    assert zorg.patient.identifier.value == client_id
    assert zorg.provision.actor[0].role.coding[0].code == "IRCP"
    assert zorg.provision.action[0].coding[0].code == "disclose"
    assert [p.code for p in zorg.provision.purpose] == ["wmo_begeleiding"]
    assert {c.coding[0].code for c in zorg.provision.code} == {
        "identification",
        "bsn",
        "contact",
        "health",
        "free_text",
    }
    assert zorg.provision.period.start.isoformat() == env.today.isoformat()
    assert "art. 9" in zorg.policyRule.text  # explicit consent for health data
    assert zorg.sourceReference.identifier.value == "sha256:" + "ab" * 32

    r5 = await env.privacy.get(f"/api/v1/privacy/clients/{client_id}/consents/fhir?version=R5")
    assert r5.status == 200
    entries = json.loads(r5.body)["entry"]
    c5 = [ConsentR5.model_validate(e["resource"]) for e in entries]
    assert {c.status for c in c5} == {"active", "inactive"}
    assert all(c.decision == "permit" and c.subject.identifier.value == client_id for c in c5)
    assert (
        await env.privacy.get(f"/api/v1/privacy/clients/{client_id}/consents/fhir?version=R9")
    ).status == 422


async def test_concurrent_submissions_leave_a_chain_that_verifies(env: Env) -> None:
    client_id = await env.household()
    body = household.advice(client_id, env.today)
    before = len(await env.log())
    results = await asyncio.gather(
        *(env.coach.post("/api/v1/advices", json=body) for _ in range(25)),
        env.privacy.get(f"/api/v1/privacy/clients/{client_id}/access-report"),
    )
    assert all(r.status in (200, 201) for r in results), [r.body for r in results]
    await env.deliver(rounds=20)
    # The partners answer in their own time: wait until each has posted its whole script,
    # then one sequencer pass takes every leaf.
    for r in results[:25]:
        await env.answered(r.body)
    async with env.hub.ctx.db.write() as conn:
        await extend(conn, env.hub.ctx.clock.now(), 10_000)
    async with env.hub.ctx.db.read() as conn:
        res = await verify(conn)
    assert res.ok and res.pending == 0, res
    # 25 × (1 submission + 5 decisions) + the report, then the deliveries.
    assert res.checked >= before + 25 * 6 + 1


async def test_one_trace_ties_together_every_entry_of_an_advice(env: Env) -> None:
    client_id = await env.household()
    advice = await env.submit(household.advice(client_id, env.today))
    await env.deliver()
    await env.answered(advice)
    corp = await consent_of(env, client_id, household.CORPORATIE)
    await env.coach.post(f"/api/v1/consents/{corp['id']}/withdraw", json={"reason": "x"})
    await env.deliver()
    entries = await env.log(trace_id=advice["trace_id"], limit="1000")
    names = {e["name"] for e in entries}
    assert {
        "advice.submit",
        "advice_item.decide",
        "delivery.advice",
        "status.receive",
        "delivery.withdrawal",
    } <= names
    for e in entries:
        assert e["actor"] and e["start_time"] and e["outcome"]
        assert e["data_subject_id"] == client_id
        if e["name"] != "advice.submit":
            assert e["partner_id"] and e["purpose"], e
        if e["name"] == "delivery.advice" and e["outcome"] == "delivered":
            assert e["legal_basis"] and e["categories"], e
    received = [e for e in entries if e["name"] == "status.receive"]
    assert all(e["legal_basis"] for e in received)
