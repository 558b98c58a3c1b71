"""The provider side of iWmo 3.2, for the built-in simulator and the tests: read a WMO301 as a
care provider's system would, and answer it with a WMO302 retour, a WMO305 start or a WMO307
stop that repeat the client and the allocation, as the standard asks."""

import hashlib
from datetime import date
from typing import Final

from lxml import etree

from wijkhub.hub.plugin_api.types import PartnerMessage, ReceivedRequest
from wijkhub.plugins.zorgaanbieder.advice_types import ADVICE_TYPE_BY_CATEGORY
from wijkhub.plugins.zorgaanbieder.codes import (
    BERICHTCODE_302,
    BERICHTCODE_305,
    BERICHTCODE_307,
    CONTENT_TYPE,
    FORMAT_IWMO_32,
    NS32_301,
    NS32_302,
    NS32_305,
    NS32_307,
    REDEN_VOLGENS_PLAN,
    RETOUR_GEACCEPTEERD,
    RETOUR_TECHNISCH_AFGEKEURD,
    SOORT_ADRES_BRP,
    STATUS_EERSTE,
)
from wijkhub.plugins.zorgaanbieder.common import (
    begindatum_from,
    einddatum_from,
    finish,
    reden_from,
)
from wijkhub.plugins.zorgaanbieder.iwmo32_xml import (
    basis,
    dutch_date,
    el,
    find,
    header,
    new_message,
    required,
    text,
    xsd_versie,
)
from wijkhub.schemas.categories import DataCategory
from wijkhub.schemas.status import PartnerStatus, StatusUpdate

_PRODUCT: Final = "m:Client/m:ToegewezenProducten/m:ToegewezenProduct"
# Presence is what counts, not the values: which elements carry which data category.
_CATEGORY_ELEMENTS: Final[tuple[tuple[DataCategory, tuple[str, ...]], ...]] = (
    (DataCategory.bsn, ("m:Client/m:Bsn",)),
    (
        DataCategory.identification,
        ("m:Client/m:Geboortedatum", "m:Client/m:Geslacht", "m:Client/m:Naam"),
    ),
    (
        DataCategory.contact,
        (
            "m:Client/m:Contactgegevens/m:Contact/m:Adres",
            "m:Client/m:Contactgegevens/m:Contact/m:Telefoon",
            "m:Client/m:Contactgegevens/m:Contact/m:Emailadres",
        ),
    ),
)


def read_toewijzing(root: etree._Element) -> ReceivedRequest:
    """What a validated WMO301 carries. It names no hub reference: `item_ref` is None (the
    transport's `X-Wijkhub-Item` header names the item)."""
    categories = {
        category
        for category, paths in _CATEGORY_ELEMENTS
        if any(find(root, path, root) is not None for path in paths)
    }
    categorie = required(root, f"{_PRODUCT}/m:Product/b:Categorie", root)
    advice_type = ADVICE_TYPE_BY_CATEGORY.get(categorie)
    if find(root, f"{_PRODUCT}/m:Commentaar", root) is not None:
        categories.add(advice_type.motivation_category if advice_type else DataCategory.free_text)
    einddatum = text(root, f"{_PRODUCT}/m:Einddatum", root)
    return ReceivedRequest(
        kind="advice",
        item_ref=None,
        advice_type=advice_type.name if advice_type else None,
        categories=frozenset(categories),
        fields={
            "format": FORMAT_IWMO_32,
            "identificatie": required(
                root, "m:Header/m:BerichtIdentificatie/b:Identificatie", root
            ),
            "afzender": required(root, "m:Header/m:Afzender", root),
            "ontvanger": required(root, "m:Header/m:Ontvanger", root),
            "bsn": required(root, "m:Client/m:Bsn", root),
            "geboortedatum": date.fromisoformat(
                required(root, "m:Client/m:Geboortedatum/b:Datum", root)
            ),
            "geslacht": required(root, "m:Client/m:Geslacht", root),
            "achternaam": required(root, "m:Client/m:Naam/b:Geslachtsnaam/b:Achternaam", root),
            "voornamen": text(root, "m:Client/m:Naam/b:Voornamen", root),
            "toewijzingnummer": int(required(root, f"{_PRODUCT}/m:ToewijzingNummer", root)),
            "productcategorie": categorie,
            "productcode": text(root, f"{_PRODUCT}/m:Product/b:Code", root),
            "toewijzingsdatum": date.fromisoformat(
                required(root, f"{_PRODUCT}/m:Toewijzingsdatum", root)
            ),
            "toewijzingstijd": required(root, f"{_PRODUCT}/m:Toewijzingstijd", root),
            "volume": int(required(root, f"{_PRODUCT}/m:Omvang/b:Volume", root)),
            "eenheid": required(root, f"{_PRODUCT}/m:Omvang/b:Eenheid", root),
            "frequentie": required(root, f"{_PRODUCT}/m:Omvang/b:Frequentie", root),
            "ingangsdatum": date.fromisoformat(required(root, f"{_PRODUCT}/m:Ingangsdatum", root)),
            "einddatum": date.fromisoformat(einddatum) if einddatum else None,
            "approval": None,  # iWmo has no place for it: four eyes stays inside the hub
        },
    )


def identificatie(partner_message_id: str) -> str:
    """A BerichtIdentificatie (at most 12 characters) that is stable per status update."""
    return hashlib.sha256(partner_message_id.encode()).hexdigest()[:12].upper()


def render_reply(req: ReceivedRequest, update: StatusUpdate) -> PartnerMessage:
    """Answer a WMO301: a 302 (received, rejected), a 305 (in_progress) or a 307 (carried_out,
    stopped), repeating the client and the allocation from the request."""
    f = req.fields
    status = update.status
    if status in (PartnerStatus.received, PartnerStatus.rejected):
        return _retour_302(req, update)
    if status is PartnerStatus.in_progress:
        root = new_message(NS32_305)
        code, kind = BERICHTCODE_305, "StartProduct"
    elif status in (PartnerStatus.carried_out, PartnerStatus.stopped):
        root = new_message(NS32_307)
        code, kind = BERICHTCODE_307, "StopProduct"
    else:
        raise ValueError(
            f"status {status.value} bestaat niet in de Wmo-berichten: de gemeente beslist, "
            "de zorgaanbieder meldt alleen ontvangst, start en stop"
        )
    header(
        root,
        code,
        str(f["ontvanger"]),
        str(f["afzender"]),
        identificatie(update.partner_message_id),
        dutch_date(update.occurred_at),
    )
    client = _client_short(root, req)
    product = el(el(client, f"{kind}en"), kind)
    _product_key(product, req)
    start = f["ingangsdatum"]
    assert isinstance(start, date)
    if kind == "StartProduct":
        begin = update.effective_date or begindatum_from(update.detail, update.occurred_at)
        el(product, "Begindatum", begin.isoformat())
    else:
        reden = (
            REDEN_VOLGENS_PLAN if status is PartnerStatus.carried_out else reden_from(update.reason)
        )
        if status is PartnerStatus.stopped and reden == REDEN_VOLGENS_PLAN:
            raise ValueError("reden beëindiging 19 (volgens plan) is de status carried_out")
        end = update.effective_date or einddatum_from(update.detail, update.occurred_at)
        el(product, "Begindatum", start.isoformat())
        el(product, "RedenBeeindiging", reden)
        el(product, "Einddatum", end.isoformat())
    el(product, "StatusAanlevering", STATUS_EERSTE)
    return PartnerMessage(finish(root), CONTENT_TYPE)


def _client_short(root: etree._Element, req: ReceivedRequest) -> etree._Element:
    f = req.fields
    client = el(root, "Client")
    el(client, "Bsn", str(f["bsn"]))
    geboortedatum = f["geboortedatum"]
    assert isinstance(geboortedatum, date)
    basis(el(client, "Geboortedatum"), "Datum", geboortedatum.isoformat())
    el(client, "Geslacht", str(f["geslacht"]))
    naam = el(client, "Naam")
    basis(basis(naam, "Geslachtsnaam"), "Achternaam", str(f["achternaam"]))
    if f.get("voornamen"):
        basis(naam, "Voornamen", str(f["voornamen"]))
    return client


def _product_key(product: etree._Element, req: ReceivedRequest) -> None:
    f = req.fields
    el(product, "ToewijzingNummer", str(f["toewijzingnummer"]))
    prod = el(product, "Product")
    basis(prod, "Categorie", str(f["productcategorie"]))
    if f.get("productcode"):
        basis(prod, "Code", str(f["productcode"]))
    start = f["ingangsdatum"]
    assert isinstance(start, date)
    el(product, "ToewijzingIngangsdatum", start.isoformat())


def _retour_302(req: ReceivedRequest, update: StatusUpdate) -> PartnerMessage:
    """OP065: when every class is accepted the retour is only the header with 0200; a
    rejection names the allocated product with its code."""
    f = req.fields
    root = new_message(NS32_302)
    toewijzingsdatum = f["toewijzingsdatum"]
    assert isinstance(toewijzingsdatum, date)
    head = header(
        root, BERICHTCODE_302, str(f["afzender"]), str(f["ontvanger"]), str(f["identificatie"]),
        toewijzingsdatum,
    )  # fmt: skip
    el(head, "IdentificatieRetour", identificatie(update.partner_message_id))
    el(head, "DagtekeningRetour", dutch_date(update.occurred_at).isoformat())
    xsd_versie(el(head, "XsdVersieRetour"))
    el(el(head, "RetourCodes"), "RetourCode", RETOUR_GEACCEPTEERD)
    if update.status is PartnerStatus.rejected:
        client = _client_full(root, req)
        product = el(el(client, "ToegewezenProducten"), "ToegewezenProduct")
        el(product, "ToewijzingNummer", str(f["toewijzingnummer"]))
        prod = el(product, "Product")
        basis(prod, "Categorie", str(f["productcategorie"]))
        el(product, "Toewijzingsdatum", toewijzingsdatum.isoformat())
        el(product, "Toewijzingstijd", str(f["toewijzingstijd"]))
        start = f["ingangsdatum"]
        assert isinstance(start, date)
        el(product, "Ingangsdatum", start.isoformat())
        el(el(product, "RetourCodes"), "RetourCode", RETOUR_TECHNISCH_AFGEKEURD)
        el(el(client, "RetourCodes"), "RetourCode", RETOUR_GEACCEPTEERD)
    return PartnerMessage(finish(root), CONTENT_TYPE)


def _client_full(root: etree._Element, req: ReceivedRequest) -> etree._Element:
    f = req.fields
    client = el(root, "Client")
    el(client, "Bsn", str(f["bsn"]))
    geboortedatum = f["geboortedatum"]
    assert isinstance(geboortedatum, date)
    basis(el(client, "Geboortedatum"), "Datum", geboortedatum.isoformat())
    el(client, "Geslacht", str(f["geslacht"]))
    naam = el(client, "Naam")
    basis(basis(naam, "Geslachtsnaam"), "Achternaam", str(f["achternaam"]))
    basis(naam, "NaamGebruik", "1")
    contact = el(el(client, "Contactgegevens"), "Contact")
    el(contact, "Soort", SOORT_ADRES_BRP)
    el(el(contact, "RetourCodes"), "RetourCode", RETOUR_GEACCEPTEERD)
    return client


def is_toewijzing(namespace: str) -> bool:
    return namespace == NS32_301
