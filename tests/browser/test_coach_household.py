"""The coach's whole task in a real browser, from the web UI only: register a client, make a
household with her child, record consent per member, add goals per life domain, compose (member,
goal, "wacht op"), preview, send, consult, and follow the answers. Every page must be Dutch:
no internal name, code, UUID or traceback in its visible text, and no serious axe violation."""

import re
from typing import Any

from playwright.async_api import Page, expect

from tests.support.browser import UiEnv, record_consent
from tests.support.words import internal_names
from wijkhub.hub.core.clock import local_date
from wijkhub.hub.demo import household


async def check(page: Page, axe: Any, shot: Any, name: str) -> None:
    """The page in Dutch only, accessible, and kept as a screenshot."""
    text = await page.locator("body").inner_text()
    found = internal_names(text)
    where = [text[max(0, text.find(w) - 80) : text.find(w) + 40] for w in found]
    assert found == [], (name, where)
    assert await axe(page) == [], name
    await shot(page, f"coach-taak-{name}")


async def register(page: Page, person: dict[str, Any], *, role: str | None = None) -> None:
    form = page.locator("#registreren")
    if role:
        await form.get_by_label("Rol in het huishouden").select_option(role)
    await form.get_by_label("Voornamen").fill(person["given_names"])
    await form.get_by_label("Achternaam").fill(person["family_name"])
    await form.get_by_label("BSN").fill(person["bsn"])
    await form.get_by_label("Geboortedatum").fill(person["birth_date"])
    await form.get_by_label("Geslacht").select_option(person["gender"])
    address = person.get("address")
    if address:
        await form.get_by_label("Straat").fill(address["street"])
        await form.get_by_label("Huisnummer").fill(str(address["house_number"]))
        await form.get_by_label("Postcode").fill(address["postcode"])
        await form.get_by_label("Woonplaats").fill(address["city"])
    housing = person.get("housing")
    if housing:
        await form.get_by_label("Woonsituatie").select_option(housing["tenure"])
        await form.get_by_label("Verhuurder").fill(housing["landlord"])
        await form.get_by_label("Huurachterstand in euro").fill("1.845,00")
    finance = person.get("finance")
    if finance:
        await form.get_by_label("Bron van inkomen").select_option(finance["income_source"])
        await form.get_by_label("Totale schulden in euro").fill("12.500")
        await form.get_by_label("Aantal schuldeisers").fill(str(finance["creditor_count"]))
    async with page.expect_navigation():
        await form.get_by_role("button", name="Registreren").click()


async def add_goal(page: Page, member: str, domain: str, text: str) -> None:
    box = page.locator("details", has=page.get_by_text("Doel toevoegen", exact=True))
    if not await box.evaluate("e => e.open"):
        await box.locator("summary").click()
    await box.get_by_label("Voor wie").select_option(label=member)
    await box.get_by_label("Leefgebied").select_option(domain)
    await box.get_by_label("Doel", exact=True).fill(text)
    async with page.expect_navigation():
        await box.get_by_role("button", name="Doel toevoegen").click()


async def choose_type(page: Page, i: int, value: str) -> None:
    # Choosing the type reloads the form with that type's own fields (coach.js).
    async with page.expect_navigation():
        await page.locator(f"#item-{i}-soort").select_option(value)


async def test_coach_registers_a_household_plans_sends_and_follows_the_answers(
    ui: UiEnv, page: Page, axe: Any, shot: Any
) -> None:
    today = local_date(ui.clock.now())
    await ui.sign_in(page, "coach", "team-a", "coach-taak")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Mijn huishoudens")
    await check(page, axe, shot, "start")

    # 1. Register Fenna; a wrong BSN first: a Dutch message next to the field, nothing stored.
    await page.get_by_role("link", name="Cliënt registreren").click()
    await check(page, axe, shot, "registreren")
    await register(page, {**household.CLIENT, "bsn": "123"})
    await expect(page.locator("#fout-bsn")).to_be_visible()
    assert await page.get_by_label("BSN").get_attribute("aria-invalid") == "true"
    assert await page.get_by_label("Voornamen").input_value() == "Fenna Maria"
    await check(page, axe, shot, "registreren-fout")
    await register(page, household.CLIENT)
    await expect(page).to_have_url(re.compile(r"/coach/clienten/[0-9a-f]{32}\?gedaan="))
    fenna_url = page.url.split("?")[0]
    await expect(page.get_by_role("status")).to_contain_text("geregistreerd")

    # 2. A household: Fenna parent with authority, then Daan registered as her child.
    await page.get_by_label("Rol van Fenna Maria in het huishouden").select_option(
        "parent_with_authority"
    )
    async with page.expect_navigation():
        await page.get_by_role("button", name="Huishouden aanmaken").click()
    await page.locator("summary", has_text="Lid toevoegen").click()
    await page.get_by_role("link", name="Nieuw lid registreren").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Nieuw lid")
    await register(page, household.CHILD, role="child")
    await expect(page).to_have_url(re.compile(re.escape(fenna_url)))
    members = page.locator("table.members tbody tr")
    await expect(members).to_have_count(2)
    daan_row = members.filter(has_text="Daan Testervelde")
    await expect(daan_row.locator('[data-role="child"]')).to_have_text("kind")
    await check(page, axe, shot, "huishouden")

    # 3. Consent per member: Fenna's three (the demo's), none for Daan (the GI's statutory task).
    names = {pid: ui.hub.ctx.partners.get(pid).name for pid in ui.sims}  # type: ignore[union-attr]
    for c in household.consents(today):
        await record_consent(page, names[c["partner_id"]], {**c, "evidence_ref": "DOC-2026-0142"})
    fenna_row = members.filter(has_text="Fenna Maria Testervelde")
    await expect(fenna_row.locator("[data-consent-partner]")).to_have_count(3)
    await expect(daan_row).to_contain_text("geen toestemming vastgelegd")
    await expect(page.locator("#toestemmingen table")).to_contain_text(
        "Betalingsregeling huurachterstand"
    )

    # 4. Goals per life domain, per member.
    await add_goal(page, "Fenna Maria Testervelde (ouder met gezag)", "wonen", "Huur betaald.")
    await add_goal(page, "Daan Testervelde (kind)", "opvoeding", "Rust thuis voor Daan.")
    await expect(page.locator("ul.goals li")).to_have_count(2)
    daan_plan = page.locator(".member-plan", has_text="Daan Testervelde")
    await expect(daan_plan.locator("ul.goals")).to_contain_text("opvoeding")
    await check(page, axe, shot, "plan")

    # 5. Compose: the arrangement for Fenna (goal: housing), the debt intake waiting until the
    # corporatie has received item 1, and the GI's advice about Daan.
    await page.get_by_role("link", name="Nieuw advies opstellen").click()
    demo = household.advice("00" * 16, today)["items"]
    corp, bank, gi = demo[0], demo[1], demo[2]
    await choose_type(page, 0, f"{corp['partner_id']}|{corp['advice_type']}")
    await expect(page.get_by_label("Voorgesteld bedrag per maand in euro")).to_be_visible()
    await page.get_by_label("Voorgesteld bedrag per maand in euro").fill("75,00")
    await page.get_by_label("Looptijd in maanden").fill("25")
    await page.locator("#item-0-motivatie").fill(corp["motivation"])
    await page.locator("#item-0-doel").select_option(
        label="Fenna Maria Testervelde — wonen: Huur betaald."
    )
    async with page.expect_navigation():
        await page.get_by_role("button", name="Onderdeel toevoegen").click()
    await choose_type(page, 1, f"{bank['partner_id']}|{bank['advice_type']}")
    await page.locator("#item-1-motivatie").fill(bank["motivation"])
    await page.locator("#item-1-wacht-onderdeel").select_option("0")
    await page.locator("#item-1-wacht-status").select_option("received")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Onderdeel toevoegen").click()
    await choose_type(page, 2, f"{gi['partner_id']}|{gi['advice_type']}")
    await page.locator("#item-2-motivatie").fill(gi["motivation"])
    await page.locator("#item-2-lid").select_option(label="Daan Testervelde (kind)")
    await page.locator("#item-2-doel").select_option(
        label="Daan Testervelde — opvoeding: Rust thuis voor Daan."
    )
    await page.locator("#item-2-p-help_form").select_option(label="opvoedondersteuning")
    await check(page, axe, shot, "opstellen")

    # 6. Preview: the readable part in Dutch, nothing sent yet.
    async with page.expect_navigation():
        await page.get_by_role("button", name="Voorbeeld").click()
    previews = page.locator("article.preview-item")
    await expect(previews).to_have_count(3)
    corp_view = previews.nth(0).locator(".readable")
    await expect(corp_view).to_contain_text("sociale huur")
    await expect(corp_view).to_contain_text(re.compile(r"€\s1\.845,00"))
    await expect(corp_view).to_contain_text("voorgesteld bedrag per maand")
    await expect(previews.nth(2).locator(".readable")).to_contain_text("opvoedondersteuning")
    assert all(sim.received == [] for sim in ui.sims.values())
    await check(page, axe, shot, "voorbeeld")

    # 7. Send; the answers arrive on the open page; the counts are per partner.
    async with page.expect_navigation():
        await page.get_by_role("button", name="Versturen").click()
    await expect(page).to_have_url(re.compile(r"/coach/adviezen/[0-9a-f]{32}"))
    cards = page.locator("article.advice-item")
    await expect(cards).to_have_count(3)
    for n in range(3):
        await expect(cards.nth(n).locator("h2")).to_contain_text(f"Onderdeel {n + 1}:")
    await expect(page.get_by_text("3 van 3 partners hebben geantwoord")).to_be_visible(
        timeout=30_000
    )
    await expect(cards.nth(1)).to_contain_text("wacht")  # the plan's wait, in words
    await check(page, axe, shot, "advies")

    # 8. Consult. Daan's item has no consent for free text: the refusal in Dutch, by the field.
    gi_thread = page.locator(".thread").nth(2)
    await gi_thread.get_by_label("Bericht aan").fill("Kan de ondersteuning na schooltijd?")
    async with page.expect_navigation():
        await gi_thread.get_by_role("button", name="Versturen").click()
    await expect(page.locator(".thread").nth(2).locator(".field-error")).to_contain_text(
        "Jeugdbescherming"
    )
    await check(page, axe, shot, "overleg-geweigerd")
    corp_thread = page.locator(".thread").nth(0)
    await corp_thread.get_by_label("Bericht aan").fill("Kan de regeling ingaan per januari?")
    async with page.expect_navigation():
        await corp_thread.get_by_role("button", name="Versturen").click()
    await expect(page.locator(".consultation [role=status]")).to_contain_text(
        "klaar voor de partner"
    )
    await expect(page.locator(".thread").nth(0).locator(".message")).to_have_count(1)
    await check(page, axe, shot, "overleg")

    # 9. Back to the household: the plan per member with the same states and numbers.
    await page.get_by_role("link", name="← Huishouden Testervelde").click()
    plan_rows = page.locator("table.plan-items tbody tr")
    await expect(plan_rows).to_have_count(3)
    await expect(daan_plan.locator("tbody tr")).to_have_count(1)
    await expect(daan_plan).to_contain_text("Onderdeel 3")
    advice_rows = page.locator("table.plan tbody tr")
    await expect(advice_rows).to_have_count(3)
    for n in range(3):
        state = await advice_rows.nth(n).get_attribute("data-state")
        item = await advice_rows.nth(n).get_attribute("data-item")
        assert (
            state
            and await page.locator(f'table.plan-items tr[data-item="{item}"]').get_attribute(
                "data-state"
            )
            == state
        )
    await check(page, axe, shot, "huishouden-na")
