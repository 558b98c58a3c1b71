"""The inwoner in a real browser, on a phone-sized screen: signs in with the one-time code a
coach handed over, sees exactly the deliveries the access report lists, withdraws one consent
with the keyboard only, and the partner's simulator receives the intrekking. A used or expired
code is refused; guessing another client's id shows nothing of theirs."""

import asyncio
import re
import uuid

from playwright.async_api import Browser, Locator, Page, expect

from tests.support.browser import UiEnv, new_context
from wijkhub.hub.core import read_log
from wijkhub.hub.demo import household
from wijkhub.hub.records import inwoner_codes
from wijkhub.hub.reports import access_report

PHONE = {"width": 375, "height": 740}


def hexid(client_id: str) -> str:
    return client_id.replace("-", "")


async def phone(browser: Browser) -> Page:
    ctx = await new_context(browser, viewport=PHONE)
    return await ctx.new_page()


async def code_form(ui: UiEnv, page: Page, code: str) -> None:
    await page.goto(ui.url + "/inwoner/aanmelden")
    await page.get_by_label("Uw code").fill(code)
    await page.get_by_role("button", name="Inloggen").click()


async def tab_to(page: Page, target: Locator, limit: int = 80) -> None:
    """Press Tab until `target` has the focus (keyboard only, as a person would)."""
    handle = await target.element_handle()
    assert handle is not None
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate("el => document.activeElement === el", handle):
            return
    raise AssertionError("niet bereikbaar met Tab")


async def fits(page: Page) -> None:
    """Nothing wider than the phone: no sideways scrolling."""
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width


async def test_inwoner_signs_in_sees_the_access_report_and_withdraws(
    ui: UiEnv, page: Page, browser: Browser, axe, shot
) -> None:
    coach_api = await ui.api("coach", "setup", team="team-a")
    client_id = hexid(await ui.household(coach_api))
    advice = await ui.submit_as("coach", "team-a", "Anne Jansen", client_id)
    await ui.delivered(advice)

    # The coach makes the code on the client's page.
    await ui.sign_in(page, "coach", "team-a", "Anne Jansen")
    await page.goto(f"{ui.url}/coach/clienten/{client_id}")
    await page.get_by_role("button", name="Code voor de cliënt maken").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Code voor Fenna")
    code = (await page.locator("[data-code]").inner_text()).strip()
    assert await axe(page) == []
    await shot(page, "inwoner-code-brief")

    me = await phone(browser)
    await code_form(ui, me, code)
    await expect(me.get_by_role("heading", level=1)).to_have_text("Uw gegevens bij het wijkteam")
    assert await axe(me) == []
    await fits(me)
    await shot(me, "inwoner-pagina")

    # Exactly the deliveries of the access report, per partner.
    report = await access_report.build(ui.hub.ctx, client_id, read_log.Reader("test"))
    expected = {
        (r.partner_id, d.trace_id, d.purpose) for r in report.recipients for d in r.disclosures
    }
    assert expected  # the demo advice reached its partners
    shown = set()
    for block in await me.locator("section[data-partner]").all():
        pid = await block.get_attribute("data-partner")
        for li in await block.locator("li.shared").all():
            shown.add(
                (pid, await li.get_attribute("data-trace"), await li.get_attribute("data-purpose"))
            )
    assert shown == expected
    names = {r.partner_name for r in report.recipients}
    for name in names:
        await expect(me.get_by_role("heading", level=3, name=name).first).to_be_visible()

    # Withdraw the corporatie's consent with the keyboard only.
    consent = me.locator("li[data-consent]", has=me.get_by_role("heading", name="De Woonplaats"))
    await tab_to(me, consent.get_by_role("link", name="Intrekken"))
    await me.keyboard.press("Enter")
    await expect(me.get_by_role("heading", level=1)).to_contain_text("De Woonplaats")
    assert await axe(me) == []
    await fits(me)
    await shot(me, "inwoner-intrekken")
    await tab_to(me, me.get_by_label("Waarom trekt u de toestemming in?"))
    await me.keyboard.type("Ik wil dit zelf regelen.")
    await tab_to(me, me.get_by_role("button", name="Ja, trek de toestemming in"))
    await me.keyboard.press("Enter")
    await expect(me.get_by_role("status")).to_contain_text("Uw toestemming is ingetrokken")
    await expect(consent).to_have_attribute("data-status", "withdrawn")
    assert await axe(me) == []

    sim = ui.sims[household.CORPORATIE]
    async with asyncio.timeout(20):
        await sim.wait_for(lambda s: s.requests_by_kind["withdrawal"] >= 1)
    await me.context.close()


async def test_a_used_or_expired_code_is_refused(ui: UiEnv, browser: Browser, axe) -> None:
    coach_api = await ui.api("coach", "setup", team="team-a")
    client_id = hexid(await ui.household(coach_api))
    code = (await inwoner_codes.issue(ui.hub.ctx, client_id, "coach/test")).code

    first = await phone(browser)
    await code_form(ui, first, code)
    await expect(first.get_by_role("heading", level=1)).to_have_text("Uw gegevens bij het wijkteam")
    await first.context.close()

    second = await phone(browser)
    await code_form(ui, second, code)
    await expect(second.get_by_role("alert")).to_contain_text("al gebruikt")
    await expect(second.get_by_label("Uw code")).to_have_attribute("aria-invalid", "true")
    assert await axe(second) == []
    await fits(second)
    assert not [c for c in await second.context.cookies() if c["name"] == "wijkhub_sessie"]

    stale = (await inwoner_codes.issue(ui.hub.ctx, client_id, "coach/test")).code
    ui.clock.advance(minutes=61)
    await code_form(ui, second, stale)
    await expect(second.get_by_role("alert")).to_contain_text("verlopen")
    await second.goto(f"{ui.url}/inwoner/gegevens/{client_id}")
    await expect(second).to_have_url(re.compile(r"/inwoner/aanmelden\?volgende="))
    await second.context.close()


async def test_one_inwoner_never_sees_another_page(ui: UiEnv, browser: Browser, axe) -> None:
    coach_api = await ui.api("coach", "setup", team="team-a")
    mine = hexid(await ui.household(coach_api))
    other = {**household.CLIENT, "bsn": "999900122", "given_names": "Bea", "family_name": "Ander"}
    r = await coach_api.post("/api/v1/clients", json=other)
    assert r.status == 201, r.body
    theirs = hexid(r.body["id"])
    code = (await inwoner_codes.issue(ui.hub.ctx, mine, "coach/test")).code

    me = await phone(browser)
    await code_form(ui, me, code)
    await expect(me.get_by_role("heading", level=1)).to_have_text("Uw gegevens bij het wijkteam")
    for guess in (theirs, uuid.uuid4().hex, theirs.upper()):
        resp = await me.goto(f"{ui.url}/inwoner/gegevens/{guess}")
        assert resp is not None and resp.status == 404
        await expect(me.get_by_role("heading", level=1)).to_have_text("Niet gevonden")
        await expect(me.locator("main")).not_to_contain_text("Ander")
    assert await axe(me) == []
    resp = await me.goto(f"{ui.url}/coach/clienten/{theirs}")
    assert resp is not None and resp.status == 403
    await me.context.close()


async def test_a_parent_chooses_the_childs_page_with_the_keyboard(
    ui: UiEnv, browser: Browser, axe, shot
) -> None:
    coach_api = await ui.api("coach", "setup", team="team-a")
    fenna = hexid(await ui.household(coach_api))
    child = {**household.CLIENT, "bsn": "999900110", "given_names": "Daan", "household": []}
    child.update(birth_date="2012-06-01")
    r = await coach_api.post("/api/v1/clients", json=child)
    assert r.status == 201, r.body
    daan = hexid(r.body["id"])
    r = await coach_api.post(
        "/api/v1/households",
        json={
            "members": [
                {"client_id": fenna, "role": "parent_with_authority"},
                {"client_id": daan, "role": "child"},
            ]
        },
    )
    assert r.status == 201, r.body
    code = (await inwoner_codes.issue(ui.hub.ctx, fenna, "coach/test")).code

    me = await phone(browser)
    await code_form(ui, me, code)
    await expect(me.get_by_role("heading", level=1)).to_have_text("Welke gegevens wilt u zien?")
    assert await axe(me) == []
    await fits(me)
    await shot(me, "inwoner-kiezen")
    await tab_to(me, me.get_by_role("link", name="Daan Testervelde"))
    await me.keyboard.press("Enter")
    await expect(me.get_by_role("heading", level=1)).to_have_text(
        "Gegevens van uw kind Daan Testervelde"
    )
    assert await axe(me) == []
    await fits(me)
    await me.context.close()
