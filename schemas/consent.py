"""Consent (toestemming) of one client for one partner, purposes and data categories."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Self
from uuid import UUID

from pydantic import Field, StringConstraints, model_validator

from wijkhub.schemas.categories import DataCategory
from wijkhub.schemas.common import AdviceTypeName, Contract, PartnerId, ShortText


class ConsentStatus(StrEnum):
    active = "active"
    withdrawn = "withdrawn"  # the client took it back (withdrawn_at says when)
    expired = "expired"  # its end date (valid_until) passed; set by the expiry job


# No longer in force: queued deliveries under it stop and partners get an intrekking.
ENDED_STATUSES = frozenset({ConsentStatus.withdrawn, ConsentStatus.expired})


EvidenceRef = Annotated[
    str, StringConstraints(pattern=r"^(sha256:[0-9a-f]{64}|[A-Za-z0-9][A-Za-z0-9._:/-]{2,199})$")
]


class ConsentIn(Contract):
    """Consent as the coach records it.

    `purposes` are advice types (e.g. `schuldhulpverlening_aanmelding`): consent is given for
    a purpose, not for "everything this partner does". `explicit` records that the client
    explicitly agreed to special categories (health), as AVG art. 9 requires.
    """

    partner_id: PartnerId
    purposes: Annotated[list[AdviceTypeName], Field(min_length=1, max_length=20)]
    categories: Annotated[list[DataCategory], Field(min_length=1)]
    explicit: bool = False
    valid_from: date
    valid_until: date | None = None
    evidence_ref: EvidenceRef = Field(
        description="Where the proof is: e.g. the SHA-256 of the signed form, or a document id."
    )
    given_by: ShortText = Field(
        default="client", description="Who gave consent: the client, or e.g. a legal guardian."
    )

    @model_validator(mode="after")
    def _period(self) -> Self:
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError("valid_until ligt vóór valid_from")
        return self


class Consent(ConsentIn):
    id: UUID
    client_id: UUID
    status: ConsentStatus
    recorded_by: str
    recorded_at: datetime
    withdrawn_at: datetime | None = None
    withdrawn_by: str | None = None
    withdrawal_reason: str | None = None


class ConsentWithdrawal(Contract):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]
