"""Coach pages over HTTP (no browser): the same access rules as the API, consent forms with
CSRF, the composer's preview per partner, sending, and the advice page's live fragment."""

import asyncio
import html
import os
import re
import shutil
import signal
import sys
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from tests.support.factories import consultation
from tests.support.family import family, item
from tests.support.harness import Env
from tests.support.web_client import composer_form, signed_in, text_of
from tests.support.words import internal_names
from wijkhub.hub.casework.escalation import run_escalations
from wijkhub.hub.core.settings import example_config_dir
from wijkhub.hub.demo import household
from wijkhub.schemas.consultation import CounterProposal


def section(page: str, partner_id: str) -> str:
    m = re.search(rf'<article[^>]*data-partner="{partner_id}"[^>]*>(.*?)</article>', page, re.S)
    assert m, partner_id
    return m.group(1)


async def test_households_search_and_team_scope(env: Env) -> None:
    client_id = (await env.household(with_consents=False)).replace("-", "")
    other = await env.hub.token("coach", "coach team-b", team="team-b")
    async with env.session.post(
        "/api/v1/clients",
        json={**household.CLIENT, "bsn": "999990020", "family_name": "Anderteam"},
        headers={"Authorization": f"Bearer {other}"},
    ) as r:
        assert r.status == 201
        other_id = (await r.json())["id"].replace("-", "")

    coach = await signed_in(env)
    status, page = await coach.get("/coach")
    assert status == 200 and "Testervelde" in page and "Anderteam" not in page

    async def search(q: str) -> str:
        status, page, path = await coach.post("/coach/zoeken", [("zoek", q)])
        assert status == 200 and path == "/coach/zoeken", page[:300]
        return page

    # By part of the name, accent- and case-insensitive; names are sealed in the database.
    assert "Testervelde" in await search("fenna testervélde")
    assert "Testervelde" not in await search("jansen")
    # By BSN, through the keyed hash; another team's BSN finds nothing.
    assert f"/coach/clienten/{client_id}" in await search("999990019")
    assert "/coach/clienten/" not in await search("999990020")
    # Without the form's CSRF field: refused.
    assert (await coach.post("/coach/zoeken", [("zoek", "999990019")], csrf=False))[0] == 403
    # Another team's household: the API's answer (not found), not the page.
    assert (await coach.get(f"/coach/clienten/{other_id}"))[0] == 404
    # The household page: the members and their roles.
    status, page = await coach.get(f"/coach/clienten/{client_id}")
    assert status == 200 and "Daan" in page and "kind" in page
    # A privacy officer is not a coach: the Dutch 403 page, and the attempt is logged.
    fg = await signed_in(env, "privacy_officer", None)
    status, page = await fg.get("/coach")
    assert status == 403 and "Geen toegang" in page
    log = await env.log(name="access.refused")
    assert any("/coach" in (e.get("detail") or "") for e in log), log


async def test_record_and_withdraw_consent_through_the_forms(env: Env) -> None:
    client_id = (await env.household(with_consents=False)).replace("-", "")
    coach = await signed_in(env)
    await coach.get(f"/coach/clienten/{client_id}")
    form = [
        ("partner_id", household.CORPORATIE),
        ("doelen", "betalingsregeling_huurachterstand"),
        ("categorieen", "identification"),
        ("categorieen", "housing"),
        ("geldig_vanaf", env.today.isoformat()),
        ("geldig_tot", (env.today + timedelta(days=90)).isoformat()),
        ("bewijs", "sha256:" + "cd" * 32),
    ]
    # Without its CSRF token: refused, nothing recorded.
    status, page, _ = await coach.post(
        f"/coach/clienten/{client_id}/toestemmingen", form, csrf=False
    )
    assert status == 403 and "niets gewijzigd" in page
    assert (await env.coach.get(f"/api/v1/clients/{client_id}/consents")).body == []

    # A purpose the partner does not know: the API's Dutch message, on the page.
    status, page, _ = await coach.post(
        f"/coach/clienten/{client_id}/toestemmingen",
        [*form[:1], ("doelen", "budgetbeheer"), *form[2:]],
    )
    assert status == 422 and "kent geen doel" in text_of(page)

    status, page, path = await coach.post(f"/coach/clienten/{client_id}/toestemmingen", form)
    assert status == 200 and path == f"/coach/clienten/{client_id}"
    recorded = (await env.coach.get(f"/api/v1/clients/{client_id}/consents")).body
    assert len(recorded) == 1 and recorded[0]["evidence_ref"] == "sha256:" + "cd" * 32
    assert "geldig" in text_of(page) and "cd" * 32 in page

    consent_id = recorded[0]["id"].replace("-", "")
    status, page, _ = await coach.post(
        f"/coach/toestemmingen/{consent_id}/intrekken", [("reden", "cliënt trekt in")]
    )
    assert status == 200 and "ingetrokken" in text_of(page)
    after = (await env.coach.get(f"/api/v1/clients/{client_id}/consents")).body
    assert after[0]["status"] == "withdrawn"
    # A coach of another team cannot withdraw it (the API's scope: not found).
    other = await signed_in(env, "coach", "team-b")
    await other.get("/coach")
    status, _, _ = await other.post(f"/coach/toestemmingen/{consent_id}/intrekken", [])
    assert status == 404


async def test_composer_preview_send_and_live_answers(env: Env) -> None:
    client_id = (await env.household()).replace("-", "")
    coach = await signed_in(env)
    status, page = await coach.get(f"/coach/clienten/{client_id}/advies")
    assert status == 200 and "Voorbeeld" in page
    form = composer_form(env.today)
    status, page, _ = await coach.post(
        f"/coach/clienten/{client_id}/advies", [*form, ("actie", "voorbeeld")]
    )
    assert status == 200, text_of(page)[-2000:]
    await env.deliver()
    assert all(sim.received == [] for sim in env.sims.values())  # a preview sends nothing
    assert (await env.log(name="advice.submit")) == []

    corp = section(page, household.CORPORATIE)
    assert household.CLIENT["bsn"] not in corp and "Proefstraat" in corp
    assert 'data-category="bsn"' not in corp and 'data-category="health"' not in corp
    assert "application/json" in corp
    stadsbank = re.findall(
        rf'<article[^>]*data-partner="{household.STADSBANK}"[^>]*>(.*?)</article>', page, re.S
    )
    assert len(stadsbank) == 2
    assert household.CLIENT["bsn"] in stadsbank[0]  # the Stadsbank may receive the BSN
    assert "Wordt niet verstuurd" in stadsbank[1] and "toestemming" in text_of(stadsbank[1])
    zorg = section(page, household.ZORG)
    assert "Chronische rugklachten" in zorg and "Proefstraat" in zorg

    # Changed after the preview: shown again, not sent.
    digest = re.search(r'name="voorbeeld_van" value="([0-9a-f]+)"', page)
    assert digest
    changed = [(k, "Anders" if k == "item-0-motivatie" else v) for k, v in form]
    status, page, _ = await coach.post(
        f"/coach/clienten/{client_id}/advies",
        [*changed, ("voorbeeld_van", digest.group(1)), ("actie", "versturen")],
    )
    assert status == 200 and "gewijzigd na het voorbeeld" in page
    assert (await env.log(name="advice.submit")) == []

    status, page, path = await coach.post(
        f"/coach/clienten/{client_id}/advies",
        [*form, ("voorbeeld_van", digest.group(1)), ("actie", "versturen")],
    )
    assert status == 200 and path.startswith("/coach/adviezen/"), text_of(page)[-1500:]
    advice_id = path.rsplit("/", 1)[1]
    assert "0 van 4 partners" in text_of(page)
    await env.deliver()
    advice = await env.answered(await env.advice(advice_id))
    status, fragment = await coach.get(f"/coach/adviezen/{advice_id}/stand")
    assert status == 200 and "<html" not in fragment
    assert "4 van 4 partners hebben geantwoord" in text_of(fragment)
    for it in advice["items"]:
        if it["decision"]["allowed"]:
            assert f'data-item="{it["id"].replace("-", "")}"' in fragment
    assert fragment.count("partner-status") == 4 and 'data-status="adopted"' in fragment
    assert "antwoord van de partner" in fragment
    # Another team cannot read the advice (page nor fragment).
    other = await signed_in(env, "coach", "team-b")
    assert (await other.get(f"/coach/adviezen/{advice_id}"))[0] == 404
    assert (await other.get(f"/coach/adviezen/{advice_id}/stand"))[0] == 404


async def test_composer_names_the_field_and_late_items_are_highlighted(env: Env) -> None:
    client_id = (await env.household()).replace("-", "")
    for sim in env.sims.values():
        sim.answer = False
    coach = await signed_in(env)
    await coach.get(f"/coach/clienten/{client_id}/advies")
    rows = household.advice(client_id, env.today)["items"][:2]
    bad = composer_form(env.today, items=[{**rows[0], "parameters": {}}])
    status, page, _ = await coach.post(
        f"/coach/clienten/{client_id}/advies", [*bad, ("actie", "voorbeeld")]
    )
    assert status == 422 and "Onderdeel 1, voorgesteld bedrag per maand" in text_of(page)
    assert "proposed_monthly_amount_cents" not in text_of(page)

    form = composer_form(env.today, items=rows)
    # Removing the first row renumbers the rest.
    status, page, _ = await coach.post(
        f"/coach/clienten/{client_id}/advies", [*form, ("actie", "verwijder-0")]
    )
    assert status == 200 and 'name="aantal" value="1"' in page
    assert rows[1]["motivation"] in page and rows[0]["motivation"] not in page
    assert 'name="item-0-p-creditors_known"' in page
    status, page, _ = await coach.post(
        f"/coach/clienten/{client_id}/advies", [*form, ("actie", "voorbeeld")]
    )
    digest = re.search(r'name="voorbeeld_van" value="([0-9a-f]+)"', page)
    assert digest
    status, page, path = await coach.post(
        f"/coach/clienten/{client_id}/advies",
        [*form, ("voorbeeld_van", digest.group(1)), ("actie", "versturen")],
    )
    assert path.startswith("/coach/adviezen/")
    await env.deliver()
    assert "te laat" not in page
    env.clock.advance(days=30)  # past both deadlines, no partner answered
    coach = await signed_in(env)  # the morning's session has long expired
    status, fragment = await coach.get(path + "/stand")
    assert fragment.count("advice-item--late") == 2 and "te laat" in fragment
    # The banner names which items are late, numbered as in the composer.
    found = re.search(r'class="alert alert--warn late-banner"(.*?)</div>', fragment, re.S)
    banner = text_of(found[1]) if found else ""
    assert "Onderdeel 1: De Woonplaats" in banner and "Onderdeel 2: Stadsbank" in banner
    # The household's plan shows the same items, late ones marked.
    status, page = await coach.get(f"/coach/clienten/{client_id}")
    assert status == 200 and page.count('class="plan__late"') == 2
    assert "Betalingsregeling huurachterstand" in page and "Aanmelding schuldhulpverlening" in page


async def test_demo_serve_signs_the_coach_in_and_stops_cleanly(tmp_path: Path) -> None:
    """`wijkhub demo --serve`: the scripted advice, then a sign-in URL; SIGTERM (as Ctrl-C)
    stops the hub and the simulators and leaves nothing behind."""
    proc = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "wijkhub"),
        "demo",
        "--serve",
        "--clean",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "TMPDIR": str(tmp_path), "COLUMNS": "200"},
    )
    assert proc.stdout is not None
    out: list[str] = []
    try:
        async with asyncio.timeout(90):
            while not (line := (await proc.stdout.readline()).decode()).startswith("UI: "):
                assert line, "".join(out)
                out.append(line)
        link = line.removeprefix("UI: ").strip()
        assert "Alle partners hebben geantwoord" in "".join(out), "".join(out)
        base = link.split("/aanmelden/")[0]
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            async with http.get(link) as r:
                page = await r.text()
                assert r.status == 200 and r.url.path == "/coach", page
            assert "Testervelde" in page
            client_path = re.search(r'href="(/coach/clienten/[0-9a-f]{32})"', page)
            assert client_path
            async with http.get(base + client_path.group(1)) as r:
                page = await r.text()
            assert r.status == 200 and "/coach/adviezen/" in page and "geldig" in page
            async with http.get(link) as r:  # the link works once
                assert r.status == 403
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        rest = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, "".join(out) + rest[0].decode()
    assert "Gestopt." in rest[0].decode()
    with pytest.raises(aiohttp.ClientConnectionError):
        async with aiohttp.ClientSession() as http, http.get(base + "/health"):
            pass
    assert os.listdir(tmp_path) == []  # --clean: the demo's directory is gone


async def test_cost_decides_the_approval_shown_in_the_preview(env: Env) -> None:
    shutil.copy(example_config_dir() / "approval.toml", env.hub.ctx.settings.config_path)
    client_id = (await env.household()).replace("-", "")
    coach = await signed_in(env)
    await coach.get(f"/coach/clienten/{client_id}/advies")
    corp = household.advice(client_id, env.today)["items"][:1]
    form = composer_form(env.today, items=corp)
    url = f"/coach/clienten/{client_id}/advies"
    status, page, _ = await coach.post(
        url, [*form, ("item-0-kosten", "veel"), ("actie", "voorbeeld")]
    )
    assert status == 422 and "Onderdeel 1, geschatte kosten" in text_of(page)
    status, page, _ = await coach.post(
        url, [*form, ("item-0-kosten", "60.000,00"), ("actie", "voorbeeld")]
    )
    assert status == 200 and "Eerst goedkeuring nodig van een clustermanager" in page
    digest = re.search(r'name="voorbeeld_van" value="([0-9a-f]+)"', page)
    assert digest
    status, page, path = await coach.post(
        url,
        [
            *form,
            ("item-0-kosten", "60.000,00"),
            ("voorbeeld_van", digest.group(1)),
            ("actie", "versturen"),
        ],
    )
    assert path.startswith("/coach/adviezen/")
    assert "wacht op goedkeuring" in page
    await env.deliver()
    assert env.sims[household.CORPORATIE].received == []


async def test_household_page_shows_members_consents_and_the_plan_per_member(env: Env) -> None:
    fam = await family(env)
    fenna, joris = fam["m"]["Fenna"], fam["m"]["Joris"]
    r = await env.coach.post(
        f"/api/v1/households/{fam['id']}/plan/goals",
        json={"member_id": fenna, "domain": "wonen", "text": "Huurachterstand is weg"},
    )
    assert r.status == 201, r.body
    goal = r.body["id"]
    later = env.today + timedelta(days=14)
    advice = await env.submit(
        {
            "client_id": fam["fenna"],
            "items": [
                item(household.STADSBANK, "schuldhulpverlening_aanmelding", member_id=fenna),
                item(
                    household.CORPORATIE,
                    "betalingsregeling_huurachterstand",
                    member_id=fenna,
                    goal_id=goal,
                    wait_for={"until": later.isoformat()},
                ),
            ],
        }
    )
    await env.deliver()
    plan = (await env.coach.get(f"/api/v1/households/{fam['id']}/plan")).body

    coach = await signed_in(env)
    status, page = await coach.get(f"/coach/clienten/{fam['fenna'].replace('-', '')}")
    assert status == 200, text_of(page)[-1500:]
    # Members and their roles, from the household record.
    roles = dict(
        re.findall(r'<tr data-member="([0-9a-f]{32})">.*?data-role="([a-z_]+)"', page, re.S)
    )
    assert roles == {
        uuid_hex(fenna): "parent_with_authority",
        uuid_hex(joris): "parent_with_authority",
        uuid_hex(fam["m"]["Daan"]): "child",
    }
    assert "ouder met gezag" in page and "kind" in page and "Joris" in page
    # Consents per member: Fenna's three, none for Joris.
    fenna_row = re.search(rf'<tr data-member="{uuid_hex(fenna)}">(.*?)</tr>', page, re.S)
    joris_row = re.search(rf'<tr data-member="{uuid_hex(joris)}">(.*?)</tr>', page, re.S)
    assert fenna_row and joris_row
    assert fenna_row.group(1).count("data-consent-partner=") == 3
    assert "geen toestemming vastgelegd" in joris_row.group(1)
    # The plan per member: the goal per life domain, the items with state, since/until and
    # what the waiting one waits for — the API's plan, on the page.
    [fenna_plan] = [m for m in plan["members"] if m["member"]["id"] == fenna]
    block = re.search(
        rf'<div class="card member-plan" data-member="{uuid_hex(fenna)}">(.*?)</table>', page, re.S
    )
    assert block
    shown = text_of(block.group(1))
    assert "wonen : Huurachterstand is weg" in re.sub(r"\s+", " ", shown)
    for it in fenna_plan["items"]:
        row = re.search(rf'<tr data-item="{uuid_hex(it["item_id"])}"[^>]*>(.*?)</tr>', page, re.S)
        assert row, it
        cells = text_of(row.group(1))
        assert 'class="badge item-state' in row.group(1) and "—" in cells
        if it["waiting_on"]:
            assert it["waiting_on"] in cells
    waiting = [it for it in fenna_plan["items"] if it["delivery_status"] == "waiting"]
    assert len(waiting) == 1 and later.strftime("%d-%m-%Y") in waiting[0]["waiting_on"]
    assert f"/coach/adviezen/{uuid_hex(advice['id'])}" in page
    # Another team's coach does not get the household (the API's scope).
    other = await signed_in(env, "coach", "team-b")
    assert (await other.get(f"/coach/clienten/{fam['fenna'].replace('-', '')}"))[0] == 404


def uuid_hex(value: str) -> str:
    return value.replace("-", "")


async def _corporatie_item(env: Env) -> tuple[str, str]:
    client_id = await env.household()
    body = household.advice(client_id, env.today)
    body["items"] = [it for it in body["items"] if it["partner_id"] == household.CORPORATIE]
    advice = await env.submit(body)
    await env.deliver()
    return uuid_hex(advice["id"]), uuid_hex(advice["items"][0]["id"])


async def test_advice_page_consultation_thread_and_forms(env: Env) -> None:
    advice_id, item_id = await _corporatie_item(env)
    sim = env.sims[household.CORPORATIE]
    code, text = await sim.consult(
        item_id,
        consultation(
            "counter_proposal",
            "Liever € 50 per maand.",
            proposal=CounterProposal(parameters={"proposed_monthly_amount_cents": 5000}),
        ),
        message_id="corp-tv-1",
    )
    assert code == 202, text
    [proposal] = (await env.coach.get(f"/api/v1/items/{item_id}/consultation")).body

    coach = await signed_in(env)
    status, page = await coach.get(f"/coach/adviezen/{advice_id}")
    assert status == 200
    thread = re.search(rf'<div class="card thread" id="overleg-{item_id}"[^>]*>(.*)', page, re.S)
    assert thread and "Liever € 50 per maand." in html.unescape(thread.group(1))
    assert f'data-message="{uuid_hex(proposal["id"])}" data-direction="in"' in page
    assert "voorgesteld bedrag per maand" in page and "€\xa050,00" in html.unescape(page)
    assert "proposed_monthly_amount_cents" not in page and 'data-status="open"' in page
    accept = f"/coach/onderdelen/{item_id}/overleg/{proposal['id']}/aanvaarden"
    # Without its CSRF token: refused, the proposal stays open.
    status, page, _ = await coach.post(accept, [("advies", advice_id)], csrf=False)
    assert status == 403 and "niets gewijzigd" in page
    [still] = (await env.coach.get(f"/api/v1/items/{item_id}/consultation")).body
    assert still["proposal_status"] == "open"
    # Accepting: the API's function — a new version, decided again and sent.
    status, page, path = await coach.post(accept, [("advies", advice_id)])
    assert status == 200 and path == f"/coach/adviezen/{advice_id}", text_of(page)[-800:]
    assert "nieuwe versie" in text_of(page)
    thread_now = (await env.coach.get(f"/api/v1/items/{item_id}/consultation")).body
    # The partner is told on the old item (same clock tick: order by direction, not time).
    [done] = [m for m in thread_now if m["direction"] == "in"]
    assert [m["kind"] for m in thread_now if m["direction"] == "out"] == ["answer"]
    assert done["proposal_status"] == "accepted" and done["new_item_id"]
    new_id = uuid_hex(done["new_item_id"])
    assert f'data-item="{new_id}"' in page and 'data-status="accepted"' in page
    # The replaced item says so, and the page shows no internal name or reference.
    old_card = re.search(rf'<article[^>]*data-item="{item_id}"[^>]*data-state="([a-z_]+)"', page)
    assert old_card and old_card.group(1) == "replaced"
    t = text_of(page)
    assert internal_names(t) == [], [t[t.find(w) - 200 : t.find(w) + 50] for w in internal_names(t)]
    # Accepting twice: the API's 409, in Dutch.
    status, page, _ = await coach.post(accept, [("advies", advice_id)])
    assert status == 409 and "al beslist" in text_of(page)

    # A question to the partner through the form reaches the partner in its format.
    status, page, _ = await coach.post(
        f"/coach/onderdelen/{new_id}/overleg",
        [("advies", advice_id), ("soort", "question"), ("tekst", "Lukt het voor 1 december?")],
    )
    assert status == 200 and "staat klaar voor de partner" in page
    await env.deliver()
    # Same clock tick as the acceptance's answer: the order of the two is not fixed.
    assert "Lukt het voor 1 december?" in [c.fields["tekst"] for c in sim.consultations]
    msgs = (await env.coach.get(f"/api/v1/items/{new_id}/consultation")).body
    assert [(m["direction"], m["kind"]) for m in msgs] == [("out", "question")]
    # An empty text names the field; nothing is sent.
    status, page, _ = await coach.post(
        f"/coach/onderdelen/{new_id}/overleg",
        [("advies", advice_id), ("soort", "question"), ("tekst", "")],
    )
    assert status == 422 and f'id="fout-tekst-{new_id}"' in page
    assert len((await env.coach.get(f"/api/v1/items/{new_id}/consultation")).body) == 1

    # Declining a counter-proposal sends the coach's answer.
    code, _ = await sim.consult(
        new_id,
        consultation(
            "counter_proposal",
            "Toch liever € 40.",
            proposal=CounterProposal(parameters={"proposed_monthly_amount_cents": 4000}),
        ),
        message_id="corp-tv-2",
    )
    assert code == 202
    [second] = [
        m
        for m in (await env.coach.get(f"/api/v1/items/{new_id}/consultation")).body
        if m["kind"] == "counter_proposal"
    ]
    await coach.get(f"/coach/adviezen/{advice_id}")
    status, page, _ = await coach.post(
        f"/coach/onderdelen/{new_id}/overleg/{second['id']}/afwijzen",
        [("advies", advice_id), ("tekst", "€ 50 was de afspraak.")],
    )
    assert status == 200 and "afgewezen" in text_of(page)
    last = (await env.coach.get(f"/api/v1/items/{new_id}/consultation")).body
    [declined] = [m for m in last if m["kind"] == "counter_proposal"]
    assert declined["proposal_status"] == "declined"
    assert sorted(m["kind"] for m in last if m["direction"] == "out") == ["answer", "question"]
    # Another team's coach cannot post in this thread (the API's scope: not found).
    other = await signed_in(env, "coach", "team-b")
    await other.get("/coach")
    status, _, _ = await other.post(
        f"/coach/onderdelen/{new_id}/overleg",
        [("advies", advice_id), ("soort", "question"), ("tekst", "Hallo")],
    )
    assert status == 404


async def test_advice_page_shows_the_escalation_step_of_a_late_item(env: Env) -> None:

    for sim in env.sims.values():
        sim.answer = False
    advice_id, _ = await _corporatie_item(env)
    coach = await signed_in(env)
    assert "escalation-step" not in (await coach.get(f"/coach/adviezen/{advice_id}/stand"))[1]
    env.clock.advance(days=8)
    fired = await run_escalations(env.hub.ctx)
    assert fired.fired, "the ladder should have climbed"
    last = fired.fired[-1].step.value
    coach = await signed_in(env)
    status, fragment = await coach.get(f"/coach/adviezen/{advice_id}/stand")
    assert status == 200 and "advice-item--late" in fragment
    m = re.search(
        r'class="badge badge--warn escalation-step" data-step="([a-z_]+)">([^<]*)<', fragment
    )
    assert m and m.group(1) == last and m.group(2).startswith("escalatie: ")


async def test_pages_that_show_a_client_log_the_read_before_they_answer(env: Env) -> None:
    from wijkhub.hub.core.read_log import READ

    client_id = await env.household()
    advice = await env.submit(household.advice(client_id, env.today))

    async def details() -> list[str]:
        return [e["detail"] for e in await env.log(name=READ, data_subject_id=client_id)]

    coach = await signed_in(env)  # lands on /coach, the list of the team's clients
    before = (await details()).count("client")
    assert (await coach.get("/coach"))[0] == 200
    assert (await details()).count("client") == before + 1  # the list shows the name
    assert (await coach.get(f"/coach/clienten/{client_id}"))[0] == 200
    got = await details()
    assert got.count("client") == before + 2 and "consents" in got and "advice" in got
    n = got.count("advice")
    assert (await coach.get(f"/coach/adviezen/{advice['id']}"))[0] == 200
    got = await details()
    assert got.count("advice") == n + 1 and got.count("client") == before + 3
    web_reads = [e for e in await env.log(name=READ, data_subject_id=client_id)]
    assert all(
        e["actor"].startswith("coach/") for e in web_reads if e["detail"] != "processing_log"
    )

    officer = await signed_in(env, "privacy_officer", None)
    assert (await officer.get(f"/privacy/inzage/{client_id}"))[0] == 200
    assert await env.log(name="access_report.generate", data_subject_id=client_id)
    status, page = await officer.get(f"/privacy/inzage/{client_id}")
    assert status == 200 and "Inzage in de gegevens" in page and "wijkcoach" in page
