"""The composer's dry run: the same validate → decide → minimise → translate as submit, nothing
stored, so the preview is exactly what the partner would receive."""

import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from wijkhub.hub.core import read_log
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.path.submit import plan_advice
from wijkhub.hub.steps.translate import translate_all
from wijkhub.schemas.advice import (
    AdviceIn,
    Decision,
)

# The dry run: refs and numbers are given out only when an advice is stored.
PREVIEW_REF = "0" * 32
PREVIEW_NUMBER = 1


class ItemPreview(BaseModel):
    """What one item would do if sent now: the partner's exact payload, or why it is refused."""

    position: int
    partner_id: str
    partner_name: str
    advice_type: str
    advice_title: str
    decision: Decision
    deadline: date | None
    needs_approval: str | None = Field(
        description="rol die eerst moet goedkeuren (vier ogen), of leeg"
    )
    outbound: dict[str, Any] | None = Field(
        description="het geminimaliseerde onderdeel zoals de plugin het krijgt; leeg bij weigering"
    )
    content_type: str | None
    payload: str | None = Field(description="het bericht in het formaat van de partner")


class AdvicePreview(BaseModel):
    client_id: uuid.UUID
    item_ref: uuid.UUID = Field(description="plaatshouder; de echte referentie volgt bij indienen")
    item_number: int
    items: list[ItemPreview]


async def preview(
    ctx: HubContext, advice: AdviceIn, reader: read_log.Reader, *, team: str | None = None
) -> AdvicePreview:
    """Submit's dry run: the same validate → decide → minimise → translate, nothing stored."""
    pln = await plan_advice(ctx, advice, team=team)
    allowed = [(pl, PREVIEW_REF, PREVIEW_NUMBER) for pl in pln.items if pl.decision.allowed]
    rendered = iter(await translate_all(ctx, allowed, pln.now))
    out = []
    for pl in pln.items:
        p = pl.prepared
        ob, msg = next(rendered) if pl.decision.allowed else (None, None)
        out.append(
            ItemPreview(
                position=p.position,
                partner_id=p.partner.id,
                partner_name=p.partner.name,
                advice_type=p.atype.name,
                advice_title=p.atype.title_nl,
                decision=pl.decision,
                deadline=pl.deadline,
                needs_approval=pl.needs_approval,
                outbound=ob.model_dump(mode="json") if ob else None,
                content_type=msg.content_type if msg else None,
                payload=msg.body.decode("utf-8", "replace") if msg else None,
            )
        )
    # The preview shows the client's data as each partner would get it: a read of that record.
    await read_log.record_now(ctx, reader, read_log.PREVIEW, [advice.client_id.hex])
    return AdvicePreview(
        client_id=advice.client_id,
        item_ref=uuid.UUID(PREVIEW_REF),
        item_number=PREVIEW_NUMBER,
        items=out,
    )
