"""Partner type `corporatie`: a housing association (woningcorporatie), e.g. De Woonplaats,
Domijn or Ons Huis.

The wijkteam advises the corporatie on an urgency declaration for housing allocation, a
payment arrangement for rent arrears, suspending an eviction, or a relocation; the corporatie
decides (toegekend / deels toegekend / afgewezen) and reports back. A housing association may
not process the BSN: the format has no place for it at all (see `wire`).

Format: JSON, version 1.0 (`docs/plugins/corporatie.md`, JSON Schemas in this package).

Deadlines, in working days, for the first answer: 2 for `opschorting_ontruiming` (an eviction
date is close by nature) and for `betalingsregeling_huurachterstand` when an eviction
threatens; 10 otherwise.
Then a decision within 20 working days (5 when the eviction is close) and its execution within
40 (10 when the eviction is close), all counted from delivery.
"""

from collections.abc import Iterator

from wijkhub.hub.plugin_api.json_format import CONTENT_TYPE
from wijkhub.hub.plugin_api.spec import hookimpl
from wijkhub.hub.plugin_api.types import (
    AdviceType,
    Backoffice,
    DeadlineRule,
    FormatInfo,
    MilestoneRule,
    PartnerType,
)
from wijkhub.plugins.corporatie.format import (
    parse_status,
    read_request,
    render_status,
    translate_advice,
    translate_consultation,
    translate_reminder,
    translate_withdrawal,
)
from wijkhub.plugins.corporatie.parameters import (
    EvictionSuspensionParameters,
    PaymentArrangementParameters,
    RelocationParameters,
    UrgencyDeclarationParameters,
)
from wijkhub.plugins.corporatie.wire import VERSION
from wijkhub.schemas.advice import Threat
from wijkhub.schemas.categories import DataCategory as C
from wijkhub.schemas.status import Milestone, PartnerStatus

_BASE = frozenset({C.identification, C.contact, C.housing})
_OPTIONAL = frozenset({C.household, C.finance})
_LATER = (
    MilestoneRule(Milestone.decision, DeadlineRule(20)),
    MilestoneRule(Milestone.execution, DeadlineRule(40)),
)
_LATER_URGENT = (
    MilestoneRule(Milestone.decision, DeadlineRule(20), urgent_deadline=DeadlineRule(5)),
    MilestoneRule(Milestone.execution, DeadlineRule(40), urgent_deadline=DeadlineRule(10)),
)
_EVICTION = (
    MilestoneRule(Milestone.decision, DeadlineRule(5)),
    MilestoneRule(Milestone.execution, DeadlineRule(10)),
)

ADVICE_TYPES: tuple[AdviceType, ...] = (
    AdviceType(
        name="urgentieverklaring",
        title_nl="Urgentieverklaring voor woningtoewijzing",
        required_categories=_BASE,
        optional_categories=_OPTIONAL,
        motivation_category=C.free_text,
        deadline=DeadlineRule(10),
        parameters=UrgencyDeclarationParameters,
        milestones=_LATER,
    ),
    AdviceType(
        name="betalingsregeling_huurachterstand",
        title_nl="Betalingsregeling huurachterstand",
        required_categories=_BASE | {C.finance},
        optional_categories=frozenset({C.household}),
        motivation_category=C.free_text,
        deadline=DeadlineRule(10),
        urgent_deadline=DeadlineRule(2),
        urgent_when=frozenset({Threat.eviction}),
        parameters=PaymentArrangementParameters,
        milestones=_LATER_URGENT,
    ),
    AdviceType(
        name="opschorting_ontruiming",
        title_nl="Opschorting van de ontruiming",
        required_categories=_BASE,
        optional_categories=_OPTIONAL,
        motivation_category=C.free_text,
        deadline=DeadlineRule(2),
        parameters=EvictionSuspensionParameters,
        milestones=_EVICTION,
    ),
    AdviceType(
        name="verhuizing",
        title_nl="Verhuizing naar een andere woning",
        required_categories=_BASE,
        optional_categories=_OPTIONAL,
        motivation_category=C.free_text,
        deadline=DeadlineRule(10),
        parameters=RelocationParameters,
        milestones=_LATER,
    ),
)


def partner_type() -> PartnerType:
    return PartnerType(
        name="corporatie",
        title_nl="Woningcorporatie",
        advice_types=ADVICE_TYPES,
        request_format=FormatInfo("corporatie-adviesaanvraag-json", VERSION, CONTENT_TYPE),
        status_format=FormatInfo("corporatie-statusmelding-json", VERSION, CONTENT_TYPE),
        translate_advice=translate_advice,
        parse_status=parse_status,
        translate_withdrawal=translate_withdrawal,
        translate_consultation=translate_consultation,
        translate_reminder=translate_reminder,
        backoffice=Backoffice(
            read_request=read_request,
            render_status=render_status,
            script=(PartnerStatus.received, PartnerStatus.in_progress, PartnerStatus.adopted),
        ),
    )


@hookimpl
def wijkhub_partner_types() -> Iterator[PartnerType]:
    yield partner_type()
