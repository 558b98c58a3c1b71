"""Deprecated alias of `wijkhub.hub.plugin_api.types`, kept for third-party plugins for one
release; import from the new path."""

import warnings
from typing import Any

from wijkhub.hub.plugin_api import types as target

warnings.warn(
    "wijkhub.hub.plugin_types is deprecated; import wijkhub.hub.plugin_api.types instead",
    DeprecationWarning,
    stacklevel=2,
)


def __getattr__(name: str) -> Any:
    return getattr(target, name)
