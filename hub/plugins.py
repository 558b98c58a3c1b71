"""Deprecated alias of `wijkhub.hub.plugin_api.manager`, kept for third-party plugins for one
release; import from the new path."""

import warnings
from typing import Any

from wijkhub.hub.plugin_api import manager as target

warnings.warn(
    "wijkhub.hub.plugins is deprecated; import wijkhub.hub.plugin_api.manager instead",
    DeprecationWarning,
    stacklevel=2,
)


def __getattr__(name: str) -> Any:
    return getattr(target, name)
