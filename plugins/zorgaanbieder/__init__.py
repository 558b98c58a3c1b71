"""Partner type `zorgaanbieder`: a care provider under the Wmo 2015.

The municipality allocates support (product category, volume, unit, frequency, period); the
provider acknowledges the allocation with a retour, and reports the start and the end of care.
The format is XML modelled on the iWmo 3.2 messages 301 (toewijzing), 302 (retour), 305 (start
zorg) and 307 (stop zorg), in Wijkhub's own namespaces and without the VECOZO/GGk envelope,
plus Wijkhub's own intrekking message for withdrawn consent, overleg message for consultation
(both ways) and herinnering message for a late milestone (escalation ladder). The format is
described for the
provider's IT staff in `docs/plugins/zorgaanbieder.md`.

Advice types: `wmo_huishoudelijke_hulp` (product category 01) and `wmo_begeleiding` (02).
"""

from collections.abc import Iterator

from wijkhub.hub.plugin_api.spec import hookimpl
from wijkhub.hub.plugin_api.types import FormatInfo, PartnerType
from wijkhub.plugins.zorgaanbieder.advice_types import ADVICE_TYPES
from wijkhub.plugins.zorgaanbieder.backoffice import BACKOFFICE
from wijkhub.plugins.zorgaanbieder.codes import CONTENT_TYPE, FORMAT_VERSION
from wijkhub.plugins.zorgaanbieder.format import (
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
    request_format=FormatInfo("wijkhub-iwmo-toewijzing", FORMAT_VERSION, CONTENT_TYPE),
    status_format=FormatInfo("wijkhub-iwmo-retour-start-stop", FORMAT_VERSION, CONTENT_TYPE),
    translate_advice=translate_advice,
    parse_status=parse_status,
    translate_withdrawal=translate_withdrawal,
    translate_consultation=translate_consultation,
    backoffice=BACKOFFICE,
    translate_reminder=translate_reminder,
)


@hookimpl
def wijkhub_partner_types() -> Iterator[PartnerType]:
    yield PARTNER_TYPE
