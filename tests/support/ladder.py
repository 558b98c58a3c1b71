"""Driving the escalation ladder from a test: one demo item, the clock moved to a moment, and
the job run as the server runs it (escalations, then the delivery worker)."""

from datetime import date, datetime
from typing import Any

from tests.support.harness import Env
from wijkhub.hub.casework.escalation import Step, run_escalations
from wijkhub.hub.demo import household


def item_for(partner_id: str, **over: Any) -> dict[str, Any]:
    """The demo advice's item for one partner, with fields overridden."""
    items = household.advice("x", date(2026, 11, 23))["items"]
    item = next(i for i in items if i["partner_id"] == partner_id)
    return {**item, **over}


def move_to(env: Env, moment: datetime) -> None:
    assert moment >= env.clock.now()
    env.clock.advance(seconds=(moment - env.clock.now()).total_seconds())


async def run_ladder(env: Env) -> list[tuple[str, Step]]:
    """The job, then the worker, as the server would run them."""
    res = await run_escalations(env.hub.ctx)
    await env.deliver()
    return [(f.milestone, f.step) for f in res.fired]
