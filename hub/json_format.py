"""Deprecated alias of `wijkhub.hub.plugin_api.json_format`, kept for third-party plugins for one
release; import from the new path."""

import warnings
from typing import Any

from wijkhub.hub.plugin_api import json_format as target

warnings.warn(
    "wijkhub.hub.json_format is deprecated; import wijkhub.hub.plugin_api.json_format instead",
    DeprecationWarning,
    stacklevel=2,
)


def __getattr__(name: str) -> Any:
    return getattr(target, name)
