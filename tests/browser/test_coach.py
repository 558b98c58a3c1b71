"""A coach in a real browser: sign in, record consent, compose an advice for the four partners,
check each partner's preview (no BSN for the corporatie, only permitted categories, the Dutch
reason for a refused item), send, and watch the partners' answers arrive without reloading."""

import re
from typing import Any

from playwright.async_api import Page, expect

from tests.support.browser import ARTIFACTS, UiEnv, record_consent
from wijkhub.hub.core.clock import local_date
from wijkhub.hub.demo import household

# The client-record fields that show in the readable preview, per data category.
FIELD_LABEL = {
    "bsn": "BSN",
    "health": "gezondheid",
    "finance": "financiën",
    "youth_protection": "jeugdbescherming",
    "household": "huishouden",
}


async def sign_in_through_oidc(ui: UiEnv, page: Page) -> None:
    await page.goto(ui.url + "/")
    await page.get_by_role("link", name="Aanmelden met uw organisatieaccount").click()
    await page.get_by_label("Gebruiker").select_option("coach-a")
    await page.get_by_role("button", name="Inloggen").click()
    await expect(page).to_have_url(ui.url + "/coach")


async def fill_item(page: Page, i: int, item: dict[str, Any]) -> None:
    pre = f"#item-{i}-"
    # Choosing the type reloads the form with that type's own fields (coach.js).
    async with page.expect_navigation():
        await page.locator(pre + "soort").select_option(
            f"{item['partner_id']}|{item['advice_type']}"
        )
    await page.locator(pre + "motivatie").fill(item["motivation"])
    await page.locator(pre + "urgentie").select_option(item.get("urgency", "normal"))
    for t in item.get("threats", []):
        await page.locator(f'input[name="item-{i}-dreiging"][value="{t}"]').check()
    for name, value in item.get("parameters", {}).items():
        field = page.locator(f"{pre}p-{name}")
        if not await field.count():  # set by the advice type itself (the Wmo product category)
            continue
        if name.endswith("_cents"):  # the composer takes amounts in euros
            value = f"{int(value) / 100:.2f}".replace(".", ",")
        if await field.evaluate("e => e.tagName") == "SELECT":
            text = str(value).lower() if isinstance(value, bool) else str(value)
            await field.select_option(text)
        else:
            await field.fill(str(value))


async def test_coach_composes_previews_sends_and_sees_answers_live(
    ui: UiEnv, page: Page, axe: Any, shot: Any
) -> None:
    setup = await ui.api("coach", "registratie", team="team-a")
    r = await setup.post("/api/v1/clients", json=household.CLIENT)
    assert r.status == 201, r.body
    client_id = r.body["id"].replace("-", "")

    await sign_in_through_oidc(ui, page)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Mijn huishoudens")
    await page.get_by_label("Zoek op naam of BSN").fill("testervelde")
    await page.get_by_role("button", name="Zoeken").click()
    assert await axe(page) == []
    await shot(page, "coach-huishoudens")
    await page.get_by_role("link", name="Fenna Maria Testervelde").click()
    await expect(page).to_have_url(ui.url + f"/coach/clienten/{client_id}")
    await expect(page.get_by_role("cell", name="Daan Testervelde")).to_be_visible()

    names = {pid: ui.hub.ctx.partners.get(pid).name for pid in ui.sims}  # type: ignore[union-attr]
    consents = household.consents(local_date(ui.clock.now()))
    for c in consents:
        await record_consent(page, names[c["partner_id"]], c)
        await expect(page.locator("#toestemmingen table")).to_contain_text(names[c["partner_id"]])
    assert await axe(page) == []
    await shot(page, "coach-huishouden")

    await page.get_by_role("link", name="Nieuw advies opstellen").click()
    items = household.advice(client_id, local_date(ui.clock.now()))["items"]
    for i, item in enumerate(items):
        if i:
            async with page.expect_navigation():
                await page.get_by_role("button", name="Onderdeel toevoegen").click()
        await fill_item(page, i, item)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Voorbeeld").click()
    await expect(
        page.get_by_role("heading", name="Voorbeeld: wat elke partner ontvangt")
    ).to_be_visible()
    assert all(sim.received == [] for sim in ui.sims.values())  # a preview sends nothing

    previews = page.locator("article.preview-item")
    await expect(previews).to_have_count(5)
    permitted = {c["partner_id"]: set(c["categories"]) for c in consents}
    for n in range(4):
        art = previews.nth(n)
        pid = await art.get_attribute("data-partner")
        assert pid == items[n]["partner_id"]
        shown = set(
            await art.locator("[data-category]").evaluate_all(
                "els => els.map(e => e.dataset.category)"
            )
        )
        assert shown, pid
        if pid in permitted:  # consent: never more than the client agreed to
            assert shown <= permitted[pid], (pid, shown)
        readable = await art.locator("dl.client-view > dt").all_inner_texts()
        for cat, label in FIELD_LABEL.items():
            assert (label in readable) == (cat in shown), (pid, cat, readable)
        await expect(art.locator("pre.payload")).not_to_be_empty()

    corp = page.locator(f'article.preview-item[data-partner="{household.CORPORATIE}"]')
    corp_text = await corp.inner_text()
    assert (
        household.CLIENT["bsn"] not in corp_text
        and "BSN" not in await corp.locator("dl.client-view").inner_text()
    )
    assert "application/json" in corp_text
    zorg = page.locator(f'article.preview-item[data-partner="{household.ZORG}"]')
    await expect(zorg.locator("pre.payload")).to_contain_text("<")  # the iWmo-style XML
    refused = previews.nth(4)
    assert await refused.get_attribute("data-allowed") == "nee"
    await expect(refused).to_contain_text("Wordt niet verstuurd")
    await expect(refused).to_contain_text("toestemming")

    assert await axe(page) == []
    await shot(page, "composer-volledig")
    # For the README: the preview itself, not the whole form above it.
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    await page.locator("#voorbeeld").screenshot(
        path=str(ARTIFACTS / "screenshots" / "composer-preview.png")
    )

    async with page.expect_navigation():
        await page.get_by_role("button", name="Versturen").click()
    await expect(page).to_have_url(re.compile(r"/coach/adviezen/[0-9a-f]{32}$"))
    await page.evaluate("() => { window.__nietHerladen = true; }")
    # The partners' answers arrive while the page stays open: no reload, no navigation.
    answers = page.locator(".partner-status")
    await expect(answers).to_have_count(4, timeout=30_000)
    for pid, sim in ui.sims.items():
        last = sim.backoffice.script[-1].value
        card = page.locator(f'article.advice-item[data-partner="{pid}"]').first
        await expect(card.locator(f'.partner-status[data-status="{last}"]')).to_be_visible(
            timeout=30_000
        )
    await expect(page.get_by_text("4 van 4 partners hebben geantwoord")).to_be_visible()
    assert await page.evaluate("() => window.__nietHerladen === true")
    await expect(page.locator("article.advice-item").nth(4)).to_contain_text("geweigerd")
    assert await axe(page) == []
    await shot(page, "advies-live")
    # The household's plan now lists the advice's items and their state.
    await page.get_by_role("link", name="← Huishouden Testervelde").click()
    await expect(page.locator("table.plan tbody tr")).to_have_count(5)
    assert await axe(page) == []
