"""The advice types a Wmo care provider accepts: each is one allocated product category."""

from wijkhub.hub.plugin_api.types import AdviceType, DeadlineRule
from wijkhub.plugins.zorgaanbieder.parameters import (
    BegeleidingParameters,
    HuishoudelijkeHulpParameters,
    WmoAllocationParameters,
)
from wijkhub.schemas.categories import DataCategory as C

# Wijkhub's choice (not a term of iWmo itself): the provider confirms the start of care with a
# start message (305) within 5 working days of the allocation; shorter than any statutory term
# because the covenant asks partners to act "met voorrang".
START_CARE_DEADLINE = DeadlineRule(days=5, working_days=True)
# It is the only milestone measured: the allocation (301) is already the municipality's
# decision, and the stop message (307) marks the end of care, which has no deadline.

REQUIRED = frozenset({C.identification, C.bsn, C.contact})
OPTIONAL = frozenset({C.household, C.health})

WMO_HUISHOUDELIJKE_HULP = AdviceType(
    name="wmo_huishoudelijke_hulp",
    title_nl="Hulp bij het huishouden (Wmo)",
    required_categories=REQUIRED,
    optional_categories=OPTIONAL,
    motivation_category=C.free_text,
    deadline=START_CARE_DEADLINE,
    parameters=HuishoudelijkeHulpParameters,
)

WMO_BEGELEIDING = AdviceType(
    name="wmo_begeleiding",
    title_nl="Begeleiding (Wmo)",
    required_categories=REQUIRED,
    optional_categories=OPTIONAL,
    motivation_category=C.free_text,
    deadline=START_CARE_DEADLINE,
    parameters=BegeleidingParameters,
)

ADVICE_TYPES: tuple[AdviceType, ...] = (WMO_HUISHOUDELIJKE_HULP, WMO_BEGELEIDING)

PARAMETERS: dict[str, type[WmoAllocationParameters]] = {
    WMO_HUISHOUDELIJKE_HULP.name: HuishoudelijkeHulpParameters,
    WMO_BEGELEIDING.name: BegeleidingParameters,
}

# A provider recognises the advice type by the allocated product category.
ADVICE_TYPE_BY_CATEGORY: dict[str, AdviceType] = {
    HuishoudelijkeHulpParameters.expected_category: WMO_HUISHOUDELIJKE_HULP,
    BegeleidingParameters.expected_category: WMO_BEGELEIDING,
}
