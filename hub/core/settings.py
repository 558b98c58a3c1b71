"""Hub settings: a TOML file and/or WIJKHUB_* environment variables (pydantic-settings)."""

import re
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, Field, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from wijkhub.hub.i18n import gettext, pydantic_message

M = TypeVar("M", bound=BaseModel)
TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


class ConfigError(RuntimeError):
    """The hub cannot start with this configuration; the message (Dutch) says what to do."""


def example_config_dir() -> Path:
    return Path(str(files("wijkhub.config")))


class WorkerSettings(BaseModel):
    batch_size: int = Field(50, ge=1, le=1000)
    poll_interval: float = Field(1.0, gt=0)
    # Hold on for days, not Open Notificaties' ~90 s: a partner down for a long weekend must
    # not dead-letter everything. 84 tries, the waits doubling from 2 s to at most 1 h, take at
    # least 73 h 8 min from the first try to the last (3 days, 1 h, 8 min and 14 s; jitter adds
    # up to a few seconds). `wijkhub deliveries policy` prints the schedule of these settings.
    max_attempts: int = Field(84, ge=1)
    backoff_initial: float = Field(2.0, ge=0)
    backoff_max: float = Field(3600.0, ge=0)
    backoff_jitter: float = Field(1.0, ge=0)
    lease_seconds: float = Field(60.0, gt=0)
    request_timeout: float = Field(10.0, gt=0)
    concurrency: int = Field(16, ge=1)
    # Per-partner override of `concurrency` (requests in flight), e.g. {"stadsbank" = 4}.
    partner_concurrency: dict[str, int] = {}
    # Circuit breaker per partner: after this many consecutive failed sends (5xx, timeout,
    # connection error) stop sending to that partner for `breaker_cooldown` seconds, then let
    # one probe through. Its rows stay queued; nothing is lost or counted as an attempt.
    breaker_threshold: int = Field(5, ge=1)
    breaker_cooldown: float = Field(30.0, gt=0)
    # When a partner's breaker closes again (a send got through after it had opened), put its
    # dead letters back in the queue, each replay in the processing log. While only dead rows
    # are left for a partner, one of them is offered again after each cool-down as the probe.
    replay_dead_on_recovery: bool = True
    # On SIGTERM/SIGINT: seconds to let sends in flight finish before releasing the rest.
    shutdown_grace: float = Field(10.0, ge=0)
    # A stable name for this process's worker (`wijkhub worker --id`, WIJKHUB_WORKER__ID).
    # Restarted under the same name it takes back its rows at once instead of waiting for
    # their leases. A second running process with the same id on the same data directory
    # refuses to start. Default: derived from the host name and the data directory, kept in
    # the data directory, one slot per running process (hub/core/worker_id.py).
    id: str | None = Field(None, pattern=r"^[A-Za-z0-9_.:-]{1,64}$")

    @model_validator(mode="after")
    def _lease_outlives_a_request(self) -> "WorkerSettings":
        if self.lease_seconds < 2 * self.request_timeout:
            raise ValueError("lease_seconds must be at least twice request_timeout")
        return self


class JobSettings(BaseModel):
    """Seconds between runs of the periodic jobs inside `wijkhub serve`; 0 turns a job off
    (then run `wijkhub consents expire` / `wijkhub retention purge` / `wijkhub escalations run`
    from cron instead)."""

    consent_expiry_interval: float = Field(900.0, ge=0)
    # Off by default: purging is irreversible, so an administrator switches it on.
    retention_interval: float = Field(0.0, ge=0)
    # Household plan: release items waiting for a date, settle waits (hub/casework/plan.py).
    plan_wait_interval: float = Field(300.0, ge=0)
    # The escalation ladder for late milestones (`wijkhub escalations run` for cron).
    escalation_interval: float = Field(900.0, ge=0)
    # Forget idempotency keys (and their sealed answers) older than `idempotency_hours`.
    idempotency_interval: float = Field(900.0, ge=0)


class LogSettings(BaseModel):
    """The processing log's sequencer, checkpoints and witnesses (docs/processing-log.md)."""

    # The log's name in every checkpoint and the log key's name; default
    # "wijkhub/<sender_code>/verwerkingenlog".
    origin: str | None = Field(None, pattern=r"^[A-Za-z0-9._/-]{1,128}$")
    # Where every signed checkpoint is also written, one file each, never rewritten: put it on
    # WORM storage or another host's mount. Default: <data_dir>/witness.
    witness_dir: Path | None = None
    # Seconds between sequencer runs inside `wijkhub serve`: leaves get their place and a
    # signed checkpoint at least this often while they arrive. 0: off (run `wijkhub log
    # sequence` from cron instead).
    checkpoint_interval: float = Field(5.0, ge=0)
    batch_size: int = Field(1000, ge=1, le=20000)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WIJKHUB_", env_nested_delimiter="__")

    data_dir: Path = Path("var")
    database_url: str | None = None
    # Default: <data_dir>/config, which `wijkhub init` fills with copies of the examples.
    config_dir: Path | None = None
    keyring_file: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    sender_code: str = Field("0153", pattern=r"^\d{4}$", description="municipality code (CBS)")
    # The municipality's name as its inwoners know it ("Enschede"): the access report and
    # its PDF say "Gemeente Enschede", never a code.
    municipality_name: str | None = Field(None, min_length=2, max_length=80)
    worker: WorkerSettings = WorkerSettings()
    # /metrics needs an admin bearer token unless this is true (e.g. a scraper on a private
    # network). The metrics hold partner ids and counts only, never personal data.
    metrics_public: bool = False
    jobs: JobSettings = JobSettings()
    log: LogSettings = LogSettings()
    # How long a creating request's Idempotency-Key (or web submit token) is remembered: a
    # repeat within it gets the first answer. The stored answer may hold personal data.
    idempotency_hours: float = Field(24.0, gt=0)

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'wijkhub.db'}"

    @property
    def config_path(self) -> Path:
        return self.config_dir or self.data_dir / "config"

    @property
    def log_origin(self) -> str:
        return self.log.origin or f"wijkhub/{self.sender_code}/verwerkingenlog"

    @property
    def witness_path(self) -> Path:
        return self.log.witness_dir or self.data_dir / "witness"

    @property
    def keyring_path(self) -> Path:
        return self.keyring_file or self.data_dir / "keyring.json"

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

    @classmethod
    def load(cls, path: Path | None = None, **overrides: Any) -> "Settings":
        """Settings from `path` (TOML) if given, then environment, then `overrides` on top.
        A missing file, a TOML syntax error, an unknown key or a wrong value is a ConfigError
        that names the file, the key and what is wrong."""
        base = read_toml(path) if path is not None else {}
        try:
            return cls(**{**base, **overrides})
        except ValidationError as exc:
            where = str(path) if path is not None else gettext("environment variables")
            raise config_problem(where, exc) from None


def config_problem(where: str, exc: ValidationError) -> ConfigError:
    """Each wrong key of a configuration, with its place and a Dutch reason, one per line."""
    return ConfigError(
        "\n".join(
            gettext("{where}: {field}: {message}").format(
                where=where,
                field=".".join(str(p) for p in e["loc"]),
                message=pydantic_message(e),
            )
            for e in exc.errors(include_url=False)
        )
    )


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file's table; a missing file or a syntax error is a ConfigError naming it."""
    if not path.is_file():
        raise ConfigError(gettext("The settings file {path} does not exist.").format(path=path))
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            gettext("{path} is not valid TOML: {reason}").format(
                path=path, reason=toml_position(str(exc))
            )
        ) from None


def read_config(path: Path, model: type[M]) -> M:
    """A TOML configuration file as `model`; every problem is a ConfigError naming the file."""
    data = read_toml(path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise config_problem(str(path), exc) from None


def toml_position(message: str) -> str:
    """Where tomllib found the error, in Dutch (its own wording of the error is English)."""
    m = TOML_AT.search(message)
    if m:
        return gettext("line {line}, column {column}").format(line=m[1], column=m[2])
    return gettext("at the end of the file")
