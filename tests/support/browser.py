"""What browser tests share besides their fixtures: the running environment (`UiEnv`), a
fresh Dutch browser context, and where screenshots go."""

import asyncio
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from playwright.async_api import Browser, BrowserContext, Page

from tests.support.harness import ApiClient
from tests.support.oidc_provider import TestOidcProvider
from wijkhub.hub.core.auth import person_id_for
from wijkhub.hub.core.clock import FakeClock, local_date
from wijkhub.hub.core.settings import example_config_dir
from wijkhub.hub.demo import household
from wijkhub.hub.demo.simulator import PartnerSimulator
from wijkhub.hub.path.submit import submit as submit_advice
from wijkhub.hub.server.runtime import RunningHub
from wijkhub.hub.web.session import create_signin_link
from wijkhub.schemas.advice import AdviceIn, AdviceOut

ARTIFACTS = Path(os.environ.get("WIJKHUB_TEST_ARTIFACTS", "test-artifacts"))


@dataclass
class UiEnv:
    hub: RunningHub
    sims: dict[str, PartnerSimulator]
    clock: FakeClock
    oidc: TestOidcProvider
    http: aiohttp.ClientSession

    @property
    def url(self) -> str:
        return self.hub.url

    @property
    def config_dir(self) -> Path:
        return self.hub.ctx.settings.config_path

    async def signin_link(self, role: str, team: str | None, label: str) -> str:
        """A one-time URL that signs a browser in (the same label is the same person)."""
        return await create_signin_link(self.hub.ctx, role, team, label, self.hub.url)

    async def sign_in(self, page: Page, role: str, team: str | None, label: str) -> None:
        await page.goto(await self.signin_link(role, team, label))

    async def api(self, role: str, label: str, team: str | None = None) -> ApiClient:
        """An API client with a bearer token (to set up data quickly)."""
        return ApiClient(self.http, await self.hub.token(role, label, team=team))

    def actor(self, role: str, label: str) -> str:
        """How the person signed in through `signin_link(role, _, label)` appears as actor."""
        return f"{role}/{person_id_for(label)[:8]}"

    async def household(self, coach: ApiClient) -> str:
        """The demo household with its three consents, registered by `coach` (API)."""
        today = local_date(self.clock.now())
        r = await coach.post("/api/v1/clients", json=household.CLIENT)
        assert r.status == 201, r.body
        for c in household.consents(today):
            rc = await coach.post(f"/api/v1/clients/{r.body['id']}/consents", json=c)
            assert rc.status == 201, rc.body
        return r.body["id"]

    async def submit_as(self, role: str, team: str, label: str, client_id: str) -> AdviceOut:
        """The demo advice, submitted with the same hub function as the API, by the person a
        sign-in link with this label signs in (so that person is the author)."""
        body = AdviceIn.model_validate(household.advice(client_id, local_date(self.clock.now())))
        return await submit_advice(self.hub.ctx, body, self.actor(role, label), team=team)

    async def delivered(self, advice: AdviceOut) -> None:
        """Wait until every simulator answered every allowed item of `advice`."""
        async with asyncio.timeout(20):
            for it in advice.items:
                if it.decision.allowed and it.delivery_status != "awaiting_approval":
                    sim = self.sims[it.partner_id]
                    await sim.wait_for(lambda s, ref=str(it.id): ref in s.answered)

    def enable_approvals(self) -> None:
        """Copy the example approval.toml (four eyes, mandates) into the hub's config."""
        shutil.copy(example_config_dir() / "approval.toml", self.config_dir)


async def new_context(browser: Browser, **kw: Any) -> BrowserContext:
    """A fresh browser context (own cookies): Dutch, laptop-sized unless told otherwise."""
    return await browser.new_context(
        locale="nl-NL",
        viewport=kw.pop("viewport", {"width": 1280, "height": 800}),
        accept_downloads=True,
        **kw,
    )


async def record_consent(page: Page, partner_name: str, consent: dict[str, Any]) -> None:
    """Fill and send the consent form for one partner on the coach's page open in `page`."""
    box = page.locator("details", has=page.get_by_text(f"Voor {partner_name}", exact=True))
    await box.locator("summary").click()
    for purpose in consent["purposes"]:
        await box.locator(f'input[name="doelen"][value="{purpose}"]').check()
    for cat in consent["categories"]:
        await box.locator(f'input[name="categorieen"][value="{cat}"]').check()
    if consent.get("explicit"):
        await box.get_by_label("Uitdrukkelijke toestemming").check()
    await box.get_by_label("Geldig tot en met").fill(consent["valid_until"])
    await box.get_by_label("Bewijs").fill(consent["evidence_ref"])
    async with page.expect_navigation():
        await box.get_by_role("button", name="Toestemming vastleggen").click()
