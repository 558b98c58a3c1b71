"""What the coach pages say for the hub's codes: field names, code values, timeline steps and
statuses, all from the one catalogue; dates as "3 december 2026" and amounts in euros (Babel).

Codes stay in the data (forms post them, tests select them); a person reads only these words.
A code without a word here is shown as a neutral phrase, never as the code itself."""

import re
from datetime import date, datetime
from typing import Any

from babel.numbers import format_currency

from wijkhub.hub.core.clock import AMSTERDAM
from wijkhub.hub.i18n import dates, gettext

LOCALE = "nl_NL"
UUID_TEXT = re.compile(
    r"\b[0-9a-f]{32}\b|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
)

# Field names of the client record, its view for a partner, and the advice types' parameters.
FIELD: dict[str, str] = {
    "subject_ref": gettext("pseudonym (per partner)"),
    "bsn": gettext("BSN"),
    "given_names": gettext("given names"),
    "given_name": gettext("given name"),
    "family_name": gettext("family name"),
    "birth_date": gettext("date of birth"),
    "gender": gettext("sex"),
    "address": gettext("address"),
    "street": gettext("street"),
    "house_number": gettext("house number"),
    "house_number_suffix": gettext("house number suffix"),
    "postcode": gettext("postcode"),
    "city": gettext("town"),
    "phone": gettext("phone"),
    "email": gettext("e-mail"),
    "household": gettext("household"),
    "role": gettext("role"),
    "housing": gettext("housing"),
    "tenure": gettext("kind of housing"),
    "landlord": gettext("landlord"),
    "rent_arrears_cents": gettext("rent arrears"),
    "eviction_date": gettext("eviction date"),
    "finance": gettext("finances"),
    "income_source": gettext("source of income"),
    "monthly_income_cents": gettext("monthly income"),
    "debt_total_cents": gettext("total debts"),
    "creditor_count": gettext("number of creditors"),
    "health": gettext("health"),
    "summary": gettext("summary"),
    "wmo_indication": gettext("Wmo indication"),
    "youth_protection": gettext("youth protection"),
    "measure": gettext("measure"),
    "measure_since": gettext("measure since"),
    "case_reference": gettext("case reference"),
    # advice-type parameters
    "min_bedrooms": gettext("minimum number of bedrooms"),
    "preferred_districts": gettext("preferred districts"),
    "proposed_monthly_amount_cents": gettext("proposed amount per month"),
    "term_months": gettext("term in months"),
    "start_date": gettext("start date"),
    "end_date": gettext("end date"),
    "suspension_weeks": gettext("suspension in weeks"),
    "reason": gettext("reason"),
    "occasion": gettext("occasion"),
    "help_form": gettext("form of help"),
    "desired_start": gettext("desired start"),
    "product_category": gettext("product category"),
    "product_code": gettext("product code of the municipality"),
    "volume": gettext("volume"),
    "unit": gettext("unit"),
    "frequency": gettext("frequency"),
    "creditors_known": gettext("creditors known"),
    "earlier_debt_counselling": gettext("earlier debt counselling"),
    "income_to_manage_cents": gettext("income to manage per month"),
    "pay_fixed_charges": gettext("pay the fixed charges"),
    # consent
    "partner_id": gettext("partner"),
    "purposes": gettext("purposes"),
    "categories": gettext("data"),
    "explicit": gettext("explicit consent"),
    "valid_from": gettext("valid from"),
    "valid_until": gettext("valid until"),
    "evidence_ref": gettext("evidence"),
    "requested_date": gettext("desired date"),
    # words inside the hub's own messages
    "item": gettext("item"),
    "item_id": gettext("an earlier item"),
    "until": gettext("a date"),
}

# Code values, by the field they are the value of.
VALUES: dict[str, dict[str, str]] = {
    "gender": {
        "unknown": gettext("unknown"),
        "male": gettext("male"),
        "female": gettext("female"),
        "other": gettext("other"),
    },
    "role": {
        "parent_with_authority": gettext("parent with authority"),
        "parent": gettext("parent"),
        "partner": gettext("partner"),
        "child": gettext("child"),
        "other": gettext("other"),
    },
    "tenure": {
        "social_rent": gettext("social rent"),
        "private_rent": gettext("private rent"),
        "owner": gettext("owner-occupier"),
        "no_fixed_abode": gettext("no fixed abode"),
        "other": gettext("other"),
    },
    "income_source": {
        "employment": gettext("employment"),
        "benefit": gettext("benefit"),
        "self_employed": gettext("self-employed"),
        "none": gettext("no income"),
        "other": gettext("other"),
    },
    "measure": {
        "ots": gettext("family supervision order (OTS)"),
        "voogdij": gettext("guardianship"),
        "jeugdreclassering": gettext("youth probation"),
    },
    "help_form": {
        "parenting_support": gettext("parenting support"),
        "outpatient_youth_care": gettext("outpatient youth care"),
        "day_treatment": gettext("day treatment"),
        "foster_care": gettext("foster care"),
        "residential_youth_care": gettext("residential youth care"),
        "other": gettext("other"),
    },
    "occasion": {
        "periodic_update": gettext("periodic update"),
        "signal": gettext("signal from the neighbourhood team"),
        "gi_request": gettext("request from the certified institution"),
    },
    "reason": {
        "housing_costs": gettext("housing costs"),
        "household_size": gettext("size of the household"),
        "social_circumstances": gettext("social circumstances"),
        "other": gettext("other"),
    },
    # iWmo WJ756 Eenheid and WMO757 Frequentie
    "unit": {
        "01": gettext("minutes"),
        "04": gettext("hours"),
        "14": gettext("days and nights"),
        "16": gettext("half-days"),
        "82": gettext("pieces (output)"),
        "83": gettext("euros"),
        "84": gettext("pieces (effort)"),
    },
    "frequency": {
        "1": gettext("per day"),
        "2": gettext("per week"),
        "4": gettext("per month"),
        "6": gettext("in total over the allocation"),
    },
    # iWmo WMO020 Productcategorie
    "product_category": {
        "01": gettext("Household help"),
        "02": gettext("Guidance"),
        "03": gettext("Personal care"),
        "04": gettext("Short stay"),
        "05": gettext("Housing services"),
        "06": gettext("Other support for the individual or household"),
        "07": gettext("Day activities"),
        "08": gettext("Transport services"),
        "09": gettext("Other group support"),
        "10": gettext("Other tailored arrangements"),
        "11": gettext("Wheelchairs"),
        "12": gettext("Transport aids"),
        "13": gettext("Housing aids"),
        "14": gettext("Other aids"),
        "15": gettext("Sheltered housing"),
        "16": gettext("Shelter"),
        "17": gettext("Emergency shelter"),
        "18": gettext("Other sheltered housing and shelter"),
    },
}

# Timeline steps and statuses that are not a delivery or partner status.
STEP: dict[str, str] = {
    "decision": gettext("decision of the hub"),
    "advice_attempt": gettext("delivery attempt"),
    "withdrawal_attempt": gettext("delivery attempt of the withdrawal"),
    "advice": gettext("delivery"),
    "withdrawal": gettext("withdrawal"),
    "partner_status": gettext("answer of the partner"),
    "approval_requested": gettext("approval requested"),
    "approval": gettext("approval"),
    "escalation": gettext("escalation"),
    "consultation_in": gettext("consultation: from the partner"),
    "consultation_out": gettext("consultation: to the partner"),
    "counter_proposal": gettext("counter-proposal"),
    "superseded": gettext("replaced"),
    "version": gettext("new version"),
    "wait": gettext("waiting in the plan"),
}
STATUS: dict[str, str] = {
    "allowed": gettext("allowed"),
    "refused": gettext("refused"),
    "ok": gettext("succeeded"),
    "failed": gettext("failed"),
    "approved": gettext("approved"),
    "rejected": gettext("rejected"),
    "awaiting": gettext("waiting"),
    "waiting": gettext("waiting"),
    "released": gettext("released"),
    "cancelled": gettext("cancelled"),
    "open": gettext("open"),
    "accepted": gettext("accepted"),
    "declined": gettext("declined"),
    "registered": gettext("registered"),
    "created": gettext("created"),
    "team_manager": gettext("team manager"),
    "cluster_manager": gettext("cluster manager"),
    "coach": gettext("neighbourhood coach"),
    "team_leader": gettext("team leader"),
    "privacy_officer": gettext("privacy officer"),
    "admin": gettext("administrator"),
    "inwoner": gettext("resident"),
    "question": gettext("question"),
    "answer": gettext("answer"),
    "report_back": gettext("report back"),
    "counter_proposal": gettext("counter-proposal"),
}
ROLE: dict[str, str] = {k: STATUS[k] for k in ("team_manager", "cluster_manager", "coach")}
NEUTRAL = gettext("(no description)")


def field(name: str) -> str:
    """A field's Dutch name; an unknown one without its underscores (never a bare code)."""
    return FIELD.get(name) or name.removesuffix("_cents").replace("_", " ")


def value(name: str, raw: Any) -> str:
    """One value of field `name` as a person reads it."""
    if isinstance(raw, bool):
        return gettext("yes") if raw else gettext("no")
    if name.endswith("_cents") and isinstance(raw, int):
        return euros(raw)
    if isinstance(raw, datetime):
        return moment(raw)
    if isinstance(raw, date):
        return day(raw)
    text = str(raw)
    codes = VALUES.get(name)
    if codes is not None:
        return codes.get(text, NEUTRAL)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return day(date.fromisoformat(text))
    return without_ids(text)


def euros(cents: int) -> str:
    return format_currency(cents / 100, "EUR", locale=LOCALE)


def day(d: date) -> str:
    """3 december 2026."""
    return dates.day(d)


def moment(at: datetime) -> str:
    """3 december 2026, 14:05 (Dutch time)."""
    local = at.astimezone(AMSTERDAM)
    return f"{day(local.date())}, {local:%H:%M}"


def status(code: str | None) -> str:
    if not code:
        return ""
    return STATUS.get(code, NEUTRAL)


def step(kind: str) -> str:
    return STEP.get(kind, NEUTRAL)


def without_ids(text: str | None) -> str:
    """A hub text with its internal references left out (a person cannot use a UUID)."""
    if not text:
        return ""
    out = UUID_TEXT.sub(gettext("the earlier version"), text)
    for name, label in FIELD.items():
        if "_" in name:
            out = re.sub(rf"\b{name}\b", label, out)
    return out


# Internal names that the hub's own Dutch messages sometimes carry (a plugin's validator).
MESSAGE_NAMES = sorted(
    [n for n in FIELD if "_" in n] + ["frequency", "unit", "item", "until"],
    key=len,
    reverse=True,
)


def readable_message(message: str) -> str:
    """A validation message with field names and codes in words."""
    out = message
    for name in MESSAGE_NAMES:
        out = re.sub(rf"\b{name}\b", FIELD[name], out)
    return without_ids(out)


def with_item_numbers(text: str | None, numbers: dict[str, int]) -> str:
    """A hub text that names items by reference, with "onderdeel N" for the items of this
    advice (the coach's numbering) and a neutral word for any other reference."""
    if not text:
        return ""

    def named(m: re.Match[str]) -> str:
        n = numbers.get(m.group(0).replace("-", "").lower())
        return gettext("item {n}").format(n=n) if n else gettext("another item")

    return UUID_TEXT.sub(named, text)
