"""Consultation on one advice item, both ways.

Coach and partner exchange messages on an item before and after it is sent: a question, an
answer, a counter-proposal (partner only) and the coach's report-back on what was done with
what a partner shared. A partner's message travels on its status update (`StatusUpdate.
consultation`); a coach's message leaves as an `OutboundConsultation` through the partner's
plugin and transport. The text is personal free text: the hub stores it sealed.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Self
from uuid import UUID

from pydantic import AfterValidator, StringConstraints, field_validator, model_validator

from wijkhub.hub.i18n import gettext
from wijkhub.schemas.common import AdviceTypeName, Contract, LongText, bounded_json


class ConsultationKind(StrEnum):
    question = "question"
    answer = "answer"
    counter_proposal = "counter_proposal"  # partner -> hub only
    report_back = "report_back"  # hub -> partner only: what was done with what it shared


CONSULTATION_KIND_LABELS_NL: dict[ConsultationKind, str] = {
    ConsultationKind.question: gettext("question"),
    ConsultationKind.answer: gettext("answer"),
    ConsultationKind.counter_proposal: gettext("counter-proposal (consultation)"),
    ConsultationKind.report_back: gettext("report back"),
}
PARTNER_KINDS = frozenset(
    {ConsultationKind.question, ConsultationKind.answer, ConsultationKind.counter_proposal}
)
COACH_KINDS = frozenset(
    {ConsultationKind.question, ConsultationKind.answer, ConsultationKind.report_back}
)
MessageRef = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class CounterProposal(Contract):
    """What the partner proposes instead: another advice type of the same partner, other
    parameters, another requested date. What it leaves out stays as it was."""

    advice_type: AdviceTypeName | None = None
    parameters: Annotated[dict[str, Any], AfterValidator(bounded_json)] | None = None
    requested_date: date | None = None

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.advice_type is None and self.parameters is None and self.requested_date is None:
            raise ValueError("een tegenvoorstel wijzigt het adviestype, de parameters of de datum")
        return self


class PartnerConsultation(Contract):
    """A partner's consultation message, carried on its status update."""

    kind: ConsultationKind
    text: LongText
    in_reply_to: MessageRef | None = None  # the id of the hub's message this answers
    proposal: CounterProposal | None = None

    @model_validator(mode="after")
    def _proposal_with_counter_proposal(self) -> Self:
        if self.kind not in PARTNER_KINDS:
            raise ValueError(f"een partner stuurt geen {self.kind.value}")
        if (self.kind is ConsultationKind.counter_proposal) != (self.proposal is not None):
            raise ValueError("proposal hoort bij (en alleen bij) kind counter_proposal")
        return self


class ConsultationIn(Contract):
    """A coach's message to the partner of an item (API)."""

    kind: ConsultationKind
    text: LongText
    in_reply_to: UUID | None = None  # a partner's message on the same item

    @field_validator("kind")
    @classmethod
    def _coach_kind(cls, kind: ConsultationKind) -> ConsultationKind:
        if kind not in COACH_KINDS:
            raise ValueError("moet question, answer of report_back zijn")
        return kind


class DeclineIn(Contract):
    """Why the coach declines a counter-proposal; the partner receives it as an answer."""

    text: LongText


class OutboundConsultation(Contract):
    """A coach's message as a plugin receives it (hub -> partner)."""

    item_ref: UUID
    item_number: int
    partner_id: str
    sender: str
    message_ref: UUID
    kind: ConsultationKind
    sent_at: datetime
    text: LongText
    in_reply_to: MessageRef | None = None  # the partner's own message id it answers


class ConsultationOut(Contract):
    """One message in the item's consultation, as the coach sees it."""

    id: UUID
    item_id: UUID
    direction: str  # "in" (from the partner) or "out" (to the partner)
    kind: ConsultationKind
    text: str | None  # None once purged by retention
    in_reply_to: str | None
    proposal: CounterProposal | None
    proposal_status: str | None  # open | accepted | declined | refused
    resolution: str | None
    new_item_id: UUID | None
    delivery_status: str | None
    created_at: datetime
    author: str


class AcceptResult(Contract):
    """The new version made from an accepted counter-proposal."""

    proposal_id: UUID
    previous_item_id: UUID
    new_item_id: UUID
    version: int
    delivery_status: str
