"""`wijkhub log verify|sequence|rotate-key|keys|prove|check-receipt|export`: the processing log
from the shell (docs/processing-log.md)."""

import json
import sys
from pathlib import Path

import click
from sqlalchemy import func, select

from wijkhub.hub.cli.keys import exclusive
from wijkhub.hub.cli.privacy import log_export
from wijkhub.hub.cli.support import clock_for, console, run_with_db, settings_for
from wijkhub.hub.core import checkpoints, log_tree, receipts
from wijkhub.hub.core.crypto import KeyRing, KeyRingError
from wijkhub.hub.core.db import Database
from wijkhub.hub.core.log_verify import LogReport, verify_log
from wijkhub.hub.core.sequencer import Sequenced, log_keys, sequence
from wijkhub.hub.core.settings import Settings
from wijkhub.hub.store.tables import LOG_CHECKPOINT

MAX_FINDINGS = 50


@click.group("log")
def log_group() -> None:
    """The processing log (verwerkingenlog)."""


def _ring(settings: Settings) -> KeyRing:
    try:
        return KeyRing.load(settings.keyring_path)
    except KeyRingError as exc:
        raise click.ClickException(f"sleutelbos niet te lezen: {exc}") from None


@log_group.command("verify")
@click.pass_context
def log_verify(ctx: click.Context) -> None:
    """Check the tree against every signed checkpoint (database and witnesses) and the old
    former hash chain; name every problem and where it is."""
    settings = settings_for(ctx)
    keys = log_keys(_ring(settings))

    async def go(db: Database) -> LogReport:
        async with db.read() as conn:
            return await verify_log(conn, settings.log_origin, keys, settings.witness_path)

    rep = run_with_db(settings, go)
    out = console()
    tree = rep.tree
    waiting = f"; {tree.pending} regels wachten op de sequencer" if tree.pending else ""
    if rep.ok:
        out.print(
            f"Verwerkingenlog intact: {tree.checked} regels gecontroleerd tegen "
            f"{rep.checkpoints - rep.witnessed} ondertekende checkpoints in de database en "
            f"{rep.witnessed} bij getuigen{waiting}."
        )
        return
    out.print(
        f"[red]Verwerkingenlog gebroken: {len(rep.findings)} problemen "
        f"({tree.checked} regels, {rep.checkpoints} geldige checkpoints){waiting}.[/red]"
    )
    for f in rep.findings[:MAX_FINDINGS]:
        out.print(f"[red]- {f}[/red]", soft_wrap=True)
    if len(rep.findings) > MAX_FINDINGS:
        out.print(f"[red]… en nog {len(rep.findings) - MAX_FINDINGS}[/red]")
    sys.exit(1)


@log_group.command("sequence")
@click.pass_context
def log_sequence(ctx: click.Context) -> None:
    """Give waiting entries their place in the tree and sign a checkpoint (once; `serve`
    does it every `log.checkpoint_interval` seconds)."""
    settings = settings_for(ctx)
    ring = _ring(settings)
    clock = clock_for(ctx)
    try:
        res: Sequenced = run_with_db(settings, lambda db: sequence(db, ring, settings, clock))
    except KeyRingError as exc:
        raise click.ClickException(f"geen logsleutel: {exc}") from None
    if res.busy and not res.added:
        console().print("Een andere sequencer is bezig; niets gedaan.")
        return
    console().print(
        f"{res.added} regels geplaatst; de boom telt {res.size} regels; "
        f"{res.checkpoints} checkpoints ondertekend."
    )


@log_group.command("rotate-key")
@click.pass_context
def log_rotate_key(ctx: click.Context) -> None:
    """A new log key for checkpoints; the old one stays to verify what it signed before."""
    settings = settings_for(ctx)

    async def go(db: Database) -> tuple[str | None, str, int]:
        # Under the tree head's lock: no sequencer signs with the old key after this.
        async with db.write() as conn:
            await log_tree.lock(conn)
            size = (await conn.execute(select(func.max(LOG_CHECKPOINT.c.tree_size)))).scalar()
            ring = KeyRing.load(settings.keyring_path)
            if ring.source is None:
                raise click.ClickException(
                    "de sleutelbos komt uit WIJKHUB_KEYRING; draai de rotatie waar hij staat"
                )
            old = ring.active_log
            kid = ring.rotate_log_key(size or 0)
            ring.save(settings.keyring_path)
            return old, kid, size or 0

    with exclusive(settings):
        old, kid, size = run_with_db(settings, go)
    msg = f"Nieuwe logsleutel: {kid}."
    if old:
        msg += f" {old} is ingetrokken bij {size} regels en blijft alleen voor controle."
    console().print(msg)


@log_group.command("keys")
@click.pass_context
def log_keys_cmd(ctx: click.Context) -> None:
    """The log's public keys in signed-note form (what partners check receipts with)."""
    settings = settings_for(ctx)
    for k in log_keys(_ring(settings)):
        state = "actief" if k.retired_at is None else f"ingetrokken bij {k.retired_at} regels"
        console().print(
            f"{k.kid} ({state}): {checkpoints.vkey(settings.log_origin, k.public)}",
            soft_wrap=True,
        )


@log_group.command("prove")
@click.argument("leaf", type=int)
@click.pass_context
def log_prove(ctx: click.Context, leaf: int) -> None:
    """Print the receipt (JSON) of the entry at tree position LEAF (0 is the first)."""
    settings = settings_for(ctx)

    async def go(db: Database) -> dict[str, object]:
        async with db.read() as conn:
            return await receipts.make(conn, leaf)

    try:
        receipt = run_with_db(settings, go)
    except receipts.ReceiptError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(json.dumps(receipt, indent=2, ensure_ascii=False))


@log_group.command("check-receipt")
@click.argument(
    "file", metavar="BESTAND", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--key",
    "key",
    required=True,
    help="the log's published key (name+hash+key), or a file holding it",
)
def log_check_receipt(file: Path, key: str) -> None:
    """Check a receipt with nothing but the log's public key (no database, no key ring)."""
    vkey = Path(key).read_text().strip() if Path(key).is_file() else key
    try:
        receipt = json.loads(file.read_text())
        checked = receipts.check(receipt, vkey)
    except (ValueError, checkpoints.CheckpointError, receipts.ReceiptError) as exc:
        click.echo(f"Ontvangstbewijs ONGELDIG: {exc}")
        sys.exit(1)
    click.echo(checked.message())


log_group.add_command(log_export)
