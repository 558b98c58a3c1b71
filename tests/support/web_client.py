"""A browser-like HTTP client for the web UI's non-browser tests: its own cookie jar (also
for 127.0.0.1), redirects followed by hand so each hop can be inspected."""

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import aiohttp

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
