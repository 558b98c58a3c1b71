"""HTTP endpoints for partners: status messages in their own format, and the pull inbox.
Each partner reaches only its own (`partner_scoped`)."""

import re
from typing import Any

from pydantic import TypeAdapter

from wijkhub.hub.api.kit import Call, endpoint
from wijkhub.hub.core.errors import ApiError, hex_id
from wijkhub.hub.core.receipts import NOT_PLACED_YET, ReceiptError, for_delivery
from wijkhub.hub.core.roles import PARTNER
from wijkhub.hub.core.signatures import INBOUND_HEADER
from wijkhub.hub.path import inbox, status_intake
from wijkhub.schemas.api import AckResult, InboxMessage, IntakeResult, Receipt

SPAN_ID = re.compile(r"[0-9a-f]{16}")


@endpoint(
    roles=PARTNER,
    partner_scoped=True,
    raw_body=True,
    status=202,
    summary="Statusmelding van een partner, in het eigen formaat van de partner",
    response=IntakeResult,
)
async def partner_status(call: Call) -> dict[str, int | str]:
    res = await status_intake.receive(
        call.ctx,
        call.params["partner_id"],
        call.raw,
        call.content_type,
        call.who,
        call.headers.get(INBOUND_HEADER),
    )
    out: dict[str, int | str] = {"accepted": res.accepted, "duplicates": res.duplicates}
    if res.retour is not None:  # only formats with retour messages answer with one
        out["retour"] = res.retour.body.decode("utf-8")
    return out


@endpoint(
    roles=PARTNER,
    partner_scoped=True,
    summary="Openstaande berichten voor een partner (pull)",
    query={"limit": "maximaal aantal berichten (1-500, standaard 100)"},
    response=TypeAdapter(list[InboxMessage]),
)
async def partner_inbox(call: Call) -> list[dict[str, Any]]:
    try:
        limit = int(call.query.get("limit", "100"))
    except ValueError:
        limit = 0
    if not 1 <= limit <= 500:
        raise ApiError(422, "validation_error", "limit moet tussen 1 en 500 liggen")
    return await inbox.list_pending(call.ctx, call.params["partner_id"], limit, call.who)


@endpoint(
    roles=PARTNER,
    partner_scoped=True,
    summary="Ontvangst van een inboxbericht bevestigen",
    response=AckResult,
)
async def partner_ack(call: Call) -> dict[str, str]:
    status = await inbox.acknowledge(
        call.ctx, call.params["partner_id"], hex_id(call.params["delivery_id"], "Bericht"), call.who
    )
    return {"status": status}


@endpoint(
    roles=PARTNER,
    partner_scoped=True,
    summary="Ontvangstbewijs uit het verwerkingenlog van een levering aan deze partner "
    "(span-id uit de traceparent van het bericht)",
    response=Receipt,
)
async def partner_receipt(call: Call) -> dict[str, Any]:
    span_id = call.params["span_id"]
    if not SPAN_ID.fullmatch(span_id):
        raise ApiError(422, "validation_error", "span_id moet 16 hexadecimale tekens zijn")
    try:
        async with call.ctx.db.read() as conn:
            return await for_delivery(conn, call.params["partner_id"], span_id)
    except ReceiptError as exc:
        status = 409 if str(exc) == NOT_PLACED_YET else 404
        raise ApiError(status, "not_signed" if status == 409 else "not_found", str(exc)) from None
