"""For every advice type of every partner: what a simulator parses from the bytes it received
holds no data category outside what the privacy rules permit for that partner."""

from typing import Any

import pytest

from tests.support.harness import Env
from wijkhub.hub.demo import household
from wijkhub.hub.plugin_api.manager import load_registry
from wijkhub.schemas.categories import DataCategory

REGISTRY = load_registry()
PARTNER_OF_TYPE = {
    "corporatie": household.CORPORATIE,
    "stadsbank": household.STADSBANK,
    "gecertificeerde_instelling": household.GI,
    "zorgaanbieder": household.ZORG,
}
WMO = {"volume": 3, "unit": "04", "frequency": "4", "start_date": "2026-12-01"}
PARAMETERS: dict[str, dict[str, Any]] = {
    "betalingsregeling_huurachterstand": {"proposed_monthly_amount_cents": 5000},
    "opschorting_ontruiming": {"eviction_date": "2027-01-15"},
    "advies_hulp_binnen_maatregel": {"help_form": "parenting_support"},
    "wmo_huishoudelijke_hulp": WMO,
    "wmo_begeleiding": WMO,
}
CASES = [
    (ptype, at.name)
    for ptype, pt in sorted(REGISTRY.partner_types.items())
    for at in pt.advice_types
]


@pytest.mark.parametrize(("ptype", "advice_type"), CASES, ids=[f"{p}/{a}" for p, a in CASES])
async def test_payload_holds_only_permitted_categories(
    env: Env, ptype: str, advice_type: str
) -> None:
    partner_id = PARTNER_OF_TYPE[ptype]
    r = await env.coach.post("/api/v1/clients", json=household.CLIENT)
    client_id = r.body["id"]
    # The client consents to everything, explicitly: only the rules can hold data back now.
    everything = {
        "partner_id": partner_id,
        "purposes": [advice_type],
        "explicit": True,
        "categories": [c.value for c in DataCategory],
        "valid_from": env.today.isoformat(),
        "evidence_ref": "sha256:" + "cd" * 32,
    }
    assert (
        await env.coach.post(f"/api/v1/clients/{client_id}/consents", json=everything)
    ).status == 201
    advice = await env.submit(
        {
            "client_id": client_id,
            "items": [
                {
                    "partner_id": partner_id,
                    "advice_type": advice_type,
                    "motivation": "Toelichting van de coach.",
                    "threats": ["eviction"],
                    "parameters": PARAMETERS.get(advice_type, {}),
                }
            ],
        }
    )
    item = advice["items"][0]
    assert item["decision"]["allowed"], item["decision"]
    await env.deliver()

    sim = env.sims[partner_id]
    assert len(sim.received) == 1
    got = set(sim.received[0].request.categories)
    permitted = env.hub.ctx.rules.partner_types[ptype].permitted_categories
    assert got <= permitted, f"{ptype}/{advice_type} carried {got - permitted}"
    assert got <= set(item["decision"]["categories"])
    at = REGISTRY.partner_types[ptype].advice_type(advice_type)
    assert at is not None and at.required_categories <= got
    raw = sim.received[0].body
    if DataCategory.bsn not in permitted:
        assert household.CLIENT["bsn"].encode() not in raw
    if DataCategory.health not in got:
        assert household.CLIENT["health"]["summary"].encode() not in raw
