"""Advice-type parameters the coach fills in (hub side, English). The hub validates an item's
`parameters` against these models; `format.translate_advice` maps them to the Dutch blocks of
the GI format (see `wire`)."""

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class _Parameters(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InformationOccasion(StrEnum):
    periodic_update = "periodic_update"  # the agreed periodic update during the measure
    signal = "signal"  # the wijkteam noticed something the GI should know
    gi_request = "gi_request"  # the GI asked the wijkteam for information


class InformationParameters(_Parameters):
    """`informatie_lopende_maatregel`: why the wijkteam shares information now."""

    occasion: InformationOccasion | None = None


class HelpForm(StrEnum):
    parenting_support = "parenting_support"
    outpatient_youth_care = "outpatient_youth_care"
    day_treatment = "day_treatment"
    foster_care = "foster_care"
    residential_youth_care = "residential_youth_care"
    other = "other"


class HelpAdviceParameters(_Parameters):
    """`advies_hulp_binnen_maatregel`: the form of help the coach advises within the measure."""

    help_form: HelpForm
    desired_start: date | None = None
