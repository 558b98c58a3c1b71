"""Partner type `corporatie`: a housing association (woningcorporatie), e.g. De Woonplaats,
Domijn or Ons Huis.

The wijkteam advises the corporatie on an urgency declaration for housing allocation, a
payment arrangement for rent arrears, suspending an eviction, or a relocation; the corporatie
decides (toegekend / deels toegekend / afgewezen) and reports back. A housing association may
not process the BSN: the format has no place for it at all (see `wire`).

Format: JSON, version 1.0 (`docs/plugins/corporatie.md`, JSON Schemas in this package).

Deadlines, in working days: 2 for `opschorting_ontruiming` (an eviction date is close by
nature) and for `betalingsregeling_huurachterstand` when an eviction threatens; 10 otherwise.
"""

from collections.abc import Iterator

from wijkhub.hub.hookspecs import hookimpl
from wijkhub.hub.json_format import CONTENT_TYPE
from wijkhub.hub.plugin_types import (
    AdviceType,
    Backoffice,
    DeadlineRule,
    FormatInfo,
    PartnerType,
)
from wijkhub.schemas.advice import Threat
from wijkhub.schemas.categories import DataCategory as C
from wijkhub.schemas.status import PartnerStatus

from .format import (
    parse_status,
    read_request,
    render_status,
    translate_advice,
    translate_consultation,
    translate_withdrawal,
)
from .parameters import (
    EvictionSuspensionParameters,
    PaymentArrangementParameters,
    RelocationParameters,
    UrgencyDeclarationParameters,
)
from .wire import VERSION

_BASE = frozenset({C.identification, C.contact, C.housing})
_OPTIONAL = frozenset({C.household, C.finance})

ADVICE_TYPES: tuple[AdviceType, ...] = (
    AdviceType(
        name="urgentieverklaring",
        title_nl="Urgentieverklaring voor woningtoewijzing",
        required_categories=_BASE,
        optional_categories=_OPTIONAL,
        motivation_category=C.free_text,
        deadline=DeadlineRule(10),
        parameters=UrgencyDeclarationParameters,
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
    ),
    AdviceType(
        name="opschorting_ontruiming",
        title_nl="Opschorting van de ontruiming",
        required_categories=_BASE,
        optional_categories=_OPTIONAL,
        motivation_category=C.free_text,
        deadline=DeadlineRule(2),
        parameters=EvictionSuspensionParameters,
    ),
    AdviceType(
        name="verhuizing",
        title_nl="Verhuizing naar een andere woning",
        required_categories=_BASE,
        optional_categories=_OPTIONAL,
        motivation_category=C.free_text,
        deadline=DeadlineRule(10),
        parameters=RelocationParameters,
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
        backoffice=Backoffice(
            read_request=read_request,
            render_status=render_status,
            script=(PartnerStatus.received, PartnerStatus.in_progress, PartnerStatus.adopted),
        ),
    )


@hookimpl
def wijkhub_partner_types() -> Iterator[PartnerType]:
    yield partner_type()
