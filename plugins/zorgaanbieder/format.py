"""The hub side of the zorgaanbieder format, both versions: iWmo 3.2 proper (`iwmo32`, the
default) and Wijkhub's earlier simplified XML (format version 1.0, in its own namespaces):
allocation and withdrawal out, the provider's retour, start care and stop care in.

Pure functions: no I/O, no clock. Client data comes only from `advice.client`, the minimised
view; an element is left out entirely when the view has no value for it.
"""

from datetime import date
from uuid import UUID

from lxml import etree
from pydantic import ValidationError

from wijkhub.hub.plugin_api.types import PartnerMessage, PayloadError, Retour, RetourInput
from wijkhub.plugins.zorgaanbieder.advice_types import ADVICE_TYPE_BY_CATEGORY, PARAMETERS
from wijkhub.plugins.zorgaanbieder.codes import (
    BERICHTCODE_301,
    BERICHTSUBVERSIE,
    BERICHTVERSIE,
    CONTENT_TYPE,
    DEFAULT_FORMAT_VERSION,
    FORMAT_IWMO_32,
    FORMAT_VERSIONS,
    FORMAT_WIJKHUB_10,
    GESLACHT,
    GRONDSLAG,
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
    ROL,
    STATUS_VERWIJDEREN,
    URGENTIE,
)
from wijkhub.plugins.zorgaanbieder.common import (
    dagtekening,
    find,
    finish,
    moment,
    new_message,
    parse_message,
    parse_moment,
    required_text,
    start_detail,
    stop_detail,
    stop_reason,
    sub,
    text,
)
from wijkhub.plugins.zorgaanbieder.iwmo32 import (
    STATUS_MESSAGES as IWMO32_STATUS_MESSAGES,
)
from wijkhub.plugins.zorgaanbieder.iwmo32 import (
    answer,
    is_iwmo32,
    status_updates,
    translate_toewijzing,
)
from wijkhub.schemas.client_view import ClientView
from wijkhub.schemas.consultation import (
    ConsultationKind,
    CounterProposal,
    OutboundConsultation,
    PartnerConsultation,
)
from wijkhub.schemas.outbound import (
    OutboundAdvice,
    ReminderNotice,
    ReminderStep,
    WithdrawalNotice,
)
from wijkhub.schemas.status import Milestone, PartnerStatus, RejectionReason, StatusUpdate

STATUS_MESSAGES = {
    **IWMO32_STATUS_MESSAGES,
    NS_302: "een retourbericht (302)",
    NS_305: "een startbericht (305)",
    NS_307: "een stopbericht (307)",
    NS_OVERLEG: "een overlegbericht",
}
UNKNOWN_VERSION = "formaatversie {version} bestaat niet voor de zorgaanbieder (wel: {known})"
REDEN_CODE: dict[RejectionReason, str] = {
    RejectionReason.professional_secrecy: "beroepsgeheim",
    RejectionReason.no_capacity: "geen_capaciteit",
    RejectionReason.not_eligible: "niet_in_aanmerking",
    RejectionReason.not_responsible: "niet_de_juiste_organisatie",
    RejectionReason.client_declined: "client_wil_niet",
    RejectionReason.other: "anders",
}
REDEN_CODE_IN = {code: reason for reason, code in REDEN_CODE.items()}
SOORT: dict[ConsultationKind, str] = {
    ConsultationKind.question: "vraag",
    ConsultationKind.answer: "antwoord",
    ConsultationKind.counter_proposal: "tegenvoorstel",
    ConsultationKind.report_back: "terugkoppeling",
}
SOORT_IN = {code: kind for kind, code in SOORT.items()}


def message_id(item_number: int, suffix: str = "") -> str:
    """The hub's BerichtIdentificatie: stable per item, so a resent message keeps its id."""
    return f"WH{item_number}{suffix}"


def translate_advice(advice: OutboundAdvice) -> PartnerMessage:
    """Write an allocation (toewijzing) for one advice item, in the partner's format version."""
    version = advice.format_version or DEFAULT_FORMAT_VERSION
    if version == FORMAT_IWMO_32:
        return translate_toewijzing(advice)
    if version != FORMAT_WIJKHUB_10:
        raise ValueError(UNKNOWN_VERSION.format(version=version, known=", ".join(FORMAT_VERSIONS)))
    return _translate_v1(advice)


def _translate_v1(advice: OutboundAdvice) -> PartnerMessage:
    model = PARAMETERS.get(advice.advice_type)
    if model is None:
        raise ValueError(f"adviestype {advice.advice_type!r} hoort niet bij de zorgaanbieder")
    params = model.model_validate(advice.parameters)

    root = new_message(NS_301)
    header = sub(root, "Header")
    sub(header, "BerichtCode", BERICHTCODE_301)
    sub(header, "BerichtVersie", BERICHTVERSIE)
    sub(header, "BerichtSubversie", BERICHTSUBVERSIE)
    sub(header, "Afzender", advice.sender)
    sub(header, "Ontvanger", advice.partner_id)
    ident = sub(header, "BerichtIdentificatie")
    sub(ident, "Identificatie", message_id(advice.item_number))
    sub(ident, "Dagtekening", dagtekening(advice.created_at))
    sub(header, "Aanmaakmoment", moment(advice.created_at))
    sub(header, "WijkhubReferentie", str(advice.item_ref))
    sub(header, "Grondslag", GRONDSLAG[advice.legal_basis])
    if advice.approval is not None:  # four eyes (Wijkhub extension): role and pseudonym only
        goedkeuring = sub(header, "Goedkeuring")
        sub(goedkeuring, "Rol", advice.approval.role)
        sub(goedkeuring, "Goedkeurder", advice.approval.approver_ref)
        sub(goedkeuring, "GoedgekeurdOp", moment(advice.approval.approved_at))

    client = sub(root, "Client")
    _write_client(client, advice.client)

    product = sub(sub(client, "ToegewezenProducten"), "ToegewezenProduct")
    sub(product, "ToewijzingNummer", str(advice.item_number))
    prod = sub(product, "Product")
    sub(prod, "Categorie", params.product_category)
    if params.product_code is not None:
        sub(prod, "Code", params.product_code)
    sub(product, "Toewijzingsdatum", dagtekening(advice.created_at))
    sub(product, "Ingangsdatum", params.start_date.isoformat())
    if params.end_date is not None:
        sub(product, "Einddatum", params.end_date.isoformat())
    omvang = sub(product, "Omvang")
    sub(omvang, "Volume", str(params.volume))
    sub(omvang, "Eenheid", params.unit)
    sub(omvang, "Frequentie", params.frequency)
    sub(product, "Urgentie", URGENTIE[advice.urgency.value])
    if advice.deadline is not None:
        sub(product, "UitersteReactiedatum", advice.deadline.isoformat())
    # `threats` are deliberately not sent: an eviction threat is housing/finance information
    # this partner's slice does not include.
    if advice.motivation is not None:
        sub(product, "Commentaar", advice.motivation)
    return PartnerMessage(finish(root), CONTENT_TYPE)


def _write_client(client: etree._Element, view: ClientView) -> None:
    if view.bsn is not None:
        sub(client, "Bsn", view.bsn)
    if view.birth_date is not None:
        sub(client, "Geboortedatum", view.birth_date.isoformat())
    if view.gender is not None:
        sub(client, "Geslacht", GESLACHT[view.gender])
    if view.family_name is not None or view.given_names is not None:
        naam = sub(client, "Naam")
        if view.family_name is not None:
            sub(sub(naam, "Geslachtsnaam"), "Achternaam", view.family_name)
        if view.given_names is not None:
            sub(naam, "Voornamen", view.given_names)
    if view.address is not None or view.phone is not None or view.email is not None:
        contact = sub(client, "Contactgegevens")
        if view.address is not None:
            adres = sub(contact, "Adres")
            sub(adres, "Straatnaam", view.address.street)
            sub(adres, "Huisnummer", str(view.address.house_number))
            if view.address.house_number_suffix:
                sub(adres, "HuisnummerToevoeging", view.address.house_number_suffix)
            sub(adres, "Postcode", view.address.postcode.replace(" ", ""))
            sub(adres, "Plaatsnaam", view.address.city)
        if view.phone is not None:
            sub(contact, "Telefoonnummer", view.phone)
        if view.email is not None:
            sub(contact, "Emailadres", view.email)
    if view.household:
        huishouden = sub(client, "Huishouden")
        for member in view.household:
            genoot = sub(huishouden, "Huisgenoot")
            sub(genoot, "Voornaam", member.given_name)
            if member.family_name is not None:
                sub(genoot, "Achternaam", member.family_name)
            sub(genoot, "Geboortedatum", member.birth_date.isoformat())
            sub(genoot, "Rol", ROL[member.role])
    if view.health is not None:
        gezondheid = sub(client, "Gezondheid")
        sub(gezondheid, "Samenvatting", view.health.summary)
        sub(gezondheid, "WmoIndicatie", "true" if view.health.wmo_indication else "false")


def translate_withdrawal(notice: WithdrawalNotice) -> PartnerMessage:
    """Write an intrekking: stop using the data of this allocation (consent withdrawn)."""
    root = new_message(NS_INTREKKING)
    header = sub(root, "Header")
    sub(header, "BerichtVersie", "1")
    sub(header, "Afzender", notice.sender)
    sub(header, "Ontvanger", notice.partner_id)
    ident = sub(header, "BerichtIdentificatie")
    sub(ident, "Identificatie", message_id(notice.item_number, "-INT"))
    sub(ident, "Dagtekening", dagtekening(notice.withdrawn_at))
    sub(header, "WijkhubReferentie", str(notice.item_ref))
    body = sub(root, "Intrekking")
    sub(body, "ToewijzingNummer", str(notice.item_number))
    sub(body, "Intrekkingsmoment", moment(notice.withdrawn_at))
    sub(body, "Reden", notice.reason)
    return PartnerMessage(finish(root), CONTENT_TYPE)


def translate_consultation(consultation: OutboundConsultation) -> PartnerMessage:
    """Write a coach's question, answer or report-back as an overlegbericht."""
    root = new_message(NS_OVERLEG)
    header = sub(root, "Header")
    sub(header, "BerichtVersie", "1")
    sub(header, "Afzender", consultation.sender)
    sub(header, "Ontvanger", consultation.partner_id)
    ident = sub(header, "BerichtIdentificatie")
    sub(ident, "Identificatie", consultation.message_ref.hex)
    sub(ident, "Dagtekening", dagtekening(consultation.sent_at))
    sub(header, "Aanmaakmoment", moment(consultation.sent_at))
    sub(header, "WijkhubReferentie", str(consultation.item_ref))
    overleg = sub(root, "Overleg")
    sub(overleg, "ToewijzingNummer", str(consultation.item_number))
    sub(overleg, "Soort", SOORT[consultation.kind])
    sub(overleg, "Tekst", consultation.text)
    if consultation.in_reply_to is not None:
        sub(overleg, "AntwoordOp", consultation.in_reply_to)
    return PartnerMessage(finish(root), CONTENT_TYPE)


MIJLPAAL: dict[Milestone, str] = {
    Milestone.first_answer: "eerste_reactie",
    Milestone.intake_held: "intakegesprek",
    Milestone.decision: "besluit",
    Milestone.execution: "uitvoering",
}
STAP: dict[ReminderStep, str] = {
    ReminderStep.buddy_reminder: "buddy",
    ReminderStep.contact_manager: "contactmanager",
}


def translate_reminder(notice: ReminderNotice) -> PartnerMessage:
    """Write a herinnering: a milestone of this allocation is late (escalation ladder)."""
    root = new_message(NS_HERINNERING)
    header = sub(root, "Header")
    sub(header, "BerichtVersie", "1")
    sub(header, "Afzender", notice.sender)
    sub(header, "Ontvanger", notice.partner_id)
    ident = sub(header, "BerichtIdentificatie")
    # One message per step and milestone: a resend of the same reminder keeps its id.
    suffix = f"-HER-{MIJLPAAL[notice.milestone][:3].upper()}-{STAP[notice.step][:1].upper()}"
    sub(ident, "Identificatie", message_id(notice.item_number, suffix))
    sub(ident, "Dagtekening", dagtekening(notice.sent_at))
    sub(header, "WijkhubReferentie", str(notice.item_ref))
    body = sub(root, "Herinnering")
    sub(body, "ToewijzingNummer", str(notice.item_number))
    sub(body, "Adviessoort", notice.advice_type)
    sub(body, "Mijlpaal", MIJLPAAL[notice.milestone])
    sub(body, "Uiterlijk", notice.due_on.isoformat())
    sub(body, "Stap", STAP[notice.step])
    sub(body, "Aan", notice.recipient)
    sub(body, "Verzendmoment", moment(notice.sent_at))
    sub(body, "Tekst", notice.text)
    return PartnerMessage(finish(root), CONTENT_TYPE)


def parse_status(body: bytes, content_type: str) -> list[StatusUpdate]:
    """Read a provider's retour, start or stop message. Raises only `PayloadError`."""
    namespace, root = parse_message(body, content_type, STATUS_MESSAGES)
    try:
        if is_iwmo32(namespace):
            return status_updates(namespace, root)
        fields = _status_fields(namespace, root)
        return [StatusUpdate(**fields)]
    except PayloadError:
        raise
    except ValidationError as exc:
        # Name the fields only: pydantic's own message would echo the values.
        names = sorted({".".join(str(p) for p in err["loc"]) or "bericht" for err in exc.errors()})
        raise PayloadError(f"statusbericht ongeldig in veld(en): {', '.join(names)}") from None
    except (ValueError, OverflowError):
        raise PayloadError("statusbericht bevat een ongeldige datum of tijd") from None


def answer_status(body: bytes, updates: list[StatusUpdate], given: RetourInput) -> Retour:
    """The retour on a provider's message: iWmo 3.2's 306/308 with its retourcodes; a 1.0
    message (or a 302, itself a retour) gets none and all its updates are accepted."""
    namespace, root = parse_message(body, CONTENT_TYPE, STATUS_MESSAGES)
    if is_iwmo32(namespace):
        return answer(namespace, root, updates, given)
    return Retour(accepted=frozenset(u.partner_message_id for u in updates))


def _status_fields(namespace: str, root: etree._Element) -> dict[str, object]:
    fields: dict[str, object] = {
        "item_ref": UUID(required_text(root, "Header/WijkhubReferentie")),
        "partner_message_id": required_text(root, "Header/BerichtIdentificatie/Identificatie"),
        "occurred_at": parse_moment(required_text(root, "Header/Aanmaakmoment")),
    }
    if namespace == NS_302:
        code = required_text(root, "Retour/RetourCode")
        toelichting = text(root, "Retour/Toelichting")
        if code == RETOUR_GEACCEPTEERD:
            fields.update(status=PartnerStatus.received, detail=toelichting)
        elif code == RETOUR_TECHNISCH_AFGEKEURD:
            if toelichting is None:
                raise PayloadError(
                    "RetourCode 0001 (afgekeurd) vereist een Toelichting met de reden"
                )
            code_text = text(root, "Retour/RedenCode")
            if code_text is None:
                raise PayloadError("RetourCode 0001 (afgekeurd) vereist een RedenCode")
            fields.update(
                status=PartnerStatus.rejected,
                reason=toelichting,
                reason_code=REDEN_CODE_IN[code_text],
            )
        else:  # the XSD admits no other code; kept for a schema that grows
            raise PayloadError("RetourCode wordt niet ondersteund")
    elif namespace == NS_OVERLEG:
        fields.update(status=PartnerStatus.in_consultation, consultation=_overleg(root))
    elif namespace == NS_305:
        _refuse_deletion(root, "StartProduct")
        begin = date.fromisoformat(required_text(root, "StartProduct/Begindatum"))
        fields.update(status=PartnerStatus.in_progress, detail=start_detail(begin))
    else:
        _refuse_deletion(root, "StopProduct")
        end = date.fromisoformat(required_text(root, "StopProduct/Einddatum"))
        reden = required_text(root, "StopProduct/RedenBeeindiging")
        if reden == REDEN_VOLGENS_PLAN:
            # Care ended as planned: the allocation was carried out, not broken off.
            fields.update(status=PartnerStatus.carried_out, detail=stop_detail(end, reden))
        else:
            fields.update(
                status=PartnerStatus.stopped,
                reason=stop_reason(reden),
                detail=stop_detail(end, reden),
            )
    return fields


def _overleg(root: etree._Element) -> PartnerConsultation:
    soort = SOORT_IN[required_text(root, "Overleg/Soort")]
    proposal = None
    if find(root, "Overleg/Tegenvoorstel") is not None:
        categorie = text(root, "Overleg/Tegenvoorstel/Productcategorie")
        datum = text(root, "Overleg/Tegenvoorstel/GewensteDatum")
        proposal = CounterProposal(
            advice_type=ADVICE_TYPE_BY_CATEGORY[categorie].name if categorie else None,
            requested_date=date.fromisoformat(datum) if datum else None,
        )
    return PartnerConsultation(
        kind=soort,
        text=required_text(root, "Overleg/Tekst"),
        in_reply_to=text(root, "Overleg/AntwoordOp"),
        proposal=proposal,
    )


def _refuse_deletion(root: etree._Element, body: str) -> None:
    if required_text(root, f"{body}/StatusAanlevering") == STATUS_VERWIJDEREN:
        raise PayloadError(
            "StatusAanlevering 3 (verwijderen) wordt niet ondersteund: stuur een gewijzigde "
            "aanlevering (2) of neem contact op met het wijkteam"
        )
