"""`wijkhub init`, `db upgrade`, `serve` and `demo`: setting up and running a hub."""

import asyncio
import contextlib
import sys

import click
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.cli.group import BadInput
from wijkhub.hub.cli.ops import until_signalled
from wijkhub.hub.cli.support import clock_for, console, in_transaction, settings_for
from wijkhub.hub.core import auth
from wijkhub.hub.core.db import upgrade
from wijkhub.hub.core.file_modes import too_wide
from wijkhub.hub.core.partner_secrets import ensure_partner_secrets
from wijkhub.hub.core.worker_id import WorkerIdInUse
from wijkhub.hub.demo.run import run_demo
from wijkhub.hub.i18n import gettext
from wijkhub.hub.server.runtime import copy_example_config, prepare, start


@click.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the data directory, key ring and database, and print a new admin token."""

    settings = settings_for(ctx)
    written = copy_example_config(settings)
    secrets_made = ensure_partner_secrets(settings.config_path)

    asyncio.run(prepare(settings))

    async def first_admin_token(conn: AsyncConnection) -> str | None:
        # A second `init` must not hand out a second admin token unnoticed.
        tokens = await auth.list_tokens(conn)
        if any(t["role"] == "admin" and t["revoked_at"] is None for t in tokens):
            return None
        return await auth.create_token(conn, "admin", "init", clock_for(ctx).now())

    token = in_transaction(ctx, first_admin_token)
    console().print(f"Database: {settings.db_url}\nSleutelbos: {settings.keyring_path} (0600)")
    console().print(
        f"Configuratie: {settings.config_path}"
        + (f" (voorbeelden gekopieerd: {len(written)})" if written else "")
    )
    for path in secrets_made:
        console().print(f"Partnergeheim aangemaakt: {path} (0600; geef het de partner veilig)")
    if token is None:
        raise BadInput(
            gettext(
                "This hub was already set up: no new admin token was made. "
                "Make one with `wijkhub tokens create --role admin --label …` if you need it."
            )
        )
    console().print(f"Admin-token (wordt maar één keer getoond):\n{token}")


@click.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Apply all migrations."""
    settings = settings_for(ctx)
    asyncio.run(upgrade(settings.db_url))
    console().print("Schema bijgewerkt.")


@click.command()
@click.option("--host", default=None)
@click.option("--port", type=int, default=None)
@click.option("--no-worker", is_flag=True, help="API only; run deliveries elsewhere.")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, no_worker: bool) -> None:
    """Run the HTTP API and the delivery worker."""

    settings = settings_for(ctx)
    # Before `start` sets the modes back: a file that was readable by others may have been read.
    for warning in too_wide(settings):
        click.echo(warning, err=True)

    async def go() -> None:
        try:
            hub = await start(
                settings, clock=clock_for(ctx), run_worker=not no_worker, host=host, port=port
            )
        except WorkerIdInUse as exc:
            raise click.ClickException(str(exc)) from None
        console().print(f"Wijkhub luistert op {hub.url} (OpenAPI: {hub.url}/api/v1/openapi.json)")
        try:
            # SIGTERM/SIGINT end the wait, so the worker finishes or releases its rows.
            await until_signalled()
        finally:
            await hub.close()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(go())


@click.command()
@click.option(
    "--timeout",
    type=float,
    default=60.0,
    show_default=True,
    help="Seconds to wait for every partner's answer.",
)
@click.option("--clean", is_flag=True, help="Remove the temporary directory afterwards.")
@click.option(
    "--serve",
    is_flag=True,
    help="Keep the hub and the simulators running and print a URL that signs the demo coach "
    "in to the web UI; Ctrl-C stops.",
)
@click.option("--port", type=int, default=0, help="Hub port with --serve (0: a free port).")
def demo(timeout: float, clean: bool, serve: bool, port: int) -> None:
    """One advice to four partners on a temporary SQLite, with live partner answers."""

    sys.exit(
        asyncio.run(run_demo(console(), answer_within=timeout, clean=clean, serve=serve, port=port))
    )
