"""Refused access attempts, recorded in the processing log (hash-chained, no personal data):
a privacy officer must see who tried to reach what they may not."""

from .context import HubContext
from .processing_log import STATUS_ERROR, LogEntry, append, new_trace_id


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
