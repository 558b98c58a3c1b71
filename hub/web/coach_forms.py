"""The advice composer's form: the choices come from the plugin registry, the parameter fields
from each advice type's own pydantic model, and the posted form becomes the same `AdviceIn`
body the API takes (so submit and its preview validate it exactly as for an API client)."""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from multidict import MultiDictProxy
from pydantic import ValidationError

from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import FieldError, validation_error
from wijkhub.hub.plugin_api.types import AdviceType
from wijkhub.schemas.advice import AdviceIn, Threat, Urgency

MAX_ITEMS = 20
URGENCY_NL = {Urgency.normal: "normaal", Urgency.high: "hoog", Urgency.crisis: "crisis"}
THREAT_NL = {
    Threat.eviction: "dreigende ontruiming",
    Threat.energy_disconnection: "afsluiting energie",
    Threat.water_disconnection: "afsluiting water",
    Threat.health_insurance_cancellation: "beëindiging zorgverzekering",
}


@dataclass
class ParamField:
    name: str
    kind: str  # text, integer, date, bool, enum, list
    required: bool
    value: str
    options: list[str] = field(default_factory=list)
    help: str | None = None


@dataclass
class ItemForm:
    index: int
    choice: str = ""  # "partner_id|advice_type"
    motivation: str = ""
    urgency: str = Urgency.normal.value
    threats: list[str] = field(default_factory=list)
    requested_date: str = ""
    cost: str = ""  # euros as the coach types them: "1250" or "1.250,50"
    params: dict[str, str] = field(default_factory=dict)
    fields: list[ParamField] = field(default_factory=list)

    @property
    def partner_id(self) -> str:
        return self.choice.partition("|")[0]

    @property
    def advice_type(self) -> str:
        return self.choice.partition("|")[2]


@dataclass
class Choice:
    partner_id: str
    partner_name: str
    types: list[tuple[str, str]]  # (value, Dutch title)


def choices(ctx: HubContext) -> list[Choice]:
    out = []
    for p in ctx.partners.all():
        ptype = ctx.registry.get(p.type)
        if ptype is None:
            continue
        out.append(
            Choice(p.id, p.name, [(f"{p.id}|{a.name}", a.title_nl) for a in ptype.advice_types])
        )
    return out


def advice_type(ctx: HubContext, partner_id: str, name: str) -> AdviceType | None:
    partner = ctx.partners.get(partner_id)
    ptype = ctx.registry.get(partner.type) if partner else None
    return ptype.advice_type(name) if ptype else None


def _kind(prop: dict[str, Any], defs: dict[str, Any]) -> tuple[str, list[str]]:
    options = [o for o in prop.get("anyOf", [prop]) if o.get("type") != "null"]
    one = options[0] if options else {}
    if "$ref" in one:
        one = defs.get(one["$ref"].rsplit("/", 1)[-1], {})
    if "enum" in one:
        return "enum", [str(v) for v in one["enum"]]
    if one.get("type") == "array":
        return "list", []
    if one.get("format") == "date":
        return "date", []
    return {"integer": "integer", "number": "integer", "boolean": "bool"}.get(
        one.get("type", ""), "text"
    ), []


def param_fields(atype: AdviceType | None, values: dict[str, str]) -> list[ParamField]:
    if atype is None or atype.parameters is None:
        return []
    schema = atype.parameters.model_json_schema()
    required = set(schema.get("required", []))
    out = []
    for name, prop in schema.get("properties", {}).items():
        kind, options = _kind(prop, schema.get("$defs", {}))
        default = prop.get("default")
        value = values.get(name)
        if value is None:
            value = "" if default in (None, []) else str(default).lower()
        out.append(
            ParamField(name, kind, name in required, value, options, prop.get("description"))
        )
    return out


def parse(ctx: HubContext, form: MultiDictProxy[Any]) -> tuple[str, list[ItemForm]]:
    """The composer's state from a posted form (items numbered 0..n-1)."""
    try:
        count = max(1, min(MAX_ITEMS, int(str(form.get("aantal", "1")))))
    except ValueError:
        count = 1
    items = []
    for i in range(count):
        pre = f"item-{i}-"
        it = ItemForm(
            index=i,
            choice=str(form.get(pre + "soort", "")),
            motivation=str(form.get(pre + "motivatie", "")),
            urgency=str(form.get(pre + "urgentie", Urgency.normal.value)),
            threats=[str(t) for t in form.getall(pre + "dreiging", [])],
            requested_date=str(form.get(pre + "datum", "")),
            cost=str(form.get(pre + "kosten", "")),
            params={
                k[len(pre + "p-") :]: str(v) for k, v in form.items() if k.startswith(pre + "p-")
            },
        )
        it.fields = param_fields(advice_type(ctx, it.partner_id, it.advice_type), it.params)
        items.append(it)
    return str(form.get("samenvatting", "")), items


def _param_value(f: ParamField) -> Any:
    if f.kind == "list":
        return [v.strip() for v in f.value.split(",") if v.strip()]
    return f.value  # the advice type's own model converts (lax): "4" → 4, "true" → True


def cents(euros: str) -> int | str:
    """'1.250,50' or '1250.5' → 125050; anything else is passed on for the API to refuse."""
    text = euros.strip().replace("€", "").replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        value = Decimal(text) * 100
    except InvalidOperation:
        return euros
    return int(value) if value == value.to_integral_value() else euros


def to_body(
    client_id: str, summary: str, items: list[ItemForm]
) -> tuple[dict[str, Any], list[int]]:
    """The API's body and the form row of each item sent (empty rows are left out)."""
    body_items = []
    for it in items:
        if not it.choice and not it.motivation.strip():
            continue
        body: dict[str, Any] = {
            "partner_id": it.partner_id,
            "advice_type": it.advice_type,
            "motivation": it.motivation,
            "urgency": it.urgency,
            "threats": it.threats,
            "parameters": {f.name: _param_value(f) for f in it.fields if f.value.strip()},
        }
        if it.requested_date:
            body["requested_date"] = it.requested_date
        if it.cost.strip():
            body["estimated_cost_cents"] = cents(it.cost)
        body_items.append((it.index, body))
    body = {
        "client_id": client_id,
        "summary": summary.strip() or None,
        "items": [b for _i, b in body_items],
    }
    return body, [i for i, _b in body_items]


def validate(
    body: dict[str, Any], positions: list[int]
) -> tuple[AdviceIn | None, list[FieldError]]:
    """Pydantic validation as the API does it, with field names mapped back to form rows."""
    try:
        return AdviceIn.model_validate(body), []
    except ValidationError as exc:
        return None, remap(validation_error(exc).fields, positions)


def remap(errors: list[FieldError], positions: list[int]) -> list[FieldError]:
    """The API numbers items among those sent; the form numbers its rows."""
    out = []
    for e in errors:
        parts = e.field.split(".")
        if len(parts) > 1 and parts[0] == "items" and parts[1].isdigit():
            n = int(parts[1])
            parts[1] = str(positions[n] if n < len(positions) else n)
        out.append(FieldError(".".join(parts), e.message))
    return out
