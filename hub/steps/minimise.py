"""Step 3, minimise: the item as one partner may see it (`consent.minimise`), the only
client data a plugin ever receives."""

import uuid
from datetime import date, datetime

from wijkhub.consent.minimise import client_view, motivation_for, threats_for
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.steps.validate import PreparedItem
from wijkhub.schemas.advice import (
    Decision,
)
from wijkhub.schemas.client import Client
from wijkhub.schemas.outbound import Approval, OutboundAdvice


def outbound(
    ctx: HubContext,
    client: Client,
    p: PreparedItem,
    decision: Decision,
    item_ref: str,
    number: int,
    deadline: date | None,
    now: datetime,
    approval: Approval | None = None,
) -> OutboundAdvice:
    """Minimise: the item as this partner may see it."""
    view = client_view(
        client, decision.categories, ctx.keyring.subject_ref(client.id.hex, p.partner.id)
    )
    return OutboundAdvice(
        item_ref=uuid.UUID(item_ref),
        item_number=number,
        advice_type=p.atype.name,
        partner_id=p.partner.id,
        sender=ctx.settings.sender_code,
        created_at=now,
        deadline=deadline,
        urgency=p.item.urgency,
        requested_date=p.item.requested_date,
        threats=threats_for(p.atype, p.item.threats, decision.categories),
        motivation=motivation_for(
            p.item.motivation, p.atype.motivation_category, decision.categories
        ),
        parameters=p.parameters,
        legal_basis=decision.legal_basis,  # type: ignore[arg-type]
        categories=decision.categories,
        client=view,
        approval=approval,
        format_version=p.partner.format_version,
        partner_code=p.partner.agb_code,
    )
