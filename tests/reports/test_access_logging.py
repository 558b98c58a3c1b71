"""Access is evidence too: every read of personal data writes a `dpl.core.access.read` entry
(who, which client, what, when) before the answer leaves the hub, and the client's access
report lists it. A caller's W3C traceparent is kept as `foreign_operation`, once validated."""

import shutil
from datetime import datetime
from typing import Any

from tests.support.harness import ApiClient, Env
from wijkhub.hub.core.read_log import READ, foreign_operation
from wijkhub.hub.core.settings import example_config_dir
from wijkhub.hub.demo import household

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


async def reads(env: Env, client_id: str, detail: str | None = None) -> list[dict[str, Any]]:
    entries = await env.log(name=READ, data_subject_id=client_id)
    return [e for e in entries if detail is None or e["detail"] == detail]


async def test_a_coach_reading_a_client_is_in_the_log_and_in_the_access_report(env: Env) -> None:
    client_id = await env.household()
    env.clock.advance(seconds=60)
    r = await env.coach.get(f"/api/v1/clients/{client_id}", headers={"traceparent": TRACEPARENT})
    assert r.status == 200 and r.body["bsn"] == household.CLIENT["bsn"]

    (entry,) = await reads(env, client_id, "client")
    assert entry["actor"].startswith("coach/") and entry["outcome"] == "read"
    assert entry["status_code"] == 1 and set(entry["categories"]) == {"identification", "bsn"}
    assert datetime.fromisoformat(entry["start_time"]) == env.clock.now()  # the injected clock
    assert entry["foreign_operation"] == TRACEPARENT

    report = (await env.privacy.get(f"/api/v1/privacy/clients/{client_id}/access-report")).body
    (seen,) = [a for a in report["accesses"] if a["resource"] == "client"]
    assert seen["actor"] == entry["actor"] and seen["role_nl"] == "wijkcoach"
    assert seen["resource_nl"] == "uw persoonsgegevens"
    html = await env.privacy.get(f"/api/v1/privacy/clients/{client_id}/access-report.html")
    text = html.body.decode()
    assert "Wie heeft uw gegevens bij het wijkteam ingezien?" in text
    assert "uw persoonsgegevens" in text and "wijkcoach" in text


async def test_every_read_route_writes_its_entry(env: Env) -> None:
    client_id = await env.household()
    advice = await env.submit(household.advice(client_id, env.today))
    item_id = next(it["id"] for it in advice["items"] if it["decision"]["allowed"])
    r = await env.coach.post(
        "/api/v1/households",
        json={"members": [{"client_id": client_id, "role": "parent_with_authority"}]},
    )
    assert r.status == 201, r.body
    home = r.body["id"]
    coach_reads = {
        "advice": f"/api/v1/advices/{advice['id']}",
        "consents": f"/api/v1/clients/{client_id}/consents",
        "consultation": f"/api/v1/items/{item_id}/consultation",
        "household": f"/api/v1/households/{home}",
        "plan": f"/api/v1/households/{home}/plan",
    }
    for detail, url in coach_reads.items():
        assert (await env.coach.get(url)).status == 200, url
        assert len(await reads(env, client_id, detail)) == 1, detail
    r = await env.coach.post("/api/v1/advices/preview", json=household.advice(client_id, env.today))
    assert r.status == 200
    assert len(await reads(env, client_id, "preview")) == 1

    officer_reads = {
        "fhir_consents": f"/api/v1/privacy/clients/{client_id}/consents/fhir",
        "consent_register": f"/api/v1/privacy/consents?client_id={client_id}",
        "processing_log": f"/api/v1/processing-log/csv?data_subject_id={client_id}",
    }
    for detail, url in officer_reads.items():
        before = len(await reads(env, client_id, detail))
        assert (await env.privacy.get(url)).status == 200, url
        # (the look-up through env.log is itself a processing_log read: count after it)
        after = len(await reads(env, client_id, detail))
        assert after >= before + 1, detail
    assert all(
        e["actor"].startswith("privacy_officer/")
        for e in await reads(env, client_id, "fhir_consents")
    )


async def test_a_refused_read_shows_nothing_and_records_no_read(env: Env) -> None:
    client_id = await env.household()
    other = await env.hub.token("coach", "other team", team="team-b")
    r = await env.session.get(
        f"/api/v1/clients/{client_id}", headers={"Authorization": f"Bearer {other}"}
    )
    assert r.status == 404
    assert await reads(env, client_id, "client") == []


def test_only_a_valid_traceparent_is_kept() -> None:
    assert foreign_operation(TRACEPARENT) == TRACEPARENT
    for bad in (
        None,
        "",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-999900006-Fenna-Testervelde-Dorpsstraat-1-01",
        TRACEPARENT + "-extra",
    ):
        assert foreign_operation(bad) is None, bad


async def test_an_invalid_traceparent_is_not_stored(env: Env) -> None:
    client_id = await env.household()
    bad = "00-999900006-Fenna-Testervelde-01"
    r = await env.coach.get(f"/api/v1/clients/{client_id}", headers={"traceparent": bad})
    assert r.status == 200
    (entry,) = await reads(env, client_id, "client")
    assert entry["foreign_operation"] is None


async def test_the_logboek_export_carries_the_callers_operation(env: Env) -> None:
    client_id = await env.household()
    r = await env.coach.get(f"/api/v1/clients/{client_id}", headers={"traceparent": TRACEPARENT})
    assert r.status == 200
    ldv = await env.privacy.get(f"/api/v1/processing-log/logboek?data_subject_id={client_id}")
    (rec,) = [
        p
        for p in ldv.body["processing_records"]
        if p["name"] == READ and p["attributes"].get("dpl.wijkhub.detail") == "client"
    ]
    assert rec["foreign_operation"] == {
        "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
        "span_id": "00f067aa0ba902b7",
    }
    assert "coach/" not in str(rec)  # who read is in the audit record, as the standard asks
    (audit,) = [a for a in ldv.body["audit_records"] if a["span_id"] == rec["span_id"]]
    assert audit["actor"].startswith("coach/")


async def test_the_approvals_list_is_a_read_of_each_client_on_it(env: Env) -> None:
    shutil.copy(example_config_dir() / "approval.toml", env.hub.ctx.settings.config_path)
    client_id = await env.household()
    body = household.advice(client_id, env.today)
    body["items"] = [it for it in body["items"] if it["partner_id"] == household.GI]
    await env.submit(body)
    second = ApiClient(env.session, await env.hub.token("coach", "tweede", team="team-a"))
    waiting = (await second.get("/api/v1/approvals")).body
    assert len(waiting) == 1
    (entry,) = await reads(env, client_id, "approvals")
    assert entry["actor"].startswith("coach/") and entry["actor"] != ""
    # The author's own (empty) list shows nobody: no read.
    assert (await env.coach.get("/api/v1/approvals")).body == []
    assert len(await reads(env, client_id, "approvals")) == 1
