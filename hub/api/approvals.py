"""HTTP endpoints of four-eyes approval (see `approvals`)."""

from typing import Any

from pydantic import TypeAdapter

from wijkhub.hub.api.kit import Call
from wijkhub.hub.api.routes import _hex, api
from wijkhub.hub.casework.approvals import (
    APPROVER_ROLES,
    ApprovalResult,
    AwaitingApproval,
    Rejection,
    approve,
    awaiting_for,
    reject,
)

APPROVERS = set(APPROVER_ROLES)


@api.route(
    "GET",
    "/approvals",
    roles=APPROVERS,
    summary="Onderdelen die op mijn goedkeuring wachten (vier ogen, mandaat)",
    response=TypeAdapter(list[AwaitingApproval]),
)
async def list_awaiting(call: Call) -> list[dict[str, Any]]:
    return await awaiting_for(call.ctx, call.who)


@api.route(
    "POST",
    "/approvals/{item_id}/approve",
    roles=APPROVERS,
    summary="Onderdeel goedkeuren; daarna wordt het verstuurd",
    response=ApprovalResult,
)
async def approve_item(call: Call) -> dict[str, Any]:
    return await approve(call.ctx, _hex(call.params["item_id"], "Goedkeuring"), call.who)


@api.route(
    "POST",
    "/approvals/{item_id}/reject",
    roles=APPROVERS,
    summary="Onderdeel afwijzen met reden; het gaat terug naar concept",
    body=Rejection,
    response=ApprovalResult,
)
async def reject_item(call: Call) -> dict[str, Any]:
    return await reject(
        call.ctx, _hex(call.params["item_id"], "Goedkeuring"), call.who, call.body.reason
    )
