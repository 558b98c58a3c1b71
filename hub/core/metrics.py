"""Prometheus metrics: the worker's own events, plus counts read from the database per scrape.

In-process (per hub/worker process; Prometheus sums over the scraped processes):
  wijkhub_delivery_duration_seconds{partner}       histogram of send latency
  wijkhub_delivery_attempts_total{partner,result}  ok | retryable | rejected
  wijkhub_delivery_retries_total{partner}          attempts that were rescheduled
  wijkhub_dead_letters_total{partner}              rows this process dead-lettered
  wijkhub_deliveries_total{partner,status}         rows settled: delivered, dead, blocked, ...
  wijkhub_breaker_open{partner}                    1 while this process's breaker is open
  wijkhub_anonymous_refusals_total{reason}         requests refused without valid sign-in:
                                                   no_token | unknown_token | csrf | signin_failed
From the database, counted at scrape time with index-only queries (the same in every process):
  wijkhub_queue_depth{partner,status}              rows queued or retrying
  wijkhub_dead_letters{partner}                    rows in `dead` now (replayable)
  wijkhub_refused_items{partner,code}              advice items the policy refused
Labels are partner ids, statuses and machine reason codes: no personal data.
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from wijkhub.hub.core.breaker import OPEN, Breakers
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.store.tables import DELIVERY, ITEM
from wijkhub.schemas.status import DeliveryStatus

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
ANONYMOUS_REASONS = ("no_token", "unknown_token", "csrf", "signin_failed")
WARN_EVERY = timedelta(minutes=1)
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class WorkerMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.latency = Histogram(
            "wijkhub_delivery_duration_seconds",
            "Time to send one delivery attempt to a partner",
            ["partner"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.attempts = Counter(
            "wijkhub_delivery_attempts",
            "Send attempts by result",
            ["partner", "result"],
            registry=r,
        )
        self.retries = Counter(
            "wijkhub_delivery_retries", "Attempts rescheduled with backoff", ["partner"], registry=r
        )
        self.dead = Counter(
            "wijkhub_dead_letters", "Deliveries this process gave up on", ["partner"], registry=r
        )
        self.settled = Counter(
            "wijkhub_deliveries",
            "Deliveries settled, by final status",
            ["partner", "status"],
            registry=r,
        )
        self._breakers: Breakers | None = None
        r.register(_BreakerCollector(self))

    def watch(self, breakers: Breakers) -> None:
        self._breakers = breakers

    def sent(self, partner: str, seconds: float, ok: bool, retryable: bool) -> None:
        self.latency.labels(partner).observe(seconds)
        result = "ok" if ok else ("retryable" if retryable else "rejected")
        self.attempts.labels(partner, result).inc()

    def retried(self, partner: str) -> None:
        self.retries.labels(partner).inc()

    def finished(self, partner: str, status: str) -> None:
        self.settled.labels(partner, status).inc()
        if status == DeliveryStatus.dead.value:
            self.dead.labels(partner).inc()


class AnonymousRefusals:
    """Requests refused before anyone is known (no or an unknown token, a form without a
    session, a failed sign-in). There is nobody to name, so they are evidence of nothing in
    the processing log; writing them there would let anyone grow the chained, never purged
    log (and take its write lock) at will. They are counted here instead: in memory, per
    process, one fixed label per reason (nothing a caller sends becomes a label), and at
    most one warning line per reason per minute in the operations log."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.counter = Counter(
            "wijkhub_anonymous_refusals",
            "Requests refused without valid authentication, by reason",
            ["reason"],
            registry=self.registry,
        )
        self._warned: dict[str, datetime] = {}

    def count(self, reason: str, now: datetime) -> None:
        reason = reason if reason in ANONYMOUS_REASONS else "other"
        self.counter.labels(reason).inc()
        last = self._warned.get(reason)
        if last is None or now - last >= WARN_EVERY:
            self._warned[reason] = now
            log.warning("anonymous requests refused (%s): see wijkhub_anonymous_refusals", reason)

    def total(self) -> float:
        return sum(
            s.value
            for m in self.registry.collect()
            for s in m.samples
            if s.name == "wijkhub_anonymous_refusals_total"
        )


# One per process, like the process's other in-process metrics.
ANONYMOUS_REFUSALS = AnonymousRefusals()


class _BreakerCollector(Collector):
    def __init__(self, metrics: WorkerMetrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterable[Metric]:
        g = GaugeMetricFamily(
            "wijkhub_breaker_open",
            "1 while this process's circuit breaker is open",
            labels=["partner"],
        )
        b = self.metrics._breakers
        if b is not None:
            for partner in sorted(b._s):
                g.add_metric([partner], 1.0 if b.state(partner) == OPEN else 0.0)
        yield g


class _Static(Collector):
    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterable[Metric]:
        return self.families


async def database_families(ctx: HubContext) -> list[Metric]:
    due = (DeliveryStatus.queued.value, DeliveryStatus.retrying.value)
    dead = DeliveryStatus.dead.value
    depth = GaugeMetricFamily(
        "wijkhub_queue_depth", "Outbox rows waiting to be sent", labels=["partner", "status"]
    )
    dead_now = GaugeMetricFamily(
        "wijkhub_dead_letters_current", "Outbox rows in dead (replayable)", labels=["partner"]
    )
    refused = GaugeMetricFamily(
        "wijkhub_refused_items", "Advice items refused by the policy", labels=["partner", "code"]
    )
    async with ctx.db.read() as conn:
        rows = await conn.execute(
            select(DELIVERY.c.status, DELIVERY.c.partner_id, func.count())
            .where(DELIVERY.c.status.in_((*due, dead)))
            .group_by(DELIVERY.c.status, DELIVERY.c.partner_id)
        )
        for status, partner, n in rows.all():
            if status == dead:
                dead_now.add_metric([partner], n)
            else:
                depth.add_metric([partner, status], n)
        rows = await conn.execute(
            select(ITEM.c.partner_id, ITEM.c.decision_code, func.count())
            .where(ITEM.c.allowed.is_(False))
            .group_by(ITEM.c.partner_id, ITEM.c.decision_code)
        )
        for partner, code, n in rows.all():
            refused.add_metric([partner, code], n)
    return [depth, dead_now, refused]


async def render(ctx: HubContext, worker: WorkerMetrics | None) -> bytes:
    """The exposition text: this process's metrics and the database's counts."""
    db = CollectorRegistry(auto_describe=False)
    db.register(_Static(await database_families(ctx)))
    out = generate_latest(db) + generate_latest(ANONYMOUS_REFUSALS.registry)
    if worker is not None:
        out += generate_latest(worker.registry)
    return out
