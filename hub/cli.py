"""The `wijkhub` command."""

import asyncio
import contextlib
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncConnection

from . import auth
from .cli_support import T, clock_for, run_with_db, settings_for
from .db import Database, upgrade
from .plugin_info import describe
from .plugins import load_registry
from .processing_log import VerifyResult, verify


def _console() -> Console:
    # Built per command so the terminal width (COLUMNS) is read when the command runs.
    return Console()


@click.group()
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False),
    envvar="WIJKHUB_CONFIG",
    help="Settings file (TOML); see config/wijkhub.toml.",
)
@click.pass_context
def main(ctx: click.Context, config: str | None) -> None:
    """Wijkhub: one deskundigenadvies, each partner its own slice."""
    ctx.ensure_object(dict)
    ctx.obj["config"] = config


@main.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the data directory, key ring and database, and print a new admin token."""
    from .partner_secrets import ensure_partner_secrets
    from .runtime import copy_example_config, prepare

    settings = settings_for(ctx)
    written = copy_example_config(settings)
    secrets_made = ensure_partner_secrets(settings.config_path)

    asyncio.run(prepare(settings))
    token = _in_transaction(
        ctx, lambda conn: auth.create_token(conn, "admin", "init", clock_for(ctx).now())
    )
    _console().print(f"Database: {settings.db_url}\nSleutelbos: {settings.keyring_path} (0600)")
    _console().print(
        f"Configuratie: {settings.config_path}"
        + (f" (voorbeelden gekopieerd: {len(written)})" if written else "")
    )
    for path in secrets_made:
        _console().print(f"Partnergeheim aangemaakt: {path} (0600; geef het de partner veilig)")
    _console().print(f"Admin-token (wordt maar één keer getoond):\n{token}")


@main.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Apply all migrations."""
    settings = settings_for(ctx)
    asyncio.run(upgrade(settings.db_url))
    _console().print("Schema bijgewerkt.")


@main.command()
@click.option("--host", default=None)
@click.option("--port", type=int, default=None)
@click.option("--no-worker", is_flag=True, help="API only; run deliveries elsewhere.")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, no_worker: bool) -> None:
    """Run the HTTP API and the delivery worker."""
    from .ops_cli import until_signalled
    from .runtime import start

    settings = settings_for(ctx)

    async def go() -> None:
        hub = await start(
            settings, clock=clock_for(ctx), run_worker=not no_worker, host=host, port=port
        )
        _console().print(f"Wijkhub luistert op {hub.url} (OpenAPI: {hub.url}/api/v1/openapi.json)")
        try:
            # SIGTERM/SIGINT end the wait, so the worker finishes or releases its rows.
            await until_signalled()
        finally:
            await hub.close()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(go())


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def plugins(as_json: bool) -> None:
    """List partner types, their advice types, data categories and format versions."""
    registry = load_registry()
    info = describe(registry)
    if as_json:
        click.echo(json.dumps({"partner_types": info, "failed": registry.failed}, indent=2))
        return
    for pt in info:
        table = Table(
            title=f"{pt['partner_type']} — {pt['title']} ({pt['plugin']})",
            caption=f"verzoek: {pt['request_format']}; status: {pt['status_format']}",
        )
        for col in ("adviestype", "verplicht", "optioneel", "termijn"):
            table.add_column(col)
        for a in pt["advice_types"]:
            term = a["deadline"] + (
                f" (urgent: {a['urgent_deadline']})" if a["urgent_deadline"] else ""
            )
            table.add_row(
                a["name"],
                ", ".join(a["required_categories"]),
                ", ".join(a["optional_categories"]),
                term,
            )
        _console().print(table)
    for name, err in registry.failed.items():
        _console().print(f"[red]Plugin {name} kon niet worden geladen: {err}[/red]")


@main.group()
def schemas() -> None:
    """The partner-neutral contract as JSON Schema."""


@schemas.command("export")
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Target folder (default: schemas/json in the source tree).",
)
@click.option("--check", is_flag=True, help="Fail if the files differ instead of writing.")
def schemas_export(out: str | None, check: bool) -> None:
    """Write (or --check) the JSON Schemas of the contract models."""
    from wijkhub.schemas.export import export

    target = Path(out) if out else Path(__file__).resolve().parent.parent / "schemas" / "json"
    stale = export(target, check=check)
    if check and stale:
        _console().print(
            f"[red]Verouderd: {', '.join(stale)}[/red] — draai `wijkhub schemas export`"
        )
        sys.exit(1)
    _console().print(f"{'Gecontroleerd' if check else 'Geschreven'}: {target}")


@main.group()
def tokens() -> None:
    """API tokens (stored hashed)."""


def _in_transaction(ctx: click.Context, fn: Callable[[AsyncConnection], Awaitable[T]]) -> T:
    async def go(db: Database) -> T:
        async with db.write() as conn:
            return await fn(conn)

    return run_with_db(settings_for(ctx), go)


@tokens.command("create")
@click.option(
    "--role",
    required=True,
    help="coach, team_manager, cluster_manager, team_leader, privacy_officer, admin or "
    "partner:<id>",
)
@click.option("--label", required=True)
@click.option(
    "--team",
    default=None,
    help="Required for team roles (coach, managers, team leader): their team.",
)
@click.pass_context
def tokens_create(ctx: click.Context, role: str, label: str, team: str | None) -> None:
    try:
        kind, _ = auth.parse_role(role)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--role") from None
    if (kind in auth.TEAM_ROLES) != (team is not None) or (team and not auth.TEAM.match(team)):
        raise click.BadParameter(
            "coach and manager tokens need a --team (e.g. velve-lindenhof); other roles have none",
            param_hint="--team",
        )
    token = _in_transaction(
        ctx,
        lambda conn: auth.create_token(conn, role, label, clock_for(ctx).now(), team),
    )
    click.echo(token)


@tokens.command("list")
@click.pass_context
def tokens_list(ctx: click.Context) -> None:
    rows = _in_transaction(ctx, auth.list_tokens)
    table = Table("rol", "partner", "label", "aangemaakt", "ingetrokken")
    table.add_column("id", no_wrap=True)
    for r in rows:
        revoked = r["revoked_at"]
        table.add_row(
            r["role"],
            r["partner_id"] or "",
            r["label"],
            f"{r['created_at']:%Y-%m-%d %H:%M}",
            f"{revoked:%Y-%m-%d %H:%M}" if revoked else "",
            r["id"],
        )
    _console().print(table)


@tokens.command("revoke")
@click.argument("token_id")
@click.pass_context
def tokens_revoke(ctx: click.Context, token_id: str) -> None:
    ok = _in_transaction(
        ctx,
        lambda conn: auth.revoke_token(conn, token_id, clock_for(ctx).now()),
    )
    if not ok:
        _console().print(f"[red]Geen actief token met id {token_id}[/red]")
        sys.exit(1)
    _console().print("Ingetrokken.")


@main.group("log")
def log_group() -> None:
    """The processing log (verwerkingenlog)."""


@log_group.command("verify")
@click.pass_context
def log_verify(ctx: click.Context) -> None:
    """Check the whole hash chain; name the first broken entry."""

    async def go(db: Database) -> VerifyResult:
        async with db.read() as conn:
            return await verify(conn)

    res = run_with_db(settings_for(ctx), go)
    if res.ok:
        _console().print(f"Verwerkingenlog intact: {res.checked} regels gecontroleerd.")
    else:
        _console().print(
            f"[red]Verwerkingenlog gebroken bij regel {res.first_broken_seq}: {res.problem}[/red]"
        )
        sys.exit(1)


@main.command()
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
    from .demo import run_demo

    sys.exit(
        asyncio.run(
            run_demo(_console(), answer_within=timeout, clean=clean, serve=serve, port=port)
        )
    )


# The privacy officer's and cron's commands: consents, access-report, retention, log export.
from .privacy_cli import install as _install_privacy_cli  # noqa: E402

_install_privacy_cli(main, log_group)

# Scale-out: `wijkhub worker` (delivery only) and `wijkhub deliveries dead|replay`.
from .ops_cli import deliveries as _deliveries  # noqa: E402
from .ops_cli import worker as _worker  # noqa: E402

main.add_command(_worker)
main.add_command(_deliveries)

# Encryption keys: `wijkhub keys rotate|reencrypt|status|retire`.
from .cli_keys import keys as _keys  # noqa: E402

main.add_command(_keys)

# The chain report: `wijkhub report chain`.
from .chain_report_cli import report as _report  # noqa: E402

main.add_command(_report)

# The escalation ladder: `wijkhub escalations run|steering|notices`.
from .escalation_cli import escalations as _escalations  # noqa: E402

main.add_command(_escalations)

# Benchmarks: `wijkhub bench [--quick] [--pg URL] [--json PATH]`.
from .cli_bench import bench as _bench  # noqa: E402

main.add_command(_bench)
