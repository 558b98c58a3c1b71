"""The approver decides knowing what: the coach's motivation, who asks and for whom (names,
within the team), exactly what the partner gets if approved, and the whole advice; no
pseudonym or UUID on screen."""

import re
import shutil

from tests.support.harness import Env
from tests.support.web_client import WebClient, text_of
from tests.support.words import internal_names
from wijkhub.hub.core.auth import person_id_for
from wijkhub.hub.core.settings import example_config_dir
from wijkhub.hub.demo import household
from wijkhub.hub.path.submit import submit
from wijkhub.hub.web.session import create_signin_link
from wijkhub.schemas.advice import AdviceIn

TEAM = "team-a"
UUID_ON_SCREEN = re.compile(
    r"\b[0-9a-f]{32}\b|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-|[a-z_]+/[0-9a-f]{8}\b"
)


async def _sign_in(env: Env, role: str, name: str) -> WebClient:
    browser = WebClient(env.hub.url)
    hop = await browser.get(await create_signin_link(env.hub.ctx, role, TEAM, name, env.hub.url))
    assert hop.status == 303
    return browser


async def _held_advice(env: Env) -> tuple[str, str]:
    shutil.copy(example_config_dir() / "approval.toml", env.hub.ctx.settings.config_path)
    client_id = await env.household()
    author = await _sign_in(env, "coach", "Anne Jansen")  # known to the hub by name
    await author.close()
    body = AdviceIn.model_validate(household.advice(client_id, env.today))
    actor = f"coach/{person_id_for('Anne Jansen')[:8]}"
    advice = await submit(env.hub.ctx, body, actor, team=TEAM, person=person_id_for("Anne Jansen"))
    waiting = [it for it in advice.items if it.delivery_status == "awaiting_approval"]
    assert waiting
    return advice.id.hex, client_id


async def test_the_card_shows_motivation_preview_names_and_a_link(env: Env) -> None:
    advice_id, _ = await _held_advice(env)
    browser = await _sign_in(env, "team_manager", "Bram de Vries")
    try:
        page = await browser.get("/goedkeuringen")
        assert page.status == 200
        text = text_of(page.text)
        # who asks, for whom, and why
        assert "Anne Jansen" in text and "Fenna Maria Testervelde" in text
        assert "Advies: ambulante opvoedondersteuning binnen de OTS van Daan." in text
        # what the partner gets: its legal basis, categories and the client fields it receives
        assert "Wat Jeugdbescherming" in text and "ontvangt als u goedkeurt" in text
        assert 'class="payload"' in page.text
        # no pseudonym or UUID in what a person reads (the raw message is folded away)
        visible = text_of(re.sub(r"<details.*?</details>", "", page.text, flags=re.S))
        visible = re.sub(r"<[^>]+>", "", visible)
        assert "coach/" not in visible
        assert internal_names(visible) == []  # fields and codes of the preview in Dutch
        m = UUID_ON_SCREEN.search(visible)
        assert not m, visible[max(0, m.start() - 300) : m.end() + 50]
        assert f'href="/goedkeuringen/advies/{advice_id}"' in page.text

        whole = await browser.get(f"/goedkeuringen/advies/{advice_id}")
        assert whole.status == 200
        wtext = text_of(whole.text)
        assert "Advies voor Fenna Maria Testervelde" in wtext and "Anne Jansen" in wtext
        assert "Stadsbank Oost Nederland" in wtext and "wacht op goedkeuring" in wtext
        assert not UUID_ON_SCREEN.search(re.sub(r"<[^>]+>", "", wtext))
    finally:
        await browser.close()


async def test_an_approver_of_another_team_sees_neither_card_nor_advice(env: Env) -> None:
    advice_id, _ = await _held_advice(env)
    browser = WebClient(env.hub.url)
    try:
        link = await create_signin_link(
            env.hub.ctx, "team_manager", "team-b", "Carla Smit", env.hub.url
        )
        await browser.get(link)
        page = await browser.get("/goedkeuringen")
        assert "Er wacht niets op uw goedkeuring." in page.text
        assert "Testervelde" not in page.text
        other = await browser.get(f"/goedkeuringen/advies/{advice_id}")
        assert other.status == 404 and "Testervelde" not in other.text
    finally:
        await browser.close()
