"""`wijkhub signin-link --role … --team …`: a one-time link into the web UI for any role,
for a hub without an identity provider (OIDC). The link is single use, short-lived and its
making is logged; only its hash is stored. Works on the database directly, like
`wijkhub inwoner-code`, so it needs the data directory, not a token."""

import getpass
from datetime import timedelta

import click

from wijkhub.hub.cli.privacy import run_in_hub
from wijkhub.hub.core.auth import TEAM
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.i18n import gettext
from wijkhub.hub.web import config
from wijkhub.hub.web.session import ROLE_LABELS, TEAM_BOUND, SigninError, create_signin_link

WEB_ROLES = [r for r in config.HUB_ROLES if r in ROLE_LABELS]
# The role by its Dutch name too (wijkcoach, teamleider, ...): what the sign-in page tells.
BY_NAME = {**{ROLE_LABELS[r]: r for r in WEB_ROLES}, **{r: r for r in WEB_ROLES}}


@click.command(
    "signin-link",
    help=gettext("Make a one-time sign-in link for the web UI (without an identity provider)."),
)
@click.option(
    "--role",
    required=True,
    type=click.Choice(list(BY_NAME)),
    metavar=gettext("ROLE"),
    help=gettext(
        "The role: wijkcoach, teammanager, clustermanager, teamleider, "
        "privacyfunctionaris or beheerder (or their names in the configuration: coach, "
        "team_manager, ...)."
    ),
)
@click.option(
    "--team",
    default=None,
    metavar=gettext("TEAM"),
    help=gettext(
        "The team (for example velve-lindenhof); required for coach, managers and team "
        "leader, not for the other roles."
    ),
)
@click.option(
    "--name",
    "label",
    default=None,
    metavar=gettext("NAME"),
    help=gettext(
        "The name of whoever signs in, as the web UI shows it; the same name is the same "
        "person (four eyes). Default: the role and the team."
    ),
)
@click.option(
    "--minutes",
    type=click.IntRange(1, 24 * 60),
    default=None,
    help=gettext("How many minutes the link is valid (default: signin_link_minutes in web.toml)."),
)
@click.option(
    "--url",
    "base_url",
    default=None,
    help=gettext("Where the hub can be reached (default: host and port from wijkhub.toml)."),
)
@click.pass_context
def signin_link(
    ctx: click.Context,
    role: str,
    team: str | None,
    label: str | None,
    minutes: int | None,
    base_url: str | None,
) -> None:
    role = BY_NAME[role]
    if role in TEAM_BOUND and not team:
        raise click.BadParameter(
            gettext("a {role} belongs to a team: give --team").format(role=ROLE_LABELS[role]),
            param_hint="--team",
        )
    if role not in TEAM_BOUND and team:
        raise click.BadParameter(
            gettext("a {role} does not belong to one team: leave out --team").format(
                role=ROLE_LABELS[role]
            ),
            param_hint="--team",
        )
    if team and not TEAM.match(team):
        raise click.BadParameter(
            gettext("only lowercase letters, digits and dashes (for example velve-lindenhof)"),
            param_hint="--team",
        )
    name = label or f"{ROLE_LABELS[role]} {team or ''}".strip()

    async def go(hub: HubContext) -> tuple[str, int]:
        s = hub.settings
        ttl = timedelta(minutes=minutes) if minutes else None
        link = await create_signin_link(
            hub,
            role,
            team,
            name,
            base_url or f"http://{s.host}:{s.port}",
            ttl=ttl,
            issued_by=f"admin/cli:{getpass.getuser()}",
        )
        return link, minutes or int(config.load(s.config_path).signin_link_minutes)

    try:
        link, valid = run_in_hub(ctx, go)
    except SigninError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        gettext("One-time sign-in link for {name} ({role}), valid for {minutes} minutes:").format(
            name=name, role=ROLE_LABELS[role], minutes=valid
        )
    )
    click.echo(link)
