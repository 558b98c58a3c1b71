"""The provider side of the zorgaanbieder format, for the built-in simulator and the tests:
read an allocation or withdrawal as a care provider would, and answer in the provider's own
retour, start and stop messages (iWmo 3.2 in `iwmo32_backoffice`, format 1.0 here)."""

from datetime import date
from uuid import UUID

from lxml import etree

from wijkhub.hub.plugin_api.types import Backoffice, PartnerMessage, ReceivedRequest
from wijkhub.plugins.zorgaanbieder.advice_types import ADVICE_TYPE_BY_CATEGORY
from wijkhub.plugins.zorgaanbieder.codes import (
    BERICHTCODE_302,
    BERICHTCODE_305,
    BERICHTCODE_307,
    BERICHTSUBVERSIE,
    BERICHTVERSIE,
    CONTENT_TYPE,
    FORMAT_IWMO_32,
    NS32_301,
    NS_301,
    NS_302,
    NS_305,
    NS_307,
    NS_HERINNERING,
    NS_INTREKKING,
    NS_OVERLEG,
    REDEN_VOLGENS_PLAN,
    RETOUR_GEACCEPTEERD,
    RETOUR_TECHNISCH_AFGEKEURD,
    STATUS_EERSTE,
)
from wijkhub.plugins.zorgaanbieder.common import (
    begindatum_from,
    dagtekening,
    einddatum_from,
    find,
    finish,
    moment,
    new_message,
    parse_message,
    parse_moment,
    reden_from,
    required_text,
    sub,
    text,
)
from wijkhub.plugins.zorgaanbieder.format import MIJLPAAL, REDEN_CODE, SOORT, STAP
from wijkhub.plugins.zorgaanbieder.iwmo32_backoffice import (
    is_toewijzing,
    read_toewijzing,
)
from wijkhub.plugins.zorgaanbieder.iwmo32_backoffice import (
    render_reply as render_reply_32,
)
from wijkhub.schemas.categories import DataCategory
from wijkhub.schemas.outbound import Approval
from wijkhub.schemas.status import PartnerStatus, StatusUpdate

CATEGORY_OF = {t.name: code for code, t in ADVICE_TYPE_BY_CATEGORY.items()}
HUB_MESSAGES = {
    NS32_301: "een toewijzing (WMO301)",
    NS_301: "een toewijzing (301)",
    NS_INTREKKING: "een intrekking",
    NS_OVERLEG: "een overlegbericht",
    NS_HERINNERING: "een herinnering",
}
_MIJLPAAL_IN = {code: m for m, code in MIJLPAAL.items()}
_STAP_IN = {code: step for step, code in STAP.items()}

# Which elements carry which data category: presence is what counts, not the values.
_CATEGORY_ELEMENTS: tuple[tuple[DataCategory, tuple[str, ...]], ...] = (
    (DataCategory.bsn, ("Client/Bsn",)),
    (DataCategory.identification, ("Client/Geboortedatum", "Client/Geslacht", "Client/Naam")),
    (DataCategory.contact, ("Client/Contactgegevens",)),
    (DataCategory.household, ("Client/Huishouden",)),
    (DataCategory.health, ("Client/Gezondheid",)),
)
_PRODUCT = "Client/ToegewezenProducten/ToegewezenProduct"


def read_request(body: bytes, content_type: str) -> ReceivedRequest:
    """Validate a hub message against its XSD and report what it carries."""
    namespace, root = parse_message(body, content_type, HUB_MESSAGES)
    if is_toewijzing(namespace):
        return read_toewijzing(root)
    item_ref = UUID(required_text(root, "Header/WijkhubReferentie"))
    if namespace == NS_OVERLEG:
        return ReceivedRequest(
            kind="consultation",
            item_ref=item_ref,
            advice_type=None,
            categories=frozenset({DataCategory.free_text}),
            fields={
                "bericht_id": required_text(root, "Header/BerichtIdentificatie/Identificatie"),
                "soort": required_text(root, "Overleg/Soort"),
                "tekst": required_text(root, "Overleg/Tekst"),
                "antwoord_op": text(root, "Overleg/AntwoordOp"),
            },
        )
    if namespace == NS_INTREKKING:
        return ReceivedRequest(
            kind="withdrawal",
            item_ref=item_ref,
            advice_type=None,
            categories=frozenset(),
            fields={
                "toewijzingnummer": int(required_text(root, "Intrekking/ToewijzingNummer")),
                "reden": required_text(root, "Intrekking/Reden"),
            },
        )
    if namespace == NS_HERINNERING:
        return ReceivedRequest(
            kind="reminder",
            item_ref=item_ref,
            advice_type=required_text(root, "Herinnering/Adviessoort"),
            categories=frozenset(),
            fields={
                "milestone": _MIJLPAAL_IN[required_text(root, "Herinnering/Mijlpaal")],
                "step": _STAP_IN[required_text(root, "Herinnering/Stap")],
                "due_on": date.fromisoformat(required_text(root, "Herinnering/Uiterlijk")),
                "recipient": required_text(root, "Herinnering/Aan"),
                "text": required_text(root, "Herinnering/Tekst"),
            },
        )

    categories = {
        category
        for category, paths in _CATEGORY_ELEMENTS
        if any(find(root, path) is not None for path in paths)
    }
    categorie = required_text(root, f"{_PRODUCT}/Product/Categorie")
    advice_type = ADVICE_TYPE_BY_CATEGORY.get(categorie)
    if find(root, f"{_PRODUCT}/Commentaar") is not None:
        categories.add(advice_type.motivation_category if advice_type else DataCategory.free_text)
    einddatum = text(root, f"{_PRODUCT}/Einddatum")
    approval = None
    if find(root, "Header/Goedkeuring") is not None:
        approval = Approval(
            role=required_text(root, "Header/Goedkeuring/Rol"),
            approver_ref=required_text(root, "Header/Goedkeuring/Goedkeurder"),
            approved_at=parse_moment(required_text(root, "Header/Goedkeuring/GoedgekeurdOp")),
        )
    return ReceivedRequest(
        kind="advice",
        item_ref=item_ref,
        advice_type=advice_type.name if advice_type else None,
        categories=frozenset(categories),
        fields={
            "identificatie": required_text(root, "Header/BerichtIdentificatie/Identificatie"),
            "afzender": required_text(root, "Header/Afzender"),
            "toewijzingnummer": int(required_text(root, f"{_PRODUCT}/ToewijzingNummer")),
            "productcategorie": categorie,
            "productcode": text(root, f"{_PRODUCT}/Product/Code"),
            "volume": int(required_text(root, f"{_PRODUCT}/Omvang/Volume")),
            "eenheid": required_text(root, f"{_PRODUCT}/Omvang/Eenheid"),
            "frequentie": required_text(root, f"{_PRODUCT}/Omvang/Frequentie"),
            "ingangsdatum": date.fromisoformat(required_text(root, f"{_PRODUCT}/Ingangsdatum")),
            "einddatum": date.fromisoformat(einddatum) if einddatum else None,
            "approval": approval,  # four eyes: who approved (role, pseudonym), or None
        },
    )


def render_status(update: StatusUpdate) -> PartnerMessage:
    """Answer as the provider would: a retour (received, rejected), a start message
    (in_progress) or a stop message (carried_out, stopped).

    iWmo has no "adopted": the municipality decides, the provider only reports start and stop,
    so adopted and partly_adopted raise `ValueError`.
    """
    status = update.status
    if update.consultation is not None or status is PartnerStatus.in_consultation:
        return _overleg(update)
    if status in (PartnerStatus.received, PartnerStatus.rejected):
        root = _header(NS_302, BERICHTCODE_302, update)
        retour = sub(root, "Retour")
        if status is PartnerStatus.received:
            sub(retour, "RetourCode", RETOUR_GEACCEPTEERD)
            if update.detail:
                sub(retour, "Toelichting", update.detail)
        else:
            sub(retour, "RetourCode", RETOUR_TECHNISCH_AFGEKEURD)
            sub(retour, "Toelichting", update.reason)
            if update.reason_code is not None:
                sub(retour, "RedenCode", REDEN_CODE[update.reason_code])
    elif status is PartnerStatus.in_progress:
        root = _header(NS_305, BERICHTCODE_305, update)
        start = sub(root, "StartProduct")
        begin = begindatum_from(update.detail, update.occurred_at)
        sub(start, "Begindatum", begin.isoformat())
        sub(start, "StatusAanlevering", STATUS_EERSTE)
    elif status in (PartnerStatus.carried_out, PartnerStatus.stopped):
        reden = (
            REDEN_VOLGENS_PLAN if status is PartnerStatus.carried_out else reden_from(update.reason)
        )
        if status is PartnerStatus.stopped and reden == REDEN_VOLGENS_PLAN:
            raise ValueError("reden beëindiging 19 (volgens plan) is de status carried_out")
        root = _header(NS_307, BERICHTCODE_307, update)
        stop = sub(root, "StopProduct")
        end = einddatum_from(update.detail, update.occurred_at)
        sub(stop, "Einddatum", end.isoformat())
        sub(stop, "RedenBeeindiging", reden)
        sub(stop, "StatusAanlevering", STATUS_EERSTE)
    else:
        raise ValueError(
            f"status {status.value} bestaat niet in de Wmo-berichten: de gemeente beslist, "
            "de zorgaanbieder meldt alleen ontvangst, start en stop"
        )
    return PartnerMessage(finish(root), CONTENT_TYPE)


def _overleg(update: StatusUpdate) -> PartnerMessage:
    """A consultation message always means "in overleg" in this format."""
    c = update.consultation
    if c is None or update.status is not PartnerStatus.in_consultation:
        raise ValueError("een overlegbericht hoort bij status in_consultation, met overleg")
    root = new_message(NS_OVERLEG)
    header = sub(root, "Header")
    sub(header, "BerichtVersie", "1")
    ident = sub(header, "BerichtIdentificatie")
    sub(ident, "Identificatie", update.partner_message_id)
    sub(ident, "Dagtekening", dagtekening(update.occurred_at))
    sub(header, "Aanmaakmoment", moment(update.occurred_at))
    sub(header, "WijkhubReferentie", str(update.item_ref))
    overleg = sub(root, "Overleg")
    sub(overleg, "Soort", SOORT[c.kind])
    sub(overleg, "Tekst", c.text)
    if c.in_reply_to is not None:
        sub(overleg, "AntwoordOp", c.in_reply_to)
    if c.proposal is not None:
        if c.proposal.parameters is not None:
            raise ValueError("zorgaanbieder: een tegenvoorstel kan hier geen parameters dragen")
        tv = sub(overleg, "Tegenvoorstel")
        if c.proposal.advice_type is not None:
            sub(tv, "Productcategorie", CATEGORY_OF[c.proposal.advice_type])
        if c.proposal.requested_date is not None:
            sub(tv, "GewensteDatum", c.proposal.requested_date.isoformat())
    return PartnerMessage(finish(root), CONTENT_TYPE)


def _header(namespace: str, berichtcode: str, update: StatusUpdate) -> etree._Element:
    root = new_message(namespace)
    header = sub(root, "Header")
    sub(header, "BerichtCode", berichtcode)
    sub(header, "BerichtVersie", BERICHTVERSIE)
    sub(header, "BerichtSubversie", BERICHTSUBVERSIE)
    ident = sub(header, "BerichtIdentificatie")
    sub(ident, "Identificatie", update.partner_message_id)
    sub(ident, "Dagtekening", dagtekening(update.occurred_at))
    sub(header, "Aanmaakmoment", moment(update.occurred_at))
    sub(header, "WijkhubReferentie", str(update.item_ref))
    return root


def render_reply(req: ReceivedRequest, update: StatusUpdate) -> PartnerMessage:
    """Answer a request in the version it came in: an iWmo 3.2 toewijzing with 302/305/307
    that repeat it; anything else (and every overleg) with `render_status`."""
    if req.fields.get("format") == FORMAT_IWMO_32 and update.consultation is None:
        return render_reply_32(req, update)
    return render_status(update)


BACKOFFICE = Backoffice(
    read_request=read_request,
    render_status=render_status,
    script=(PartnerStatus.received, PartnerStatus.in_progress),
    render_reply=render_reply,
)
