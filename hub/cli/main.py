"""The `wijkhub` command: the group and the list of its commands, each in its own module."""

import click

from wijkhub.hub.cli import (
    bench,
    escalations,
    info,
    inwoner,
    keys,
    log,
    ops,
    privacy,
    report,
    setup,
    signin,
    tokens,
)
from wijkhub.hub.cli.group import WijkhubGroup
from wijkhub.hub.i18n import install_for_click, translate_commands

# Click's own words (usage, --help, its error messages) in Dutch, before any command runs.
install_for_click()


@click.group(cls=WijkhubGroup)
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False, exists=True),
    envvar="WIJKHUB_CONFIG",
    help="Settings file (TOML); see config/wijkhub.toml.",
)
@click.pass_context
def main(ctx: click.Context, config: str | None) -> None:
    """Wijkhub: one expert advice, each partner its own part."""
    ctx.ensure_object(dict)
    ctx.obj["config"] = config


COMMANDS: list[click.Command] = [
    setup.init,
    setup.db,
    setup.serve,
    setup.demo,
    info.plugins,
    info.schemas,
    tokens.tokens,
    signin.signin_link,
    log.log_group,
    privacy.consents_group,
    privacy.access_report_cmd,
    inwoner.inwoner_code,
    privacy.retention_group,
    ops.worker,
    ops.deliveries,
    keys.keys,
    report.report,
    escalations.escalations,
    bench.bench,
]
for command in COMMANDS:
    main.add_command(command)
translate_commands(main)
