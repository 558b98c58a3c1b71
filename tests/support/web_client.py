"""Browser-like HTTP clients for the web UI's non-browser tests: `WebClient` keeps its own
cookie jar (also for 127.0.0.1) and follows redirects by hand so each hop can be inspected;
`Browser` is a client already signed in through a one-time link that fills in the CSRF field."""

import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import aiohttp

from tests.support.harness import Env
from wijkhub.hub.demo import household
from wijkhub.hub.web.session import create_signin_link

CSRF_FIELD = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@dataclass
class Hop:
    status: int
    url: str
    location: str | None
    text: str
    headers: Any


class WebClient:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.jar = aiohttp.CookieJar(unsafe=True)
        self.http = aiohttp.ClientSession(cookie_jar=self.jar)

    async def close(self) -> None:
        await self.http.close()

    def _url(self, path: str) -> str:
        return path if path.startswith("http") else self.base_url + path

    async def request(self, method: str, path: str, **kw: Any) -> Hop:
        async with self.http.request(method, self._url(path), allow_redirects=False, **kw) as r:
            loc = r.headers.get("Location")
            return Hop(
                r.status,
                str(r.url),
                urljoin(str(r.url), loc) if loc else None,
                await r.text(),
                r.headers,
            )

    async def get(self, path: str, **kw: Any) -> Hop:
        return await self.request("GET", path, **kw)

    async def post(self, path: str, **kw: Any) -> Hop:
        return await self.request("POST", path, **kw)

    async def follow(self, hop: Hop, limit: int = 10) -> Hop:
        while hop.location and limit:
            hop = await self.get(hop.location)
            limit -= 1
        return hop

    def cookie(self, name: str = "wijkhub_sessie") -> str | None:
        for c in self.jar:
            if c.key == name:
                return c.value
        return None

    async def csrf(self, path: str = "/") -> str:
        page = await self.follow(await self.get(path))
        m = CSRF_FIELD.search(page.text)
        assert m, page.text[:500]
        return m.group(1)


class Browser:
    """A cookie-keeping HTTP client signed in through a one-time link."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session
        self.csrf = ""

    async def get(self, path: str) -> tuple[int, str]:
        async with self.session.get(path) as r:
            text = await r.text()
        m = CSRF_FIELD.search(text)
        if m:
            self.csrf = m.group(1)
        return r.status, text

    async def post(
        self, path: str, data: list[tuple[str, str]], *, csrf: bool = True
    ) -> tuple[int, str, str]:
        form = [*data, ("csrf_token", self.csrf)] if csrf else data
        async with self.session.post(path, data=form) as r:
            return r.status, await r.text(), str(r.url.path)


async def signed_in(env: Env, role: str = "coach", team: str | None = "team-a") -> Browser:
    session = aiohttp.ClientSession(base_url=env.hub.url, cookie_jar=aiohttp.CookieJar(unsafe=True))
    env_sessions.append(session)
    link = await create_signin_link(env.hub.ctx, role, team, f"web {role} {team}")
    async with session.get(link.removeprefix(env.hub.url)) as r:
        assert r.status == 200, await r.text()
    return Browser(session)


env_sessions: list[aiohttp.ClientSession] = []


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def composer_form(
    today: Any, *, items: list[dict[str, Any]] | None = None
) -> list[tuple[str, str]]:
    """The demo advice as the composer's form fields."""
    rows = items or household.advice("0" * 32, today)["items"]
    form = [("aantal", str(len(rows))), ("samenvatting", "Huurachterstand en schulden")]
    for i, it in enumerate(rows):
        pre = f"item-{i}-"
        form += [
            (pre + "soort", f"{it['partner_id']}|{it['advice_type']}"),
            (pre + "motivatie", it["motivation"]),
            (pre + "urgentie", it.get("urgency", "normal")),
            (pre + "datum", ""),
        ]
        form += [(pre + "dreiging", t) for t in it.get("threats", [])]
        for k, v in it.get("parameters", {}).items():
            if k.endswith("_cents"):  # the composer takes amounts in euros
                v = f"{v / 100:.2f}".replace(".", ",")
            form.append((pre + "p-" + k, str(v).lower() if isinstance(v, bool) else str(v)))
    return form
