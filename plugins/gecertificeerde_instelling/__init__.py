"""Partner type `gecertificeerde_instelling`: a certified child-protection institution (GI),
which carries out court-ordered measures (ondertoezichtstelling, voogdij,
jeugdreclassering).

The wijkteam shares information for a running measure and advises on help within it. The GI
works on a statutory basis (Jeugdwet), not on consent; the hub's policy decides that, this
plugin only declares what its advice types need. For a GI the coach's text is by nature
information about the child protection case, so the motivation counts as youth_protection.
The GI decides (overgenomen / deels overgenomen / afgewezen) and reports back.

Format: JSON, version 1.0 (`docs/plugins/gecertificeerde_instelling.md`, JSON Schemas in this
package). Deadlines for both advice types: a first answer within 5 working days, a decision
within 15, counted from delivery (a GI does not report an execution to the wijkteam).
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
from wijkhub.plugins.gecertificeerde_instelling.format import (
    parse_status,
    read_request,
    render_status,
    translate_advice,
    translate_consultation,
    translate_reminder,
    translate_withdrawal,
)
from wijkhub.plugins.gecertificeerde_instelling.parameters import (
    HelpAdviceParameters,
    InformationParameters,
)
from wijkhub.plugins.gecertificeerde_instelling.wire import VERSION
from wijkhub.schemas.categories import DataCategory as C
from wijkhub.schemas.status import Milestone, PartnerStatus

_REQUIRED = frozenset({C.identification, C.youth_protection})
_OPTIONAL = frozenset({C.household})
_DECISION = (MilestoneRule(Milestone.decision, DeadlineRule(15)),)

ADVICE_TYPES: tuple[AdviceType, ...] = (
    AdviceType(
        name="informatie_lopende_maatregel",
        title_nl="Informatie voor een lopende maatregel",
        required_categories=_REQUIRED,
        optional_categories=_OPTIONAL,
        motivation_category=C.youth_protection,
        deadline=DeadlineRule(5),
        parameters=InformationParameters,
        milestones=_DECISION,
    ),
    AdviceType(
        name="advies_hulp_binnen_maatregel",
        title_nl="Advies over hulp binnen de maatregel",
        required_categories=_REQUIRED,
        optional_categories=_OPTIONAL,
        motivation_category=C.youth_protection,
        deadline=DeadlineRule(5),
        parameters=HelpAdviceParameters,
        milestones=_DECISION,
    ),
)


def partner_type() -> PartnerType:
    return PartnerType(
        name="gecertificeerde_instelling",
        title_nl="Gecertificeerde instelling (jeugdbescherming)",
        advice_types=ADVICE_TYPES,
        request_format=FormatInfo("gi-adviesbericht-json", VERSION, CONTENT_TYPE),
        status_format=FormatInfo("gi-statusmelding-json", VERSION, CONTENT_TYPE),
        translate_advice=translate_advice,
        parse_status=parse_status,
        translate_withdrawal=translate_withdrawal,
        translate_consultation=translate_consultation,
        translate_reminder=translate_reminder,
        backoffice=Backoffice(
            read_request=read_request,
            render_status=render_status,
            script=(PartnerStatus.received, PartnerStatus.partly_adopted),
        ),
    )


@hookimpl
def wijkhub_partner_types() -> Iterator[PartnerType]:
    yield partner_type()
