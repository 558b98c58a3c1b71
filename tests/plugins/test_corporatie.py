"""The corporatie plugin: registration, data minimisation (never the BSN), status round trip,
hostile input, withdrawal and the checked-in JSON Schemas."""

import json
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tests.plugins import json_format_cases as cases
from tests.support.factories import FICTIONAL_BSN, outbound
from wijkhub.hub.plugin_api.manager import load_registry
from wijkhub.hub.plugin_api.types import PayloadError
from wijkhub.plugins import corporatie
from wijkhub.plugins.corporatie import format as fmt
from wijkhub.plugins.corporatie import schema
from wijkhub.schemas.advice import Threat
from wijkhub.schemas.categories import DataCategory as C
from wijkhub.schemas.status import PartnerStatus

CT = cases.CT
ITEM = UUID("6f1c0c1e-5d55-4f5e-9d1a-2b6a3c4d5e6f")
ADVICE_TYPES = {a.name: a for a in corporatie.ADVICE_TYPES}
PARAMETERS: dict[str, dict[str, Any]] = {
    "urgentieverklaring": {"min_bedrooms": 3, "preferred_districts": ["Velve-Lindenhof"]},
    "betalingsregeling_huurachterstand": {
        "proposed_monthly_amount_cents": 7500,
        "term_months": 24,
        "start_date": "2027-01-01",
    },
    "opschorting_ontruiming": {"eviction_date": "2026-12-15", "suspension_weeks": 8},
    "verhuizing": {"reason": "housing_costs", "preferred_districts": ["Glanerbrug"]},
}
# Values of the fictional client, per category, that must not appear without that category.
MARKERS: dict[C, tuple[str, ...]] = {
    C.bsn: (FICTIONAL_BSN,),
    C.identification: ("Fenna", "1987-03-14"),
    C.contact: ("Proefstraat", "7511 AB", "06-12345678", "fenna@voorbeeld.test"),
    C.household: ("Daan", "Joris", "2012-06-01"),
    C.housing: ("De Woonplaats", "184500", "sociale_huur"),
    C.finance: ("145000", "1250000", "uitkering"),
    C.health: ("Chronische", "rugklachten"),
    C.youth_protection: ("GI-2025-0042", "2025-09-01"),
}


def permitted(name: str) -> set[C]:
    advice_type = ADVICE_TYPES[name]
    return set(advice_type.required_categories | advice_type.optional_categories)


def send(name: str, categories: set[C], **kwargs: Any) -> tuple[bytes, Any]:
    kwargs.setdefault("parameters", PARAMETERS[name])
    kwargs.setdefault("item_ref", ITEM)
    message = fmt.translate_advice(outbound(name, categories, **kwargs))
    assert message.content_type == CT
    return message.body, fmt.read_request(message.body, message.content_type)


STATUS_DEFAULTS: dict[str, Any] = {
    "berichttype": "statusmelding",
    "versie": "1.0",
    "bericht_id": "DWP-2026-000123",
    "advies_referentie": str(ITEM),
    "status": "toegekend",
    "tijdstip": "2026-11-24T14:05:00+01:00",
}


def status_body(**overrides: Any) -> bytes:
    return cases.status_body(STATUS_DEFAULTS, **overrides)


class TestJsonFormatCases(cases.JsonFormatCases):
    """Withdrawal, status round trip and hostile input, as for every JSON format."""

    fmt = fmt
    item = ITEM
    status_defaults = STATUS_DEFAULTS
    reason = "Huurachterstand te hoog voor regeling."


# --- registration -----------------------------------------------------------------------------


def test_registry_contains_corporatie() -> None:
    registry = load_registry()
    assert "corporatie" not in registry.failed
    pt = registry.get("corporatie")
    assert pt is not None
    assert {a.name for a in pt.advice_types} == set(PARAMETERS)
    assert pt.request_format.content_type == CT
    assert pt.backoffice is not None
    assert pt.backoffice.script == (
        PartnerStatus.received,
        PartnerStatus.in_progress,
        PartnerStatus.adopted,
    )


def test_advice_types_declare_categories_and_deadlines() -> None:
    base = {C.identification, C.contact, C.housing}
    for advice_type in corporatie.ADVICE_TYPES:
        assert base <= advice_type.required_categories
        assert C.bsn not in advice_type.required_categories | advice_type.optional_categories
        assert advice_type.motivation_category is C.free_text
        assert advice_type.parameters is not None
    assert C.finance in ADVICE_TYPES["betalingsregeling_huurachterstand"].required_categories
    assert ADVICE_TYPES["opschorting_ontruiming"].deadline.days == 2
    for name in ("urgentieverklaring", "verhuizing", "betalingsregeling_huurachterstand"):
        assert ADVICE_TYPES[name].deadline.days == 10
    payment = ADVICE_TYPES["betalingsregeling_huurachterstand"]
    assert payment.deadline_for([Threat.eviction]).days == 2
    assert payment.deadline_for([Threat.energy_disconnection]).days == 10


# --- minimisation -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_full_permitted_view_round_trips(name: str) -> None:
    _, received = send(name, permitted(name))
    assert received.kind == "advice"
    assert received.item_ref == ITEM
    assert received.advice_type == name
    assert received.categories == frozenset(permitted(name) | {C.free_text})


@pytest.mark.parametrize(
    ("name", "missing"),
    [(n, c) for n in sorted(PARAMETERS) for c in sorted(ADVICE_TYPES[n].optional_categories)],
)
def test_missing_optional_category_is_absent(name: str, missing: C) -> None:
    body, received = send(name, permitted(name) - {missing})
    assert missing not in received.categories
    for marker in MARKERS[missing]:
        assert marker.encode() not in body


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_without_identification_and_household_no_family_name(name: str) -> None:
    body, received = send(name, permitted(name) - {C.identification, C.household})
    assert b"Testervelde" not in body
    assert C.identification not in received.categories


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_without_contact_no_street(name: str) -> None:
    body, received = send(name, permitted(name) - {C.contact})
    assert b"Proefstraat" not in body
    assert C.contact not in received.categories


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_bsn_never_written_even_when_view_carries_it(name: str) -> None:
    everything = set(C)
    body, received = send(name, everything)
    assert FICTIONAL_BSN.encode() not in body
    assert b"bsn" not in body.lower()
    # Nor anything else a housing association has no business with.
    for category in (C.health, C.youth_protection):
        for marker in MARKERS[category]:
            assert marker.encode() not in body
    assert received.categories.isdisjoint({C.bsn, C.health, C.youth_protection})


def test_partner_rejects_a_message_carrying_a_bsn() -> None:
    body, _ = send("verhuizing", permitted("verhuizing"))
    message = json.loads(body)
    message["bewoner"]["bsn"] = FICTIONAL_BSN
    with pytest.raises(PayloadError, match=r"bewoner\.bsn") as info:
        fmt.read_request(json.dumps(message).encode(), CT)
    assert FICTIONAL_BSN not in str(info.value)


def test_motivation_absent_when_not_permitted() -> None:
    body, received = send("verhuizing", permitted("verhuizing"), motivation=None)
    assert b"motivering" not in body
    assert C.free_text not in received.categories


def test_request_details_are_written_in_dutch() -> None:
    _, received = send(
        "betalingsregeling_huurachterstand", permitted("betalingsregeling_huurachterstand")
    )
    assert received.fields["betalingsregeling_huurachterstand"] == {
        "voorgestelde_maandtermijn_centen": 7500,
        "looptijd_maanden": 24,
        "ingangsdatum": "2027-01-01",
    }
    _, received = send("opschorting_ontruiming", permitted("opschorting_ontruiming"))
    assert received.fields["opschorting_ontruiming"] == {
        "ontruimingsdatum": "2026-12-15",
        "opschorting_weken": 8,
    }


def test_request_details_and_threats_need_their_category() -> None:
    threats = [Threat.eviction, Threat.energy_disconnection]
    body, received = send("opschorting_ontruiming", {C.identification}, threats=threats)
    assert b"opschorting_weken" not in body
    assert b"dreigingen" not in body
    assert received.categories == {C.identification, C.free_text}
    body, _ = send("opschorting_ontruiming", {C.housing}, threats=threats)
    assert json.loads(body)["dreigingen"] == ["ontruiming"]
    body, _ = send("opschorting_ontruiming", {C.housing, C.finance}, threats=threats)
    assert json.loads(body)["dreigingen"] == ["ontruiming", "afsluiting_energie"]


def test_empty_request_details_are_left_out() -> None:
    body, received = send("verhuizing", permitted("verhuizing"), parameters={})
    assert b'"verhuizing":' not in body
    assert "verhuizing" not in received.fields


def test_invalid_parameters_are_not_sent() -> None:
    with pytest.raises(ValidationError):
        send(
            "betalingsregeling_huurachterstand",
            permitted("betalingsregeling_huurachterstand"),
            parameters={},
        )


def test_partner_rejects_details_of_another_advice_type() -> None:
    body, _ = send("verhuizing", permitted("verhuizing"))
    message = json.loads(body)
    message["opschorting_ontruiming"] = {"ontruimingsdatum": "2026-12-15"}
    with pytest.raises(PayloadError, match="past niet bij adviessoort"):
        fmt.read_request(json.dumps(message).encode(), CT)


def test_translation_is_deterministic() -> None:
    first, _ = send("urgentieverklaring", permitted("urgentieverklaring"))
    second, _ = send("urgentieverklaring", permitted("urgentieverklaring"))
    assert first == second


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(sorted(PARAMETERS)),
    categories=st.sets(st.sampled_from(list(C))),
    motivation=st.none() | st.just("Huurachterstand door inkomensval."),
    threats=st.lists(st.sampled_from(list(Threat)), max_size=4),
)
def test_nothing_outside_the_slice_leaks(
    name: str, categories: set[C], motivation: str | None, threats: list[Threat]
) -> None:
    body, received = send(name, categories, motivation=motivation, threats=threats)
    allowed = categories | ({C.free_text} if motivation else set())
    assert received.categories <= allowed
    assert FICTIONAL_BSN.encode() not in body
    for category, markers in MARKERS.items():
        if category not in categories:
            for marker in markers:
                assert marker.encode() not in body, (category, marker)


# --- status messages (see also TestJsonFormatCases) -------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (status_body(status="goedgekeurd"), CT, "veld 'status'"),
        (status_body(status="afgewezen", reden_code="anders"), CT, "'reden' is verplicht"),
        (status_body(status="deels_toegekend"), CT, "'reden' is verplicht"),
        (status_body(status="afgewezen", reden="   ", reden_code="anders"), CT, "veld 'reden'"),
        (status_body(status="afgewezen", reden="Nee."), CT, "'reden_code' is verplicht"),
        (status_body(reden_code="geheim"), CT, "veld 'reden_code'"),
        (status_body(tijdstip="2026-11-24T14:05:00"), CT, "veld 'tijdstip'"),
        (status_body(tijdstip="1700000000"), CT, "veld 'tijdstip' moet een tijdstip"),
        (status_body(tijdstip="24-11-2026 14:05"), CT, "veld 'tijdstip'"),
        (status_body(advies_referentie=12), CT, "veld 'advies_referentie'"),
        (status_body(bericht_id=123), CT, "veld 'bericht_id'"),
        (status_body(bericht_id=""), CT, "veld 'bericht_id'"),
        (status_body(versie="2.0"), CT, "veld 'versie'"),
        (status_body(berichttype="adviesaanvraag"), CT, "veld 'berichttype'"),
        (status_body(bsn=FICTIONAL_BSN), CT, "veld 'bsn' is niet toegestaan"),
        (status_body(bericht_id=None), CT, "veld 'bericht_id' ontbreekt"),
    ],
)
def test_parse_status_rejects(body: bytes, content_type: str, expected: str) -> None:
    # Malformed JSON, wrong content types and oversized bodies: TestJsonFormatCases.
    with pytest.raises(PayloadError, match=expected):
        fmt.parse_status(body, content_type)


def test_reasons_and_charset_are_accepted() -> None:
    body = status_body(
        status="afgewezen", reden="Geen urgentie volgens de regeling.", reden_code="anders"
    )
    [update] = fmt.parse_status(body, "application/json; charset=utf-8")
    assert update.status is PartnerStatus.rejected
    assert update.reason == "Geen urgentie volgens de regeling."
    assert update.partner_message_id == "DWP-2026-000123"


def test_errors_never_echo_values() -> None:
    for body in (
        status_body(status=FICTIONAL_BSN),
        status_body(tijdstip=FICTIONAL_BSN),
        status_body(**{FICTIONAL_BSN: "Testervelde"}),
        b'{"' + FICTIONAL_BSN.encode() + b'": 1, "' + FICTIONAL_BSN.encode() + b'": 2}',
    ):
        with pytest.raises(PayloadError) as info:
            fmt.parse_status(body, CT)
        assert FICTIONAL_BSN not in str(info.value)
        assert "Testervelde" not in str(info.value)


# --- JSON Schemas -----------------------------------------------------------------------------


@pytest.mark.parametrize("filename", sorted(schema.SCHEMAS))
def test_checked_in_schema_is_current(filename: str) -> None:
    cases.assert_schema_is_current("wijkhub.plugins.corporatie", schema, filename)


def test_request_schema_has_no_bsn_key() -> None:
    request = json.loads(schema.render_schema("adviesaanvraag.schema.json"))
    names = cases.property_names(request)
    assert "bewoner" in names and "voornamen" in names
    assert not {n for n in names if "bsn" in n.lower()}
