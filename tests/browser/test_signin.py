"""Signing in through the test OIDC provider in a real browser; wrong and replayed codes."""

import re

from playwright.async_api import Browser, Page, expect

from tests.support.browser import UiEnv, new_context


async def test_coach_signs_in_through_oidc_and_out_again(ui: UiEnv, page: Page, axe, shot) -> None:
    await page.goto(ui.url + "/goedkeuringen")
    # Not signed in: the sign-in page, which remembers where we were going.
    await expect(page).to_have_url(re.compile(r"/aanmelden\?volgende="))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Aanmelden bij Wijkhub")
    assert await axe(page) == []
    await shot(page, "aanmelden")
    await page.get_by_role("link", name="Aanmelden met uw organisatieaccount").click()
    # The provider's own sign-in form.
    await expect(page.get_by_role("heading", name="Test-identiteitsprovider")).to_be_visible()
    await page.get_by_label("Gebruiker").select_option("coach-a")
    await page.get_by_role("button", name="Inloggen").click()
    await expect(page).to_have_url(ui.url + "/goedkeuringen")
    await expect(page.get_by_text("Anne Jansen")).to_be_visible()
    await expect(page.get_by_text("(wijkcoach, team-a)")).to_be_visible()
    cookie = next(c for c in await page.context.cookies() if c["name"] == "wijkhub_sessie")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and not cookie["secure"]

    await page.get_by_role("button", name="Afmelden").click()
    await expect(page.get_by_text("U bent afgemeld.")).to_be_visible()
    await page.goto(ui.url + "/goedkeuringen")
    await expect(page).to_have_url(re.compile(r"/aanmelden"))


async def _callback_url(ui: UiEnv, page: Page, user: str) -> str:
    await page.goto(ui.url + "/aanmelden/oidc")
    await page.get_by_label("Gebruiker").select_option(user)
    await page.get_by_role("button", name="Inloggen").click()
    link = page.get_by_role("link", name="Doorgaan naar Wijkhub")
    href = await link.get_attribute("href")
    assert href and "/oidc/callback?code=" in href
    return href


def _signed_in(cookies: list) -> bool:  # type: ignore[type-arg]
    return "wijkhub_sessie" in {c["name"] for c in cookies}


async def test_wrong_and_replayed_codes_are_refused(ui: UiEnv, browser: Browser) -> None:
    ui.oidc.confirm_redirect = True
    first = await new_context(browser)
    page = await first.new_page()

    # A wrong code with the right state: the provider refuses it, so does the hub.
    callback = await _callback_url(ui, page, "fg")
    wrong = re.sub(r"code=[^&]+", "code=verkeerd", callback)
    await page.goto(wrong)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Geen toegang")
    await expect(page.get_by_text("weigerde de aanmelding")).to_be_visible()
    assert ui.oidc.refused == ["unknown code"]
    assert not _signed_in(await first.cookies())

    # A genuine sign-in works...
    callback = await _callback_url(ui, page, "fg")
    await page.goto(callback)
    await expect(page.get_by_text("Fatima el Amrani")).to_be_visible()
    assert _signed_in(await first.cookies())

    # ... and replaying its callback in another browser signs nobody in.
    second = await new_context(browser)
    thief = await second.new_page()
    await thief.goto(callback)
    await expect(thief.get_by_role("heading", level=1)).to_have_text("Geen toegang")
    assert not _signed_in(await second.cookies())
    # Even with the hub's state still unused, the provider refuses a used code.
    again = await _callback_url(ui, thief, "fg")
    used_code = re.search(r"code=([^&]+)", callback).group(1)  # type: ignore[union-attr]
    await thief.goto(re.sub(r"code=[^&]+", f"code={used_code}", again))
    await expect(thief.get_by_text("weigerde de aanmelding")).to_be_visible()
    assert ui.oidc.refused == ["unknown code", "code already used"]
    assert not _signed_in(await second.cookies())
    await first.close()
    await second.close()
