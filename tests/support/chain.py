"""A chain-report scenario on a controlled clock: seven corporatie items answered as a
script says, four care items (a cell under five), and escalation steps written directly."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select

from tests.support.harness import Env, status_body
from wijkhub.hub.demo import household
from wijkhub.hub.store.tables import DELIVERY, STEP

CORP, ZORG = household.CORPORATIE, household.ZORG
CORP_TYPE = "betalingsregeling_huurachterstand"
NOV = "from=2026-11-01&until=2026-11-30"
REASON = "Mevrouw Testervelde heeft al een regeling bij de deurwaarder."


def at(day: int, hour: int = 12) -> datetime:
    """A moment in November/December 2026 (UTC); the FakeClock starts Mon 23 Nov 09:00."""
    return datetime(2026, 11, 1, hour, tzinfo=UTC) + timedelta(days=day - 1)


# Per corporatie item: (moment, status). Delivery is on Monday 23 November; working days after
# it: Tue 24 = 1, Wed 25 = 2, Thu 26 = 3, Fri 27 = 4, (weekend), Mon 30 = 5, Tue 1 Dec = 6, …
CORP_SCRIPT: list[list[tuple[datetime, str]]] = [
    [(at(24), "received"), (at(25), "adopted"), (at(30), "carried_out")],
    [(at(24), "received"), (at(26), "adopted"), (at(31), "carried_out")],
    [(at(25), "received"), (at(26), "partly_adopted"), (at(32), "carried_out")],
    [(at(25), "received"), (at(27), "rejected")],
    [(at(26), "received"), (at(28), "rejected")],  # a Saturday: still 4 working days
    [(at(33), "adopted"), (at(34), "carried_out")],  # no "received": the decision answers
    [(at(24), "received"), (at(27), "carried_out")],  # carried out without a decision
]
# Working days:   first answer       decision          execution
#                 1,1,2,2,3,8,1      2,3,3,4,4,8,4     5,6,7,9,4
# The urgent deadline (eviction) for the first answer is 2 working days: Wed 25 November.


async def submit_one(env: Env, client_id: str, advice_type: str) -> str:
    body = household.advice(client_id, env.today)
    body["items"] = [it for it in body["items"] if it["advice_type"] == advice_type]
    return (await env.submit(body))["items"][0]["id"]


async def answer(env: Env, partner_id: str, item_id: str, status: str, n: int) -> None:
    ptype = env.hub.ctx.partners.get(partner_id).type  # type: ignore[union-attr]
    body = status_body(
        ptype,
        item_id,
        status,
        f"msg-{n}",
        reason=REASON if status in ("rejected", "partly_adopted") else None,
        reason_code="professional_secrecy" if status == "rejected" else None,
        occurred_at=env.clock.now().isoformat(),
    )
    xml = partner_id == ZORG  # iWmo is XML
    r = await env.post_status(
        partner_id, body, content_type="application/xml" if xml else "application/json"
    )
    assert r.status == 202, r.body


async def scenario(env: Env) -> dict[str, list[str]]:
    """Seven corporatie items answered as in CORP_SCRIPT, four zorg items (a small cell)."""
    client_id = await env.household()
    corp = [await submit_one(env, client_id, CORP_TYPE) for _ in CORP_SCRIPT]
    zorg = [await submit_one(env, client_id, "wmo_begeleiding") for _ in range(4)]
    await env.deliver()
    assert len(env.sims[CORP].received) == 7 and len(env.sims[ZORG].received) == 4
    events = [(t, CORP, corp[i], s) for i, script in enumerate(CORP_SCRIPT) for t, s in script]
    events += [(at(24), ZORG, z, "received") for z in zorg]
    for n, (moment, partner_id, item_id, status) in enumerate(sorted(events)):
        env.clock.advance(seconds=(moment - env.clock.now()).total_seconds())
        await answer(env, partner_id, item_id, status, n)
    return {"items": corp + zorg, "client": [client_id]}


async def escalated(env: Env, fired: list[tuple[str, str]]) -> None:
    async with env.hub.ctx.db.write() as conn:
        for step, item_id in fired:
            item = item_id.replace("-", "")
            delivery_id = await conn.scalar(select(DELIVERY.c.id).where(DELIVERY.c.item_id == item))
            await conn.execute(
                insert(STEP).values(
                    item_id=item,
                    delivery_id=delivery_id,
                    partner_id=CORP,
                    advice_type=CORP_TYPE,
                    milestone="first_answer",
                    step=step,
                    team="team-a",
                    due_on=date(2026, 11, 25),
                    fired_at=env.clock.now(),
                )
            )
