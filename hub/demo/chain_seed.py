"""A fictional history for the demo's chain report: enough delivered items per partner over
the last three months that bars show and most figures rest on five or more cases.

The demo's one household gives one item per partner, and a chain report hides every figure
under five cases, so the team leader would see only "< 5". This seed writes what the report
reads (advice items, their first delivery, the partners' statuses) for one fictional client
of the demo team, directly in the demo's own throw-away database. It sends nothing to any
partner and writes no processing-log entries: it is scenery for the report, never a
disclosure. Working days per step vary by a fixed pattern, so every run looks the same.
"""

import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert

from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.deadlines import is_working_day
from wijkhub.hub.demo import household
from wijkhub.hub.records import clients
from wijkhub.hub.store.tables import ADVICE, DELIVERY, ITEM, STATUS
from wijkhub.schemas.client import ClientIn

SEED_ACTOR = "admin/demo-geschiedenis"
# partner, advice type, items, (first answer, decision, execution) working days to add per item
HISTORY = [
    (household.CORPORATIE, "betalingsregeling_huurachterstand", 12, (1, 3, 8)),
    (household.STADSBANK, "schuldhulpverlening_aanmelding", 10, (2, 6, 15)),
    (household.GI, "advies_hulp_binnen_maatregel", 6, (2, 5, 12)),
    (household.ZORG, "wmo_begeleiding", 9, (1, 7, 18)),
]
HISTORY_CLIENT = {
    **household.CLIENT,
    "bsn": "999990032",
    "given_names": "Voorbeeld",
    "family_name": "Ketengeschiedenis",
}


def add_working_days(start: date, n: int) -> date:
    day = start
    while n > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=UTC)


async def seed_history(ctx: HubContext, team: str, today: date) -> int:
    """Write the history; the number of items it wrote."""
    client = await clients.create(ctx, ClientIn.model_validate(HISTORY_CLIENT), SEED_ACTOR, team)
    client_id = client.id.hex
    count = 0
    async with ctx.db.write() as conn:
        for partner_id, advice_type, n, (first, decision, execution) in HISTORY:
            partner = ctx.partners.get(partner_id)
            if partner is None:
                continue
            for i in range(n):
                delivered_on = add_working_days(today - timedelta(days=91), 4 * i + (i % 3))
                if delivered_on >= today:
                    break
                advice_id, item_id = uuid.uuid4().hex, uuid.uuid4().hex
                at = _moment(delivered_on)
                await conn.execute(
                    insert(ADVICE).values(
                        id=advice_id,
                        client_id=client_id,
                        summary=None,
                        created_at=at,
                        created_by=SEED_ACTOR,
                        trace_id=uuid.uuid4().hex,
                    )
                )
                await conn.execute(
                    insert(ITEM).values(
                        id=item_id,
                        advice_id=advice_id,
                        client_id=client_id,
                        position=0,
                        partner_id=partner_id,
                        partner_type=partner.type,
                        advice_type=advice_type,
                        urgency="normal",
                        details=ctx.seal(
                            {"motivation": "", "parameters": {}, "threats": []},
                            f"advice_item.details:{item_id}",
                        ),
                        allowed=True,
                        decision_code="demo_history",
                        decision_reason="Voorbeeldgeschiedenis van de demo.",
                        categories=[],
                        rules_version="demo",
                    )
                )
                delivery_id = uuid.uuid4().hex
                await conn.execute(
                    insert(DELIVERY).values(
                        id=delivery_id,
                        item_id=item_id,
                        partner_id=partner_id,
                        kind="advice",
                        transport="push",
                        status="delivered",
                        attempts=1,
                        next_attempt_at=at,
                        idempotency_key=f"demo-history-{item_id}",
                        payload=ctx.seal_bytes(b"", f"delivery.payload:{delivery_id}"),
                        content_type="application/json",
                        trace_id=uuid.uuid4().hex,
                        created_at=at,
                        updated_at=at,
                        delivered_at=at,
                    )
                )
                # A spread around each partner's typical pace; one in four rejected.
                spread = (i * 7) % 5 - 2
                steps = [("received", first + max(spread, -first + 1) // 2)]
                rejected = i % 4 == 3
                steps.append(("rejected" if rejected else "adopted", decision + spread))
                if not rejected:
                    steps.append(("carried_out", execution + 2 * spread))
                for k, (status, days) in enumerate(steps):
                    on = add_working_days(delivered_on, max(days, 1))
                    if on > today:
                        break
                    pmid = f"demo-history-{item_id}-{k}"
                    await conn.execute(
                        insert(STATUS).values(
                            item_id=item_id,
                            partner_id=partner_id,
                            partner_message_id=pmid,
                            status=status,
                            occurred_at=_moment(on),
                            received_at=_moment(on),
                            text=ctx.seal({}, f"status_update.text:{partner_id}:{pmid}"),
                            raw=ctx.seal_bytes(b"", f"status_update.raw:{partner_id}:{pmid}"),
                            reason_code="no_capacity" if status == "rejected" else None,
                        )
                    )
                count += 1
    return count
