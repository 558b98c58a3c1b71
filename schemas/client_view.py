"""The minimised client view: the only client data a plugin ever sees.

Every field of the client record belongs to exactly one data category (`CATEGORY_FIELDS`);
the policy fills a view with the fields of the categories it permitted and nothing else.
"""

from datetime import date
from typing import Annotated

from pydantic import Field

from wijkhub.schemas.categories import DataCategory
from wijkhub.schemas.client import (
    Address,
    FinanceSituation,
    Gender,
    HealthSituation,
    HouseholdMember,
    HousingSituation,
    YouthProtection,
)
from wijkhub.schemas.common import Bsn, Contract, Email, Phone, ShortText

CATEGORY_FIELDS: dict[DataCategory, tuple[str, ...]] = {
    DataCategory.identification: ("given_names", "family_name", "birth_date", "gender"),
    DataCategory.bsn: ("bsn",),
    DataCategory.contact: ("address", "phone", "email"),
    DataCategory.household: ("household",),
    DataCategory.housing: ("housing",),
    DataCategory.finance: ("finance",),
    DataCategory.health: ("health",),
    DataCategory.youth_protection: ("youth_protection",),
    DataCategory.free_text: (),  # the item's motivation; carried on the outbound advice
}


class ClientView(Contract):
    """A partner's slice of one client (the *taartpuntje*).

    `subject_ref` is a pseudonym that is stable per client *and partner*, so two partners
    cannot join their records on it.
    """

    subject_ref: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
    categories: list[DataCategory]
    bsn: Bsn | None = None
    given_names: ShortText | None = None
    family_name: ShortText | None = None
    birth_date: date | None = None
    gender: Gender | None = None
    address: Address | None = None
    phone: Phone | None = None
    email: Email | None = None
    household: list[HouseholdMember] | None = None
    housing: HousingSituation | None = None
    finance: FinanceSituation | None = None
    health: HealthSituation | None = None
    youth_protection: YouthProtection | None = None
