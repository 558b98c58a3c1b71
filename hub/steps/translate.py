"""Step 4, translate: the partner's plugin renders the minimised item in its own format, in a
worker thread (XML and XSD work is CPU-bound)."""

import asyncio
import logging
from datetime import date, datetime

from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import ApiError
from wijkhub.hub.plugin_api.types import PartnerMessage
from wijkhub.hub.steps.decide import Planned
from wijkhub.hub.steps.minimise import outbound
from wijkhub.hub.steps.validate import PreparedItem
from wijkhub.schemas.advice import (
    Decision,
)
from wijkhub.schemas.client import Client
from wijkhub.schemas.outbound import Approval, OutboundAdvice

log_ = logging.getLogger(__name__)


def render(
    ctx: HubContext,
    client: Client,
    p: PreparedItem,
    decision: Decision,
    item_ref: str,
    number: int,
    deadline: date | None,
    now: datetime,
    approval: Approval | None = None,
) -> PartnerMessage:
    """Minimise and translate: runs in a worker thread (XML and XSD work is CPU-bound)."""
    ob = outbound(ctx, client, p, decision, item_ref, number, deadline, now, approval)
    return p.ptype.translate_advice(ob)


async def translate_all(
    ctx: HubContext, todo: list[tuple[Planned, str, int]], now: datetime
) -> list[tuple[OutboundAdvice, PartnerMessage]]:
    """Minimise → translate each (item, ref, number) in a worker thread; a plugin that cannot
    express the data in its format refuses the whole advice."""

    def run() -> list[tuple[OutboundAdvice, PartnerMessage]]:
        out = []
        for pl, ref, n in todo:
            ob = outbound(ctx, pl.client, pl.prepared, pl.decision, ref, n, pl.deadline, now)
            out.append((ob, pl.prepared.ptype.translate_advice(ob)))
        return out

    try:
        return await asyncio.to_thread(run)
    except ValueError as exc:
        # Refuse rather than store an item that can never be sent (submit rolls back).
        log_.warning("translation failed: %s", type(exc).__name__)
        raise ApiError(
            422,
            "untranslatable",
            "Een onderdeel kan niet in het formaat van de partner worden "
            "uitgedrukt; controleer de tekstvelden op ongebruikelijke tekens.",
        ) from None
