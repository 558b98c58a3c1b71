"""HTTP endpoint of the inwoner's one-time code: a coach makes one for a client of the team
and gets it back once, with the letter and the text message to hand over."""

from datetime import datetime

from pydantic import BaseModel

from wijkhub.hub.api.kit import Call, endpoint, scope
from wijkhub.hub.core.errors import hex_id
from wijkhub.hub.core.roles import COACH
from wijkhub.hub.records import clients, inwoner_codes
from wijkhub.hub.reports import inwoner_letter


class InwonerCodeOut(BaseModel):
    code: str  # shown once: only a keyed hash is stored
    expires_at: datetime
    signin_url: str
    letter: str  # Dutch, to print
    sms: str  # Dutch, to send as a text message


def base_url(call: Call) -> str:
    configured = inwoner_codes.settings(call.ctx).public_url
    if configured:
        return configured
    s = call.ctx.settings
    return f"http://{call.headers.get('Host') or f'{s.host}:{s.port}'}"


@endpoint(
    roles=COACH,
    summary="Eenmalige code voor de inwoner maken",
    response=InwonerCodeOut,
    status=201,
)
async def create_code(call: Call) -> InwonerCodeOut:
    client_id = hex_id(call.params["client_id"], "Cliënt")
    team = scope(call)
    client = await clients.get(call.ctx, client_id, call.reader, team=team)
    issued = await inwoner_codes.issue(call.ctx, client_id, call.who.actor, team=team)
    base = base_url(call)
    name = f"{client.given_names} {client.family_name}"
    return InwonerCodeOut(
        code=issued.code,
        expires_at=issued.expires_at,
        signin_url=inwoner_letter.signin_url(base),
        letter=inwoner_letter.letter(name, issued.code, issued.expires_at, base),
        sms=inwoner_letter.sms(issued.code, issued.expires_at, base),
    )
