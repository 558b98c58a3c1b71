"""One-time submit tokens: a form posted twice (a double click, a reload, a browser that
sends again after a time-out) changes the data once.

Every form that creates something carries a fresh random token (`submit_field()` in
templates, field `verzendsleutel`). The page runs its change through the same idempotency
keys as the API (`core.idempotency.once`), keyed by the signed-in person and the token, and
stores where it redirected to; the second post gets the same redirect.
"""

import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web
from markupsafe import Markup

from wijkhub.hub.core.auth import Principal
from wijkhub.hub.core.conflicts import retry_on_conflict
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import ApiError
from wijkhub.hub.core.idempotency import Answer, fingerprint, once, valid_key

FIELD = "verzendsleutel"

MSG_OTHER_FORM = (
    "Dit formulier is al eens verstuurd, met andere gegevens. Open het formulier opnieuw om "
    "nog iets te versturen; er is niets dubbel opgeslagen."
)


def field() -> Markup:
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        FIELD, secrets.token_urlsafe(24)
    )


async def submitted_once(
    ctx: HubContext,
    request: web.Request,
    who: Principal,
    token: object,
    canonical: bytes,
    run: Callable[[], Awaitable[str]],
) -> web.HTTPSeeOther:
    """The redirect after `run` (which returns its location), made at most once per token.

    `canonical` is what the form asked for (the validated body): the same token with
    another request is refused. A form without a token (an old page) simply runs."""
    if not isinstance(token, str) or not token:
        return web.HTTPSeeOther(await run())
    key = valid_key(token)
    caller = f"web:{who.role}:{who.token_id}"
    request_hash = fingerprint(request.method, request.path, caller, canonical)

    async def change() -> Answer:
        return Answer(303, b"", await run())

    async def attempt() -> Answer:
        return await once(ctx, caller=caller, key=key, request_hash=request_hash, run=change)

    try:
        answer = await retry_on_conflict(attempt)
    except ApiError as exc:
        if exc.code == "idempotency_key_reused":
            raise ApiError(422, "form_sent_before", MSG_OTHER_FORM) from None
        raise
    return web.HTTPSeeOther(answer.content_type)
