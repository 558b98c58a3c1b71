"""Four eyes before an item leaves (config: `approval.toml`).

An allowed item whose advice type is listed under `four_eyes`, or whose estimated cost is above
the coach's mandate, is not put in the outbox at submission. It waits here until someone of the
same team approves it: a second coach for a plain four-eyes item, a team manager or cluster
manager when its cost needs their mandate. The author can never approve (or reject) their own
item. Approval re-checks consent (it may have changed while the item waited), then translates
the item with the approver's role and pseudonym and queues it; rejection returns it to draft
with a reason and it is never sent. Every step is in the processing log.

Without an `approval.toml` in the configuration directory nothing needs an approval.
"""

import tomllib
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.casework import plan
from wijkhub.hub.core import read_log
from wijkhub.hub.core.auth import Principal
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import ApiError, not_found
from wijkhub.hub.core.processing_log import LogEntry, append
from wijkhub.hub.i18n import gettext
from wijkhub.hub.steps.enqueue import requeue
from wijkhub.hub.store.tables import (
    ADVICE,
    APPROVAL,
    CLIENT,
    ITEM,
)
from wijkhub.schemas.advice import TimelineEvent
from wijkhub.schemas.common import Contract
from wijkhub.schemas.outbound import Approval

ROLE_NL = {
    "coach": gettext("second coach"),
    "team_manager": gettext("team manager"),
    "cluster_manager": gettext("cluster manager"),
}
AWAITING, APPROVED, REJECTED = "awaiting", "approved", "rejected"


class Mandate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["coach", "team_manager", "cluster_manager"]
    up_to_cents: int | None = Field(None, ge=0)  # None: no limit


class ApprovalRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str
    four_eyes: list[str] = []
    mandate: list[Mandate]

    @model_validator(mode="after")
    def _ladder(self) -> "ApprovalRules":
        limits = [m.up_to_cents for m in self.mandate]
        if not limits or limits[-1] is not None or None in limits[:-1]:
            raise ValueError("the last mandate (and only the last) must have no up_to_cents")
        if limits[:-1] != sorted(limits[:-1]):  # type: ignore[type-var]
            raise ValueError("mandates must be listed from low to high")
        if len({m.role for m in self.mandate}) != len(self.mandate):
            raise ValueError("each role may have one mandate")
        return self

    def required_role(self, advice_type: str, cost_cents: int | None) -> str | None:
        """The lowest role that must approve, or None when the item may leave at once."""
        cost = cost_cents or 0
        coach = next((m.up_to_cents for m in self.mandate if m.role == "coach"), None)
        coach_limit = coach if coach is not None else 0
        if advice_type not in self.four_eyes and cost <= coach_limit:
            return None
        for m in self.mandate:
            if m.up_to_cents is None or cost <= m.up_to_cents:
                return m.role
        raise AssertionError("unreachable: the last mandate has no limit")

    def may_approve(self, role: str, required: str) -> bool:
        order = [m.role for m in self.mandate]
        return role in order and required in order and order.index(role) >= order.index(required)


_cache: dict[Path, tuple[float, ApprovalRules]] = {}


def load_rules(ctx: HubContext) -> ApprovalRules | None:
    """None when the hub has no approval.toml: then nothing needs an approval. Read again
    when the file changes, so an administrator's edit applies without a restart."""
    path = ctx.settings.config_path / "approval.toml"
    if not path.exists():
        return None
    mtime = path.stat().st_mtime
    hit = _cache.get(path)
    if hit is None or hit[0] != mtime:
        hit = (mtime, ApprovalRules.model_validate(tomllib.loads(path.read_text())))
        _cache[path] = hit
    return hit[1]


@dataclass
class Pending:
    item_ref: str
    partner_id: str
    advice_type: str
    required_role: str
    cost_cents: int | None


async def hold(
    ctx: HubContext,
    conn: AsyncConnection,
    pending: list[Pending],
    *,
    advice_id: str,
    client_id: str,
    actor: str,
    trace_id: str,
    parent_span_id: str,
    now: datetime,
    author_person: str | None = None,
) -> list[LogEntry]:
    """Store the items that wait for an approval (instead of an outbox row)."""
    if not pending:
        return []
    rules = load_rules(ctx)
    assert rules is not None
    team = await conn.scalar(select(CLIENT.c.team).where(CLIENT.c.id == client_id))
    await conn.execute(
        insert(APPROVAL),
        [
            {
                "item_id": p.item_ref,
                "advice_id": advice_id,
                "team": team,
                "required_role": p.required_role,
                "cost_cents": p.cost_cents,
                "status": AWAITING,
                "author": actor,
                "author_person": author_person,
                "rules_version": rules.version,
                "requested_at": now,
            }
            for p in pending
        ],
    )
    return [
        LogEntry(
            name="advice_item.approval_requested",
            actor=actor,
            outcome=AWAITING,
            trace_id=trace_id,
            parent_span_id=parent_span_id,
            data_subject_id=client_id,
            partner_id=p.partner_id,
            purpose=p.advice_type,
            detail=f"goedkeuring nodig door {ROLE_NL[p.required_role]}",
            rules_version=rules.version,
        )
        for p in pending
    ]


# --- the approver's side ---------------------------------------------------------------------


class AwaitingApproval(Contract):
    item_id: uuid.UUID
    advice_id: uuid.UUID
    client_id: uuid.UUID
    partner_id: str
    advice_type: str
    required_role: str
    estimated_cost_cents: int | None
    requested_at: datetime
    author: str


class ApprovalResult(Contract):
    item_id: uuid.UUID
    status: Literal["approved", "rejected"]
    delivery_status: str
    decided_by: str
    decided_role: str


class Rejection(Contract):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=1000)]


def _rules_or_error(ctx: HubContext) -> ApprovalRules:
    rules = load_rules(ctx)
    if rules is None:
        raise not_found("Goedkeuring")
    return rules


def is_author(row: Any, who: Principal) -> bool:
    """Whether `who` is the person who wrote the item: by person id, whatever the token,
    session or role (rows from before person ids: by the actor)."""
    if row.author_person:
        return bool(row.author_person == who.person_id)
    return bool(row.author == who.actor)


async def awaiting_for(
    ctx: HubContext, who: Principal, reader: read_log.Reader
) -> list[dict[str, Any]]:
    """Items of the caller's team that the caller may approve (never their own). The list
    names the client and the kind of help (for a care item: health data), so it is a read."""
    rules = load_rules(ctx)
    if rules is None or who.team is None:
        return []
    async with ctx.db.write() as conn:
        rows = (
            await conn.execute(
                select(APPROVAL, ITEM.c.partner_id, ITEM.c.advice_type, ITEM.c.client_id)
                .join(ITEM, ITEM.c.id == APPROVAL.c.item_id)
                .where(APPROVAL.c.team == who.team, APPROVAL.c.status == AWAITING)
                .order_by(APPROVAL.c.requested_at, APPROVAL.c.item_id)
            )
        ).all()
        shown = [
            r
            for r in rows
            if not is_author(r, who) and rules.may_approve(who.role, r.required_role)
        ]
        await read_log.record(
            conn, reader, read_log.APPROVALS, [r.client_id for r in shown], ctx.clock.now()
        )
    return [
        {
            "item_id": r.item_id,
            "advice_id": r.advice_id,
            "client_id": r.client_id,
            "partner_id": r.partner_id,
            "advice_type": r.advice_type,
            "required_role": r.required_role,
            "estimated_cost_cents": r.cost_cents,
            "requested_at": r.requested_at,
            "author": r.author,
        }
        for r in shown
    ]


async def _claim(
    ctx: HubContext, conn: AsyncConnection, item_id: str, who: Principal, rules: ApprovalRules
) -> Any:
    row = (
        await conn.execute(
            select(APPROVAL, ITEM, ADVICE.c.trace_id)
            .join(ITEM, ITEM.c.id == APPROVAL.c.item_id)
            .join(ADVICE, ADVICE.c.id == APPROVAL.c.advice_id)
            .where(APPROVAL.c.item_id == item_id)
        )
    ).first()
    if row is None or row.team != who.team:
        raise not_found("Goedkeuring")
    if row.status != AWAITING:
        raise ApiError(409, "already_decided", "Over dit onderdeel is al beslist.")
    if is_author(row, who):
        raise ApiError(
            403, "own_item", "U kunt een eigen onderdeel niet zelf goedkeuren of afwijzen."
        )
    if not rules.may_approve(who.role, row.required_role):
        raise ApiError(
            403,
            "outside_mandate",
            f"Dit onderdeel vraagt goedkeuring door een {ROLE_NL[row.required_role]}; "
            "dat valt buiten uw mandaat.",
        )
    # Claim it: a concurrent decision on the same item updates no row and loses.
    res = await conn.execute(
        update(APPROVAL)
        .where(APPROVAL.c.item_id == item_id, APPROVAL.c.status == AWAITING)
        .values(status="deciding")
    )
    if res.rowcount != 1:
        raise ApiError(409, "already_decided", "Over dit onderdeel is al beslist.")
    return row


async def approve(ctx: HubContext, item_id: str, who: Principal) -> dict[str, Any]:

    rules = _rules_or_error(ctx)
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        row = await _claim(ctx, conn, item_id, who, rules)
        partner = ctx.partners.get(row.partner_id)
        approval = Approval(
            role=who.role,
            approver_ref=ctx.keyring.subject_ref(f"approver:{who.person_id}", row.partner_id),
            approved_at=now,
        )
        # A household-plan item that still waits for another item or a date is queued when
        # it is released (hub/casework/plan.py), not now.
        waits = await plan.is_waiting(conn, item_id)
        # Consent may have changed while the item waited: decide again, now.
        done = (
            await requeue(
                ctx,
                conn,
                row,
                actor=who.actor,
                trace_id=row.trace_id,
                now=now,
                approval=approval,
                cost_cents=row.cost_cents,
            )
            if not waits
            else None
        )
        if partner is None or (done is None and not waits):
            raise ApiError(
                409, "gone", "De partner, het adviestype of de cliënt bestaat niet meer."
            )
        await conn.execute(
            update(APPROVAL)
            .where(APPROVAL.c.item_id == item_id)
            .values(
                status=APPROVED,
                decided_at=now,
                decided_by=who.actor,
                decided_role=who.role,
                decided_token=who.person_id,
            )
        )
        log = [
            LogEntry(
                name="advice_item.approve",
                actor=who.actor,
                outcome=APPROVED,
                trace_id=row.trace_id,
                data_subject_id=row.client_id,
                partner_id=row.partner_id,
                purpose=row.advice_type,
                detail=f"goedgekeurd door {ROLE_NL[who.role]} (nodig: "
                f"{ROLE_NL[row.required_role]}); goedkeurder {approval.approver_ref}",
                rules_version=rules.version,
            ),
        ]
        status = "waiting"
        if done is not None:
            log.append(done[1])
            status = "queued" if done[0].allowed else "blocked"
        await append(conn, log, now)
    if status == "queued":
        ctx.on_new_deliveries()
    return {
        "item_id": item_id,
        "status": APPROVED,
        "delivery_status": status,
        "decided_by": who.actor,
        "decided_role": who.role,
    }


async def reject(ctx: HubContext, item_id: str, who: Principal, reason: str) -> dict[str, Any]:
    rules = _rules_or_error(ctx)
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        row = await _claim(ctx, conn, item_id, who, rules)
        await conn.execute(
            update(APPROVAL)
            .where(APPROVAL.c.item_id == item_id)
            .values(
                status=REJECTED,
                decided_at=now,
                decided_by=who.actor,
                decided_role=who.role,
                decided_token=who.person_id,
                reason=ctx.seal(reason, f"item_approval.reason:{item_id}"),
            )
        )
        await append(
            conn,
            [
                LogEntry(
                    name="advice_item.reject",
                    actor=who.actor,
                    outcome=REJECTED,
                    trace_id=row.trace_id,
                    data_subject_id=row.client_id,
                    partner_id=row.partner_id,
                    purpose=row.advice_type,
                    # The reason is free text (may name people): only in the sealed row.
                    detail=f"afgewezen door {ROLE_NL[who.role]}; terug naar concept",
                    rules_version=rules.version,
                )
            ],
            now,
        )
    return {
        "item_id": item_id,
        "status": REJECTED,
        "delivery_status": "draft",
        "decided_by": who.actor,
        "decided_role": who.role,
    }


async def for_items(conn: AsyncConnection, ids: list[str]) -> dict[str, Any]:
    rows = (await conn.execute(select(APPROVAL).where(APPROVAL.c.item_id.in_(ids)))).all()
    return {r.item_id: r for r in rows}


def reason_of(ctx: HubContext, row: Any) -> str | None:
    return ctx.unseal(row.reason, f"item_approval.reason:{row.item_id}") if row.reason else None


def timeline(ctx: HubContext, row: Any) -> list[TimelineEvent]:
    """The approval's steps in the item's timeline (the coach's view)."""
    events = [
        TimelineEvent(
            at=row.requested_at,
            kind="approval_requested",
            status=row.required_role,
            detail=f"wacht op goedkeuring door {ROLE_NL[row.required_role]}",
        )
    ]
    if row.status in (APPROVED, REJECTED):
        verb = "goedgekeurd" if row.status == APPROVED else "afgewezen"
        reason = reason_of(ctx, row)
        events.append(
            TimelineEvent(
                at=row.decided_at,
                kind="approval",
                status=row.status,
                detail=f"{verb} door {ROLE_NL[row.decided_role]}"
                + (f": {reason}" if reason else ""),
            )
        )
    return events
