"""The demo's chain-report history: enough items that the team leader sees figures and bars,
not only "< 5", and nothing sent to any partner."""

from datetime import date

from sqlalchemy import func, select

from tests.support.harness import Env
from wijkhub.hub.demo.chain_seed import HISTORY, add_working_days, seed_history
from wijkhub.hub.demo.household import CORPORATIE, STADSBANK
from wijkhub.hub.reports.chain_report import SUPPRESSED, ReportQuery, build, default_range
from wijkhub.hub.store.tables import ATTEMPT, LOG


async def test_the_seed_gives_every_partner_figures_over_the_whole_period(env: Env) -> None:
    async with env.hub.ctx.db.read() as conn:
        log_before = await conn.scalar(select(func.count()).select_from(LOG))
    n = await seed_history(env.hub.ctx, "team-a", env.today)
    assert n >= 30
    start, end = default_range(env.today)
    query = ReportQuery.model_validate({"from": start, "until": end, "period": "range"})
    report = await build(env.hub.ctx, query, "team-a")
    rows = {r.partner_id: r for r in report.rows}
    assert set(rows) == {p for p, *_ in HISTORY}
    for r in rows.values():
        assert r.cases != SUPPRESSED and r.cases >= 5
        assert r.first_answer.median != SUPPRESSED and r.decision.median != SUPPRESSED
    # Partners differ in pace, as the seed says: the Stadsbank decides slower than the corporatie.
    assert rows[STADSBANK].decision.median > rows[CORPORATIE].decision.median  # type: ignore[operator]
    # Another team sees none of it; nothing was sent, the log only has the client's registration.
    assert (await build(env.hub.ctx, query, "team-b")).rows == []
    async with env.hub.ctx.db.read() as conn:
        assert await conn.scalar(select(func.count()).select_from(ATTEMPT)) == 0
        log_after = await conn.scalar(select(func.count()).select_from(LOG))
    assert log_after - log_before <= 2


def test_working_days_skip_weekends() -> None:
    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)  # Friday → Monday
