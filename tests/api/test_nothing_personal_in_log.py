"""Nothing personal in the log. A partner controls its own message ids: one that does not
look like an id is refused with a 422 naming the field, and one that does is kept in the log
only as a keyed hash. Requests without valid authentication are counted in the metrics, not
written to the (never purged, chained) log."""

from typing import Any

import pytest
from sqlalchemy import func, select

from tests.support.harness import Env, status_body
from tests.support.web_client import WebClient
from wijkhub.hub.core import partner_ids
from wijkhub.hub.core.crypto import KeyRing
from wijkhub.hub.core.metrics import ANONYMOUS_REFUSALS
from wijkhub.hub.demo import household
from wijkhub.hub.store.tables import LOG, STATUS

CORP = household.CORPORATIE
BSN = household.CLIENT["bsn"]
NAME = household.CLIENT["family_name"]


@pytest.fixture
def sim_options() -> dict[str, dict[str, Any]]:
    # Only the test speaks for the partners: nothing else arrives while it counts.
    silent = (CORP, household.STADSBANK, household.GI, household.ZORG)
    return {pid: {"answer": False} for pid in silent}


async def delivered_item(env: Env) -> dict[str, Any]:
    client_id = await env.household()
    advice = await env.submit(household.advice(client_id, env.today))
    await env.deliver()
    return next(it for it in advice["items"] if it["partner_id"] == CORP)


async def log_rows(env: Env) -> list[dict[str, Any]]:
    async with env.hub.ctx.db.read() as conn:
        return [dict(r) for r in (await conn.execute(select(LOG))).mappings().all()]


async def count(env: Env, table: Any) -> int:
    async with env.hub.ctx.db.read() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)) or 0)


async def test_a_message_id_that_is_not_an_id_is_refused_naming_the_field(env: Env) -> None:
    item = await delivered_item(env)
    before_status, before_log = await count(env, STATUS), await count(env, LOG)
    for bad in (f"{BSN} {NAME} Dorpsstraat 1", "x" * 65, "bericht/1", "Ü-1"):
        r = await env.post_status(CORP, status_body("corporatie", item["id"], "received", bad))
        assert r.status == 422, (bad, r.body)
        assert r.body["error"]["fields"][0]["field"] == "partner_message_id"
        assert "berichtkenmerk" in r.body["error"]["fields"][0]["message"]
        assert bad not in str(r.body)  # the answer does not echo it either
    assert await count(env, STATUS) == before_status, "nothing half-stored"
    assert await count(env, LOG) == before_log


async def test_a_message_id_carrying_a_bsn_and_name_never_reaches_the_log_in_plaintext(
    env: Env,
) -> None:
    item = await delivered_item(env)
    sneaky = f"{BSN}.{NAME}.Dorpsstraat-1"  # looks like an id: accepted, but only hashed
    r = await env.post_status(CORP, status_body("corporatie", item["id"], "received", sneaky))
    assert r.status == 202, r.body
    rows = await log_rows(env)
    (entry,) = [e for e in rows if e["name"] == "status.receive" and e["partner_id"] == CORP]
    assert entry["detail"] == partner_ids.log_ref(env.hub.ctx.keyring, CORP, sneaky)
    assert entry["detail"].startswith("pid:")
    for e in rows:
        flat = " ".join(str(v) for v in e.values())
        assert BSN not in flat and NAME not in flat, e["name"]
    export = await env.privacy.get("/api/v1/processing-log/csv")
    assert BSN not in export.body.decode() and NAME not in export.body.decode()
    # The same id again is still a repeat (the partner may resend), and still not in the log.
    r = await env.post_status(CORP, status_body("corporatie", item["id"], "received", sneaky))
    assert r.status in (200, 202) and r.body["duplicates"] == 1


def test_the_hash_is_keyed_and_per_partner() -> None:
    a, b = KeyRing.generate(), KeyRing.generate()
    assert partner_ids.log_ref(a, CORP, "m-1") == partner_ids.log_ref(a, CORP, "m-1")
    assert partner_ids.log_ref(a, CORP, "m-1") != partner_ids.log_ref(b, CORP, "m-1")
    assert partner_ids.log_ref(a, CORP, "m-1") != partner_ids.log_ref(a, "stadsbank", "m-1")


async def test_a_hundred_anonymous_requests_write_no_entry_but_move_the_metric(
    env: Env,
) -> None:
    before_log = await count(env, LOG)
    before = ANONYMOUS_REFUSALS.total()
    for i in range(40):
        assert (await env.anonymous.get(f"/api/v1/clients/{'0' * 31}{i % 10}")).status == 401
    wrong = env.anonymous.headers | {"Authorization": "Bearer wjk_nietbestaand"}
    for _ in range(20):
        r = await env.anonymous.request("GET", "/api/v1/plugins", headers=wrong)
        assert r.status == 401
    web = WebClient(env.hub.url)
    try:
        for _ in range(20):
            assert (await web.post("/afmelden", data={})).status == 403  # no session: CSRF
        for _ in range(20):
            hop = await web.get("/oidc/callback?error=access_denied")
            assert hop.status == 403  # a failed sign-in: nobody to name
    finally:
        await web.close()
    assert await count(env, LOG) == before_log, "anonymous requests grow the log"
    assert ANONYMOUS_REFUSALS.total() - before == 100

    text = (await env.admin.get("/metrics")).body.decode()
    assert "wijkhub_anonymous_refusals_total{" in text
    assert 'reason="no_token"' in text and 'reason="unknown_token"' in text
    assert 'reason="csrf"' in text and 'reason="signin_failed"' in text
