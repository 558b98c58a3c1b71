"""Toolkit for JSON partner formats: what the hub's JSON plugins (corporatie, GI) share.

A JSON plugin declares its format as pydantic models with the partner's Dutch keys (its
`wire` module) and translates between those models and the hub's neutral contract (its
`format` module). Much of that is the same from one JSON format to the next, and lives here
so it is written once:

- field types (bounded texts, the pseudonym, ISO 8601 dates and times read strictly) and the
  `Wire` base (unknown keys are an error);
- the common Dutch vocabulary: urgentie, grondslag, geslacht, rol, and their mappings from
  the neutral enums;
- base models a format subclasses: `Message` (berichttype and versie first), `Person` (the
  pseudonym and the identification keys), `HouseholdMember`, `AdviceMessage` (the advice
  header and the rule "one details block, named after the advice type") and `StatusMessage`
  (the `statusmelding`, with the format's own status codes);
- translation and reading that do not depend on the format's keys: writing a message,
  the header of an advice, the `intrekking`, the `herinnering`, the status vocabulary
  (`StatusFormat`), the simulator's reading of a hub message, and the export of the JSON
  Schemas (`SchemaExport`).

A subclass keeps the format's own class names, docstrings and descriptions, because they are
part of its JSON Schema; a field it re-declares keeps the position the base gave it, so the
order of keys stays the format's. What differs on purpose between formats (the person key,
which categories have keys at all, the details blocks, the status codes) stays in the plugin.

Plugins import this module (like `safejson`), never each other.
"""

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Protocol, Self, TypeVar, get_args, get_origin
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from wijkhub.hub.plugin_api import safejson
from wijkhub.hub.plugin_api.types import PartnerMessage, PayloadError, ReceivedRequest
from wijkhub.schemas.advice import Urgency
from wijkhub.schemas.categories import DataCategory, LegalBasis
from wijkhub.schemas.client import Gender, HouseholdRole
from wijkhub.schemas.client import HouseholdMember as NeutralHouseholdMember
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

CONTENT_TYPE = safejson.MEDIA_TYPE

# --- field types ------------------------------------------------------------------------------

ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Detail = Annotated[str, StringConstraints(max_length=2000)]
MessageId = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Reference = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
ItemNumber = Annotated[int, Field(ge=1)]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$"
)


# Parsed here rather than by pydantic, which would also read "999990019" as a Unix time;
# the formats say ISO 8601 and nothing else. Non-strings go on to pydantic's own check.
def _iso_date(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        if _ISO_DATE.match(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise ValueError("moet een datum zijn (JJJJ-MM-DD)")


def _iso_datetime(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        if _ISO_DATETIME.match(value):
            return datetime.fromisoformat(value)
    except ValueError:
        pass
    raise ValueError("moet een tijdstip met tijdzone zijn (ISO 8601)")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
"""A date written `JJJJ-MM-DD`, nothing else."""
IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_iso_datetime)]
"""An ISO 8601 date-time with a time zone, nothing else."""


class Wire(BaseModel):
    """Base of every model of a JSON format: an unknown key is an error, not ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- the common Dutch vocabulary --------------------------------------------------------------


class Urgentie(StrEnum):
    normaal = "normaal"
    hoog = "hoog"
    crisis = "crisis"


class Grondslag(StrEnum):
    toestemming = "toestemming"
    wettelijke_taak = "wettelijke_taak"
    wettelijke_verplichting = "wettelijke_verplichting"
    vitaal_belang = "vitaal_belang"


class Geslacht(StrEnum):
    onbekend = "onbekend"
    man = "man"
    vrouw = "vrouw"
    anders = "anders"


class Rol(StrEnum):
    ouder_met_gezag = "ouder_met_gezag"
    ouder = "ouder"
    partner = "partner"
    kind = "kind"
    overig = "overig"


URGENTIE: dict[Urgency, Urgentie] = {
    Urgency.normal: Urgentie.normaal,
    Urgency.high: Urgentie.hoog,
    Urgency.crisis: Urgentie.crisis,
}
GRONDSLAG: dict[LegalBasis, Grondslag] = {
    LegalBasis.consent: Grondslag.toestemming,
    LegalBasis.statutory_task: Grondslag.wettelijke_taak,
    LegalBasis.legal_obligation: Grondslag.wettelijke_verplichting,
    LegalBasis.vital_interest: Grondslag.vitaal_belang,
}
GESLACHT: dict[Gender, Geslacht] = {
    Gender.unknown: Geslacht.onbekend,
    Gender.male: Geslacht.man,
    Gender.female: Geslacht.vrouw,
    Gender.other: Geslacht.anders,
}
ROL: dict[HouseholdRole, Rol] = {
    HouseholdRole.parent_with_authority: Rol.ouder_met_gezag,
    HouseholdRole.parent: Rol.ouder,
    HouseholdRole.partner: Rol.partner,
    HouseholdRole.child: Rol.kind,
    HouseholdRole.other: Rol.overig,
}


# --- messages ---------------------------------------------------------------------------------


class Message(Wire):
    """Base of a message: every message starts with its kind and its format version.

    A concrete message narrows both to a `Literal` (`berichttype: Literal["intrekking"]`,
    `versie: Literal["1.0"]`): that is what it accepts, and what it writes.
    """

    berichttype: str
    versie: str

    @classmethod
    def fixed(cls, key: str) -> str:
        """The one value a `Literal` key of this message can have (`berichttype`, `versie`)."""
        annotation = cls.model_fields[key].annotation
        values = get_args(annotation)
        if get_origin(annotation) is not Literal or len(values) != 1:
            raise TypeError(f"{cls.__name__}.{key} must be a Literal with one value")
        return str(values[0])


def message(model: BaseModel) -> PartnerMessage:
    """The bytes of a message: keys without a value are left out ("key present = data")."""
    return PartnerMessage(model.model_dump_json(exclude_none=True).encode(), CONTENT_TYPE)


# --- the person and the household -------------------------------------------------------------


class HouseholdMember(Wire):
    """A member of the household. Category household. A format subclasses it under its own
    name (and docstring), which its JSON Schema shows."""

    voornaam: ShortText
    achternaam: ShortText | None = None
    geboortedatum: IsoDate
    rol: Rol

    @classmethod
    def from_member(cls, member: NeutralHouseholdMember) -> Self:
        return cls(
            voornaam=member.given_name,
            achternaam=member.family_name,
            geboortedatum=member.birth_date,
            rol=ROL[member.role],
        )


M = TypeVar("M", bound=HouseholdMember)


def household(members: list[NeutralHouseholdMember] | None, model: type[M]) -> list[M] | None:
    """The household list in the format's member model; absent when the view has none."""
    return None if members is None else [model.from_member(m) for m in members]


class Person(Wire):
    """The person an advice is about: the pseudonym, then the identification keys.

    A format subclasses it and adds the keys of the other categories it may carry, after
    these; a key is absent when its data category was not permitted.
    """

    referentie: Reference = Field(
        description="The hub's pseudonym for this person, stable per person and partner."
    )
    voornamen: ShortText | None = Field(None, description="Category identification.")
    achternaam: ShortText | None = Field(None, description="Category identification.")
    geboortedatum: IsoDate | None = Field(None, description="Category identification.")
    geslacht: Geslacht | None = Field(None, description="Category identification.")

    @classmethod
    def from_view(cls, view: ClientView, **keys: Any) -> Self:
        """The pseudonym and identification from the minimised view; the format's other
        keys come as `keys`. Nothing else of the view is read here."""
        return cls(
            referentie=view.subject_ref,
            voornamen=view.given_names,
            achternaam=view.family_name,
            geboortedatum=view.birth_date,
            geslacht=GESLACHT[view.gender] if view.gender is not None else None,
            **keys,
        )

    def has_identification(self) -> bool:
        return any(
            v is not None
            for v in (self.voornamen, self.achternaam, self.geboortedatum, self.geslacht)
        )


# --- hub -> partner: the advice ---------------------------------------------------------------


class Goedkeuring(Wire):
    """Who approved the item before it left (four eyes): a role and a pseudonym, no name."""

    rol: ShortText = Field(description="coach, team_manager or cluster_manager.")
    goedkeurder: ShortText = Field(
        description="The hub's pseudonym for the approver, stable per approver and partner."
    )
    goedgekeurd_op: IsoDateTime


class AdviceMessage(Message):
    """The header of an advice message (hub -> partner); a format subclasses it.

    The subclass narrows `berichttype`, `versie` and `adviessoort` (its own enum of advice
    types), then adds its person, the motivation and one optional details block per advice
    type whose key is the advice type's name. A message carries at most the block of its
    own `adviessoort`.
    """

    advies_referentie: UUID = Field(description="The hub's id of this advice item.")
    volgnummer: ItemNumber = Field(description="The hub's item number.")
    adviessoort: StrEnum
    afzender: ShortText = Field(description="The sending municipality (code).")
    ontvanger: ShortText = Field(description="The receiving partner as configured in the hub.")
    aangemaakt_op: IsoDateTime
    reactie_uiterlijk: IsoDate | None = Field(None, description="Answer expected by this date.")
    urgentie: Urgentie
    gewenste_datum: IsoDate | None = None
    grondslag: Grondslag = Field(description="The legal basis the hub shares the data on.")
    goedkeuring: Goedkeuring | None = Field(
        None, description="Present when a second coach or a manager approved the item."
    )

    @model_validator(mode="after")
    def _one_request_block(self) -> Self:
        for soort in type(self.adviessoort):
            if soort is not self.adviessoort and getattr(self, soort.value) is not None:
                raise ValueError(
                    f"veld '{soort.value}' past niet bij adviessoort '{self.adviessoort.value}'"
                )
        return self

    def request_block(self) -> BaseModel | None:
        block: BaseModel | None = getattr(self, self.adviessoort.value)
        return block

    @classmethod
    def from_advice(cls, advice: OutboundAdvice, **keys: Any) -> Self:
        """The header from the hub's advice item; the format's own keys (person, motivation,
        details block, …) come as `keys`."""
        return cls(
            berichttype=cls.fixed("berichttype"),
            versie=cls.fixed("versie"),
            advies_referentie=advice.item_ref,
            volgnummer=advice.item_number,
            adviessoort=advice.advice_type,
            afzender=advice.sender,
            ontvanger=advice.partner_id,
            aangemaakt_op=advice.created_at,
            reactie_uiterlijk=advice.deadline,
            urgentie=URGENTIE[advice.urgency],
            gewenste_datum=advice.requested_date,
            grondslag=GRONDSLAG[advice.legal_basis],
            goedkeuring=Goedkeuring(
                rol=advice.approval.role,
                goedkeurder=advice.approval.approver_ref,
                goedgekeurd_op=advice.approval.approved_at,
            )
            if advice.approval
            else None,
            **keys,
        )


def non_empty(block: BaseModel) -> BaseModel | None:
    """An all-empty details block carries nothing; leaving it out keeps "key present = data
    present"."""
    return block if block.model_dump(exclude_none=True) else None


class _Addressed(Protocol):
    """What every hub -> partner message about an item names (withdrawal, consultation,
    reminder)."""

    item_ref: UUID
    item_number: int
    sender: str
    partner_id: str


def _addressed(model: type[Message], n: _Addressed) -> dict[str, Any]:
    """The keys every hub -> partner message about an item starts with."""
    return {
        "berichttype": model.fixed("berichttype"),
        "versie": model.fixed("versie"),
        "advies_referentie": n.item_ref,
        "volgnummer": n.item_number,
        "afzender": n.sender,
        "ontvanger": n.partner_id,
    }


# --- hub -> partner: the withdrawal -----------------------------------------------------------


def withdrawal_message(
    model: type[Message], notice: WithdrawalNotice, *, subject_key: str
) -> PartnerMessage:
    """Write a withdrawal as the format's `intrekking`.

    Every `intrekking` has the same keys but one: the format names the key of the person's
    pseudonym after its own person key (`subject_key`, e.g. `bewoner_referentie`).
    """
    return message(
        model(
            **_addressed(model, notice),
            ingetrokken_op=notice.withdrawn_at,
            reden=notice.reason,
            **{subject_key: notice.subject_ref},
        )
    )


# --- consultation, both ways ------------------------------------------------------------------


class Overlegsoort(StrEnum):
    vraag = "vraag"
    antwoord = "antwoord"
    tegenvoorstel = "tegenvoorstel"  # partner -> hub
    terugkoppeling = "terugkoppeling"  # hub -> partner: what was done with what you shared


OVERLEGSOORT: dict[ConsultationKind, Overlegsoort] = {
    ConsultationKind.question: Overlegsoort.vraag,
    ConsultationKind.answer: Overlegsoort.antwoord,
    ConsultationKind.counter_proposal: Overlegsoort.tegenvoorstel,
    ConsultationKind.report_back: Overlegsoort.terugkoppeling,
}
OVERLEGSOORT_IN = {code: kind for kind, code in OVERLEGSOORT.items()}


class RedenCode(StrEnum):
    """Why an advice was rejected (required with the rejection status)."""

    beroepsgeheim = "beroepsgeheim"
    geen_capaciteit = "geen_capaciteit"
    niet_in_aanmerking = "niet_in_aanmerking"
    niet_de_juiste_organisatie = "niet_de_juiste_organisatie"
    client_wil_niet = "client_wil_niet"
    anders = "anders"


REDEN_CODE: dict[RejectionReason, RedenCode] = {
    RejectionReason.professional_secrecy: RedenCode.beroepsgeheim,
    RejectionReason.no_capacity: RedenCode.geen_capaciteit,
    RejectionReason.not_eligible: RedenCode.niet_in_aanmerking,
    RejectionReason.not_responsible: RedenCode.niet_de_juiste_organisatie,
    RejectionReason.client_declined: RedenCode.client_wil_niet,
    RejectionReason.other: RedenCode.anders,
}
REDEN_CODE_IN = {code: reason for reason, code in REDEN_CODE.items()}


class Tegenvoorstel(Wire):
    """What the partner proposes instead; what it leaves out stays as it was."""

    adviessoort: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,62}$")] | None = (
        Field(None, description="Another advice type of the same partner.")
    )
    parameters: dict[str, Any] | None = Field(
        None,
        description="The advice type's parameters under the hub's own (English) names, "
        "as listed in the partner's documentation.",
    )
    gewenste_datum: IsoDate | None = None


class Overleg(Wire):
    """A question, an answer or a counter-proposal on the advice (partner -> hub)."""

    soort: Overlegsoort = Field(description="vraag, antwoord or tegenvoorstel.")
    tekst: LongText
    antwoord_op: MessageId | None = Field(
        None, description="The bericht_id of the hub's overlegbericht this answers."
    )
    tegenvoorstel: Tegenvoorstel | None = Field(None, description="Only with tegenvoorstel.")


def overleg_in(block: "Overleg") -> PartnerConsultation:
    proposal = block.tegenvoorstel
    return PartnerConsultation(
        kind=OVERLEGSOORT_IN[block.soort],
        text=block.tekst,
        in_reply_to=block.antwoord_op,
        proposal=CounterProposal(
            advice_type=proposal.adviessoort,
            parameters=proposal.parameters,
            requested_date=proposal.gewenste_datum,
        )
        if proposal is not None
        else None,
    )


def overleg_out(c: PartnerConsultation) -> Overleg:
    p = c.proposal
    return Overleg(
        soort=OVERLEGSOORT[c.kind],
        tekst=c.text,
        antwoord_op=c.in_reply_to,
        tegenvoorstel=Tegenvoorstel(
            adviessoort=p.advice_type, parameters=p.parameters, gewenste_datum=p.requested_date
        )
        if p is not None
        else None,
    )


class ConsultationMessage(Message):
    """A coach's `overlegbericht` on one advice (hub -> partner); a format subclasses it and
    narrows `berichttype` and `versie`."""

    bericht_id: UUID = Field(description="The hub's id of this message; answer with it.")
    advies_referentie: UUID
    volgnummer: ItemNumber
    afzender: ShortText
    ontvanger: ShortText
    soort: Overlegsoort = Field(description="vraag, antwoord or terugkoppeling.")
    verzonden_op: IsoDateTime
    tekst: LongText
    antwoord_op: MessageId | None = Field(
        None, description="The partner's bericht_id of the message this answers."
    )


def consultation_message(
    model: type[ConsultationMessage], c: OutboundConsultation
) -> PartnerMessage:
    return message(
        model(
            **_addressed(model, c),
            bericht_id=c.message_ref,
            soort=OVERLEGSOORT[c.kind],
            verzonden_op=c.sent_at,
            tekst=c.text,
            antwoord_op=c.in_reply_to,
        )
    )


# --- hub -> partner: the reminder (escalation ladder) -----------------------------------------


class Mijlpaal(StrEnum):
    eerste_reactie = "eerste_reactie"
    intakegesprek = "intakegesprek"
    besluit = "besluit"
    uitvoering = "uitvoering"


class Stap(StrEnum):
    buddy = "buddy"  # the executing professional
    contactmanager = "contactmanager"


MIJLPAAL: dict[Milestone, Mijlpaal] = {
    Milestone.first_answer: Mijlpaal.eerste_reactie,
    Milestone.intake_held: Mijlpaal.intakegesprek,
    Milestone.decision: Mijlpaal.besluit,
    Milestone.execution: Mijlpaal.uitvoering,
}
STAP: dict[ReminderStep, Stap] = {
    ReminderStep.buddy_reminder: Stap.buddy,
    ReminderStep.contact_manager: Stap.contactmanager,
}


class ReminderMessage(Message):
    """Base of a format's `herinnering`: a milestone of an advice is past its deadline. It
    names the advice only (no client data); `aan` is the partner's own buddy or contact
    manager, as configured in the hub."""

    advies_referentie: UUID
    volgnummer: ItemNumber
    afzender: ShortText
    ontvanger: ShortText
    adviessoort: ShortText
    mijlpaal: Mijlpaal
    uiterlijk: IsoDate = Field(description="The last day that was in time.")
    stap: Stap
    aan: ShortText
    verzonden_op: IsoDateTime
    tekst: Reason


def reminder_message(model: type[ReminderMessage], notice: ReminderNotice) -> PartnerMessage:
    """Write a late milestone as the format's `herinnering`."""
    return message(
        model(
            **_addressed(model, notice),
            adviessoort=notice.advice_type,
            mijlpaal=MIJLPAAL[notice.milestone],
            uiterlijk=notice.due_on,
            stap=STAP[notice.step],
            aan=notice.recipient,
            verzonden_op=notice.sent_at,
            tekst=notice.text,
        )
    )


# --- partner -> hub: the status message -------------------------------------------------------


def _reason_rule(schema: dict[str, Any], model: type[Any]) -> None:
    # The JSON Schema's own statement of `_reason_when_needed`.
    rules = []
    for codes, key in (
        (model.reason_required_for, "reden"),
        (model.reason_code_required_for, "reden_code"),
    ):
        if codes:
            rules.append(
                {
                    "if": {
                        "properties": {"status": {"enum": sorted(codes)}},
                        "required": ["status"],
                    },
                    "then": {"required": [key]},
                }
            )
    if rules:
        schema["allOf"] = rules


class StatusMessage(Message):
    """A partner's `statusmelding` on one advice (partner -> hub); a format subclasses it.

    The subclass narrows `berichttype` and `versie`, gives `status` its own enum of status
    codes and names in `reason_required_for` the codes that need a `reden` and in
    `reason_code_required_for` those that need a `reden_code`.
    """

    model_config = ConfigDict(json_schema_extra=_reason_rule)

    reason_required_for: ClassVar[frozenset[StrEnum]] = frozenset()
    reason_code_required_for: ClassVar[frozenset[StrEnum]] = frozenset()

    bericht_id: MessageId = Field(
        description="The partner's own id of this message; resending it is harmless."
    )
    advies_referentie: UUID
    status: StrEnum
    tijdstip: IsoDateTime
    reden: Reason | None = None
    toelichting: Detail | None = None
    reden_code: RedenCode | None = Field(
        None, description="Why the advice was rejected; required with the rejection status."
    )
    overleg: Overleg | None = Field(
        None, description="A question, an answer or a counter-proposal on this advice."
    )

    @model_validator(mode="after")
    def _reason_when_needed(self) -> Self:
        if self.status in self.reason_required_for and self.reden is None:
            raise ValueError(f"veld 'reden' is verplicht bij status '{self.status.value}'")
        if self.status in self.reason_code_required_for and self.reden_code is None:
            raise ValueError(f"veld 'reden_code' is verplicht bij status '{self.status.value}'")
        return self


@dataclass(frozen=True)
class StatusFormat:
    """A format's status message and its status vocabulary: one code per hub status, each
    code for one status (checked when the plugin is imported)."""

    model: type[StatusMessage]
    codes: Mapping[PartnerStatus, StrEnum]
    statuses: dict[StrEnum, PartnerStatus] = field(init=False)

    def __post_init__(self) -> None:
        missing = set(PartnerStatus) - set(self.codes)
        if missing:
            raise ValueError(f"{self.model.__name__}: no status code for {sorted(missing)}")
        statuses = {code: status for status, code in self.codes.items()}
        if len(statuses) != len(self.codes):
            raise ValueError(f"{self.model.__name__}: two hub statuses share a status code")
        object.__setattr__(self, "statuses", statuses)

    def parse(self, body: bytes, content_type: str) -> list[StatusUpdate]:
        """Read a status message; raise `PayloadError` for anything invalid."""
        text, _ = safejson.load(body, content_type)
        received = safejson.validate(self.model, text)
        try:
            update = StatusUpdate(
                item_ref=received.advies_referentie,
                status=self.statuses[received.status],
                occurred_at=received.tijdstip,
                partner_message_id=received.bericht_id,
                reason=received.reden,
                detail=received.toelichting,
                reason_code=REDEN_CODE_IN[received.reden_code] if received.reden_code else None,
                consultation=overleg_in(received.overleg) if received.overleg else None,
            )
        except ValidationError as exc:
            raise PayloadError(safejson.describe(exc)) from None
        return [update]

    def render(self, update: StatusUpdate) -> PartnerMessage:
        """Write a neutral status update as this format's status message."""
        return message(
            self.model(
                berichttype=self.model.fixed("berichttype"),
                versie=self.model.fixed("versie"),
                bericht_id=update.partner_message_id,
                advies_referentie=update.item_ref,
                status=self.codes[update.status],
                tijdstip=update.occurred_at,
                reden=update.reason,
                toelichting=update.detail,
                reden_code=REDEN_CODE[update.reason_code] if update.reason_code else None,
                overleg=overleg_out(update.consultation) if update.consultation else None,
            )
        )


# --- the partner side, for the simulator ------------------------------------------------------

A = TypeVar("A", bound=AdviceMessage)


def read_request(
    body: bytes,
    content_type: str,
    *,
    advice: type[A],
    withdrawal: type[Message],
    categories_of: Callable[[A], frozenset[DataCategory]],
    consultation: type[ConsultationMessage] | None = None,
    reminder: type[ReminderMessage] | None = None,
) -> ReceivedRequest:
    """Read a hub message as the partner would: validate it as the format's advice message,
    its `intrekking` (which has `advies_referentie`, `volgnummer` and `reden`) or its
    `herinnering`."""
    text, data = safejson.load(body, content_type)
    kind = data.get("berichttype")
    if reminder is not None and kind == reminder.fixed("berichttype"):
        r = safejson.validate(reminder, text)
        return ReceivedRequest(
            kind="reminder",
            item_ref=r.advies_referentie,
            advice_type=r.adviessoort,
            categories=frozenset(),
            fields={
                "milestone": next(m for m, code in MIJLPAAL.items() if code is r.mijlpaal),
                "step": next(s for s, code in STAP.items() if code is r.stap),
                "due_on": r.uiterlijk,
                "recipient": r.aan,
                "text": r.tekst,
            },
        )
    advice_kind, withdrawal_kind = advice.fixed("berichttype"), withdrawal.fixed("berichttype")
    if kind == advice_kind:
        received = safejson.validate(advice, text)
        block = received.request_block()
        fields: dict[str, object] = {
            "volgnummer": received.volgnummer,
            "urgentie": received.urgentie.value,
            "reactie_uiterlijk": received.reactie_uiterlijk,
            "grondslag": received.grondslag.value,
        }
        if block is not None:
            fields[received.adviessoort.value] = block.model_dump(mode="json", exclude_none=True)
        return ReceivedRequest(
            kind="advice",
            item_ref=received.advies_referentie,
            advice_type=received.adviessoort.value,
            categories=categories_of(received),
            fields=fields,
        )
    if kind == withdrawal_kind:
        keys = safejson.validate(withdrawal, text).model_dump()
        return ReceivedRequest(
            kind="withdrawal",
            item_ref=keys["advies_referentie"],
            advice_type=None,
            categories=frozenset(),
            fields={"volgnummer": keys["volgnummer"], "reden": keys["reden"]},
        )
    if consultation is not None and kind == consultation.fixed("berichttype"):
        c = safejson.validate(consultation, text)
        return ReceivedRequest(
            kind="consultation",
            item_ref=c.advies_referentie,
            advice_type=None,
            categories=frozenset({DataCategory.free_text}),
            fields={
                "bericht_id": str(c.bericht_id),
                "soort": c.soort.value,
                "tekst": c.tekst,
                "antwoord_op": c.antwoord_op,
            },
        )
    raise PayloadError(f"veld 'berichttype' moet '{advice_kind}' of '{withdrawal_kind}' zijn")


# --- JSON Schemas -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SchemaExport:
    """The JSON Schema files of a format, generated from its models and checked in beside
    them for the partner's IT people (a test fails when they differ from what the models
    generate)."""

    partner_type: str
    version: str
    models: Mapping[str, type[BaseModel]]  # file name (`<stem>.schema.json`) -> model
    directory: Path

    def render(self, filename: str) -> str:
        """The exact text of one schema file."""
        stem = filename.removesuffix(".schema.json")
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"urn:wijkhub:{self.partner_type}:{stem}:{self.version}",
            **self.models[filename].model_json_schema(),
        }
        return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"

    def write(self, directory: Path | None = None) -> list[Path]:
        written = []
        for filename in self.models:
            path = (directory or self.directory) / filename
            path.write_text(self.render(filename), encoding="utf-8")
            written.append(path)
        return written

    def main(self) -> None:
        """Regenerate the files (`python -m wijkhub.plugins.<name>.schema`)."""
        for path in self.write():
            print(path)
