"""`wijkhub bench`: the benchmark (bench/, installed as `wijkhub.bench`) with the same options
as `python -m bench`, so it runs from any directory once wijkhub is installed."""

import sys

import click

from wijkhub.bench import __main__ as bench_entry


@click.command()
@click.option("--quick", is_flag=True, help="Kleine aantallen, ongeveer een minuut: een rooktest.")
@click.option(
    "--repeats",
    type=click.IntRange(min=1),
    default=None,
    help="Herhalingen van elk cijfer (standaard 3, --quick 1); met mediaan en spreiding.",
)
@click.option("--tiny", is_flag=True, hidden=True)  # the test suite: every figure, fast
@click.option("--pg", metavar="URL", help="PostgreSQL-server (postgresql://gebruiker@host/db).")
@click.option(
    "--json",
    "json_path",
    metavar="PATH",
    default="bench-results.json",
    show_default=True,
    help="Waar de cijfers heen gaan (het log van de bench ernaast als .log).",
)
def bench(quick: bool, repeats: int | None, tiny: bool, pg: str | None, json_path: str) -> None:
    """Meet de hub in een eigen proces naast de limieten van deze machine (README, "Benchmarks")."""

    argv = ["--json", json_path]
    argv += ["--quick"] if quick else []
    argv += ["--tiny"] if tiny else []
    argv += ["--repeats", str(repeats)] if repeats else []
    argv += ["--pg", pg] if pg else []
    sys.exit(bench_entry.main(argv))
