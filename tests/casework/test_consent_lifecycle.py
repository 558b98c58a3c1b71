"""Consent expiry: the periodic job and `wijkhub consents expire`. An expired consent behaves
like a withdrawn one, for queued items and for new ones; each transition is logged."""

import asyncio
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tests.support.cli import cli_config
from tests.support.harness import Env
from wijkhub.hub.casework.expiry import expire_due
from wijkhub.hub.cli.main import main
from wijkhub.hub.cli.support import cli_obj
from wijkhub.hub.core.settings import example_config_dir
from wijkhub.hub.demo import household
from wijkhub.hub.server.jobs import PeriodicJob

CONSENTED = (household.CORPORATIE, household.STADSBANK, household.ZORG)


def items_by_partner(advice: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {it["partner_id"]: it for it in advice["items"] if it["decision"]["allowed"]}


async def statuses(env: Env, client_id: str) -> dict[str, str]:
    r = await env.privacy.get(f"/api/v1/privacy/consents?client_id={client_id}")
    return {c["partner_id"]: c["status"] for c in r.body}


async def test_expiry_stops_queued_items_like_withdrawal(env: Env) -> None:
    client_id = await env.household()
    advice = await env.submit(household.advice(client_id, env.today))
    env.clock.advance(days=366)  # the demo consents are valid for 365 days
    result = await expire_due(env.hub.ctx)
    assert len(result.expired) == 3 and result.notices_queued == 0, "nothing was sent yet"
    assert await statuses(env, client_id) == {p: "expired" for p in CONSENTED}
    current = items_by_partner(await env.advice(advice["id"]))
    for pid in CONSENTED:
        assert current[pid]["delivery_status"] == "withdrawn"
    await env.deliver()
    for pid in CONSENTED:
        assert env.sims[pid].received == [], pid
    assert len(env.sims[household.GI].received) == 1, "a statutory basis does not expire"
    # Each transition is in the log.
    expired = await env.log(data_subject_id=client_id, name="consent.expire")
    assert sorted(e["partner_id"] for e in expired) == sorted(CONSENTED)
    assert {e["actor"] for e in expired} == {"system:consent-expiry"}
    stopped = await env.log(data_subject_id=client_id, name="delivery.advice", outcome="withdrawn")
    assert len(stopped) == 3 and all("verlopen" in e["detail"] for e in stopped)
    # Running the job again changes nothing.
    assert (await expire_due(env.hub.ctx)).expired == []


async def test_expiry_tells_partners_that_received_data(env: Env) -> None:
    client_id = await env.household()
    await env.submit(household.advice(client_id, env.today))
    await env.deliver()
    env.clock.advance(days=366)
    result = await expire_due(env.hub.ctx)
    assert result.notices_queued == 3
    await env.deliver()
    for pid in CONSENTED:
        sim = env.sims[pid]
        kinds = [r.request.kind for r in sim.received]
        assert kinds == ["advice", "withdrawal"], (pid, kinds)
        assert sim.received[1].request.item_ref == sim.received[0].request.item_ref
        assert household.CLIENT["bsn"].encode() not in sim.received[1].body
    assert env.sims[household.GI].requests_by_kind["withdrawal"] == 0
    acks = await env.log(data_subject_id=client_id, name="delivery.withdrawal")
    assert sorted((e["partner_id"], e["outcome"]) for e in acks) == sorted(
        (pid, "delivered") for pid in CONSENTED
    )


async def test_new_items_under_an_expired_consent_are_refused(env: Env) -> None:
    client_id = await env.household()
    env.clock.advance(days=366)
    await expire_due(env.hub.ctx)
    advice = await env.submit(household.advice(client_id, env.today))
    decisions = {it["partner_id"]: it["decision"] for it in advice["items"]}
    for pid in CONSENTED:
        assert decisions[pid]["allowed"] is False
        assert decisions[pid]["code"] == "consent_expired"
        assert "is verlopen op" in decisions[pid]["reason"], decisions[pid]["reason"]
        assert "ingetrokken" not in decisions[pid]["reason"]
    assert decisions[household.GI]["allowed"] is True
    # A coach cannot withdraw what has already expired.
    consents = (await env.coach.get(f"/api/v1/clients/{client_id}/consents")).body
    r = await env.coach.post(f"/api/v1/consents/{consents[0]['id']}/withdraw", json={"reason": "x"})
    assert r.status == 409 and r.body["error"]["code"] == "already_expired"


async def test_expiry_does_not_touch_consents_still_valid(env: Env) -> None:
    client_id = await env.household()
    env.clock.advance(days=365)  # the last valid day
    assert (await expire_due(env.hub.ctx)).expired == []
    assert set((await statuses(env, client_id)).values()) == {"active"}


async def test_periodic_job_runs_until_stopped() -> None:
    ran = asyncio.Event()
    calls = 0

    async def work() -> None:
        nonlocal calls
        calls += 1
        ran.set()
        if calls == 1:
            raise RuntimeError("a failing run does not end the job")

    job = PeriodicJob("test", 0.001, work)
    task = asyncio.create_task(job.loop())
    async with asyncio.timeout(5):
        while calls < 2:
            ran.clear()
            await ran.wait()
    job.stop()
    async with asyncio.timeout(5):
        await task
    assert job.runs >= 2


async def test_cli_expire_and_privacy_commands(env: Env, tmp_path: Path) -> None:
    client_id = await env.household(with_consents=False)
    consent = household.consents(env.today)[0]
    r = await env.coach.post(f"/api/v1/clients/{client_id}/consents", json=consent)
    assert r.status == 201 and r.body["status"] == "active"
    env.clock.advance(days=366)  # the demo consents are valid for 365 days
    config = cli_config(env, tmp_path)

    def cli(*args: str) -> Any:
        # The CLI runs on the test's clock: the consent is past its date for it too.
        return CliRunner().invoke(
            main,
            ["--config", str(config), *args],
            env={"COLUMNS": "200"},
            catch_exceptions=False,
            obj=cli_obj(env.clock),
        )

    out = await asyncio.to_thread(cli, "consents", "expire")
    assert out.exit_code == 0 and "Verlopen: 1 toestemmingen" in out.output, out.output
    assert (await statuses(env, client_id)) == {household.CORPORATIE: "expired"}
    listed = await asyncio.to_thread(cli, "consents", "list", "--status", "expired", "--json")
    assert listed.exit_code == 0 and client_id in listed.output

    report = await asyncio.to_thread(cli, "access-report", client_id, "--html")
    assert report.exit_code == 0 and "Overzicht van uw gegevens" in report.output
    assert "verlopen" in report.output
    fhir = await asyncio.to_thread(cli, "consents", "fhir", client_id, "--version", "R5")
    assert fhir.exit_code == 0 and '"status": "inactive"' in fhir.output
    csv_out = tmp_path / "log.csv"
    exported = await asyncio.to_thread(
        cli, "log", "export", "--client", client_id, "--out", str(csv_out)
    )
    assert exported.exit_code == 0
    lines = csv_out.read_text().splitlines()
    assert lines[0].startswith("seq,") and any("consent.expire" in x for x in lines)
    no_rules = await asyncio.to_thread(
        CliRunner().invoke,
        main,
        ["--config", str(config), "retention", "purge"],
        obj=cli_obj(env.clock),
    )
    assert no_rules.exit_code == 1 and "retention.toml" in no_rules.output
    shutil.copy(example_config_dir() / "retention.toml", env.hub.ctx.settings.config_path)
    dry = await asyncio.to_thread(cli, "retention", "purge", "--dry-run")
    assert dry.exit_code == 0 and "Zou verwijderen" in dry.output, dry.output
