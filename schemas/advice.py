"""The deskundigenadvies as a coach submits it, and as the hub reports on it."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, Field

from wijkhub.schemas.categories import DataCategory, LegalBasis
from wijkhub.schemas.common import (
    AdviceTypeName,
    Contract,
    LongText,
    PartnerId,
    ShortText,
    bounded_json,
)
from wijkhub.schemas.household import WaitFor
from wijkhub.schemas.status import DeliveryStatus, PartnerStatus


class Urgency(StrEnum):
    normal = "normal"
    high = "high"
    crisis = "crisis"


class Threat(StrEnum):
    """Circumstances that shorten statutory deadlines (Wgs art. 4a: 3 working days)."""

    eviction = "eviction"
    energy_disconnection = "energy_disconnection"
    water_disconnection = "water_disconnection"
    health_insurance_cancellation = "health_insurance_cancellation"


THREAT_CATEGORY: dict[Threat, DataCategory] = {
    Threat.eviction: DataCategory.housing,
    Threat.energy_disconnection: DataCategory.finance,
    Threat.water_disconnection: DataCategory.finance,
    Threat.health_insurance_cancellation: DataCategory.finance,
}


class AdviceItemIn(Contract):
    """One part of the advice, for one partner. `parameters` are advice-type specific and
    validated against the model its plugin declares (e.g. the Wmo product and volume)."""

    partner_id: PartnerId
    advice_type: AdviceTypeName
    motivation: LongText
    urgency: Urgency = Urgency.normal
    requested_date: date | None = None
    threats: Annotated[list[Threat], Field(max_length=4)] = []
    parameters: Annotated[dict[str, Any], AfterValidator(bounded_json)] = {}
    # What the item is expected to cost the municipality, in eurocents; decides which
    # manager must approve it (config/approval.toml). None: no costs of its own.
    estimated_cost_cents: Annotated[int, Field(ge=0, le=10**11)] | None = None
    # Household plan: the member the item is about (their consent decides), the goal it
    # serves, and what it waits for before it is sent (see hub/casework/plan.py).
    member_id: UUID | None = None
    goal_id: UUID | None = None
    wait_for: WaitFor | None = None


class AdviceIn(Contract):
    client_id: UUID
    summary: ShortText | None = None
    items: Annotated[list[AdviceItemIn], Field(min_length=1, max_length=20)]


class Decision(Contract):
    """The policy's verdict on one item. `code` is for machines, `reason` for the coach."""

    allowed: bool
    code: str
    reason: str
    legal_basis: LegalBasis | None = None
    categories: list[DataCategory] = []
    consent_id: UUID | None = None
    rules_version: str


class TimelineEvent(Contract):
    at: datetime
    kind: str
    status: str
    detail: str | None = None


class AdviceItemOut(Contract):
    id: UUID
    number: int
    partner_id: str
    partner_type: str
    advice_type: str
    urgency: Urgency
    requested_date: date | None
    decision: Decision
    delivery_status: DeliveryStatus
    partner_status: PartnerStatus | None
    deadline: date | None
    timeline: list[TimelineEvent]


class AdviceOut(Contract):
    id: UUID
    client_id: UUID
    summary: str | None
    created_at: datetime
    created_by: str
    trace_id: str
    items: list[AdviceItemOut]
