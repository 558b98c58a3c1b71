"""Approver pages: the items waiting for my approval; approve, or reject with a reason.

The list, the decision and every rule are `approvals`' (the API's functions, role set
`APPROVERS`): same team only, within my mandate, and never my own item — a page cannot offer
what the API would refuse, and a forged form is refused by the same check (Dutch 403 page).
"""

from aiohttp import web
from pydantic import ValidationError

from wijkhub.hub.casework.approvals import ROLE_NL, Rejection, approve, awaiting_for, reject
from wijkhub.hub.core.auth import Principal
from wijkhub.hub.core.errors import hex_id, validation_error
from wijkhub.hub.core.roles import APPROVERS
from wijkhub.hub.web.kit import flash_redirect, hub, page, reader, render
from wijkhub.hub.web.privacy_pages import nl_time

DONE_NL = {
    "goedgekeurd": "Het onderdeel is goedgekeurd en wordt nu verstuurd.",
    "afgewezen": "Het onderdeel is afgewezen en teruggezet naar concept; het wordt niet verstuurd.",
}


def _euros(cents: int | None) -> str:
    if not cents:
        return "—"
    whole, rest = divmod(cents, 100)
    return f"€ {whole:,}".replace(",", ".") + f",{rest:02d}"


@page(roles=APPROVERS)
async def awaiting(request: web.Request, who: Principal) -> web.StreamResponse:
    ctx = hub(request)
    items = await awaiting_for(ctx, who, reader(request, who))
    partners = {p.id: p.name for p in ctx.partners.all()}
    titles: dict[tuple[str, str], str] = {}
    for it in items:
        partner = ctx.partners.get(it["partner_id"])
        ptype = ctx.registry.get(partner.type) if partner else None
        at = ptype.advice_type(it["advice_type"]) if ptype else None
        titles[(it["partner_id"], it["advice_type"])] = at.title_nl if at else it["advice_type"]
    return await render(
        request,
        "approvals.html",
        {
            "items": items,
            "partners": partners,
            "titles": titles,
            "role_needed": ROLE_NL,
            "euros": _euros,
            "nl_time": nl_time,
            "done": DONE_NL.get(request.query.get("gedaan", "")),
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
