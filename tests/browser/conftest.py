"""Browser tests: Playwright for Python driving Debian's Chromium against a real hub.

No browser is ever downloaded: the tests launch /usr/bin/chromium (`.ci/run` installs Debian's
`chromium` when it is missing). Without it the tests skip locally and fail under CI (`CI` set).
axe-core comes from the npm registry (`npm pack`, pinned) into a cache outside git.

Fixtures:
- `ui`: a running hub (worker on, FakeClock) with the four partner simulators, a real test
  OIDC provider on loopback wired in through `web.toml`, and helpers (`UiEnv`).
- `browser`: Chromium; `context` / `page`: a fresh context (Dutch locale) and a page in it.
- `axe`: `await axe(page)` returns the violations of serious or critical impact.
- `shot`: `await shot(page, "name")` writes test-artifacts/screenshots/name.png (gitignored).
"""

import asyncio
import os
import shutil
import subprocess
import tarfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from tests.support.harness import ApiClient
from tests.support.oidc_provider import TestOidcProvider
from wijkhub.hub.core.auth import person_id_for
from wijkhub.hub.core.clock import FakeClock, local_date
from wijkhub.hub.core.settings import WorkerSettings, example_config_dir
from wijkhub.hub.demo import household
from wijkhub.hub.demo.run import start_demo_hub
from wijkhub.hub.demo.simulator import PartnerSimulator
from wijkhub.hub.path.submit import submit as submit_advice
from wijkhub.hub.server.runtime import RunningHub
from wijkhub.hub.web.session import create_signin_link
from wijkhub.schemas.advice import AdviceIn, AdviceOut

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
AXE_VERSION = "4.10.3"
AXE_CACHE = Path(os.environ.get("WIJKHUB_TEST_CACHE", Path.home() / ".cache" / "wijkhub-tests"))
ARTIFACTS = Path(os.environ.get("WIJKHUB_TEST_ARTIFACTS", "test-artifacts"))
ROOT = Path(__file__).resolve().parents[2]

# Users of the test identity provider: key = what the sign-in form offers.
OIDC_USERS: dict[str, dict[str, Any]] = {
    "coach-a": {
        "sub": "u-coach-a",
        "name": "Anne Jansen",
        "roles": ["wijkcoach"],
        "team": "team-a",
    },
    "coach-b": {
        "sub": "u-coach-b",
        "name": "Bram de Vries",
        "roles": ["wijkcoach"],
        "team": "team-a",
    },
    "manager": {
        "sub": "u-mgr",
        "name": "Mirjam Bakker",
        "roles": ["teammanager"],
        "team": "team-a",
    },
    "fg": {"sub": "u-fg", "name": "Fatima el Amrani", "roles": ["fg"]},
    "norole": {"sub": "u-none", "name": "Zonder Rol", "roles": ["iets-anders"]},
}


def _unavailable(why: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{why} (CI is set: browser tests must run)")
    pytest.skip(why)


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        _unavailable("/usr/bin/chromium ontbreekt: apt-get install -y chromium")
    return CHROMIUM


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's axe.min.js, from the npm registry once, cached outside the repository."""
    target = AXE_CACHE / f"axe-core-{AXE_VERSION}" / "axe.min.js"
    if not target.exists():
        if shutil.which("npm") is None:
            _unavailable("npm ontbreekt: axe-core kan niet worden opgehaald")
        target.parent.mkdir(parents=True, exist_ok=True)
        out = subprocess.run(
            ["npm", "pack", f"axe-core@{AXE_VERSION}", "--pack-destination", str(target.parent)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if out.returncode != 0:
            _unavailable(f"npm pack axe-core@{AXE_VERSION} mislukte: {out.stderr[-500:]}")
        tgz = target.parent / f"axe-core-{AXE_VERSION}.tgz"
        with tarfile.open(tgz) as tar:
            member = tar.getmember("package/axe.min.js")
            data = tar.extractfile(member)
            assert data is not None
            target.write_bytes(data.read())
        tgz.unlink()
    return target.read_text()


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


@pytest.fixture
async def ui(tmp_path: Path, db_url: str | None) -> AsyncIterator[UiEnv]:
    clock = FakeClock()
    oidc = await TestOidcProvider(users=OIDC_USERS, now=clock.now).start()
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    (config_dir / "web.toml").write_text(oidc.web_toml())
    hub, sims = await start_demo_hub(
        tmp_path,
        clock=clock,
        run_worker=True,
        database_url=db_url,
        worker=WorkerSettings(
            backoff_initial=0.2, backoff_max=2.0, backoff_jitter=0.1, poll_interval=0.1
        ),
    )
    for sim in sims.values():
        sim.now = clock.now
    http = aiohttp.ClientSession(base_url=hub.url)
    try:
        yield UiEnv(hub, sims, clock, oidc, http)
    finally:
        await http.close()
        await hub.close()
        for sim in sims.values():
            await sim.close()
        await oidc.close()


@pytest.fixture
async def browser(chromium_path: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            await b.close()


async def new_context(browser: Browser, **kw: Any) -> BrowserContext:
    """A fresh browser context (own cookies): Dutch, laptop-sized unless told otherwise."""
    return await browser.new_context(
        locale="nl-NL",
        viewport=kw.pop("viewport", {"width": 1280, "height": 800}),
        accept_downloads=True,
        **kw,
    )


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    ctx = await new_context(browser)
    try:
        yield ctx
    finally:
        await ctx.close()


@pytest.fixture
async def page(context: BrowserContext) -> Page:
    return await context.new_page()


@pytest.fixture
def axe(axe_source: str) -> Callable[[Page], Awaitable[list[dict[str, Any]]]]:
    async def run(page: Page) -> list[dict[str, Any]]:
        # Evaluated through the DevTools protocol: not subject to the page's CSP.
        if not await page.evaluate("() => typeof window.axe === 'object'"):
            await page.evaluate(axe_source)
        result = await page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        )
        return [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:5],
            }
            for v in result
            if v["impact"] in ("serious", "critical")
        ]

    return run


@pytest.fixture
def shot() -> Callable[[Page, str], Awaitable[Path]]:
    async def take(page: Page, name: str) -> Path:
        path = ARTIFACTS / "screenshots" / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(path), full_page=True)
        return path

    return take
