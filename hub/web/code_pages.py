"""The coach hands the inwoner a one-time code: a printable Dutch letter and a text message
with the code, shown once (only a hash of the code is stored)."""

from aiohttp import web

from wijkhub.hub.core.auth import Principal
from wijkhub.hub.core.errors import hex_id
from wijkhub.hub.core.roles import COACH
from wijkhub.hub.records import clients, inwoner_codes
from wijkhub.hub.reports import inwoner_letter
from wijkhub.hub.web.kit import hub, page, reader, render, scope


def base_url(request: web.Request) -> str:
    configured = inwoner_codes.settings(hub(request)).public_url
    return configured or f"{request.scheme}://{request.host}"


@page(roles=COACH)
async def hand_over_code(request: web.Request, who: Principal) -> web.StreamResponse:
    ctx = hub(request)
    client_id = hex_id(request.match_info["client_id"], "Cliënt")
    team = scope(who)
    client = await clients.get(ctx, client_id, reader(request, who), team=team)
    issued = await inwoner_codes.issue(ctx, client_id, who.actor, team=team)
    name = f"{client.given_names} {client.family_name}"
    base = base_url(request)
    resp = await render(
        request,
        "coach/inwoner_code.html",
        {
            "client": client,
            "code": issued.code,
            "until": inwoner_letter.until_nl(issued.expires_at),
            "letter": inwoner_letter.letter(name, issued.code, issued.expires_at, base),
            "sms": inwoner_letter.sms(issued.code, issued.expires_at, base),
        },
    )
    # The code is shown once: no copy in any cache.
    resp.headers["Cache-Control"] = "no-store"
    return resp
