"""HTTP endpoint describing the installed partner types."""

from typing import Any

from pydantic import TypeAdapter

from wijkhub.hub.api.kit import Call, endpoint
from wijkhub.hub.core.roles import PLUGIN_READERS
from wijkhub.hub.plugin_api.info import describe


@endpoint(
    roles=PLUGIN_READERS,
    summary="Partnertypen, adviestypen, categorieën en formaatversies",
    response=TypeAdapter(list[dict[str, Any]]),
)
async def list_plugins(call: Call) -> list[dict[str, Any]]:
    return describe(call.ctx.registry)
