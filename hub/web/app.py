"""The web UI inside the hub's own aiohttp application: page registry, sessions, CSRF,
Dutch error pages, templates and static files.

A page module declares its pages on `pages` (like API routes on `api`):

    @pages.get("/goedkeuringen", roles=APPROVERS)
    async def awaiting(request: web.Request, who: Principal) -> web.StreamResponse:
        return await render(request, "approvals.html", {...})

The wrapper signs the visitor in (or sends them to the sign-in page), applies the same role
check as the API (`access_log.require_role`: refused attempts logged, Dutch 403 page), and
state-changing requests have had their CSRF token checked before any handler runs.
"""

import importlib.util
import ipaddress
import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp_jinja2
import jinja2
from aiohttp import web

from wijkhub.hub.api.kit import CTX
from wijkhub.hub.core.access_log import refused, require_role
from wijkhub.hub.core.auth import Principal, team_scope
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import ApiError
from wijkhub.hub.web import config, csrf, oidc
from wijkhub.hub.web.session import LINK_PATH, SigninError, WebSession, use_signin_link
from wijkhub.hub.web.session import end as end_session
from wijkhub.hub.web.session import load as load_session

log = logging.getLogger(__name__)
COOKIE = "wijkhub_sessie"
SESSION_KEY = web.RequestKey("wijkhub_web_session", WebSession)
HERE = Path(__file__).parent
# Paths that are not pages: the API and operations endpoints keep their JSON behaviour.
NOT_PAGES = ("/api/", "/health", "/metrics", "/.well-known/", "/static/")
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
ROLE_NL = {
    "coach": "wijkcoach",
    "team_manager": "teammanager",
    "cluster_manager": "clustermanager",
    "team_leader": "teamleider",
    "privacy_officer": "privacyfunctionaris",
    "admin": "beheerder",
}

Handler = Callable[[web.Request, Principal], Awaitable[web.StreamResponse]]


@dataclass
class Page:
    method: str
    path: str
    handler: Handler
    roles: frozenset[str]


class Pages:
    def __init__(self) -> None:
        self.pages: list[Page] = []

    def route(self, method: str, path: str, *, roles: Collection[str]) -> Callable[[Handler], Any]:
        def deco(fn: Handler) -> Handler:
            self.pages.append(Page(method, path, fn, frozenset(roles)))
            return fn

        return deco

    def get(self, path: str, *, roles: Collection[str]) -> Callable[[Handler], Any]:
        return self.route("GET", path, roles=roles)

    def post(self, path: str, *, roles: Collection[str]) -> Callable[[Handler], Any]:
        return self.route("POST", path, roles=roles)

    def install(self, app: web.Application) -> None:
        for p in self.pages:
            app.router.add_route(p.method, p.path, _wrap(p))


pages = Pages()


def _wrap(p: Page) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handler(request: web.Request) -> web.StreamResponse:
        who = await require(request, p.roles, f"{p.method} {p.path}")
        return await p.handler(request, who)

    return handler


# --- what handlers use -------------------------------------------------------------------------


def hub(request: web.Request) -> HubContext:
    return request.app[CTX]


def current(request: web.Request) -> WebSession | None:
    return request.get(SESSION_KEY)


async def require(request: web.Request, roles: Collection[str], what: str = "") -> Principal:
    """The signed-in Principal, if its role is in `roles` (the API's role sets). Not signed in:
    a redirect to the sign-in page. Wrong role: logged, Dutch 403 page."""
    session = current(request)
    if session is None:
        raise web.HTTPSeeOther("/aanmelden?volgende=" + quote(request.path_qs, safe=""))
    who = session.principal
    await require_role(hub(request), who, roles, what or f"{request.method} {request.path}")
    return who


def scope(who: Principal) -> str | None:
    """The team whose clients `who` may see (None: across teams). Same rule as the API."""
    return team_scope(who)


async def render(
    request: web.Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> web.Response:
    """A template with `who`, `csrf_field()`, `csrf_token`, `path` and `role_nl` available."""
    return aiohttp_jinja2.render_template(
        template, request, {**_context(request), **(context or {})}, status=status
    )


def flash_redirect(location: str) -> web.HTTPSeeOther:
    """After a successful POST: redirect (303) so that a reload does not post again."""
    return web.HTTPSeeOther(location)


def _context(request: web.Request) -> dict[str, Any]:
    session = current(request)
    sid = session.id if session else None
    return {
        "who": session.principal if session else None,
        "session": session,
        "role_nl": ROLE_NL,
        "csrf_token": csrf.token_for(sid) if sid else "",
        "csrf_field": lambda: csrf.field(sid),
        "path": request.path,
    }


# --- middleware: session, CSRF, Dutch error pages ------------------------------------------------


def _is_page(request: web.Request) -> bool:
    return not request.path.startswith(NOT_PAGES)


async def _error_page(request: web.Request, status: int, message: str) -> web.Response:
    titles = {
        400: "Ongeldig verzoek",
        403: "Geen toegang",
        404: "Niet gevonden",
        405: "Niet toegestaan",
        409: "Conflict",
        413: "Te groot",
        422: "Ongeldige invoer",
    }
    resp = await render(
        request,
        "error.html",
        {"status": status, "title": titles.get(status, "Er ging iets mis"), "message": message},
        status=status,
    )
    return resp


@web.middleware
async def web_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    if not _is_page(request):
        return await handler(request)
    ctx = hub(request)
    sid = request.cookies.get(COOKIE)
    session = await load_session(ctx, sid) if sid else None
    if session is not None:
        request[SESSION_KEY] = session
    try:
        if request.method in UNSAFE:
            form = (
                await request.post()
                if request.content_type.endswith("form-data")
                or (request.content_type == "application/x-www-form-urlencoded")
                else {}
            )
            given = request.headers.get(csrf.HEADER) or form.get(csrf.FIELD)
            if not csrf.valid(session.id if session else None, str(given) if given else None):
                who = session.principal.actor if session else "anonymous"
                await refused(ctx, who, "csrf", f"{request.method} {request.path}")
                return await _error_page(
                    request,
                    403,
                    "Dit formulier is verlopen of komt niet van Wijkhub; er is niets gewijzigd. "
                    "Open de pagina opnieuw en probeer het nog eens.",
                )
        resp = await handler(request)
    except ApiError as exc:
        return await _error_page(request, exc.status, exc.message)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        if exc.status == 404:
            return await _error_page(request, 404, "Deze pagina bestaat niet.")
        return await _error_page(request, exc.status, exc.reason)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return await _error_page(request, 500, "Interne fout; er is niets half opgeslagen.")
    if resp.content_type == "text/html":
        resp.headers.setdefault("Content-Security-Policy", CSP)
    return resp


async def _error_page_500(request: web.Request, message: str) -> web.Response:
    return await _error_page(request, 500, message)


# --- sign-in and sign-out ----------------------------------------------------------------------


def _secure(request: web.Request, settings: config.WebSettings) -> bool:
    if settings.cookie_secure != "auto":
        return settings.cookie_secure == "always"
    if request.scheme == "https":
        return True
    peer = request.remote or ""
    try:
        trusted = any(
            ipaddress.ip_address(peer) in ipaddress.ip_network(p, strict=False)
            for p in settings.trusted_proxies
        )
    except ValueError:
        trusted = False
    return trusted and request.headers.get("X-Forwarded-Proto", "").lower() == "https"


def _signed_in(request: web.Request, session: WebSession, location: str) -> web.HTTPSeeOther:
    settings = config.load(hub(request).settings.config_path)
    resp = web.HTTPSeeOther(location)
    resp.set_cookie(
        COOKIE,
        session.id,
        httponly=True,
        samesite="Lax",
        secure=_secure(request, settings),
        path="/",
    )
    return resp


def _local(target: str | None) -> str:
    """Only a path on this hub is a place to return to (no open redirect)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _redirect_uri(request: web.Request) -> str:
    oidc_settings = oidc.settings(hub(request))
    if oidc_settings.redirect_url:
        return oidc_settings.redirect_url
    return f"{request.scheme}://{request.host}{oidc.CALLBACK_PATH}"


async def signin_page(request: web.Request) -> web.StreamResponse:
    settings = config.load(hub(request).settings.config_path)
    return await render(
        request,
        "signin.html",
        {
            "next": _local(request.query.get("volgende")),
            "oidc": settings.oidc is not None,
            "signed_out": "afgemeld" in request.query,
        },
    )


async def signin_oidc(request: web.Request) -> web.StreamResponse:
    try:
        url = await oidc.begin(
            hub(request), _redirect_uri(request), _local(request.query.get("volgende"))
        )
    except SigninError as exc:
        return await _signin_failed(request, str(exc))
    raise web.HTTPSeeOther(url)


async def _signin_failed(request: web.Request, message: str) -> web.Response:
    await refused(hub(request), "anonymous", "signin_failed", f"{request.path}: {message}")
    return await _error_page(request, 403, message)


async def oidc_callback(request: web.Request) -> web.StreamResponse:
    code, state = request.query.get("code"), request.query.get("state")
    if "error" in request.query or not code or not state:
        return await _signin_failed(request, "Aanmelden is afgebroken of geweigerd.")
    try:
        session, back = await oidc.finish(hub(request), code, state, _redirect_uri(request))
    except SigninError as exc:
        return await _signin_failed(request, str(exc))
    raise _signed_in(request, session, _local(back))


async def signin_link(request: web.Request) -> web.StreamResponse:
    try:
        session = await use_signin_link(hub(request), request.match_info["token"])
    except SigninError as exc:
        return await _signin_failed(request, str(exc))
    raise _signed_in(request, session, "/")


async def signout(request: web.Request) -> web.StreamResponse:
    session = current(request)
    if session is not None:
        await end_session(hub(request), session.id)
    resp = web.HTTPSeeOther("/aanmelden?afgemeld=1")
    resp.del_cookie(COOKIE, path="/")
    raise resp


HOME_BY_ROLE = {
    "coach": "/coach",
    "team_manager": "/goedkeuringen",
    "cluster_manager": "/goedkeuringen",
    "privacy_officer": "/privacy",
    "team_leader": "/team/ketenrapport",
}


async def home(request: web.Request) -> web.StreamResponse:
    session = current(request)
    if session is None:
        raise web.HTTPSeeOther("/aanmelden")
    target = HOME_BY_ROLE.get(session.role)
    if target and any(p.path == target for p in pages.pages):
        raise web.HTTPSeeOther(target)
    return await render(request, "home.html")


# --- installing ------------------------------------------------------------------------------


def _import_page_modules() -> None:
    from wijkhub.hub.web import approver_pages, privacy_pages, team_pages  # noqa: F401

    # The coach pages are built beside this module; registered when present.
    if importlib.util.find_spec(f"{__package__}.coach_pages") is not None:
        importlib.import_module(f"{__package__}.coach_pages")


def install(app: web.Application) -> None:
    """Add the web UI to the hub's application (called by `hub.app.create_app`)."""
    _import_page_modules()
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
    )
    env.globals["ROLE_NL"] = ROLE_NL
    app.middlewares.append(web_middleware)
    app.router.add_get("/", home)
    app.router.add_get("/aanmelden", signin_page)
    app.router.add_get("/aanmelden/oidc", signin_oidc)
    app.router.add_get(LINK_PATH + "{token}", signin_link)
    app.router.add_get(oidc.CALLBACK_PATH, oidc_callback)
    app.router.add_post("/afmelden", signout)
    app.router.add_static("/static/", HERE / "static", append_version=True)
    pages.install(app)
