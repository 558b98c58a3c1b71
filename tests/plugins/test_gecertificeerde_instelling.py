"""The GI plugin: registration, data minimisation, status round trip (with the simulator's
partly-adopted answer), hostile input, withdrawal and the checked-in JSON Schemas."""

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tests.plugins import json_format_cases as cases
from tests.support.factories import FICTIONAL_BSN, outbound
from wijkhub.hub.plugin_api.manager import load_registry
from wijkhub.hub.plugin_api.types import PayloadError
from wijkhub.plugins import gecertificeerde_instelling as gi
from wijkhub.plugins.gecertificeerde_instelling import format as fmt
from wijkhub.plugins.gecertificeerde_instelling import schema
from wijkhub.schemas.advice import Threat
from wijkhub.schemas.categories import DataCategory as C
from wijkhub.schemas.categories import LegalBasis
from wijkhub.schemas.status import PartnerStatus, StatusUpdate

CT = cases.CT
ITEM = UUID("0b7d2f4e-8a61-4c39-b5e2-7f0c9d1a3e58")
ADVICE_TYPES = {a.name: a for a in gi.ADVICE_TYPES}
PARAMETERS: dict[str, dict[str, Any]] = {
    "informatie_lopende_maatregel": {"occasion": "signal"},
    "advies_hulp_binnen_maatregel": {
        "help_form": "parenting_support",
        "desired_start": "2027-01-04",
    },
}
MOTIVATION = "Daan verzuimt structureel; moeder vraagt opvoedondersteuning."
# Values of the fictional client, per category, that must not appear without that category.
MARKERS: dict[C, tuple[str, ...]] = {
    C.bsn: (FICTIONAL_BSN,),
    C.identification: ("Fenna", "1987-03-14"),
    C.contact: ("Proefstraat", "7511 AB", "06-12345678", "fenna@voorbeeld.test"),
    C.household: ("Joris", "2012-06-01", "1985-01-20"),
    C.housing: ("De Woonplaats", "184500", "2026-12-15"),
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
    kwargs.setdefault("motivation", MOTIVATION)
    kwargs.setdefault("legal_basis", LegalBasis.statutory_task)
    message = fmt.translate_advice(outbound(name, categories, **kwargs))
    assert message.content_type == CT
    return message.body, fmt.read_request(message.body, message.content_type)


STATUS_DEFAULTS: dict[str, Any] = {
    "berichttype": "statusmelding",
    "versie": "1.0",
    "bericht_id": "GI-MSG-2026-0077",
    "advies_referentie": str(ITEM),
    "status": "overgenomen",
    "tijdstip": "2026-11-24T14:05:00+01:00",
}


def status_body(**overrides: Any) -> bytes:
    return cases.status_body(STATUS_DEFAULTS, **overrides)


class TestJsonFormatCases(cases.JsonFormatCases):
    """Withdrawal, status round trip and hostile input, as for every JSON format."""

    fmt = fmt
    item = ITEM
    status_defaults = STATUS_DEFAULTS
    reason = "Pleegzorg is binnen de OTS niet nodig."


# --- registration -----------------------------------------------------------------------------


def test_registry_contains_gi() -> None:
    registry = load_registry()
    assert "gecertificeerde_instelling" not in registry.failed
    pt = registry.get("gecertificeerde_instelling")
    assert pt is not None
    assert {a.name for a in pt.advice_types} == set(PARAMETERS)
    assert pt.status_format.content_type == CT
    assert pt.backoffice is not None
    assert pt.backoffice.script == (PartnerStatus.received, PartnerStatus.partly_adopted)


def test_advice_types_declare_categories_and_deadlines() -> None:
    for advice_type in gi.ADVICE_TYPES:
        assert advice_type.required_categories == {C.identification, C.youth_protection}
        assert advice_type.optional_categories == {C.household}
        assert advice_type.motivation_category is C.youth_protection
        assert advice_type.deadline.days == 5
        assert advice_type.deadline.working_days
        assert advice_type.parameters is not None


# --- minimisation -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_full_permitted_view_round_trips(name: str) -> None:
    body, received = send(name, permitted(name))
    assert received.kind == "advice"
    assert received.item_ref == ITEM
    assert received.advice_type == name
    assert received.categories == frozenset(permitted(name))
    assert json.loads(body)["grondslag"] == "wettelijke_taak"


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_missing_household_is_absent(name: str) -> None:
    body, received = send(name, permitted(name) - {C.household})
    assert C.household not in received.categories
    assert b"huishouden" not in body
    for marker in MARKERS[C.household]:
        assert marker.encode() not in body


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_without_identification_and_household_no_family_name(name: str) -> None:
    body, received = send(name, {C.youth_protection})
    assert b"Testervelde" not in body
    assert b"Fenna" not in body
    assert received.categories == {C.youth_protection}


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_data_outside_the_format_is_never_written(name: str) -> None:
    body, received = send(name, set(C))
    for category in (C.bsn, C.contact, C.housing, C.finance, C.health):
        for marker in MARKERS[category]:
            assert marker.encode() not in body, (category, marker)
    assert b"Proefstraat" not in body
    assert received.categories == frozenset(permitted(name))


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_motivation_counts_as_youth_protection(name: str) -> None:
    body, received = send(name, {C.identification})
    # The motivation is there, so youth_protection is reported; the measure and the
    # advice-specific details (youth-protection data too) are not.
    assert received.categories == {C.identification, C.youth_protection}
    assert "maatregel" not in json.loads(body)["betrokkene"]
    assert name not in received.fields
    for marker in MARKERS[C.youth_protection]:
        assert marker.encode() not in body
    body, received = send(name, {C.identification}, motivation=None)
    assert b"motivering" not in body
    assert received.categories == {C.identification}


def test_request_details_are_written_in_dutch() -> None:
    name = "advies_hulp_binnen_maatregel"
    _, received = send(name, permitted(name))
    assert received.fields[name] == {
        "hulpvorm": "opvoedondersteuning",
        "gewenste_start": "2027-01-04",
    }
    name = "informatie_lopende_maatregel"
    _, received = send(name, permitted(name))
    assert received.fields[name] == {"aanleiding": "signaal"}
    body, received = send(name, permitted(name), parameters={})
    assert name not in received.fields
    assert f'"{name}":'.encode() not in body


def test_invalid_parameters_are_not_sent() -> None:
    name = "advies_hulp_binnen_maatregel"
    with pytest.raises(ValidationError):
        send(name, permitted(name), parameters={"help_form": "boot camp"})


def test_partner_rejects_unknown_keys_and_foreign_details() -> None:
    body, _ = send("informatie_lopende_maatregel", permitted("informatie_lopende_maatregel"))
    message = json.loads(body)
    message["betrokkene"]["bsn"] = FICTIONAL_BSN
    with pytest.raises(PayloadError, match=r"betrokkene\.bsn") as info:
        fmt.read_request(json.dumps(message).encode(), CT)
    assert FICTIONAL_BSN not in str(info.value)
    message = json.loads(body)
    message["advies_hulp_binnen_maatregel"] = {"hulpvorm": "pleegzorg"}
    with pytest.raises(PayloadError, match="past niet bij adviessoort"):
        fmt.read_request(json.dumps(message).encode(), CT)


@settings(max_examples=150, deadline=None)
@given(
    name=st.sampled_from(sorted(PARAMETERS)),
    categories=st.sets(st.sampled_from(list(C))),
    motivation=st.none() | st.just(MOTIVATION),
    threats=st.lists(st.sampled_from(list(Threat)), max_size=4),
)
def test_nothing_outside_the_slice_leaks(
    name: str, categories: set[C], motivation: str | None, threats: list[Threat]
) -> None:
    body, received = send(name, categories, motivation=motivation, threats=threats)
    allowed = categories | ({C.youth_protection} if motivation else set())
    assert received.categories <= allowed
    for category, markers in MARKERS.items():
        if category not in categories:
            for marker in markers:
                assert marker.encode() not in body, (category, marker)


# --- status messages (see also TestJsonFormatCases) -------------------------------------------


def test_simulator_script_renders_partly_adopted_with_reason() -> None:
    backoffice = gi.partner_type().backoffice
    assert backoffice is not None
    for n, status in enumerate(backoffice.script):
        update = StatusUpdate(
            item_ref=ITEM,
            status=status,
            occurred_at=datetime(2026, 11, 25, 9, n, tzinfo=UTC),
            partner_message_id=f"sim-{n}",
            reason="Alleen het ambulante deel wordt overgenomen." if n else None,
        )
        message = backoffice.render_status(update)
        body = json.loads(message.body)
        if status is PartnerStatus.partly_adopted:
            assert body["status"] == "deels_overgenomen"
            assert body["reden"] == "Alleen het ambulante deel wordt overgenomen."
        assert fmt.parse_status(message.body, message.content_type) == [update]


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (status_body(status="toegekend"), CT, "veld 'status'"),
        (status_body(status="afgewezen", reden_code="beroepsgeheim"), CT, "'reden' is verplicht"),
        (status_body(status="afgewezen", reden="Nee."), CT, "'reden_code' is verplicht"),
        (status_body(status="deels_overgenomen"), CT, "'reden' is verplicht"),
        (status_body(status="deels_overgenomen", reden=""), CT, "veld 'reden'"),
        (status_body(tijdstip="2026-11-24"), CT, "veld 'tijdstip'"),
        (status_body(tijdstip=1764000000), CT, "veld 'tijdstip'"),
        (status_body(advies_referentie="GI-2025-0042"), CT, "veld 'advies_referentie'"),
        (status_body(bericht_id=["a"]), CT, "veld 'bericht_id'"),
        (status_body(toelichting="x" * 2001), CT, "veld 'toelichting' is te lang"),
        (status_body(berichttype="adviesbericht"), CT, "veld 'berichttype'"),
        (status_body(zaaknummer="GI-2025-0042"), CT, "veld 'zaaknummer' is niet toegestaan"),
        (status_body(status=None), CT, "veld 'status' ontbreekt"),
    ],
)
def test_parse_status_rejects(body: bytes, content_type: str, expected: str) -> None:
    # Malformed JSON, wrong content types and oversized bodies: TestJsonFormatCases.
    with pytest.raises(PayloadError, match=expected):
        fmt.parse_status(body, content_type)


def test_errors_never_echo_values() -> None:
    for body in (
        status_body(status="GI-2025-0042"),
        status_body(advies_referentie="Testervelde"),
        status_body(**{"GI-2025-0042": "Testervelde"}),
    ):
        with pytest.raises(PayloadError) as info:
            fmt.parse_status(body, CT)
        assert "GI-2025-0042" not in str(info.value)
        assert "Testervelde" not in str(info.value)


@settings(max_examples=150, deadline=None)
@given(
    key=st.sampled_from(["betrokkene", "motivering", "adviessoort", "volgnummer", "y"]),
    value=cases.json_values,
)
def test_mutated_request_raises_only_payload_error(key: str, value: Any) -> None:
    body, _ = send("advies_hulp_binnen_maatregel", permitted("advies_hulp_binnen_maatregel"))
    message = json.loads(body)
    message[key] = value
    cases.only_payload_errors(fmt.read_request, json.dumps(message).encode())


# --- JSON Schemas -----------------------------------------------------------------------------


@pytest.mark.parametrize("filename", sorted(schema.SCHEMAS))
def test_checked_in_schema_is_current(filename: str) -> None:
    cases.assert_schema_is_current("wijkhub.plugins.gecertificeerde_instelling", schema, filename)


def test_request_schema_carries_only_declared_data() -> None:
    names = cases.property_names(json.loads(schema.render_schema("adviesbericht.schema.json")))
    assert {"betrokkene", "voornamen", "huishouden", "maatregel", "motivering"} <= names
    assert names.isdisjoint({"bsn", "adres", "telefoon", "email", "woonsituatie", "financien"})
