"""HTTP endpoints of the chain report (see `chain_report`): JSON and CSV, same figures.

A team leader sees the report over the own team's items; the privacy officer over all teams.
"""

from typing import Any

from aiohttp import web
from pydantic import ValidationError

from wijkhub.hub.api.kit import Call, endpoint
from wijkhub.hub.core.clock import local_date
from wijkhub.hub.core.errors import ApiError, validation_error
from wijkhub.hub.core.roles import CHAIN_REPORT_READERS
from wijkhub.hub.reports.chain_report import ChainReport, ReportQuery, build, default_range, to_csv

QUERY_DOC = {
    "from": "eerste leverdatum (JJJJ-MM-DD, standaard: twaalf maanden terug)",
    "until": "laatste leverdatum (JJJJ-MM-DD, standaard: vandaag)",
    "period": "month (standaard), quarter of range",
}


async def _report(call: Call) -> ChainReport:
    team = None
    if call.who.role == "team_leader":
        if not call.who.team:  # never "all teams" by accident
            raise ApiError(403, "no_team", "Dit token hoort bij geen team; vraag een nieuw.")
        team = call.who.team
    start, end = default_range(local_date(call.ctx.clock.now()))
    params: dict[str, Any] = {"from": start, "until": end, **call.query}
    try:
        query = ReportQuery.model_validate(params)
    except ValidationError as exc:
        raise validation_error(exc) from None
    return await build(call.ctx, query, team)


@endpoint(
    roles=CHAIN_REPORT_READERS,
    summary="Ketenrapportage per partner, adviestype en periode (zonder persoonsgegevens)",
    query=QUERY_DOC,
    response=ChainReport,
)
async def chain_json(call: Call) -> ChainReport:
    return await _report(call)


@endpoint(
    roles=CHAIN_REPORT_READERS,
    summary="Ketenrapportage als CSV (dezelfde cijfers)",
    query=QUERY_DOC,
    response={"type": "string"},
    produces="text/csv",
)
async def chain_csv(call: Call) -> web.Response:
    return web.Response(
        text=to_csv(await _report(call)),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="ketenrapportage.csv"'},
    )
