"""The advice composer's dry run over HTTP: what each partner would receive, nothing stored."""

from wijkhub.hub.api.kit import Call, endpoint, scope
from wijkhub.hub.core.roles import COACH
from wijkhub.hub.path.preview import AdvicePreview, preview
from wijkhub.schemas.advice import AdviceIn


@endpoint(
    roles=COACH,
    summary="Voorbeeld van een advies: per partner het bericht of de reden van weigering",
    body=AdviceIn,
    response=AdvicePreview,
)
async def preview_advice(call: Call) -> AdvicePreview:
    return await preview(call.ctx, call.body, call.reader, team=scope(call))
