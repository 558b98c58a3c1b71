"""`wijkhub tokens create|list|revoke`: API tokens bound to a role."""

from datetime import timedelta

import click

from wijkhub.hub.cli.group import BadInput
from wijkhub.hub.cli.privacy import run_in_hub
from wijkhub.hub.cli.support import clock_for, console, in_transaction, settings_for, table
from wijkhub.hub.core import auth, people
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.partners import configured_ids
from wijkhub.hub.i18n import gettext


@click.group()
def tokens() -> None:
    """API tokens (stored hashed)."""


@tokens.command("create")
@click.option(
    "--role",
    required=True,
    help="coach, team_manager, cluster_manager, team_leader, privacy_officer, admin or "
    "partner:<id>",
)
@click.option("--label", required=True, help="A name to recognise the token by in the list.")
@click.option(
    "--team",
    default=None,
    help="Required for team roles (coach, managers, team leader): their team.",
)
@click.option(
    "--person",
    default=None,
    help="Who the token belongs to: their sign-in (OIDC) subject, so the token and their web "
    "session are one person for four eyes. Default: the label.",
)
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    default=auth.DEFAULT_TOKEN_TTL.days,
    show_default=True,
    help="How many days the token is valid.",
)
@click.pass_context
def tokens_create(
    ctx: click.Context, role: str, label: str, team: str | None, person: str | None, days: int
) -> None:
    """Make a new API token; it is shown once."""
    try:
        kind, partner_id = auth.parse_role(role)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--role") from None
    partners = configured_ids(settings_for(ctx).config_path / "partners.toml")
    if kind == "partner" and partner_id not in partners:
        raise click.BadParameter(
            f"partner '{partner_id}' staat niet in partners.toml "
            f"(wel: {', '.join(sorted(partners))})",
            param_hint="--role",
        )
    if (kind in auth.TEAM_ROLES) != (team is not None) or (team and not auth.TEAM.match(team)):
        raise click.BadParameter(
            gettext(
                "Coach, manager and team leader tokens need a --team (e.g. velve-lindenhof); "
                "other roles have none."
            ),
            param_hint="--team",
        )

    async def go(hub: HubContext) -> str:
        now = clock_for(ctx).now()
        async with hub.db.write() as conn:
            token = await auth.create_token(
                conn,
                role,
                label,
                now,
                team,
                person=person,
                ttl=timedelta(days=days),
                partners=partners,
            )
            if kind != "partner":  # the hub's own people: who an actor in the log is
                pid = auth.person_id_for(person or label)
                await people.remember(hub, conn, pid, label, kind, team, now)
        return token

    click.echo(run_in_hub(ctx, go))


@tokens.command("list")
@click.pass_context
def tokens_list(ctx: click.Context) -> None:
    """Every token: role, label, when made, until when valid, and its id."""
    rows = in_transaction(ctx, auth.list_tokens)
    out = table("id", "rol", "label", "geldig tot", whole=("id", "geldig tot"))
    for r in rows:
        revoked = r["revoked_at"]
        until = f"{r['expires_at']:%Y-%m-%d}" if r["expires_at"] else ""
        out.add_row(
            r["id"],
            f"partner:{r['partner_id']}" if r["partner_id"] else r["role"],
            r["label"],
            f"ingetrokken\n{revoked:%Y-%m-%d}" if revoked else until,
        )
    console().print(out)


@tokens.command("revoke")
@click.argument("token_id")
@click.pass_context
def tokens_revoke(ctx: click.Context, token_id: str) -> None:
    """Revoke the token with id TOKEN_ID (see `wijkhub tokens list`)."""
    ok = in_transaction(
        ctx,
        lambda conn: auth.revoke_token(conn, token_id, clock_for(ctx).now()),
    )
    if not ok:
        raise BadInput(gettext("No active token with id {id}.").format(id=token_id))
    console().print("Ingetrokken.")
