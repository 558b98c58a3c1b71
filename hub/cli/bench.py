"""`wijkhub bench`: the benchmark (bench/, installed as `wijkhub.bench`) with the same options
as `python -m bench`, so it runs from any directory once wijkhub is installed."""

import sys

import click

from wijkhub.bench import __main__ as bench_entry


@click.command()
@click.option("--quick", is_flag=True, help="Small numbers, about a minute: a smoke test.")
@click.option(
    "--repeats",
    type=click.IntRange(min=1),
    default=None,
    help="Repeats of each figure (default 3, --quick 1); with median and spread.",
)
@click.option("--tiny", is_flag=True, hidden=True)  # the test suite: every figure, fast
@click.option("--pg", metavar="URL", help="PostgreSQL server (postgresql://user@host/db).")
@click.option(
    "--json",
    "json_path",
    metavar="PATH",
    default="bench-results.json",
    show_default=True,
    help="Where the figures go (the bench's log beside it as .log).",
)
def bench(quick: bool, repeats: int | None, tiny: bool, pg: str | None, json_path: str) -> None:
    """Measure the hub in its own process beside this machine's limits (README, "Benchmarks")."""

    argv = ["--json", json_path]
    argv += ["--quick"] if quick else []
    argv += ["--tiny"] if tiny else []
    argv += ["--repeats", str(repeats)] if repeats else []
    argv += ["--pg", pg] if pg else []
    sys.exit(bench_entry.main(argv))
