"""Tests of the zorgaanbieder plugin in format version 1.0 (Wijkhub's simplified XML): the Wmo
allocation (301-like), the provider's retour, start and stop messages (302/305/307-like) and the
intrekking. iWmo 3.2 proper, the default, is tested in test_zorgaanbieder_iwmo32.py."""

import contextlib
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from uuid import uuid4
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree
from pydantic import ValidationError

from tests.plugins.consultation_cases import REASON_CODES, consultations
from tests.plugins.wmo_cases import WMO_PARAMS as PARAMS
from tests.support.factories import FICTIONAL_BSN, outbound, withdrawal
from wijkhub.hub.plugin_api import safexml
from wijkhub.hub.plugin_api.manager import load_registry
from wijkhub.hub.plugin_api.types import PayloadError
from wijkhub.plugins.zorgaanbieder import PARTNER_TYPE
from wijkhub.plugins.zorgaanbieder.codes import (
    NS32_301,
    NS32_306,
    NS_301,
    NS_302,
    NS_305,
    NS_307,
    NS_OVERLEG,
    REDEN_BEEINDIGING,
    schema,
)
from wijkhub.plugins.zorgaanbieder.parameters import (
    BegeleidingParameters,
    HuishoudelijkeHulpParameters,
)
from wijkhub.schemas.advice import Threat
from wijkhub.schemas.categories import DataCategory as C
from wijkhub.schemas.client import Gender
from wijkhub.schemas.consultation import (
    ConsultationKind,
    CounterProposal,
    OutboundConsultation,
    PartnerConsultation,
)
from wijkhub.schemas.outbound import Approval
from wijkhub.schemas.status import PartnerStatus, RejectionReason, StatusUpdate

translate_advice = PARTNER_TYPE.translate_advice
translate_withdrawal = PARTNER_TYPE.translate_withdrawal
parse_status = PARTNER_TYPE.parse_status
assert PARTNER_TYPE.backoffice is not None
read_request = PARTNER_TYPE.backoffice.read_request
render_status = PARTNER_TYPE.backoffice.render_status

XML = "application/xml"
ADVICE_TYPES = {a.name: a for a in PARTNER_TYPE.advice_types}
CATEGORY_OF = {"wmo_huishoudelijke_hulp": "01", "wmo_begeleiding": "02"}
# Values of the fictional test client (tests/support/factories.py) only one category carries.
MARKERS: dict[C, tuple[str, ...]] = {
    C.bsn: (FICTIONAL_BSN,),
    C.identification: ("Fenna Maria", "1987-03-14", "<Geslacht>"),
    C.contact: ("Proefstraat", "7511", "Enschede", "06-12345678", "fenna@voorbeeld.test"),
    C.household: ("Daan", "Joris", "2012-06-01"),
    C.health: ("rugklachten", "WmoIndicatie"),
    C.housing: ("De Woonplaats", "184500", "2026-12-15"),
    C.finance: ("145000", "1250000"),
    C.youth_protection: ("GI-2025-0042", "2025-09-01"),
}


def _advice(advice_type: str, categories: set[C], **kw: object):
    advice = outbound(advice_type, categories, parameters=PARAMS[advice_type], **kw)
    return advice.model_copy(update={"format_version": "1.0"})


def _declared(advice_type: str) -> frozenset[C]:
    at = ADVICE_TYPES[advice_type]
    return at.required_categories | at.optional_categories


# --- registration -------------------------------------------------------------------------


def test_registry_contains_the_partner_type() -> None:
    registry = load_registry()
    assert "zorgaanbieder" not in registry.failed
    pt = registry.get("zorgaanbieder")
    assert pt is not None
    assert registry.owners["zorgaanbieder"] == "zorgaanbieder"
    assert {a.name for a in pt.advice_types} == {"wmo_huishoudelijke_hulp", "wmo_begeleiding"}
    for at in pt.advice_types:
        assert at.required_categories == {C.identification, C.bsn, C.contact}
        assert at.optional_categories == {C.household, C.health}
        assert at.motivation_category is C.free_text
        assert at.deadline.days == 5 and at.deadline.working_days
        assert at.parameters is not None
    assert pt.backoffice is not None
    assert pt.backoffice.script == (PartnerStatus.received, PartnerStatus.in_progress)


# --- advice out ---------------------------------------------------------------------------


@pytest.mark.parametrize("advice_type", sorted(PARAMS))
def test_full_view_round_trips_through_the_provider(advice_type: str) -> None:
    advice = _advice(advice_type, set(_declared(advice_type)))
    msg = translate_advice(advice)
    assert msg.content_type == XML
    got = read_request(msg.body, msg.content_type)
    assert got.kind == "advice"
    assert got.item_ref == advice.item_ref
    assert got.advice_type == advice_type
    assert got.categories == _declared(advice_type) | {C.free_text}
    assert got.fields["productcategorie"] == CATEGORY_OF[advice_type]
    assert got.fields["toewijzingnummer"] == advice.item_number
    assert got.fields["volume"] == PARAMS[advice_type]["volume"]
    for cat in _declared(advice_type):
        for marker in MARKERS[cat]:
            assert marker.encode() in msg.body, (cat, marker)


@pytest.mark.parametrize("advice_type", sorted(PARAMS))
def test_missing_optional_categories_are_absent_from_the_bytes(advice_type: str) -> None:
    advice = _advice(advice_type, {C.identification, C.bsn, C.contact})
    msg = translate_advice(advice)
    got = read_request(msg.body, msg.content_type)
    assert got.categories == {C.identification, C.bsn, C.contact, C.free_text}
    for cat in (C.household, C.health):
        for marker in MARKERS[cat]:
            assert marker.encode() not in msg.body, (cat, marker)
    assert b"Huishouden" not in msg.body and b"Gezondheid" not in msg.body


@pytest.mark.parametrize("advice_type", sorted(PARAMS))
@pytest.mark.parametrize("absent", [C.bsn, C.identification, C.contact])
def test_each_client_category_is_left_out_when_not_permitted(advice_type: str, absent: C) -> None:
    # A required category the policy did not permit still must not appear: the plugin writes
    # only what the view holds (the hub refuses such an item before it gets here).
    categories = {C.identification, C.bsn, C.contact} - {absent}
    msg = translate_advice(_advice(advice_type, categories))
    got = read_request(msg.body, msg.content_type)
    assert absent not in got.categories
    for marker in MARKERS[absent]:
        assert marker.encode() not in msg.body, marker
    if absent is C.identification:  # household is absent too, so the family name is gone
        assert b"Testervelde" not in msg.body


@pytest.mark.parametrize("advice_type", sorted(PARAMS))
def test_motivation_none_leaves_out_commentaar(advice_type: str) -> None:
    msg = translate_advice(_advice(advice_type, {C.bsn}, motivation=None))
    assert b"Commentaar" not in msg.body and b"huurachterstand" not in msg.body
    assert read_request(msg.body, msg.content_type).categories == {C.bsn}


def test_undeclared_categories_in_the_view_are_never_written() -> None:
    msg = translate_advice(_advice("wmo_begeleiding", set(C)))
    got = read_request(msg.body, msg.content_type)
    assert got.categories == _declared("wmo_begeleiding") | {C.free_text}
    for cat in (C.housing, C.finance, C.youth_protection):
        for marker in MARKERS[cat]:
            assert marker.encode() not in msg.body, (cat, marker)


def test_threats_are_not_sent() -> None:

    # An eviction threat is housing information, outside this partner's slice.
    advice = _advice("wmo_begeleiding", {C.bsn}, threats=[Threat.eviction], motivation=None)
    body = translate_advice(advice).body
    assert b"eviction" not in body and b"ontruiming" not in body


@settings(max_examples=60, deadline=None)
@given(
    advice_type=st.sampled_from(sorted(PARAMS)),
    categories=st.sets(st.sampled_from(list(C))),
    with_motivation=st.booleans(),
    approval=st.none()
    | st.builds(
        Approval,
        role=st.sampled_from(["coach", "team_manager", "cluster_manager"]),
        approver_ref=st.text("0123456789abcdef", min_size=32, max_size=32),
        approved_at=st.datetimes(
            datetime(2020, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC)
        ),
    ),
)
def test_property_nothing_outside_the_slice_leaks(
    advice_type: str, categories: set[C], with_motivation: bool, approval: Approval | None
) -> None:
    # The approval's random values (hex pseudonym, time) may spell a marker, e.g. "7511" (the
    # postcode): that would be no leak.
    drawn = approval.model_dump_json() if approval else ""
    assume(not any(m in drawn for ms in MARKERS.values() for m in ms))
    motivation = "Ondersteuning nodig bij dagstructuur." if with_motivation else None
    advice = _advice(advice_type, categories, motivation=motivation).model_copy(
        update={"approval": approval}
    )
    msg = translate_advice(advice)
    got = read_request(msg.body, msg.content_type)
    assert got.fields["approval"] == approval
    allowed = set(categories) | ({C.free_text} if with_motivation else set())
    assert got.categories <= allowed
    # And exactly the declared part of the slice arrives (the test client fills every field).
    expected = (set(categories) & _declared(advice_type)) | (
        {C.free_text} if with_motivation else set()
    )
    assert got.categories == expected
    for cat in set(C) - set(categories) - {C.free_text}:
        for marker in MARKERS.get(cat, ()):
            assert marker.encode() not in msg.body, (cat, marker)


def test_header_and_allocation_fields() -> None:
    advice = _advice("wmo_huishoudelijke_hulp", set(_declared("wmo_huishoudelijke_hulp")))
    root = etree.fromstring(translate_advice(advice).body)
    ns = {"z": NS_301}

    def t(path: str) -> str | None:
        return root.findtext(path, namespaces=ns)

    assert t("z:Header/z:BerichtCode") == "414"
    assert t("z:Header/z:BerichtVersie") == "3"
    assert t("z:Header/z:BerichtSubversie") == "2"
    assert t("z:Header/z:Afzender") == "0153"
    assert t("z:Header/z:BerichtIdentificatie/z:Dagtekening") == "2026-11-20"
    assert t("z:Header/z:Aanmaakmoment") == "2026-11-20T09:30:00+00:00"
    assert t("z:Header/z:WijkhubReferentie") == str(advice.item_ref)
    assert t("z:Client/z:Geslacht") == "2"
    assert t("z:Client/z:Contactgegevens/z:Adres/z:Postcode") == "7511AB"
    product = "z:Client/z:ToegewezenProducten/z:ToegewezenProduct/"
    assert t(product + "z:ToewijzingNummer") == "42"
    assert t(product + "z:Product/z:Categorie") == "01"
    assert t(product + "z:Einddatum") == "2027-11-30"
    assert t(product + "z:Omvang/z:Frequentie") == "2"
    assert t(product + "z:UitersteReactiedatum") == "2026-11-25"


APPROVAL = Approval(
    role="cluster_manager",
    approver_ref="9c0d" * 8,
    approved_at=datetime(2026, 11, 20, 10, 15, tzinfo=timezone(timedelta(hours=1))),
)


@pytest.mark.parametrize("advice_type", sorted(PARAMS))
def test_approval_travels_in_the_header(advice_type: str) -> None:
    advice = _advice(advice_type, set(_declared(advice_type))).model_copy(
        update={"approval": APPROVAL}
    )
    msg = translate_advice(advice)  # `finish` validates it against wmo301.xsd
    root = etree.fromstring(msg.body)
    ns = {"z": NS_301}
    assert root.findtext("z:Header/z:Goedkeuring/z:Rol", namespaces=ns) == "cluster_manager"
    assert root.findtext("z:Header/z:Goedkeuring/z:Goedkeurder", namespaces=ns) == "9c0d" * 8
    got = read_request(msg.body, msg.content_type)
    assert got.fields["approval"] == APPROVAL
    assert got.categories == set(_declared(advice_type)) | {C.free_text}


def test_without_approval_no_goedkeuring_element() -> None:
    msg = translate_advice(_advice("wmo_begeleiding", {C.bsn}))
    assert b"Goedkeuring" not in msg.body
    assert read_request(msg.body, msg.content_type).fields["approval"] is None


def test_dagtekening_is_the_dutch_calendar_date() -> None:
    advice = _advice("wmo_begeleiding", {C.bsn}).model_copy(
        update={"created_at": datetime(2026, 11, 20, 23, 30, tzinfo=UTC)}
    )
    root = etree.fromstring(translate_advice(advice).body)
    path = "z:Header/z:BerichtIdentificatie/z:Dagtekening"
    assert root.findtext(path, namespaces={"z": NS_301}) == "2026-11-21"


@pytest.mark.parametrize(
    ("gender", "code"),
    [(Gender.unknown, "0"), (Gender.male, "1"), (Gender.female, "2"), (Gender.other, "0")],
)
def test_gender_maps_to_cod046(gender: Gender, code: str) -> None:
    advice = _advice("wmo_begeleiding", {C.identification})
    advice = advice.model_copy(
        update={"client": advice.client.model_copy(update={"gender": gender})}
    )
    root = etree.fromstring(translate_advice(advice).body)
    assert root.findtext("z:Client/z:Geslacht", namespaces={"z": NS_301}) == code


def test_outgoing_xml_is_validated() -> None:
    advice = _advice("wmo_begeleiding", {C.contact})
    advice = advice.model_copy(
        update={"client": advice.client.model_copy(update={"phone": "0" * 51})}
    )
    with pytest.raises(PayloadError, match="schema"):
        translate_advice(advice)


def test_translate_advice_checks_parameters_and_advice_type() -> None:
    advice = outbound("wmo_begeleiding", {C.bsn}, parameters=PARAMS["wmo_huishoudelijke_hulp"])
    with pytest.raises(ValueError, match="product_category"):
        translate_advice(advice)
    with pytest.raises(ValueError, match="adviestype"):
        translate_advice(outbound("huurachterstand", {C.bsn}, parameters={}))


# --- parameters ---------------------------------------------------------------------------


def test_parameters_weekly_frequency_needs_end_date() -> None:
    data = {**PARAMS["wmo_huishoudelijke_hulp"], "end_date": None}
    with pytest.raises(ValidationError, match="end_date is verplicht bij frequency 2"):
        HuishoudelijkeHulpParameters.model_validate(data)


def test_parameters_default_category_and_mismatch() -> None:
    p = BegeleidingParameters.model_validate(
        {"volume": 3, "unit": "16", "frequency": "1", "start_date": "2026-12-01"}
    )
    assert p.product_category == "02"
    with pytest.raises(ValidationError, match="verwacht 02"):
        BegeleidingParameters.model_validate(
            {**PARAMS["wmo_begeleiding"], "product_category": "03"}
        )


@pytest.mark.parametrize(
    "change",
    [
        {"extra": 1},
        {"product_code": "02A0"},
        {"volume": 0},
        {"unit": "02"},
        {"frequency": "3"},
        {"product_category": "19"},
        {"end_date": "2026-11-01"},
    ],
)
def test_parameters_reject_invalid_values(change: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        BegeleidingParameters.model_validate({**PARAMS["wmo_begeleiding"], **change})


# --- withdrawal ---------------------------------------------------------------------------


def test_withdrawal_is_read_as_withdrawal() -> None:
    notice = withdrawal()
    msg = translate_withdrawal(notice)
    got = read_request(msg.body, msg.content_type)
    assert got.kind == "withdrawal"
    assert got.item_ref == notice.item_ref
    assert got.advice_type is None
    assert got.categories == frozenset()
    assert got.fields["toewijzingnummer"] == notice.item_number
    assert notice.subject_ref.encode() not in msg.body  # the pseudonym is not the provider's


def test_withdrawal_is_not_a_status() -> None:
    msg = translate_withdrawal(withdrawal())
    with pytest.raises(PayloadError, match="onbekend berichttype"):
        parse_status(msg.body, msg.content_type)


# --- status in ----------------------------------------------------------------------------

XML_TEXT = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cs", "Cc", "Cn"), include_characters="\n\t"
    ),
    min_size=1,
    max_size=300,
).filter(lambda s: s.strip())
MESSAGE_IDS = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=100)
MOMENTS = st.datetimes(
    min_value=datetime(1950, 1, 1),
    max_value=datetime(2099, 12, 31),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=2)),
         timezone(timedelta(hours=-5, minutes=-30))]
    ),
)  # fmt: skip
DATES = st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31))
STOP_CODES = sorted(set(REDEN_BEEINDIGING) - {"19"})


@st.composite
def status_updates(draw: st.DrawFn) -> StatusUpdate:
    """Updates in the canonical form this format carries for each supported status."""
    status = draw(
        st.sampled_from(
            [
                PartnerStatus.received,
                PartnerStatus.rejected,
                PartnerStatus.in_progress,
                PartnerStatus.carried_out,
                PartnerStatus.stopped,
                PartnerStatus.in_consultation,
            ]
        )
    )
    reason = detail = reason_code = consultation = None
    if status is PartnerStatus.received:
        detail = draw(st.none() | XML_TEXT)
    elif status is PartnerStatus.rejected:
        reason = draw(XML_TEXT)
        reason_code = draw(REASON_CODES)
    elif status is PartnerStatus.in_consultation:
        consultation = draw(
            consultations(
                XML_TEXT,
                advice_types=["wmo_huishoudelijke_hulp", "wmo_begeleiding"],
                parameters=False,
                reply_ids=MESSAGE_IDS.filter(bool),
            )
        )
    elif status is PartnerStatus.in_progress:
        detail = f"zorg gestart op {draw(DATES).isoformat()}"
    elif status is PartnerStatus.carried_out:
        detail = f"zorg beëindigd op {draw(DATES).isoformat()}, volgens plan (reden beëindiging 19)"
    else:
        code = draw(st.sampled_from(STOP_CODES))
        reason = f"{REDEN_BEEINDIGING[code]} (reden beëindiging {code})"
        detail = f"zorg beëindigd op {draw(DATES).isoformat()}"
    return StatusUpdate(
        item_ref=draw(st.uuids()),
        status=status,
        occurred_at=draw(MOMENTS),
        partner_message_id=draw(MESSAGE_IDS.filter(bool)),
        reason=reason,
        detail=detail,
        reason_code=reason_code,
        consultation=consultation,
    )


MESSAGE_FOR = {
    PartnerStatus.received: (NS_302, "415"),
    PartnerStatus.rejected: (NS_302, "415"),
    PartnerStatus.in_progress: (NS_305, "418"),
    PartnerStatus.carried_out: (NS_307, "420"),
    PartnerStatus.stopped: (NS_307, "420"),
    PartnerStatus.in_consultation: (NS_OVERLEG, None),  # Wijkhub's own: no iWmo code
}


@settings(max_examples=200, deadline=None)
@given(update=status_updates())
def test_status_round_trip(update: StatusUpdate) -> None:
    msg = render_status(update)
    assert parse_status(msg.body, msg.content_type) == [update]
    root = etree.fromstring(msg.body)
    ns, code = MESSAGE_FOR[update.status]
    assert etree.QName(root).namespace == ns
    assert root.findtext("z:Header/z:BerichtCode", namespaces={"z": ns}) == code


def _update(status: PartnerStatus, **kw: object) -> StatusUpdate:
    return StatusUpdate(
        item_ref=uuid4(),
        status=status,
        occurred_at=datetime(2026, 12, 2, 9, 15, tzinfo=UTC),
        partner_message_id="ZA-2026-0001",
        **kw,
    )


def test_start_message_detail_names_begindatum() -> None:
    body = render_status(_update(PartnerStatus.in_progress)).body
    body = body.replace(b"<Begindatum>2026-12-02<", b"<Begindatum>2026-12-07<")
    (got,) = parse_status(body, XML)
    assert got.status is PartnerStatus.in_progress
    assert got.detail == "zorg gestart op 2026-12-07"
    assert got.occurred_at == datetime(2026, 12, 2, 9, 15, tzinfo=UTC)


@pytest.mark.parametrize("code", sorted(REDEN_BEEINDIGING))
def test_stop_reason_codes(code: str) -> None:
    reason = "Overlijden (reden beëindiging 02)"
    body = render_status(_update(PartnerStatus.stopped, reason=reason)).body
    body = body.replace(b"<RedenBeeindiging>02<", f"<RedenBeeindiging>{code}<".encode())
    (got,) = parse_status(body, XML)
    if code == "19":
        assert got.status is PartnerStatus.carried_out
        assert got.reason is None
        assert "volgens plan" in (got.detail or "")
    else:
        assert got.status is PartnerStatus.stopped
        assert got.reason == f"{REDEN_BEEINDIGING[code]} (reden beëindiging {code})"


def test_stop_with_plain_label_is_rendered_with_its_code() -> None:
    msg = render_status(_update(PartnerStatus.stopped, reason="overlijden"))
    assert b"<RedenBeeindiging>02</RedenBeeindiging>" in msg.body
    (got,) = parse_status(msg.body, msg.content_type)
    assert got.reason == "Overlijden (reden beëindiging 02)"


@pytest.mark.parametrize(
    "update",
    [
        _update(PartnerStatus.adopted),
        _update(PartnerStatus.partly_adopted, reason="deels"),
        _update(PartnerStatus.stopped, reason="zomaar"),
        _update(PartnerStatus.stopped, reason="Levering volgens plan beëindigd"),
    ],
)
def test_render_refuses_what_the_wmo_flow_cannot_say(update: StatusUpdate) -> None:
    with pytest.raises(ValueError):
        render_status(update)


# --- consultation ----------------------------------------------------------------


def test_rejection_needs_a_reason_code() -> None:
    body = _valid()
    assert b"<RedenCode>niet_de_juiste_organisatie</RedenCode>" in body
    [got] = parse_status(body, XML)
    assert got.reason_code is RejectionReason.not_responsible
    without = re.sub(rb"<RedenCode>.*</RedenCode>", b"", body)
    with pytest.raises(PayloadError, match="RedenCode"):
        parse_status(without, XML)


def test_counter_proposal_round_trip_and_coach_message() -> None:
    update = _update(
        PartnerStatus.in_consultation,
        consultation=PartnerConsultation(
            kind=ConsultationKind.counter_proposal,
            text="Liever vanaf januari.",
            proposal=CounterProposal(requested_date=date(2027, 1, 4)),
        ),
    )
    msg = render_status(update)
    assert parse_status(msg.body, XML) == [update]
    out = OutboundConsultation(
        item_ref=uuid4(),
        item_number=5,
        partner_id="zorg-twente",
        sender="0153",
        message_ref=uuid4(),
        kind=ConsultationKind.report_back,
        sent_at=datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
        text="Uw signaal over de mantelzorg is met de huisarts besproken.",
        in_reply_to="ZA-1",
    )
    received = read_request(PARTNER_TYPE.translate_consultation(out).body, XML)
    assert (received.kind, received.fields["soort"]) == ("consultation", "terugkoppeling")
    assert received.fields["antwoord_op"] == "ZA-1"
    # A coach's message is not a partner's status, and the partner cannot report back.
    with pytest.raises(PayloadError):
        parse_status(PARTNER_TYPE.translate_consultation(out).body, XML)


def _valid(status: PartnerStatus = PartnerStatus.rejected, **kw: object) -> bytes:
    if status is PartnerStatus.rejected:
        kw.setdefault("reason", "Cliënt onbekend bij aanbieder")
        kw.setdefault("reason_code", RejectionReason.not_responsible)
    return render_status(_update(status, **kw)).body


@pytest.mark.parametrize(
    ("body", "content_type", "match"),
    [
        (b"\x00\xff\xfe garbage", XML, "XML"),
        (b'{"status": "received"}', "application/json", "content-type"),
        (b'{"status": "received"}', XML, "XML"),
        (b"<Bericht/>", XML, "berichttype"),
        (b'<Bericht xmlns="urn:wijkhub:zorgaanbieder:wmo302:1"/>', XML, "schema"),
        (
            _valid().replace(b"<Toelichting>", b"<!--").replace(b"</Toelichting>", b"-->"),
            XML,
            "Toelichting",
        ),
        (_valid().replace(b">0001<", b">0233<"), XML, "schema"),
        (_valid(PartnerStatus.in_progress).replace(b"Aanlevering>1<", b"Aanlevering>3<"), XML,
         "verwijderen"),
        (_valid(PartnerStatus.carried_out).replace(b">19<", b">99<"), XML, "schema"),
        (_valid(PartnerStatus.received).replace(b"+00:00", b""), XML, "schema"),
        (re.sub(rb"<WijkhubReferentie>.*</WijkhubReferentie>", b"", _valid()), XML, "schema"),
        (_valid().replace(b"2026-12-02T", b"2026-02-30T"), XML, "schema"),
        # XSD admits hour 24, Python does not: caught after validation.
        (_valid().replace(b"T09:15:00", b"T24:00:00"), XML, "datum of tijd"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
            XML,
            "DOCTYPE",
        ),
    ],
)  # fmt: skip
def test_parse_status_rejects(body: bytes, content_type: str, match: str) -> None:
    with pytest.raises(PayloadError, match=match):
        parse_status(body, content_type)


def test_hub_message_is_not_a_status() -> None:
    msg = translate_advice(_advice("wmo_begeleiding", {C.bsn}))
    with pytest.raises(PayloadError, match="onbekend berichttype") as exc:
        parse_status(msg.body, msg.content_type)
    assert FICTIONAL_BSN not in str(exc.value)


def test_errors_do_not_echo_personal_data() -> None:
    long_reason = "Testervelde " * 200  # over the 2000-character limit
    body = _valid().replace(b"Cli\xc3\xabnt onbekend bij aanbieder", escape(long_reason).encode())
    with pytest.raises(PayloadError) as exc:
        parse_status(body, XML)
    assert "Testervelde" not in str(exc.value)


def test_read_request_rejects_status_messages_and_garbage() -> None:
    with pytest.raises(PayloadError, match="onbekend berichttype"):
        read_request(_valid(), XML)
    with pytest.raises(PayloadError):
        read_request(b"not xml", XML)
    with pytest.raises(PayloadError, match="content-type"):
        read_request(b"<a/>", "text/plain")


# --- fuzzing: nothing but PayloadError ----------------------------------------------------

_SEEDS = [
    _valid(PartnerStatus.received, detail="Alles in orde"),
    _valid(
        PartnerStatus.in_consultation,
        consultation=PartnerConsultation(
            kind=ConsultationKind.counter_proposal,
            text="Liever huishoudelijke hulp.",
            in_reply_to="WH1",
            proposal=CounterProposal(advice_type="wmo_huishoudelijke_hulp"),
        ),
    ),
    _valid(PartnerStatus.rejected),
    _valid(PartnerStatus.in_progress),
    _valid(PartnerStatus.carried_out),
    _valid(PartnerStatus.stopped, reason="Overlijden (reden beëindiging 02)"),
]


@st.composite
def mutated_messages(draw: st.DrawFn, seeds: list[bytes] = _SEEDS) -> bytes:
    """A valid message with one leaf value replaced, or one slice cut out or inserted."""
    seed = draw(st.sampled_from(seeds)).decode()
    how = draw(st.sampled_from(["value", "cut", "insert"]))
    if how == "value":
        leaves = list(re.finditer(r">([^<>]+)<", seed))
        leaf = draw(st.sampled_from(leaves))
        value = escape(draw(st.text(max_size=40)).replace("\x00", ""))
        text = seed[: leaf.start(1)] + value + seed[leaf.end(1) :]
    else:
        i = draw(st.integers(0, len(seed)))
        j = draw(st.integers(i, min(len(seed), i + 30)))
        text = seed[:i] + (draw(st.text(max_size=20)) if how == "insert" else "") + seed[j:]
    return text.encode("utf-8", "surrogatepass")


def _only_payload_errors(fn: Callable[[bytes, str], object], body: bytes, ct: str) -> None:
    with contextlib.suppress(PayloadError):
        fn(body, ct)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.binary(max_size=400)
    | st.text(max_size=400).map(lambda s: s.encode("utf-8", "surrogatepass"))
    | mutated_messages(),
    content_type=st.sampled_from([XML, "text/xml; charset=utf-8"]) | st.text(max_size=30),
)
def test_fuzz_parse_status_raises_only_payload_error(body: bytes, content_type: str) -> None:
    _only_payload_errors(parse_status, body, content_type)


_HUB_SEEDS = [
    translate_advice(_advice("wmo_begeleiding", set(C))).body,
    translate_advice(
        _advice("wmo_begeleiding", set(C)).model_copy(update={"approval": APPROVAL})
    ).body,
    translate_withdrawal(withdrawal()).body,
    PARTNER_TYPE.translate_consultation(
        OutboundConsultation(
            item_ref=uuid4(),
            item_number=12,
            partner_id="zorg-twente",
            sender="0153",
            message_ref=uuid4(),
            kind=ConsultationKind.question,
            sent_at=datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
            text="Kan de begeleiding eerder starten?",
        )
    ).body,
]


@settings(max_examples=150, deadline=None)
@given(body=st.binary(max_size=400) | mutated_messages(_HUB_SEEDS))
def test_fuzz_read_request_raises_only_payload_error(body: bytes) -> None:
    _only_payload_errors(read_request, body, XML)


# --- the partner documentation ------------------------------------------------------------


def test_documented_examples_are_valid_messages() -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "plugins" / "zorgaanbieder.md"
    blocks = [b.encode() for b in re.findall(r"```xml\n(.*?)```", doc.read_text(), re.S)]
    kinds = []
    for body in blocks:
        if NS32_306.encode() in body:  # the hub's own retour: valid against its schema
            safexml.parse_valid(body, schema(NS32_306))
            kinds.append("retour")
            continue
        hub_side = (
            NS_301.encode(), NS32_301.encode(), b"intrekking", b"<Soort>vraag", b"herinnering"
        )  # fmt: skip
        if any(marker in body for marker in hub_side):
            kinds.append(read_request(body, XML).kind)
        else:
            kinds.extend(u.status.value for u in parse_status(body, XML))
    assert kinds == [
        "advice",  # iWmo 3.2: 301, 305 and the hub's 306
        "in_progress",
        "retour",
        "advice",  # format 1.0
        "rejected",
        "in_progress",
        "stopped",
        "withdrawal",
        "consultation",
        "in_consultation",
        "reminder",
    ]
    # The allocation example is an approved one: the provider reads the approval.
    approval = read_request(blocks[3], XML).fields["approval"]
    assert isinstance(approval, Approval) and approval.role == "coach"
