"""The inwoner's pages over HTTP: a one-time code (hashed, single use, short-lived, rate
limited) signs in a session bound to one client; no other client's page or consent can be
reached (id guessing); every view is logged; withdrawal goes the coach's way (intrekking)."""

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from tests.support.family import client, family, person
from tests.support.harness import Env
from tests.support.inwoner import (
    CODE_ON_PAGE,
    SIGNIN,
    code_for,
    hexid,
    page_csrf,
    post_code,
    signed_in_inwoner,
)
from tests.support.web_client import WebClient, signed_in, text_of
from wijkhub.hub.core.errors import ApiError
from wijkhub.hub.demo import household
from wijkhub.hub.store.tables import CONSENT, DELIVERY, INWONER_CODE, LOG, SESSION
from wijkhub.hub.web.session import sha256


@pytest.fixture
async def web(env: Env) -> AsyncIterator[WebClient]:
    c = WebClient(env.hub.url)
    try:
        yield c
    finally:
        await c.close()


async def _log(env: Env, name: str) -> list[dict[str, object]]:
    async with env.hub.ctx.db.read() as conn:
        rows = (await conn.execute(select(LOG).where(LOG.c.name == name))).mappings().all()
    return [dict(r) for r in rows]


async def test_coach_hands_over_a_code_that_signs_in_once(env: Env, web: WebClient) -> None:
    client_id = hexid(await env.household())
    coach = await signed_in(env)
    await coach.get(f"/coach/clienten/{client_id}")
    status, page, _ = await coach.post(f"/coach/clienten/{client_id}/inwonercode", [])
    assert status == 200, page
    m = CODE_ON_PAGE.search(page)
    assert m, page
    code = m.group(1)
    text = text_of(page)
    assert "Beste Fenna Maria Testervelde" in text and "/inwoner/aanmelden" in text
    assert "Wijkteam: uw code is " + code in text  # the text message

    async with env.hub.ctx.db.read() as conn:
        rows = (await conn.execute(select(INWONER_CODE))).mappings().all()
    assert len(rows) == 1 and rows[0]["client_id"] == client_id
    assert code not in repr(rows) and code.replace("-", "") not in repr(rows)

    hop = await post_code(web, code.lower().replace("-", " "))  # typed loosely
    assert hop.status == 303 and hop.location == env.hub.url + "/inwoner"
    hop = await web.get("/inwoner")
    assert hop.status == 303 and hop.location == env.hub.url + f"/inwoner/gegevens/{client_id}"
    own = await web.follow(hop)
    assert own.status == 200 and "Uw gegevens bij het wijkteam" in own.text
    async with env.hub.ctx.db.read() as conn:
        session = (
            await conn.execute(select(SESSION).where(SESSION.c.id_hash == sha256(web.cookie())))
        ).first()
    assert session.role == "inwoner" and session.client_id == client_id

    # Used once: a second browser with the same code is refused and gets no session.
    other = WebClient(env.hub.url)
    try:
        again = await post_code(other, code)
        assert again.status == 403 and "al gebruikt of is verlopen" in again.text
        assert other.cookie() is None
    finally:
        await other.close()


async def test_an_expired_code_is_refused_and_a_new_code_replaces_the_old(
    env: Env, web: WebClient
) -> None:
    client_id = hexid(await env.household())
    stale = await code_for(env, client_id)
    env.clock.advance(minutes=61)  # code_minutes default 60
    hop = await post_code(web, stale)
    assert hop.status == 403 and "verlopen" in hop.text and web.cookie() is None

    first = await code_for(env, client_id)
    second = await code_for(env, client_id)
    assert (await post_code(web, first)).status == 403  # replaced by the second
    assert (await post_code(web, second)).status == 303
    refused = [
        e for e in await _log(env, "access.refused") if e["outcome"] == "inwoner_code_refused"
    ]
    assert len(refused) == 2 and all(first not in repr(e) for e in refused)


async def test_code_length_is_configurable(env: Env, web: WebClient) -> None:
    client_id = hexid(await env.household())
    (env.hub.ctx.settings.config_path / "inwoner.toml").write_text("code_minutes = 5\n")
    code = await code_for(env, client_id)
    env.clock.advance(minutes=6)
    assert (await post_code(web, code)).status == 403


async def test_wrong_codes_are_rate_limited_per_source(env: Env, web: WebClient) -> None:
    client_id = hexid(await env.household())
    good = await code_for(env, client_id)
    for _ in range(5):  # max_attempts default 5
        hop = await post_code(web, "AAAA-BBBB-CCCC")
        assert hop.status == 403
    hop = await post_code(web, good)
    assert hop.status == 429 and "te vaak" in hop.text and web.cookie() is None
    env.clock.advance(minutes=16)  # the window has passed: the (still valid) code works
    assert (await post_code(web, good)).status == 303


async def test_signin_form_needs_its_csrf_field(env: Env, web: WebClient) -> None:
    client_id = hexid(await env.household())
    code = await code_for(env, client_id)
    await web.get(SIGNIN)
    hop = await web.post(SIGNIN, data={"code": code})
    assert hop.status == 403 and web.cookie() is None
    hop = await web.post(SIGNIN, data={"code": code, "csrf_token": "0" * 64})
    assert hop.status == 403 and web.cookie() is None
    assert (await post_code(web, code)).status == 303  # the code was not used up


async def test_one_inwoner_never_sees_another_page(env: Env) -> None:
    mine = hexid(await env.household())
    theirs = hexid(
        await client(env, {**person("999900122", "Bea", "1970-02-02"), "family_name": "Ander"})
    )
    r = await env.coach.post(
        f"/api/v1/clients/{theirs}/consents", json=household.consents(env.today)[0]
    )
    assert r.status == 201
    their_consent = r.body["id"].replace("-", "")
    web = await signed_in_inwoner(env, mine)
    try:
        own = await web.follow(await web.get("/inwoner"))
        assert own.status == 200 and "Ander" not in own.text
        guesses = [theirs, uuid.uuid4().hex, "0" * 32, "niet-een-id"]
        answers = [await web.get(f"/inwoner/gegevens/{g}") for g in guesses]
        assert [a.status for a in answers] == [404, 404, 404, 404]
        # An existing id and an unknown one look the same.
        assert answers[0].text == answers[1].text and "Ander" not in answers[0].text
        csrf = page_csrf(own.text)
        for path in (
            f"/inwoner/gegevens/{theirs}/toestemmingen/{their_consent}/intrekken",
            f"/inwoner/gegevens/{mine}/toestemmingen/{their_consent}/intrekken",
        ):
            assert (await web.get(path)).status == 404
            assert (await web.post(path, data={"csrf_token": csrf})).status == 404
        async with env.hub.ctx.db.read() as conn:
            status = await conn.scalar(
                select(CONSENT.c.status).where(CONSENT.c.id == their_consent)
            )
        assert status == "active"
        refused = [
            e for e in await _log(env, "access.refused") if e["actor"].startswith("inwoner/")
        ]
        assert {e["outcome"] for e in refused} == {"other_client", "other_consent"}
        # Staff pages and the API are not the inwoner's.
        assert (await web.get("/coach")).status == 403
        assert (await web.get(f"/privacy/inzage/{theirs}")).status == 403
        api = await web.get(f"/api/v1/clients/{theirs}")
        assert api.status == 401
    finally:
        await web.close()


async def test_every_view_is_logged_and_the_page_lists_the_access_report(env: Env) -> None:
    client_id = hexid(await env.household())
    advice = await env.submit(household.advice(client_id, env.today))
    await env.deliver()
    await env.answered(advice)
    web = await signed_in_inwoner(env, client_id)
    try:
        page = await web.follow(await web.get("/inwoner"))
        page = await web.get(f"/inwoner/gegevens/{client_id}")
    finally:
        await web.close()
    views = await _log(env, "inwoner.view")
    assert len(views) == 2 and {v["data_subject_id"] for v in views} == {client_id}
    assert all(str(v["actor"]).startswith("inwoner/") for v in views)
    text = text_of(page.text)
    for name in ("De Woonplaats", "Stadsbank Oost Nederland"):
        assert name in text
    assert "U gaf hiervoor toestemming." in text
    assert "Jeugdwet" in text  # the GI's statutory basis names the law
    assert "heeft het bericht ontvangen" in text  # what the partner reported back


async def test_withdrawal_by_the_inwoner_sends_the_intrekking(env: Env) -> None:
    client_id = hexid(await env.household())
    advice = await env.submit(household.advice(client_id, env.today))
    await env.deliver()
    corp = next(
        c
        for c in (await env.coach.get(f"/api/v1/clients/{client_id}/consents")).body
        if c["partner_id"] == household.CORPORATIE
    )
    consent_id = corp["id"].replace("-", "")
    web = await signed_in_inwoner(env, client_id)
    try:
        path = f"/inwoner/gegevens/{client_id}/toestemmingen/{consent_id}/intrekken"
        confirm = await web.get(path)
        assert confirm.status == 200 and "Ja, trek de toestemming in" in confirm.text
        assert "laat De Woonplaats weten" in text_of(confirm.text)
        hop = await web.post(path, data={"csrf_token": page_csrf(confirm.text)})
        assert hop.status == 303 and "gedaan=ingetrokken" in (hop.location or "")
        done = await web.follow(hop)
        assert "Uw toestemming is ingetrokken" in done.text
        again = await web.post(path, data={"csrf_token": page_csrf(confirm.text)})
        assert again.status == 303 and "gedaan=al" in (again.location or "")
    finally:
        await web.close()
    async with env.hub.ctx.db.read() as conn:
        row = (await conn.execute(select(CONSENT).where(CONSENT.c.id == consent_id))).first()
        notices = (
            await conn.execute(
                select(DELIVERY).where(
                    DELIVERY.c.kind == "withdrawal", DELIVERY.c.partner_id == household.CORPORATIE
                )
            )
        ).all()
    assert row.status == "withdrawn" and row.withdrawn_by.startswith("inwoner/")
    assert len(notices) == 1
    await env.deliver()
    assert env.sims[household.CORPORATIE].requests_by_kind["withdrawal"] == 1
    assert advice["id"]


async def test_household_parent_sees_a_young_child_and_a_child_of_16_its_own(env: Env) -> None:
    fam = await family(env)
    daan = hexid(fam["daan"])  # born 2012: younger than 16
    fenna = hexid(fam["fenna"])
    # A child younger than 16 gets no code of its own.
    with pytest.raises(ApiError) as exc:
        await code_for(env, daan)
    assert exc.value.status == 409
    r = await env.coach.post(f"/api/v1/clients/{daan}/inwoner-codes")
    assert r.status == 409 and "ouder met gezag" in r.body["error"]["message"]

    web = await signed_in_inwoner(env, fenna)
    try:
        choose = await web.get("/inwoner")
        assert choose.status == 200
        assert f"/inwoner/gegevens/{fenna}" in choose.text
        assert f"/inwoner/gegevens/{daan}" in choose.text
        kid = await web.get(f"/inwoner/gegevens/{daan}")
        assert kid.status == 200 and "Gegevens van uw kind Daan" in kid.text
    finally:
        await web.close()
    listed = [v for v in await _log(env, "inwoner.view") if "keuzelijst" in str(v["detail"])]
    assert {v["data_subject_id"] for v in listed} == {fenna, daan}

    # Sara (17) is a child in the household too: she sees her own page, her parents do not.
    sara = hexid(await client(env, person("999900134", "Sara", "2009-01-10")))
    r = await env.coach.post(
        f"/api/v1/households/{fam['id']}/members", json={"client_id": sara, "role": "child"}
    )
    assert r.status == 201, r.body
    web = await signed_in_inwoner(env, fenna)
    try:
        assert (await web.get(f"/inwoner/gegevens/{sara}")).status == 404
    finally:
        await web.close()
    web = await signed_in_inwoner(env, sara)
    try:
        own = await web.follow(await web.get("/inwoner"))
        assert own.status == 200 and own.url.endswith(f"/inwoner/gegevens/{sara}")
        assert (await web.get(f"/inwoner/gegevens/{daan}")).status == 404
        assert (await web.get(f"/inwoner/gegevens/{fenna}")).status == 404
    finally:
        await web.close()


async def test_api_code_for_the_own_team_only(env: Env) -> None:
    client_id = hexid(await env.household())
    r = await env.coach.post(f"/api/v1/clients/{client_id}/inwoner-codes")
    assert r.status == 201, r.body
    assert r.body["code"] in r.body["letter"] and r.body["code"] in r.body["sms"]
    assert r.body["signin_url"].endswith("/inwoner/aanmelden")
    other = await env.hub.token("coach", "coach team-b", team="team-b")
    async with env.session.post(
        f"/api/v1/clients/{client_id}/inwoner-codes", headers={"Authorization": f"Bearer {other}"}
    ) as resp:
        assert resp.status == 404
    assert (await env.privacy.post(f"/api/v1/clients/{client_id}/inwoner-codes")).status == 403


async def test_inwoner_session_is_short_and_signs_out_to_the_code_form(env: Env) -> None:
    client_id = hexid(await env.household())
    web = await signed_in_inwoner(env, client_id)
    try:
        page = await web.follow(await web.get("/inwoner"))
        hop = await web.post("/afmelden", data={"csrf_token": page_csrf(page.text)})
        assert hop.status == 303 and "/inwoner/aanmelden?afgemeld=1" in (hop.location or "")
        hop = await web.get(f"/inwoner/gegevens/{client_id}")
        assert hop.status == 303 and "/inwoner/aanmelden?volgende=" in (hop.location or "")
    finally:
        await web.close()
    web = await signed_in_inwoner(env, client_id)
    try:
        env.clock.advance(minutes=31)  # session_minutes default 30
        hop = await web.get(f"/inwoner/gegevens/{client_id}")
        assert hop.status == 303 and "/inwoner/aanmelden" in (hop.location or "")
    finally:
        await web.close()


async def test_after_signing_in_back_to_the_inwoner_page_asked_for_only(env: Env) -> None:
    client_id = hexid(await env.household())
    for asked, lands in (
        (f"/inwoner/gegevens/{client_id}", f"/inwoner/gegevens/{client_id}"),
        ("//elders.example/inwoner/x", "/inwoner"),
        ("/privacy", "/inwoner"),
    ):
        web = WebClient(env.hub.url)
        try:
            form = await web.get(f"{SIGNIN}?volgende={asked}")
            hop = await web.post(
                SIGNIN,
                data={
                    "code": await code_for(env, client_id),
                    "csrf_token": page_csrf(form.text),
                    "volgende": asked,
                },
            )
            assert hop.status == 303 and hop.location == env.hub.url + lands, asked
        finally:
            await web.close()


async def test_rate_limit_behind_a_trusted_proxy_is_per_forwarded_address(
    env: Env, web: WebClient
) -> None:
    wrong = {"code": "AAAA-BBBB-CCCC"}

    async def attempt(forwarded: str) -> int:
        form = await web.get(SIGNIN)
        hop = await web.post(
            SIGNIN,
            data={**wrong, "csrf_token": page_csrf(form.text)},
            headers={"X-Forwarded-For": forwarded},
        )
        return hop.status

    # Not behind a trusted proxy: the header is ignored, so changing it does not help.
    assert [await attempt(f"203.0.113.{i}") for i in range(6)] == [403] * 5 + [429]
    env.clock.advance(minutes=16)
    (env.hub.ctx.settings.config_path / "web.toml").write_text(
        'trusted_proxies = ["127.0.0.1/32"]\n'
    )
    assert [await attempt("198.51.100.7, 203.0.113.5") for _ in range(6)] == [403] * 5 + [429]
    assert await attempt("203.0.113.6") == 403  # another inwoner behind the same proxy


async def test_a_parent_with_authority_withdraws_a_young_childs_consent(env: Env) -> None:
    fam = await family(env)
    daan, joris = hexid(fam["daan"]), hexid(fam["joris"])
    r = await env.coach.post(
        f"/api/v1/clients/{daan}/consents", json=household.consents(env.today)[0]
    )
    assert r.status == 201, r.body
    consent_id = r.body["id"].replace("-", "")
    web = await signed_in_inwoner(env, joris)
    try:
        kid = await web.get(f"/inwoner/gegevens/{daan}")
        assert kid.status == 200 and f'data-consent="{consent_id}"' in kid.text
        path = f"/inwoner/gegevens/{daan}/toestemmingen/{consent_id}/intrekken"
        confirm = await web.get(path)
        hop = await web.post(path, data={"csrf_token": page_csrf(confirm.text)})
        assert hop.status == 303 and hop.location.endswith(
            f"/inwoner/gegevens/{daan}?gedaan=ingetrokken#toestemmingen"
        )
        # The child's consent is not reachable under the parent's own page.
        own = f"/inwoner/gegevens/{joris}/toestemmingen/{consent_id}/intrekken"
        assert (await web.get(own)).status == 404
    finally:
        await web.close()
    async with env.hub.ctx.db.read() as conn:
        row = (await conn.execute(select(CONSENT).where(CONSENT.c.id == consent_id))).first()
    assert row.status == "withdrawn" and row.withdrawn_by.startswith("inwoner/")
    views = await _log(env, "inwoner.view")
    assert {(v["data_subject_id"], v["detail"]) for v in views} >= {
        (daan, "eigen pagina van de inwoner (child)")
    }
