"""The zorgaanbieder plugin in iWmo 3.2 proper (its default format version): the WMO301 out, the
WMO302/305/307 in, and the hub's WMO306/308 retour with the standard's retourcodes.

Every message is checked against the plugin's own schemas, written from the standard's rules.
Set `WIJKHUB_IWMO32_XSD_DIR` to a folder with the official iWmo 3.2 XSDs (WMO301.xsd,
WMO305.xsd, WMO307.xsd, basisschema.xsd) to check against those as well; they are not shipped.
"""

import contextlib
import os
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from stdnum.nl import bsn as stdnum_bsn

from tests.plugins.wmo_cases import WMO_PARAMS as PARAMS
from tests.support.factories import FICTIONAL_BSN, INVALID_BSN, outbound
from wijkhub.consent.policy import ItemFacts, decide
from wijkhub.consent.rules import PrivacyRules
from wijkhub.hub.core.partners import PartnerConfig
from wijkhub.hub.plugin_api.types import PayloadError, RetourInput
from wijkhub.plugins.zorgaanbieder import PARTNER_TYPE
from wijkhub.plugins.zorgaanbieder.codes import (
    NS32_301,
    NS32_302,
    NS32_305,
    NS32_306,
    NS32_307,
    NS32_308,
    NS32_BASIS,
    REDEN_BEEINDIGING,
)
from wijkhub.schemas.categories import DataCategory as C
from wijkhub.schemas.status import PartnerStatus, RejectionReason, StatusUpdate

XML = "application/xml"
AGB = "98765432"
TODAY = date(2026, 11, 21)
assert PARTNER_TYPE.backoffice is not None and PARTNER_TYPE.answer_status is not None
BACKOFFICE = PARTNER_TYPE.backoffice
answer_status = PARTNER_TYPE.answer_status
OFFICIAL = os.environ.get("WIJKHUB_IWMO32_XSD_DIR")
REQUIRED = {C.identification, C.bsn, C.contact}


def _advice(advice_type: str = "wmo_begeleiding", categories: set[C] = REQUIRED, **kw: object):
    params = kw.pop("parameters", PARAMS[advice_type])
    advice = outbound(advice_type, set(categories), parameters=params, **kw)  # type: ignore[arg-type]
    return advice.model_copy(update={"partner_code": AGB})


def _ns(body: bytes) -> dict[str, str]:
    return {"m": etree.QName(etree.fromstring(body)).namespace or "", "b": NS32_BASIS}


def _text(body: bytes, path: str) -> str | None:
    return etree.fromstring(body).findtext(path, namespaces=_ns(body))


class _Resolver(etree.Resolver):
    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def resolve(self, url: str, pubid: str, context: object) -> object:
        path = self.folder / url.rsplit("/", 1)[-1]
        return self.resolve_filename(str(path), context) if path.is_file() else None


def _official(body: bytes, name: str) -> None:
    """Check against the official XSD when a folder with them is given (development)."""
    if OFFICIAL is None or not (Path(OFFICIAL) / name).is_file():
        return
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_Resolver(Path(OFFICIAL)))
    schema = etree.XMLSchema(etree.parse(str(Path(OFFICIAL) / name), parser))
    assert schema.validate(etree.fromstring(body)), [e.message for e in schema.error_log]


# --- WMO301 out ---------------------------------------------------------------------------


def test_301_header_client_and_product_as_the_standard_defines() -> None:
    advice = _advice(categories=REQUIRED | {C.free_text})
    body = PARTNER_TYPE.translate_advice(advice).body
    _official(body, "WMO301.xsd")
    root = etree.fromstring(body)
    assert etree.QName(root).namespace == NS32_301
    assert root.nsmap == {"wmo301": NS32_301, "iwmo": NS32_BASIS}
    assert body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")  # OP192: UTF-8, no BOM
    assert not body.startswith(b"\xef\xbb\xbf")
    h = "m:Header/m:"
    assert _text(body, h + "BerichtCode") == "414"
    assert (_text(body, h + "BerichtVersie"), _text(body, h + "BerichtSubversie")) == ("3", "2")
    assert _text(body, h + "Afzender") == "0153"
    assert _text(body, h + "Ontvanger") == AGB
    assert _text(body, h + "BerichtIdentificatie/b:Identificatie") == "WH42"
    assert _text(body, h + "BerichtIdentificatie/b:Dagtekening") == "2026-11-20"
    assert _text(body, h + "XsdVersie/b:BasisschemaXsdVersie") == "1.0.0"
    assert _text(body, h + "XsdVersie/b:BerichtXsdVersie") == "1.0.0"
    c = "m:Client/m:"
    assert _text(body, c + "Bsn") == FICTIONAL_BSN
    assert _text(body, c + "Geboortedatum/b:Datum") == "1987-03-14"
    assert _text(body, c + "Geslacht") == "2"
    assert _text(body, c + "Naam/b:Geslachtsnaam/b:Achternaam") == "Testervelde"
    assert _text(body, c + "Naam/b:NaamGebruik") == "1"
    assert _text(body, c + "Contactgegevens/m:Contact/m:Soort") == "01"
    p = c + "ToegewezenProducten/m:ToegewezenProduct/m:"
    assert _text(body, p + "ToewijzingNummer") == "42"
    assert _text(body, p + "Product/b:Categorie") == "02"
    assert _text(body, p + "Product/b:Code") == "02A01"
    assert _text(body, p + "Toewijzingsdatum") == "2026-11-20"
    assert _text(body, p + "Toewijzingstijd") == "10:30:00"  # 09:30 UTC is 10:30 in NL
    assert _text(body, p + "Ingangsdatum") == "2026-12-01"
    assert _text(body, p + "Omvang/b:Volume") == "40"
    assert _text(body, p + "Commentaar") == advice.motivation
    # Wijkhub's own header fields have no place in the standard's message.
    for extension in (b"WijkhubReferentie", b"Grondslag", b"Urgentie", b"Goedkeuring"):
        assert extension not in body


@given(
    advice_type=st.sampled_from(sorted(PARAMS)),
    optional=st.sets(st.sampled_from([C.household, C.health, C.free_text])),
    volume=st.integers(1, 99_999_999),
    start=st.dates(date(2020, 1, 1), date(2035, 1, 1)),
    days=st.integers(0, 3000),
    weekly=st.booleans(),
    code=st.none() | st.from_regex(r"[0-9A-Za-z]{5}", fullmatch=True),
    motivation=st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=300
    ).filter(str.strip),
    created=st.datetimes(datetime(2020, 1, 1), datetime(2035, 1, 1), timezones=st.just(UTC)),
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_property_any_valid_allocation_renders_a_valid_301_that_round_trips(
    advice_type: str,
    optional: set[C],
    volume: int,
    start: date,
    days: int,
    weekly: bool,
    code: str | None,
    motivation: str,
    created: datetime,
) -> None:
    category = PARAMS[advice_type]["product_category"]
    params: dict[str, object] = {
        "product_category": category,
        "volume": volume,
        "unit": "04",
        "frequency": "2" if weekly else "6",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=days)).isoformat() if weekly or days % 2 else None,
        "product_code": code,
    }
    advice = _advice(advice_type, REQUIRED | optional, parameters=params, motivation=motivation)
    advice = advice.model_copy(update={"created_at": created})
    msg = PARTNER_TYPE.translate_advice(advice)  # validated against the schema on the way out
    _official(msg.body, "WMO301.xsd")
    got = BACKOFFICE.read_request(msg.body, msg.content_type)
    assert got.kind == "advice" and got.item_ref is None  # the transport names the item
    assert got.advice_type == advice_type
    assert got.fields["toewijzingnummer"] == advice.item_number
    assert got.fields["volume"] == volume
    assert got.fields["productcode"] == code
    assert got.fields["ingangsdatum"] == start
    assert got.fields["bsn"] == FICTIONAL_BSN
    # Household and health have no place in a 301: never written, whatever was permitted.
    assert got.categories <= REQUIRED | {C.free_text}
    assert b"Daan" not in msg.body and b"rugklachten" not in msg.body


def test_301_without_agb_code_is_refused_in_dutch() -> None:
    advice = _advice().model_copy(update={"partner_code": None})
    with pytest.raises(ValueError, match="geen agb_code"):
        PARTNER_TYPE.translate_advice(advice)


def test_301_is_never_sent_without_the_bsn() -> None:
    advice = _advice(categories={C.identification, C.contact})
    with pytest.raises(ValueError, match="vereist het BSN"):
        PARTNER_TYPE.translate_advice(advice)


def test_item_is_refused_at_decide_time_when_the_rules_do_not_give_the_bsn() -> None:
    """The standard makes the BSN mandatory: without it the item is refused, not sent."""
    rules = PrivacyRules.model_validate(
        {
            "version": "test",
            "partner_types": {
                "zorgaanbieder": {
                    "permitted_categories": ["identification", "contact"],
                    "legal_bases": ["statutory_task"],
                    "bsn_allowed": False,
                    "basis_reference": "Wmo 2015",
                }
            },
        }
    )
    at = PARTNER_TYPE.advice_type("wmo_begeleiding")
    assert at is not None
    d = decide(ItemFacts("zorg-twente", "Zorggroep Twente", "zorgaanbieder", at), rules, [], TODAY)
    assert not d.allowed and d.code == "bsn_not_permitted"
    assert "BSN" in d.reason and "Zorggroep Twente" in d.reason


def test_partner_config_format_version_and_agb_code() -> None:
    p = PartnerConfig.model_validate(
        {
            "id": "zt",
            "type": "zorgaanbieder",
            "name": "ZT",
            "endpoint": "http://x/",
            "agb_code": AGB,
        }
    )
    assert p.format_version is None and p.agb_code == AGB
    for bad in ({"agb_code": "1234567"}, {"agb_code": "1234567a"}, {"format_version": "drie"}):
        with pytest.raises(ValueError):
            PartnerConfig.model_validate(
                {"id": "zt", "type": "zorgaanbieder", "name": "ZT", "endpoint": "http://x/", **bad}
            )
    old = _advice().model_copy(update={"format_version": "1.0"})
    assert b"urn:wijkhub:zorgaanbieder:wmo301:1" in PARTNER_TYPE.translate_advice(old).body
    with pytest.raises(ValueError, match=r"formaatversie 9\.9"):
        PARTNER_TYPE.translate_advice(_advice().model_copy(update={"format_version": "9.9"}))


# --- WMO305 / WMO307 in: fictional instances written to the standard -----------------------


def _regie(
    kind: str,
    *,
    bsn: str = FICTIONAL_BSN,
    dagtekening: str = "2026-11-21",
    products: list[dict[str, str]] | None = None,
) -> bytes:
    """A 305 (kind "305") or 307 ("307"), as a provider's system writes it."""
    ns = NS32_305 if kind == "305" else NS32_307
    code = "418" if kind == "305" else "420"
    klass = "StartProduct" if kind == "305" else "StopProduct"
    rows = []
    for p in products or [{}]:
        p = {"nummer": "42", "categorie": "02", "begin": "2026-12-03", "status": "1", **p}
        stop = (
            f"<w:RedenBeeindiging>{p.get('reden', '19')}</w:RedenBeeindiging>"
            f"<w:Einddatum>{p.get('eind', '2027-03-01')}</w:Einddatum>"
            if kind == "307"
            else ""
        )
        nummer = f"<w:ToewijzingNummer>{p['nummer']}</w:ToewijzingNummer>" if p["nummer"] else ""
        rows.append(
            f"<w:{klass}>{nummer}"
            f"<w:Product><iwmo:Categorie>{p['categorie']}</iwmo:Categorie>"
            "<iwmo:Code>02A01</iwmo:Code></w:Product>"
            "<w:ToewijzingIngangsdatum>2026-12-01</w:ToewijzingIngangsdatum>"
            f"<w:Begindatum>{p['begin']}</w:Begindatum>{stop}"
            f"<w:StatusAanlevering>{p['status']}</w:StatusAanlevering></w:{klass}>"
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<w:Bericht xmlns:w="{ns}" '
        f'xmlns:iwmo="{NS32_BASIS}"><w:Header><w:BerichtCode>{code}</w:BerichtCode>'
        "<w:BerichtVersie>3</w:BerichtVersie><w:BerichtSubversie>2</w:BerichtSubversie>"
        f"<w:Afzender>{AGB}</w:Afzender><w:Ontvanger>0153</w:Ontvanger>"
        "<w:BerichtIdentificatie><iwmo:Identificatie>ZT2026000117</iwmo:Identificatie>"
        f"<iwmo:Dagtekening>{dagtekening}</iwmo:Dagtekening></w:BerichtIdentificatie>"
        "<w:XsdVersie><iwmo:BasisschemaXsdVersie>1.0.0</iwmo:BasisschemaXsdVersie>"
        "<iwmo:BerichtXsdVersie>1.0.0</iwmo:BerichtXsdVersie></w:XsdVersie></w:Header>"
        f"<w:Client><w:Bsn>{bsn}</w:Bsn><w:Geboortedatum><iwmo:Datum>1987-03-14</iwmo:Datum>"
        "</w:Geboortedatum><w:Geslacht>2</w:Geslacht><w:Naam><iwmo:Geslachtsnaam>"
        "<iwmo:Achternaam>Testervelde</iwmo:Achternaam></iwmo:Geslachtsnaam>"
        "<iwmo:Voornamen>Fenna</iwmo:Voornamen></w:Naam>"
        f"<w:{klass}en>{''.join(rows)}</w:{klass}en></w:Client></w:Bericht>"
    ).encode()


def _retour(body: bytes, updates: list[StatusUpdate], linked: dict[str, str] | None = None):
    if linked is None:
        linked = {u.partner_message_id: "wmo_begeleiding" for u in updates}
    return answer_status(body, updates, RetourInput(TODAY, linked, "RET000000001"))


def _codes(body: bytes, path: str) -> list[str]:
    root = etree.fromstring(body)
    return [e.text or "" for e in root.findall(f"{path}/m:RetourCodes/m:RetourCode", _ns(body))]


def test_305_is_a_start_with_its_begindatum_and_gets_a_306_with_0200() -> None:
    body = _regie("305")
    _official(body, "WMO305.xsd")
    [u] = PARTNER_TYPE.parse_status(body, XML)
    assert u.item_ref is None and u.item_number == 42
    assert u.status is PartnerStatus.in_progress
    assert u.effective_date == date(2026, 12, 3)
    assert u.partner_message_id == "305-ZT2026000117-42"
    retour = _retour(body, [u])
    assert retour.accepted == {u.partner_message_id}
    assert retour.message is not None
    rb = retour.message.body
    assert etree.QName(etree.fromstring(rb)).namespace == NS32_306
    assert _text(rb, "m:Header/m:BerichtCode") == "419"
    assert _text(rb, "m:Header/m:IdentificatieRetour") == "RET000000001"
    assert _text(rb, "m:Header/m:DagtekeningRetour") == TODAY.isoformat()
    # The retour keeps the heenbericht's header: the 305's own identification and parties.
    assert _text(rb, "m:Header/m:BerichtIdentificatie/b:Identificatie") == "ZT2026000117"
    assert _text(rb, "m:Header/m:Afzender") == AGB
    assert _codes(rb, "m:Header") == ["0200"]
    assert _codes(rb, "m:Client") == ["0200"]
    assert _codes(rb, "m:Client/m:StartProducten/m:StartProduct") == ["0200"]


@pytest.mark.parametrize("reden", sorted(REDEN_BEEINDIGING))
def test_307_is_a_stop_with_its_einddatum_and_reason(reden: str) -> None:
    body = _regie("307", products=[{"reden": reden, "eind": "2027-02-28"}])
    _official(body, "WMO307.xsd")
    [u] = PARTNER_TYPE.parse_status(body, XML)
    assert u.effective_date == date(2027, 2, 28) and u.item_number == 42
    if reden == "19":
        assert u.status is PartnerStatus.carried_out and u.reason is None
    else:
        assert u.status is PartnerStatus.stopped
        assert u.reason == f"{REDEN_BEEINDIGING[reden]} (reden beëindiging {reden})"
    retour = _retour(body, [u])
    assert retour.message is not None
    rb = retour.message.body
    assert etree.QName(etree.fromstring(rb)).namespace == NS32_308
    assert _text(rb, "m:Header/m:BerichtCode") == "421"
    assert _codes(rb, "m:Client/m:StopProducten/m:StopProduct") == ["0200"]


def test_a_305_for_two_allocations_gives_two_updates() -> None:
    body = _regie("305", products=[{"nummer": "42"}, {"nummer": "43", "begin": "2026-12-05"}])
    updates = PARTNER_TYPE.parse_status(body, XML)
    assert [(u.item_number, u.effective_date) for u in updates] == [
        (42, date(2026, 12, 3)),
        (43, date(2026, 12, 5)),
    ]


def test_broken_bsn_is_refused_with_0001_and_nothing_is_stored() -> None:
    assert not stdnum_bsn.is_valid(INVALID_BSN)
    body = _regie("305", bsn=INVALID_BSN)
    updates = PARTNER_TYPE.parse_status(body, XML)
    retour = _retour(body, updates)
    assert retour.accepted == frozenset()
    assert retour.message is not None
    assert _codes(retour.message.body, "m:Client") == ["0001"]
    assert _codes(retour.message.body, "m:Client/m:StartProducten/m:StartProduct") == ["0233"]


def test_unknown_product_is_refused_with_s329() -> None:
    body = _regie("305", products=[{"categorie": "07"}])  # dagbesteding: not what was allocated
    updates = PARTNER_TYPE.parse_status(body, XML)
    retour = _retour(body, updates)
    assert retour.accepted == frozenset() and retour.message is not None
    assert _codes(retour.message.body, "m:Client/m:StartProducten/m:StartProduct") == ["S329"]


def test_dagtekening_in_the_future_is_refused_with_8848() -> None:
    body = _regie("307", dagtekening=(TODAY + timedelta(days=1)).isoformat())
    updates = PARTNER_TYPE.parse_status(body, XML)
    retour = _retour(body, updates)
    assert retour.accepted == frozenset() and retour.message is not None
    assert _codes(retour.message.body, "m:Header") == ["8848"]
    assert _codes(retour.message.body, "m:Client") == ["0233"]


def test_a_start_the_hub_cannot_link_is_refused_with_9019() -> None:
    body = _regie("305", products=[{"nummer": "42"}, {"nummer": ""}])
    updates = PARTNER_TYPE.parse_status(body, XML)
    assert [u.item_number for u in updates] == [42]
    retour = _retour(body, updates, linked={})  # 42 is not one of this partner's items
    assert retour.accepted == frozenset() and retour.message is not None
    path = "m:Client/m:StartProducten/m:StartProduct"
    assert [
        [c.text for c in p.findall("m:RetourCodes/m:RetourCode", _ns(retour.message.body))]
        for p in etree.fromstring(retour.message.body).findall(path, _ns(retour.message.body))
    ] == [["9019"], ["9019"]]


@pytest.mark.parametrize("status", ["2", "3"])
def test_status_aanlevering_other_than_a_first_delivery_is_not_stored(status: str) -> None:
    """OP033: 1 and 3 only; 2 is refused, and a deletion (3) is not processed by the hub yet."""
    body = _regie("305", products=[{"status": status}])
    assert PARTNER_TYPE.parse_status(body, XML) == []
    retour = _retour(body, [])
    assert retour.accepted == frozenset() and retour.message is not None
    assert _codes(retour.message.body, "m:Client/m:StartProducten/m:StartProduct") == ["0001"]


# --- WMO302 in: the retour on the hub's toewijzing -------------------------------------------


def _reply(status: PartnerStatus, **kw: object) -> bytes:
    req = BACKOFFICE.read_request(*_message())
    fields: dict[str, object] = {
        "item_ref": uuid4(),
        "status": status,
        "occurred_at": datetime(2026, 11, 21, 9, tzinfo=UTC),
        "partner_message_id": f"zt-{status.value}",
        **kw,
    }
    update = StatusUpdate(**fields)  # type: ignore[arg-type]
    assert BACKOFFICE.render_reply is not None
    return BACKOFFICE.render_reply(req, update).body


def _message() -> tuple[bytes, str]:
    msg = PARTNER_TYPE.translate_advice(_advice())
    return msg.body, msg.content_type


def test_302_with_only_0200_is_received() -> None:
    body = _reply(PartnerStatus.received)
    assert etree.QName(etree.fromstring(body)).namespace == NS32_302
    assert b"Client" not in body  # OP065: only rejected classes are repeated
    [u] = PARTNER_TYPE.parse_status(body, XML)
    assert (u.status, u.item_number) == (PartnerStatus.received, 42)
    assert _retour(body, [u]).message is None  # no retour on a retour


def test_302_with_a_rejected_class_is_a_dutch_error_for_the_coach() -> None:
    body = _reply(PartnerStatus.rejected, reason="technisch", reason_code=RejectionReason.other)
    [u] = PARTNER_TYPE.parse_status(body, XML)
    assert u.status is PartnerStatus.rejected and u.reason_code is RejectionReason.other
    assert u.reason is not None
    assert u.reason.startswith("De zorgaanbieder heeft de toewijzing afgekeurd")
    assert "toegewezen product 0001 (bericht is afgekeurd om technische redenen)" in u.reason


def test_302_that_names_no_hub_toewijzing_is_refused() -> None:
    body = _reply(PartnerStatus.received).replace(b">WH42<", b">ELDERS1<")
    with pytest.raises(PayloadError, match="noemt geen toewijzing van de hub"):
        PARTNER_TYPE.parse_status(body, XML)


# --- parse(render(x)) through the provider side ---------------------------------------------


@given(
    status=st.sampled_from(
        [PartnerStatus.in_progress, PartnerStatus.carried_out, PartnerStatus.stopped]
    ),
    day=st.dates(date(2024, 1, 1), date(2030, 12, 31)),
    moment=st.datetimes(datetime(2024, 1, 1), datetime(2030, 12, 31), timezones=st.just(UTC)),
    reden=st.sampled_from(sorted(set(REDEN_BEEINDIGING) - {"19"})),
)
@settings(max_examples=40, deadline=None)
def test_property_start_and_stop_round_trip(
    status: PartnerStatus, day: date, moment: datetime, reden: str
) -> None:
    reason = (
        f"{REDEN_BEEINDIGING[reden]} (reden beëindiging {reden})"
        if status is PartnerStatus.stopped
        else None
    )
    body = _reply(status, occurred_at=moment, effective_date=day, reason=reason)
    [u] = PARTNER_TYPE.parse_status(body, XML)
    assert (u.status, u.effective_date, u.item_number) == (status, day, 42)
    assert u.reason == reason
    assert u.occurred_at.date() == moment.astimezone(u.occurred_at.tzinfo).date()


def test_render_reply_refuses_what_the_wmo_flow_cannot_say() -> None:
    with pytest.raises(ValueError, match="de gemeente beslist"):
        _reply(PartnerStatus.adopted)


# --- robustness ----------------------------------------------------------------------------

_SEEDS = [_regie("305"), _regie("307"), _reply(PartnerStatus.rejected, reason="x",
          reason_code=RejectionReason.other)]  # fmt: skip


@given(
    seed=st.sampled_from(_SEEDS),
    at=st.integers(0, 4000),
    junk=st.binary(max_size=12),
    cut=st.booleans(),
)
@settings(max_examples=150, deadline=None)
def test_fuzz_parse_and_answer_raise_only_payload_error(
    seed: bytes, at: int, junk: bytes, cut: bool
) -> None:
    at = at % len(seed)
    body = seed[:at] + junk + (b"" if cut else seed[at + len(junk) :])
    try:
        updates = PARTNER_TYPE.parse_status(body, XML)
    except PayloadError:
        return
    with contextlib.suppress(PayloadError):
        _retour(body, updates)


def test_errors_do_not_echo_the_bsn() -> None:
    body = _regie("305", bsn="12345678")  # eight digits: the schema refuses it
    with pytest.raises(PayloadError) as err:
        PARTNER_TYPE.parse_status(body, XML)
    assert "12345678" not in str(err.value)
    assert re.search(r"regel \d+", str(err.value))
