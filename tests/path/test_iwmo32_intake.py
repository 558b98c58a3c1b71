"""End to end through the simulator, which speaks iWmo 3.2 too: the care provider receives a real
WMO301, answers with a WMO302 and a WMO305; the hub stores the start with its effective date and
answers each 305/307 with its WMO306/WMO308 retour, refusing what the standard refuses."""

import json
import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Any

from lxml import etree
from sqlalchemy import select

from tests.support.harness import Env
from wijkhub.hub.demo import household
from wijkhub.hub.plugin_api.types import ReceivedRequest
from wijkhub.hub.store.tables import STATUS
from wijkhub.plugins.zorgaanbieder.codes import NS32_301, NS32_306, NS32_BASIS
from wijkhub.schemas.status import PartnerStatus, StatusUpdate

XML = "application/xml"


async def _allocate(env: Env) -> tuple[dict[str, Any], ReceivedRequest]:
    client_id = await env.household()
    body = household.advice(client_id, env.today)
    body["items"] = [it for it in body["items"] if it["partner_id"] == household.ZORG]
    advice = await env.submit(body)
    await env.deliver()
    advice = await env.answered(advice)
    [got] = env.sims[household.ZORG].received
    return advice, got.request


def _codes(xml: str, path: str) -> list[str]:
    root = etree.fromstring(xml.encode())
    ns = {"m": etree.QName(root).namespace or "", "b": NS32_BASIS}
    return [e.text or "" for e in root.findall(f"{path}/m:RetourCodes/m:RetourCode", ns)]


async def _post(env: Env, req: ReceivedRequest, update: StatusUpdate) -> dict[str, Any]:
    backoffice = env.sims[household.ZORG].backoffice
    assert backoffice.render_reply is not None
    msg = backoffice.render_reply(req, update)
    r = await env.post_status(household.ZORG, msg.body, content_type=XML)
    assert r.status == 202, r.body
    return r.body if isinstance(r.body, dict) else json.loads(r.body)


async def test_demo_partner_gets_a_real_301_and_its_305_is_a_dated_start(env: Env) -> None:
    advice, req = await _allocate(env)
    [item] = advice["items"]
    sim = env.sims[household.ZORG]
    [received] = sim.received
    root = etree.fromstring(received.body)
    assert etree.QName(root).namespace == NS32_301
    assert req.fields["ontvanger"] == "98765432"  # the AGB code from partners.toml
    assert str(req.item_ref) == item["id"]  # named by the transport, not the message
    assert item["partner_status"] == PartnerStatus.in_progress.value
    async with env.hub.ctx.db.read() as conn:
        rows = (
            await conn.execute(select(STATUS).where(STATUS.c.item_id == uuid.UUID(item["id"]).hex))
        ).all()
    by_status = {r.status: r for r in rows}
    assert set(by_status) == {"received", "in_progress"}
    assert by_status["in_progress"].effective_date == env.clock.now().date()
    assert by_status["received"].effective_date is None


async def test_hub_answers_a_305_with_a_306_and_refuses_what_it_cannot_link(env: Env) -> None:
    _, req = await _allocate(env)
    now = env.clock.now()
    start = StatusUpdate(
        item_ref=req.item_ref,
        status=PartnerStatus.carried_out,
        occurred_at=now,
        partner_message_id="zt-stop-1",
        effective_date=now.date(),
    )
    ok = await _post(env, req, start)
    assert ok["accepted"] == 1 and ok["retour"] is not None
    assert etree.QName(etree.fromstring(ok["retour"].encode())).localname == "Bericht"
    assert _codes(ok["retour"], "m:Client/m:StopProducten/m:StopProduct") == ["0200"]

    unknown = replace(req, fields={**req.fields, "toewijzingnummer": 999_999})
    nine = await _post(env, unknown, replace_id(start, "zt-stop-2"))
    assert nine["accepted"] == 0
    assert _codes(nine["retour"], "m:Client/m:StopProducten/m:StopProduct") == ["9019"]

    later = start.model_copy(
        update={"partner_message_id": "zt-start-3", "occurred_at": now + timedelta(days=2)}
    )
    future = await _post(env, req, later.model_copy(update={"status": PartnerStatus.in_progress}))
    assert future["accepted"] == 0
    assert _codes(future["retour"], "m:Header") == ["8848"]


def replace_id(update: StatusUpdate, partner_message_id: str) -> StatusUpdate:
    return update.model_copy(update={"partner_message_id": partner_message_id})


async def test_retour_306_is_valid_in_its_own_namespace(env: Env) -> None:
    _, req = await _allocate(env)
    start = StatusUpdate(
        item_ref=req.item_ref,
        status=PartnerStatus.in_progress,
        occurred_at=env.clock.now(),
        partner_message_id="zt-start-9",
    )
    answer = await _post(env, req, start)
    assert etree.QName(etree.fromstring(answer["retour"].encode())).namespace == NS32_306
