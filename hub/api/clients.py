"""HTTP endpoints of client records (team scoped)."""

from wijkhub.hub.api.kit import Call, endpoint, scope
from wijkhub.hub.core.errors import hex_id
from wijkhub.hub.core.roles import COACH
from wijkhub.hub.records import clients
from wijkhub.schemas.client import Client, ClientIn


@endpoint(
    roles=COACH,
    summary="Cliënt registreren",
    body=ClientIn,
    response=Client,
    status=201,
    idempotent=True,
)
async def create_client(call: Call) -> Client:
    team = scope(call)
    assert team is not None  # scope() refuses a coach without a team
    return await clients.create(
        call.ctx, call.body, call.who.actor, team, person=call.who.person_id
    )


@endpoint(roles=COACH, summary="Cliënt opvragen", response=Client)
async def get_client(call: Call) -> Client:
    return await clients.get(
        call.ctx, hex_id(call.params["client_id"], "Cliënt"), call.reader, team=scope(call)
    )
