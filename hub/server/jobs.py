"""Periodic jobs inside the server (consent expiry, retention purge, household-plan waits,
escalation ladder, the processing log's sequencer, expired idempotency keys), next to the
worker.

Each job runs once at start-up and then every `interval` seconds. A failing run is logged
and retried at the next interval; it never stops the server. Several hub processes may run
the same job: each job is idempotent (a consent expires once, data is purged once).

On PostgreSQL the log's sequencer listens for the appends of every process (NOTIFY at their
commit): after a run it waits its interval, then, if nothing was appended meanwhile, until
something is (or a slow fallback poll), instead of running every interval on an idle log.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

from wijkhub.hub.casework.escalation import load_config, run_escalations
from wijkhub.hub.casework.expiry import expire_due
from wijkhub.hub.casework.plan import settle_due
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.db import Database, Subscription
from wijkhub.hub.core.idempotency import forget_expired
from wijkhub.hub.core.sequencer import sequence
from wijkhub.hub.reports.retention import purge

log = logging.getLogger(__name__)


# An idle sequencer that listens still runs this many intervals apart at the longest.
SLOW_POLL_INTERVALS = 12
LOG_CHANNEL = "wijkhub_log"


class PeriodicJob:
    def __init__(
        self,
        name: str,
        interval: float,
        run: Callable[[], Awaitable[object]],
        wake_on: tuple[Database, str] | None = None,
    ) -> None:
        self.name = name
        self.interval = interval
        self._run = run
        self._stop = asyncio.Event()
        self._wake_on = wake_on
        self._notified = asyncio.Event()
        self._subscription: Subscription | None = None
        self.runs = 0

    async def loop(self) -> None:
        await self._listening()  # before the first run: what it misses wakes the next
        try:
            while not self._stop.is_set():
                self._notified.clear()  # before the run: what is appended during it counts
                try:
                    await self._run()
                except Exception:
                    log.exception("periodic job %s failed", self.name)
                self.runs += 1
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self.interval)
                if await self._listening() and not self._notified.is_set():
                    await self._until_notified()
        finally:
            if self._subscription is not None:
                await self._subscription.stop()

    async def _listening(self) -> bool:
        """Listen (again, after the database was away) where notifications exist; a job
        that cannot listen polls every interval."""
        if self._wake_on is None or self._wake_on[0].is_sqlite:
            return False
        if self._subscription is not None and self._subscription.alive:
            return True
        if self._subscription is not None:
            await self._subscription.stop()
            self._subscription = None
        db, channel = self._wake_on
        try:
            self._subscription = await db.listen(channel, self._notified)
        except Exception:
            log.debug("periodic job %s cannot listen; polling", self.name, exc_info=True)
            return False
        return True

    async def _until_notified(self) -> None:
        waits = [asyncio.create_task(e.wait()) for e in (self._stop, self._notified)]
        try:
            await asyncio.wait(
                waits,
                timeout=self.interval * SLOW_POLL_INTERVALS,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            for t in waits:
                t.cancel()

    def stop(self) -> None:
        self._stop.set()


def periodic_jobs(
    ctx: HubContext, enabled: bool
) -> Callable[[web.Application], AsyncIterator[None]]:
    """An aiohttp cleanup context that runs the hub's periodic jobs while the app runs
    (append it after the worker's, so jobs stop before the database is closed)."""

    async def jobs_ctx(_: web.Application) -> AsyncIterator[None]:

        cfg = ctx.settings.jobs
        jobs = []
        if enabled and cfg.consent_expiry_interval > 0:
            jobs.append(
                PeriodicJob("consent-expiry", cfg.consent_expiry_interval, lambda: expire_due(ctx))
            )
        if enabled and cfg.retention_interval > 0:
            jobs.append(PeriodicJob("retention", cfg.retention_interval, lambda: purge(ctx)))
        if enabled and cfg.plan_wait_interval > 0:
            jobs.append(PeriodicJob("plan-waits", cfg.plan_wait_interval, lambda: settle_due(ctx)))
        if enabled and cfg.escalation_interval > 0:
            load_config(ctx)  # a broken ladder stops the start, with a message naming the key
            jobs.append(
                PeriodicJob("escalation", cfg.escalation_interval, lambda: run_escalations(ctx))
            )
        if enabled and ctx.settings.log.checkpoint_interval > 0:
            # Every process may run it: one wins each batch, the others return at once.
            jobs.append(
                PeriodicJob(
                    "log-sequencer",
                    ctx.settings.log.checkpoint_interval,
                    lambda: sequence(ctx.db, ctx.keyring, ctx.settings, ctx.clock),
                    wake_on=(ctx.db, LOG_CHANNEL),
                )
            )
        if enabled and cfg.idempotency_interval > 0:
            jobs.append(
                PeriodicJob(
                    "idempotency-keys", cfg.idempotency_interval, lambda: forget_expired(ctx)
                )
            )
        tasks = [asyncio.create_task(j.loop()) for j in jobs]
        yield
        for j in jobs:
            j.stop()
        for t in tasks:
            t.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await t

    return jobs_ctx
