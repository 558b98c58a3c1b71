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
    tokens,
)


@click.group()
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False),
    envvar="WIJKHUB_CONFIG",
    help="Settings file (TOML); see config/wijkhub.toml.",
)
@click.pass_context
def main(ctx: click.Context, config: str | None) -> None:
    """Wijkhub: one deskundigenadvies, each partner its own slice."""
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
