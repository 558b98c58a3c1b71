"""`wijkhub log verify` against an attacker who can write the whole database (not the key ring,
not the witness directory): every attack below is what such an attacker would do, using the
project's own hashing to make the database consistent again, and each is detected and named.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.support.pg import BACKENDS, PgServer
from wijkhub.hub.cli.main import main
from wijkhub.hub.cli.support import cli_obj
from wijkhub.hub.core import checkpoints, witness
from wijkhub.hub.core.clock import FakeClock
from wijkhub.hub.core.crypto import KeyRing
from wijkhub.hub.core.db import Database, upgrade
from wijkhub.hub.core.merkle import Frontier
from wijkhub.hub.core.processing_log import LogEntry, append, entry_leaf_hash, new_trace_id
from wijkhub.hub.core.sequencer import sequence
from wijkhub.hub.core.settings import Settings
from wijkhub.hub.store.tables import LOG, LOG_CHECKPOINT, LOG_NODE, LOG_TREE

CLOCK = FakeClock()


@dataclass
class Hub:
    settings: Settings
    config: Path
    db: Database
    ring: KeyRing

    async def cli(self, *args: str) -> Result:
        # In a thread: the command runs its own event loop.
        return await asyncio.to_thread(
            CliRunner().invoke, main, ["--config", str(self.config), *args], obj=cli_obj(CLOCK)
        )

    async def write(self, n: int, partner: str = "stadsbank", outcome: str = "delivered") -> None:
        async with self.db.write() as conn:
            await append(
                conn,
                [
                    LogEntry(
                        name="delivery.advice",
                        actor="worker",
                        outcome=outcome,
                        trace_id=new_trace_id(),
                        partner_id=partner,
                        data_subject_id="c0ffee00c0ffee00c0ffee00c0ffee00",
                        categories=["financial", "identification"],
                    )
                    for _ in range(n)
                ],
                CLOCK.now(),
            )

    async def sequence(self) -> None:
        await sequence(self.db, self.ring, self.settings, CLOCK)


@pytest.fixture(params=BACKENDS)
async def hub(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Hub]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'wijkhub.db'}"
    pg: PgServer | None = None
    name = ""
    if request.param == "postgresql":
        pg = request.getfixturevalue("pg")
        name = await pg.create_db()
        url = pg.url(name)
    config = tmp_path / "wijkhub.toml"
    config.write_text(f'data_dir = "{tmp_path}"\ndatabase_url = "{url}"\n')
    settings = Settings.load(config)
    ring = KeyRing.generate()
    ring.save(settings.keyring_path)
    await upgrade(url)
    h = Hub(settings, config, Database(url), ring)
    # The history every attack tries to change: 20 entries witnessed, then 10 more.
    await h.write(12, "stadsbank")
    await h.write(8, "gi")
    await h.sequence()
    await h.write(10, "gi")
    await h.sequence()
    try:
        yield h
    finally:
        await h.db.dispose()
        if pg is not None:
            await pg.drop_db(name)


# -- the attacker's tools: the project's own hashing, applied to the whole database ----------


async def rebuild(conn: AsyncConnection, order: list[int] | None = None) -> None:
    """Number the entries again (in `order` of seq, default: seq order), recompute every leaf
    hash and the whole tree, and make the head fit: the database is consistent again."""
    rows = [dict(r) for r in (await conn.execute(select(LOG).order_by(LOG.c.seq))).mappings()]
    if order is not None:
        by_seq = {r["seq"]: r for r in rows}
        rows = [by_seq[s] for s in order]
    await conn.execute(update(LOG).values(leaf_index=None))
    await conn.execute(delete(LOG_NODE))
    frontier = Frontier()
    for r in rows:
        h = entry_leaf_hash(r)
        await conn.execute(
            update(LOG).where(LOG.c.seq == r["seq"]).values(leaf_hash=h, leaf_index=frontier.size)
        )
        made = frontier.append(bytes.fromhex(h))
        await conn.execute(
            insert(LOG_NODE), [{"level": lv, "idx": ix, "hash": x.hex()} for lv, ix, x in made]
        )
    await conn.execute(update(LOG_TREE).values(size=frontier.size, root_hash=frontier.root().hex()))


async def drop_checkpoints(conn: AsyncConnection) -> None:
    # The attacker cannot sign, so the database's own checkpoints would give them away.
    await conn.execute(delete(LOG_CHECKPOINT))


def broken(res: Result, *needles: str) -> str:
    assert res.exit_code == 1, res.output
    out = " ".join(res.output.split())  # the console wraps long lines
    assert "Verwerkingenlog gebroken" in out
    for n in needles:
        assert n in out, out
    return out


def witness_name(h: Hub, size: int) -> str:
    return next(
        w.name
        for w in witness.read_all(h.settings.witness_path)
        if w.name.startswith(f"{size:012d}")
    )


# -- the attacks -------------------------------------------------------------------------------


async def test_untouched_log_is_intact(hub: Hub) -> None:
    res = await hub.cli("log", "verify")
    assert res.exit_code == 0, res.output
    assert "intact: 30 regels" in res.output and "2 bij getuigen" in res.output


async def test_tail_truncation(hub: Hub) -> None:
    async with hub.db.write() as conn:
        await conn.execute(delete(LOG).where(LOG.c.leaf_index >= 25))
        await drop_checkpoints(conn)
        await rebuild(conn)
    broken(
        await hub.cli("log", "verify"),
        f"getuige {witness_name(hub, 30)} noemt 30 regels, de log heeft er 25",
        "5 regels aan het eind verwijderd",
    )


async def test_rewrite_with_recomputed_leaf_and_tree_hashes(hub: Hub) -> None:
    """The issue's attack: four Stadsbank deliveries gone, a GI delivery made "blocked",
    every hash recomputed."""
    async with hub.db.write() as conn:
        stadsbank = (
            (
                await conn.execute(
                    select(LOG.c.seq)
                    .where(LOG.c.partner_id == "stadsbank")
                    .order_by(LOG.c.seq)
                    .limit(4)
                )
            )
            .scalars()
            .all()
        )
        await conn.execute(delete(LOG).where(LOG.c.seq.in_(stadsbank)))
        gi = (
            await conn.execute(select(LOG.c.seq).where(LOG.c.partner_id == "gi").limit(1))
        ).scalar()
        await conn.execute(update(LOG).where(LOG.c.seq == gi).values(outcome="blocked"))
        await drop_checkpoints(conn)
        await rebuild(conn)
    out = broken(
        await hub.cli("log", "verify"),
        f"getuige {witness_name(hub, 20)} (grootte 20) past niet bij de log: "
        "een regel tussen regel 1 en regel 20 is veranderd",
        f"getuige {witness_name(hub, 30)} noemt 30 regels, de log heeft er 26",
    )
    assert "oude hashketen" not in out


async def test_rewrite_after_a_witnessed_checkpoint_is_located_after_it(hub: Hub) -> None:
    async with hub.db.write() as conn:
        await conn.execute(update(LOG).where(LOG.c.leaf_index == 24).values(outcome="blocked"))
        await drop_checkpoints(conn)
        await rebuild(conn)
    out = broken(
        await hub.cli("log", "verify"),
        f"getuige {witness_name(hub, 30)} (grootte 30) past niet bij de log: "
        "een regel tussen regel 21 en regel 30",
    )
    assert witness_name(hub, 20) not in out


async def test_naive_rewrite_names_the_entry(hub: Hub) -> None:
    async with hub.db.write() as conn:
        await conn.execute(
            text("UPDATE processing_log SET outcome = 'blocked' WHERE leaf_index = 6")
        )
    broken(
        await hub.cli("log", "verify"), "regel 7 (positie 6): de inhoud past niet bij de leafhash"
    )


async def test_reorder(hub: Hub) -> None:
    async with hub.db.write() as conn:
        seqs = list((await conn.execute(select(LOG.c.seq).order_by(LOG.c.leaf_index))).scalars())
        seqs[3], seqs[4] = seqs[4], seqs[3]
        await drop_checkpoints(conn)
        await rebuild(conn, seqs)
    broken(
        await hub.cli("log", "verify"),
        f"getuige {witness_name(hub, 20)} (grootte 20) past niet bij de log",
        f"getuige {witness_name(hub, 30)} (grootte 30) past niet bij de log",
    )


async def test_wipe_and_rebuild_with_own_key(hub: Hub, tmp_path: Path) -> None:
    """Everything wiped, one invented entry, sequenced and signed by the attacker's own key
    under the hub's origin."""
    async with hub.db.write() as conn:
        await conn.execute(delete(LOG))
        await conn.execute(delete(LOG_NODE))
        await drop_checkpoints(conn)
        await conn.execute(update(LOG_TREE).values(size=0, root_hash="00" * 32))
    await hub.write(1, "woonplaats")
    own = KeyRing.generate()
    await sequence(
        hub.db,
        own,
        hub.settings.model_copy(
            update={
                "log": hub.settings.log.model_copy(update={"witness_dir": tmp_path / "elsewhere"})
            }
        ),
        CLOCK,
    )
    out = broken(
        await hub.cli("log", "verify"),
        "checkpoint",
        "handtekening klopt niet met een bekende logsleutel",
        f"getuige {witness_name(hub, 30)} noemt 30 regels, de log heeft er 1",
    )
    assert "intact" not in out


async def test_forged_checkpoint(hub: Hub) -> None:
    """A checkpoint row whose size and root were changed, the hub's signature kept; and one
    signed by a key of the attacker's own."""
    async with hub.db.write() as conn:
        row = (
            await conn.execute(select(LOG_CHECKPOINT).order_by(LOG_CHECKPOINT.c.id.desc()))
        ).first()
        assert row is not None
        cp = checkpoints.parse(row.note)
        sig = row.note[len(cp.body) :]
        forged = checkpoints.body(cp.origin, 31, b"\x07" * 32) + sig
        own = checkpoints.sign(cp.origin, 40, b"\x08" * 32, Ed25519PrivateKey.generate())
        for note, size, root in ((forged, 31, "07" * 32), (own, 40, "08" * 32)):
            await conn.execute(
                insert(LOG_CHECKPOINT).values(
                    tree_size=size, root_hash=root, key_id="l1", note=note, signed_at=CLOCK.now()
                )
            )
    out = broken(
        await hub.cli("log", "verify"), "handtekening klopt niet met een bekende logsleutel"
    )
    assert out.count("handtekening klopt niet") == 2
    ids = [r.id for r in await rows(hub)]
    assert (
        f"checkpoint {ids[-2]} in de database" in out
        and f"checkpoint {ids[-1]} in de database" in out
    )


async def rows(h: Hub) -> list[object]:
    async with h.db.read() as conn:
        return list(
            (await conn.execute(select(LOG_CHECKPOINT).order_by(LOG_CHECKPOINT.c.id))).all()
        )


async def test_checkpoint_signed_with_a_retired_key(hub: Hub) -> None:
    """The old log key leaked, so it was rotated; the thief rewrites the log and signs a
    larger tree with it: refused, because the key was retired at 30 entries."""
    old_kid, old_key = hub.ring.log_key()
    rotated = await hub.cli("log", "rotate-key")
    assert rotated.exit_code == 0 and "ingetrokken bij 30 regels" in rotated.output, rotated.output
    ring = KeyRing.load(hub.settings.keyring_path)
    assert ring.active_log != old_kid and ring.log_retired == {old_kid: 30}
    # The hub goes on with the new key and verifies.
    await hub.write(2)
    await sequence(hub.db, ring, hub.settings, CLOCK)
    ok = await hub.cli("log", "verify")
    assert ok.exit_code == 0, ok.output
    # The thief: one invented entry, the tree rebuilt, a checkpoint of 33 by the old key.
    await hub.write(1, "woonplaats")
    async with hub.db.write() as conn:
        await drop_checkpoints(conn)
        await rebuild(conn)
        size, root = (await conn.execute(select(LOG_TREE.c.size, LOG_TREE.c.root_hash))).one()
        note = checkpoints.sign(hub.settings.log_origin, size, bytes.fromhex(root), old_key)
        await conn.execute(
            insert(LOG_CHECKPOINT).values(
                tree_size=size, root_hash=root, key_id=old_kid, note=note, signed_at=CLOCK.now()
            )
        )
    broken(
        await hub.cli("log", "verify"),
        f"ondertekend met ingetrokken sleutel {old_kid} na de intrekking "
        "(ingetrokken bij 30 regels, checkpoint noemt er 33)",
    )


async def test_published_keys_name_the_retired_one(hub: Hub) -> None:
    await hub.cli("log", "rotate-key")
    out = (await hub.cli("log", "keys")).output
    assert "l1 (ingetrokken bij 30 regels)" in out and "l2 (actief)" in out
    assert json.dumps(hub.settings.log_origin)[1:-1] + "+" in out
