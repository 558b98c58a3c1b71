"""CLI for the privacy officer and for cron: `wijkhub consents …`, `wijkhub log export`,
`wijkhub access-report`, `wijkhub retention purge`. Registered by `install` from cli.py.

These commands work on the database directly (like `wijkhub log verify`), with the hub's
configuration and key ring, so they need access to the data directory, not a token.
"""

import asyncio
import getpass
import json
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import ValidationError
from rich.console import Console

from wijkhub.hub.casework.expiry import expire_due
from wijkhub.hub.cli.support import clock_for, settings_for, table
from wijkhub.hub.core.context import HubContext, build_context
from wijkhub.hub.core.read_log import Reader
from wijkhub.hub.i18n import pydantic_message
from wijkhub.hub.reports import access_report
from wijkhub.hub.reports.consent_register import ConsentFilter, list_consents
from wijkhub.hub.reports.fhir_export import export
from wijkhub.hub.reports.log_export import EXPORT_CAP, log_entries, to_csv, to_logboek
from wijkhub.hub.reports.log_query import LogFilter
from wijkhub.hub.reports.retention import load_rules, purge

T = TypeVar("T")


def run_in_hub(ctx: click.Context, fn: Callable[[HubContext], Awaitable[T]]) -> T:
    settings = settings_for(ctx)
    clock = clock_for(ctx)

    async def go() -> T:
        hub = build_context(settings, clock=clock)
        try:
            return await fn(hub)
        finally:
            await hub.db.dispose()

    return asyncio.run(go())


def _client_id(value: str) -> str:
    try:
        return uuid.UUID(value).hex
    except ValueError:
        raise click.BadParameter("geen geldig cliënt-id (UUID)", param_hint="CLIENT_ID") from None


def _actor() -> str:
    return f"privacy_officer/cli:{getpass.getuser()}"


def write_output(text: str, out: str | None) -> None:
    if out:
        Path(out).write_text(text, encoding="utf-8")
        Console(stderr=True).print(f"Geschreven: {out}")
    else:
        click.echo(text, nl=not text.endswith("\n"))


@click.group("consents")
def consents_group() -> None:
    """Consents: list with filters, expire those past their end date, export as FHIR."""


@consents_group.command("list")
@click.option("--client", "client_id", default=None, help="Client id.")
@click.option("--partner", "partner_id", default=None)
@click.option("--status", type=click.Choice(["active", "withdrawn", "expired"]), default=None)
@click.option("--valid-on", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--limit", type=int, default=1000, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def consents_list(
    ctx: click.Context,
    client_id: str | None,
    partner_id: str | None,
    status: str | None,
    valid_on: datetime | None,
    limit: int,
    as_json: bool,
) -> None:

    f = ConsentFilter(
        client_id=_client_id(client_id) if client_id else None,
        partner_id=partner_id,
        status=status,  # type: ignore[arg-type]
        valid_on=valid_on.date() if valid_on else None,
        limit=limit,
    )
    consents = run_in_hub(ctx, lambda hub: list_consents(hub, f, Reader(_actor())))
    if as_json:
        click.echo(json.dumps([c.model_dump(mode="json") for c in consents], indent=2))
        return
    # Two ids per consent: one column, the client's above the consent's.
    out = table(
        "cliënt / toestemming",
        "partner",
        "doelen",
        "geldig",
        "status",
        whole=("cliënt / toestemming",),
    )
    for c in consents:
        out.add_row(
            f"{c.client_id}\n{c.id}",
            c.partner_id,
            ", ".join(c.purposes),
            f"{c.valid_from} – {c.valid_until or ''}",
            c.status.value,
        )
    Console().print(out)


@consents_group.command("expire")
@click.pass_context
def consents_expire(ctx: click.Context) -> None:
    """Expire every consent past its end date (for cron; the server also runs this)."""

    res = run_in_hub(ctx, expire_due)
    Console().print(
        f"Verlopen: {len(res.expired)} toestemmingen; intrekkingen in de wachtrij: "
        f"{res.notices_queued} (de bezorger van de hub verstuurt ze)."
    )


@consents_group.command("fhir")
@click.argument("client_id")
@click.option("--version", "version", type=click.Choice(["R4", "R5"]), default="R4")
@click.option("--out", default=None, type=click.Path(dir_okay=False))
@click.pass_context
def consents_fhir(ctx: click.Context, client_id: str, version: str, out: str | None) -> None:
    """A client's consents as a FHIR Bundle of Consent resources."""

    cid = _client_id(client_id)
    bundle = run_in_hub(ctx, lambda hub: export(hub, cid, Reader(_actor()), version))  # type: ignore[arg-type]
    write_output(json.dumps(bundle, indent=2, ensure_ascii=False) + "\n", out)


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "logboek"]), default="csv")
@click.option("--client", "data_subject_id", default=None)
@click.option("--partner", "partner_id", default=None)
@click.option("--name", default=None, help="e.g. delivery.advice, advice_item.decide")
@click.option("--outcome", default=None, help="e.g. delivered, refused, withdrawn")
@click.option("--trace", "trace_id", default=None)
@click.option("--since", default=None, help="ISO time with offset")
@click.option("--until", default=None, help="ISO time with offset")
@click.option("--out", default=None, type=click.Path(dir_okay=False))
@click.pass_context
def log_export(ctx: click.Context, fmt: str, out: str | None, **filters: Any) -> None:
    """Export filtered log entries as CSV or in the Logboek Dataverwerkingen shape."""

    try:
        f = LogFilter.model_validate({k: v for k, v in filters.items() if v is not None})
    except ValidationError as exc:
        err = exc.errors()[0]
        option = "--" + str(err["loc"][0]).replace("_", "-") if err["loc"] else None
        raise click.BadParameter(pydantic_message(err), param_hint=option) from None
    rows = run_in_hub(ctx, lambda hub: log_entries(hub, f, EXPORT_CAP, Reader(_actor())))
    if fmt == "csv":
        write_output(to_csv(rows), out)
    else:
        write_output(json.dumps(to_logboek(rows), indent=2, ensure_ascii=False) + "\n", out)


@click.command("access-report")
@click.argument("client_id")
@click.option("--html", "as_html", is_flag=True, help="The readable Dutch document.")
@click.option("--out", default=None, type=click.Path(dir_okay=False))
@click.pass_context
def access_report_cmd(ctx: click.Context, client_id: str, as_html: bool, out: str | None) -> None:
    """Access report for one client (AVG article 15) as JSON, or HTML for the client."""

    cid = _client_id(client_id)
    report = run_in_hub(ctx, lambda hub: access_report.build(hub, cid, Reader(_actor())))
    write_output(
        access_report.render_html(report) if as_html else report.model_dump_json(indent=2), out
    )


@click.group("retention")
def retention_group() -> None:
    """Retention: purge personal data past its period (config: retention.toml)."""


@retention_group.command("purge")
@click.option("--dry-run", is_flag=True, help="Only say what would be purged.")
@click.pass_context
def retention_purge(ctx: click.Context, dry_run: bool) -> None:

    async def go(hub: HubContext) -> Any:
        if load_rules(hub) is None:
            return None
        return await purge(hub, dry_run=dry_run)

    report = run_in_hub(ctx, go)
    console = Console()
    if report is None:
        console.print(
            "[red]Geen retention.toml in de configuratiemap: er is niets verwijderd.[/red]"
        )
        sys.exit(1)
    verb = "Zou verwijderen" if dry_run else "Verwijderd"
    console.print(
        f"{verb}: adviesinhoud van {len(report.advice_content)} adviezen, partnerberichten van "
        f"{len(report.partner_messages)} adviezen, gegevens van {len(report.clients)} cliënten, "
        f"tekst van {len(report.goals)} doelen in huishoudplannen, "
        f"{sum(report.web.values())} verlopen websessies, aanmeldlinks en aanmeldverzoeken."
    )
    if report.compacted is False:
        console.print(
            "Let op: het WAL-bestand kon nog niet worden ingekort (een lezer was actief)."
        )
