"""`wijkhub keys`: rotate the data key, see which key values are under, retire an old key."""

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager

import click
from rich.console import Console

from wijkhub.hub.cli.group import BadInput
from wijkhub.hub.cli.support import clock_for, run_with_db, settings_for, table
from wijkhub.hub.core.crypto import KeyRing, KeyRingError
from wijkhub.hub.core.db import Database
from wijkhub.hub.core.key_rotation import Rehash, key_usage, reencrypt, rehash_bsns
from wijkhub.hub.core.processing_log import LogEntry, append, new_trace_id
from wijkhub.hub.core.settings import Settings
from wijkhub.hub.i18n import gettext


@contextmanager
def exclusive(settings: Settings) -> Iterator[None]:
    """One key-ring change at a time: two rotations saving at once would drop a key that
    values are already encrypted under."""
    lock = settings.keyring_path.with_suffix(".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def _file_keyring(settings: Settings) -> KeyRing:
    ring = KeyRing.load(settings.keyring_path)
    if ring.source is None:
        raise click.ClickException(
            "the key ring comes from WIJKHUB_KEYRING; rotate it where it is kept, then run "
            "`wijkhub keys reencrypt`"
        )
    return ring


@click.group("keys")
def keys() -> None:
    """Encryption keys of the data at rest."""


@keys.command("rotate")
@click.pass_context
def rotate(ctx: click.Context) -> None:
    """Add a new data key, make it active, and re-encrypt every value under it."""
    settings = settings_for(ctx)
    with exclusive(settings):
        ring = _file_keyring(settings)
        kid = ring.add_key()
        ring.save(settings.keyring_path)  # running hubs pick the new key up by themselves
        moved = run_with_db(settings, lambda db: reencrypt(db, ring))
    Console().print(f"Nieuwe actieve sleutel: {kid}; {moved} waarden opnieuw versleuteld.")


@keys.command("rotate-signing")
@click.pass_context
def rotate_signing(ctx: click.Context) -> None:
    """Add a new signing key and make it active; the previous keys stay in the JWK set."""
    settings = settings_for(ctx)
    with exclusive(settings):
        ring = _file_keyring(settings)
        kid = ring.rotate_signing()
        ring.save(settings.keyring_path)  # running hubs pick the new key up by themselves
    Console().print(
        f"Nieuwe ondertekeningssleutel: {kid}. De vorige blijven gepubliceerd; partners halen "
        "de sleutelset opnieuw op bij een onbekende sleutel."
    )


@keys.command("reencrypt")
@click.pass_context
def reencrypt_cmd(ctx: click.Context) -> None:
    """Re-encrypt values still under an older key (e.g. written during a rotation)."""
    settings = settings_for(ctx)
    ring = KeyRing.load(settings.keyring_path)
    moved = run_with_db(settings, lambda db: reencrypt(db, ring))
    Console().print(f"{moved} waarden opnieuw versleuteld onder {ring.active}.")


@keys.command("status")
@click.pass_context
def status(ctx: click.Context) -> None:
    """How many values are under each key."""
    settings = settings_for(ctx)
    ring = KeyRing.load(settings.keyring_path)
    usage = run_with_db(settings, key_usage)
    out = table("sleutel", "actief", "waarden")
    for kid in sorted(set(ring.keys) | set(usage)):
        out.add_row(
            kid,
            "ja" if kid == ring.active else "",
            str(usage.get(kid, 0)) + ("" if kid in ring.keys else " (ONBEKEND)"),
        )
    Console().print(out)


@keys.command("retire")
@click.argument("kid")
@click.pass_context
def retire(ctx: click.Context, kid: str) -> None:
    """Remove an old key, only once no value is encrypted under it."""
    settings = settings_for(ctx)
    with exclusive(settings):
        ring = _file_keyring(settings)
        left = run_with_db(settings, key_usage).get(kid, 0)
        if left:
            raise BadInput(
                gettext(
                    "{left} values are still under {kid}; run `wijkhub keys reencrypt` first."
                ).format(left=left, kid=kid)
            )
        if kid not in ring.keys:
            raise BadInput(
                gettext("There is no key {kid}; see `wijkhub keys status`.").format(kid=kid)
            )
        try:
            ring.retire(kid)
        except KeyRingError:
            raise BadInput(
                gettext("{kid} is the active key: rotate first (`wijkhub keys rotate`).").format(
                    kid=kid
                )
            ) from None
        ring.save(settings.keyring_path)
    Console().print(f"Sleutel {kid} verwijderd.")


@keys.command("rotate-bsn")
@click.option(
    "--batch-size",
    type=click.IntRange(1, 10_000),
    default=200,
    show_default=True,
    help="Records re-hashed per transaction.",
)
@click.option(
    "--batches",
    type=click.IntRange(min=1),
    default=None,
    help="Stop after this many batches; run the command again to go on (default: until done).",
)
@click.pass_context
def rotate_bsn(ctx: click.Context, batch_size: int, batches: int | None) -> None:
    """A new key for the BSN look-up hashes: re-hash every stored BSN in batches, then retire
    the old key. Look-ups keep working meanwhile (both keys are tried); an interrupted run is
    continued by running the command again."""
    settings = settings_for(ctx)
    now = clock_for(ctx).now()
    with exclusive(settings):
        ring = _file_keyring(settings)
        continuing = len(ring.bsn_keys_kept()) > 1
        if not continuing:
            ring.rotate_bsn()
            ring.save(settings.keyring_path)  # running hubs hash new BSNs under it at once
        kid = ring.active_bsn

        async def go(db: Database) -> Rehash:
            result = await rehash_bsns(db, ring, batch_size, batches)
            async with db.write() as conn:
                await append(
                    conn,
                    [
                        LogEntry(
                            name="keys.rotate_bsn",
                            actor="admin/cli",
                            outcome="completed" if result.left == 0 else "in_progress",
                            trace_id=new_trace_id(),
                            detail=f"BSN-sleutel {kid}: {result.moved} opnieuw gehasht, "
                            f"{result.left} te gaan",
                        )
                    ],
                    now,
                )
            return result

        result = run_with_db(settings, go)
        if result.left == 0:
            ring.retire_bsn_keys()  # no stored hash needs the old key any more
            ring.save(settings.keyring_path)
    if result.left:
        message = gettext(
            "New BSN key {kid}: {moved} BSN hashes re-made, {left} to go. The old key is kept "
            "until all are done: run `wijkhub keys rotate-bsn` again."
        )
    else:
        message = gettext("New BSN key {kid}: {moved} BSN hashes re-made; the old key is retired.")
    Console().print(message.format(kid=kid, moved=result.moved, left=result.left))
