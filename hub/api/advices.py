"""HTTP endpoints of advices: submit one, and read it back with its timeline."""

from wijkhub.hub.api.kit import Call, endpoint, scope
from wijkhub.hub.core.errors import hex_id
from wijkhub.hub.core.roles import COACH
from wijkhub.hub.path import submit, timeline
from wijkhub.schemas.advice import AdviceIn, AdviceOut


@endpoint(
    roles=COACH,
    summary="Deskundigenadvies indienen",
    body=AdviceIn,
    response=AdviceOut,
    status=201,
    idempotent=True,
)
async def submit_advice(call: Call) -> AdviceOut:
    return await submit.submit(
        call.ctx, call.body, call.who.actor, team=scope(call), person=call.who.person_id
    )


@endpoint(
    roles=COACH,
    summary="Advies met tijdlijn per partner",
    response=AdviceOut,
)
async def get_advice(call: Call) -> AdviceOut:
    return await timeline.get(
        call.ctx, hex_id(call.params["advice_id"], "Advies"), call.reader, team=scope(call)
    )
