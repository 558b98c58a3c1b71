"""The hub side of iWmo 3.2 proper: the toewijzing (WMO301) out; the provider's retour on it
(WMO302), start zorg (WMO305) and stop zorg (WMO307) in; the hub's retour (WMO306/WMO308) on
those, with the standard's retourcodes.

Pure functions: no I/O, no clock (the hub passes today's date in `RetourInput`). Client data
comes only from `advice.client`, the minimised view. Every field and the rule that fills it is
listed in docs/plugins/zorgaanbieder.md.
"""

import re
from datetime import date
from typing import Final

from lxml import etree
from stdnum.nl import bsn as stdnum_bsn

from wijkhub.hub.plugin_api.types import PartnerMessage, PayloadError, Retour, RetourInput
from wijkhub.plugins.zorgaanbieder.advice_types import ADVICE_TYPE_BY_CATEGORY, PARAMETERS
from wijkhub.plugins.zorgaanbieder.codes import (
    BERICHTCODE_301,
    CONTENT_TYPE,
    GESLACHT,
    LANDCODE_NL,
    LANDNUMMER_NL,
    NAAMGEBRUIK_EIGEN,
    NS32_301,
    NS32_302,
    NS32_305,
    NS32_307,
    REDEN_VOLGENS_PLAN,
    RETOUR_DAGTEKENING_TOEKOMST,
    RETOUR_GEACCEPTEERD,
    RETOUR_NIET_BEOORDEELD,
    RETOUR_NIET_GEKOPPELD,
    RETOUR_OF,
    RETOUR_PRODUCTCODE_ONGELDIG,
    RETOUR_TECHNISCH_AFGEKEURD,
    RETOURCODE,
    SOORT_ADRES_BRP,
    STATUS_EERSTE,
    STATUS_VERWIJDEREN,
)
from wijkhub.plugins.zorgaanbieder.common import finish, start_detail, stop_detail, stop_reason
from wijkhub.plugins.zorgaanbieder.iwmo32_xml import (
    basis,
    dutch_date,
    dutch_time,
    el,
    find,
    findall,
    header,
    new_message,
    required,
    retour,
    start_of,
    text,
)
from wijkhub.schemas.client_view import ClientView
from wijkhub.schemas.outbound import OutboundAdvice
from wijkhub.schemas.status import PartnerStatus, RejectionReason, StatusUpdate

STATUS_MESSAGES: Final = {
    NS32_302: "een retourbericht (WMO302)",
    NS32_305: "een startbericht (WMO305)",
    NS32_307: "een stopbericht (WMO307)",
}
# The hub's BerichtIdentificatie of a 301 is "WH" and the ToewijzingNummer (see
# `format.message_id`): a 302 names the 301 it answers by it.
_HUB_ID: Final = re.compile(r"^WH([1-9][0-9]{0,8})$")
_PRODUCT_CLASS: Final = {NS32_305: "m:StartProduct", NS32_307: "m:StopProduct"}
_PRODUCTS: Final = {NS32_305: "m:StartProducten", NS32_307: "m:StopProducten"}

# Dutch texts for what the coach sees; kept here, next to the codes they explain.
NO_AGB_CODE: Final = (
    "zorgaanbieder {partner} heeft geen agb_code in partners.toml: een iWmo 3.2-toewijzing "
    "noemt de ontvanger bij zijn AGB-code"
)
BSN_REQUIRED: Final = (
    "een iWmo 3.2-toewijzing vereist het BSN van de cliënt, en de privacyregels geven het "
    "BSN niet aan deze zorgaanbieder"
)
NEEDS_IDENTIFICATION: Final = (
    "een iWmo 3.2-toewijzing vereist geboortedatum en achternaam van de cliënt"
)
REJECTED_302: Final = (
    "De zorgaanbieder heeft de toewijzing afgekeurd (retourbericht WMO302): {codes}."
)
STATUS_AANLEVERING_2: Final = (
    "StatusAanlevering 2 (gewijzigd) bestaat niet meer in iWmo 3.2 (OP033): verwijder de "
    "eerdere melding (3) en stuur een nieuwe (1)"
)


def message_id(item_number: int) -> str:
    return f"WH{item_number}"


# --- WMO301 out ---------------------------------------------------------------------------


def translate_toewijzing(advice: OutboundAdvice) -> PartnerMessage:
    """Write the WMO301 toewijzing for one advice item (one ToegewezenProduct)."""
    model = PARAMETERS.get(advice.advice_type)
    if model is None:
        raise ValueError(f"adviestype {advice.advice_type!r} hoort niet bij de zorgaanbieder")
    params = model.model_validate(advice.parameters)
    if advice.partner_code is None:
        raise ValueError(NO_AGB_CODE.format(partner=advice.partner_id))
    view = advice.client
    if view.bsn is None:
        # The policy refuses such an item before it is stored (the BSN is a required category
        # of every Wmo advice type); this guards the standard's rule at the last step too.
        raise ValueError(BSN_REQUIRED)
    if view.birth_date is None or view.family_name is None:
        raise ValueError(NEEDS_IDENTIFICATION)

    root = new_message(NS32_301)
    header(
        root,
        BERICHTCODE_301,
        advice.sender,
        advice.partner_code,
        message_id(advice.item_number),
        dutch_date(advice.created_at),
    )
    client = el(root, "Client")
    el(client, "Bsn", view.bsn)
    basis(el(client, "Geboortedatum"), "Datum", view.birth_date.isoformat())
    el(client, "Geslacht", GESLACHT[view.gender] if view.gender is not None else "0")
    naam = el(client, "Naam")
    basis(basis(naam, "Geslachtsnaam"), "Achternaam", view.family_name)
    if view.given_names is not None:
        basis(naam, "Voornamen", view.given_names)
    basis(naam, "NaamGebruik", NAAMGEBRUIK_EIGEN)
    _contact(el(el(client, "Contactgegevens"), "Contact"), view)

    product = el(el(client, "ToegewezenProducten"), "ToegewezenProduct")
    el(product, "ToewijzingNummer", str(advice.item_number))
    prod = el(product, "Product")
    basis(prod, "Categorie", params.product_category)
    if params.product_code is not None:
        basis(prod, "Code", params.product_code)
    el(product, "Toewijzingsdatum", dutch_date(advice.created_at).isoformat())
    el(product, "Toewijzingstijd", dutch_time(advice.created_at))
    el(product, "Ingangsdatum", params.start_date.isoformat())
    if params.end_date is not None:
        el(product, "Einddatum", params.end_date.isoformat())
    # RedenWijziging only on a changed allocation; the hub sends first allocations only.
    omvang = el(product, "Omvang")
    basis(omvang, "Volume", str(params.volume))
    basis(omvang, "Eenheid", params.unit)
    basis(omvang, "Frequentie", params.frequency)
    if advice.motivation is not None:
        el(product, "Commentaar", advice.motivation)
    return PartnerMessage(finish(root), CONTENT_TYPE)


def _contact(contact: etree._Element, view: ClientView) -> None:
    """The client's registered address (COD757 01); phone and e-mail when the view has them.
    Contactgegevens is mandatory in a 301, the data in it is not."""
    el(contact, "Soort", SOORT_ADRES_BRP)
    if view.address is not None:
        adres = el(contact, "Adres")
        huis = basis(adres, "Huis")
        basis(huis, "Huisnummer", str(view.address.house_number))
        suffix = (view.address.house_number_suffix or "").strip()
        if len(suffix) == 1 and suffix.isalpha():
            basis(huis, "Huisletter", suffix)
        elif suffix:
            basis(huis, "HuisnummerToevoeging", suffix)
        basis(adres, "Postcode", view.address.postcode.replace(" ", "").upper())
        basis(adres, "Straatnaam", view.address.street)
        basis(adres, "Plaatsnaam", view.address.city)
        basis(adres, "LandCode", LANDCODE_NL)
    if view.phone is not None:
        telefoon = basis(el(contact, "Telefoon"), "Telefoon01")
        basis(telefoon, "Telefoonnummer", re.sub(r"[^0-9]", "", view.phone))
        basis(telefoon, "Landnummer", LANDNUMMER_NL)
    if view.email is not None:
        el(contact, "Emailadres", view.email)


# --- WMO302 / WMO305 / WMO307 in ------------------------------------------------------------


def status_updates(namespace: str, root: etree._Element) -> list[StatusUpdate]:
    """The status updates in a validated 302, 305 or 307 (one per product class)."""
    if namespace == NS32_302:
        return _retour_302(root)
    ident = required(root, "m:Header/m:BerichtIdentificatie/b:Identificatie", root)
    dagtekening = date.fromisoformat(
        required(root, "m:Header/m:BerichtIdentificatie/b:Dagtekening", root)
    )
    out = []
    for product in _products(namespace, root):
        status_aanlevering = required(product, "m:StatusAanlevering", root)
        if status_aanlevering != STATUS_EERSTE:
            continue  # judged in the retour (OP033): nothing to store
        number = text(product, "m:ToewijzingNummer", root)
        if number is None:
            continue  # cannot be linked (9019 in the retour)
        begin = date.fromisoformat(required(product, "m:Begindatum", root))
        fields: dict[str, object] = {
            "item_number": int(number),
            "partner_message_id": product_message_id(namespace, ident, number),
            "occurred_at": start_of(dagtekening),
        }
        if namespace == NS32_305:
            fields.update(status=PartnerStatus.in_progress, effective_date=begin)
            fields["detail"] = start_detail(begin)
        else:
            end = date.fromisoformat(required(product, "m:Einddatum", root))
            reden = required(product, "m:RedenBeeindiging", root)
            fields.update(effective_date=end, detail=stop_detail(end, reden))
            if reden == REDEN_VOLGENS_PLAN:
                fields["status"] = PartnerStatus.carried_out
            else:
                fields.update(status=PartnerStatus.stopped, reason=stop_reason(reden))
        out.append(StatusUpdate(**fields))  # type: ignore[arg-type]
    return out


def product_message_id(namespace: str, identificatie: str, number: str) -> str:
    """One status update per product class: the message's id and the ToewijzingNummer."""
    kind = "305" if namespace == NS32_305 else "307"
    return f"{kind}-{identificatie}-{number}"


def _products(namespace: str, root: etree._Element) -> list[etree._Element]:
    return findall(root, f"m:Client/{_PRODUCTS[namespace]}/{_PRODUCT_CLASS[namespace]}", root)


def _retour_302(root: etree._Element) -> list[StatusUpdate]:
    ident = required(root, "m:Header/m:BerichtIdentificatie/b:Identificatie", root)
    match = _HUB_ID.match(ident)
    if match is None:
        raise PayloadError(
            "het retourbericht (WMO302) noemt geen toewijzing van de hub in "
            "BerichtIdentificatie/Identificatie"
        )
    own = required(root, "m:Header/m:IdentificatieRetour", root)
    day = date.fromisoformat(required(root, "m:Header/m:DagtekeningRetour", root))
    header_codes = _codes(root, find(root, "m:Header", root))
    client = find(root, "m:Client", root)
    if client is None:  # OP065: only the header when every class was accepted
        return [_retour_update(int(match.group(1)), own, day, [("bericht", header_codes)])]
    client_codes = [("bericht", header_codes), ("cliënt", _codes(root, client))]
    for contact in findall(client, "m:Contactgegevens/m:Contact", root):
        client_codes.append(("contactgegevens", _codes(root, contact)))
    out = []
    for product in findall(client, "m:ToegewezenProducten/m:ToegewezenProduct", root):
        number = int(required(product, "m:ToewijzingNummer", root))
        judged = [*client_codes, ("toegewezen product", _codes(root, product))]
        out.append(_retour_update(number, own, day, judged))
    return out


def _codes(root: etree._Element, node: etree._Element | None) -> list[str]:
    if node is None:
        return []
    return [c.text or "" for c in findall(node, "m:RetourCodes/m:RetourCode", root)]


def _retour_update(
    number: int, own: str, day: date, judged: list[tuple[str, list[str]]]
) -> StatusUpdate:
    rejected = [
        f"{where} {code} ({RETOURCODE.get(code, 'retourcode')})"
        for where, codes in judged
        for code in codes
        if code != RETOUR_GEACCEPTEERD
    ]
    common: dict[str, object] = {
        "item_number": number,
        "partner_message_id": f"302-{own}-{number}",
        "occurred_at": start_of(day),
    }
    if not rejected:
        return StatusUpdate(status=PartnerStatus.received, **common)  # type: ignore[arg-type]
    return StatusUpdate(
        status=PartnerStatus.rejected,
        reason=REJECTED_302.format(codes="; ".join(rejected)),
        reason_code=RejectionReason.other,
        **common,  # type: ignore[arg-type]
    )


# --- WMO306 / WMO308: the hub's retour ------------------------------------------------------


def answer(
    namespace: str, root: etree._Element, updates: list[StatusUpdate], given: RetourInput
) -> Retour:
    """Judge a 305 or 307 by the standard's rules and write its retour (306 or 308).

    A 302 is itself a retour: it gets none, and every update in it is accepted.
    """
    if namespace not in RETOUR_OF:
        return Retour(accepted=frozenset(u.partner_message_id for u in updates))
    retour_ns, code = RETOUR_OF[namespace]
    head = find(root, "m:Header", root)
    client = find(root, "m:Client", root)
    assert head is not None and client is not None  # the XSD requires both
    ident = required(root, "m:Header/m:BerichtIdentificatie/b:Identificatie", root)
    dagtekening = date.fromisoformat(
        required(root, "m:Header/m:BerichtIdentificatie/b:Dagtekening", root)
    )
    products = _products(namespace, root)
    codes: list[tuple[etree._Element, list[str]]] = []
    accepted: set[str] = set()
    if dagtekening > given.today:
        # TR135: the whole message is refused; its classes are not assessed.
        codes += [(head, [RETOUR_DAGTEKENING_TOEKOMST]), (client, [RETOUR_NIET_BEOORDEELD])]
        codes += [(p, [RETOUR_NIET_BEOORDEELD]) for p in products]
    elif not _valid_bsn(required(client, "m:Bsn", root)):
        codes += [(head, [RETOUR_GEACCEPTEERD]), (client, [RETOUR_TECHNISCH_AFGEKEURD])]
        codes += [(p, [RETOUR_NIET_BEOORDEELD]) for p in products]
    else:
        codes += [(head, [RETOUR_GEACCEPTEERD]), (client, [RETOUR_GEACCEPTEERD])]
        for product in products:
            verdict = _judge(namespace, root, product, ident, given)
            codes.append((product, [verdict]))
            if verdict == RETOUR_GEACCEPTEERD:
                number = required(product, "m:ToewijzingNummer", root)
                accepted.add(product_message_id(namespace, ident, number))
    message = retour(root, retour_ns, code, given.retour_id, given.today, codes)
    return Retour(
        accepted=frozenset(accepted), message=PartnerMessage(finish(message), CONTENT_TYPE)
    )


def _judge(
    namespace: str,
    root: etree._Element,
    product: etree._Element,
    ident: str,
    given: RetourInput,
) -> str:
    status_aanlevering = required(product, "m:StatusAanlevering", root)
    if status_aanlevering == STATUS_VERWIJDEREN:
        # Not yet processed by the hub: a deletion is refused, not silently ignored.
        return RETOUR_TECHNISCH_AFGEKEURD
    if status_aanlevering != STATUS_EERSTE:
        return RETOUR_TECHNISCH_AFGEKEURD  # OP033: only 1 and 3
    number = text(product, "m:ToewijzingNummer", root)
    if number is None:
        return RETOUR_NIET_GEKOPPELD
    advice_type = given.linked.get(product_message_id(namespace, ident, number))
    if advice_type is None:
        return RETOUR_NIET_GEKOPPELD
    categorie = text(product, "m:Product/b:Categorie", root)
    if categorie is not None:
        known = ADVICE_TYPE_BY_CATEGORY.get(categorie)
        if known is None or known.name != advice_type:
            return RETOUR_PRODUCTCODE_ONGELDIG  # not the product this toewijzing allocated
    return RETOUR_GEACCEPTEERD


def _valid_bsn(value: str) -> bool:
    return len(value) == 9 and value.isdigit() and stdnum_bsn.is_valid(value)


def is_iwmo32(namespace: str) -> bool:
    return namespace in STATUS_MESSAGES
