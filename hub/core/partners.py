"""Partner organisations as the administrator configures them (`config/partners.toml`)."""

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

from wijkhub.hub.core.settings import ConfigError, read_config
from wijkhub.hub.i18n import gettext
from wijkhub.hub.plugin_api.manager import PluginRegistry
from wijkhub.schemas.common import PartnerId


class Transport(StrEnum):
    push = "push"  # the hub POSTs to the partner's endpoint
    pull = "pull"  # the partner fetches its inbox from the hub


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    email: str | None = None


class PartnerConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: PartnerId
    type: str
    name: str
    transport: Transport = Transport.push
    endpoint: HttpUrl | None = None
    contact_manager: Contact | None = None
    buddy: Contact | None = None
    # The HMAC secret that signs this partner's status updates, by reference only:
    # "env:VARIABLE" or "file:path" (relative to the config directory). Never inline.
    secret: str | None = Field(None, pattern=r"^(env|file):.+$")
    # The version of the partner type's format this partner speaks (e.g. zorgaanbieder "3.2",
    # the iWmo release, or "1.0", Wijkhub's earlier simplified XML); None: the plugin's default.
    format_version: str | None = Field(None, pattern=r"^[0-9]+\.[0-9]+$")
    # The partner's AGB code (Vektis, 8 digits): the receiver of iWmo messages.
    agb_code: str | None = Field(None, pattern=r"^[0-9]{8}$")

    @model_validator(mode="after")
    def _push_needs_endpoint(self) -> "PartnerConfig":
        if self.transport is Transport.push and self.endpoint is None:
            raise ValueError(
                gettext("Partner {id}: push delivery needs an endpoint.").format(id=self.id)
            )
        return self


class PartnersFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    partner: Annotated[list[PartnerConfig], Field(default_factory=list)]


def configured_ids(path: Path) -> set[str]:
    """The partner ids in a partners.toml (no plugins needed)."""
    return {p.id for p in read_config(path, PartnersFile).partner}


def resolve_secret(ref: str, base: Path) -> bytes:
    kind, _, value = ref.partition(":")
    if kind == "env":
        secret = os.environ.get(value, "")
        where = gettext("environment variable {name}").format(name=value)
    else:
        path = base / value
        secret = path.read_text().strip() if path.exists() else ""
        where = gettext("file {path}").format(path=path)
    if len(secret) < 32:
        raise ConfigError(
            gettext(
                "The partner secret from {where} is missing or shorter than 32 characters."
            ).format(where=where)
        )
    return secret.encode()


class PartnerDirectory:
    def __init__(
        self,
        partners: list[PartnerConfig],
        registry: PluginRegistry,
        config_dir: Path | None = None,
    ) -> None:
        seen: dict[str, PartnerConfig] = {}
        for p in partners:
            if p.id in seen:
                raise ConfigError(gettext("Partner {id} is configured twice.").format(id=p.id))
            if registry.get(p.type) is None:
                raise ConfigError(
                    gettext("Partner {id}: no plugin provides partner type {type}.").format(
                        id=p.id, type=p.type
                    )
                )
            seen[p.id] = p
        self._by_id = seen
        self._secrets = {
            p.id: resolve_secret(p.secret, config_dir or Path(".")) for p in partners if p.secret
        }

    @classmethod
    def from_file(cls, path: Path, registry: PluginRegistry) -> "PartnerDirectory":
        data = read_config(path, PartnersFile)
        return cls(data.partner, registry, path.parent)

    def get(self, partner_id: str) -> PartnerConfig | None:
        return self._by_id.get(partner_id)

    def secret(self, partner_id: str) -> bytes | None:
        return self._secrets.get(partner_id)

    def all(self) -> list[PartnerConfig]:
        return list(self._by_id.values())
