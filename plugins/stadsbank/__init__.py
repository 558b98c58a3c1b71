"""Stadsbank (municipal credit bank): debt counselling and budget management.

A Stadsbank receives two kinds of advice from the wijkteam: an intake request for debt
counselling (`schuldhulpverlening_aanmelding`) and a request for budget management
(`budgetbeheer`). Both fall under the Wgs (Wet gemeentelijke schuldhulpverlening): art. 4a
requires a first conversation within 4 weeks of the request, or within 3 working days when
eviction, disconnection of energy or water, or cancellation of the health insurance threatens.
The Stadsbank may process the BSN, so the BSN is a required category here.

The format is XML validated against XSDs shipped in this package (see
`docs/plugins/stadsbank.md`): `Aanmelding`, `Intrekking` and `Overlegbericht` go to the
Stadsbank (`stadsbank-aanmelding-v1.xsd`), and so does `Herinnering` (a late milestone,
escalation ladder); `Statusmelding` comes back (`stadsbank-status-v1.xsd`), optionally with an
`Overleg` block.
"""

from collections.abc import Iterator

from wijkhub.hub.plugin_api.spec import hookimpl
from wijkhub.hub.plugin_api.types import FormatInfo, PartnerType
from wijkhub.plugins.stadsbank.advice_types import ADVICE_TYPES
from wijkhub.plugins.stadsbank.backoffice import BACKOFFICE
from wijkhub.plugins.stadsbank.format import (
    CONTENT_TYPE,
    parse_status,
    translate_advice,
    translate_consultation,
    translate_reminder,
    translate_withdrawal,
)

PARTNER_TYPE = PartnerType(
    name="stadsbank",
    title_nl="Stadsbank (gemeentelijke kredietbank)",
    advice_types=ADVICE_TYPES,
    request_format=FormatInfo("stadsbank-aanmelding-xml", "1.0", CONTENT_TYPE),
    status_format=FormatInfo("stadsbank-status-xml", "1.0", CONTENT_TYPE),
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
