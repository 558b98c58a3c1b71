"""Four eyes in the browser: two coaches of one team in two browser contexts. The author
cannot approve (not offered, and a forged post is refused); a colleague sees the motivation,
the author and client by name and what the partner will get, opens the whole advice, and can
approve, or reject with a reason. A form posted without its CSRF token changes nothing. No
internal word, pseudonym or serious accessibility violation on the way."""

from playwright.async_api import Browser, Page, expect
from sqlalchemy import select

from tests.support.browser import UiEnv, new_context
from tests.support.words import internal_names
from wijkhub.hub.store.tables import APPROVAL

AUTHOR, COLLEAGUE, TEAM = "Anne Jansen", "Bram de Vries", "team-a"


async def _statuses(ui: UiEnv) -> dict[str, str]:
    async with ui.hub.ctx.db.read() as conn:
        rows = (await conn.execute(select(APPROVAL.c.item_id, APPROVAL.c.status))).all()
    return {r.item_id: r.status for r in rows}


async def _csrf(page: Page) -> str:
    value = await page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert value
    return value


async def test_author_cannot_approve_a_colleague_can(
    ui: UiEnv, browser: Browser, axe, shot
) -> None:
    ui.enable_approvals()
    client_id = await ui.household(await ui.api("coach", "setup", team=TEAM))
    advice = await ui.submit_as("coach", TEAM, AUTHOR, client_id)
    waiting = [it for it in advice.items if it.delivery_status == "awaiting_approval"]
    assert len(waiting) == 2  # GI and Wmo items are four-eyes types in approval.toml
    first, second = (it.id.hex for it in waiting)

    author_ctx, colleague_ctx = await new_context(browser), await new_context(browser)
    author, colleague = await author_ctx.new_page(), await colleague_ctx.new_page()
    try:
        # The author: nothing offered...
        await ui.sign_in(author, "coach", TEAM, AUTHOR)
        await author.goto(ui.url + "/goedkeuringen")
        await expect(author.get_by_text("Er wacht niets op uw goedkeuring.")).to_be_visible()
        # ... and a forged approval, with a valid CSRF token, is refused by the API's rule.
        r = await author.request.post(
            f"{ui.url}/goedkeuringen/{first}/goedkeuren", form={"csrf_token": await _csrf(author)}
        )
        assert r.status == 403
        assert "eigen onderdeel niet zelf goedkeuren" in await r.text()
        assert (await _statuses(ui))[first] == "awaiting"

        # The colleague sees both items.
        await ui.sign_in(colleague, "coach", TEAM, COLLEAGUE)
        await colleague.goto(ui.url + "/goedkeuringen")
        cards = colleague.locator("section.card")
        await expect(cards).to_have_count(2)
        gi = colleague.locator("section.card", has=colleague.locator(f"#item-{first}"))
        await expect(gi.locator(".author-name")).to_contain_text(AUTHOR)
        await expect(gi.locator(".client-name")).to_have_text("Fenna Maria Testervelde")
        await expect(gi.locator(".motivation")).to_have_text(
            "Advies: ambulante opvoedondersteuning binnen de OTS van Daan."
        )
        await expect(gi.get_by_role("heading", name="ontvangt als u goedkeurt")).to_be_visible()
        visible = await colleague.locator("main").inner_text()
        assert ui.actor("coach", AUTHOR) not in visible
        assert internal_names(visible) == [], internal_names(visible)
        assert await axe(colleague) == []
        await shot(colleague, "goedkeuringen")

        # The whole advice, one click away.
        await gi.get_by_role("link", name="Het hele advies bekijken").click()
        await expect(colleague.get_by_role("heading", level=1)).to_have_text(
            "Advies voor Fenna Maria Testervelde"
        )
        await expect(colleague.locator("table")).to_contain_text("wacht op goedkeuring")
        assert internal_names(await colleague.locator("main").inner_text()) == []
        assert await axe(colleague) == []
        await shot(colleague, "goedkeuringen-advies")
        await colleague.go_back()

        # Without its CSRF token the approve form is refused and nothing changes.
        card = colleague.locator("section.card", has=colleague.locator(f"#item-{first}"))
        await card.locator("form").first.evaluate(
            "f => f.querySelector('input[name=csrf_token]').remove()"
        )
        await card.get_by_role("button", name="Goedkeuren").click()
        await expect(colleague.get_by_role("heading", level=1)).to_have_text("Geen toegang")
        await expect(colleague.get_by_text("er is niets gewijzigd")).to_be_visible()
        assert (await _statuses(ui))[first] == "awaiting"

        # With it: approved, and the item goes out.
        await colleague.goto(ui.url + "/goedkeuringen")
        card = colleague.locator("section.card", has=colleague.locator(f"#item-{first}"))
        await card.get_by_role("button", name="Goedkeuren").click()
        await expect(colleague.get_by_role("status")).to_contain_text("goedgekeurd")
        assert (await _statuses(ui))[first] == "approved"

        # Reject the other with a reason: back to draft, never sent.
        card = colleague.locator("section.card", has=colleague.locator(f"#item-{second}"))
        await card.get_by_label("Reden van afwijzen").fill("Eerst overleg met de GI nodig.")
        await card.get_by_role("button", name="Afwijzen").click()
        await expect(colleague.get_by_role("status")).to_contain_text("afgewezen")
        await expect(colleague.get_by_text("Er wacht niets op uw goedkeuring.")).to_be_visible()
        assert (await _statuses(ui)) | {} == {first: "approved", second: "rejected"}

        # The author's forged post after the decision is still refused, never a 500.
        r = await author.request.post(
            f"{ui.url}/goedkeuringen/{second}/goedkeuren", form={"csrf_token": await _csrf(author)}
        )
        assert r.status in (403, 409)
    finally:
        await author_ctx.close()
        await colleague_ctx.close()
