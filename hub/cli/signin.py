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
from wijkhub.hub.web import config
from wijkhub.hub.web.session import ROLE_LABELS, TEAM_BOUND, SigninError, create_signin_link

WEB_ROLES = [r for r in config.HUB_ROLES if r in ROLE_LABELS]
# The role by its Dutch name too (wijkcoach, teamleider, ...): what the sign-in page tells.
BY_NAME = {**{ROLE_LABELS[r]: r for r in WEB_ROLES}, **{r: r for r in WEB_ROLES}}


@click.command("signin-link")
@click.option(
    "--role",
    required=True,
    type=click.Choice(list(BY_NAME)),
    help="De rol: wijkcoach, teammanager, clustermanager, teamleider, privacyfunctionaris of "
    "beheerder (of hun namen in de configuratie: coach, team_manager, ...).",
)
@click.option(
    "--team",
    default=None,
    help="Het team (bijvoorbeeld velve-lindenhof); verplicht voor coach, managers en "
    "teamleider, niet voor de andere rollen.",
)
@click.option(
    "--name",
    "label",
    default=None,
    help="De naam van wie zich aanmeldt, zoals die in de webomgeving staat; dezelfde naam is "
    "dezelfde persoon (vier ogen). Standaard: de rol en het team.",
)
@click.option(
    "--minutes",
    type=click.IntRange(1, 24 * 60),
    default=None,
    help="Hoeveel minuten de link geldig is (standaard: signin_link_minutes in web.toml).",
)
@click.option(
    "--url",
    "base_url",
    default=None,
    help="Waar de hub te bereiken is (standaard: host en poort uit wijkhub.toml).",
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
    """Maak een eenmalige aanmeldlink voor de webomgeving (zonder identiteitsprovider)."""
    role = BY_NAME[role]
    if role in TEAM_BOUND and not team:
        raise click.BadParameter(
            f"een {ROLE_LABELS[role]} hoort bij een team: geef --team", param_hint="--team"
        )
    if role not in TEAM_BOUND and team:
        raise click.BadParameter(
            f"een {ROLE_LABELS[role]} hoort niet bij één team: laat --team weg",
            param_hint="--team",
        )
    if team and not TEAM.match(team):
        raise click.BadParameter(
            "alleen kleine letters, cijfers en streepjes (bijvoorbeeld velve-lindenhof)",
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
    click.echo(f"Eenmalige aanmeldlink voor {name} ({ROLE_LABELS[role]}), {valid} minuten geldig:")
    click.echo(link)
