"""The composer's dry run: the same validate → decide → minimise → translate as submit, nothing
stored, so the preview is exactly what the partner would receive."""

import asyncio
import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select

from wijkhub.hub.core import read_log
from wijkhub.hub.core.clock import local_date
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.deadlines import due_date
from wijkhub.hub.path.submit import plan_advice
from wijkhub.hub.records import clients, households
from wijkhub.hub.steps.decide import facts
from wijkhub.hub.steps.minimise import outbound
from wijkhub.hub.steps.translate import translate_all
from wijkhub.hub.steps.validate import prepared_from_row
from wijkhub.hub.store.tables import APPROVAL, ITEM
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


class HeldItem(BaseModel):
    """An item that waits (four eyes): what it says and what its partner would get if it
    were approved now."""

    motivation: str
    preview: ItemPreview


async def held_item(ctx: HubContext, item_id: str, reader: read_log.Reader) -> HeldItem | None:
    """The approver's view of a held item: the very steps approval runs (decide again for the
    stored item and its household member, minimise, translate, with the item's real reference
    and number), nothing stored. None: its partner, advice type or client is gone."""
    now = ctx.clock.now()
    async with ctx.db.read() as conn:
        row = (
            await conn.execute(
                select(ITEM, APPROVAL.c.cost_cents)
                .join(APPROVAL, APPROVAL.c.item_id == ITEM.c.id)
                .where(ITEM.c.id == item_id)
            )
        ).first()
        if row is None:
            return None
        p = prepared_from_row(ctx, row, row.cost_cents)
        client = await clients.load(ctx, conn, row.client_id)
        if p is None or client is None:
            return None
        d = await households.decide_stored(
            ctx, conn, row.id, row.client_id, facts(p), local_date(now)
        )
    today = local_date(now)
    deadline = due_date(today, p.atype.deadline_for(p.item.threats)) if d.allowed else None
    ob = msg = None
    if d.allowed:
        ob = outbound(ctx, client, p, d, row.id, row.number, deadline, now)
        msg = await asyncio.to_thread(p.ptype.translate_advice, ob)
    await read_log.record_now(ctx, reader, read_log.PREVIEW, [row.client_id])
    return HeldItem(
        motivation=p.item.motivation,
        preview=ItemPreview(
            position=p.position,
            partner_id=p.partner.id,
            partner_name=p.partner.name,
            advice_type=p.atype.name,
            advice_title=p.atype.title_nl,
            decision=d,
            deadline=deadline,
            needs_approval=None,
            outbound=ob.model_dump(mode="json") if ob else None,
            content_type=msg.content_type if msg else None,
            payload=msg.body.decode("utf-8", "replace") if msg else None,
        ),
    )
