"""Delivery statuses (hub side), partner statuses (decision side) and the neutral status update."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Self
from uuid import UUID

from pydantic import Field, StringConstraints, model_validator

from wijkhub.schemas.common import Contract, to_utc
from wijkhub.schemas.consultation import PartnerConsultation


class DeliveryStatus(StrEnum):
    queued = "queued"
    delivered = "delivered"  # the partner acknowledged receipt
    retrying = "retrying"
    dead = "dead"  # gave up; visible and replayable
    blocked = "blocked"  # policy refused; never sent
    withdrawn = "withdrawn"  # consent gone before delivery
    awaiting_approval = "awaiting_approval"  # four eyes: not in the outbox until approved
    draft = "draft"  # the approval was rejected: back with the author, never sent
    waiting = "waiting"  # household plan: waits for another item's status or a date
    cancelled = "cancelled"  # household plan: what it waited for will not come; never sent


DELIVERY_STATUS_LABELS_NL: dict[DeliveryStatus, str] = {
    DeliveryStatus.queued: "in de wachtrij",
    DeliveryStatus.delivered: "bezorgd",
    DeliveryStatus.retrying: "opnieuw proberen",
    DeliveryStatus.dead: "mislukt",
    DeliveryStatus.blocked: "geweigerd",
    DeliveryStatus.withdrawn: "ingetrokken",
    DeliveryStatus.awaiting_approval: "wacht op goedkeuring",
    DeliveryStatus.draft: "concept (goedkeuring afgewezen)",
    DeliveryStatus.waiting: "wacht (op een ander onderdeel of een datum)",
    DeliveryStatus.cancelled: "niet verstuurd",
}


class PartnerStatus(StrEnum):
    received = "received"
    in_progress = "in_progress"
    intake_held = "intake_held"  # Stadsbank: the first conversation (Wgs art. 4a) took place
    adopted = "adopted"
    partly_adopted = "partly_adopted"
    rejected = "rejected"
    carried_out = "carried_out"
    stopped = "stopped"
    in_consultation = "in_consultation"  # the partner asks or proposes before it decides


PARTNER_STATUS_LABELS_NL: dict[PartnerStatus, str] = {
    PartnerStatus.received: "ontvangen",
    PartnerStatus.in_progress: "in behandeling",
    PartnerStatus.intake_held: "intakegesprek gehouden",
    PartnerStatus.adopted: "overgenomen",
    PartnerStatus.partly_adopted: "deels overgenomen",
    PartnerStatus.rejected: "afgewezen",
    PartnerStatus.carried_out: "uitgevoerd",
    PartnerStatus.stopped: "gestopt",
    PartnerStatus.in_consultation: "in overleg",
}


class RejectionReason(StrEnum):
    """Why a partner rejected an item: a code the chain report can count without reading
    the (sealed) free text that goes with it."""

    professional_secrecy = "professional_secrecy"
    no_capacity = "no_capacity"
    not_eligible = "not_eligible"
    not_responsible = "not_responsible"
    client_declined = "client_declined"
    other = "other"


REJECTION_REASON_LABELS_NL: dict[RejectionReason, str] = {
    RejectionReason.professional_secrecy: "geweigerd: beroepsgeheim",
    RejectionReason.no_capacity: "geen capaciteit",
    RejectionReason.not_eligible: "komt niet in aanmerking",
    RejectionReason.not_responsible: "niet de juiste organisatie",
    RejectionReason.client_declined: "cliënt wil niet",
    RejectionReason.other: "andere reden",
}


class Milestone(StrEnum):
    """A moment in a partner's handling of an item that has a deadline (casework/milestones.py)."""

    first_answer = "first_answer"
    intake_held = "intake_held"
    decision = "decision"
    execution = "execution"


MILESTONE_LABELS_NL: dict[Milestone, str] = {
    Milestone.first_answer: "eerste reactie",
    Milestone.intake_held: "intakegesprek",
    Milestone.decision: "besluit",
    Milestone.execution: "uitvoering",
}

# Which partner statuses meet a milestone. A later milestone implies the earlier ones: a
# decision without a separate "received" still is a first answer.
_DECIDED = frozenset({PartnerStatus.adopted, PartnerStatus.partly_adopted, PartnerStatus.rejected})
MILESTONE_MET_BY: dict[Milestone, frozenset[PartnerStatus]] = {
    Milestone.first_answer: frozenset(PartnerStatus),
    Milestone.intake_held: frozenset({PartnerStatus.intake_held, PartnerStatus.carried_out})
    | _DECIDED,
    Milestone.decision: _DECIDED | {PartnerStatus.carried_out},
    Milestone.execution: frozenset({PartnerStatus.carried_out}),
}
# Statuses after which a milestone not yet met will never be: it is closed, not late.
MILESTONE_CLOSED_BY: frozenset[PartnerStatus] = frozenset(
    {PartnerStatus.rejected, PartnerStatus.stopped}
)


class StatusUpdate(Contract):
    """One partner answer, parsed from the partner's own format by its plugin.

    `partner_message_id` is the partner's id for this message: the hub stores each once, so a
    partner may safely send the same message again. A format that does not carry the hub's
    reference names the item by `item_number` (iWmo: the ToewijzingNummer) instead; the hub
    looks it up among the sender's items. `effective_date` is the date the reported fact takes
    effect (the start or end of care), when the format says it.
    """

    item_ref: UUID | None = None
    item_number: Annotated[int, Field(ge=1)] | None = None
    effective_date: date | None = None
    status: PartnerStatus
    occurred_at: datetime
    partner_message_id: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)] | None = None
    detail: Annotated[str, StringConstraints(max_length=2000)] | None = None
    reason_code: RejectionReason | None = None  # required with rejected
    consultation: PartnerConsultation | None = None  # a question, answer or counter-proposal

    @model_validator(mode="after")
    def _rejection_has_reason(self) -> Self:
        if self.item_ref is None and self.item_number is None:
            raise ValueError("item_ref of item_number is verplicht")
        if self.status is PartnerStatus.rejected and self.reason_code is None:
            raise ValueError("status rejected vereist een reason_code")
        if (
            self.status in (PartnerStatus.rejected, PartnerStatus.partly_adopted)
            and not self.reason
        ):
            raise ValueError(f"status {self.status.value} vereist een reden")
        if self.occurred_at.tzinfo is None:
            raise ValueError("occurred_at moet een tijdzone hebben")
        to_utc(self.occurred_at)  # range check only: keep the partner's own offset
        return self
