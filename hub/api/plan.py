"""HTTP endpoints of households and their plan (see `households` and `plan`)."""

from typing import Any

from wijkhub.hub.api.kit import Call, endpoint, scope
from wijkhub.hub.casework import plan
from wijkhub.hub.core.errors import hex_id
from wijkhub.hub.core.roles import COACH
from wijkhub.hub.path import plan_view
from wijkhub.hub.records import households
from wijkhub.schemas.household import (
    Goal,
    GoalIn,
    Household,
    HouseholdIn,
    ItemLink,
    Member,
    MemberIn,
    Plan,
)


def _team(call: Call) -> str:
    team = scope(call)
    assert team is not None  # scope() refuses a coach without a team
    return team


def _household(call: Call) -> str:
    return hex_id(call.params["household_id"], "Huishouden")


@endpoint(
    roles=COACH,
    summary="Huishouden (cliëntsysteem) aanmaken, met leden en hun rol",
    body=HouseholdIn,
    response=Household,
    status=201,
    idempotent=True,
)
async def create_household(call: Call) -> Household:
    return await households.create(call.ctx, call.body, call.who.actor, _team(call))


@endpoint(roles=COACH, summary="Huishouden", response=Household)
async def get_household(call: Call) -> Household:
    return await households.get(call.ctx, _household(call), _team(call), call.reader)


@endpoint(
    roles=COACH,
    summary="Lid toevoegen aan het huishouden (ouder met gezag, partner, kind, overig)",
    body=MemberIn,
    response=Member,
    status=201,
    idempotent=True,
)
async def add_member(call: Call) -> Member:
    return await households.add_member(
        call.ctx, _household(call), call.body, call.who.actor, _team(call)
    )


@endpoint(
    roles=COACH,
    summary="Plan van het huishouden: per lid doelen en wat loopt, sinds en tot wanneer",
    response=Plan,
)
async def get_plan(call: Call) -> Plan:
    return await plan_view.view(call.ctx, _household(call), _team(call), call.reader)


@endpoint(
    roles=COACH,
    summary="Doel toevoegen aan het plan (per leefgebied en lid)",
    body=GoalIn,
    response=Goal,
    status=201,
    idempotent=True,
)
async def add_goal(call: Call) -> Goal:
    return await plan.add_goal(call.ctx, _household(call), call.body, call.who.actor, _team(call))


@endpoint(
    roles=COACH,
    summary="Eerder ingediend onderdeel opnemen in het plan (lid, doel)",
    body=ItemLink,
    response=ItemLink,
)
async def link_item(call: Call) -> dict[str, Any]:
    return await plan.link_item(call.ctx, _household(call), call.body, call.who.actor, _team(call))
