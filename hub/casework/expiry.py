"""Consents end at their end date: the expiry job.

A consent with `valid_until` before today (a Dutch calendar date) becomes `expired`, with
the same effect as a withdrawal (`consents.end_consent`): queued deliveries under it are
stopped, and partners that already received data get an intrekking. The policy already
refuses an out-of-date consent before the job has run (it compares dates), so the job's
purpose is the status change, the stopped outbox rows and the notices to partners.

Runs periodically inside the server (`jobs.consent_expiry_interval`) and as
`wijkhub consents expire` for cron.
"""

from dataclasses import dataclass, field

from sqlalchemy import select

from wijkhub.hub.casework.withdrawal import end_consent
from wijkhub.hub.core.clock import local_date
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.processing_log import new_trace_id
from wijkhub.hub.records import consents as registry
from wijkhub.hub.store.tables import CONSENT
from wijkhub.schemas.consent import ConsentStatus

ACTOR = "system:consent-expiry"


@dataclass
class ExpiryResult:
    expired: list[str] = field(default_factory=list)  # consent ids
    notices_queued: int = 0


async def expire_due(ctx: HubContext, actor: str = ACTOR) -> ExpiryResult:
    """Expire every active consent whose end date has passed; one transaction each, so a
    large backlog never holds the write lock for long."""
    today = local_date(ctx.clock.now())
    async with ctx.db.read() as conn:
        due = list(
            (
                await conn.execute(
                    select(CONSENT.c.id).where(
                        CONSENT.c.status == ConsentStatus.active.value,
                        CONSENT.c.valid_until.is_not(None),
                        CONSENT.c.valid_until < today,
                    )
                )
            ).scalars()
        )
    result = ExpiryResult()
    for consent_id in due:
        now = ctx.clock.now()
        trace_id = new_trace_id()
        async with ctx.db.write() as conn:
            consent = await registry.get(conn, ctx, consent_id)
            if consent is None:
                continue
            ended = await registry.mark_expired(conn, consent, actor, now, trace_id)
            if ended is None:
                continue  # withdrawn or expired meanwhile
            result.notices_queued += await end_consent(ctx, conn, ended, actor, now)
            result.expired.append(consent_id)
    if result.notices_queued:
        ctx.on_new_deliveries()
    return result
