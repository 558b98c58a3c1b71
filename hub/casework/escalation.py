"""The escalation ladder: a late milestone climbs configurable steps.

Seed 001: "het opschalen is niet schadelijk gebleken" — when the frontline does not move, the
coach goes to the partner's manager. A milestone (`milestones.py`) that is still open after
its due day climbs the ladder of `config/escalation.toml`, each step a number of working days
after the due day:

1. `buddy_reminder`: a reminder to the partner's executing professional (the "buddy"),
   written by the partner's plugin in its own format (`PartnerType.translate_reminder`) and
   sent through the outbox like any other message (signed, idempotency key, retries);
2. `contact_manager`: the same message, addressed to the partner's contact manager — also
   through the partner's own format and transport, because that is the channel the partner
   agreed to read; the hub has no mail server;
3. `team_leader`: a notice to the team leader of the coach's team (`GET /escalations/notices`);
4. `steering_report`: the item is listed in the steering group's report
   (`GET /escalations/steering`, `wijkhub escalations steering`).

A dead letter (an advice the worker gave up on after all its tries) climbs a ladder of its
own (`[dead_letter]` in the same file), on its milestone `delivery` (`milestones.dead_letter`):
a notice to the coach (`coach_notice`, `GET /escalations/my-notices`) and one to the team
leader on the day it died, the steering list some working days later. Nothing goes to the
partner: it is the one that cannot be reached. Delivered after all (a replay) or answered, the
ladder stops.

Runs in the server (`jobs.escalation_interval`) and as `wijkhub escalations run` for cron.
Each step fires at most once per item and milestone: the unique (item, milestone, step) of
`escalation_step` decides, so two runs or two hub processes never send anything twice. A
partner answer that meets the milestone (`milestones.record_status`) ends the ladder; the step
transaction first locks the milestone row and fires only while it is still open, so an answer
and a step never cross. Every step is written to the processing log and shown in the item's
timeline.
"""

import asyncio
import logging
import tomllib
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.casework.milestones import (
    CLOSED,
    DEAD_LETTER_MILESTONES,
    DELIVERY_LABEL_NL,
    OPEN,
    WITHDRAWAL_LABEL_NL,
    WITHDRAWAL_MILESTONE,
    label,
)
from wijkhub.hub.core.clock import local_date
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.deadlines import due_date
from wijkhub.hub.core.partners import Contact, PartnerConfig
from wijkhub.hub.core.processing_log import LogEntry, append, new_span_id
from wijkhub.hub.core.settings import ConfigError, example_config_dir
from wijkhub.hub.i18n import gettext, pydantic_message
from wijkhub.hub.plugin_api.types import DeadlineRule, PartnerMessage
from wijkhub.hub.steps.enqueue import delivery_row
from wijkhub.hub.store.tables import (
    ADVICE,
    CLIENT,
    DELIVERY,
    ITEM,
    MILESTONE,
    STEP,
)
from wijkhub.schemas.advice import TimelineEvent
from wijkhub.schemas.outbound import ReminderNotice, ReminderStep
from wijkhub.schemas.status import MILESTONE_LABELS_NL, Milestone

log = logging.getLogger(__name__)

ACTOR = "system:escalation"
CONFIG_FILE = "escalation.toml"


class Step(StrEnum):
    buddy_reminder = "buddy_reminder"
    contact_manager = "contact_manager"
    team_leader = "team_leader"
    steering_report = "steering_report"
    coach_notice = "coach_notice"  # dead letters only: the coach hears it first


STEP_LABELS_NL: dict[Step, str] = {
    Step.buddy_reminder: gettext("reminder to the partner's buddy"),
    Step.contact_manager: gettext("message to the partner's contact manager"),
    Step.team_leader: gettext("report to the team leader"),
    Step.steering_report: gettext("on the steering group's list"),
    Step.coach_notice: gettext("report to the neighbourhood coach"),
}
# The ladder of a late partner (`coach_notice` belongs to the dead letters only).
PARTNER_LADDER: tuple[Step, ...] = tuple(s for s in Step if s is not Step.coach_notice)
# The steps that are messages to the partner, written by its plugin.
TO_PARTNER: dict[Step, ReminderStep] = {
    Step.buddy_reminder: ReminderStep.buddy_reminder,
    Step.contact_manager: ReminderStep.contact_manager,
}


# --- configuration ---------------------------------------------------------------------------


class LadderStep(BaseModel):
    model_config = ConfigDict(extra="forbid")
    step: Step
    # Working days after the missed due day (1: the first working day after it).
    after_working_days: int = Field(ge=1, le=250)


class Team(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    team_leader: Contact


class DeadLetterLadder(BaseModel):
    """`[dead_letter]`: when a dead letter is reported, in working days after the day it died
    (0: that same day)."""

    model_config = ConfigDict(extra="forbid")
    # The coach and the team leader of the coach's team.
    notice_after_working_days: int = Field(0, ge=0, le=250)
    steering_after_working_days: int = Field(2, ge=0, le=250)

    @model_validator(mode="after")
    def _ordered(self) -> "DeadLetterLadder":
        if self.steering_after_working_days < self.notice_after_working_days:
            raise ValueError(
                "steering_after_working_days mag niet kleiner zijn dan notice_after_working_days"
            )
        return self


def _default_ladder() -> list[LadderStep]:
    return [
        LadderStep(step=Step.buddy_reminder, after_working_days=1),
        LadderStep(step=Step.contact_manager, after_working_days=3),
        LadderStep(step=Step.team_leader, after_working_days=5),
        LadderStep(step=Step.steering_report, after_working_days=10),
    ]


class EscalationConfig(BaseModel):
    """`config/escalation.toml`: the ladder and each team's team leader."""

    model_config = ConfigDict(extra="forbid")
    version: str = "standaard"
    step: list[LadderStep] = Field(default_factory=_default_ladder, min_length=1)
    team: list[Team] = []
    dead_letter: DeadLetterLadder = DeadLetterLadder()

    @model_validator(mode="after")
    def _ordered(self) -> "EscalationConfig":
        steps = [s.step for s in self.step]
        if Step.coach_notice in steps:
            raise ValueError("coach_notice hoort alleen bij [dead_letter]")
        if len(steps) != len(set(steps)):
            raise ValueError("elke stap mag maar één keer in de ladder staan")
        order = list(Step)
        if steps != sorted(steps, key=order.index):
            raise ValueError(
                "de stappen staan in de vaste volgorde buddy_reminder, contact_manager, "
                "team_leader, steering_report (een stap weglaten mag)"
            )
        days = [s.after_working_days for s in self.step]
        if any(b <= a for a, b in pairwise(days)):
            raise ValueError("after_working_days moet per stap groter worden")
        ids = [t.id for t in self.team]
        if len(ids) != len(set(ids)):
            raise ValueError("een team staat twee keer in de configuratie")
        return self

    def team_leader(self, team: str) -> Contact | None:
        return next((t.team_leader for t in self.team if t.id == team), None)


def parse_config(text: str, source: str) -> EscalationConfig:
    """Validate the file's text; a mistake is a `ConfigError` naming the file and the key."""
    try:
        return EscalationConfig.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: geen geldige TOML: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(bestand)'}: {pydantic_message(e)}"
            for e in exc.errors()
        )
        raise ConfigError(f"{source}: ongeldige escalatieladder: {problems}") from None


_cache: dict[Path, tuple[float, EscalationConfig]] = {}


def load_config(ctx: HubContext) -> EscalationConfig:
    """The hub's escalation.toml, or the shipped example when it has none. Read again when the
    file changes, so an administrator's edit applies without a restart."""
    path = ctx.settings.config_path / CONFIG_FILE
    if not path.exists():
        path = example_config_dir() / CONFIG_FILE
    mtime = path.stat().st_mtime
    hit = _cache.get(path)
    if hit is None or hit[0] != mtime:
        hit = (mtime, parse_config(path.read_text(encoding="utf-8"), str(path)))
        _cache[path] = hit
    return hit[1]


def fires_on(due_on: date, step: LadderStep) -> date:
    """The day a step fires: `after_working_days` working days after the missed due day."""
    return due_date(due_on, DeadlineRule(step.after_working_days))


def _after(day: date, working_days: int) -> date:
    return due_date(day, DeadlineRule(working_days)) if working_days else day


def rungs(milestone: str, due_on: date, cfg: EscalationConfig) -> list[tuple[Step, date]]:
    """The steps of a late milestone with the day each fires, in order."""
    if milestone in DEAD_LETTER_MILESTONES:
        dl = cfg.dead_letter
        notice = _after(due_on, dl.notice_after_working_days)
        return [
            (Step.coach_notice, notice),
            (Step.team_leader, notice),
            (Step.steering_report, _after(due_on, dl.steering_after_working_days)),
        ]
    return [(r.step, fires_on(due_on, r)) for r in cfg.step]


# --- the job ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fired:
    item_id: str
    milestone: str
    step: Step
    partner_id: str


@dataclass
class EscalationResult:
    fired: list[Fired] = field(default_factory=list)
    closed: int = 0  # milestones closed because the consent was withdrawn
    messages_queued: int = 0


def _recipient(partner: PartnerConfig, step: ReminderStep) -> Contact:
    configured = partner.buddy if step is ReminderStep.buddy_reminder else partner.contact_manager
    if configured is not None:
        return configured
    role = "uitvoerend professional" if step is ReminderStep.buddy_reminder else "contactmanager"
    return Contact(name=f"{role} van {partner.name}")


def reminder_text(milestone: Milestone, due_on: date, number: int, step: ReminderStep) -> str:
    what = MILESTONE_LABELS_NL[milestone]
    lead = "Herinnering" if step is ReminderStep.buddy_reminder else "Escalatie"
    return (
        f"{lead}: de termijn voor '{what}' van verzoek {number} liep af op "
        f"{due_on:%d-%m-%Y}. Wilt u de wijkcoach vandaag laten weten hoe het ervoor staat?"
    )


async def run_escalations(
    ctx: HubContext, actor: str = ACTOR, *, item_ids: list[str] | None = None
) -> EscalationResult:
    """Fire every ladder step that is due (of these items only, if given); safe to run at any
    time, any number of times, in any number of processes at once."""
    cfg = load_config(ctx)
    today = local_date(ctx.clock.now())
    result = EscalationResult()
    # A dead letter is late the day it dies; a partner's milestone the day after its due day.
    late_now = or_(
        MILESTONE.c.due_on < today,
        and_(
            MILESTONE.c.milestone.in_(sorted(DEAD_LETTER_MILESTONES)), MILESTONE.c.due_on <= today
        ),
    )
    q = select(MILESTONE).where(MILESTONE.c.state == OPEN, late_now)
    if item_ids is not None:
        q = q.where(MILESTONE.c.item_id.in_(item_ids))
    async with ctx.db.read() as conn:
        late = (await conn.execute(q)).all()
        if not late:
            return result
        item_ids = sorted({m.item_id for m in late})
        fired = {
            (r.item_id, r.milestone, r.step)
            for r in (
                await conn.execute(
                    select(STEP.c.item_id, STEP.c.milestone, STEP.c.step).where(
                        STEP.c.item_id.in_(item_ids)
                    )
                )
            ).all()
        }
        withdrawn = set(
            (
                await conn.execute(
                    select(DELIVERY.c.item_id).where(
                        DELIVERY.c.item_id.in_(item_ids), DELIVERY.c.kind == "withdrawal"
                    )
                )
            ).scalars()
        )
    for m in late:
        if m.item_id in withdrawn and m.milestone != WITHDRAWAL_MILESTONE:
            # The client withdrew consent: nothing more is due from this partner.
            async with ctx.db.write() as conn:
                res = await conn.execute(
                    update(MILESTONE)
                    .where(MILESTONE.c.id == m.id, MILESTONE.c.state == OPEN)
                    .values(state=CLOSED, closed_at=ctx.clock.now(), closed_reason="withdrawn")
                )
                result.closed += res.rowcount
            continue
        for step, day in rungs(m.milestone, m.due_on, cfg):
            if day > today:
                break  # the later steps are not due either
            if (m.item_id, m.milestone, step.value) in fired:
                continue
            outcome = await _fire(ctx, m, step, cfg, actor)
            if outcome is None:
                break  # answered meanwhile: the ladder stops here
            fired.add((m.item_id, m.milestone, step.value))
            if outcome:
                result.fired.append(Fired(m.item_id, m.milestone, step, m.partner_id))
                if step in TO_PARTNER:
                    result.messages_queued += 1
    if result.messages_queued:
        ctx.on_new_deliveries()
    return result


async def _render(ctx: HubContext, m: Any, item: Any, step: ReminderStep) -> PartnerMessage | None:
    partner = ctx.partners.get(m.partner_id)
    ptype = ctx.registry.get(partner.type) if partner else None
    if partner is None or ptype is None or ptype.translate_reminder is None:
        return None  # the plugin cannot write a reminder: the step is recorded as a notice
    notice = ReminderNotice(
        item_ref=uuid.UUID(m.item_id),
        item_number=item.number,
        partner_id=partner.id,
        sender=ctx.settings.sender_code,
        advice_type=m.advice_type,
        milestone=Milestone(m.milestone),
        due_on=m.due_on,
        step=step,
        recipient=_recipient(partner, step).name,
        sent_at=ctx.clock.now(),
        text=reminder_text(Milestone(m.milestone), m.due_on, item.number, step),
    )
    translate = ptype.translate_reminder
    return await asyncio.to_thread(translate, notice)


async def _fire(
    ctx: HubContext, m: Any, step: Step, cfg: EscalationConfig, actor: str
) -> bool | None:
    """Fire one step in one transaction. True: fired; False: fired already (another run or
    process); None: the milestone is no longer open."""
    async with ctx.db.read() as conn:
        item = (
            await conn.execute(
                select(
                    ITEM.c.number,
                    ITEM.c.client_id,
                    ITEM.c.legal_basis,
                    ITEM.c.rules_version,
                    ADVICE.c.trace_id,
                    CLIENT.c.team,
                )
                .join(ADVICE, ADVICE.c.id == ITEM.c.advice_id)
                .join(CLIENT, CLIENT.c.id == ITEM.c.client_id)
                .where(ITEM.c.id == m.item_id)
            )
        ).one()
    partner = ctx.partners.get(m.partner_id)
    message = None
    if step in TO_PARTNER and partner is not None and m.milestone not in DEAD_LETTER_MILESTONES:
        message = await _render(ctx, m, item, TO_PARTNER[step])
    now = ctx.clock.now()
    milestone = m.milestone
    async with ctx.db.write() as conn:
        # Lock the milestone row (PostgreSQL) and fire only while it is open: an answer that
        # commits first stops the step; one that comes later waits for this transaction.
        still_open = await conn.execute(
            update(MILESTONE)
            .where(and_(MILESTONE.c.id == m.id, MILESTONE.c.state == OPEN))
            .values(state=OPEN)
        )
        if still_open.rowcount == 0:
            return None
        delivery_id = None
        try:
            async with conn.begin_nested():
                res = await conn.execute(
                    insert(STEP)
                    .values(
                        item_id=m.item_id,
                        delivery_id=m.delivery_id,
                        partner_id=m.partner_id,
                        advice_type=m.advice_type,
                        milestone=m.milestone,
                        step=step.value,
                        team=item.team,
                        due_on=m.due_on,
                        fired_at=now,
                    )
                    .returning(STEP.c.id)
                )
                step_id = res.scalar_one()
        except IntegrityError:
            return False  # another run fired it first
        if message is not None and partner is not None:
            row = delivery_row(ctx, m.item_id, partner, "reminder", message, item.trace_id, now)
            # The same reminder always has the same key: a partner drops a repeat.
            row["idempotency_key"] = uuid.uuid5(
                uuid.NAMESPACE_URL, f"wijkhub:reminder:{m.item_id}:{m.milestone}:{step.value}"
            ).hex
            await conn.execute(insert(DELIVERY).values(**row))
            delivery_id = row["id"]
            await conn.execute(
                update(STEP).where(STEP.c.id == step_id).values(message_delivery_id=delivery_id)
            )
        await append(
            conn,
            [
                LogEntry(
                    name=f"escalation.{step.value}",
                    actor=actor,
                    outcome="fired",
                    trace_id=item.trace_id,
                    span_id=new_span_id(),
                    data_subject_id=item.client_id,
                    partner_id=m.partner_id,
                    purpose=m.advice_type,
                    legal_basis=item.legal_basis,
                    rules_version=cfg.version,
                    detail=step_detail(step, milestone, m.due_on, cfg, item.team, delivery_id),
                )
            ],
            now,
        )
    return True


def step_detail(
    step: Step,
    milestone: str,
    due_on: date,
    cfg: EscalationConfig,
    team: str,
    delivery_id: str | None = None,
) -> str:
    """The Dutch sentence for the processing log and the timeline (no client data)."""
    if milestone in DEAD_LETTER_MILESTONES:
        what = WITHDRAWAL_LABEL_NL if milestone == WITHDRAWAL_MILESTONE else DELIVERY_LABEL_NL
        late = (
            f"{what} mislukt: na alle pogingen opgegeven op {due_on:%d-%m-%Y}, "
            "wordt opnieuw aangeboden zodra de partner weer bereikbaar is"
        )
    else:
        late = f"{label(milestone)} te laat (uiterlijk {due_on:%d-%m-%Y})"
    if step in TO_PARTNER:
        how = "via het berichtformaat van de partner" if delivery_id else "alleen vastgelegd"
        return f"{late}: {STEP_LABELS_NL[step]} ({how})"
    if step is Step.team_leader:
        leader = cfg.team_leader(team)
        who = leader.name if leader else f"teamleider van team {team}"
        return f"{late}: {STEP_LABELS_NL[step]} ({who})"
    return f"{late}: {STEP_LABELS_NL[step]}"


# --- reading ---------------------------------------------------------------------------------


async def timeline(
    ctx: HubContext, conn: AsyncConnection, item_ids: list[str]
) -> dict[str, list[TimelineEvent]]:
    """The steps fired per item, as timeline events (kind `escalation`, status the step)."""
    if not item_ids:
        return {}
    cfg = load_config(ctx)
    rows = (
        await conn.execute(
            select(STEP).where(STEP.c.item_id.in_(item_ids)).order_by(STEP.c.fired_at, STEP.c.id)
        )
    ).all()
    out: dict[str, list[TimelineEvent]] = {}
    for r in rows:
        out.setdefault(r.item_id, []).append(
            TimelineEvent(
                at=r.fired_at,
                kind="escalation",
                status=r.step,
                detail=step_detail(
                    Step(r.step),
                    r.milestone,
                    r.due_on,
                    cfg,
                    r.team,
                    r.message_delivery_id,
                ),
            )
        )
    return out


class EscalationNotice(BaseModel):
    """A team leader's notice (step `team_leader`), or a line of the steering group's report
    (step `steering_report`). No client data: the item is named by its id only."""

    id: int
    step: Step
    item_id: uuid.UUID
    advice_id: uuid.UUID
    team: str
    partner_id: str
    partner_name: str
    advice_type: str
    # delivery, withdrawal_delivery: a dead advice, a dead withdrawal notice
    milestone: Milestone | Literal["delivery", "withdrawal_delivery"]
    milestone_nl: str
    due_on: date
    fired_at: datetime
    milestone_state: str  # open | met | closed: is the partner still late?
    met_at: datetime | None
    team_leader: str | None
    read_at: datetime | None
    detail: str


async def list_steps(
    ctx: HubContext,
    step: Step,
    *,
    team: str | None = None,
    unread_only: bool = False,
    open_only: bool = False,
    item_id: str | None = None,
) -> list[EscalationNotice]:
    """Fired steps of one kind, newest first; `team` limits them to one team's items."""
    cfg = load_config(ctx)
    q = (
        select(
            STEP,
            ITEM.c.advice_id,
            MILESTONE.c.state.label("milestone_state"),
            MILESTONE.c.met_at,
        )
        .join(ITEM, ITEM.c.id == STEP.c.item_id)
        .join(
            MILESTONE,
            and_(MILESTONE.c.item_id == STEP.c.item_id, MILESTONE.c.milestone == STEP.c.milestone),
        )
        .where(STEP.c.step == step.value)
        .order_by(STEP.c.fired_at.desc(), STEP.c.id.desc())
    )
    if team is not None:
        q = q.where(STEP.c.team == team)
    if unread_only:
        q = q.where(STEP.c.read_at.is_(None))
    if open_only:
        q = q.where(MILESTONE.c.state == OPEN)
    if item_id is not None:
        q = q.where(STEP.c.item_id == item_id)
    async with ctx.db.read() as conn:
        rows = (await conn.execute(q)).all()
    out = []
    for r in rows:
        partner = ctx.partners.get(r.partner_id)
        leader = cfg.team_leader(r.team)
        milestone = r.milestone
        out.append(
            EscalationNotice(
                id=r.id,
                step=Step(r.step),
                item_id=uuid.UUID(r.item_id),
                advice_id=uuid.UUID(r.advice_id),
                team=r.team,
                partner_id=r.partner_id,
                partner_name=partner.name if partner else r.partner_id,
                advice_type=r.advice_type,
                milestone=milestone,
                milestone_nl=label(milestone),
                due_on=r.due_on,
                fired_at=r.fired_at,
                milestone_state=r.milestone_state,
                met_at=r.met_at,
                team_leader=leader.name if leader else None,
                read_at=r.read_at,
                detail=step_detail(
                    Step(r.step), milestone, r.due_on, cfg, r.team, r.message_delivery_id
                ),
            )
        )
    return out


async def mark_read(ctx: HubContext, item_id: str, team: str, actor: str) -> bool:
    """A team leader has read the notices about one item of the own team; False if there are
    none."""
    now = ctx.clock.now()
    mine = and_(
        STEP.c.item_id == item_id, STEP.c.step == Step.team_leader.value, STEP.c.team == team
    )
    async with ctx.db.write() as conn:
        await conn.execute(
            update(STEP).where(mine, STEP.c.read_at.is_(None)).values(read_at=now, read_by=actor)
        )
        return await conn.scalar(select(STEP.c.id).where(mine).limit(1)) is not None
