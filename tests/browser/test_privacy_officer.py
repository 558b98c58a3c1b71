"""The privacy officer in the browser: consent register and processing log with filters, the
chain check, a client's access report as page, printable document, PDF and CSV. A coach who
opens a privacy officer's page gets the Dutch 403 page, and the attempt is logged."""

import csv
import io
from pathlib import Path

from playwright.async_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from tests.support.browser import UiEnv, new_context
from tests.support.words import internal_names
from wijkhub.hub.demo import household
from wijkhub.hub.store.tables import LOG


def _pdf_text(data: bytes) -> str:
    """The text of a PDF, whitespace collapsed."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def _read(path: Path | str) -> bytes:
    return Path(path).read_bytes()


async def _fg(ui: UiEnv, page: Page) -> None:
    await ui.sign_in(page, "privacy_officer", None, "Fatima el Amrani")


async def test_access_report_page_print_pdf_and_csv(
    ui: UiEnv, page: Page, axe, shot, tmp_path: Path
) -> None:
    coach = await ui.api("coach", "setup", team="team-a")
    client_id = await ui.household(coach)
    r = await coach.post("/api/v1/advices", json=household.advice(client_id, ui.clock.now().date()))
    assert r.status == 201, r.body
    for it in r.body["items"]:
        if it["decision"]["allowed"]:
            await ui.sims[it["partner_id"]].wait_for(lambda s, ref=it["id"]: ref in s.answered)

    await _fg(ui, page)
    await expect(page).to_have_url(ui.url + "/privacy")
    assert await axe(page) == []
    await shot(page, "privacy-overzicht")

    # Find the client by name (a POST: nothing in the URL), then by BSN.
    await page.get_by_role("link", name="Inzageverzoek").first.click()
    await page.get_by_label("Naam of BSN").fill("fenna testervelde")
    await page.get_by_role("button", name="Zoeken").click()
    await expect(page).to_have_url(f"{ui.url}/privacy/inzage")
    assert internal_names(await page.locator("main").inner_text()) == []
    assert await axe(page) == []
    await shot(page, "privacy-zoeken")
    await page.get_by_label("Naam of BSN").fill(household.CLIENT["bsn"])
    await page.get_by_role("button", name="Zoeken").click()
    await expect(page).to_have_url(f"{ui.url}/privacy/inzage")
    await page.get_by_role("link", name="Fenna Maria Testervelde").click()
    hexid = client_id.replace("-", "")
    await expect(page).to_have_url(f"{ui.url}/privacy/inzage/{hexid}")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Inzageverzoek")
    for name in ("De Woonplaats", "Stadsbank Oost Nederland"):
        await expect(page.get_by_role("table", name=name)).to_be_visible()
    visible = await page.locator("main").inner_text()
    assert internal_names(visible) == [] and hexid not in visible and client_id not in visible
    assert await axe(page) == []
    await shot(page, "privacy-inzage")

    async with page.expect_download() as dl:
        await page.get_by_role("link", name="Download verwerkingen (CSV)").click()
    download = await dl.value
    raw = _read(await download.path())
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte order mark: Excel reads UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows and {row["Cliënt (kenmerk in het log)"] for row in rows} == {client_id}
    handled = {row["Handeling"] for row in rows}
    assert {"beslissing per onderdeel", "verstrekking aan partner"} <= handled
    assert "geweigerd" in {row["Uitkomst"] for row in rows}  # the budget item policy refused

    async with page.expect_download() as dl:
        await page.get_by_role("link", name="Download als PDF").click()
    download = await dl.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = _read(await download.path())
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    text = _pdf_text(pdf)
    assert "Overzicht van uw gegevens" in text and "De Woonplaats" in text
    assert household.CLIENT["bsn"] not in text and "(code 0153)" not in text

    # The printable document for the client.
    await page.get_by_role("link", name="Afdrukversie voor de cliënt").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Overzicht van uw gegevens")
    assert await axe(page) == []
    await shot(page, "privacy-inzage-afdruk")


async def test_registers_filters_and_chain_check(ui: UiEnv, page: Page, axe, shot) -> None:
    coach = await ui.api("coach", "setup", team="team-a")
    client_id = await ui.household(coach)
    r = await coach.post("/api/v1/advices", json=household.advice(client_id, ui.clock.now().date()))
    assert r.status == 201
    await _fg(ui, page)

    await page.goto(ui.url + "/privacy/toestemmingen")
    await expect(page.locator("tbody tr")).to_have_count(3)
    await page.get_by_label("Partner").select_option(label="Stadsbank Oost Nederland")
    await page.get_by_role("button", name="Filteren").click()
    await expect(page.locator("tbody tr")).to_have_count(1)
    await expect(page.locator("tbody")).to_contain_text("stadsbank")
    assert await axe(page) == []
    await shot(page, "privacy-toestemmingen")
    await page.goto(ui.url + "/privacy/toestemmingen?status=withdrawn")
    await expect(page.get_by_text("Geen toestemmingen gevonden.")).to_be_visible()
    # Who acted: the pseudonym of the coach in the log, looked up (and that is logged).
    await page.goto(ui.url + "/privacy/verwerkingen")
    await page.get_by_role("link", name=ui.actor("coach", "setup")).first.click()
    await page.get_by_role("button", name="Opzoeken").click()
    await expect(page.locator(".person-name")).to_have_text("setup")
    assert internal_names(await page.locator("main").inner_text()) == []
    assert await axe(page) == []
    await shot(page, "privacy-wie")
    await page.goto(ui.url + "/privacy/toestemmingen?valid_on=gisteren")
    await expect(page.get_by_role("alert")).to_contain_text("valid_on")

    # Processing log: the refusals.
    await page.goto(ui.url + "/privacy/verwerkingen")
    await page.get_by_label("Uitkomst").fill("refused")
    await page.get_by_role("button", name="Filteren").click()
    rows = page.locator("tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("beslissing per onderdeel")
    assert await axe(page) == []
    await shot(page, "privacy-verwerkingenlog")
    async with page.expect_download() as dl:
        await page.get_by_role("link", name="Download als CSV").click()
    text = _read(await (await dl.value).path()).decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 2 and ";geweigerd;" in text

    # The chain check: recorded in the log itself, shown with its time.
    await page.goto(ui.url + "/privacy")
    await expect(page.get_by_text("nog niet gecontroleerd")).to_be_visible()
    await page.get_by_role("button", name="Nu controleren").click()
    await expect(page.get_by_text("was intact bij de laatste controle")).to_be_visible()
    await expect(page.locator("dl.facts")).to_contain_text("regels gecontroleerd")


async def test_coach_gets_the_dutch_403_page_and_it_is_logged(
    ui: UiEnv, page: Page, axe, shot
) -> None:
    await ui.sign_in(page, "coach", "team-a", "Anne Jansen")
    for path in ("/privacy", "/privacy/verwerkingen.csv", "/privacy/inzage/" + "0" * 32):
        response = await page.goto(ui.url + path)
        assert response is not None and response.status == 403
        await expect(page.get_by_role("heading", level=1)).to_have_text("Geen toegang")
        await expect(page.get_by_text("vastgelegd in het verwerkingenlog")).to_be_visible()
    assert await axe(page) == []
    await shot(page, "geen-toegang")
    async with ui.hub.ctx.db.read() as conn:
        refused = (
            await conn.execute(
                select(LOG.c.actor, LOG.c.outcome, LOG.c.detail).where(
                    LOG.c.name == "access.refused"
                )
            )
        ).all()
    assert [(r.actor, r.outcome) for r in refused] == [
        (ui.actor("coach", "Anne Jansen"), "forbidden_role")
    ] * 3
    assert refused[0].detail == "GET /privacy"


async def test_pages_fit_a_tablet(ui: UiEnv, browser, shot) -> None:  # type: ignore[no-untyped-def]
    context = await new_context(browser, viewport={"width": 768, "height": 1024}, has_touch=True)
    try:
        page = await context.new_page()
        await _fg(ui, page)
        for path, name in (
            ("/privacy/verwerkingen", "tablet-verwerkingenlog"),
            ("/privacy/toestemmingen", "tablet-toestemmingen"),
        ):
            await page.goto(ui.url + path)
            # Wide tables scroll inside their own box; the page itself never scrolls sideways.
            assert await page.evaluate(
                "() => document.documentElement.scrollWidth <= window.innerWidth"
            )
            await shot(page, name)
    finally:
        await context.close()
