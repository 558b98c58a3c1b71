"""The privacy rules agreed among the partners (covenant art. 6), as a versioned rule set.

The version is recorded with every decision, so a privacy officer can tell which rules
applied when a partner received data.
"""

import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from wijkhub.schemas.categories import SPECIAL_CATEGORIES, DataCategory, LegalBasis


class PartnerTypeRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    permitted_categories: frozenset[DataCategory]
    # In order of preference; a non-consent basis needs `basis_reference` (the statute).
    legal_bases: Annotated[list[LegalBasis], Field(min_length=1)]
    bsn_allowed: bool = False
    basis_reference: str | None = None

    @model_validator(mode="after")
    def _check(self) -> "PartnerTypeRules":
        if DataCategory.bsn in self.permitted_categories and not self.bsn_allowed:
            raise ValueError("bsn is listed as permitted but bsn_allowed is false")
        if any(b is not LegalBasis.consent for b in self.legal_bases) and not self.basis_reference:
            raise ValueError("a non-consent legal basis needs a basis_reference")
        return self


class PrivacyRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Annotated[str, Field(min_length=1)]
    explicit_consent_required_for: frozenset[DataCategory] = SPECIAL_CATEGORIES
    partner_types: dict[str, PartnerTypeRules]
    # A child's item also needs consent of the parents with authority: of one of them, or of
    # all of them (see consent/members.py).
    parental_consent: Literal["one", "all"] = "all"

    @classmethod
    def from_file(cls, path: Path) -> "PrivacyRules":
        return cls.model_validate(tomllib.loads(path.read_text()))

    def for_type(self, partner_type: str) -> PartnerTypeRules | None:
        return self.partner_types.get(partner_type)
