"""`wijkhub plugins` and `schemas export`: what the installed hub speaks."""

import json
import sys
from pathlib import Path

import click
from rich.padding import Padding

from wijkhub.hub.cli.support import console
from wijkhub.hub.plugin_api.info import describe
from wijkhub.hub.plugin_api.manager import load_registry
from wijkhub.schemas.categories import CATEGORY_LABELS_NL, DataCategory
from wijkhub.schemas.export import export

IN, IN2 = (0, 0, 0, 2), (0, 0, 0, 4)  # indents that wrapped lines keep


def categories(codes: list[str]) -> str:
    return ", ".join(CATEGORY_LABELS_NL[DataCategory(c)] for c in codes)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def plugins(as_json: bool) -> None:
    """List partner types, their advice types, data categories and format versions."""
    registry = load_registry()
    info = describe(registry)
    if as_json:
        click.echo(json.dumps({"partner_types": info, "failed": registry.failed}, indent=2))
        return
    out = console()
    for pt in info:
        # A list rather than a table: four columns of Dutch labels do not fit 80 columns.
        out.print(f"[bold]{pt['title']}[/bold] ({pt['partner_type']}, plugin {pt['plugin']})")
        out.print(Padding(f"verzoek: {pt['request_format']}; status: {pt['status_format']}", IN))
        for a in pt["advice_types"]:
            term = a["deadline"] + (
                f" (urgent: {a['urgent_deadline']})" if a["urgent_deadline"] else ""
            )
            out.print()
            # The code in brackets is the name the settings files use.
            out.print(Padding(f"{a['title']} ({a['name']})", IN))
            out.print(Padding(f"termijn: {term}", IN2))
            out.print(Padding(f"verplicht: {categories(a['required_categories'])}", IN2))
            out.print(Padding(f"optioneel: {categories(a['optional_categories']) or 'geen'}", IN2))
        out.print()
    for name, err in registry.failed.items():
        out.print(f"[red]Plugin {name} kon niet worden geladen: {err}[/red]")


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
