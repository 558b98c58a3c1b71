"""`wijkhub plugins` and `schemas export`: what the installed hub speaks."""

import json
import sys
from pathlib import Path

import click

from wijkhub.hub.cli.support import console, table
from wijkhub.hub.plugin_api.info import describe
from wijkhub.hub.plugin_api.manager import load_registry
from wijkhub.schemas.export import export


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def plugins(as_json: bool) -> None:
    """List partner types, their advice types, data categories and format versions."""
    registry = load_registry()
    info = describe(registry)
    if as_json:
        click.echo(json.dumps({"partner_types": info, "failed": registry.failed}, indent=2))
        return
    for pt in info:
        out = table(
            "adviestype",
            "verplicht",
            "optioneel",
            "termijn",
            whole=("adviestype", "verplicht", "optioneel"),
            title=f"{pt['partner_type']} — {pt['title']} ({pt['plugin']})",
            caption=f"verzoek: {pt['request_format']}; status: {pt['status_format']}",
        )
        for a in pt["advice_types"]:
            term = a["deadline"] + (
                f" (urgent: {a['urgent_deadline']})" if a["urgent_deadline"] else ""
            )
            out.add_row(
                a["name"],
                "\n".join(a["required_categories"]),
                "\n".join(a["optional_categories"]),
                term,
            )
        console().print(out)
    for name, err in registry.failed.items():
        console().print(f"[red]Plugin {name} kon niet worden geladen: {err}[/red]")


@click.group()
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

    target = Path(out) if out else Path(__file__).resolve().parent.parent / "schemas" / "json"
    stale = export(target, check=check)
    if check and stale:
        console().print(
            f"[red]Verouderd: {', '.join(stale)}[/red] — draai `wijkhub schemas export`"
        )
        sys.exit(1)
    console().print(f"{'Gecontroleerd' if check else 'Geschreven'}: {target}")
