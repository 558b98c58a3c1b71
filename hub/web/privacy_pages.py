"""Privacy officer pages: consent register, processing log, access report (HTML, PDF), CSV.
Read-only, the privacy officer's role only (the API's role set)."""

from aiohttp import web

from ..auth import Principal
from ..privacy_officer import PRIVACY_OFFICER
from .app import pages, render


@pages.get("/privacy", roles=PRIVACY_OFFICER)
async def overview(request: web.Request, who: Principal) -> web.StreamResponse:
    return await render(request, "privacy/overview.html", {})
