"""Hostile input gets a clear 4xx and changes nothing: XML entity tricks, deep or large JSON."""

from typing import Any

import pytest
from sqlalchemy import func, select

from tests.support.harness import Env
from wijkhub.hub.demo import household
from wijkhub.hub.store.tables import StatusUpdateRow

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Statusmelding xmlns="urn:wijkhub:stadsbank:status:1">
<BerichtId>&lol3;</BerichtId></Statusmelding>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Statusmelding xmlns="urn:wijkhub:stadsbank:status:1">
<BerichtId>&xxe;</BerichtId></Statusmelding>"""
XXE_NO_DOCTYPE_WORD = XXE.replace(b"DOCTYPE", b"doctype")  # lxml refuses it either way


async def status_rows(env: Env) -> int:
    async with env.hub.ctx.db.read() as conn:
        return await conn.scalar(select(func.count()).select_from(StatusUpdateRow))


@pytest.mark.parametrize(
    "payload",
    [BILLION_LAUGHS, XXE, XXE_NO_DOCTYPE_WORD],
    ids=["billion-laughs", "external-entity", "lowercase-doctype"],
)
@pytest.mark.parametrize("partner", [household.STADSBANK, household.ZORG])
async def test_xml_entity_tricks_are_refused(env: Env, payload: bytes, partner: str) -> None:
    before = await status_rows(env)
    r = await env.post_status(partner, payload, content_type="application/xml")
    assert r.status == 400, r.body
    assert r.body["error"]["code"] == "invalid_payload"
    assert b"root:" not in str(r.body).encode()
    assert await status_rows(env) == before


async def test_deeply_nested_json_is_400(env: Env) -> None:
    body = b"[" * 10_000 + b"]" * 10_000
    r = await env.coach.post(
        "/api/v1/advices", data=body, headers={"Content-Type": "application/json"}
    )
    assert r.status == 400


@pytest.mark.parametrize(
    ("parameters", "why"),
    [
        ({"a": {"b": {"c": {"d": {"e": {"f": {"g": 1}}}}}}}, "genest"),
        ({f"k{i}": i for i in range(300)}, "te veel"),
        ({"x": "y" * 5000}, "4000"),
    ],
)
async def test_free_form_parameters_are_bounded(
    env: Env, parameters: dict[str, Any], why: str
) -> None:
    client_id = await env.household()
    advice = household.advice(client_id, env.today)
    advice["items"][0]["parameters"] = parameters
    r = await env.coach.post("/api/v1/advices", json=advice)
    assert r.status == 422
    field = r.body["error"]["fields"][0]
    assert field["field"] == "items.0.parameters" and why in field["message"]


async def test_long_text_is_refused(env: Env) -> None:
    client_id = await env.household()
    advice = household.advice(client_id, env.today)
    advice["items"][0]["motivation"] = "x" * 4001
    r = await env.coach.post("/api/v1/advices", json=advice)
    assert r.status == 422 and r.body["error"]["fields"][0]["field"] == "items.0.motivation"


async def test_responses_carry_security_headers(env: Env) -> None:
    async with env.session.get("/api/v1/advices/x", headers=env.coach.headers) as r:
        h = r.headers
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Cache-Control"] == "no-store"
    assert h["X-Frame-Options"] == "DENY"
    assert "default-src 'none'" in h["Content-Security-Policy"]
