"""Deprecated alias of `wijkhub.hub.demo.simulator` (partner backoffice doubles for plugin
tests), kept for third-party plugins for one release; import from the new path."""

import warnings
from typing import Any

from wijkhub.hub.demo import simulator as target

warnings.warn(
    "wijkhub.hub.simulator is deprecated; import wijkhub.hub.demo.simulator instead",
    DeprecationWarning,
    stacklevel=2,
)


def __getattr__(name: str) -> Any:
    return getattr(target, name)
