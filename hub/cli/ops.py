"""`wijkhub worker` and `wijkhub deliveries dead|replay|policy`: scale-out, dead-letter
handling and the retry policy in figures."""

import asyncio
import contextlib
import getpass
import json
import signal
import sys
from datetime import timedelta
from typing import Any

import aiohttp
import click
from aiohttp import web
from rich.console import Console
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from wijkhub.hub.api import ops as ops_http
from wijkhub.hub.api.ops import schema_head
from wijkhub.hub.casework.dead_letters import list_dead, replay
from wijkhub.hub.cli.support import clock_for, run_with_db, settings_for, table
from wijkhub.hub.core import retry_policy
from wijkhub.hub.core.context import CTX, ConfigError, build_context
from wijkhub.hub.core.db import Database
from wijkhub.hub.core.settings import Settings
from wijkhub.hub.core.worker_id import claim as claim_worker_id
from wijkhub.hub.path.delivery import DeliveryWorker


def _settings(ctx: click.Context, **worker: Any) -> Settings:
    """The command's settings, with worker options from the command line on top."""
    settings = settings_for(ctx)
    if worker:
        settings = settings.model_copy(update={"worker": settings.worker.model_copy(update=worker)})
    return settings


async def until_signalled() -> None:
    """Wait for SIGTERM or SIGINT (so `finally` blocks run: the worker releases its rows)."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


@click.command()
@click.option(
    "--id",
    "worker_id",
    default=None,
    help="Stable worker name: a restart under it takes back its rows at once. Unique per "
    "process (default: from host and data dir, one per running process).",
)
@click.option("--metrics-port", type=int, default=None, help="Serve /metrics and /health here.")
@click.option("--metrics-host", default="127.0.0.1", show_default=True)
@click.pass_context
def worker(
    ctx: click.Context, worker_id: str | None, metrics_port: int | None, metrics_host: str
) -> None:
    """Run only the delivery worker (no API). Run as many as you like against one PostgreSQL."""

    settings = _settings(ctx, **({"id": worker_id} if worker_id else {}))

    async def go() -> None:
        hub = build_context(settings, clock=clock_for(ctx))
        problem = await _schema_problem(hub.db)
        if problem:
            await hub.db.dispose()
            raise click.ClickException(problem)
        runner = None
        try:
            identity = claim_worker_id(settings)
        except ConfigError as exc:
            await hub.db.dispose()
            raise click.ClickException(str(exc)) from None
        async with aiohttp.ClientSession() as session:
            w = DeliveryWorker(hub, session, owner=identity.id)
            if metrics_port is not None:
                app = web.Application()
                app[CTX] = hub
                app[ops_http.METRICS] = w.metrics

                async def health(_: web.Request) -> web.Response:
                    return web.json_response({"status": "ok"})

                app.router.add_get("/health", health)
                ops_http.install(app)
                runner = web.AppRunner(app, access_log=None)
                await runner.setup()
                site = web.TCPSite(runner, metrics_host, metrics_port)
                await site.start()
                port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
                click.echo(f"metrics: http://{metrics_host}:{port}/metrics", err=True)
            task = asyncio.create_task(w.run())
            click.echo(f"Wijkhub-worker {w.owner} gestart.", err=True)
            try:
                signalled = asyncio.create_task(until_signalled())
                await asyncio.wait({task, signalled}, return_when=asyncio.FIRST_COMPLETED)
                signalled.cancel()
            finally:
                w.stop()
                with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(task, settings.worker.shutdown_grace + 5)
                if runner:
                    await runner.cleanup()
                await hub.db.dispose()
                identity.release()
        click.echo(f"Wijkhub-worker {w.owner} gestopt.", err=True)

    asyncio.run(go())


async def _schema_problem(db: Database) -> str | None:
    """None when the schema is at the newest migration; otherwise what is wrong, in Dutch.
    A database that cannot be reached is not reported as an outdated schema."""

    outdated = "Het databaseschema is niet bijgewerkt: draai eerst `wijkhub db upgrade`."
    try:
        async with db.read() as conn:
            rev = await conn.scalar(text("SELECT version_num FROM alembic_version"))
    except DBAPIError as exc:
        if "alembic_version" in str(exc.orig):
            return outdated
        return f"De database is niet bereikbaar: {str(exc.orig).splitlines()[0][:200]}"
    except OSError as exc:
        return f"De database is niet bereikbaar: {exc}"
    return None if rev == schema_head() else outdated


@click.group()
def deliveries() -> None:
    """The outbox: dead letters, replay, and the retry policy."""


def _wait_nl(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:g} s"
    return retry_policy.dutch_duration(timedelta(seconds=round(seconds)))


@deliveries.command("policy")
@click.pass_context
def deliveries_policy(ctx: click.Context) -> None:
    """The retry schedule of these settings and how long a delivery keeps trying (its budget)
    before it becomes a dead letter."""
    cfg = _settings(ctx).worker
    waits = retry_policy.schedule(cfg)
    least, most = retry_policy.budget(cfg)
    hours = f"{least.total_seconds() / 3600:.1f}".replace(".", ",")
    out = table("na poging", "wachttijd", "volgende poging na", title="Schema van nieuwe pogingen")
    for w in waits:
        out.add_row(str(w.after_attempt), _wait_nl(w.seconds), _wait_nl(w.at))
    out_console = Console()  # wraps the sentences to the terminal, like the table
    out_console.print(out)
    out_console.print("(zonder spreiding)")
    out_console.print(
        f"Pogingen: {cfg.max_attempts}; wachttijd begint bij {cfg.backoff_initial:g} s, "
        f"verdubbelt en is ten hoogste {_wait_nl(cfg.backoff_max)}, plus ten hoogste "
        f"{cfg.backoff_jitter:g} s spreiding."
    )
    out_console.print(
        f"Totaal budget: {retry_policy.dutch_duration(least)} ({hours} uur)"
        + (
            f", met spreiding ten hoogste {retry_policy.dutch_duration(most)}"
            if most != least
            else ""
        )
        + "."
    )
    out_console.print(
        "Daarna wordt een bericht onbestelbaar: de coach en de teamleider krijgen een melding, "
        "en zodra de partner weer bereikbaar is biedt de hub het opnieuw aan."
        if cfg.replay_dead_on_recovery
        else "Daarna wordt een bericht onbestelbaar: de coach en de teamleider krijgen een "
        "melding; opnieuw aanbieden gaat met `wijkhub deliveries replay`."
    )


@deliveries.command("dead")
@click.option("--partner", default=None, help="Only this partner id.")
@click.option("--limit", type=int, default=1000, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def deliveries_dead(ctx: click.Context, partner: str | None, limit: int, as_json: bool) -> None:
    """List dead letters: id, partner, kind, attempts, last error, when (no personal data)."""

    async def q(db: Database) -> list[Any]:
        async with db.read() as conn:
            return await list_dead(conn, partner, limit)

    rows = run_with_db(_settings(ctx), q)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in rows], indent=2))
        return
    out = table(
        "id",
        "partner",
        "soort",
        "pogingen",
        "laatste fout",
        "sinds",
        whole=("id", "sinds"),
        title=f"Onbestelbaar: {len(rows)}",
    )
    for r in rows:
        out.add_row(
            r.id,
            r.partner_id,
            r.kind,
            str(r.attempts),
            r.last_error or "",
            f"{r.updated_at:%Y-%m-%d %H:%M}",
        )
    Console().print(out)


@deliveries.command("replay")
@click.argument("ids", nargs=-1)
@click.option("--partner", default=None, help="Replay this partner's dead letters.")
@click.option("--all", "everything", is_flag=True, help="Replay every dead letter.")
@click.pass_context
def deliveries_replay(
    ctx: click.Context, ids: tuple[str, ...], partner: str | None, everything: bool
) -> None:
    """Put dead letters back in the queue (same idempotency key, attempts from 0).

    Give ids, --partner, or --all. Each replay is recorded in the processing log.
    """

    if not (ids or partner or everything):
        raise click.UsageError("Geef ids, --partner of --all.")
    actor = f"cli:{getpass.getuser()}"
    done = run_with_db(
        _settings(ctx),
        lambda db: replay(db, clock_for(ctx).now(), actor, ids=list(ids) or None, partner=partner),
    )
    missing = sorted(set(ids) - set(done))
    click.echo(f"Opnieuw in de wachtrij: {len(done)}")
    for d in done:
        click.echo(d)
    if missing:
        click.echo(f"Niet onbestelbaar (of onbekend): {', '.join(missing)}", err=True)
        sys.exit(1)
