"""The plugin API: the one public surface for plugin authors.

Public, and kept stable across minor releases:

- `spec`: the hook specifications (`wijkhub_partner_types`) and the `hookimpl` marker;
- `types`: the registration objects a plugin yields (`PartnerType`, `AdviceType`,
  `FormatInfo`, `DeadlineRule`, `MilestoneRule`, `Backoffice`) and what its hooks exchange
  with the hub (`PartnerMessage`, `ReceivedRequest`, `PayloadError`);
- `json_format` and `safexml` / `safejson`: toolkits for JSON and XML wire formats (hardened
  parsing; the hub's own plugins use them exactly like a third-party one would);
- `manager`: loading plugins from the `wijkhub` entry points (used by the hub itself);
- `info`: a plain description of the installed partner types.

The contract objects a plugin receives and returns (`OutboundAdvice`, `ClientView`,
`StatusUpdate`, ...) are in `wijkhub.schemas`. A plugin never imports anything else of the
hub: no store, no I/O (checked by the import contract in pyproject.toml).
"""

from wijkhub.hub.plugin_api.spec import hookimpl
from wijkhub.hub.plugin_api.types import (
    AdviceType,
    Backoffice,
    DeadlineRule,
    FormatInfo,
    MilestoneRule,
    PartnerMessage,
    PartnerType,
    PayloadError,
    ReceivedRequest,
)

__all__ = [
    "AdviceType",
    "Backoffice",
    "DeadlineRule",
    "FormatInfo",
    "MilestoneRule",
    "PartnerMessage",
    "PartnerType",
    "PayloadError",
    "ReceivedRequest",
    "hookimpl",
]
