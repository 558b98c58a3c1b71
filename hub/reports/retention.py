"""Retention: remove personal data of closed advices and inactive clients past their period.

Periods per kind of data are configured in `retention.toml` (in the config directory; see
`config/retention.toml`). Personal data is stored only as AES-GCM ciphertext under the hub's
key ring, which is shared by all clients, so "crypto-shredding" here means destroying the
ciphertext itself: encrypted columns are overwritten with an empty value (or NULL), the BSN
look-up hash is replaced, and on SQLite the database is checkpointed and vacuumed so the old
pages leave the file too. The processing log is kept (pseudonymous) and verifies as before;
each purge adds a `retention.purge` entry saying what was removed.

An advice is **closed** when nothing is queued or retrying for it and every item is final:
refused by policy; its delivery dead, blocked or withdrawn; delivered and answered by the
partner with a final status (rejected, carried out, stopped); or delivered and then ended by
an intrekking the partner acknowledged (consent withdrawn or expired). Its closing time is
its last event (submission, a delivery settling, a partner status arriving).

Household plan goals (what the coach wrote about a member) are client data: their texts are
erased with the member's client record, and any written later for a purged client at the next
run. Web UI sessions, sign-in links and OIDC login states hold no client data but a sealed
name of a staff member: they are deleted once expired, ended or used; no period applies.
"""

import logging
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.core.clock import AMSTERDAM
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.key_rotation import PURGED_BSN_PREFIX
from wijkhub.hub.core.processing_log import LogEntry, append, new_trace_id
from wijkhub.hub.store.tables import (
    ADVICE,
    ATTEMPT,
    CLIENT,
    CONSENT,
    CONSULT,
    DELIVERY,
    GOAL,
    ITEM,
    LINK,
    LOGIN,
    LOGIN_TTL,
    MEMBER,
    SESSION,
    STATUS,
)
from wijkhub.schemas.categories import DataCategory
from wijkhub.schemas.consent import ConsentStatus
from wijkhub.schemas.status import DeliveryStatus, PartnerStatus

log = logging.getLogger(__name__)

ACTOR = "system:retention"
FINAL_DELIVERY = {
    DeliveryStatus.dead.value,
    DeliveryStatus.blocked.value,
    DeliveryStatus.withdrawn.value,
}
FINAL_PARTNER = {
    PartnerStatus.rejected.value,
    PartnerStatus.carried_out.value,
    PartnerStatus.stopped.value,
}
PENDING = {DeliveryStatus.queued.value, DeliveryStatus.retrying.value}


class RetentionPeriods(BaseModel):
    model_config = ConfigDict(extra="forbid")
    advice_content: int = Field(ge=0, le=36500)
    partner_messages: int = Field(ge=0, le=36500)
    client_record: int = Field(ge=0, le=36500)


class RetentionRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str
    periods: RetentionPeriods

    @classmethod
    def from_file(cls, path: Path) -> "RetentionRules":
        return cls.model_validate(tomllib.loads(path.read_text()))


def load_rules(ctx: HubContext) -> RetentionRules | None:
    """None when the hub has no retention.toml: then nothing is ever purged."""
    path = ctx.settings.config_path / "retention.toml"
    return RetentionRules.from_file(path) if path.exists() else None


@dataclass
class PurgeReport:
    advice_content: list[str] = field(default_factory=list)  # advice ids
    partner_messages: list[str] = field(default_factory=list)  # advice ids
    clients: list[str] = field(default_factory=list)  # client ids
    goals: list[str] = field(default_factory=list)  # plan goal ids whose text was erased
    web: dict[str, int] = field(default_factory=dict)  # expired web rows deleted, per table
    dry_run: bool = False
    compacted: bool | None = None  # SQLite: checkpoint and VACUUM completed

    @property
    def client_data(self) -> bool:
        return bool(self.advice_content or self.partner_messages or self.clients or self.goals)

    @property
    def anything(self) -> bool:
        return self.client_data or any(self.web.values())


@dataclass
class AdviceState:
    advice_id: str
    client_id: str
    trace_id: str
    closed_at: datetime | None  # None: still open
    has_content: bool
    has_messages: bool
    categories: set[str]
    items: list[str]


def _nonempty(col: Any) -> Any:
    return func.coalesce(func.length(col), 0) > 0


async def advice_state(conn: AsyncConnection, advice_id: str) -> AdviceState:
    a = (
        await conn.execute(
            select(
                ADVICE.c.id,
                ADVICE.c.client_id,
                ADVICE.c.trace_id,
                ADVICE.c.created_at,
                _nonempty(ADVICE.c.summary).label("has_summary"),
            ).where(ADVICE.c.id == advice_id)
        )
    ).one()
    items = (
        await conn.execute(
            select(
                ITEM.c.id,
                ITEM.c.allowed,
                ITEM.c.partner_status,
                ITEM.c.partner_status_at,
                ITEM.c.categories,
                _nonempty(ITEM.c.details).label("has_details"),
            ).where(ITEM.c.advice_id == advice_id)
        )
    ).all()
    ids = [i.id for i in items]
    deliveries = (
        await conn.execute(
            select(
                DELIVERY.c.id,
                DELIVERY.c.item_id,
                DELIVERY.c.kind,
                DELIVERY.c.status,
                DELIVERY.c.updated_at,
                _nonempty(DELIVERY.c.payload).label("has_payload"),
            ).where(DELIVERY.c.item_id.in_(ids))
        )
    ).all()
    statuses = (
        await conn.execute(
            select(
                STATUS.c.received_at,
                (_nonempty(STATUS.c.text) | _nonempty(STATUS.c.raw)).label("has_text"),
            ).where(STATUS.c.item_id.in_(ids))
        )
    ).all()
    consultations = await conn.scalar(
        select(func.count())
        .select_from(CONSULT)
        .where(CONSULT.c.item_id.in_(ids), _nonempty(CONSULT.c.content))
    )
    excerpts = await conn.scalar(
        select(func.count())
        .select_from(ATTEMPT)
        .where(
            ATTEMPT.c.delivery_id.in_([d.id for d in deliveries]),
            ATTEMPT.c.response_excerpt.is_not(None),
        )
    )
    closed = not any(d.status in PENDING for d in deliveries)
    for it in items:
        if not it.allowed or not closed:
            continue
        advice_rows = [d for d in deliveries if d.item_id == it.id and d.kind == "advice"]
        notice_acked = any(
            d.item_id == it.id
            and d.kind == "withdrawal"
            and d.status == DeliveryStatus.delivered.value
            for d in deliveries
        )
        final = (
            any(d.status in FINAL_DELIVERY for d in advice_rows)
            or notice_acked
            or (
                any(d.status == DeliveryStatus.delivered.value for d in advice_rows)
                and it.partner_status in FINAL_PARTNER
            )
        )
        closed = closed and final
    events = [a.created_at]
    events += [d.updated_at for d in deliveries]
    events += [s.received_at for s in statuses]
    events += [i.partner_status_at for i in items if i.partner_status_at]
    return AdviceState(
        advice_id=a.id,
        client_id=a.client_id,
        trace_id=a.trace_id,
        closed_at=max(events) if closed else None,
        has_content=bool(a.has_summary) or any(i.has_details for i in items),
        has_messages=any(d.has_payload for d in deliveries)
        or any(s.has_text for s in statuses)
        or bool(excerpts)
        or bool(consultations),
        categories={c for i in items for c in i.categories},
        items=ids,
    )


async def _purge_content(conn: AsyncConnection, st: AdviceState) -> None:
    await conn.execute(update(ADVICE).where(ADVICE.c.id == st.advice_id).values(summary=None))
    await conn.execute(update(ITEM).where(ITEM.c.advice_id == st.advice_id).values(details=b""))


async def _purge_messages(conn: AsyncConnection, st: AdviceState) -> None:
    delivery_ids = select(DELIVERY.c.id).where(DELIVERY.c.item_id.in_(st.items))
    await conn.execute(
        update(ATTEMPT).where(ATTEMPT.c.delivery_id.in_(delivery_ids)).values(response_excerpt=None)
    )
    await conn.execute(update(DELIVERY).where(DELIVERY.c.item_id.in_(st.items)).values(payload=b""))
    await conn.execute(
        update(STATUS).where(STATUS.c.item_id.in_(st.items)).values(text=b"", raw=b"")
    )
    # Consultation messages are free text exchanged with the partner: purged with its answers.
    await conn.execute(update(CONSULT).where(CONSULT.c.item_id.in_(st.items)).values(content=b""))


def _entry(
    rules: RetentionRules,
    actor: str,
    trace_id: str,
    client_id: str | None,
    categories: set[str],
    detail: str,
) -> LogEntry:
    return LogEntry(
        name="retention.purge",
        actor=actor,
        outcome="purged",
        trace_id=trace_id,
        data_subject_id=client_id,
        categories=sorted(categories),
        detail=detail,
        rules_version=f"retention {rules.version}",
    )


def _goal_texts(client_id: str) -> Any:
    """The ids of the client's plan goals (in any household) whose text is still there."""
    return (
        select(GOAL.c.id)
        .join(MEMBER, MEMBER.c.id == GOAL.c.member_id)
        .where(MEMBER.c.client_id == client_id, _nonempty(GOAL.c.text))
    )


async def _erase_goals(conn: AsyncConnection, goal_ids: list[str]) -> None:
    await conn.execute(update(GOAL).where(GOAL.c.id.in_(goal_ids)).values(text=b""))


async def _client_last_activity(conn: AsyncConnection, client_id: str) -> datetime | None:
    """The client's last activity, or None when the client may not be purged yet: an
    advice still holds personal data, or a consent is still in force."""
    created = await conn.scalar(select(CLIENT.c.created_at).where(CLIENT.c.id == client_id))
    events: list[datetime] = [created]
    # A goal the coach wrote for the client in a household plan is activity too.
    events += (
        await conn.execute(
            select(GOAL.c.created_at)
            .join(MEMBER, MEMBER.c.id == GOAL.c.member_id)
            .where(MEMBER.c.client_id == client_id)
        )
    ).scalars()
    for advice_id in (
        await conn.execute(select(ADVICE.c.id).where(ADVICE.c.client_id == client_id))
    ).scalars():
        st = await advice_state(conn, advice_id)
        if st.has_content or st.has_messages or st.closed_at is None:
            return None
        events.append(st.closed_at)
    consents = (await conn.execute(select(CONSENT).where(CONSENT.c.client_id == client_id))).all()
    for c in consents:
        events.append(c.recorded_at)
        if c.withdrawn_at:
            events.append(c.withdrawn_at)
        if c.status == ConsentStatus.active.value:
            if c.valid_until is None:
                return None  # in force until withdrawn
            # In force through its last day (a Dutch date).
            end = datetime.combine(c.valid_until + timedelta(days=1), time(), AMSTERDAM)
            events.append(end)
    return max(events)


async def purge(
    ctx: HubContext,
    rules: RetentionRules | None = None,
    *,
    actor: str = ACTOR,
    dry_run: bool = False,
    compact: bool = True,
) -> PurgeReport:
    """Purge what is past its period. Idempotent; one transaction per advice or client."""
    rules = rules or load_rules(ctx)
    report = PurgeReport(dry_run=dry_run)
    if rules is None:
        log.info("no retention.toml in %s: nothing purged", ctx.settings.config_path)
        return report
    p = rules.periods
    async with ctx.db.read() as conn:
        candidates = list(
            (
                await conn.execute(
                    select(ADVICE.c.id)
                    .where(
                        ADVICE.c.id.in_(select(ITEM.c.advice_id).where(_nonempty(ITEM.c.details)))
                        | ADVICE.c.id.in_(
                            select(ITEM.c.advice_id)
                            .join(DELIVERY, DELIVERY.c.item_id == ITEM.c.id)
                            .where(_nonempty(DELIVERY.c.payload))
                        )
                        | ADVICE.c.summary.is_not(None)
                        # Answers can arrive after a purge: they are personal data too.
                        | ADVICE.c.id.in_(
                            select(ITEM.c.advice_id)
                            .join(STATUS, STATUS.c.item_id == ITEM.c.id)
                            .where(_nonempty(STATUS.c.text) | _nonempty(STATUS.c.raw))
                        )
                        | ADVICE.c.id.in_(
                            select(ITEM.c.advice_id)
                            .join(DELIVERY, DELIVERY.c.item_id == ITEM.c.id)
                            .join(ATTEMPT, ATTEMPT.c.delivery_id == DELIVERY.c.id)
                            .where(_nonempty(ATTEMPT.c.response_excerpt))
                        )
                        # Consultation messages too can arrive after a purge.
                        | ADVICE.c.id.in_(
                            select(ITEM.c.advice_id)
                            .join(CONSULT, CONSULT.c.item_id == ITEM.c.id)
                            .where(_nonempty(CONSULT.c.content))
                        )
                    )
                    .order_by(ADVICE.c.created_at)
                )
            ).scalars()
        )
        clients = list(
            (
                await conn.execute(
                    select(CLIENT.c.id).where(
                        ~CLIENT.c.bsn_hash.startswith(PURGED_BSN_PREFIX)
                        # Goals written for a client after its purge: erased at the next run.
                        | CLIENT.c.id.in_(
                            select(MEMBER.c.client_id)
                            .join(GOAL, GOAL.c.member_id == MEMBER.c.id)
                            .where(_nonempty(GOAL.c.text))
                        )
                    )
                )
            ).scalars()
        )

    for advice_id in candidates:
        async with ctx.db.read() if dry_run else ctx.db.write() as conn:
            now = ctx.clock.now()
            st = await advice_state(conn, advice_id)
            if st.closed_at is None:
                continue
            entries = []
            if st.has_content and st.closed_at + timedelta(days=p.advice_content) <= now:
                report.advice_content.append(advice_id)
                if not dry_run:
                    await _purge_content(conn, st)
                entries.append(
                    _entry(
                        rules,
                        actor,
                        st.trace_id,
                        st.client_id,
                        {DataCategory.free_text.value},
                        f"adviesinhoud verwijderd (samenvatting, motivatie, parameters) van "
                        f"advies {advice_id}, {len(st.items)} onderdelen",
                    )
                )
            if st.has_messages and st.closed_at + timedelta(days=p.partner_messages) <= now:
                report.partner_messages.append(advice_id)
                if not dry_run:
                    await _purge_messages(conn, st)
                entries.append(
                    _entry(
                        rules,
                        actor,
                        st.trace_id,
                        st.client_id,
                        st.categories,
                        f"partnerberichten verwijderd (verzonden berichten, antwoorden) van "
                        f"advies {advice_id}",
                    )
                )
            if not dry_run:
                await append(conn, entries, now)

    for client_id in clients:
        async with ctx.db.read() if dry_run else ctx.db.write() as conn:
            now = ctx.clock.now()
            goal_ids = list((await conn.execute(_goal_texts(client_id))).scalars())
            bsn_hash = await conn.scalar(select(CLIENT.c.bsn_hash).where(CLIENT.c.id == client_id))
            if bsn_hash.startswith(PURGED_BSN_PREFIX):  # the client's period has passed already
                if not goal_ids:
                    continue
                report.goals += goal_ids
                if dry_run:
                    continue
                await _erase_goals(conn, goal_ids)
                detail = f"tekst van {len(goal_ids)} doelen in het huishoudplan verwijderd"
                await append(
                    conn,
                    [
                        _entry(
                            rules,
                            actor,
                            new_trace_id(),
                            client_id,
                            {DataCategory.free_text.value},
                            detail,
                        )
                    ],
                    now,
                )
                continue
            last = await _client_last_activity(conn, client_id)
            if last is None or last + timedelta(days=p.client_record) > now:
                continue
            report.clients.append(client_id)
            report.goals += goal_ids
            if dry_run:
                continue
            await _erase_goals(conn, goal_ids)
            n_consents = (
                await conn.execute(
                    update(CONSENT).where(CONSENT.c.client_id == client_id).values(details=b"")
                )
            ).rowcount
            await conn.execute(
                update(CLIENT)
                .where(CLIENT.c.id == client_id)
                .values(record=b"", bsn_hash=PURGED_BSN_PREFIX + client_id)
            )
            await append(
                conn,
                [
                    _entry(
                        rules,
                        actor,
                        new_trace_id(),
                        client_id,
                        {c.value for c in DataCategory},
                        "cliëntgegevens en BSN-zoeksleutel verwijderd; toelichting bij "
                        f"{n_consents} toestemmingen en tekst van {len(goal_ids)} doelen in het "
                        "huishoudplan verwijderd",
                    )
                ],
                now,
            )
    await _purge_web(ctx, rules, actor, report, dry_run)
    # Web rows hold no client data (a sealed staff name at most): no VACUUM for them alone.
    if report.client_data and not dry_run and compact:
        report.compacted = await compact_storage(ctx)
    return report


async def _purge_web(
    ctx: HubContext, rules: RetentionRules, actor: str, report: PurgeReport, dry_run: bool
) -> None:
    """Delete web sessions that expired or ended, sign-in links that expired or were used and
    OIDC login states older than their TTL: of no use any more, and they hold sealed names."""
    async with ctx.db.read() if dry_run else ctx.db.write() as conn:
        now = ctx.clock.now()
        expired = (
            (SESSION, SESSION.c.ended_at.is_not(None) | (SESSION.c.expires_at <= now)),
            (LINK, LINK.c.used_at.is_not(None) | (LINK.c.expires_at <= now)),
            (LOGIN, LOGIN.c.created_at < now - LOGIN_TTL),
        )
        for table, cond in expired:
            n = await conn.scalar(select(func.count()).select_from(table).where(cond)) or 0
            if n:
                report.web[table.name] = n
                if not dry_run:
                    await conn.execute(delete(table).where(cond))
        if report.web and not dry_run:
            w = report.web
            detail = (
                f"verlopen webgegevens verwijderd: {w.get(SESSION.name, 0)} sessies, "
                f"{w.get(LINK.name, 0)} aanmeldlinks, {w.get(LOGIN.name, 0)} aanmeldverzoeken"
            )
            entry = _entry(
                rules, actor, new_trace_id(), None, {DataCategory.identification.value}, detail
            )
            await append(conn, [entry], now)


async def compact_storage(ctx: HubContext) -> bool | None:
    """Make overwritten values leave the file: on SQLite, checkpoint the WAL, VACUUM (which
    rewrites every page) and truncate the WAL. True when all of it completed; False when a
    reader kept the WAL from being truncated (it is truncated at a later checkpoint). On
    PostgreSQL, returns None: there the administrator's VACUUM policy applies."""
    if not ctx.db.is_sqlite:
        return None
    async with ctx.db.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection  # aiosqlite, autocommit (see db.py): no BEGIN here
        assert driver is not None
        await driver.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
        await driver.execute_fetchall("VACUUM")
        ((busy, _log, _done),) = await driver.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
    return busy == 0
