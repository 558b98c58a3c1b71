"""Approver pages: items waiting for my approval; approve, or reject with a reason. The same
functions and rules as the API (`approvals`): the author can never approve."""

from aiohttp import web

from ..approval_routes import APPROVERS
from ..approvals import awaiting_for
from ..auth import Principal
from .app import hub, pages, render


@pages.get("/goedkeuringen", roles=APPROVERS)
async def awaiting(request: web.Request, who: Principal) -> web.StreamResponse:
    items = await awaiting_for(hub(request), who)
    return await render(request, "approvals.html", {"items": items})
