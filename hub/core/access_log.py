"""Refused access attempts, recorded in the processing log (hash-chained, no personal data):
a privacy officer must see who tried to reach what they may not. A refusal without anyone
signed in names nobody: it is counted in the metrics instead (`anonymous`)."""

from collections.abc import Collection

from wijkhub.hub.core.auth import Principal
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import ApiError
from wijkhub.hub.core.metrics import ANONYMOUS_REFUSALS
from wijkhub.hub.core.processing_log import STATUS_ERROR, LogEntry, append, new_trace_id


async def refused(ctx: HubContext, actor: str, code: str, what: str) -> None:
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        await append(
            conn,
            [
                LogEntry(
                    name="access.refused",
                    actor=actor,
                    outcome=code,
                    detail=what[:200],
                    trace_id=new_trace_id(),
                    status_code=STATUS_ERROR,
                )
            ],
            now,
        )


def anonymous(ctx: HubContext, reason: str) -> None:
    """A request refused before anyone is known: a metric, not a log entry."""
    ANONYMOUS_REFUSALS.count(reason, ctx.clock.now())


async def require_role(ctx: HubContext, who: Principal, roles: Collection[str], what: str) -> None:
    """The role check of every API route and every web page: refused attempts are logged and
    answered 403 (the API as JSON, the pages as the Dutch 403 page)."""
    if who.role not in roles:
        await refused(ctx, who.actor, "forbidden_role", what)
        raise ApiError(403, "forbidden", "Deze rol heeft geen toegang tot dit onderdeel.")
