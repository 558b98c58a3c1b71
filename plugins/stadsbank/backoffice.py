"""The Stadsbank side of the format, for the built-in simulator and the tests.

`read_request` reads a hub message the way a Stadsbank would: validated against the XSD, and
with the data categories taken from the elements actually present, so a test can compare what
arrived with what policy permitted.
"""

from uuid import UUID

from lxml import etree
from pydantic import ValidationError

from wijkhub.hub.plugin_api.types import Backoffice, PartnerMessage, PayloadError, ReceivedRequest
from wijkhub.plugins.stadsbank.advice_types import BUDGETBEHEER, BY_NAME, SCHULDHULP
from wijkhub.plugins.stadsbank.format import (
    CONSULTATION_OUT,
    MILESTONE_OUT,
    NS_STATUS,
    REASON_CODE_OUT,
    STATUS_OUT,
    STEP_OUT,
    THREAT_OUT,
    URGENCY_OUT,
    XmlBuilder,
    aanmelding_schema,
    check_outgoing,
    children,
    parse_date,
    parse_datetime,
    read_valid,
    status_schema,
)
from wijkhub.schemas.advice import Threat
from wijkhub.schemas.categories import DataCategory as C
from wijkhub.schemas.outbound import Approval
from wijkhub.schemas.status import PartnerStatus, StatusUpdate

# Which client elements carry which data category (see the XSD comments).
_CLIENT_ELEMENTS: dict[str, C] = {
    "Bsn": C.bsn,
    "Voornamen": C.identification,
    "Achternaam": C.identification,
    "Geboortedatum": C.identification,
    "Geslacht": C.identification,
    "Adres": C.contact,
    "Telefoon": C.contact,
    "Email": C.contact,
    "Huishouden": C.household,
    "Wonen": C.housing,
    "Financien": C.finance,
}
_PARAMETER_BLOCK = {SCHULDHULP: "Schuldhulpverlening", BUDGETBEHEER: "Budgetbeheer"}
_THREAT_IN = {code: threat for threat, code in THREAT_OUT.items()}
_URGENCY_IN = {code: urgency for urgency, code in URGENCY_OUT.items()}

SCRIPT: tuple[PartnerStatus, ...] = (
    PartnerStatus.received,
    PartnerStatus.intake_held,
    PartnerStatus.adopted,
)


def _withdrawal(root: etree._Element) -> ReceivedRequest:
    el = children(root)
    return ReceivedRequest(
        kind="withdrawal",
        item_ref=UUID(el["Referentie"].text),
        advice_type=None,
        categories=frozenset(),  # only the pseudonymous Kenmerk: no category of client data
        fields={"withdrawn_at": parse_datetime(el["Tijdstip"].text or "", "Tijdstip")},
    )


def _advice(root: etree._Element) -> ReceivedRequest:
    el = children(root)
    advice_type = BY_NAME[el["Soort"].text or ""]
    categories: set[C] = {
        _CLIENT_ELEMENTS[name] for name in children(el["Inwoner"]) if name in _CLIENT_ELEMENTS
    }
    if "Motivatie" in el:
        categories.add(advice_type.motivation_category)
    if "Parameters" in el:
        blocks = list(children(el["Parameters"]))
        if blocks != [_PARAMETER_BLOCK[advice_type.name]]:
            raise PayloadError("Parameters horen niet bij deze Soort")
        categories.add(C.finance)  # the parameters are financial facts about the client

    termijn = children(el["Termijn"])
    threats: list[Threat] = []
    if "Dreigingen" in termijn:
        threats = [_THREAT_IN[d.text or ""] for d in termijn["Dreigingen"]]
    deadline = termijn.get("EersteGesprekUiterlijk")
    approval = None
    if "Goedkeuring" in el:
        g = children(el["Goedkeuring"])
        try:
            approval = Approval(
                role=g["Rol"].text or "",
                approver_ref=g["Goedkeurder"].text or "",
                approved_at=parse_datetime(g["GoedgekeurdOp"].text or "", "GoedgekeurdOp"),
            )
        except ValidationError:  # e.g. only spaces: the XSD counts them, the contract not
            raise PayloadError("Goedkeuring bevat een lege Rol of Goedkeurder") from None
    return ReceivedRequest(
        kind="advice",
        item_ref=UUID(el["Referentie"].text),
        advice_type=advice_type.name,
        categories=frozenset(categories),
        fields={
            "urgency": _URGENCY_IN[el["Urgentie"].text or ""],
            "urgent": termijn["Spoed"].text in ("true", "1"),
            "threats": threats,
            "first_conversation_by": (
                parse_date(deadline.text or "", "EersteGesprekUiterlijk")
                if deadline is not None
                else None
            ),
            "approval": approval,  # four eyes: who approved (role, pseudonym), or None
        },
    )


_MILESTONE_IN = {code: m for m, code in MILESTONE_OUT.items()}
_STEP_IN = {code: step for step, code in STEP_OUT.items()}


def _reminder(root: etree._Element) -> ReceivedRequest:
    el = children(root)
    return ReceivedRequest(
        kind="reminder",
        item_ref=UUID(el["Referentie"].text),
        advice_type=el["Soort"].text,
        categories=frozenset(),  # names the request only: no client data
        fields={
            "milestone": _MILESTONE_IN[el["Mijlpaal"].text or ""],
            "step": _STEP_IN[el["Stap"].text or ""],
            "due_on": parse_date(el["Uiterlijk"].text or "", "Uiterlijk"),
            "recipient": el["Aan"].text,
            "text": el["Tekst"].text,
        },
    )


def read_request(body: bytes, content_type: str) -> ReceivedRequest:
    """Read an `Aanmelding`, `Intrekking` or `Herinnering` as the Stadsbank; raise
    `PayloadError` if invalid."""
    root = read_valid(body, content_type, aanmelding_schema())
    name = etree.QName(root).localname
    if name == "Intrekking":
        return _withdrawal(root)
    if name == "Herinnering":
        return _reminder(root)
    if name == "Aanmelding":
        return _advice(root)
    if name == "Overlegbericht":
        el = children(root)
        return ReceivedRequest(
            kind="consultation",
            item_ref=UUID(el["Referentie"].text),
            advice_type=None,
            categories=frozenset({C.free_text}),
            fields={
                "bericht_id": el["BerichtId"].text,
                "soort": el["Soort"].text,
                "tekst": el["Tekst"].text,
                "antwoord_op": el["AntwoordOp"].text if "AntwoordOp" in el else None,
            },
        )
    raise PayloadError("onbekend hoofdelement")  # pragma: no cover - the XSD has three roots


def render_status(update: StatusUpdate) -> PartnerMessage:
    """A neutral status update as the Stadsbank's `Statusmelding`."""
    b = XmlBuilder(NS_STATUS)
    root = b.root("Statusmelding")
    b.add(root, "BerichtId", update.partner_message_id)
    b.add(root, "Referentie", str(update.item_ref))
    b.add(root, "Status", STATUS_OUT[update.status])
    b.opt(root, "Tijdstip", update.occurred_at)
    b.opt(root, "Reden", update.reason)
    if update.detail is not None:
        b.add(root, "Toelichting", update.detail)
    if update.reason_code is not None:
        b.add(root, "RedenCode", REASON_CODE_OUT[update.reason_code])
    c = update.consultation
    if c is not None:
        overleg = b.add(root, "Overleg")
        b.add(overleg, "Soort", CONSULTATION_OUT[c.kind])
        b.add(overleg, "Tekst", c.text)
        b.opt(overleg, "AntwoordOp", c.in_reply_to)
        if c.proposal is not None:
            if c.proposal.parameters is not None:
                raise ValueError("stadsbank: een tegenvoorstel kan hier geen parameters dragen")
            tv = b.add(overleg, "Tegenvoorstel")
            b.opt(tv, "Soort", c.proposal.advice_type)
            b.opt(tv, "GewensteDatum", c.proposal.requested_date)
    return check_outgoing(root, status_schema())


BACKOFFICE = Backoffice(read_request=read_request, render_status=render_status, script=SCRIPT)
