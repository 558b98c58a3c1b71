"""The composer's dry run: per partner exactly what submit would send, or the Dutch reason,
from the same code path as submit, with nothing stored."""

import uuid
from typing import Any

from sqlalchemy import func, select

from tests.support.harness import ApiClient, Env
from wijkhub.hub.core.read_log import READ
from wijkhub.hub.demo import household
from wijkhub.hub.store.tables import ADVICE, DELIVERY, ITEM, ProcessingLogRow
from wijkhub.schemas.outbound import OutboundAdvice

PREVIEW = "/api/v1/advices/preview"


async def counts(env: Env) -> tuple[int, ...]:
    """Rows of the advice tables and log entries other than reads (a preview is a read of
    the client's record: that, and only that, is logged)."""
    log = ProcessingLogRow.__table__  # type: ignore[attr-defined]
    async with env.hub.ctx.db.read() as conn:
        return (
            *[
                await conn.scalar(select(func.count()).select_from(t))
                for t in (ADVICE, ITEM, DELIVERY)
            ],
            await conn.scalar(select(func.count()).select_from(log).where(log.c.name != READ)),
        )


async def test_preview_is_what_the_partner_then_receives(env: Env) -> None:
    client_id = await env.household()
    body = household.advice(client_id, env.today)
    before = await counts(env)
    r = await env.coach.post(PREVIEW, json=body)
    assert r.status == 200, r.body
    preview = r.body
    assert await counts(env) == before  # a dry run stores nothing, logs nothing but the read
    (read,) = [e for e in await env.log(name=READ) if e["detail"] == "preview"]
    assert read["data_subject_id"] == client_id and read["actor"].startswith("coach/")
    await env.deliver()
    assert all(sim.received == [] for sim in env.sims.values())

    items = preview["items"]
    assert [i["partner_id"] for i in items] == [i["partner_id"] for i in body["items"]]
    refused = items[4]
    assert refused["advice_type"] == "budgetbeheer" and not refused["decision"]["allowed"]
    assert "toestemming" in refused["decision"]["reason"]
    assert refused["payload"] is None and refused["outbound"] is None

    # The corporatie sees no BSN, in the readable view nor in the raw payload.
    corp = items[0]
    assert corp["partner_id"] == household.CORPORATIE and corp["content_type"]
    assert corp["outbound"]["client"]["bsn"] is None
    assert household.CLIENT["bsn"] not in corp["payload"]
    for it in items[:4]:
        assert set(it["outbound"]["categories"]) == set(it["decision"]["categories"])

    # Same clock, same data: submitting sends byte for byte the previewed message, except for
    # the reference and number that only a stored item gets.
    advice = await env.submit(body)
    await env.deliver()
    registry = env.hub.ctx.registry
    for it, real in zip(items, advice["items"], strict=True):
        assert real["decision"] == it["decision"]
        if not it["decision"]["allowed"]:
            continue
        assert real["deadline"] == it["deadline"]
        partner = env.hub.ctx.partners.get(it["partner_id"])
        assert partner is not None
        ptype = registry.get(partner.type)
        assert ptype is not None
        ob = OutboundAdvice.model_validate(it["outbound"])
        assert ptype.translate_advice(ob).body.decode() == it["payload"]
        sent = ob.model_copy(
            update={"item_ref": uuid.UUID(real["id"]), "item_number": real["number"]}
        )
        received = [
            x for x in env.sims[it["partner_id"]].received if str(x.request.item_ref) == real["id"]
        ]
        assert len(received) == 1
        assert ptype.translate_advice(sent).body == received[0].body
        assert received[0].headers["Content-Type"].startswith(it["content_type"].split(";")[0])


async def test_preview_keeps_the_submit_rules(env: Env) -> None:
    client_id = await env.household()
    body: dict[str, Any] = household.advice(client_id, env.today)
    # Another team's coach cannot preview (nor learn about) this client.
    other = ApiClient(env.session, await env.hub.token("coach", "b", team="team-b"))
    r = await other.post(PREVIEW, json=body)
    assert r.status == 422 and r.body["error"]["fields"][0]["field"] == "client_id"
    # Only coaches.
    assert (await env.privacy.post(PREVIEW, json=body)).status == 403
    # The same validation as submit, naming the field.
    body["items"][0]["partner_id"] = "bestaat-niet"
    r = await env.coach.post(PREVIEW, json=body)
    assert r.status == 422, r.body
    assert r.body["error"]["fields"][0]["field"] == "items.0.partner_id"
    # Without consent everything that needs one is refused, with its Dutch reason.
    bare = await env.coach.post("/api/v1/clients", json={**household.CLIENT, "bsn": "999990020"})
    assert bare.status == 201, bare.body
    r = await env.coach.post(PREVIEW, json=household.advice(bare.body["id"], env.today))
    assert r.status == 200
    by_partner = {i["partner_id"]: i for i in r.body["items"]}
    assert not by_partner[household.CORPORATIE]["decision"]["allowed"]
    assert by_partner[household.CORPORATIE]["decision"]["reason"]
    assert by_partner[household.GI]["decision"]["allowed"]  # statutory basis, no consent
