"""Deprecated alias of `wijkhub.hub.plugin_api.spec`, kept for third-party plugins for one
release; import from the new path."""

import warnings
from typing import Any

from wijkhub.hub.plugin_api import spec as target

warnings.warn(
    "wijkhub.hub.hookspecs is deprecated; import wijkhub.hub.plugin_api.spec instead",
    DeprecationWarning,
    stacklevel=2,
)


def __getattr__(name: str) -> Any:
    return getattr(target, name)
