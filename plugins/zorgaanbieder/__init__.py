"""Partner type `zorgaanbieder`: a care provider under the Wmo 2015.

The municipality allocates support (product category, volume, unit, frequency, period); the
provider acknowledges the allocation with a retour, and reports the start and the end of care.
The format is iWmo 3.2 (format version "3.2", the default): the messages WMO301 (toewijzing)
out, WMO302 (its retour), WMO305 (start zorg) and WMO307 (stop zorg) in, and the hub's retour
WMO306/WMO308 on those, in the official namespaces, without the VECOZO/GGk envelope. Partners
configured with `format_version = "1.0"` get Wijkhub's earlier simplified XML modelled on those
messages in Wijkhub's own namespaces. Both versions use Wijkhub's own intrekking message for
withdrawn consent, overleg message for consultation (both ways) and herinnering message for a
late milestone (escalation ladder). The format is described for the provider's IT staff in
`docs/plugins/zorgaanbieder.md`.

Advice types: `wmo_huishoudelijke_hulp` (product category 01) and `wmo_begeleiding` (02).
"""

from collections.abc import Iterator

from wijkhub.hub.plugin_api.spec import hookimpl
from wijkhub.hub.plugin_api.types import FormatInfo, PartnerType
from wijkhub.plugins.zorgaanbieder.advice_types import ADVICE_TYPES
from wijkhub.plugins.zorgaanbieder.backoffice import BACKOFFICE
from wijkhub.plugins.zorgaanbieder.codes import CONTENT_TYPE, DEFAULT_FORMAT_VERSION
from wijkhub.plugins.zorgaanbieder.format import (
    answer_status,
    parse_status,
    translate_advice,
    translate_consultation,
    translate_reminder,
    translate_withdrawal,
)

PARTNER_TYPE = PartnerType(
    name="zorgaanbieder",
    title_nl="Zorgaanbieder (Wmo)",
    advice_types=ADVICE_TYPES,
    request_format=FormatInfo("iwmo-wmo301-toewijzing", DEFAULT_FORMAT_VERSION, CONTENT_TYPE),
    status_format=FormatInfo("iwmo-wmo302-305-307", DEFAULT_FORMAT_VERSION, CONTENT_TYPE),
    translate_advice=translate_advice,
    parse_status=parse_status,
    translate_withdrawal=translate_withdrawal,
    translate_consultation=translate_consultation,
    backoffice=BACKOFFICE,
    translate_reminder=translate_reminder,
    answer_status=answer_status,
)


@hookimpl
def wijkhub_partner_types() -> Iterator[PartnerType]:
    yield PARTNER_TYPE
