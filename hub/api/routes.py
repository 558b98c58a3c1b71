"""The HTTP API's endpoints (under /api/v1). Each is one declaration; see `api_kit`."""

from typing import Any

from pydantic import TypeAdapter, ValidationError

from wijkhub.hub.api.kit import Api, Call, validation_error
from wijkhub.hub.casework import withdrawal as consents
from wijkhub.hub.core.auth import team_scope
from wijkhub.hub.core.errors import ApiError
from wijkhub.hub.core.signatures import INBOUND_HEADER
from wijkhub.hub.path import advices, inbox, status_intake
from wijkhub.hub.plugin_api.info import describe
from wijkhub.hub.records import clients
from wijkhub.hub.reports import log_query
from wijkhub.schemas.advice import AdviceIn, AdviceOut
from wijkhub.schemas.api import AckResult, InboxMessage, IntakeResult, LogEntryOut
from wijkhub.schemas.client import Client, ClientIn
from wijkhub.schemas.consent import Consent, ConsentIn, ConsentWithdrawal

api = Api()
COACH = {"coach"}
READ_CONSENTS = {"coach", "privacy_officer"}
PARTNER = {"partner"}


def scope(call: Call) -> str | None:
    """A coach is limited to the own team's clients; other roles that may reach a route are
    not team-bound (the privacy officer reads across teams)."""
    return team_scope(call.who) if call.who.role == "coach" else None


def _hex(value: str, what: str) -> str:
    v = value.replace("-", "").lower()
    if len(v) != 32 or any(c not in "0123456789abcdef" for c in v):
        raise ApiError(404, "not_found", f"{what} niet gevonden")
    return v


@api.route(
    "POST",
    "/clients",
    roles=COACH,
    summary="Cliënt registreren",
    body=ClientIn,
    response=Client,
    status=201,
)
async def create_client(call: Call) -> Client:
    team = scope(call)
    assert team is not None  # scope() refuses a coach without a team
    return await clients.create(call.ctx, call.body, call.who.actor, team)


@api.route("GET", "/clients/{client_id}", roles=COACH, summary="Cliënt opvragen", response=Client)
async def get_client(call: Call) -> Client:
    return await clients.get(call.ctx, _hex(call.params["client_id"], "Cliënt"), team=scope(call))


@api.route(
    "POST",
    "/clients/{client_id}/consents",
    roles=COACH,
    summary="Toestemming vastleggen",
    body=ConsentIn,
    response=Consent,
    status=201,
)
async def record_consent(call: Call) -> Consent:
    return await consents.record(
        call.ctx,
        _hex(call.params["client_id"], "Cliënt"),
        call.body,
        call.who.actor,
        team=scope(call),
    )


@api.route(
    "GET",
    "/clients/{client_id}/consents",
    roles=READ_CONSENTS,
    summary="Toestemmingen van een cliënt",
    response=TypeAdapter(list[Consent]),
)
async def list_consents(call: Call) -> list[Consent]:
    return await consents.list_for_client(
        call.ctx, _hex(call.params["client_id"], "Cliënt"), team=scope(call)
    )


@api.route(
    "POST",
    "/consents/{consent_id}/withdraw",
    roles=COACH,
    summary="Toestemming intrekken",
    body=ConsentWithdrawal,
    response=Consent,
)
async def withdraw_consent(call: Call) -> Consent:
    return await consents.withdraw(
        call.ctx,
        _hex(call.params["consent_id"], "Toestemming"),
        call.body.reason,
        call.who.actor,
        team=scope(call),
    )


@api.route(
    "POST",
    "/advices",
    roles=COACH,
    summary="Deskundigenadvies indienen",
    body=AdviceIn,
    response=AdviceOut,
    status=201,
)
async def submit_advice(call: Call) -> AdviceOut:
    return await advices.submit(call.ctx, call.body, call.who.actor, team=scope(call))


@api.route(
    "GET",
    "/advices/{advice_id}",
    roles=COACH,
    summary="Advies met tijdlijn per partner",
    response=AdviceOut,
)
async def get_advice(call: Call) -> AdviceOut:
    return await advices.get(call.ctx, _hex(call.params["advice_id"], "Advies"), team=scope(call))


@api.route(
    "POST",
    "/partners/{partner_id}/status",
    roles=PARTNER,
    partner_scoped=True,
    raw_body=True,
    status=202,
    summary="Statusmelding van een partner, in het eigen formaat van de partner",
    response=IntakeResult,
)
async def partner_status(call: Call) -> dict[str, int]:
    res = await status_intake.receive(
        call.ctx,
        call.params["partner_id"],
        call.raw,
        call.content_type,
        call.who,
        call.headers.get(INBOUND_HEADER),
    )
    return {"accepted": res.accepted, "duplicates": res.duplicates}


@api.route(
    "GET",
    "/partners/{partner_id}/inbox",
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


@api.route(
    "POST",
    "/partners/{partner_id}/inbox/{delivery_id}/ack",
    roles=PARTNER,
    partner_scoped=True,
    summary="Ontvangst van een inboxbericht bevestigen",
    response=AckResult,
)
async def partner_ack(call: Call) -> dict[str, str]:
    status = await inbox.acknowledge(
        call.ctx, call.params["partner_id"], _hex(call.params["delivery_id"], "Bericht"), call.who
    )
    return {"status": status}


@api.route(
    "GET",
    "/plugins",
    roles={"coach", "privacy_officer", "admin"},
    summary="Partnertypen, adviestypen, categorieën en formaatversies",
    response=TypeAdapter(list[dict[str, Any]]),
)
async def list_plugins(call: Call) -> list[dict[str, Any]]:
    return describe(call.ctx.registry)


@api.route(
    "GET",
    "/processing-log",
    roles={"privacy_officer"},
    summary="Verwerkingenlog met filters (ook geweigerde verstrekkingen)",
    query={k: "filter" for k in log_query.LogFilter.model_fields},
    response=TypeAdapter(list[LogEntryOut]),
)
async def processing_log(call: Call) -> list[dict[str, Any]]:
    try:
        f = log_query.LogFilter.model_validate(call.query)
    except ValidationError as exc:
        raise validation_error(exc) from None
    return await log_query.query(call.ctx, f)


# Route modules of later features register on the same `api` (imported here, at the end, so
# that `api` exists when they do).
