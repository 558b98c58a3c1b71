"""Signing in and out: the sign-in page, OpenID Connect, one-time links, the start page."""

import ipaddress
from urllib.parse import urlsplit

from aiohttp import web

from wijkhub.hub.core.access_log import anonymous
from wijkhub.hub.web import config, oidc
from wijkhub.hub.web.kit import COOKIE, current, error_page, hub, public, render
from wijkhub.hub.web.session import SigninError, WebSession, use_signin_link
from wijkhub.hub.web.session import end as end_session


def secure_cookie(request: web.Request, settings: config.WebSettings) -> bool:
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


def signed_in(request: web.Request, session: WebSession, location: str) -> web.HTTPSeeOther:
    settings = config.load(hub(request).settings.config_path)
    resp = web.HTTPSeeOther(location)
    resp.set_cookie(
        COOKIE,
        session.id,
        httponly=True,
        samesite="Lax",
        secure=secure_cookie(request, settings),
        path="/",
    )
    return resp


def local_target(target: str | None) -> str:
    """Only a path on this hub is a place to return to (no open redirect)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def redirect_uri(request: web.Request) -> str:
    oidc_settings = oidc.settings(hub(request))
    if oidc_settings.redirect_url:
        return oidc_settings.redirect_url
    return f"{request.scheme}://{request.host}{oidc.CALLBACK_PATH}"


@public
async def signin_page(request: web.Request) -> web.StreamResponse:
    settings = config.load(hub(request).settings.config_path)
    return await render(
        request,
        "signin.html",
        {
            "next": local_target(request.query.get("volgende")),
            "oidc": settings.oidc is not None,
            "link_minutes": f"{settings.signin_link_minutes:g}",
            "signed_out": "afgemeld" in request.query,
        },
    )


@public
async def signin_oidc(request: web.Request) -> web.StreamResponse:
    try:
        url = await oidc.begin(
            hub(request), redirect_uri(request), local_target(request.query.get("volgende"))
        )
    except SigninError as exc:
        return await signin_failed(request, str(exc))
    raise web.HTTPSeeOther(url)


async def signin_failed(request: web.Request, message: str) -> web.Response:
    anonymous(hub(request), "signin_failed")
    return await error_page(request, 403, message)


@public
async def oidc_callback(request: web.Request) -> web.StreamResponse:
    code, state = request.query.get("code"), request.query.get("state")
    if "error" in request.query or not code or not state:
        return await signin_failed(request, "Aanmelden is afgebroken of geweigerd.")
    try:
        session, back = await oidc.finish(hub(request), code, state, redirect_uri(request))
    except SigninError as exc:
        return await signin_failed(request, str(exc))
    raise signed_in(request, session, local_target(back))


@public
async def signin_link(request: web.Request) -> web.StreamResponse:
    try:
        session = await use_signin_link(hub(request), request.match_info["token"])
    except SigninError as exc:
        return await signin_failed(request, str(exc))
    raise signed_in(request, session, "/")


@public
async def signout(request: web.Request) -> web.StreamResponse:
    session = current(request)
    if session is not None:
        await end_session(hub(request), session.id)
    # An inwoner goes back to the page where inwoners sign in.
    back = "/inwoner/aanmelden" if session is not None and session.client_id else "/aanmelden"
    resp = web.HTTPSeeOther(back + "?afgemeld=1")
    resp.del_cookie(COOKIE, path="/")
    raise resp


HOME_BY_ROLE = {
    "coach": "/coach",
    "team_manager": "/goedkeuringen",
    "cluster_manager": "/goedkeuringen",
    "privacy_officer": "/privacy",
    "team_leader": "/team/ketenrapport",
    "inwoner": "/inwoner",
}


@public
async def home(request: web.Request) -> web.StreamResponse:
    session = current(request)
    if session is None:
        raise web.HTTPSeeOther("/aanmelden")
    target = HOME_BY_ROLE.get(session.role)
    if target:
        raise web.HTTPSeeOther(target)
    return await render(request, "home.html")
