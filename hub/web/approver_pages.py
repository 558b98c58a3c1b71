"""Approver pages: the items waiting for my approval; approve, or reject with a reason.

The list, the decision and every rule are `approvals`' (the API's functions, role set
`APPROVERS`): same team only, within my mandate, and never my own item — a page cannot offer
what the API would refuse, and a forged form is refused by the same check (Dutch 403 page).

An approver decides knowing what: each card shows the coach's motivation, who asks and for
whom (names, within the team), and exactly what the partner would get if approved now (the
preview's steps for a stored item, `preview.held_item`), with a link to the whole advice.
"""

from typing import Any

from aiohttp import web
from pydantic import ValidationError
from sqlalchemy import select

from wijkhub.hub.casework.approvals import ROLE_NL, Rejection, approve, awaiting_for, reject
from wijkhub.hub.core import people
from wijkhub.hub.core.auth import Principal
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import hex_id, not_found, validation_error
from wijkhub.hub.core.roles import APPROVERS
from wijkhub.hub.i18n import gettext
from wijkhub.hub.path import timeline
from wijkhub.hub.path.preview import held_item
from wijkhub.hub.records import clients
from wijkhub.hub.store.tables import APPROVAL
from wijkhub.hub.web import coach_words
from wijkhub.hub.web.coach_pages import labels as coach_labels
from wijkhub.hub.web.kit import flash_redirect, hub, page, reader, render, scope
from wijkhub.hub.web.privacy_pages import nl_time
from wijkhub.schemas.categories import CATEGORY_LABELS_NL, LEGAL_BASIS_LABELS_NL
from wijkhub.schemas.status import (
    DELIVERY_STATUS_LABELS_NL,
    PARTNER_STATUS_LABELS_NL,
    DeliveryStatus,
    PartnerStatus,
)

DONE_NL = {
    "goedgekeurd": gettext("The item is approved and is being sent now."),
    "afgewezen": gettext("The item is rejected and put back to draft; it is not sent."),
}
SOMEONE = gettext("a colleague of your team")


def euros(cents: int | None) -> str:
    return coach_words.euros(cents) if cents else "—"


def _title(request: web.Request, partner_id: str, advice_type: str) -> str:
    ctx = hub(request)
    partner = ctx.partners.get(partner_id)
    ptype = ctx.registry.get(partner.type) if partner else None
    at = ptype.advice_type(advice_type) if ptype else None
    return at.title_nl if at else "onbekend soort advies"


async def _names(request: web.Request, who: Principal, items: list[dict[str, Any]]) -> Any:
    """Client and author names for the cards: the approver's own team only."""
    ctx = hub(request)
    async with ctx.db.read() as conn:
        names = await people.names(ctx, conn, {it["author"] for it in items}, team=who.team)
        found = {
            cid: await clients.load(ctx, conn, cid) for cid in {it["client_id"] for it in items}
        }
    authors = {it["item_id"]: names.get(it["author"], SOMEONE) for it in items}
    client_names = {
        cid: f"{c.given_names} {c.family_name}" if c else "(gegevens niet meer bewaard)"
        for cid, c in found.items()
    }
    return authors, client_names


def _labels(ctx: HubContext) -> dict[str, Any]:
    # The coach's preview words (client fields, values), so both read the same.
    return {
        **coach_labels(ctx),
        "category_nl": {c.value: v for c, v in CATEGORY_LABELS_NL.items()},
        "basis_nl": {b.value: v for b, v in LEGAL_BASIS_LABELS_NL.items()},
        "role_needed": ROLE_NL,
        "euros": euros,
        "nl_time": nl_time,
    }


@page(roles=APPROVERS)
async def awaiting(request: web.Request, who: Principal) -> web.StreamResponse:
    ctx = hub(request)
    by = reader(request, who)
    items = await awaiting_for(ctx, who, by)
    authors, client_names = await _names(request, who, items)
    cards = []
    for it in items:
        held = await held_item(ctx, it["item_id"], by)
        cards.append(
            {
                **it,
                "title": _title(request, it["partner_id"], it["advice_type"]),
                "partner_name": ctx.partners.get(it["partner_id"]).name
                if ctx.partners.get(it["partner_id"])
                else "onbekende partner",
                "author_name": authors.get(it["item_id"], SOMEONE),
                "client_name": client_names[it["client_id"]],
                "held": held,
            }
        )
    return await render(
        request,
        "approvals.html",
        {
            "cards": cards,
            "done": DONE_NL.get(request.query.get("gedaan", "")),
            **_labels(hub(request)),
        },
    )


@page(roles=APPROVERS)
async def advice_page(request: web.Request, who: Principal) -> web.StreamResponse:
    """The whole advice an item waiting for approval belongs to (read-only): only an advice
    with an approval in the approver's own team."""
    ctx = hub(request)
    advice_id = hex_id(request.match_info["advice_id"], "Advies")
    async with ctx.db.read() as conn:
        ours = (
            await conn.scalars(
                select(APPROVAL.c.author).where(
                    APPROVAL.c.advice_id == advice_id, APPROVAL.c.team == who.team
                )
            )
        ).all()
    if not ours or who.team is None:
        raise not_found("Advies")
    advice = await timeline.get(ctx, advice_id, reader(request, who), team=scope(who))
    async with ctx.db.read() as conn:
        client = await clients.load(ctx, conn, advice.client_id.hex)
        names = await people.names(ctx, conn, set(ours), team=who.team)
    rows = [
        {
            "title": _title(request, it.partner_id, it.advice_type),
            "partner_name": ctx.partners.get(it.partner_id).name
            if ctx.partners.get(it.partner_id)
            else "onbekende partner",
            "delivery": DELIVERY_STATUS_LABELS_NL[DeliveryStatus(it.delivery_status)],
            "partner": PARTNER_STATUS_LABELS_NL[PartnerStatus(it.partner_status)]
            if it.partner_status
            else "—",
            "allowed": it.decision.allowed,
            "reason": it.decision.reason,
        }
        for it in advice.items
    ]
    return await render(
        request,
        "approval_advice.html",
        {
            "advice": advice,
            "rows": rows,
            "client_name": f"{client.given_names} {client.family_name}" if client else "—",
            "author_name": next(iter(names.values()), SOMEONE),
            **_labels(hub(request)),
        },
    )


@page(roles=APPROVERS)
async def approve_page(request: web.Request, who: Principal) -> web.StreamResponse:
    await approve(hub(request), hex_id(request.match_info["item_id"], "Goedkeuring"), who)
    raise flash_redirect("/goedkeuringen?gedaan=goedgekeurd")


@page(roles=APPROVERS)
async def reject_page(request: web.Request, who: Principal) -> web.StreamResponse:
    form = await request.post()
    try:
        body = Rejection.model_validate({"reason": str(form.get("reason", "")).strip()})
    except ValidationError as exc:
        raise validation_error(exc) from None
    await reject(
        hub(request), hex_id(request.match_info["item_id"], "Goedkeuring"), who, body.reason
    )
    raise flash_redirect("/goedkeuringen?gedaan=afgewezen")
