"""Settings of the web UI: `web.toml` in the configuration directory and/or WIJKHUB_WEB_*
environment variables (pydantic-settings). Read again when the file changes."""

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

HUB_ROLES = ("coach", "team_manager", "cluster_manager", "team_leader", "privacy_officer", "admin")


class OidcSettings(BaseModel):
    """The organisation's identity provider (OpenID Connect, authorization code + PKCE)."""

    model_config = ConfigDict(extra="forbid")
    issuer: str
    client_id: str
    # The client secret itself, or `file:<path>` (relative to the configuration directory),
    # or `env:<VARIABLE>`. None: a public client (PKCE only).
    client_secret: str | None = None
    scopes: list[str] = ["openid", "profile", "email"]
    # Where the callback is reached from the browser; default: derived from the request.
    redirect_url: str | None = None
    # Claims read from the ID token (a dotted path reaches into objects, e.g.
    # `realm_access.roles`). The role claim may be a string or a list of strings.
    role_claim: str = "roles"
    team_claim: str = "team"
    name_claim: str = "name"
    # Provider value -> hub role; the first listed value the user has wins.
    roles: dict[str, str] = {}
    # Clock skew accepted on the ID token's times, in seconds.
    leeway: int = Field(60, ge=0, le=600)

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, value: dict[str, str]) -> dict[str, str]:
        bad = sorted(r for r in value.values() if r not in HUB_ROLES)
        if bad:
            raise ValueError(f"unknown hub role(s) {bad}: use one of {', '.join(HUB_ROLES)}")
        return value

    def secret(self, config_dir: Path) -> str | None:
        s = self.client_secret
        if s is None:
            return None
        if s.startswith("file:"):
            return (config_dir / s[5:]).read_text().strip()
        if s.startswith("env:"):
            return os.environ[s[4:]]
        return s


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WIJKHUB_WEB_", env_nested_delimiter="__")

    session_hours: float = Field(8.0, gt=0, le=24 * 7)
    signin_link_minutes: float = Field(15.0, gt=0, le=24 * 60)
    # auto: the cookie is Secure when the request came over TLS (directly, or through a
    # trusted proxy's X-Forwarded-Proto); always / never force it.
    cookie_secure: Literal["auto", "always", "never"] = "auto"
    # Addresses of reverse proxies whose X-Forwarded-Proto is believed.
    trusted_proxies: list[str] = []
    oidc: OidcSettings | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings)


_cache: dict[Path, tuple[float, WebSettings]] = {}


def load(config_dir: Path) -> WebSettings:
    path = config_dir / "web.toml"
    mtime = path.stat().st_mtime if path.exists() else -1.0
    hit = _cache.get(path)
    if hit is None or hit[0] != mtime:
        base: dict[str, Any] = {}
        if mtime >= 0:
            base = TomlConfigSettingsSource(WebSettings, toml_file=path)()
        hit = (mtime, WebSettings(**base))
        _cache[path] = hit
    return hit[1]
