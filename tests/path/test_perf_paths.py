"""The hot paths after their speed-ups behave exactly as before: submit answers with what a
read-back would show, and status intake stores, deduplicates and refuses as it did."""

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select, text

from tests.support.harness import Env, corp_status
from wijkhub.hub.core.db import Database
from wijkhub.hub.core.settings import example_config_dir
from wijkhub.hub.demo import household
from wijkhub.hub.path.status_intake import NONCE_TTL, PURGE_EVERY
from wijkhub.hub.store.tables import NONCE


async def test_submit_answer_is_what_get_returns(env: Env) -> None:
    # Every kind of item at once: refused, waiting for approval, and queued for delivery.
    shutil.copy(example_config_dir() / "approval.toml", env.hub.ctx.settings.config_path)
    client_id = await env.household()
    body = household.advice(client_id, env.today)
    body["summary"] = "Samenvatting voor de bench"
    submitted = await env.submit(body)
    statuses = {it["delivery_status"] for it in submitted["items"]}
    assert {"blocked", "awaiting_approval", "queued"} <= statuses, statuses
    assert any(
        ev["kind"] == "approval_requested" for it in submitted["items"] for ev in it["timeline"]
    )
    assert submitted == await env.advice(submitted["id"])


async def test_submit_numbers_each_item_as_stored(env: Env) -> None:
    client_id = await env.household()
    first = await env.submit(household.advice(client_id, env.today))
    second = await env.submit(household.advice(client_id, env.today))
    numbers = [it["number"] for a in (first, second) for it in a["items"]]
    assert len(set(numbers)) == len(numbers)
    assert [it["number"] for it in second["items"]] == [
        it["number"] for it in (await env.advice(second["id"]))["items"]
    ]
    await env.deliver()
    # The number the partner received is the item's number (zorgaanbieder: WH<number>).
    zorg = next(it for it in second["items"] if it["partner_id"] == household.ZORG)
    assert any(f"WH{zorg['number']}" in m.body.decode() for m in env.sims[household.ZORG].received)


# The simulators stay silent: an answer of theirs still in flight when the clock jumps would
# spend a nonce stamped before the jump, after the purge.
SILENT = [
    {
        p: {"answer": False}
        for p in (household.CORPORATIE, household.STADSBANK, household.GI, household.ZORG)
    }
]


@pytest.mark.parametrize("sim_options", SILENT)
async def test_expired_nonces_are_deleted_and_a_replay_is_still_refused(env: Env) -> None:
    client = await env.household()
    advice = await env.submit(household.advice(client, env.today))
    await env.deliver()
    corp = next(it for it in advice["items"] if it["partner_id"] == household.CORPORATIE)
    first = corp_status(corp["id"], "in_progress", "nonce-1")
    headers = {"Content-Type": "application/json", **env.sims["woonplaats"].signed(first)}
    path = "/api/v1/partners/woonplaats/status"
    r = await env.partner["woonplaats"].post(path, data=first, headers=headers)
    assert r.status == 202, r.body
    # The same signed request again: its nonce is spent.
    r = await env.partner["woonplaats"].post(path, data=first, headers=headers)
    assert r.status == 401 and r.body["error"]["code"] == "signature_replayed"

    env.clock.advance(seconds=NONCE_TTL.total_seconds() + PURGE_EVERY.total_seconds() + 1)
    r = await env.post_status("woonplaats", corp_status(corp["id"], "carried_out", "nonce-2"))
    assert r.status == 202, r.body
    async with env.hub.ctx.db.read() as conn:
        left = (await conn.execute(select(NONCE.c.seen_at))).scalars().all()
    assert left == [env.clock.now()]  # the old one is gone, the new one kept


async def test_sqlite_write_transaction_takes_the_write_lock_at_begin(tmp_path: Path) -> None:
    # BEGIN is sent straight to the driver's thread: it must still be BEGIN IMMEDIATE (another
    # writer is locked out from the start) and a failed transaction must still roll back.
    path = tmp_path / "x.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        async with db.write() as conn:
            await conn.execute(text("CREATE TABLE t (a INTEGER)"))
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        async with db.write() as conn:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            await conn.execute(text("INSERT INTO t VALUES (1)"))
        other.close()
        with pytest.raises(RuntimeError):
            async with db.write() as conn:
                await conn.execute(text("INSERT INTO t VALUES (2)"))
                raise RuntimeError
        async with db.read() as conn:
            assert (await conn.execute(text("SELECT a FROM t"))).scalars().all() == [1]
    finally:
        await db.dispose()
