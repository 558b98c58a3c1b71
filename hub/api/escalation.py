"""HTTP endpoints of the escalation ladder (see `escalation`): the team leader's notices, the
coach's notices of dead letters, the steering group's report, and running the ladder now
(admin)."""

from typing import Any

from pydantic import BaseModel, TypeAdapter

from wijkhub.hub.api.kit import Call, endpoint, scope
from wijkhub.hub.casework.escalation import (
    EscalationNotice,
    Step,
    list_steps,
    mark_read,
    run_escalations,
)
from wijkhub.hub.core.errors import ApiError, hex_id, not_found
from wijkhub.hub.core.roles import COACH, STEERING_READERS, TEAM_READERS

_FLAGS = {"true": True, "1": True, "false": False, "0": False}


def _flag(call: Call, name: str) -> bool:
    value = call.query.get(name, "false").lower()
    if value not in _FLAGS:
        raise ApiError(400, "invalid_query", f"{name}: gebruik true of false")
    return _FLAGS[value]


def _team(call: Call) -> str:
    if not call.who.team:  # never "all teams" by accident
        raise ApiError(403, "no_team", "Dit token hoort bij geen team; vraag een nieuw.")
    return call.who.team


@endpoint(
    roles=TEAM_READERS,
    summary="Meldingen aan de teamleider: onderdelen waarvan een partner te laat is",
    query={"unread": "alleen ongelezen meldingen (true/false)"},
    response=TypeAdapter(list[EscalationNotice]),
)
async def notices(call: Call) -> list[EscalationNotice]:
    return await list_steps(
        call.ctx, Step.team_leader, team=_team(call), unread_only=_flag(call, "unread")
    )


@endpoint(
    roles=COACH,
    summary="Meldingen aan de wijkcoach: onderdelen die niet bij de partner aankwamen",
    query={"open": "alleen onderdelen die nog steeds niet zijn bezorgd (true/false)"},
    response=TypeAdapter(list[EscalationNotice]),
)
async def coach_notices(call: Call) -> list[EscalationNotice]:
    return await list_steps(
        call.ctx, Step.coach_notice, team=scope(call), open_only=_flag(call, "open")
    )


@endpoint(
    roles=TEAM_READERS,
    summary="De meldingen over een onderdeel als gelezen markeren",
    response=TypeAdapter(list[EscalationNotice]),
)
async def notice_read(call: Call) -> list[EscalationNotice]:
    item_id = hex_id(call.params["item_id"], "Melding")
    team = _team(call)
    if not await mark_read(call.ctx, item_id, team, call.who.actor):
        raise not_found("Melding")
    return await list_steps(call.ctx, Step.team_leader, team=team, item_id=item_id)


@endpoint(
    roles=STEERING_READERS,
    summary="Stuurgroep: onderdelen die de hele escalatieladder doorliepen",
    query={"open": "alleen onderdelen waarop de partner nog steeds niet reageerde (true/false)"},
    response=TypeAdapter(list[EscalationNotice]),
)
async def steering(call: Call) -> list[EscalationNotice]:
    return await list_steps(call.ctx, Step.steering_report, open_only=_flag(call, "open"))


class RunResult(BaseModel):
    fired: list[dict[str, str]]
    closed: int
    messages_queued: int


@endpoint(
    roles={"admin"},
    summary="De escalatieladder nu doorlopen (de server doet dit ook periodiek)",
    response=RunResult,
)
async def run_now(call: Call) -> dict[str, Any]:
    res = await run_escalations(call.ctx, actor=call.who.actor)
    return {
        "fired": [
            {"item_id": f.item_id, "milestone": f.milestone, "step": f.step.value}
            for f in res.fired
        ],
        "closed": res.closed,
        "messages_queued": res.messages_queued,
    }
