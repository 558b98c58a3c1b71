"""The chain report: how fast partners answer, decide and carry out, per
partner × advice type × period — without personal data. See docs/chain-report.md for the
definitions; this module is their only implementation.

The database does the cheap part (per item: delivery time and the first time each milestone
was met, via indexed joins and grouped minima); Python does the rest (working days, medians,
percentiles, suppression), off the event loop. Item ids are used only to join and never
leave this module; free text (a rejection's reason) is never read at all.
"""

import asyncio
import csv
import io
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.casework.escalation import PARTNER_LADDER
from wijkhub.hub.casework.milestones import DEAD_LETTER_MILESTONES, read_milestones
from wijkhub.hub.core.clock import AMSTERDAM, local_date
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.deadlines import is_working_day
from wijkhub.hub.i18n import gettext
from wijkhub.hub.reports.log_export import csv_cell
from wijkhub.hub.store.tables import CLIENT, DELIVERY, ITEM, STATUS, STEP
from wijkhub.schemas.status import MILESTONE_MET_BY, Milestone, PartnerStatus

MIN_CASES = 5  # a cell (row or figure) resting on fewer cases is suppressed
SUPPRESSED = "suppressed"
NO_CODE = "zonder_code"  # a rejection stored without a reason code (only free text)
MAX_SPAN_DAYS = 5 * 366

# Which partner statuses meet a milestone is the escalation ladder's definition (one place):
# a decision without a separate "received" still is a first answer, and "carried out" without
# a separate decision still is a decision.
DECIDED = (PartnerStatus.adopted, PartnerStatus.partly_adopted, PartnerStatus.rejected)
ADOPTED = (PartnerStatus.adopted.value, PartnerStatus.partly_adopted.value)
DECISION_MET = tuple(sorted(s.value for s in MILESTONE_MET_BY[Milestone.decision]))
EXECUTION_MET = tuple(sorted(s.value for s in MILESTONE_MET_BY[Milestone.execution]))
# The rungs of the escalation ladder, in their order; always reported.
LADDER = tuple(step.value for step in PARTNER_LADDER)

Suppressible = int | float | Literal["suppressed"]
Period = Literal["month", "quarter", "range"]


# --- The request -------------------------------------------------------------------------


class ReportQuery(BaseModel):
    """`from`/`until`: Dutch calendar dates, both inclusive, of the delivery to the partner."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_date: date = Field(alias="from")
    until_date: date = Field(alias="until")
    period: Period = "month"

    @field_validator("until_date")
    @classmethod
    def _span(cls, until: date, info: ValidationInfo) -> date:
        start = info.data.get("from_date")
        if start is not None and until < start:
            raise ValueError(gettext("the end date lies before the start date"))
        if start is not None and (until - start).days > MAX_SPAN_DAYS:
            raise ValueError("de periode is langer dan vijf jaar")
        return until


def default_range(today: date) -> tuple[date, date]:
    """The last twelve months, the running one included."""
    if today.month == 12:
        return date(today.year, 1, 1), today
    return date(today.year - 1, today.month + 1, 1), today


# --- The response ------------------------------------------------------------------------


class Timing(BaseModel):
    """Working days from delivery to a milestone, over the `n` items that reached it."""

    n: Suppressible
    median: Suppressible
    p90: Suppressible


class Share(BaseModel):
    """A share (0..1, three decimals) of `n` items."""

    n: Suppressible
    share: Suppressible


class ReportRow(BaseModel):
    period: str
    partner_id: str
    advice_type: str
    cases: Suppressible
    first_answer: Timing
    decision: Timing
    execution: Timing
    overdue: Share
    adoption: Share
    rejection_reasons: dict[str, Suppressible]
    escalations: dict[str, Suppressible]


class ChainReport(BaseModel):
    from_date: date
    until_date: date
    period: Period
    unit: Literal["working_days"] = "working_days"
    min_cases: int = MIN_CASES
    team: str | None
    generated_at: datetime
    reason_codes: list[str]
    escalation_steps: list[str]
    rows: list[ReportRow]


# --- Per item (the only place item rows exist; nothing of them is returned) ---------------


@dataclass
class Case:
    """One delivered item, reduced to what the report counts. No ids, no text."""

    partner_id: str
    advice_type: str
    period: str
    first_answer: int | None  # working days from delivery, None when not (yet) met
    decision: int | None
    execution: int | None
    overdue: bool | None  # None: no deadline to be late for
    outcome: str | None = None  # the latest decision: adopted | partly_adopted | rejected
    reason: str | None = None  # the reason code of that decision when it is a rejection
    escalation_steps: list[str] = field(default_factory=list)  # one entry per step taken


@cache
def _working_days_this_year(day: date) -> int:
    """Working days from 1 January up to and including `day` (memoised per day)."""
    start = date(day.year, 1, 1)
    return sum(is_working_day(start + timedelta(days=i)) for i in range((day - start).days + 1))


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not later).

    The same count as `deadlines.due_date`: an answer on `due_date(start, n working days)` is
    `n` working days after `start`, so "in time" means at most the deadline's days.
    """
    if end <= start:
        return 0
    total = _working_days_this_year(end) - _working_days_this_year(start)
    for year in range(start.year, end.year):
        total += _working_days_this_year(date(year, 12, 31))
    return total


def period_of(day: date, query: ReportQuery) -> str:
    if query.period == "month":
        return f"{day:%Y-%m}"
    if query.period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{query.from_date.isoformat()}..{query.until_date.isoformat()}"


def _utc_start(day: date) -> datetime:
    return datetime.combine(day, time(), AMSTERDAM).astimezone(UTC)


async def load_cases(
    conn: AsyncConnection, query: ReportQuery, today: date, team: str | None
) -> list[Case]:
    """Every item first delivered (as an advice) within the range, with its milestone times."""
    first_delivery = func.min(DELIVERY.c.delivered_at)
    delivered = (
        select(DELIVERY.c.item_id, first_delivery.label("delivered_at"))
        .where(DELIVERY.c.status == "delivered", DELIVERY.c.kind == "advice")
        .group_by(DELIVERY.c.item_id)
        .having(
            first_delivery >= _utc_start(query.from_date),
            first_delivery < _utc_start(query.until_date + timedelta(days=1)),
        )
        .subquery()
    )
    in_range = select(delivered.c.item_id)

    # When the partner says it happened (as the milestones and the ladder count it).
    def first(statuses: tuple[str, ...]) -> Any:
        return func.min(case((STATUS.c.status.in_(statuses), STATUS.c.occurred_at)))

    answers = (
        select(
            STATUS.c.item_id,
            func.min(STATUS.c.occurred_at).label("first_answer"),
            first(DECISION_MET).label("decision"),
            first(EXECUTION_MET).label("execution"),
        )
        .where(STATUS.c.item_id.in_(in_range))
        .group_by(STATUS.c.item_id)
        .subquery()
    )
    stmt = (
        select(
            ITEM.c.id,
            ITEM.c.partner_id,
            ITEM.c.advice_type,
            delivered.c.delivered_at,
            answers.c.first_answer,
            answers.c.decision,
            answers.c.execution,
        )
        .join(delivered, delivered.c.item_id == ITEM.c.id)
        .outerjoin(answers, answers.c.item_id == ITEM.c.id)
    )
    if team is not None:
        stmt = stmt.join(CLIENT, CLIENT.c.id == ITEM.c.client_id).where(CLIENT.c.team == team)
    items = (await conn.execute(stmt)).all()

    # The outcome is the latest decision (a rejection may be turned around after consultation);
    # only its reason code is read — the reason text is the partner's free text.
    decisions = (
        await conn.execute(
            select(STATUS.c.item_id, STATUS.c.status, STATUS.c.reason_code)
            .where(STATUS.c.item_id.in_(in_range), STATUS.c.status.in_([s.value for s in DECIDED]))
            .order_by(STATUS.c.occurred_at, STATUS.c.id)
        )
    ).all()
    latest = {d.item_id: d for d in decisions}  # ordered: the last one wins

    # Overdue: any of the item's milestones met after its due day, or open past it (the
    # deadlines written at delivery, hub/casework/milestones.py). Items without milestones: unknown.
    overdue: dict[str, bool] = {}
    for m in await read_milestones(conn, query.from_date, query.until_date):
        overdue[m.item_id] = overdue.get(m.item_id, False) or m.overdue(today)
    steps: dict[str, list[str]] = defaultdict(list)
    # A dead letter's steps are about the hub's delivery, not the partner's handling.
    fired = select(STEP.c.item_id, STEP.c.step).where(
        STEP.c.item_id.in_(in_range), STEP.c.milestone.not_in(sorted(DEAD_LETTER_MILESTONES))
    )
    for e in (await conn.execute(fired)).all():
        steps[e.item_id].append(e.step)

    out: list[Case] = []
    for r in items:
        start = local_date(r.delivered_at)

        def days(moment: datetime | None, start: date = start) -> int | None:
            return None if moment is None else working_days_between(start, local_date(moment))

        d = latest.get(r.id)
        outcome = d.status if d else (PartnerStatus.adopted.value if r.execution else None)
        out.append(
            Case(
                partner_id=r.partner_id,
                advice_type=r.advice_type,
                period=period_of(start, query),
                first_answer=days(r.first_answer),
                decision=days(r.decision),
                execution=days(r.execution),
                overdue=overdue.get(r.id),
                outcome=outcome,
                reason=(d.reason_code or NO_CODE) if d and outcome == "rejected" else None,
                escalation_steps=steps.get(r.id, []),
            )
        )
    return out


# --- Figures and suppression --------------------------------------------------------------


def p90(values: list[int]) -> int:
    """Nearest rank: the smallest value with at least 90% of the values at or below it."""
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def _count(n: int) -> Suppressible:
    return n if n >= MIN_CASES else SUPPRESSED


def timing(values: Iterable[int | None]) -> Timing:
    met = [v for v in values if v is not None]
    if len(met) < MIN_CASES:
        return Timing(n=SUPPRESSED, median=SUPPRESSED, p90=SUPPRESSED)
    median = statistics.median(met)
    return Timing(n=len(met), median=median, p90=p90(met))


def share(flags: Iterable[bool | None]) -> Share:
    known = [f for f in flags if f is not None]
    if len(known) < MIN_CASES:
        return Share(n=SUPPRESSED, share=SUPPRESSED)
    return Share(n=len(known), share=round(sum(known) / len(known), 3))


def breakdown(counts: dict[str, int], keys: list[str]) -> dict[str, Suppressible]:
    """Counts per key, each under MIN_CASES (zero included) suppressed. When exactly one key
    is suppressed, the smallest shown one is suppressed too: otherwise it could be recovered
    by subtracting the others from a total that other figures reveal."""
    out: dict[str, Suppressible] = {k: _count(counts.get(k, 0)) for k in keys}
    hidden = [k for k, v in out.items() if v == SUPPRESSED]
    shown = [k for k, v in out.items() if v != SUPPRESSED]
    if len(hidden) == 1 and shown:
        out[min(shown, key=lambda k: (counts.get(k, 0), k))] = SUPPRESSED
    return out


def _blank(keys: list[str]) -> dict[str, Suppressible]:
    return dict.fromkeys(keys, SUPPRESSED)


def aggregate(cases: list[Case]) -> tuple[list[str], list[str], list[ReportRow]]:
    """Rows per period × partner × advice type, sorted; reason codes and steps in use."""
    groups: dict[tuple[str, str, str], list[Case]] = defaultdict(list)
    for c in cases:
        groups[(c.period, c.partner_id, c.advice_type)].append(c)
    reasons = sorted({c.reason for c in cases if c.reason})
    seen = {s for c in cases for s in c.escalation_steps}
    steps = [*LADDER, *sorted(seen - set(LADDER))]
    rows: list[ReportRow] = []
    for (period, partner_id, advice_type), group in sorted(groups.items()):
        suppressed = len(group) < MIN_CASES
        if suppressed:  # the whole row: no figure may rest on fewer than MIN_CASES items
            hidden_t = Timing(n=SUPPRESSED, median=SUPPRESSED, p90=SUPPRESSED)
            hidden_s = Share(n=SUPPRESSED, share=SUPPRESSED)
            rows.append(
                ReportRow(
                    period=period,
                    partner_id=partner_id,
                    advice_type=advice_type,
                    cases=SUPPRESSED,
                    first_answer=hidden_t,
                    decision=hidden_t,
                    execution=hidden_t,
                    overdue=hidden_s,
                    adoption=hidden_s,
                    rejection_reasons=_blank(reasons),
                    escalations=_blank(steps),
                )
            )
            continue
        decided = [c for c in group if c.outcome is not None]
        reason_counts: dict[str, int] = defaultdict(int)
        step_counts: dict[str, int] = defaultdict(int)
        for c in group:
            if c.reason:
                reason_counts[c.reason] += 1
            for s in c.escalation_steps:
                step_counts[s] += 1
        rows.append(
            ReportRow(
                period=period,
                partner_id=partner_id,
                advice_type=advice_type,
                cases=len(group),
                first_answer=timing(c.first_answer for c in group),
                decision=timing(c.decision for c in group),
                execution=timing(c.execution for c in group),
                overdue=share(c.overdue for c in group),
                adoption=share(c.outcome in ADOPTED for c in decided),
                rejection_reasons=breakdown(reason_counts, reasons),
                escalations=breakdown(step_counts, steps),
            )
        )
    return reasons, steps, rows


async def build(ctx: HubContext, query: ReportQuery, team: str | None = None) -> ChainReport:
    now = ctx.clock.now()
    async with ctx.db.read() as conn:
        cases = await load_cases(conn, query, local_date(now), team)
    # Working days and percentiles over many items are CPU work: keep them off the loop.
    reasons, steps, rows = await asyncio.to_thread(aggregate, cases)
    return ChainReport(
        from_date=query.from_date,
        until_date=query.until_date,
        period=query.period,
        team=team,
        generated_at=now,
        reason_codes=reasons,
        escalation_steps=steps,
        rows=rows,
    )


# --- CSV ----------------------------------------------------------------------------------

TIMINGS = ("first_answer", "decision", "execution")
SHARES = ("overdue", "adoption")


def csv_columns(report: ChainReport) -> list[str]:
    cols = ["period", "partner_id", "advice_type", "cases"]
    cols += [f"{t}_{f}" for t in TIMINGS for f in ("n", "median", "p90")]
    cols += [f"{s}_{f}" for s in SHARES for f in ("n", "share")]
    cols += [f"rejected_{r}" for r in report.reason_codes]
    cols += [f"escalation_{s}" for s in report.escalation_steps]
    return cols


def flat(row: ReportRow) -> dict[str, Any]:
    """One row as the CSV has it: the same figures as the JSON, one column each."""
    out: dict[str, Any] = {
        "period": row.period,
        "partner_id": row.partner_id,
        "advice_type": row.advice_type,
        "cases": row.cases,
    }
    for t in TIMINGS:
        for f, v in getattr(row, t).model_dump().items():
            out[f"{t}_{f}"] = v
    for s in SHARES:
        for f, v in getattr(row, s).model_dump().items():
            out[f"{s}_{f}"] = v
    out.update({f"rejected_{k}": v for k, v in row.rejection_reasons.items()})
    out.update({f"escalation_{k}": v for k, v in row.escalations.items()})
    return out


def to_csv(report: ChainReport) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    cols = csv_columns(report)
    w.writerow(cols)
    for row in report.rows:
        values = flat(row)
        w.writerow([csv_cell(values[c]) for c in cols])
    return buf.getvalue()
