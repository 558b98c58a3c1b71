"""The delivery worker: claims due outbox rows, re-checks consent, pushes, retries, gives up.

- Claims a batch with one statement (`UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP
  LOCKED) RETURNING`), taking a lease: a row held by a process that died is claimed again
  once its lease expires. A row still waiting for its partner's slot when half its lease is
  gone renews it first, and skips the send if the lease was lost.
- Re-checks the policy just before sending: consent may have been withdrawn since.
- Sends with the row's idempotency key, which never changes between tries, so a partner can
  drop duplicates after a lost acknowledgement.
- Backs off exponentially with jitter (`retry_policy`, tenacity's wait) and dead-letters after
  `max_attempts`; a dead row stays visible and can be replayed. An unexpected error counts as
  a failed attempt too, so one poisoned row cannot loop forever.
- One semaphore per partner (`concurrency`, `partner_concurrency`): a slow partner holds only
  its own slots. `run()` claims again as soon as a partner has room, without waiting for the
  sends already out, and skips partners at their limit.
- A circuit breaker per partner (`breaker.py`): while it is open the partner's rows are not
  claimed, and rows already held are put back without counting an attempt.
- A dead advice starts the dead letters' escalation ladder (notices to the coach and the
  team leader, later the steering list). When a partner's breaker closes again its dead rows
  are replayed (`replay_dead_on_recovery`); while a partner has only dead rows left, one is
  offered again after each cool-down as the breaker's probe, so recovery is noticed at all.
- Graceful shutdown: `stop()` ends claiming, sends in flight get `shutdown_grace` seconds,
  and every row the process still holds is released (lease_owner NULL) for another worker.
"""

import asyncio
import contextlib
import logging
import secrets
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from sqlalchemy import and_, case, func, insert, or_, select, update
from yarl import URL

from wijkhub.hub.casework import milestones
from wijkhub.hub.casework.dead_letters import DEAD
from wijkhub.hub.casework.dead_letters import replay as replay_dead
from wijkhub.hub.casework.escalation import run_escalations
from wijkhub.hub.casework.milestones import schedule as schedule_milestones
from wijkhub.hub.casework.withdrawal import queue_withdrawal_notices
from wijkhub.hub.core import retry_policy
from wijkhub.hub.core.breaker import CLOSED, Breakers
from wijkhub.hub.core.clock import SystemClock
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.db import Subscription
from wijkhub.hub.core.metrics import WorkerMetrics
from wijkhub.hub.core.processing_log import STATUS_ERROR, STATUS_OK, LogEntry, append, new_span_id
from wijkhub.hub.core.signatures import RECIPIENT_HEADER, sign_outbound
from wijkhub.hub.core.transport import HttpPushTransport, SendResult
from wijkhub.hub.plugin_api.types import PartnerMessage
from wijkhub.hub.records import consents as consent_registry
from wijkhub.hub.records import households
from wijkhub.hub.steps.recheck import recheck
from wijkhub.hub.store.tables import ATTEMPT, CONSENT, DELIVERY, ITEM
from wijkhub.schemas.consent import ENDED_STATUSES
from wijkhub.schemas.status import DeliveryStatus

log = logging.getLogger(__name__)

DUE = (DeliveryStatus.queued.value, DeliveryStatus.retrying.value)
# The dead letters that climb the escalation ladder, with their milestone: an advice that
# never arrived, and a withdrawal notice (the partner still thinks it may use the data).
DEAD_LETTER_KINDS = {
    "advice": milestones.DELIVERY_MILESTONE,
    "withdrawal": milestones.WITHDRAWAL_MILESTONE,
}
WHY_RECOVERED = "automatisch: de partner is weer bereikbaar"
WHY_PROBE = "automatisch: proefbericht na de afkoeltijd van de partner"
# PostgreSQL: the channel the delivery triggers notify (migration 0016), and how long an
# idle, listening worker waits at most before it looks anyway.
DELIVERY_CHANNEL = "wijkhub_delivery"
SLOW_POLL_SECONDS = 10.0


class DeliveryWorker:
    def __init__(
        self, ctx: HubContext, session: aiohttp.ClientSession, owner: str | None = None
    ) -> None:
        self.ctx = ctx
        self.cfg = ctx.settings.worker
        self.owner = owner or self.cfg.id or f"worker-{secrets.token_hex(4)}"
        # A stable id (given, configured, or `worker_id.claim`'s) is this process's alone, so
        # rows leased under it that are not in flight here were left by its previous run.
        self.stable = bool(owner or self.cfg.id)
        self.transport = HttpPushTransport(session, self.cfg.request_timeout)
        self._wake = asyncio.Event()
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._inflight: Counter[str] = Counter()  # claimed and not yet settled, per partner
        self.breakers = Breakers(ctx.clock, self.cfg.breaker_threshold, self.cfg.breaker_cooldown)
        self.metrics = WorkerMetrics()
        self.metrics.watch(self.breakers)
        self._wait = retry_policy.wait(self.cfg)
        self._stopping = False
        self._subscription: Subscription | None = None  # PostgreSQL: woken by NOTIFY
        self._listen_failed = False
        self._background: set[asyncio.Task[None]] = set()

    def kick(self) -> None:
        self._wake.set()

    def limit(self, partner: str) -> int:
        return self.cfg.partner_concurrency.get(partner, self.cfg.concurrency)

    def _slot(self, partner: str) -> asyncio.Semaphore:
        if partner not in self._slots:
            self._slots[partner] = asyncio.Semaphore(self.limit(partner))
        return self._slots[partner]

    def backoff(self, attempt: int) -> float:
        return retry_policy.backoff(self._wait, attempt)

    async def run(self) -> None:
        """Run until stopped: claim whenever a partner has room (a finished send wakes the
        loop), without waiting for the sends already out; sleep until kicked or polled."""
        tasks: set[asyncio.Task[None]] = set()
        await self._listen()
        if self.stable:
            # Restarted under a stable id (e.g. after kill -9): take back our rows now.
            try:
                await self.release_leases()
            except Exception:
                log.exception("could not release the leases of %s", self.owner)
        try:
            await self.suspect_dead_partners()
        except Exception:
            log.exception("could not look up the partners with dead letters")
        try:
            while not self._stopping:
                # Clear before claiming: a kick that lands during the claim is not lost.
                self._wake.clear()
                try:
                    claimed_at = self.ctx.clock.now()
                    rows = await self.claim()
                except Exception:
                    log.exception("claiming deliveries failed")
                    rows = []
                for r in rows:
                    t = asyncio.create_task(self._deliver_guarded(r, claimed_at))
                    tasks.add(t)
                    t.add_done_callback(tasks.discard)
                if not rows:
                    idle = await self._idle_for()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), idle)
        finally:
            await self._drain(tasks)
            if self._subscription is not None:
                await self._subscription.stop()

    @property
    def listening(self) -> bool:
        """Woken by NOTIFY (PostgreSQL) rather than by polling."""
        return self._subscription is not None and self._subscription.alive

    async def _listen(self) -> None:
        """PostgreSQL: a row queued by any process wakes this worker at that commit
        (NOTIFY), so an idle worker need not poll. Called again while the subscription is
        lost (the database away): until it is back, the worker polls."""
        if self._subscription is not None:
            await self._subscription.stop()
            self._subscription = None
        try:
            self._subscription = await self.ctx.db.listen(DELIVERY_CHANNEL, self._wake)
        except Exception:
            # Said once per outage: while the database is away this is retried at every poll.
            level = logging.DEBUG if self._listen_failed else logging.WARNING
            log.log(level, "could not listen for new deliveries; polling", exc_info=True)
            self._listen_failed = True
        else:
            self._listen_failed = False

    async def _idle_for(self) -> float:
        """How long to wait for a wake-up: never raises, since the loop must outlive a
        database that is away. Polling every `poll_interval` unless notified of new rows;
        then only until the next row falls due (a retry's back-off, a lease that expires),
        with a slow poll as the fallback for a lost notification."""
        if not self.ctx.db.is_sqlite and not self.listening:
            await self._listen()
        if not self.listening or not isinstance(self.ctx.clock, SystemClock):
            return self.cfg.poll_interval
        try:
            return await self._until_due()
        except Exception:
            log.warning("could not look up the next due delivery; polling", exc_info=True)
            return self.cfg.poll_interval

    async def _until_due(self) -> float:
        due_at = case(
            (DELIVERY.c.lease_expires_at > DELIVERY.c.next_attempt_at, DELIVERY.c.lease_expires_at),
            else_=DELIVERY.c.next_attempt_at,
        )
        async with self.ctx.db.read() as conn:
            nxt = await conn.scalar(
                select(func.min(due_at)).where(
                    DELIVERY.c.status.in_(DUE), DELIVERY.c.transport == "push"
                )
            )
        slow = max(self.cfg.poll_interval, SLOW_POLL_SECONDS)
        if nxt is None:
            return slow
        wait = (nxt - self.ctx.clock.now()).total_seconds()
        return min(max(wait, self.cfg.poll_interval), slow)

    async def _drain(self, tasks: set[asyncio.Task[None]]) -> None:
        """Let sends in flight finish for `shutdown_grace` seconds, cancel the rest, and give
        back every row still held. A cancelled send may have reached the partner: the next
        worker re-sends it with the same idempotency key, so the partner drops the repeat."""
        if tasks:
            _done, pending = await asyncio.wait(set(tasks), timeout=self.cfg.shutdown_grace)
            for t in pending:
                t.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        if self._background:  # automatic replays: they are short, one transaction each
            await asyncio.wait(set(self._background), timeout=self.cfg.shutdown_grace)
        try:
            released = await self.release_leases()
        except Exception:
            log.exception("could not release the leases of %s", self.owner)
            return
        if released:
            log.info("%s released %d deliveries on shutdown", self.owner, released)

    async def release_leases(self) -> int:
        """Give back every due row this owner holds (at shutdown, or when a worker restarts
        under the same `--id` after a crash, so its rows need not wait for the lease)."""
        async with self.ctx.db.write() as conn:
            res = await conn.execute(
                update(DELIVERY)
                .where(DELIVERY.c.lease_owner == self.owner, DELIVERY.c.status.in_(DUE))
                .values(lease_owner=None, lease_expires_at=None)
            )
            return int(res.rowcount)

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run_once(self) -> int:
        """Claim one batch and deliver it; returns how many rows were claimed."""
        claimed_at = self.ctx.clock.now()
        rows = await self.claim()
        if rows:
            await asyncio.gather(*(self._deliver_guarded(r, claimed_at) for r in rows))
        return len(rows)

    async def claim(self) -> list[Any]:
        if self.cfg.replay_dead_on_recovery and self.breakers.waiting_for_probe():
            try:
                await self._probe_with_dead_letter()
            except Exception:
                log.exception("could not offer a dead letter as probe")
        now = self.ctx.clock.now()
        # Not the partners whose breaker is open, nor those already at their limit here.
        skip = self.breakers.blocked() | {
            p for p, n in self._inflight.items() if n >= self.limit(p)
        }
        due = (
            select(DELIVERY.c.id)
            .where(
                DELIVERY.c.status.in_(DUE),
                DELIVERY.c.transport == "push",
                DELIVERY.c.next_attempt_at <= now,
                or_(DELIVERY.c.lease_expires_at.is_(None), DELIVERY.c.lease_expires_at < now),
                *([DELIVERY.c.partner_id.not_in(sorted(skip))] if skip else []),
            )
            .order_by(DELIVERY.c.next_attempt_at)
            .limit(self.cfg.batch_size)
            .with_for_update(skip_locked=True)
        )
        async with self.ctx.db.write() as conn:
            res = await conn.execute(
                update(DELIVERY)
                .where(DELIVERY.c.id.in_(due.scalar_subquery()))
                .values(
                    lease_owner=self.owner,
                    lease_expires_at=now + timedelta(seconds=self.cfg.lease_seconds),
                )
                .returning(*DELIVERY.c)
            )
            rows = list(res.all())
        self._inflight.update(r.partner_id for r in rows)
        return rows

    async def _deliver_guarded(self, row: Any, claimed_at: datetime) -> None:
        partner = row.partner_id
        try:
            async with self._slot(partner):
                if not self.breakers.acquire(partner):
                    await self._defer(row, self.breakers.retry_at(partner))
                    return
                try:
                    if await self._still_mine(row, claimed_at):
                        await self.deliver(row)
                except Exception as exc:
                    log.exception("delivery %s failed unexpectedly", row.id)
                    await self._failed(row, f"interne fout: {type(exc).__name__}")
                finally:
                    self.breakers.release(partner)
        except Exception:
            log.exception("could not put back delivery %s", row.id)
        finally:
            self._inflight[partner] -= 1
            self._wake.set()  # this partner has room again: claim more

    async def _defer(self, row: Any, until: datetime) -> None:
        """Put a row back without counting an attempt: its partner's breaker is open."""
        async with self.ctx.db.write() as conn:
            await conn.execute(
                update(DELIVERY)
                .where(self._held(row))
                .values(lease_owner=None, lease_expires_at=None, next_attempt_at=until)
            )

    async def _still_mine(self, row: Any, claimed_at: datetime) -> bool:
        """Renew a lease that is half gone (the row waited for its partner's slot)."""
        now = self.ctx.clock.now()
        if (now - claimed_at).total_seconds() < self.cfg.lease_seconds / 2:
            return True
        async with self.ctx.db.write() as conn:
            res = await conn.execute(
                update(DELIVERY)
                .where(self._held(row))
                .values(lease_expires_at=now + timedelta(seconds=self.cfg.lease_seconds))
            )
            return res.rowcount == 1

    async def deliver(self, row: Any) -> None:
        ctx = self.ctx
        async with ctx.db.read() as conn:
            item = (await conn.execute(select(ITEM).where(ITEM.c.id == row.item_id))).one()
            consents = await consent_registry.for_clients(conn, ctx, [item.client_id])
            member = await households.for_item(ctx, conn, item.id)  # household plan
        verdict = recheck(ctx, item, row.kind, consents, member)
        if not verdict.allowed:
            assert verdict.status is not None
            await self._finish(row, item, verdict.status, None, verdict.reason)
            return
        partner = ctx.partners.get(row.partner_id)
        assert partner is not None  # recheck refused unknown partners
        message = PartnerMessage(
            ctx.unseal_bytes(row.payload, f"delivery.payload:{row.id}"), row.content_type
        )
        span = new_span_id()
        headers = {
            # Named and signed, so a message cannot be passed on to another partner.
            RECIPIENT_HEADER: row.partner_id,
            "Content-Type": message.content_type,
            "Idempotency-Key": row.idempotency_key,
            "X-Wijkhub-Delivery": row.id,
            "X-Wijkhub-Item": item.id,
            # W3C Trace Context, as Logboek Dataverwerkingen asks for outgoing calls.
            "traceparent": f"00-{row.trace_id}-{span}-01",
        }
        started = ctx.clock.now()
        # Ed25519 over path, authority, recipient, headers, body digest and time (see
        # signatures.py).
        target = URL(str(partner.endpoint))
        headers.update(
            sign_outbound(
                ctx.keyring,
                # The request target exactly as sent: raw path plus query string.
                target.raw_path_qs,
                target.host_port_subcomponent or "",
                headers,
                message.body,
                int(started.timestamp()),
            ).headers()
        )
        result = await self.transport.send(str(partner.endpoint), message, headers)
        # A 4xx means the partner is up (the message is wrong): only failures worth a retry
        # count towards the breaker.
        was_closed = self.breakers.state(row.partner_id) == CLOSED
        recovered = self.breakers.record(row.partner_id, result.ok or not result.retryable)
        # The transitions an operator looks for in the log (not every failed probe); as
        # warnings, since `serve` and `worker` configure no logging and print only those.
        if was_closed and self.breakers.state(row.partner_id) != CLOSED:
            log.warning(
                "%s: breaker of %s open after %d failed sends (%s); one probe every %g s",
                self.owner,
                row.partner_id,
                self.cfg.breaker_threshold,
                result.error,
                self.cfg.breaker_cooldown,
            )
        if recovered:
            log.warning("%s: %s answers again, breaker closed", self.owner, row.partner_id)
        if recovered and self.cfg.replay_dead_on_recovery:
            self._in_background(self.replay_partner(row.partner_id))
        self.metrics.sent(row.partner_id, result.duration_ms / 1000, result.ok, result.retryable)
        attempts = row.attempts + 1
        if result.ok:
            await self._finish(
                row, item, DeliveryStatus.delivered, result, None, attempts, span, started
            )
        elif not result.retryable or attempts >= self.cfg.max_attempts:
            why = (
                result.error
                if not result.retryable
                else f"opgegeven na {attempts} pogingen; laatste fout: {result.error}"
            )
            await self._finish(row, item, DeliveryStatus.dead, result, why, attempts, span, started)
        else:
            await self._retry(row, result, attempts, started)

    def _in_background(self, coro: Any) -> None:
        t = asyncio.create_task(coro)
        self._background.add(t)
        t.add_done_callback(self._background.discard)

    async def settled(self) -> None:
        """Wait for the background work (automatic replays) started so far."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    async def replay_partner(self, partner: str) -> list[str]:
        """The partner is back: its dead letters go again, each replay in the log."""
        try:
            ids = await replay_dead(
                self.ctx.db,
                self.ctx.clock.now(),
                f"system:{self.owner}",
                partner=partner,
                why=WHY_RECOVERED,
                min_attempts=self.cfg.max_attempts,
            )
        except Exception:
            log.exception("could not replay the dead letters of %s", partner)
            return []
        if ids:
            log.warning("%s: %d dead letters of %s replayed", self.owner, len(ids), partner)
            self.kick()
        return ids

    async def suspect_dead_partners(self) -> set[str]:
        """At start: breaker state is per process and starts empty, so a partner whose rows
        died before (a restart since) would never be seen to recover. Its next send is made a
        probe instead; its success replays the dead letters."""
        if not self.cfg.replay_dead_on_recovery:
            return set()
        async with self.ctx.db.read() as conn:
            partners = set(
                (
                    await conn.execute(
                        select(DELIVERY.c.partner_id)
                        .where(
                            DELIVERY.c.status == DEAD,
                            DELIVERY.c.transport == "push",
                            DELIVERY.c.attempts >= self.cfg.max_attempts,
                        )
                        .distinct()
                    )
                ).scalars()
            )
        for p in partners:
            self.breakers.suspect(p)
        return partners

    async def _probe_with_dead_letter(self) -> None:
        """A partner past its cool-down with nothing left to send but dead rows would never
        get the probe that closes its breaker: offer one of its dead rows as that probe."""
        partners = sorted(self.breakers.waiting_for_probe())
        async with self.ctx.db.read() as conn:
            busy = set(
                (
                    await conn.execute(
                        select(DELIVERY.c.partner_id)
                        .where(DELIVERY.c.partner_id.in_(partners), DELIVERY.c.status.in_(DUE))
                        .distinct()
                    )
                ).scalars()
            )
            oldest = (
                await conn.execute(
                    select(DELIVERY.c.partner_id, func.min(DELIVERY.c.id).label("id"))
                    .where(
                        DELIVERY.c.partner_id.in_([p for p in partners if p not in busy]),
                        DELIVERY.c.status == DEAD,
                        DELIVERY.c.transport == "push",
                        DELIVERY.c.attempts >= self.cfg.max_attempts,
                    )
                    .group_by(DELIVERY.c.partner_id)
                )
            ).all()
        for r in oldest:
            await replay_dead(
                self.ctx.db, self.ctx.clock.now(), f"system:{self.owner}", ids=[r.id], why=WHY_PROBE
            )

    async def _escalate(self, item_id: str) -> None:
        """A dead advice: the coach and the team leader hear of it now, not at the next run
        of the escalation job."""
        try:
            await run_escalations(self.ctx, f"system:{self.owner}", item_ids=[item_id])
        except Exception:
            log.exception("could not escalate the dead letter of item %s", item_id)

    async def _failed(self, row: Any, error: str) -> None:
        """An attempt that ended in an exception of ours: count it like a failed send."""
        now = self.ctx.clock.now()
        result = SendResult(False, True, None, error, None, 0.0)
        attempts = row.attempts + 1
        try:
            if attempts < self.cfg.max_attempts:
                await self._retry(row, result, attempts, now)
                return
            async with self.ctx.db.read() as conn:
                item = (await conn.execute(select(ITEM).where(ITEM.c.id == row.item_id))).one()
            await self._finish(
                row,
                item,
                DeliveryStatus.dead,
                result,
                f"opgegeven na {attempts} pogingen; laatste fout: {error}",
                attempts,
                None,
                now,
            )
        except Exception:
            log.exception("could not record the failure of delivery %s", row.id)

    async def _retry(self, row: Any, result: SendResult, attempts: int, started: datetime) -> None:
        now = self.ctx.clock.now()
        tried = self._attempt_row(row, result, attempts, started)

        async def unit(conn: Any) -> None:
            await conn.execute(insert(ATTEMPT).values(**tried))
            await conn.execute(
                update(DELIVERY)
                .where(self._held(row))
                .values(
                    status=DeliveryStatus.retrying.value,
                    attempts=attempts,
                    next_attempt_at=now + timedelta(seconds=self.backoff(attempts)),
                    last_error=result.error,
                    lease_owner=None,
                    lease_expires_at=None,
                    updated_at=now,
                )
            )

        await self.ctx.db.grouped(unit)
        self.metrics.retried(row.partner_id)

    def _held(self, row: Any) -> Any:
        # Only the lease holder may settle a row: a process whose lease expired must not
        # overwrite what the next holder did.
        return and_(DELIVERY.c.id == row.id, DELIVERY.c.lease_owner == self.owner)

    def _attempt_row(
        self, row: Any, result: SendResult, number: int, started: datetime
    ) -> dict[str, Any]:
        """The attempt's row, sealed before the transaction that stores it."""
        excerpt = result.response_excerpt
        return {
            "delivery_id": row.id,
            "number": number,
            "started_at": started,
            "duration_ms": round(result.duration_ms, 2),
            "http_status": result.http_status,
            "error": result.error,
            # What a partner answers may echo personal data: keep it, but sealed.
            "response_excerpt": self.ctx.seal_bytes(
                excerpt.encode(), f"delivery_attempt.response:{row.id}:{number}"
            )
            if excerpt
            else None,
        }

    async def _finish(
        self,
        row: Any,
        item: Any,
        status: DeliveryStatus,
        result: SendResult | None,
        error: str | None,
        attempts: int | None = None,
        span: str | None = None,
        started: datetime | None = None,
    ) -> None:
        now = self.ctx.clock.now()
        delivered = status is DeliveryStatus.delivered
        entry = LogEntry(
            name=f"delivery.{row.kind}",
            actor=f"system:{self.owner}",
            trace_id=row.trace_id,
            span_id=span or new_span_id(),
            status_code=STATUS_OK if delivered else STATUS_ERROR,
            outcome=status.value,
            detail=error,
            data_subject_id=item.client_id,
            partner_id=row.partner_id,
            purpose=item.advice_type,
            legal_basis=item.legal_basis,
            # Only a delivered advice disclosed data; a withdrawal notice carries only a
            # pseudonym, and a blocked or withdrawn row disclosed nothing.
            categories=item.categories if delivered and row.kind == "advice" else [],
            rules_version=item.rules_version,
            start_time=started,
        )
        tried = (
            self._attempt_row(row, result, attempts, started)
            if result is not None and attempts is not None and started is not None
            else None
        )

        async def unit(conn: Any) -> tuple[bool, bool, bool]:
            # Shares its transaction with other outcomes (group commit); may run again alone.
            kick = False
            if tried is not None:
                await conn.execute(insert(ATTEMPT).values(**tried))
            res = await conn.execute(
                update(DELIVERY)
                .where(self._held(row))
                .values(
                    status=status.value,
                    attempts=attempts if attempts is not None else row.attempts,
                    last_error=error,
                    lease_owner=None,
                    lease_expires_at=None,
                    updated_at=now,
                    delivered_at=now if delivered else None,
                )
            )
            settled = res.rowcount == 1
            # A disclosure is logged even if the row was taken from us meanwhile: the data
            # left, and the log must say so.
            if delivered and row.kind == "advice":
                # Before the log append: that takes the log's lock until the commit.
                await schedule_milestones(self.ctx, conn, item, row.id, now)
                await milestones.delivered(conn, item.id, now)
            if delivered and row.kind == "withdrawal":
                await milestones.delivered(conn, item.id, now, milestones.WITHDRAWAL_MILESTONE)
            dead_as = DEAD_LETTER_KINDS.get(row.kind)
            escalate_dead = status is DeliveryStatus.dead and dead_as is not None and settled
            if escalate_dead and dead_as is not None:
                await milestones.dead_letter(conn, item, row.id, now, dead_as)
            if res.rowcount == 1 or delivered:
                await append(conn, [entry], now)
            if delivered and row.kind == "advice" and item.consent_id:
                # Consent withdrawn while this was in flight: tell the partner right away.
                status_now = await conn.scalar(
                    select(CONSENT.c.status).where(CONSENT.c.id == item.consent_id)
                )
                if status_now in ENDED_STATUSES:  # withdrawn or expired
                    await queue_withdrawal_notices(self.ctx, conn, [item], row.trace_id, now)
                    kick = True
            elif (
                status is DeliveryStatus.withdrawn
                and row.kind == "advice"
                and row.attempts > 0
                and res.rowcount == 1
            ):
                # Stopped after a try whose acknowledgement may have been lost: the partner
                # may hold the data, so it gets the intrekking too.
                await queue_withdrawal_notices(self.ctx, conn, [item], row.trace_id, now)
                kick = True
            return settled, escalate_dead, kick

        settled, escalate_dead, kick = await self.ctx.db.grouped(unit)
        if kick:
            self.kick()
        if settled:
            self.metrics.finished(row.partner_id, status.value)
        if escalate_dead:
            await self._escalate(item.id)
