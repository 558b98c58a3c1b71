"""The web UI inside the hub's own aiohttp application: sessions, CSRF, Dutch error pages,
templates, static files and the pages of `routes.TABLE`."""

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from wijkhub.hub.core.access_log import anonymous, refused
from wijkhub.hub.core.db import MSG_STORAGE_UNAVAILABLE, RETRY_AFTER_SECONDS, storage_fault
from wijkhub.hub.core.errors import ApiError
from wijkhub.hub.i18n import gettext, ngettext
from wijkhub.hub.web import csrf
from wijkhub.hub.web.kit import (
    COOKIE,
    ROLE_NL,
    SESSION_KEY,
    error_page,
    hub,
    wrap,
)
from wijkhub.hub.web.routes import TABLE
from wijkhub.hub.web.session import load as load_session

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
# Paths that are not pages: the API and operations endpoints keep their JSON behaviour.
NOT_PAGES = ("/api/", "/health", "/metrics", "/.well-known/", "/static/")
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

# --- middleware: session, CSRF, Dutch error pages ------------------------------------------------


def _is_page(request: web.Request) -> bool:
    return not request.path.startswith(NOT_PAGES)


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
            bound = session.id if session else request.cookies.get(csrf.PRESESSION_COOKIE)
            if not csrf.valid(bound, str(given) if given else None):
                if session is None:
                    anonymous(ctx, "csrf")
                else:
                    await refused(
                        ctx, session.principal.actor, "csrf", f"{request.method} {request.path}"
                    )
                return await error_page(
                    request,
                    403,
                    "Dit formulier is verlopen of komt niet van Wijkhub; er is niets gewijzigd. "
                    "Open de pagina opnieuw en probeer het nog eens.",
                )
        resp = await handler(request)
    except ApiError as exc:
        return await error_page(request, exc.status, exc.message)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        if exc.status == 404:
            return await error_page(request, 404, "Deze pagina bestaat niet.")
        return await error_page(request, exc.status, exc.reason)
    except Exception as exc:
        if storage_fault(exc):
            log.warning("storage unavailable on %s %s: %s", request.method, request.path, exc)
            resp = await error_page(request, 503, MSG_STORAGE_UNAVAILABLE)
            resp.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return resp
        log.exception("unhandled error on %s %s", request.method, request.path)
        return await error_page(request, 500, "Interne fout; er is niets half opgeslagen.")
    if resp.content_type == "text/html":
        resp.headers.setdefault("Content-Security-Policy", CSP)
    return resp


def install(app: web.Application) -> None:
    """Add the web UI to the hub's application (called by `hub.app.create_app`)."""
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    # Every text of a page is a catalogue message: {{ _("…") }}, {% trans %}…{% endtrans %}.
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["ROLE_NL"] = ROLE_NL
    app.middlewares.append(web_middleware)
    app.router.add_static("/static/", HERE / "static", append_version=True)
    for method, path, p in TABLE:
        app.router.add_route(method, path, wrap(method, path, p))
