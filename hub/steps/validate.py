"""Step 1, validate: the checks that need the configuration (partner, advice type, the
advice type's parameters, free text the partner may not receive). Pydantic has already
checked the shape of the body; an error here is a 422 naming the field, nothing is stored."""

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from wijkhub.consent.free_text import contains_bsn
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import FieldError, invalid
from wijkhub.hub.core.partners import PartnerConfig
from wijkhub.hub.i18n import pydantic_message
from wijkhub.hub.plugin_api.types import AdviceType, PartnerType
from wijkhub.schemas.advice import (
    AdviceIn,
    AdviceItemIn,
    Urgency,
)


@dataclass
class PreparedItem:
    position: int
    item: AdviceItemIn
    partner: PartnerConfig
    ptype: PartnerType
    atype: AdviceType
    parameters: dict[str, Any]


def validate_items(ctx: HubContext, advice: AdviceIn) -> list[PreparedItem]:
    """Checks that need the configuration: partner, advice type, advice-type parameters."""
    errors: list[FieldError] = []
    prepared: list[PreparedItem] = []
    for i, item in enumerate(advice.items):
        where = f"items.{i}"
        partner = ctx.partners.get(item.partner_id)
        if partner is None:
            errors.append(
                FieldError(f"{where}.partner_id", f"onbekende partner '{item.partner_id}'")
            )
            continue
        ptype = ctx.registry.get(partner.type)
        atype = ptype.advice_type(item.advice_type) if ptype else None
        if ptype is None or atype is None:
            known = ", ".join(a.name for a in ptype.advice_types) if ptype else ""
            errors.append(
                FieldError(
                    f"{where}.advice_type",
                    f"{partner.name} kent adviestype '{item.advice_type}' niet (wel: {known})",
                )
            )
            continue
        params: dict[str, Any] = {}
        if atype.parameters is not None:
            try:
                params = atype.parameters.model_validate(item.parameters).model_dump(mode="json")
            except ValidationError as exc:
                for e in exc.errors():
                    loc = ".".join(str(p) for p in e["loc"])
                    errors.append(
                        FieldError(
                            f"{where}.parameters{'.' + loc if loc else ''}", pydantic_message(e)
                        )
                    )
                continue
        elif item.parameters:
            errors.append(
                FieldError(f"{where}.parameters", f"'{atype.name}' heeft geen parameters")
            )
            continue
        prules = ctx.rules.for_type(partner.type)
        if not (prules and prules.bsn_allowed) and contains_bsn(item.motivation):
            errors.append(
                FieldError(
                    f"{where}.motivation",
                    f"de motivatie bevat een BSN, en {partner.name} mag geen BSN ontvangen; "
                    "haal het nummer uit de tekst",
                )
            )
            continue
        prepared.append(PreparedItem(i, item, partner, ptype, atype, params))
    if errors:
        raise invalid(errors)
    return prepared


def prepared_from_row(
    ctx: HubContext, row: Any, cost_cents: int | None = None
) -> PreparedItem | None:
    """A stored item as it was submitted (None: its partner or advice type is gone)."""
    details = ctx.unseal(row.details, f"advice_item.details:{row.id}")
    partner = ctx.partners.get(row.partner_id)
    ptype = ctx.registry.get(partner.type) if partner else None
    atype = ptype.advice_type(row.advice_type) if ptype else None
    if partner is None or ptype is None or atype is None:
        return None
    item_in = AdviceItemIn(
        partner_id=partner.id,
        advice_type=atype.name,
        motivation=details["motivation"],
        urgency=Urgency(row.urgency),
        requested_date=row.requested_date,
        threats=details["threats"],
        parameters=details["parameters"],
        estimated_cost_cents=cost_cents,
    )
    return PreparedItem(row.position, item_in, partner, ptype, atype, details["parameters"])
