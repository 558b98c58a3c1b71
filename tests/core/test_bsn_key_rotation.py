"""`wijkhub keys rotate-bsn`: a new key for the BSN look-up hashes, every stored hash re-made
in batches while the hub runs; a client is found by BSN before, during (half the batches
done) and after, and the old key goes only once no hash needs it."""

import asyncio
from pathlib import Path

from click.testing import Result

from tests.support.cli import cli_config, invoke
from tests.support.harness import Env
from tests.support.web_client import Browser, signed_in
from wijkhub.hub.core.crypto import LEGACY_BSN_KEY, KeyRing
from wijkhub.hub.core.key_rotation import bsn_key_usage
from wijkhub.hub.demo import household

BSNS = ["999990019", "999990020", "999990032", "999990044"]


async def register(env: Env, bsn: str) -> str:
    r = await env.coach.post("/api/v1/clients", json={**household.CLIENT, "bsn": bsn})
    assert r.status == 201, r.body
    return str(r.body["id"])


async def found_by_bsn(env: Env, web: Browser, bsn: str) -> str:
    """The client's id as the API names it for a second registration of the BSN (its look-up
    by BSN), checked against the coach's web search."""
    r = await env.coach.post("/api/v1/clients", json={**household.CLIENT, "bsn": bsn})
    assert r.status == 409 and r.body["error"]["code"] == "client_exists", r.body
    client_id = r.body["error"]["message"].split("(id ")[1].rstrip(").")
    status, page, _ = await web.post("/coach/zoeken", [("zoek", bsn)])
    assert status == 200 and f"/coach/clienten/{client_id.replace('-', '')}" in page
    return client_id


async def test_the_bsn_key_rotates_in_batches_and_look_ups_work_throughout(
    env: Env, tmp_path: Path
) -> None:
    ids = {bsn: await register(env, bsn) for bsn in BSNS[:3]}
    web = await signed_in(env)
    await web.get("/coach")
    config = cli_config(env, tmp_path)
    ring_path = env.hub.ctx.settings.keyring_path

    def cli(*args: str) -> Result:
        return invoke(env, config, "keys", "rotate-bsn", *args)

    for bsn, client_id in ids.items():
        assert await found_by_bsn(env, web, bsn) == client_id.replace("-", "")
    assert set(await bsn_key_usage(env.hub.ctx.db)) == {LEGACY_BSN_KEY}

    # One batch of one record: the rotation is half done, both keys kept.
    half = await asyncio.to_thread(cli, "--batch-size", "1", "--batches", "1")
    assert half.exit_code == 0, half.output
    assert "nog 2 te gaan" in half.output and "Traceback" not in half.output
    ring = KeyRing.load(ring_path)
    assert ring.active_bsn == "b1" and ring.bsn_keys_kept() == ["b1", LEGACY_BSN_KEY]
    assert await bsn_key_usage(env.hub.ctx.db) == {"b1": 1, LEGACY_BSN_KEY: 2}
    # During it: every client is found, under whichever key its hash is; a new client is
    # hashed under the new key; a BSN under the old key is still not registered twice.
    for bsn, client_id in ids.items():
        assert await found_by_bsn(env, web, bsn) == client_id.replace("-", "")
    ids[BSNS[3]] = await register(env, BSNS[3])
    assert (await bsn_key_usage(env.hub.ctx.db))["b1"] == 2
    assert await found_by_bsn(env, web, BSNS[3]) == ids[BSNS[3]].replace("-", "")

    # Run again: it goes on with the same key, finishes, and retires the old one.
    done = await asyncio.to_thread(cli)
    assert done.exit_code == 0, done.output
    assert "BSN-sleutel b1" in done.output and "oude sleutel is verwijderd" in done.output
    ring = KeyRing.load(ring_path)
    assert ring.bsn_keys_kept() == ["b1"] and not ring.bsn_legacy
    assert await bsn_key_usage(env.hub.ctx.db) == {"b1": 4}
    for bsn, client_id in ids.items():
        assert await found_by_bsn(env, web, bsn) == client_id.replace("-", "")

    # A second rotation in one go; the log has each run.
    again = await asyncio.to_thread(cli)
    assert again.exit_code == 0 and "BSN-sleutel b2" in again.output, again.output
    assert KeyRing.load(ring_path).bsn_keys_kept() == ["b2"]
    assert await found_by_bsn(env, web, BSNS[0]) == ids[BSNS[0]].replace("-", "")
    runs = await env.log(name="keys.rotate_bsn")
    assert [e["outcome"] for e in runs] == ["in_progress", "completed", "completed"]
