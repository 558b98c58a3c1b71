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

import os
import shutil
import subprocess
import tarfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from tests.support.browser import ARTIFACTS, UiEnv, new_context
from tests.support.oidc_provider import TestOidcProvider
from wijkhub.hub.core.clock import FakeClock
from wijkhub.hub.core.settings import WorkerSettings
from wijkhub.hub.demo.run import start_demo_hub

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


def browser_env() -> dict[str, str]:
    """The browser on the machine's own clock. The suite is also run with the date moved (under
    libfaketime, which Chromium does not survive: clicks hang); the pages read no clock of the
    browser's (no script uses a date), so only the hub's injected clock matters."""
    return {
        k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")
    }


@pytest.fixture
async def browser(chromium_path: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        b = await pw.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_ARGS, env=browser_env()
        )
        try:
            yield b
        finally:
            await b.close()


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
