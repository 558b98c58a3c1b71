"""The client (inwoner) as the coach records it: the full record, never sent to a plugin."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints

from wijkhub.schemas.common import (
    Bsn,
    Cents,
    Contract,
    Email,
    LongText,
    Name,
    Phone,
    ShortText,
)


class Gender(StrEnum):
    unknown = "unknown"
    male = "male"
    female = "female"
    other = "other"


class HouseholdRole(StrEnum):
    parent_with_authority = "parent_with_authority"
    parent = "parent"
    partner = "partner"
    child = "child"
    other = "other"


class Address(Contract):
    street: ShortText
    house_number: Annotated[int, Field(ge=1, le=99999)]
    house_number_suffix: Annotated[str, StringConstraints(max_length=10)] | None = None
    postcode: Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{3} ?[A-Z]{2}$")]
    city: ShortText


class HouseholdMember(Contract):
    given_name: Name
    family_name: Name | None = None
    birth_date: date
    role: HouseholdRole


class HousingTenure(StrEnum):
    social_rent = "social_rent"
    private_rent = "private_rent"
    owner = "owner"
    no_fixed_abode = "no_fixed_abode"
    other = "other"


class HousingSituation(Contract):
    tenure: HousingTenure
    landlord: ShortText | None = None
    rent_arrears_cents: Cents | None = None
    eviction_date: date | None = None


class IncomeSource(StrEnum):
    employment = "employment"
    benefit = "benefit"
    self_employed = "self_employed"
    none = "none"
    other = "other"


class FinanceSituation(Contract):
    income_source: IncomeSource
    monthly_income_cents: Cents | None = None
    debt_total_cents: Cents | None = None
    creditor_count: Annotated[int, Field(ge=0, le=1000)] | None = None


class HealthSituation(Contract):
    summary: LongText
    wmo_indication: bool = False


class ChildProtectionMeasure(StrEnum):
    ots = "ots"  # ondertoezichtstelling
    voogdij = "voogdij"
    jeugdreclassering = "jeugdreclassering"


class YouthProtection(Contract):
    measure: ChildProtectionMeasure
    measure_since: date
    case_reference: ShortText | None = None


class ClientIn(Contract):
    """What a coach submits to register a client. Each block is one data category."""

    bsn: Bsn
    given_names: Name
    family_name: Name
    birth_date: date
    gender: Gender = Gender.unknown
    address: Address | None = None
    phone: Phone | None = None
    email: Email | None = None
    household: Annotated[list[HouseholdMember], Field(max_length=20)] = []
    housing: HousingSituation | None = None
    finance: FinanceSituation | None = None
    health: HealthSituation | None = None
    youth_protection: YouthProtection | None = None


class Client(ClientIn):
    """A registered client: the record plus the hub's pseudonymous id."""

    id: UUID
    created_at: datetime
