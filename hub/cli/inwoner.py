"""`wijkhub inwoner-code CLIENT_ID`: a one-time code for the inwoner's own page, printed as
the Dutch letter (or the text message) to hand over. Works on the database directly, like
`wijkhub access-report`, so it needs the data directory, not a token."""

import getpass
import uuid

import click

from wijkhub.hub.cli.group import BadInput
from wijkhub.hub.cli.privacy import run_in_hub
from wijkhub.hub.core import read_log
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import ApiError
from wijkhub.hub.records import clients, inwoner_codes
from wijkhub.hub.reports import inwoner_letter


@click.command("inwoner-code")
@click.argument("client_id")
@click.option("--team", default=None, help="Only a client of this team (as a coach would).")
@click.option(
    "--url",
    "base_url",
    default=None,
    help="Where inwoners reach the hub (default: public_url in inwoner.toml, else host:port).",
)
@click.option("--sms", "as_sms", is_flag=True, help="The text message instead of the letter.")
@click.pass_context
def inwoner_code(
    ctx: click.Context, client_id: str, team: str | None, base_url: str | None, as_sms: bool
) -> None:
    """Make a one-time code for CLIENT_ID and print the letter with it."""
    try:
        cid = uuid.UUID(client_id).hex
    except ValueError:
        raise click.BadParameter("geen geldig cliënt-id (UUID)", param_hint="CLIENT_ID") from None

    async def go(hub: HubContext) -> str:
        actor = f"admin/cli:{getpass.getuser()}"
        client = await clients.get(hub, cid, read_log.Reader(actor), team=team)
        issued = await inwoner_codes.issue(hub, cid, actor, team=team)
        s = hub.settings
        base = base_url or inwoner_codes.settings(hub).public_url or f"http://{s.host}:{s.port}"
        if as_sms:
            return inwoner_letter.sms(issued.code, issued.expires_at, base)
        name = f"{client.given_names} {client.family_name}"
        return inwoner_letter.letter(name, issued.code, issued.expires_at, base)

    try:
        click.echo(run_in_hub(ctx, go))
    except ApiError as exc:
        raise BadInput(exc.message) from None
