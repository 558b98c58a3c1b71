"""Refused access attempts, recorded in the processing log (hash-chained, no personal data):
a privacy officer must see who tried to reach what they may not."""

from collections.abc import Collection

from wijkhub.hub.core.auth import Principal
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import ApiError
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


async def require_role(ctx: HubContext, who: Principal, roles: Collection[str], what: str) -> None:
    """The role check of every API route and every web page: refused attempts are logged and
    answered 403 (the API as JSON, the pages as the Dutch 403 page)."""
    if who.role not in roles:
        await refused(ctx, who.actor, "forbidden_role", what)
        raise ApiError(403, "forbidden", "Deze rol heeft geen toegang tot dit onderdeel.")
