"""The coach's search by BSN never puts the BSN in a URL: not in what the browser requests
(its history, a proxy's log) and not in the hub's own access log."""

import logging
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest

from tests.support.web_client import CSRF_FIELD
from wijkhub.hub.core.clock import FakeClock
from wijkhub.hub.demo import household
from wijkhub.hub.demo.run import start_demo_hub
from wijkhub.hub.web.session import create_signin_link

SEARCH_FORM = re.compile(r'<form method="(\w+)" action="([^"]+)"[^>]*role="search"')
BSN = household.CLIENT["bsn"]
# However a coach types it: the digits must not appear in a URL in any of these forms.
TYPED = [BSN, f"{BSN[:3]} {BSN[3:6]} {BSN[6:]}", f"{BSN[:4]}.{BSN[4:6]}.{BSN[6:]}"]


async def test_a_bsn_search_leaves_no_bsn_in_any_url_or_access_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    access = logging.getLogger("wijkhub.test.access")
    caplog.set_level(logging.INFO, logger=access.name)
    hub, sims = await start_demo_hub(
        tmp_path, clock=FakeClock(), run_worker=False, access_log=access
    )
    requested: list[str] = []

    async def on_start(_s: Any, _c: SimpleNamespace, params: Any) -> None:
        requested.append(str(params.url))

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_start)
    http = aiohttp.ClientSession(
        base_url=hub.url, cookie_jar=aiohttp.CookieJar(unsafe=True), trace_configs=[trace]
    )
    try:
        token = await hub.token("coach", "coach", team="team-a")
        async with http.post(
            "/api/v1/clients",
            json=household.CLIENT,
            headers={"Authorization": f"Bearer {token}"},
        ) as r:
            assert r.status == 201
            client_id = (await r.json())["id"].replace("-", "")
        link = await create_signin_link(hub.ctx, "coach", "team-a", "Anna")
        async with http.get(link.removeprefix(hub.url)) as r:
            assert r.status == 200
        async with http.get("/coach") as r:
            page = await r.text()
        # The search form as the page declares it, submitted as a browser would.
        search = SEARCH_FORM.search(page)
        csrf = CSRF_FIELD.search(page)
        assert search is not None and csrf is not None, page[:500]
        method, action = search.group(1).upper(), search.group(2)
        for typed in TYPED:
            form = {"zoek": typed, "csrf_token": csrf.group(1)}
            sent = {"data": form} if method == "POST" else {"params": form}
            async with http.request(method, action, **sent) as r:
                assert r.status == 200
                assert f"/coach/clienten/{client_id}" in await r.text()
                # The result page's own address has no query in it.
                assert not r.url.query_string, r.url
    finally:
        await http.close()
        await hub.close()
        for sim in sims.values():
            await sim.close()
    lines = [rec.getMessage() for rec in caplog.records if rec.name == access.name]
    assert any("/coach/zoeken" in line for line in lines), lines  # the log is really kept
    assert requested and any(u.endswith("/coach/zoeken") for u in requested)
    for text in requested + lines:
        assert BSN not in text.replace(" ", "").replace(".", "").replace("%20", ""), text
