"""`wijkhub log verify|export`: the processing log from the shell."""

import sys

import click

from wijkhub.hub.cli.privacy import log_export
from wijkhub.hub.cli.support import console, run_with_db, settings_for
from wijkhub.hub.core.db import Database
from wijkhub.hub.core.processing_log import VerifyResult, verify


@click.group("log")
def log_group() -> None:
    """The processing log (verwerkingenlog)."""


@log_group.command("verify")
@click.pass_context
def log_verify(ctx: click.Context) -> None:
    """Check the whole hash chain; name the first broken entry."""

    async def go(db: Database) -> VerifyResult:
        async with db.read() as conn:
            return await verify(conn)

    res = run_with_db(settings_for(ctx), go)
    if res.ok:
        console().print(f"Verwerkingenlog intact: {res.checked} regels gecontroleerd.")
    else:
        console().print(
            f"[red]Verwerkingenlog gebroken bij regel {res.first_broken_seq}: {res.problem}[/red]"
        )
        sys.exit(1)


log_group.add_command(log_export)
