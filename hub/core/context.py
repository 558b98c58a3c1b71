"""The hub's dependencies in one object, built once at start-up and passed explicitly."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from wijkhub.consent.rules import PrivacyRules
from wijkhub.hub.core.clock import Clock, SystemClock
from wijkhub.hub.core.crypto import KeyRing
from wijkhub.hub.core.db import Database
from wijkhub.hub.core.partners import PartnerDirectory
from wijkhub.hub.core.settings import ConfigError, Settings
from wijkhub.hub.plugin_api.manager import PluginRegistry, load_registry


@dataclass
class HubContext:
    settings: Settings
    db: Database
    keyring: KeyRing
    registry: PluginRegistry
    partners: PartnerDirectory
    rules: PrivacyRules
    clock: Clock = field(default_factory=SystemClock)
    # Set by the running worker so a submission wakes it at once instead of at the next poll.
    on_new_deliveries: Callable[[], None] = lambda: None

    def seal(self, obj: Any, aad: str) -> bytes:
        return self.keyring.encrypt(json.dumps(obj, default=str).encode(), aad.encode())

    def unseal(self, blob: bytes, aad: str) -> Any:
        return json.loads(self.keyring.decrypt(blob, aad.encode()))

    def seal_bytes(self, data: bytes, aad: str) -> bytes:
        return self.keyring.encrypt(data, aad.encode())

    def unseal_bytes(self, blob: bytes, aad: str) -> bytes:
        return self.keyring.decrypt(blob, aad.encode())


def build_context(
    settings: Settings,
    *,
    clock: Clock | None = None,
    keyring: KeyRing | None = None,
    registry: PluginRegistry | None = None,
) -> HubContext:
    registry = registry or load_registry()
    missing = [
        n
        for n in ("partners.toml", "privacy-rules.toml")
        if not (settings.config_path / n).exists()
    ]
    if missing:
        raise ConfigError(
            f"{', '.join(missing)} ontbreekt in {settings.config_path}: "
            "draai eerst `wijkhub init` of zet config_dir"
        )
    return HubContext(
        settings=settings,
        db=Database(settings.db_url),
        keyring=keyring or KeyRing.load(settings.keyring_path),
        registry=registry,
        partners=PartnerDirectory.from_file(settings.config_path / "partners.toml", registry),
        rules=PrivacyRules.from_file(settings.config_path / "privacy-rules.toml"),
        clock=clock or SystemClock(),
    )


# The typed application key under which the API and the web pages find the context.
CTX = web.AppKey("ctx", HubContext)
