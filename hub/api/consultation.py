"""HTTP endpoints of consultation per item (see `consultation`). Coach role, team scoped."""

from typing import Any

from pydantic import TypeAdapter

from wijkhub.hub.api.kit import Call, endpoint, scope
from wijkhub.hub.casework import consultation
from wijkhub.hub.core.errors import hex_id
from wijkhub.hub.core.roles import COACH
from wijkhub.schemas.consultation import AcceptResult, ConsultationIn, ConsultationOut, DeclineIn


def _ids(call: Call, *names: str) -> list[str]:
    what = {"item_id": "Onderdeel", "proposal_id": "Tegenvoorstel"}
    return [hex_id(call.params[n], what[n]) for n in names]


@endpoint(
    roles=COACH,
    summary="Overleg over een onderdeel: vragen, antwoorden, tegenvoorstellen",
    response=TypeAdapter(list[ConsultationOut]),
)
async def list_messages(call: Call) -> list[dict[str, Any]]:
    [item_id] = _ids(call, "item_id")
    return await consultation.list_for(call.ctx, item_id, scope(call), call.reader)


@endpoint(
    roles=COACH,
    summary="Vraag, antwoord of terugkoppeling aan de partner van een onderdeel sturen",
    body=ConsultationIn,
    response=ConsultationOut,
    status=201,
    idempotent=True,
)
async def send_message(call: Call) -> dict[str, Any]:
    [item_id] = _ids(call, "item_id")
    return await consultation.send(call.ctx, item_id, call.body, call.who, scope(call))


@endpoint(
    roles=COACH,
    summary="Tegenvoorstel aanvaarden: een nieuwe versie van het onderdeel, opnieuw getoetst",
    response=AcceptResult,
)
async def accept_proposal(call: Call) -> dict[str, Any]:
    item_id, proposal_id = _ids(call, "item_id", "proposal_id")
    return await consultation.accept(call.ctx, item_id, proposal_id, call.who, scope(call))


@endpoint(
    roles=COACH,
    summary="Tegenvoorstel afwijzen; de partner krijgt het antwoord van de coach",
    body=DeclineIn,
    response=ConsultationOut,
)
async def decline_proposal(call: Call) -> dict[str, Any]:
    item_id, proposal_id = _ids(call, "item_id", "proposal_id")
    return await consultation.decline(
        call.ctx, item_id, proposal_id, call.body.text, call.who, scope(call)
    )
