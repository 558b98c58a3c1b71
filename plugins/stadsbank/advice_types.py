"""The Stadsbank's advice types, their parameters and their Wgs deadlines."""

from pydantic import BaseModel, ConfigDict

from wijkhub.hub.plugin_api.types import AdviceType, DeadlineRule, MilestoneRule
from wijkhub.schemas.advice import Threat
from wijkhub.schemas.categories import DataCategory as C
from wijkhub.schemas.common import Cents
from wijkhub.schemas.status import Milestone

SCHULDHULP = "schuldhulpverlening_aanmelding"
BUDGETBEHEER = "budgetbeheer"


class SchuldhulpParameters(BaseModel):
    """What the coach adds to a debt-counselling intake request."""

    model_config = ConfigDict(extra="forbid")

    creditors_known: bool | None = None  # the client has an overview of the creditors
    earlier_debt_counselling: bool | None = None  # had debt counselling before


class BudgetbeheerParameters(BaseModel):
    """What the coach adds to a budget-management request."""

    model_config = ConfigDict(extra="forbid")

    income_to_manage_cents: Cents | None = None  # monthly income the Stadsbank should manage
    pay_fixed_charges: bool | None = None  # the Stadsbank pays rent, energy, insurance


# Wgs art. 4a: a first conversation within 4 weeks of the request, within 3 working days when
# eviction, disconnection of energy or water, or cancellation of health insurance threatens.
_REGULAR = DeadlineRule(28, working_days=False)
_URGENT = DeadlineRule(3)
_THREATS = frozenset(Threat)
# The intake is the headline milestone (its date travels as EersteGesprekUiterlijk). Art. 4a
# also asks for a decision within 8 weeks of the intake: counted from delivery that is 4 + 8
# weeks, or 3 working days + 8 weeks (61 days). First answer and execution are Wijkhub's
# choice: a receipt within 2 working days (1 when urgent), the plan carried out in 26 weeks.
_MILESTONES = (
    MilestoneRule(Milestone.first_answer, DeadlineRule(2), urgent_deadline=DeadlineRule(1)),
    MilestoneRule(
        Milestone.decision,
        DeadlineRule(84, working_days=False),
        urgent_deadline=DeadlineRule(61, working_days=False),
    ),
    MilestoneRule(Milestone.execution, DeadlineRule(182, working_days=False)),
)
_REQUIRED = frozenset({C.identification, C.bsn, C.contact, C.finance})
_OPTIONAL = frozenset({C.household, C.housing})

ADVICE_TYPES: tuple[AdviceType, ...] = (
    AdviceType(
        name=SCHULDHULP,
        title_nl="Aanmelding schuldhulpverlening",
        required_categories=_REQUIRED,
        optional_categories=_OPTIONAL,
        motivation_category=C.free_text,
        deadline=_REGULAR,
        urgent_deadline=_URGENT,
        urgent_when=_THREATS,
        headline_milestone=Milestone.intake_held,
        milestones=_MILESTONES,
        parameters=SchuldhulpParameters,
    ),
    AdviceType(
        name=BUDGETBEHEER,
        title_nl="Budgetbeheer",
        required_categories=_REQUIRED,
        optional_categories=_OPTIONAL,
        motivation_category=C.free_text,
        deadline=_REGULAR,
        urgent_deadline=_URGENT,
        urgent_when=_THREATS,
        headline_milestone=Milestone.intake_held,
        milestones=_MILESTONES,
        parameters=BudgetbeheerParameters,
    ),
)

BY_NAME: dict[str, AdviceType] = {a.name: a for a in ADVICE_TYPES}
