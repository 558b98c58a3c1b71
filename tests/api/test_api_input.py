"""Bad input gets a clear 4xx naming the field, and nothing is stored."""

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.support.harness import Env
from wijkhub.hub.demo import household
from wijkhub.hub.store.tables import (
    AdviceRow,
    DeliveryRow,
    ItemRow,
    ProcessingLogRow,
    StatusUpdateRow,
)

TABLES = (AdviceRow, ItemRow, DeliveryRow, ProcessingLogRow, StatusUpdateRow)


async def counts(env: Env) -> dict[str, int]:
    async with env.hub.ctx.db.read() as conn:
        return {
            t.__tablename__: await conn.scalar(select(func.count()).select_from(t)) for t in TABLES
        }


def good_advice(client_id: str, env: Env) -> dict[str, Any]:
    return household.advice(client_id, env.today)


def breakers() -> list[tuple[str, Any, int, str]]:
    """(description, mutation, expected status, field named in the error)."""

    def drop(key: str) -> Any:
        return lambda a: {k: v for k, v in a.items() if k != key}

    def item(i: int, **changes: Any) -> Any:
        def f(a: dict[str, Any]) -> dict[str, Any]:
            a["items"][i] = {**a["items"][i], **changes}
            return a

        return f

    def param(i: int, **changes: Any) -> Any:
        def f(a: dict[str, Any]) -> dict[str, Any]:
            a["items"][i]["parameters"] = {**a["items"][i]["parameters"], **changes}
            return a

        return f

    return [
        ("no items", drop("items"), 422, "items"),
        ("empty items", lambda a: {**a, "items": []}, 422, "items"),
        ("unknown field", lambda a: {**a, "extra": 1}, 422, "extra"),
        ("client id not a uuid", lambda a: {**a, "client_id": "x"}, 422, "client_id"),
        (
            "unknown client",
            lambda a: {**a, "client_id": "00000000-0000-4000-8000-000000000000"},
            422,
            "client_id",
        ),
        ("bad partner id", item(2, partner_id="NOT OK"), 422, "items.2.partner_id"),
        ("unknown partner", item(1, partner_id="nergens"), 422, "items.1.partner_id"),
        ("unknown advice type", item(0, advice_type="iets_anders"), 422, "items.0.advice_type"),
        ("empty motivation", item(0, motivation=""), 422, "items.0.motivation"),
        ("bad urgency", item(0, urgency="soon"), 422, "items.0.urgency"),
        ("bad threat", item(1, threats=["brand"]), 422, "items.1.threats.0"),
        ("bad date", item(0, requested_date="31-12-2026"), 422, "items.0.requested_date"),
        ("weekly Wmo without end date", param(3, end_date=None), 422, "items.3.parameters"),
        ("Wmo unit unknown", param(3, unit="99"), 422, "items.3.parameters.unit"),
        ("unknown parameter", param(0, surprise=True), 422, "items.0.parameters.surprise"),
    ]


@pytest.mark.parametrize(
    ("what", "mutate", "status", "field"), breakers(), ids=[b[0] for b in breakers()]
)
async def test_malformed_advice_names_the_field_and_stores_nothing(
    env: Env, what: str, mutate: Any, status: int, field: str
) -> None:
    client_id = await env.household()
    before = await counts(env)
    r = await env.coach.post("/api/v1/advices", json=mutate(good_advice(client_id, env)))
    assert r.status == status, (what, r.body)
    err = r.body["error"]
    named = [f["field"] for f in err["fields"]]
    assert any(n == field or n.startswith(field + ".") for n in named), (what, named)
    assert field.split(".")[0] in err["message"]
    assert await counts(env) == before


async def test_invalid_json_is_400_and_stores_nothing(env: Env) -> None:
    await env.household()
    before = await counts(env)
    r = await env.coach.post(
        "/api/v1/advices", data=b'{"client_id": ', headers={"Content-Type": "application/json"}
    )
    assert r.status == 400 and r.body["error"]["code"] == "invalid_json"
    assert await counts(env) == before


async def test_oversized_body_is_413(env: Env) -> None:
    r = await env.coach.post(
        "/api/v1/advices",
        data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert r.status == 413


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**household.CLIENT, "bsn": "999990018"}, "bsn"),  # fails the elfproef
        ({**household.CLIENT, "bsn": "12345678"}, "bsn"),  # eight digits
        (
            {**household.CLIENT, "address": {**household.CLIENT["address"], "postcode": "751 AB"}},
            "address.postcode",
        ),
        ({k: v for k, v in household.CLIENT.items() if k != "family_name"}, "family_name"),
    ],
)
async def test_malformed_client_names_the_field(env: Env, body: dict[str, Any], field: str) -> None:
    before = await counts(env)
    r = await env.coach.post("/api/v1/clients", json=body)
    assert r.status == 422
    assert field in [f["field"] for f in r.body["error"]["fields"]]
    assert await counts(env) == before


async def test_duplicate_client_is_409(env: Env) -> None:
    await env.household(with_consents=False)
    r = await env.coach.post("/api/v1/clients", json=household.CLIENT)
    assert r.status == 409


async def test_consent_for_unknown_purpose_names_the_field(env: Env) -> None:
    client_id = await env.household(with_consents=False)
    c = {**household.consents(env.today)[0], "purposes": ["alles"]}
    r = await env.coach.post(f"/api/v1/clients/{client_id}/consents", json=c)
    assert r.status == 422 and r.body["error"]["fields"][0]["field"] == "purposes"
    bad_period = {**household.consents(env.today)[0], "valid_until": "2000-01-01"}
    r = await env.coach.post(f"/api/v1/clients/{client_id}/consents", json=bad_period)
    assert r.status == 422


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "client_id",
                        "items",
                        "partner_id",
                        "advice_type",
                        "motivation",
                        "parameters",
                        "summary",
                        "urgency",
                    ]
                )
                | st.text(max_size=8),
                inner,
                max_size=5,
            )
        ),
        max_leaves=12,
    )
)
async def test_arbitrary_json_never_causes_a_server_error(env: Env, body: Any) -> None:
    r = await env.coach.post(
        "/api/v1/advices",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert 400 <= r.status < 500, r.body


@pytest.mark.parametrize(
    "query",
    [
        "since=2026-01-01T00:00:00",  # no time zone
        "until=2026-01-01",
        "since=0001-01-01T00:00:00%2B01:00",  # before the calendar starts, in UTC
        "after_seq=99999999999999999999999",
        "data_subject_id=niet-een-uuid",
        "limit=0",
    ],
)
async def test_processing_log_filters_are_validated(env: Env, query: str) -> None:
    r = await env.privacy.get(f"/api/v1/processing-log?{query}")
    assert r.status == 422, r.body


async def test_control_characters_in_client_text_are_refused(env: Env) -> None:
    r = await env.coach.post(
        "/api/v1/clients", json={**household.CLIENT, "family_name": "Tester\x01velde"}
    )
    assert r.status == 422
    assert r.body["error"]["fields"][0]["field"] == "family_name"


async def test_status_with_a_timestamp_outside_the_calendar_is_400(env: Env) -> None:
    client_id = await env.household()
    advice = await env.submit(household.advice(client_id, env.today))
    await env.deliver()
    corp = next(it for it in advice["items"] if it["partner_id"] == household.CORPORATIE)
    body = json.dumps(
        {
            "berichttype": "statusmelding",
            "versie": "1.0",
            "bericht_id": "x-1",
            "advies_referentie": corp["id"],
            "status": "ontvangen",
            "tijdstip": "0001-01-01T00:00:00+01:00",
        }
    ).encode()
    r = await env.post_status("woonplaats", body)
    assert r.status == 400, r.body


async def test_a_bsn_in_free_text_never_reaches_a_partner_without_bsn_rights(env: Env) -> None:
    client_id = await env.household()
    advice = household.advice(client_id, env.today)
    advice["items"][0]["motivation"] = "Zie dossier van BSN 9999.90.019 bij de gemeente."
    before = await counts(env)
    r = await env.coach.post("/api/v1/advices", json=advice)
    assert r.status == 422
    assert r.body["error"]["fields"][0]["field"] == "items.0.motivation"
    assert "BSN" in r.body["error"]["fields"][0]["message"]
    assert await counts(env) == before
    # The Stadsbank may process the BSN: the same text is fine there.
    advice["items"][0]["motivation"] = "Huurachterstand."
    advice["items"][1]["motivation"] = "Zie dossier van BSN 9999.90.019."
    assert (await env.coach.post("/api/v1/advices", json=advice)).status == 201


async def test_threats_reach_only_partners_whose_slice_covers_them(env: Env) -> None:
    client_id = await env.household()
    advice = household.advice(client_id, env.today)
    for item in advice["items"]:
        item["threats"] = ["eviction", "health_insurance_cancellation"]
    await env.submit(advice)
    await env.deliver()
    gi = env.sims[household.GI].received[0]
    # The GI's slice has neither housing nor finance: it learns of neither threat.
    assert b"ontruiming" not in gi.body.lower() and b"eviction" not in gi.body
    assert b"zorgverzekering" not in gi.body.lower()
    stadsbank = env.sims[household.STADSBANK].received[0].body
    assert b"huisuitzetting" in stadsbank, "the Wgs deadline needs the reason"
