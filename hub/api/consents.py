"""HTTP endpoints of consent: record, list and withdraw (team scoped)."""

from pydantic import TypeAdapter

from wijkhub.hub.api.kit import Call, endpoint, scope
from wijkhub.hub.casework import withdrawal as consents
from wijkhub.hub.core.errors import hex_id
from wijkhub.hub.core.roles import COACH, READ_CONSENTS
from wijkhub.hub.records import consents as consent_register
from wijkhub.schemas.consent import Consent, ConsentIn, ConsentWithdrawal


@endpoint(
    roles=COACH,
    summary="Toestemming vastleggen",
    body=ConsentIn,
    response=Consent,
    status=201,
    idempotent=True,
)
async def record_consent(call: Call) -> Consent:
    return await consent_register.register(
        call.ctx,
        hex_id(call.params["client_id"], "Cliënt"),
        call.body,
        call.who.actor,
        team=scope(call),
    )


@endpoint(
    roles=READ_CONSENTS,
    summary="Toestemmingen van een cliënt",
    response=TypeAdapter(list[Consent]),
)
async def list_consents(call: Call) -> list[Consent]:
    return await consent_register.list_for_client(
        call.ctx, hex_id(call.params["client_id"], "Cliënt"), call.reader, team=scope(call)
    )


@endpoint(
    roles=COACH,
    summary="Toestemming intrekken",
    body=ConsentWithdrawal,
    response=Consent,
)
async def withdraw_consent(call: Call) -> Consent:
    return await consents.withdraw(
        call.ctx,
        hex_id(call.params["consent_id"], "Toestemming"),
        call.body.reason,
        call.who.actor,
        team=scope(call),
    )
