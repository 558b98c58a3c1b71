"""Advice-type parameters the coach fills in (hub side, English). The hub validates an item's
`parameters` against these models; `format.translate_advice` maps them to the Dutch blocks of
the partner format (see `wire`)."""

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

District = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class _Parameters(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UrgencyDeclarationParameters(_Parameters):
    """`urgentieverklaring`: what kind of dwelling the urgency is for."""

    min_bedrooms: Annotated[int, Field(ge=1, le=10)] | None = None
    preferred_districts: Annotated[list[District], Field(max_length=5)] = []


class PaymentArrangementParameters(_Parameters):
    """`betalingsregeling_huurachterstand`: the arrangement the coach proposes."""

    proposed_monthly_amount_cents: Annotated[int, Field(ge=1, le=1_000_000)]
    term_months: Annotated[int, Field(ge=1, le=60)] | None = None
    start_date: date | None = None


class EvictionSuspensionParameters(_Parameters):
    """`opschorting_ontruiming`: which eviction to suspend, and for how long."""

    eviction_date: date
    suspension_weeks: Annotated[int, Field(ge=1, le=26)] | None = None


class RelocationReason(StrEnum):
    housing_costs = "housing_costs"
    household_size = "household_size"
    social_circumstances = "social_circumstances"
    other = "other"


class RelocationParameters(_Parameters):
    """`verhuizing`: why the household should move, and where to."""

    reason: RelocationReason | None = None
    preferred_districts: Annotated[list[District], Field(max_length=5)] = []
