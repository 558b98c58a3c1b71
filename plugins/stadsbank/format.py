"""The Stadsbank XML format, hub side: requests and withdrawals out, status messages in.

Pure functions: no I/O, no clock. Every message the hub writes is validated against the
shipped XSD before it leaves (a failure there is a bug in this module and must be loud);
every message it reads is validated before a single value is used.
"""

import re
from datetime import UTC, date, datetime
from uuid import UUID

from lxml import etree
from pydantic import ValidationError

from wijkhub.hub.plugin_api import safexml
from wijkhub.hub.plugin_api.types import PartnerMessage, PayloadError
from wijkhub.plugins.stadsbank.advice_types import BUDGETBEHEER, BY_NAME, SCHULDHULP
from wijkhub.schemas.advice import Threat, Urgency
from wijkhub.schemas.categories import LegalBasis
from wijkhub.schemas.client import Gender, HouseholdRole, HousingTenure, IncomeSource
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

NS_AANMELDING = "urn:wijkhub:stadsbank:aanmelding:1"
NS_STATUS = "urn:wijkhub:stadsbank:status:1"
AANMELDING_XSD = "stadsbank-aanmelding-v1.xsd"
STATUS_XSD = "stadsbank-status-v1.xsd"
CONTENT_TYPE = "application/xml"
_PACKAGE = "wijkhub.plugins.stadsbank"

# The Stadsbank's own codes for the hub's neutral values.
LEGAL_BASIS_OUT: dict[LegalBasis, str] = {
    LegalBasis.consent: "toestemming",
    LegalBasis.statutory_task: "wettelijke_taak",
    LegalBasis.legal_obligation: "wettelijke_verplichting",
    LegalBasis.vital_interest: "vitaal_belang",
}
URGENCY_OUT: dict[Urgency, str] = {
    Urgency.normal: "normaal",
    Urgency.high: "hoog",
    Urgency.crisis: "crisis",
}
THREAT_OUT: dict[Threat, str] = {
    Threat.eviction: "huisuitzetting",
    Threat.energy_disconnection: "afsluiting_energie",
    Threat.water_disconnection: "afsluiting_water",
    Threat.health_insurance_cancellation: "beeindiging_zorgverzekering",
}
GENDER_OUT: dict[Gender, str] = {
    Gender.unknown: "onbekend",
    Gender.male: "man",
    Gender.female: "vrouw",
    Gender.other: "anders",
}
ROLE_OUT: dict[HouseholdRole, str] = {
    HouseholdRole.parent_with_authority: "ouder_met_gezag",
    HouseholdRole.parent: "ouder",
    HouseholdRole.partner: "partner",
    HouseholdRole.child: "kind",
    HouseholdRole.other: "overig",
}
TENURE_OUT: dict[HousingTenure, str] = {
    HousingTenure.social_rent: "sociale_huur",
    HousingTenure.private_rent: "particuliere_huur",
    HousingTenure.owner: "koop",
    HousingTenure.no_fixed_abode: "geen_vaste_woon_of_verblijfplaats",
    HousingTenure.other: "overig",
}
INCOME_OUT: dict[IncomeSource, str] = {
    IncomeSource.employment: "loondienst",
    IncomeSource.benefit: "uitkering",
    IncomeSource.self_employed: "zelfstandige",
    IncomeSource.none: "geen",
    IncomeSource.other: "overig",
}

MILESTONE_OUT: dict[Milestone, str] = {
    Milestone.first_answer: "eerste_reactie",
    Milestone.intake_held: "intakegesprek",
    Milestone.decision: "besluit",
    Milestone.execution: "uitvoering",
}
STEP_OUT: dict[ReminderStep, str] = {
    ReminderStep.buddy_reminder: "buddy",
    ReminderStep.contact_manager: "contactmanager",
}

# Wgs art. 4a measures the term until the first conversation: `intake_gehouden` is the hub's
# `intake_held`, the milestone the Stadsbank's headline deadline is measured against.
STATUS_IN: dict[str, PartnerStatus] = {
    "ontvangen": PartnerStatus.received,
    "in_behandeling": PartnerStatus.in_progress,
    "intake_gehouden": PartnerStatus.intake_held,
    "toegekend": PartnerStatus.adopted,
    "deels_toegekend": PartnerStatus.partly_adopted,
    "afgewezen": PartnerStatus.rejected,
    "uitgevoerd": PartnerStatus.carried_out,
    "beeindigd": PartnerStatus.stopped,
    "in_overleg": PartnerStatus.in_consultation,
}
STATUS_OUT: dict[PartnerStatus, str] = {
    PartnerStatus.received: "ontvangen",
    PartnerStatus.in_progress: "in_behandeling",
    PartnerStatus.intake_held: "intake_gehouden",
    PartnerStatus.adopted: "toegekend",
    PartnerStatus.partly_adopted: "deels_toegekend",
    PartnerStatus.rejected: "afgewezen",
    PartnerStatus.carried_out: "uitgevoerd",
    PartnerStatus.stopped: "beeindigd",
    PartnerStatus.in_consultation: "in_overleg",
}
REASON_CODE_OUT: dict[RejectionReason, str] = {
    RejectionReason.professional_secrecy: "beroepsgeheim",
    RejectionReason.no_capacity: "geen_capaciteit",
    RejectionReason.not_eligible: "niet_in_aanmerking",
    RejectionReason.not_responsible: "niet_de_juiste_organisatie",
    RejectionReason.client_declined: "client_wil_niet",
    RejectionReason.other: "anders",
}
REASON_CODE_IN = {code: reason for reason, code in REASON_CODE_OUT.items()}
CONSULTATION_OUT: dict[ConsultationKind, str] = {
    ConsultationKind.question: "vraag",
    ConsultationKind.answer: "antwoord",
    ConsultationKind.counter_proposal: "tegenvoorstel",
    ConsultationKind.report_back: "terugkoppeling",
}
CONSULTATION_IN = {code: kind for kind, code in CONSULTATION_OUT.items()}
_REASON_REQUIRED = frozenset({PartnerStatus.rejected, PartnerStatus.partly_adopted})

# Element names for errors about StatusUpdate fields, so the partner recognises its own field.
_STATUS_FIELD_NAMES = {
    "item_ref": "Referentie",
    "status": "Status",
    "occurred_at": "Tijdstip",
    "partner_message_id": "BerichtId",
    "reason": "Reden",
    "detail": "Toelichting",
    "reason_code": "RedenCode",
    "consultation": "Overleg",
}


class StadsbankFormatBug(RuntimeError):
    """The hub produced a message that does not match its own XSD: a bug, never partner input."""


def aanmelding_schema() -> etree.XMLSchema:
    return safexml.load_schema(_PACKAGE, AANMELDING_XSD)


def status_schema() -> etree.XMLSchema:
    return safexml.load_schema(_PACKAGE, STATUS_XSD)


# --- shared helpers (also used by the partner side in `backoffice`) ---


def is_xml_content_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media in ("application/xml", "text/xml") or media.endswith("+xml")


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _describe_schema_error(exc: etree.DocumentInvalid) -> str:
    """A Dutch error naming line and element but never the offending value.

    libxml2 quotes the value in type and facet errors ("'…' is not a valid value"), and a
    partner's value may be personal data, so only structural messages are passed on.
    """
    entries = list(exc.error_log)
    if not entries:
        return "XML voldoet niet aan het schema"
    err = entries[0]
    match = re.match(r"Element '(?:\{[^}]*\})?([^']{1,60})'", err.message)
    element = match.group(1) if match else "?"
    where = f"regel {err.line}, element {element}"
    if "No matching global declaration" in err.message:
        return "XML voldoet niet aan het schema: onbekend hoofdelement"
    # Structural messages name only elements, never values: the expected ones are passed on.
    expected = re.findall(r"\{[^}]*\}(\w+)", err.message.partition("Expected is")[2])
    hint = f" (verwacht: {', '.join(expected)})" if expected else ""
    if "This element is not expected" in err.message:
        return f"XML voldoet niet aan het schema ({where}): element hier niet toegestaan{hint}"
    if "Missing child element" in err.message:
        return f"XML voldoet niet aan het schema ({where}): verplicht element ontbreekt{hint}"
    return f"XML voldoet niet aan het schema ({where}): ongeldige waarde"


def read_valid(body: bytes, content_type: str, schema: etree.XMLSchema) -> etree._Element:
    """Parse untrusted bytes with the hardened parser and validate them against `schema`.

    Not `safexml.parse_valid`: its message repeats libxml2's, which can quote a value, and it
    reads the schema's shared error log, which another worker thread may be overwriting.
    """
    if not isinstance(body, bytes):
        raise PayloadError("bericht is geen reeks bytes")
    if not isinstance(content_type, str) or not is_xml_content_type(content_type):
        raise PayloadError("content-type moet application/xml zijn")
    root = safexml.parse(body)
    try:
        schema.assertValid(root)
    except etree.DocumentInvalid as exc:
        raise PayloadError(_describe_schema_error(exc)) from None
    return root


def check_outgoing(root: etree._Element, schema: etree.XMLSchema) -> PartnerMessage:
    """Validate what the hub is about to send; a mismatch is a bug in this module."""
    try:
        schema.assertValid(root)
    except etree.DocumentInvalid as exc:
        # Not chained: libxml2's own message may quote a client's value into the logs.
        raise StadsbankFormatBug(
            f"stadsbank: eigen bericht ongeldig: {_describe_schema_error(exc)}"
        ) from None
    return PartnerMessage(safexml.to_bytes(root), CONTENT_TYPE)


def iso_datetime(value: datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("stadsbank: a time without a time zone cannot be sent")
    offset = value.utcoffset()
    # The format allows offsets in whole minutes only; UTC keeps the same instant.
    if offset is not None and offset.total_seconds() % 60:
        value = value.astimezone(UTC)
    return value.isoformat()


def parse_datetime(text: str, element: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise PayloadError(f"{element} is geen geldig tijdstip") from None
    if value.tzinfo is None:
        raise PayloadError(f"{element} mist een tijdzone")
    return value


def parse_date(text: str, element: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PayloadError(f"{element} is geen geldige datum") from None


def children(element: etree._Element) -> dict[str, etree._Element]:
    """Child elements by local name (the XSD allows each name at most once where this is used)."""
    return {_local(child.tag): child for child in element if _local(child.tag)}


class XmlBuilder:
    """Appends elements in one namespace; `opt` leaves an element out entirely when None."""

    def __init__(self, namespace: str) -> None:
        self.ns = namespace

    def root(self, name: str) -> etree._Element:
        return etree.Element(f"{{{self.ns}}}{name}", nsmap={None: self.ns})

    def add(self, parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
        element = etree.SubElement(parent, f"{{{self.ns}}}{name}")
        if text is not None:
            element.text = text
        return element

    def opt(self, parent: etree._Element, name: str, value: object) -> None:
        if value is None:
            return
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, datetime):
            text = iso_datetime(value)
        elif isinstance(value, date):
            text = value.isoformat()
        else:
            text = str(value)
        self.add(parent, name, text)


# --- hub -> partner ---


def _client(b: XmlBuilder, parent: etree._Element, view: ClientView) -> None:
    """Write the client, element by element, only from the minimised view."""
    inwoner = b.add(parent, "Inwoner")
    b.add(inwoner, "Kenmerk", view.subject_ref)
    b.opt(inwoner, "Bsn", view.bsn)
    b.opt(inwoner, "Voornamen", view.given_names)
    b.opt(inwoner, "Achternaam", view.family_name)
    b.opt(inwoner, "Geboortedatum", view.birth_date)
    b.opt(inwoner, "Geslacht", GENDER_OUT[view.gender] if view.gender is not None else None)
    if view.address is not None:
        adres = b.add(inwoner, "Adres")
        b.add(adres, "Straat", view.address.street)
        b.add(adres, "Huisnummer", str(view.address.house_number))
        b.opt(adres, "Huisnummertoevoeging", view.address.house_number_suffix)
        b.add(adres, "Postcode", view.address.postcode)
        b.add(adres, "Woonplaats", view.address.city)
    b.opt(inwoner, "Telefoon", view.phone)
    b.opt(inwoner, "Email", view.email)
    if view.household is not None:
        huishouden = b.add(inwoner, "Huishouden")
        for member in view.household:
            lid = b.add(huishouden, "Lid")
            b.add(lid, "Voornaam", member.given_name)
            b.opt(lid, "Achternaam", member.family_name)
            b.opt(lid, "Geboortedatum", member.birth_date)
            b.add(lid, "Rol", ROLE_OUT[member.role])
    if view.housing is not None:
        wonen = b.add(inwoner, "Wonen")
        b.add(wonen, "Woonvorm", TENURE_OUT[view.housing.tenure])
        b.opt(wonen, "Verhuurder", view.housing.landlord)
        b.opt(wonen, "HuurachterstandCent", view.housing.rent_arrears_cents)
        b.opt(wonen, "Ontruimingsdatum", view.housing.eviction_date)
    if view.finance is not None:
        financien = b.add(inwoner, "Financien")
        b.add(financien, "Inkomstenbron", INCOME_OUT[view.finance.income_source])
        b.opt(financien, "MaandinkomenCent", view.finance.monthly_income_cents)
        b.opt(financien, "SchuldTotaalCent", view.finance.debt_total_cents)
        b.opt(financien, "AantalSchuldeisers", view.finance.creditor_count)


def _parameters(b: XmlBuilder, parent: etree._Element, advice: OutboundAdvice) -> None:
    model = BY_NAME[advice.advice_type].parameters
    if model is None:
        return
    # Validated by the hub already; again here so a bad value fails before anything is sent.
    params = model.model_validate(advice.parameters)
    values = params.model_dump()
    # These are financial facts about the client: without the finance category they stay home.
    if advice.client.finance is None or all(v is None for v in values.values()):
        return
    block = b.add(parent, "Parameters")
    if advice.advice_type == SCHULDHULP:
        inner = b.add(block, "Schuldhulpverlening")
        b.opt(inner, "SchuldeisersBekend", values["creditors_known"])
        b.opt(inner, "EerderSchuldhulp", values["earlier_debt_counselling"])
    elif advice.advice_type == BUDGETBEHEER:
        inner = b.add(block, "Budgetbeheer")
        b.opt(inner, "TeBeherenInkomenCent", values["income_to_manage_cents"])
        b.opt(inner, "VasteLastenBetalen", values["pay_fixed_charges"])


def translate_advice(advice: OutboundAdvice) -> PartnerMessage:
    """An advice item as a Stadsbank `Aanmelding`."""
    advice_type = BY_NAME.get(advice.advice_type)
    if advice_type is None:
        raise ValueError(f"stadsbank: unknown advice type {advice.advice_type!r}")
    b = XmlBuilder(NS_AANMELDING)
    root = b.root("Aanmelding")
    b.add(root, "Referentie", str(advice.item_ref))
    b.add(root, "Volgnummer", str(advice.item_number))
    b.add(root, "Afzender", advice.sender)
    b.add(root, "Ontvanger", advice.partner_id)
    b.add(root, "Aanmaakmoment", iso_datetime(advice.created_at))
    b.add(root, "Soort", advice_type.name)
    b.add(root, "Grondslag", LEGAL_BASIS_OUT[advice.legal_basis])
    b.add(root, "Urgentie", URGENCY_OUT[advice.urgency])

    # The threats are why the term is 3 working days; the Stadsbank sees both.
    rule = advice_type.deadline_for(advice.threats)
    termijn = b.add(root, "Termijn")
    b.opt(termijn, "Spoed", bool(advice_type.urgent_when.intersection(advice.threats)))
    b.add(termijn, "Dagen", str(rule.days))
    b.opt(termijn, "Werkdagen", rule.working_days)
    b.opt(termijn, "EersteGesprekUiterlijk", advice.deadline)
    threats = list(dict.fromkeys(advice.threats))
    if threats:
        dreigingen = b.add(termijn, "Dreigingen")
        for threat in threats:
            b.add(dreigingen, "Dreiging", THREAT_OUT[threat])

    b.opt(root, "GewensteDatum", advice.requested_date)
    _client(b, root, advice.client)
    b.opt(root, "Motivatie", advice.motivation)
    _parameters(b, root, advice)
    if advice.approval is not None:  # four eyes: role and pseudonym travel with the request
        goedkeuring = b.add(root, "Goedkeuring")
        b.add(goedkeuring, "Rol", advice.approval.role)
        b.add(goedkeuring, "Goedkeurder", advice.approval.approver_ref)
        b.add(goedkeuring, "GoedgekeurdOp", iso_datetime(advice.approval.approved_at))
    return check_outgoing(root, aanmelding_schema())


def translate_withdrawal(notice: WithdrawalNotice) -> PartnerMessage:
    """Consent withdrawn: an `Intrekking` naming the request by its Referentie."""
    b = XmlBuilder(NS_AANMELDING)
    root = b.root("Intrekking")
    b.add(root, "Referentie", str(notice.item_ref))
    b.add(root, "Volgnummer", str(notice.item_number))
    b.add(root, "Afzender", notice.sender)
    b.add(root, "Ontvanger", notice.partner_id)
    b.add(root, "InwonerKenmerk", notice.subject_ref)
    b.add(root, "Tijdstip", iso_datetime(notice.withdrawn_at))
    if notice.reason.strip():
        b.add(root, "Reden", notice.reason.strip())
    return check_outgoing(root, aanmelding_schema())


def translate_consultation(consultation: OutboundConsultation) -> PartnerMessage:
    """A coach's question, answer or report-back as an `Overlegbericht`."""
    b = XmlBuilder(NS_AANMELDING)
    root = b.root("Overlegbericht")
    b.add(root, "BerichtId", str(consultation.message_ref))
    b.add(root, "Referentie", str(consultation.item_ref))
    b.add(root, "Volgnummer", str(consultation.item_number))
    b.add(root, "Afzender", consultation.sender)
    b.add(root, "Ontvanger", consultation.partner_id)
    b.add(root, "Soort", CONSULTATION_OUT[consultation.kind])
    b.add(root, "Tijdstip", iso_datetime(consultation.sent_at))
    b.add(root, "Tekst", consultation.text)
    b.opt(root, "AntwoordOp", consultation.in_reply_to)
    return check_outgoing(root, aanmelding_schema())


def translate_reminder(notice: ReminderNotice) -> PartnerMessage:
    """A late milestone (escalation ladder): a `Herinnering` to the buddy or contact manager."""
    b = XmlBuilder(NS_AANMELDING)
    root = b.root("Herinnering")
    b.add(root, "Referentie", str(notice.item_ref))
    b.add(root, "Volgnummer", str(notice.item_number))
    b.add(root, "Afzender", notice.sender)
    b.add(root, "Ontvanger", notice.partner_id)
    b.add(root, "Soort", notice.advice_type)
    b.add(root, "Mijlpaal", MILESTONE_OUT[notice.milestone])
    b.add(root, "Uiterlijk", notice.due_on.isoformat())
    b.add(root, "Stap", STEP_OUT[notice.step])
    b.add(root, "Aan", notice.recipient)
    b.add(root, "Tijdstip", iso_datetime(notice.sent_at))
    b.add(root, "Tekst", notice.text)
    return check_outgoing(root, aanmelding_schema())


# --- partner -> hub ---


def _consultation(element: etree._Element) -> PartnerConsultation:
    """The `Overleg` block of a Statusmelding (its structure is checked by the XSD)."""
    el = children(element)
    proposal = None
    if "Tegenvoorstel" in el:
        tv = children(el["Tegenvoorstel"])
        proposal = CounterProposal(
            advice_type=tv["Soort"].text if "Soort" in tv else None,
            requested_date=parse_date(tv["GewensteDatum"].text or "", "GewensteDatum")
            if "GewensteDatum" in tv
            else None,
        )
    return PartnerConsultation(
        kind=CONSULTATION_IN[el["Soort"].text or ""],
        text=el["Tekst"].text or "",
        in_reply_to=el["AntwoordOp"].text if "AntwoordOp" in el else None,
        proposal=proposal,
    )


def _describe_validation(exc: ValidationError) -> str:
    names = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        names.append(_STATUS_FIELD_NAMES.get(field, "Statusmelding"))
    return "statusmelding: ongeldige waarde in " + ", ".join(dict.fromkeys(names))


def parse_status(body: bytes, content_type: str) -> list[StatusUpdate]:
    """A Stadsbank `Statusmelding` as one neutral status update."""
    root = read_valid(body, content_type, status_schema())
    if _local(root.tag) != "Statusmelding":  # the XSD has one root; this is belt and braces
        raise PayloadError("hoofdelement moet Statusmelding zijn")
    elements = children(root)
    fields = {name: element.text or "" for name, element in elements.items()}
    code = fields["Status"]
    status = STATUS_IN[code]
    reason = fields.get("Reden")
    if reason is not None and not reason.strip():
        reason = None
    if status in _REASON_REQUIRED and reason is None:
        raise PayloadError(f"Reden is verplicht bij status {code}")
    if status is PartnerStatus.rejected and "RedenCode" not in fields:
        raise PayloadError(f"RedenCode is verplicht bij status {code}")
    detail = fields.get("Toelichting")
    try:
        update = StatusUpdate(
            item_ref=UUID(fields["Referentie"]),
            status=status,
            occurred_at=parse_datetime(fields["Tijdstip"], "Tijdstip"),
            partner_message_id=fields["BerichtId"],
            reason=reason,
            detail=detail,
            reason_code=REASON_CODE_IN[fields["RedenCode"]] if "RedenCode" in fields else None,
            consultation=_consultation(elements["Overleg"]) if "Overleg" in elements else None,
        )
    except ValidationError as exc:
        raise PayloadError(_describe_validation(exc)) from None
    return [update]
