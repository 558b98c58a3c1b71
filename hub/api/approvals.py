"""HTTP endpoints of four-eyes approval (see `approvals`)."""

from typing import Any

from pydantic import TypeAdapter

from wijkhub.hub.api.kit import Call, endpoint
from wijkhub.hub.casework.approvals import (
    ApprovalResult,
    AwaitingApproval,
    Rejection,
    approve,
    awaiting_for,
    reject,
)
from wijkhub.hub.core.errors import hex_id
from wijkhub.hub.core.roles import APPROVERS


@endpoint(
    roles=APPROVERS,
    summary="Onderdelen die op mijn goedkeuring wachten (vier ogen, mandaat)",
    response=TypeAdapter(list[AwaitingApproval]),
)
async def list_awaiting(call: Call) -> list[dict[str, Any]]:
    return await awaiting_for(call.ctx, call.who, call.reader)


@endpoint(
    roles=APPROVERS,
    summary="Onderdeel goedkeuren; daarna wordt het verstuurd",
    response=ApprovalResult,
)
async def approve_item(call: Call) -> dict[str, Any]:
    return await approve(call.ctx, hex_id(call.params["item_id"], "Goedkeuring"), call.who)


@endpoint(
    roles=APPROVERS,
    summary="Onderdeel afwijzen met reden; het gaat terug naar concept",
    body=Rejection,
    response=ApprovalResult,
)
async def reject_item(call: Call) -> dict[str, Any]:
    return await reject(
        call.ctx, hex_id(call.params["item_id"], "Goedkeuring"), call.who, call.body.reason
    )
