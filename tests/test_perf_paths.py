"""The hot paths after their speed-ups behave exactly as before: submit answers with what a
read-back would show, and status intake stores, deduplicates and refuses as it did."""

import shutil

from tests.harness import Env
from wijkhub.hub import demo_household as household
from wijkhub.hub.settings import example_config_dir


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
