"""What page modules use: the page declaration, the signed-in visitor, role checks, templates.

A page module declares its pages with `page`; their paths are in `routes.TABLE`:

    @page(roles=APPROVERS)
    async def awaiting(request: web.Request, who: Principal) -> web.StreamResponse:
        return await render(request, "approvals.html", {...})

The wrapper signs the visitor in (or sends them to the sign-in page), applies the same role
check as the API (`access_log.require_role`: refused attempts logged, Dutch 403 page), and
state-changing requests have had their CSRF token checked (`app.web_middleware`) before any
handler runs.
"""

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp_jinja2
from aiohttp import web

from wijkhub.hub.core import read_log
from wijkhub.hub.core.access_log import require_role
from wijkhub.hub.core.auth import Principal, team_scope
from wijkhub.hub.core.context import CTX, HubContext
from wijkhub.hub.web import csrf, submit_once
from wijkhub.hub.web.session import ROLE_LABELS, WebSession

COOKIE = "wijkhub_sessie"
SESSION_KEY = web.RequestKey("wijkhub_web_session", WebSession)
ROLE_NL = {**ROLE_LABELS, "inwoner": "inwoner"}
SIGNIN_PATH = "/aanmelden"

Handler = Callable[[web.Request, Principal], Awaitable[web.StreamResponse]]
PublicHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Page:
    """A page that needs a signed-in visitor with one of `roles`."""

    handler: Handler
    roles: frozenset[str]
    signin: str = SIGNIN_PATH  # where a visitor who is not signed in is sent


@dataclass(frozen=True)
class Public:
    """A page anyone may open (sign-in, sign-out, the start page)."""

    handler: PublicHandler


def page(*, roles: Collection[str], signin: str = SIGNIN_PATH) -> Callable[[Handler], Page]:
    def deco(fn: Handler) -> Page:
        return Page(fn, frozenset(roles), signin)

    return deco


def public(fn: PublicHandler) -> Public:
    return Public(fn)


def wrap(method: str, path: str, p: Page | Public) -> PublicHandler:
    """The aiohttp handler of one table entry."""
    if isinstance(p, Public):
        return p.handler

    async def handler(request: web.Request) -> web.StreamResponse:
        who = await require(request, p.roles, f"{method} {path}", signin=p.signin)
        return await p.handler(request, who)

    return handler


def hub(request: web.Request) -> HubContext:
    return request.app[CTX]


def current(request: web.Request) -> WebSession | None:
    return request.get(SESSION_KEY)


async def require(
    request: web.Request, roles: Collection[str], what: str = "", *, signin: str = SIGNIN_PATH
) -> Principal:
    """The signed-in Principal, if its role is in `roles` (the API's role sets). Not signed in:
    a redirect to the sign-in page. Wrong role: logged, Dutch 403 page."""
    session = current(request)
    if session is None:
        raise web.HTTPSeeOther(signin + "?volgende=" + quote(request.path_qs, safe=""))
    who = session.principal
    await require_role(hub(request), who, roles, what or f"{request.method} {request.path}")
    return who


def reader(request: web.Request, who: Principal) -> read_log.Reader:
    """Who reads personal data on this page (a browser rarely sends a traceparent; a
    gateway in front of the hub may)."""
    return read_log.Reader(
        who.actor, read_log.foreign_operation(request.headers.get("traceparent"))
    )


def scope(who: Principal) -> str | None:
    """The team whose clients `who` may see (None: across teams). Same rule as the API."""
    return team_scope(who)


async def render(
    request: web.Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> web.Response:
    """A template with `who`, `csrf_field()`, `submit_field()` (a one-time submit token),
    `csrf_token`, `path` and `role_nl` available."""
    return aiohttp_jinja2.render_template(
        template, request, {**template_context(request), **(context or {})}, status=status
    )


def flash_redirect(location: str) -> web.HTTPSeeOther:
    """After a successful POST: redirect (303) so that a reload does not post again."""
    return web.HTTPSeeOther(location)


def template_context(request: web.Request) -> dict[str, Any]:
    session = current(request)
    sid = session.id if session else None
    return {
        "who": session.principal if session else None,
        "session": session,
        "role_nl": ROLE_NL,
        "csrf_token": csrf.token_for(sid) if sid else "",
        "csrf_field": lambda: csrf.field(sid),
        "submit_field": submit_once.field,
        "path": request.path,
    }


async def error_page(request: web.Request, status: int, message: str) -> web.Response:
    titles = {
        400: "Ongeldig verzoek",
        403: "Geen toegang",
        404: "Niet gevonden",
        405: "Niet toegestaan",
        409: "Conflict",
        413: "Te groot",
        422: "Ongeldige invoer",
        429: "Te veel pogingen",
        503: "Tijdelijk niet beschikbaar",
    }
    resp = await render(
        request,
        "error.html",
        {"status": status, "title": titles.get(status, "Er ging iets mis"), "message": message},
        status=status,
    )
    return resp
