"""The inwoner's own pages: sign in with the one-time code a coach handed over, see which
partners received which data and what they did with it, and withdraw a consent (after a
confirmation step, through the very function a coach's withdrawal uses).

An inwoner's session is bound to one client; which pages it opens is decided by
`inwoner_access.viewable` alone (their own from 16, a child's for a parent with authority).
Any other client id is "not found", whether it exists or not, and the attempt is logged.
"""

import ipaddress
import secrets
from datetime import date, datetime

from aiohttp import web

from wijkhub.hub.casework.withdrawal import withdraw
from wijkhub.hub.core.access_log import refused
from wijkhub.hub.core.auth import Principal
from wijkhub.hub.core.clock import AMSTERDAM
from wijkhub.hub.core.errors import ApiError, hex_id, not_found
from wijkhub.hub.core.roles import INWONER
from wijkhub.hub.i18n import dates, gettext
from wijkhub.hub.records import consents as consent_register
from wijkhub.hub.records import inwoner_codes
from wijkhub.hub.records.inwoner_access import Viewable, pages_for
from wijkhub.hub.reports import inwoner_view
from wijkhub.hub.reports.inwoner_letter import SIGNIN_PATH
from wijkhub.hub.web import config, csrf
from wijkhub.hub.web.kit import current, flash_redirect, hub, page, public, render
from wijkhub.hub.web.session import end as end_session
from wijkhub.hub.web.session import use_inwoner_code
from wijkhub.hub.web.signin import local_target, secure_cookie, signed_in
from wijkhub.schemas.consent import Consent, ConsentStatus

HOME = "/inwoner"
WITHDRAWN_REASON_NL = gettext("The resident withdrew the consent on their own page.")
DONE_NL = {
    "ingetrokken": gettext(
        "Your consent is withdrawn. The partners who already had data are told so."
    ),
    "al": gettext("This consent was already withdrawn or expired."),
}
NOT_FOUND_NL = gettext("Page")


def page_path(client_id: str) -> str:
    return f"{HOME}/gegevens/{client_id}"


def source_address(request: web.Request) -> str:
    """Where a sign-in attempt comes from, for the rate limit: the peer, or behind one of the
    configured reverse proxies the address that proxy saw (the last X-Forwarded-For entry,
    the one it appended itself), so the inwoners behind a proxy do not share one limit."""
    peer = request.remote or "onbekend"
    proxies = config.load(hub(request).settings.config_path).trusted_proxies
    forwarded = request.headers.get("X-Forwarded-For", "")
    if not forwarded or not proxies:
        return peer
    try:
        trusted = any(
            ipaddress.ip_address(peer) in ipaddress.ip_network(p, strict=False) for p in proxies
        )
    except ValueError:
        trusted = False
    last = forwarded.split(",")[-1].strip()
    return last[:64] if trusted and last else peer


def back_to(target: str | None) -> str:
    """Where to go after signing in: a page of the inwoner's own part of the hub, else home."""
    target = local_target(target)
    return target if target.startswith(HOME + "/") else HOME


# --- signing in with a code --------------------------------------------------------------------


async def _signin_form(
    request: web.Request, next_path: str, *, error: str | None = None, status: int = 200
) -> web.Response:
    session = current(request)
    token = None if session else secrets.token_urlsafe(32)
    field = csrf.field(session.id if session else token)
    resp = await render(
        request,
        "inwoner/signin.html",
        {
            "form_csrf": field,
            "next": next_path,
            "error": error,
            "signed_out": "afgemeld" in request.query,
        },
        status=status,
    )
    if token:
        settings = config.load(hub(request).settings.config_path)
        resp.set_cookie(
            csrf.PRESESSION_COOKIE,
            token,
            httponly=True,
            samesite="Strict",
            secure=secure_cookie(request, settings),
            path=SIGNIN_PATH,
        )
    resp.headers["Cache-Control"] = "no-store"
    return resp


@public
async def signin_form(request: web.Request) -> web.StreamResponse:
    session = current(request)
    if session is not None and session.client_id:
        raise web.HTTPSeeOther(HOME)
    return await _signin_form(request, back_to(request.query.get("volgende")))


@public
async def signin_post(request: web.Request) -> web.StreamResponse:
    ctx = hub(request)
    form = await request.post()
    typed = str(form.get("code", ""))
    next_path = back_to(str(form.get("volgende", "")))
    try:
        session = await use_inwoner_code(ctx, typed, source_address(request))
    except inwoner_codes.CodeRefused as exc:
        return await _signin_form(request, next_path, error=str(exc), status=exc.status)
    old = current(request)
    if old is not None:
        await end_session(ctx, old.id)
    resp = signed_in(request, session, next_path)
    resp.del_cookie(csrf.PRESESSION_COOKIE, path=SIGNIN_PATH)
    raise resp


# --- the pages ---------------------------------------------------------------------------------


def _bound(request: web.Request) -> str:
    session = current(request)
    if session is None or not session.client_id:
        raise ApiError(403, "forbidden", "Deze pagina is alleen voor inwoners.")
    return session.client_id


async def _allowed(request: web.Request, who: Principal, client_id: str) -> Viewable:
    """The page of `client_id`, if this inwoner may open it; else logged and not found."""
    for v in await pages_for(hub(request), _bound(request)):
        if v.client_id == client_id:
            return v
    await refused(hub(request), who.actor, "other_client", f"{request.method} {request.path}")
    raise not_found(NOT_FOUND_NL)


@page(roles=INWONER, signin=SIGNIN_PATH)
async def overview(request: web.Request, who: Principal) -> web.StreamResponse:
    pages = await pages_for(hub(request), _bound(request))
    if len(pages) == 1:
        raise web.HTTPSeeOther(page_path(pages[0].client_id))
    await inwoner_view.log_choice(hub(request), who.actor, [p.client_id for p in pages])
    return await render(request, "inwoner/choose.html", {"pages": pages, "page_path": page_path})


@page(roles=INWONER, signin=SIGNIN_PATH)
async def own_page(request: web.Request, who: Principal) -> web.StreamResponse:
    client_id = hex_id(request.match_info["client_id"], NOT_FOUND_NL)
    seen = await _allowed(request, who, client_id)
    view = await inwoner_view.build(hub(request), client_id, who.actor, seen.relation)
    others = len(await pages_for(hub(request), _bound(request))) > 1
    resp = await render(
        request,
        "inwoner/page.html",
        {
            "view": view,
            "seen": seen,
            "others": others,
            "done": DONE_NL.get(request.query.get("gedaan", "")),
            "page_path": page_path(client_id),
            **inwoner_view_labels(),
        },
    )
    resp.headers["Cache-Control"] = "no-store"
    return resp


def inwoner_view_labels() -> dict[str, object]:
    return {"nl_day": nl_day, "nl_moment": nl_moment}


def nl_day(value: date) -> str:
    """3 december 2026: a date as people write it."""
    return dates.day(value)


def nl_moment(value: datetime) -> str:
    """3 december 2026 om 10:15 (Dutch time)."""
    local = value.astimezone(AMSTERDAM)
    return f"{nl_day(local.date())} om {local:%H:%M}"


async def _consent(request: web.Request, who: Principal) -> tuple[Viewable, Consent]:
    client_id = hex_id(request.match_info["client_id"], NOT_FOUND_NL)
    seen = await _allowed(request, who, client_id)
    consent_id = hex_id(request.match_info["consent_id"], "Toestemming")
    ctx = hub(request)
    async with ctx.db.read() as conn:
        consent = await consent_register.get(conn, ctx, consent_id)
    if consent is None or consent.client_id.hex != client_id:
        await refused(ctx, who.actor, "other_consent", f"{request.method} {request.path}")
        raise not_found("Toestemming")
    return seen, consent


@page(roles=INWONER, signin=SIGNIN_PATH)
async def confirm_withdrawal(request: web.Request, who: Principal) -> web.StreamResponse:
    seen, consent = await _consent(request, who)
    if consent.status is not ConsentStatus.active:
        raise flash_redirect(page_path(seen.client_id) + "?gedaan=al#toestemmingen")
    view = await inwoner_view.build(hub(request), seen.client_id, who.actor, seen.relation)
    state = next(c for c in view.consents if c.id == consent.id)
    received = [p for p in view.partners if p.partner_id == state.partner_id]
    return await render(
        request,
        "inwoner/withdraw.html",
        {
            "seen": seen,
            "consent": state,
            "received": bool(received),
            "page_path": page_path(seen.client_id),
            "action": request.path,
            **inwoner_view_labels(),
        },
    )


@page(roles=INWONER, signin=SIGNIN_PATH)
async def withdraw_consent(request: web.Request, who: Principal) -> web.StreamResponse:
    seen, consent = await _consent(request, who)
    form = await request.post()
    reason = str(form.get("reden", "")).strip()[:500] or WITHDRAWN_REASON_NL
    try:
        await withdraw(hub(request), consent.id.hex, reason, who.actor)
    except ApiError as exc:
        if exc.status != 409:
            raise
        raise flash_redirect(page_path(seen.client_id) + "?gedaan=al#toestemmingen") from None
    raise flash_redirect(page_path(seen.client_id) + "?gedaan=ingetrokken#toestemmingen")
