"""The demo's fictional household, consents and advice (also used by the end-to-end tests).

A real household: Fenna, parent with authority, and her son Daan (13, under an OTS), each a
client of their own, with a goal per life domain, so the plan and the consent per member show.
Everything here is made up: the BSNs are from the range reserved for fictional people.
"""

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

CLIENT: dict[str, Any] = {
    "bsn": "999990019",
    "given_names": "Fenna Maria",
    "family_name": "Testervelde",
    "birth_date": "1987-03-14",
    "gender": "female",
    "address": {
        "street": "Proefstraat",
        "house_number": 12,
        "postcode": "7511 AB",
        "city": "Enschede",
    },
    "phone": "06-12345678",
    "email": "fenna@voorbeeld.test",
    "household": [
        {
            "given_name": "Daan",
            "family_name": "Testervelde",
            "birth_date": "2012-06-01",
            "role": "child",
        },
    ],
    "housing": {
        "tenure": "social_rent",
        "landlord": "De Woonplaats",
        "rent_arrears_cents": 184500,
        "eviction_date": "2027-01-15",
    },
    "finance": {
        "income_source": "benefit",
        "monthly_income_cents": 145000,
        "debt_total_cents": 1250000,
        "creditor_count": 7,
    },
    "health": {"summary": "Chronische rugklachten; beperkt mobiel.", "wmo_indication": True},
    "youth_protection": {
        "measure": "ots",
        "measure_since": "2025-09-01",
        "case_reference": "GI-2025-0042",
    },
}

# Daan as a client of his own: the household plan needs every member registered.
CHILD: dict[str, Any] = {
    "bsn": "999900213",
    "given_names": "Daan",
    "family_name": "Testervelde",
    "birth_date": "2012-06-01",
    "gender": "male",
    "address": CLIENT["address"],
    "youth_protection": CLIENT["youth_protection"],
}

# Goals of the plan: (member, life domain, text). "parent" is Fenna, "child" Daan.
GOALS: list[tuple[str, str, str]] = [
    ("parent", "wonen", "Fenna en Daan blijven in hun woning: de huurachterstand is weg."),
    ("parent", "financien", "Overzicht over de schulden en vaste lasten die betaald worden."),
    ("parent", "gezondheid", "Dagstructuur ondanks de rugklachten."),
    ("child", "opvoeding", "Daan krijgt opvoedondersteuning binnen de OTS."),
]
# Which goal each demo item serves (by its place in `advice`), and the member it is about.
ITEM_GOALS: dict[int, tuple[str, int]] = {
    0: ("parent", 0),
    1: ("parent", 1),
    2: ("child", 3),
    3: ("parent", 2),
    4: ("parent", 1),
}

Post = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


async def register_family(post: Post, parent_id: str) -> dict[str, Any]:
    """Daan, the household (Fenna parent with authority, Daan child) and its goals, through
    the API as a coach would: returns the member ids and goal ids by name."""
    child = await post("/api/v1/clients", CHILD)
    home = await post(
        "/api/v1/households",
        {
            "members": [
                {"client_id": parent_id, "role": "parent_with_authority"},
                {"client_id": child["id"], "role": "child"},
            ]
        },
    )
    by_client = {m["client_id"].replace("-", ""): m["id"] for m in home["members"]}
    members = {
        "parent": by_client[parent_id.replace("-", "")],
        "child": by_client[child["id"].replace("-", "")],
    }
    goals = []
    for who, domain, text in GOALS:
        goal = await post(
            f"/api/v1/households/{home['id']}/plan/goals",
            {"member_id": members[who], "domain": domain, "text": text},
        )
        goals.append(goal["id"])
    return {"household_id": home["id"], "child_id": child["id"], "members": members, "goals": goals}


def planned(body: dict[str, Any], family: dict[str, Any]) -> dict[str, Any]:
    """The demo advice with each item's member and goal from the registered plan."""
    items = []
    for i, it in enumerate(body["items"]):
        who, goal = ITEM_GOALS.get(i, ("parent", 0))
        items.append({**it, "member_id": family["members"][who], "goal_id": family["goals"][goal]})
    return {**body, "items": items}


# Partner ids as in the demo's partners.toml.
CORPORATIE, STADSBANK, GI, ZORG = "woonplaats", "stadsbank", "gi-jbov", "zorg-twente"


def consents(today: date) -> list[dict[str, Any]]:
    base = {
        "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=365)).isoformat(),
        "evidence_ref": "sha256:" + "ab" * 32,
    }
    return [
        {
            **base,
            "partner_id": CORPORATIE,
            "purposes": ["betalingsregeling_huurachterstand"],
            "categories": [
                "identification",
                "contact",
                "household",
                "housing",
                "finance",
                "free_text",
            ],
        },
        # Only for the intake: the budgetbeheer item below must be refused.
        {
            **base,
            "partner_id": STADSBANK,
            "purposes": ["schuldhulpverlening_aanmelding"],
            "categories": [
                "identification",
                "bsn",
                "contact",
                "household",
                "housing",
                "finance",
                "free_text",
            ],
        },
        {
            **base,
            "partner_id": ZORG,
            "purposes": ["wmo_begeleiding"],
            "explicit": True,
            "categories": ["identification", "bsn", "contact", "health", "free_text"],
        },
        # No consent for the GI: it works on a statutory basis (Jeugdwet).
    ]


def advice(client_id: str, today: date) -> dict[str, Any]:
    start = today + timedelta(days=7)
    return {
        "client_id": client_id,
        "summary": "Gezin met huurachterstand, schulden en een lopende OTS.",
        "items": [
            {
                "partner_id": CORPORATIE,
                "advice_type": "betalingsregeling_huurachterstand",
                "motivation": "Huurachterstand van € 1.845; cliënt kan € 75 per maand aflossen.",
                "urgency": "high",
                "threats": ["eviction"],
                "parameters": {"proposed_monthly_amount_cents": 7500, "term_months": 25},
            },
            {
                "partner_id": STADSBANK,
                "advice_type": "schuldhulpverlening_aanmelding",
                "motivation": "Zeven schuldeisers; ontruiming dreigt. Graag snelle intake.",
                "urgency": "crisis",
                "threats": ["eviction"],
                "parameters": {"creditors_known": True},
            },
            {
                "partner_id": GI,
                "advice_type": "advies_hulp_binnen_maatregel",
                "motivation": "Advies: ambulante opvoedondersteuning binnen de OTS van Daan.",
                "parameters": {"help_form": "parenting_support"},
            },
            {
                "partner_id": ZORG,
                "advice_type": "wmo_begeleiding",
                "motivation": "Begeleiding bij dagstructuur en administratie.",
                "parameters": {
                    "product_category": "02",
                    "volume": 4,
                    "unit": "04",
                    "frequency": "2",
                    "start_date": start.isoformat(),
                    "end_date": (start + timedelta(days=180)).isoformat(),
                },
            },
            {
                "partner_id": STADSBANK,
                "advice_type": "budgetbeheer",
                "motivation": "Budgetbeheer zodat vaste lasten worden betaald.",
                "parameters": {"pay_fixed_charges": True},
            },
        ],
    }
