"""Receipts, seen from the partner: with nothing but the key the hub publishes, a partner
checks that what it was sent is in the log; a changed receipt does not pass."""

import asyncio
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from sqlalchemy import select

from tests.support.harness import Env
from wijkhub.hub.cli.main import main
from wijkhub.hub.core import checkpoints, receipts
from wijkhub.hub.core.crypto import KeyRing
from wijkhub.hub.core.sequencer import sequence
from wijkhub.hub.demo import household
from wijkhub.hub.store.tables import LOG


async def cli(*args: str) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, main, list(args))


async def delivered_leaf(env: Env) -> tuple[int, str]:
    client_id = await env.household()
    await env.submit(household.advice(client_id, env.today))
    await env.deliver()
    ctx = env.hub.ctx
    await sequence(ctx.db, ctx.keyring, ctx.settings, ctx.clock)
    async with ctx.db.read() as conn:
        row = (
            await conn.execute(
                select(LOG.c.leaf_index, LOG.c.partner_id)
                .where(LOG.c.name == "delivery.advice", LOG.c.outcome == "delivered")
                .order_by(LOG.c.leaf_index)
                .limit(1)
            )
        ).one()
    return row.leaf_index, row.partner_id


async def test_partner_verifies_a_receipt_with_only_the_published_key(
    env: Env, tmp_path: Path
) -> None:
    index, partner = await delivered_leaf(env)
    s = env.hub.ctx.settings
    config = tmp_path / "hub.toml"
    config.write_text(f'data_dir = "{s.data_dir}"\ndatabase_url = "{s.db_url}"\n')

    # The hub: the receipt of that delivery.
    proved = await cli("--config", str(config), "log", "prove", str(index))
    assert proved.exit_code == 0, proved.output
    receipt = json.loads(proved.output)
    assert receipt["leaf_index"] == index and json.loads(receipt["leaf"])["partner_id"] == partner

    # The partner: the published key (no token), the receipt, and nothing else.
    published = await env.anonymous.get("/.well-known/wijkhub-log/keys")
    assert published.status == 200
    vkey = next(k["vkey"] for k in published.body["keys"] if k["status"] == "active")
    newest = await env.anonymous.get("/.well-known/wijkhub-log/checkpoint")
    assert newest.status == 200 and newest.body.decode() == receipt["checkpoint"]
    file = tmp_path / "receipt.json"
    file.write_text(json.dumps(receipt))
    ok = await cli("log", "check-receipt", str(file), "--key", vkey)
    assert ok.exit_code == 0 and "Ontvangstbewijs geldig" in ok.output, ok.output
    assert f"positie {index}" in ok.output

    # A receipt the hub could be tempted to disown, or a partner to embellish: refused.
    leaf = json.loads(receipt["leaf"])
    changed = json.dumps({**leaf, "outcome": "blocked"}, sort_keys=True, separators=(",", ":"))
    cases = {
        "de regel past niet bij zijn leafhash": {**receipt, "leaf": changed},
        "het inclusiebewijs leidt niet naar de wortel": {
            **receipt,
            "leaf": changed,
            "leaf_hash": hashlib.sha256(b"\x00" + changed.encode()).hexdigest(),
        },
        "boomgrootte in het ontvangstbewijs wijkt af": {
            **receipt,
            "tree_size": receipt["tree_size"] + 1,
        },
    }
    for message, bad in cases.items():
        file.write_text(json.dumps(bad))
        res = await cli("log", "check-receipt", str(file), "--key", vkey)
        assert res.exit_code == 1 and message in res.output, (message, res.output)

    # Another log's key (same name) does not vouch for this checkpoint.
    other = KeyRing.generate().public_log_keys()["l1"]
    file.write_text(json.dumps(receipt))
    res = await cli(
        "log", "check-receipt", str(file), "--key", checkpoints.vkey(s.log_origin, other)
    )
    assert res.exit_code == 1 and "niet ondertekend met deze sleutel" in res.output


def docs_checker() -> Callable[[dict[str, Any], str], bool]:
    """The verifier docs/processing-log.md gives partners, taken from the page itself."""
    page = (Path(__file__).parents[2] / "docs" / "processing-log.md").read_text()
    section = page.split("### Checking a receipt without Wijkhub", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    scope: dict[str, Any] = {}
    exec(compile(code, "processing-log.md", "exec"), scope)  # our own page, not input
    return scope["check"]  # type: ignore[no-any-return]


async def test_the_documented_verifier_agrees(env: Env, tmp_path: Path) -> None:
    index, _ = await delivered_leaf(env)
    ctx = env.hub.ctx
    async with ctx.db.read() as conn:
        receipt = await receipts.make(conn, index)
    key = ctx.keyring.public_log_keys()[ctx.keyring.active_log or ""]
    vkey = checkpoints.vkey(ctx.settings.log_origin, key)
    check = docs_checker()
    assert check(receipt, vkey)
    changed = receipt["leaf"].replace('"delivered"', '"blocked"')
    assert not check(
        {
            **receipt,
            "leaf": changed,
            "leaf_hash": hashlib.sha256(b"\x00" + changed.encode()).hexdigest(),
        },
        vkey,
    )


async def test_a_partner_fetches_the_receipt_of_its_own_delivery(env: Env) -> None:
    """By the span id of the `traceparent` its message carried; no other partner's."""
    client_id = await env.household()
    await env.submit(household.advice(client_id, env.today))
    await env.deliver()
    ctx = env.hub.ctx
    async with ctx.db.read() as conn:
        row = (
            await conn.execute(
                select(LOG.c.span_id, LOG.c.partner_id)
                .where(LOG.c.name == "delivery.advice", LOG.c.outcome == "delivered")
                .limit(1)
            )
        ).one()
    own = env.partner[row.partner_id]
    path = f"/api/v1/partners/{row.partner_id}/receipts/{row.span_id}"
    early = await own.get(path)
    assert early.status == 409 and "nog niet" in early.body["error"]["message"]
    await sequence(ctx.db, ctx.keyring, ctx.settings, ctx.clock)
    got = await own.get(path)
    assert got.status == 200, got.body
    published = await env.anonymous.get("/.well-known/wijkhub-log/keys")
    vkey = published.body["keys"][0]["vkey"]
    checked = receipts.check(got.body, vkey)
    assert checked.leaf["partner_id"] == row.partner_id and checked.leaf["span_id"] == row.span_id
    other = next(p for p in env.partner if p != row.partner_id)
    assert (await env.partner[other].get(path)).status == 403
    own_path = f"/api/v1/partners/{other}/receipts/{row.span_id}"
    assert (await env.partner[other].get(own_path)).status == 404
    bad = await own.get(f"/api/v1/partners/{row.partner_id}/receipts/not-a-span")
    assert bad.status == 422 and "span_id" in bad.body["error"]["message"]


async def test_no_checkpoint_yet(env: Env) -> None:
    r = await env.anonymous.get("/.well-known/wijkhub-log/checkpoint")
    assert (
        r.status == 404 and r.body["error"]["message"] == "Er is nog geen ondertekende checkpoint."
    )
