"""Registration objects that plugins yield from `wijkhub_partner_types` (see `hookspecs`).

They validate themselves when built, so a mistake in a plugin fails at start-up with a
message naming the plugin's own field, not later in the middle of a delivery.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from pydantic import BaseModel

from wijkhub.schemas.advice import Threat
from wijkhub.schemas.categories import DataCategory
from wijkhub.schemas.consultation import OutboundConsultation
from wijkhub.schemas.outbound import OutboundAdvice, ReminderNotice, WithdrawalNotice
from wijkhub.schemas.status import Milestone, PartnerStatus, StatusUpdate

_NAME = re.compile(r"^[a-z][a-z0-9_]{1,62}$")


class PayloadError(ValueError):
    """The one error a plugin's parser raises for input that is not valid in its format.

    The message is shown to the sender (HTTP 400), so it names what is wrong, in plain words,
    without echoing personal data.
    """


@dataclass(frozen=True)
class PartnerMessage:
    """Bytes in the partner's own format, ready for a transport."""

    body: bytes
    content_type: str


@dataclass(frozen=True)
class DeadlineRule:
    """A response deadline: `days` working days (weekends and Dutch holidays skipped) or
    calendar days."""

    days: int
    working_days: bool = True

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError(f"DeadlineRule.days must be at least 1, got {self.days}")


@dataclass(frozen=True)
class MilestoneRule:
    """The deadline of one further milestone, counted from the day the item was delivered.

    `urgent_deadline` applies when the item names one of the advice type's `urgent_when`.
    """

    milestone: Milestone
    deadline: DeadlineRule
    urgent_deadline: DeadlineRule | None = None


@dataclass(frozen=True)
class AdviceType:
    """One kind of advice a partner type accepts.

    `required_categories` must all be permitted and covered, or the item is refused;
    `optional_categories` are sent only where policy and consent allow. The item's free-text
    motivation counts as `motivation_category` (a GI's motivation is youth-protection data).
    `deadline` is the deadline the partner is told in the request: that of the
    `headline_milestone` (the first answer, unless the law measures another moment, like the
    Stadsbank's intake). `urgent_deadline` replaces it when the item names one of `urgent_when`.
    `milestones` adds the deadlines of further milestones (decision, execution, …), each
    counted from the day of delivery; the escalation ladder watches all of them.
    `parameters`, if set, is a pydantic model that validates the item's `parameters`.
    """

    name: str
    title_nl: str
    required_categories: frozenset[DataCategory]
    deadline: DeadlineRule
    optional_categories: frozenset[DataCategory] = frozenset()
    motivation_category: DataCategory = DataCategory.free_text
    urgent_deadline: DeadlineRule | None = None
    urgent_when: frozenset[Threat] = frozenset()
    parameters: type[BaseModel] | None = None
    headline_milestone: Milestone = Milestone.first_answer
    milestones: tuple[MilestoneRule, ...] = ()

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"AdviceType.name {self.name!r} must be snake_case ascii")
        named = [self.headline_milestone, *(m.milestone for m in self.milestones)]
        if len(named) != len(set(named)):
            raise ValueError(f"AdviceType {self.name}: a milestone has two deadlines: {named}")
        if any(m.urgent_deadline for m in self.milestones) and not self.urgent_when:
            raise ValueError(f"AdviceType {self.name}: an urgent milestone needs urgent_when")
        if not self.required_categories:
            raise ValueError(f"AdviceType {self.name}: required_categories is empty")
        if self.required_categories & self.optional_categories:
            raise ValueError(f"AdviceType {self.name}: a category is both required and optional")
        if bool(self.urgent_deadline) != bool(self.urgent_when):
            raise ValueError(f"AdviceType {self.name}: urgent_deadline and urgent_when go together")

    def deadline_for(self, threats: "list[Threat] | frozenset[Threat]") -> DeadlineRule:
        if self.urgent_deadline and self.urgent_when.intersection(threats):
            return self.urgent_deadline
        return self.deadline

    def milestone_deadlines(
        self, threats: "list[Threat] | frozenset[Threat]"
    ) -> dict[Milestone, DeadlineRule]:
        """Every milestone's deadline for an item with these threats, headline first."""
        urgent = bool(self.urgent_when.intersection(threats))
        out = {self.headline_milestone: self.deadline_for(threats)}
        for m in self.milestones:
            out[m.milestone] = m.urgent_deadline if urgent and m.urgent_deadline else m.deadline
        return out


@dataclass(frozen=True)
class FormatInfo:
    """Name and version of a partner format, as shown by `wijkhub plugins`."""

    name: str
    version: str
    content_type: str


@dataclass(frozen=True)
class ReceivedRequest:
    """What a partner's backoffice read from a hub message (used by the simulator and tests).

    `categories` are the data categories the payload actually carried, read by the format's
    own parser: the tests compare them with what policy permitted.
    """

    kind: str  # "advice", "withdrawal", "consultation" or "reminder"
    # None when the message itself names no hub reference (an iWmo 3.2 toewijzing carries only
    # its ToewijzingNummer): the hub's transport header `X-Wijkhub-Item` names the item then.
    item_ref: UUID | None
    advice_type: str | None
    categories: frozenset[DataCategory]
    fields: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Backoffice:
    """The partner side of the format, for the built-in simulator (demo and tests).

    `read_request` parses a hub message as the partner would (raising `PayloadError`);
    `render_status` writes a neutral status update in the partner's format; `script` is the
    sequence of statuses the simulated backoffice answers each advice with. `render_reply`,
    if set, answers one received request instead of `render_status`: for a format whose
    answers repeat what the request carried (an iWmo start message names the client and the
    allocation it starts).
    """

    read_request: Callable[[bytes, str], ReceivedRequest]
    render_status: Callable[[StatusUpdate], PartnerMessage]
    script: tuple[PartnerStatus, ...]
    render_reply: Callable[[ReceivedRequest, StatusUpdate], PartnerMessage] | None = None


@dataclass(frozen=True)
class RetourInput:
    """What the hub adds to a parsed partner message so the format can write its retour.

    `linked` maps the `partner_message_id` of each update the hub could link to one of this
    partner's items to that item's advice type; `today` is the hub's Dutch calendar date;
    `retour_id` is a fresh identification for the retour message (at most 12 characters).
    """

    today: date
    linked: Mapping[str, str]
    retour_id: str


@dataclass(frozen=True)
class Retour:
    """A format's answer to a partner message: the updates the hub may store (by
    `partner_message_id`) and the retour message for the partner, if the format has one."""

    accepted: frozenset[str]
    message: PartnerMessage | None = None


@dataclass(frozen=True)
class PartnerType:
    """A kind of partner organisation and its format. Yielded by `wijkhub_partner_types`.

    The callables must be pure: no I/O, no database, no clock (time comes in the input).
    The hub runs them in a worker thread, so they may be CPU-bound (XML, XSD validation).
    `translate_consultation` writes a coach's question, answer or report-back on an item; a
    partner type without it cannot receive consultation messages (the hub says so).
    `translate_reminder` writes the escalation ladder's reminder (a late milestone) in the
    partner's format; without it the hub records the step as a notice only, and sends nothing.
    """

    name: str
    title_nl: str
    advice_types: tuple[AdviceType, ...]
    request_format: FormatInfo
    status_format: FormatInfo
    translate_advice: Callable[[OutboundAdvice], PartnerMessage]
    parse_status: Callable[[bytes, str], list[StatusUpdate]]
    translate_withdrawal: Callable[[WithdrawalNotice], PartnerMessage]
    backoffice: Backoffice | None = None
    translate_consultation: Callable[[OutboundConsultation], PartnerMessage] | None = None
    translate_reminder: Callable[[ReminderNotice], PartnerMessage] | None = None
    # Formats with retour messages (iWmo 306/308): judges the parsed updates and writes the
    # retour; the hub stores only the accepted ones and answers the partner with the message.
    answer_status: Callable[[bytes, list[StatusUpdate], RetourInput], Retour] | None = None

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"PartnerType.name {self.name!r} must be snake_case ascii")
        if not self.advice_types:
            raise ValueError(f"PartnerType {self.name}: no advice types")
        names = [a.name for a in self.advice_types]
        if len(names) != len(set(names)):
            raise ValueError(f"PartnerType {self.name}: duplicate advice type names {names}")

    def advice_type(self, name: str) -> AdviceType | None:
        return next((a for a in self.advice_types if a.name == name), None)
