"""Starting and stopping a hub in-process (used by `serve`, the demo and the tests)."""

import logging
import os
import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from aiohttp import web

from wijkhub.hub.core import auth, people
from wijkhub.hub.core.clock import Clock
from wijkhub.hub.core.context import HubContext, build_context
from wijkhub.hub.core.crypto import ENV_VAR, KeyRing
from wijkhub.hub.core.db import upgrade
from wijkhub.hub.core.settings import Settings, example_config_dir
from wijkhub.hub.plugin_api.manager import PluginRegistry
from wijkhub.hub.server.app import create_app

log = logging.getLogger(__name__)


CONFIG_FILES = (
    "partners.toml",
    "privacy-rules.toml",
    "retention.toml",
    "approval.toml",
    "escalation.toml",
)


def copy_example_config(settings: Settings) -> list[Path]:
    """Put editable copies of the example configuration where the hub reads it (never
    overwriting an administrator's file)."""
    settings.config_path.mkdir(parents=True, exist_ok=True)
    written = []
    for name in CONFIG_FILES:
        target = settings.config_path / name
        if not target.exists():
            shutil.copy(example_config_dir() / name, target)
            written.append(target)
    return written


async def prepare(settings: Settings) -> KeyRing:
    """Data directory (0700), key ring (created once, 0600), the schema (Alembic) and the
    SQLite files (0600): the log, BSN hashes and sealed records are for the hub's user only."""
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    settings.data_dir.chmod(0o700)
    path = settings.keyring_path
    if path.exists() or os.environ.get(ENV_VAR):
        keyring = KeyRing.load(path)
        made = keyring.ensure_signing_key()
        if keyring.source is not None:
            # Only where it can be saved: a log key made up per process (a key ring from
            # WIJKHUB_KEYRING) would sign checkpoints nobody can verify afterwards.
            made = keyring.ensure_log_key() or made
        if made and keyring.source is not None:
            keyring.save(path)  # a key ring from before outbound signatures / the log key
    else:
        keyring = KeyRing.generate()
        keyring.save(path)
    await upgrade(settings.db_url)
    for db_file in settings.data_dir.glob("wijkhub.db*"):  # the database, -wal and -shm
        db_file.chmod(0o600)
    return keyring


EMBEDDED_TOKEN_TTL = timedelta(days=3 * 365)


@dataclass
class RunningHub:
    ctx: HubContext
    app: web.Application
    runner: web.AppRunner
    url: str

    async def token(
        self, role: str, label: str, team: str | None = None, ttl: timedelta = EMBEDDED_TOKEN_TTL
    ) -> str:
        """A token for the demo and the tests, which run the hub embedded: it outlives the
        clock jumps they make (a consent's year, the escalation ladder's weeks)."""
        ctx = self.ctx
        now = ctx.clock.now()
        async with self.ctx.db.write() as conn:
            token = await auth.create_token(
                conn,
                role,
                label,
                now,
                team,
                ttl=ttl,
                partners=[p.id for p in self.ctx.partners.all()],
            )
            if not role.startswith("partner"):
                await people.remember(
                    self.ctx, conn, auth.person_id_for(label), label, role, team, now
                )
            return token

    async def close(self) -> None:
        await self.runner.cleanup()


async def start(
    settings: Settings,
    *,
    clock: Clock | None = None,
    registry: PluginRegistry | None = None,
    run_worker: bool = True,
    host: str | None = None,
    port: int | None = None,
    access_log: logging.Logger | None = None,
) -> RunningHub:
    keyring = await prepare(settings)
    ctx = build_context(settings, clock=clock, keyring=keyring, registry=registry)
    app = create_app(ctx, run_worker=run_worker)
    runner = web.AppRunner(app, access_log=access_log)
    await runner.setup()
    site = web.TCPSite(runner, host or settings.host, settings.port if port is None else port)
    await site.start()
    sock = site._server.sockets[0]  # type: ignore[union-attr]
    h, p = sock.getsockname()[:2]
    return RunningHub(ctx, app, runner, f"http://{h}:{p}")
