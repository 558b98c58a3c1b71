"""Delivery statuses (hub side), partner statuses (decision side) and the neutral status update."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Self
from uuid import UUID

from pydantic import Field, StringConstraints, model_validator

from wijkhub.hub.i18n import gettext
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
    DeliveryStatus.queued: gettext("in the queue"),
    DeliveryStatus.delivered: gettext("delivered"),
    DeliveryStatus.retrying: gettext("trying again"),
    DeliveryStatus.dead: gettext("failed (delivery)"),
    DeliveryStatus.blocked: gettext("refused (delivery)"),
    DeliveryStatus.withdrawn: gettext("withdrawn"),
    DeliveryStatus.awaiting_approval: gettext("awaiting approval"),
    DeliveryStatus.draft: gettext("draft (approval rejected)"),
    DeliveryStatus.waiting: gettext("waiting (for another item or a date)"),
    DeliveryStatus.cancelled: gettext("not sent"),
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
    PartnerStatus.received: gettext("received"),
    PartnerStatus.in_progress: gettext("in progress"),
    PartnerStatus.intake_held: gettext("intake interview held"),
    PartnerStatus.adopted: gettext("adopted"),
    PartnerStatus.partly_adopted: gettext("partly adopted"),
    PartnerStatus.rejected: gettext("rejected (by the partner)"),
    PartnerStatus.carried_out: gettext("carried out"),
    PartnerStatus.stopped: gettext("stopped"),
    PartnerStatus.in_consultation: gettext("in consultation"),
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
    RejectionReason.professional_secrecy: gettext("refused: professional secrecy"),
    RejectionReason.no_capacity: gettext("no capacity"),
    RejectionReason.not_eligible: gettext("not eligible"),
    RejectionReason.not_responsible: gettext("not the right organisation"),
    RejectionReason.client_declined: gettext("the client does not want it"),
    RejectionReason.other: gettext("another reason"),
}


class Milestone(StrEnum):
    """A moment in a partner's handling of an item that has a deadline (casework/milestones.py)."""

    first_answer = "first_answer"
    intake_held = "intake_held"
    decision = "decision"
    execution = "execution"


MILESTONE_LABELS_NL: dict[Milestone, str] = {
    Milestone.first_answer: gettext("first answer"),
    Milestone.intake_held: gettext("intake interview"),
    Milestone.decision: gettext("decision"),
    Milestone.execution: gettext("execution"),
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
