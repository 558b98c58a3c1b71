"""What a plugin receives: one advice item plus the minimised client view, nothing more."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import StringConstraints

from wijkhub.schemas.advice import Threat, Urgency
from wijkhub.schemas.categories import DataCategory, LegalBasis
from wijkhub.schemas.client_view import ClientView
from wijkhub.schemas.common import Contract
from wijkhub.schemas.status import Milestone


class Approval(Contract):
    """Who approved an item before it left (four eyes): a role and a pseudonym, no name.

    `approver_ref` is stable per approver and partner, so a partner cannot join it with what
    other partners receive.
    """

    role: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    approver_ref: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    approved_at: datetime


class OutboundAdvice(Contract):
    """The item as the partner may see it.

    `motivation` is None when its data category was not permitted for this partner.
    `item_number` is a positive integer unique per hub (formats such as iWmo want a number).
    """

    item_ref: UUID
    item_number: int
    advice_type: str
    partner_id: str
    sender: str
    created_at: datetime
    deadline: date | None
    urgency: Urgency
    requested_date: date | None
    threats: list[Threat]
    motivation: str | None
    parameters: dict[str, Any]
    legal_basis: LegalBasis
    categories: list[DataCategory]
    client: ClientView
    approval: Approval | None = None  # set when the item needed a second pair of eyes
    # The partner's configured format version (None: the plugin's default) and its code in
    # that standard (iWmo: the 8-digit AGB code), from config/partners.toml.
    format_version: str | None = None
    partner_code: str | None = None


class WithdrawalNotice(Contract):
    """Tells a partner that data it received must no longer be used (intrekking)."""

    item_ref: UUID
    item_number: int
    partner_id: str
    sender: str
    subject_ref: str
    withdrawn_at: datetime
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]


class ReminderStep(StrEnum):
    """The rungs of the escalation ladder that are messages to the partner itself."""

    buddy_reminder = "buddy_reminder"  # to the executing professional (the "buddy")
    contact_manager = "contact_manager"  # to the partner's contact manager


class ReminderNotice(Contract):
    """A milestone of an item is late: a reminder to the partner (escalation ladder).

    Carries no client data: the item is named by its reference and number only. `recipient`
    is the partner's own employee as configured (buddy or contact manager); `text` is the
    hub's Dutch sentence for a human reader.
    """

    item_ref: UUID
    item_number: int
    partner_id: str
    sender: str
    advice_type: str
    milestone: Milestone
    due_on: date
    step: ReminderStep
    recipient: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    sent_at: datetime
    text: Annotated[str, StringConstraints(min_length=1, max_length=500)]
