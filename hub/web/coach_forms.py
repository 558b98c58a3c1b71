"""The advice composer's form: the choices come from the plugin registry, the parameter fields
from each advice type's own pydantic model, and the posted form becomes the same `AdviceIn`
body the API takes (so submit and its preview validate it exactly as for an API client)."""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from multidict import MultiDictProxy
from pydantic import ValidationError

from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import FieldError, validation_error
from wijkhub.hub.i18n import gettext
from wijkhub.hub.plugin_api.types import AdviceType
from wijkhub.hub.web import coach_words
from wijkhub.schemas.advice import AdviceIn, Threat, Urgency
from wijkhub.schemas.status import PartnerStatus

MAX_ITEMS = 20
URGENCY_NL = {
    Urgency.normal: gettext("normal"),
    Urgency.high: gettext("high"),
    Urgency.crisis: gettext("crisis"),
}
THREAT_NL = {
    Threat.eviction: gettext("threatened eviction"),
    Threat.energy_disconnection: gettext("energy disconnection"),
    Threat.water_disconnection: gettext("water disconnection"),
    Threat.health_insurance_cancellation: gettext("cancellation of health insurance"),
}
# What an item can wait for: the earlier item reaching one of these partner statuses.
WAIT_STATUSES: list[tuple[str, str]] = [
    (PartnerStatus.received.value, gettext("has received it")),
    (PartnerStatus.intake_held.value, gettext("has held the intake")),
    (PartnerStatus.adopted.value, gettext("has adopted it")),
    (PartnerStatus.carried_out.value, gettext("has carried it out")),
]


@dataclass
class ParamField:
    name: str
    kind: str  # text, integer, euro, date, bool, enum, list, fixed (set by the advice type)
    required: bool
    value: str
    options: list[tuple[str, str]] = field(default_factory=list)  # (code, Dutch)

    @property
    def label(self) -> str:
        return coach_words.field(self.name)


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
    member: str = ""  # household member id (hex) the item is about; "" = the client
    goal: str = ""  # goal id (hex) in the household plan
    wait_item: str = ""  # form row of the earlier item this one waits for
    wait_status: str = PartnerStatus.received.value
    wait_until: str = ""  # or: a date on which it is sent

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
        kind, codes = _kind(prop, schema.get("$defs", {}))
        default = prop.get("default")
        value = values.get(name)
        if value is None:
            value = "" if default in (None, []) else str(default).lower()
            if name.endswith("_cents") and isinstance(default, int):
                value = f"{default / 100:.2f}".replace(".", ",")
        if kind == "integer" and name.endswith("_cents"):
            kind = "euro"
        if kind == "enum" and default is not None and name == "product_category":
            kind = "fixed"  # the advice type decides its product category
        options = [(c, coach_words.value(name, c)) for c in codes]
        out.append(ParamField(name, kind, name in required, value, options))
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
            member=str(form.get(pre + "lid", "")),
            goal=str(form.get(pre + "doel", "")),
            wait_item=str(form.get(pre + "wacht-onderdeel", "")),
            wait_status=str(form.get(pre + "wacht-status", PartnerStatus.received.value)),
            wait_until=str(form.get(pre + "wacht-datum", "")),
        )
        it.fields = param_fields(advice_type(ctx, it.partner_id, it.advice_type), it.params)
        items.append(it)
    return str(form.get("samenvatting", "")), items


def _param_value(f: ParamField) -> Any:
    if f.kind == "list":
        return [v.strip() for v in f.value.split(",") if v.strip()]
    if f.kind == "euro":
        return cents(f.value)
    return f.value  # the advice type's own model converts (lax): "4" → 4, "true" → True


def cents(euros: str) -> int | str:
    """'1.250,50' or '1250.5' → 125050; anything else is passed on for the API to refuse."""
    text = euros.strip().replace("€", "").replace(" ", "").replace("\xa0", "")
    if "," in text or re.fullmatch(r"[0-9]{1,3}(\.[0-9]{3})+", text):
        # Dutch: a comma before the cents, dots between thousands ("12.500" is twelve thousand)
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
    sent_rows = [it.index for it in items if it.choice or it.motivation.strip()]
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
        if it.member:
            body["member_id"] = it.member
        if it.goal:
            body["goal_id"] = it.goal
        if it.wait_item.isdigit():
            row = int(it.wait_item)
            # The API counts the items sent; the form its rows. A row left empty is refused.
            position = sent_rows.index(row) if row in sent_rows else 99
            body["wait_for"] = {"item": position, "status": it.wait_status}
        elif it.wait_until:
            body["wait_for"] = {"until": it.wait_until}
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
    """The API numbers items among those sent; the form numbers its rows. Messages name
    fields as the coach sees them, not by their internal names."""
    out = []
    for e in errors:
        parts = e.field.split(".")
        if len(parts) > 1 and parts[0] == "items" and parts[1].isdigit():
            n = int(parts[1])
            parts[1] = str(positions[n] if n < len(positions) else n)
        out.append(FieldError(".".join(parts), coach_words.readable_message(e.message)))
    return out


ITEM_FIELDS: dict[str, str] = {
    "partner_id": gettext("partner and advice type"),
    "advice_type": gettext("partner and advice type"),
    "motivation": gettext("motivation"),
    "urgency": gettext("urgency"),
    "threats": gettext("threats"),
    "requested_date": gettext("desired date"),
    "estimated_cost_cents": gettext("estimated costs"),
    "parameters": gettext("details for this advice type"),
    "member_id": gettext("for whom"),
    "goal_id": gettext("goal"),
    "wait_for": gettext("waits for"),
}


def where(field_path: str) -> str:
    """'items.2.parameters.term_months' → 'Onderdeel 3, termijn in maanden'."""
    parts = field_path.split(".")
    if len(parts) > 1 and parts[0] == "items" and parts[1].isdigit():
        head = gettext("Item {n}").format(n=int(parts[1]) + 1)
        rest = parts[2:]
        if rest and rest[0] == "parameters" and len(rest) > 1:
            return f"{head}, {coach_words.field(rest[1])}"
        if rest:
            return f"{head}, {ITEM_FIELDS.get(rest[0], coach_words.field(rest[0]))}"
        return head
    if parts[0] == "summary":
        return gettext("summary")
    if parts[0] == "items":
        return gettext("items")
    if field_path in CLIENT_FIELDS:
        return coach_words.field(CLIENT_FIELDS[field_path].rpartition(".")[2])
    return PLAN_FORMS.get(field_path) or coach_words.field(parts[-1])


PLAN_FORMS: dict[str, str] = {
    "huishouden": gettext("household"),
    "lid": gettext("member"),
    "doel": gettext("goal"),
    "rol": gettext("role"),
    "body": gettext("the form"),
}


def error_key(field_path: str) -> str:
    """The form field an error belongs next to: items.N.<field> (parameters by name)."""
    parts = field_path.split(".")
    if len(parts) > 3 and parts[2] == "parameters":
        return ".".join(parts[:4])
    if len(parts) > 2 and parts[0] == "items":
        return ".".join(parts[:3])
    return field_path


# --- registering a client ----------------------------------------------------------------------

# Form field → the API body's field (dotted: inside a block). Amounts are typed in euros.
CLIENT_FIELDS: dict[str, str] = {
    "voornamen": "given_names",
    "achternaam": "family_name",
    "bsn": "bsn",
    "geboortedatum": "birth_date",
    "geslacht": "gender",
    "straat": "address.street",
    "huisnummer": "address.house_number",
    "toevoeging": "address.house_number_suffix",
    "postcode": "address.postcode",
    "woonplaats": "address.city",
    "telefoon": "phone",
    "email": "email",
    "woonsituatie": "housing.tenure",
    "verhuurder": "housing.landlord",
    "huurachterstand": "housing.rent_arrears_cents",
    "inkomen": "finance.income_source",
    "schulden": "finance.debt_total_cents",
    "schuldeisers": "finance.creditor_count",
}
FORM_OF = {api: form for form, api in CLIENT_FIELDS.items()}


def client_body(form: MultiDictProxy[Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The `ClientIn` body of the registration form, and the form as typed (to show again).
    A block (address, housing, finance) is sent only when one of its fields is filled in."""
    typed = {k: str(form.get(k, "")).strip() for k in CLIENT_FIELDS}
    body: dict[str, Any] = {}
    for name, path in CLIENT_FIELDS.items():
        text = typed[name]
        if not text:
            continue
        value: Any = cents(text) if path.endswith("_cents") else text
        if path == "bsn":
            value = text.replace(" ", "").replace(".", "")
        head, _, tail = path.partition(".")
        if tail:
            body.setdefault(head, {})[tail] = value
        else:
            body[head] = value
    if "housing" in body and "tenure" not in body["housing"]:
        body["housing"]["tenure"] = "other"
    if "finance" in body and "income_source" not in body["finance"]:
        body["finance"]["income_source"] = "other"
    return body, typed


def client_errors(errors: list[FieldError]) -> list[FieldError]:
    """API field paths → the form's own field names (so each message sits by its field)."""
    out = []
    for e in errors:
        name = FORM_OF.get(e.field)
        if name is None:  # a missing block field (street of an address, …) or the whole block
            head = e.field.partition(".")[0]
            name = next((f for f, p in CLIENT_FIELDS.items() if p.startswith(head + ".")), "")
        out.append(FieldError(name or "voornamen", coach_words.readable_message(e.message)))
    return out
