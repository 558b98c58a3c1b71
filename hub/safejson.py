"""Deprecated alias of `wijkhub.hub.plugin_api.safejson`, kept for third-party plugins for one
release; import from the new path."""

import warnings
from typing import Any

from wijkhub.hub.plugin_api import safejson as target

warnings.warn(
    "wijkhub.hub.safejson is deprecated; import wijkhub.hub.plugin_api.safejson instead",
    DeprecationWarning,
    stacklevel=2,
)


def __getattr__(name: str) -> Any:
    return getattr(target, name)
