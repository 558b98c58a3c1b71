"""`wijkhub escalations run|steering|notices`: the escalation ladder from cron and the shell."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click
from rich.console import Console

from wijkhub.hub.casework.escalation import (
    STEP_LABELS_NL,
    EscalationNotice,
    Step,
    list_steps,
    run_escalations,
)
from wijkhub.hub.cli.support import clock_for, settings_for, table
from wijkhub.hub.core.context import HubContext, build_context
from wijkhub.hub.core.settings import ConfigError

T = TypeVar("T")


def _run(ctx: click.Context, fn: Callable[[HubContext], Awaitable[T]]) -> T:
    settings = settings_for(ctx)
    clock = clock_for(ctx)

    async def go() -> T:
        hub = build_context(settings, clock=clock)
        try:
            return await fn(hub)
        finally:
            await hub.db.dispose()

    try:
        return asyncio.run(go())
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@click.group("escalations")
def escalations() -> None:
    """The escalation ladder for late milestones (config: escalation.toml)."""


@escalations.command("run")
@click.pass_context
def run(ctx: click.Context) -> None:
    """Fire every ladder step that is due (for cron; the server also runs this). Running it
    twice sends nothing twice."""
    res = _run(ctx, run_escalations)
    for f in res.fired:
        click.echo(f"{f.item_id}  {f.partner_id:<16} {f.milestone:<13} {STEP_LABELS_NL[f.step]}")
    Console().print(
        f"Stappen gezet: {len(res.fired)}; berichten aan partners in de wachtrij: "
        f"{res.messages_queued} (de bezorger van de hub verstuurt ze); "
        f"gesloten na intrekking: {res.closed}."
    )


def _print(rows: list[EscalationNotice], as_json: bool, title: str) -> None:
    if as_json:
        click.echo(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
        return
    cols = ("onderdeel", "team", "partner", "adviestype", "mijlpaal", "uiterlijk", "nu")
    out = table(*cols, whole=("onderdeel",), title=title)
    for r in rows:
        out.add_row(
            r.item_id.hex[:8],
            r.team,
            r.partner_name,
            r.advice_type,
            r.milestone_nl,
            f"{r.due_on:%d-%m-%Y}",
            {"open": "nog open", "met": "beantwoord", "closed": "vervallen"}[r.milestone_state],
        )
    Console().print(out)


@escalations.command("steering")
@click.option("--open", "open_only", is_flag=True, help="Only what is still open.")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
@click.pass_context
def steering(ctx: click.Context, open_only: bool, as_json: bool) -> None:
    """The steering group's report: items that climbed the whole ladder."""
    rows = _run(ctx, lambda hub: list_steps(hub, Step.steering_report, open_only=open_only))
    _print(rows, as_json, "Stuurgroep: escalaties")


@escalations.command("notices")
@click.option("--team", required=True, help="The team (as on the coach tokens).")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
@click.pass_context
def notices(ctx: click.Context, team: str, as_json: bool) -> None:
    """The team leader's notices of one team."""
    rows = _run(ctx, lambda hub: list_steps(hub, Step.team_leader, team=team))
    _print(rows, as_json, f"Meldingen voor de teamleider van {team}")
