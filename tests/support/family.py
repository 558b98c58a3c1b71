"""The demo household as a family of three for plan tests: Fenna (all demo consents), Joris
and their child Daan (none), registered through the API, and plan items built from the demo."""

from datetime import date
from typing import Any

from tests.support.harness import Env
from wijkhub.hub.demo import household

# Fictional BSNs (the reserved range) for the other members of the demo household.
JORIS_BSN, DAAN_BSN = "999900109", "999900110"


def person(bsn: str, given: str, birth: str) -> dict[str, Any]:
    return {
        **{k: v for k, v in household.CLIENT.items() if k not in ("youth_protection", "health")},
        "bsn": bsn,
        "given_names": given,
        "birth_date": birth,
        "household": [],
    }


async def client(env: Env, body: dict[str, Any]) -> str:
    r = await env.coach.post("/api/v1/clients", json=body)
    assert r.status == 201, r.body
    return r.body["id"]


async def family(env: Env) -> dict[str, Any]:
    """Fenna (all demo consents), Joris (none) and their child Daan (none)."""
    fenna = await env.household()
    joris = await client(env, person(JORIS_BSN, "Joris", "1985-01-20"))
    daan = await client(env, person(DAAN_BSN, "Daan", "2012-06-01"))
    r = await env.coach.post(
        "/api/v1/households",
        json={
            "members": [
                {"client_id": fenna, "role": "parent_with_authority"},
                {"client_id": joris, "role": "parent_with_authority"},
                {"client_id": daan, "role": "child"},
            ]
        },
    )
    assert r.status == 201, r.body
    members = {m["name"].split()[0]: m for m in r.body["members"]}
    assert {m["role_label"] for m in members.values()} == {"ouder met gezag", "kind"}
    return {
        "id": r.body["id"],
        "fenna": fenna,
        "joris": joris,
        "daan": daan,
        "m": {k: v["id"] for k, v in members.items()},
    }


def item(partner_id: str, advice_type: str, **extra: Any) -> dict[str, Any]:
    base = next(
        it
        for it in household.advice("00" * 16, date(2026, 11, 23))["items"]
        if it["advice_type"] == advice_type
    )
    return {**base, "partner_id": partner_id, **extra}
