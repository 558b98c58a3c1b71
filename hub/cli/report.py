"""`wijkhub report chain`: the chain report as CSV or JSON, straight from the database (like
the privacy officer's commands: it needs the data directory, not a token). Registered with
one `main.add_command` line in cli.py.
"""

from datetime import date, datetime

import click
from pydantic import ValidationError

from wijkhub.hub.cli.privacy import run_in_hub, write_output
from wijkhub.hub.core.clock import local_date
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.i18n import pydantic_message
from wijkhub.hub.reports.chain_report import ReportQuery, build, default_range, to_csv

DATE = click.DateTime(["%Y-%m-%d"])


@click.group("report")
def report() -> None:
    """Reports without personal data."""


@report.command("chain")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option("--from", "from_", type=DATE, default=None, help="First delivery date (inclusive).")
@click.option("--until", type=DATE, default=None, help="Last delivery date (inclusive).")
@click.option(
    "--period", type=click.Choice(["month", "quarter", "range"]), default="month", show_default=True
)
@click.option("--team", default=None, help="Only this team's items (default: all teams).")
@click.option("--out", default=None, help="Write to this file instead of standard output.")
@click.pass_context
def chain(
    ctx: click.Context,
    fmt: str,
    from_: datetime | None,
    until: datetime | None,
    period: str,
    team: str | None,
    out: str | None,
) -> None:
    """Time to first answer, decision and execution, overdue share, adoption, rejection
    reasons and escalations per partner, advice type and period (docs/chain-report.md)."""

    async def go(hub: HubContext) -> str:
        start, end = default_range(local_date(hub.clock.now()))
        bounds: dict[str, date] = {
            "from": from_.date() if from_ else start,
            "until": until.date() if until else end,
        }
        try:
            query = ReportQuery.model_validate({**bounds, "period": period})
        except ValidationError as exc:
            raise click.BadParameter(
                pydantic_message(exc.errors()[0]), param_hint="--from/--until"
            ) from None
        report = await build(hub, query, team)
        return to_csv(report) if fmt == "csv" else report.model_dump_json(indent=2) + "\n"

    write_output(run_in_hub(ctx, go), out)
