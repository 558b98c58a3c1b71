"""The team leader in the browser: signs in with a one-time link, lands on the chain report
with its server-rendered SVG chart and tables (suppressed cells as "< 5"), downloads the
CSV, and the page has no serious or critical accessibility violations."""

import asyncio
import csv
import io
import re
from pathlib import Path

from playwright.async_api import Page, expect

from tests.support.browser import UiEnv
from tests.support.words import internal_names
from wijkhub.hub.core.clock import local_date
from wijkhub.hub.demo import household

CORP_TYPE = "betalingsregeling_huurachterstand"


async def test_team_leader_sees_the_chain_report_with_a_chart(
    ui: UiEnv, page: Page, axe, shot
) -> None:
    coach = await ui.api("coach", "setup", team="team-a")
    client_id = await ui.household(coach)
    body = household.advice(client_id, local_date(ui.clock.now()))
    corp = [it for it in body["items"] if it["advice_type"] == CORP_TYPE]
    zorg = [it for it in body["items"] if it["partner_id"] == household.ZORG]
    ids: list[tuple[str, str]] = []
    # Five corporatie items (a shown row) and two for the Wmo provider (a suppressed row).
    for items in [corp] * 5 + [zorg] * 2:
        r = await coach.post("/api/v1/advices", json={**body, "items": items})
        assert r.status == 201, r.body
        ids += [(it["partner_id"], it["id"]) for it in r.body["items"]]
    async with asyncio.timeout(20):
        for partner_id, ref in ids:
            await ui.sims[partner_id].wait_for(lambda s, ref=ref: ref in s.answered)

    await ui.sign_in(page, "team_leader", "team-a", "Tessa Leider")
    await expect(page).to_have_url(ui.url + "/team/ketenrapport")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Ketenrapportage")
    corp_section = page.locator(f'section[data-partner="{household.CORPORATIE}"]')
    await expect(corp_section.locator("svg.chart")).to_be_visible()
    await expect(corp_section.locator("svg.chart rect").first).to_be_visible()
    await expect(corp_section.locator('td[data-figure="cases"]')).to_have_text("5")
    zorg_section = page.locator(f'section[data-partner="{household.ZORG}"]')
    await expect(zorg_section.locator('td[data-figure="cases"]')).to_contain_text("< 5")
    await expect(zorg_section.locator('td[data-figure="cases"] .suppressed')).to_have_attribute(
        "title", re.compile("minder dan 5 onderdelen")
    )
    await expect(page.get_by_role("status")).to_contain_text("rusten op minder dan 5")
    assert internal_names(await page.locator("main").inner_text()) == []
    assert await axe(page) == []
    await shot(page, "ketenrapport")

    async with page.expect_download() as dl:
        await page.get_by_role("link", name="Download als CSV").click()
    download = await dl.value
    text = await asyncio.to_thread(Path(await download.path()).read_text)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["partner_id"]: r["cases"] for r in rows} == {
        household.CORPORATIE: "5",
        household.ZORG: "suppressed",
    }

    # The notices page and the steering list are reachable from the menu.
    await page.get_by_role("link", name="Meldingen").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Meldingen aan de teamleider")
    assert await axe(page) == []
    await page.get_by_role("link", name="Stuurgroep").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Lijst van de stuurgroep")
    assert await axe(page) == []
