"""Database tables (SQLModel). Personal data is stored only as AES-GCM ciphertext (`bytes`
columns, see `crypto`); the BSN only as a keyed hash. Schema changes go through Alembic
(`hub/migrations`), never `create_all`.
"""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    LargeBinary,
    TypeDecorator,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite has no time zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _ts(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


def _json(**kw: Any) -> Any:
    return Field(sa_column=Column(JSON, nullable=False), **kw)


def _blob(nullable: bool = False) -> Any:
    return Field(sa_column=Column(LargeBinary, nullable=nullable))


class ClientRow(SQLModel, table=True):
    __tablename__ = "client"
    id: str = Field(primary_key=True)
    bsn_hash: str = Field(unique=True, index=True)
    record: bytes = _blob()  # encrypted ClientIn JSON
    team: str = Field(index=True)  # a coach sees only the clients of their own team
    created_at: datetime = _ts()
    created_by: str


class ConsentRow(SQLModel, table=True):
    __tablename__ = "consent"
    __table_args__ = (Index("ix_consent_client_partner", "client_id", "partner_id"),)
    id: str = Field(primary_key=True)
    client_id: str = Field(foreign_key="client.id")
    partner_id: str
    purposes: list[str] = _json()
    categories: list[str] = _json()
    explicit: bool
    valid_from: date
    valid_until: date | None = None
    evidence_ref: str
    details: bytes = _blob()  # encrypted JSON: given_by, withdrawal_reason (free text)
    status: str = Field(index=True)
    recorded_by: str
    recorded_at: datetime = _ts()
    withdrawn_at: datetime | None = _ts(default=None)
    withdrawn_by: str | None = None


class AdviceRow(SQLModel, table=True):
    __tablename__ = "advice"
    id: str = Field(primary_key=True)
    client_id: str = Field(foreign_key="client.id", index=True)
    summary: bytes | None = _blob(nullable=True)  # encrypted
    created_at: datetime = _ts()
    created_by: str
    trace_id: str


class ItemRow(SQLModel, table=True):
    __tablename__ = "advice_item"
    # Refusals per partner and reason are counted at every metrics scrape (index-only).
    __table_args__ = (Index("ix_advice_item_refusals", "allowed", "partner_id", "decision_code"),)
    number: int | None = Field(default=None, primary_key=True)  # iWmo wants an integer
    id: str = Field(unique=True, index=True)
    advice_id: str = Field(foreign_key="advice.id", index=True)
    client_id: str = Field(index=True)
    position: int
    partner_id: str = Field(index=True)
    partner_type: str
    advice_type: str
    urgency: str
    requested_date: date | None = None
    details: bytes = _blob()  # encrypted JSON: motivation, parameters, threats
    allowed: bool
    decision_code: str
    decision_reason: str
    legal_basis: str | None = None
    categories: list[str] = _json()
    consent_id: str | None = Field(default=None, index=True)  # withdrawal looks items up by it
    rules_version: str
    deadline: date | None = None
    partner_status: str | None = None
    partner_status_at: datetime | None = _ts(default=None)


class ApprovalRow(SQLModel, table=True):
    """Four eyes: an item that needs a second coach's or a manager's approval before it is
    put in the outbox (see hub/casework/approvals.py and config/approval.toml)."""

    __tablename__ = "item_approval"
    __table_args__ = (Index("ix_item_approval_team_status", "team", "status"),)
    item_id: str = Field(primary_key=True, foreign_key="advice_item.id")
    advice_id: str = Field(index=True)
    team: str
    required_role: str  # the lowest role whose mandate covers the cost
    cost_cents: int | None = None
    status: str  # awaiting | approved | rejected
    author: str  # the submitter's actor (role/person prefix), as the log shows it
    # The submitter's person id (core/auth.py): nobody with this person id may approve, under
    # whatever token, session or role. NULL on rows from before it was recorded.
    author_person: str | None = None
    rules_version: str
    requested_at: datetime = _ts()
    decided_at: datetime | None = _ts(default=None)
    decided_by: str | None = None  # actor of the approver or rejecter
    decided_role: str | None = None
    decided_token: str | None = None  # the approver's person id (pseudonym per partner from it)
    reason: bytes | None = _blob(nullable=True)  # encrypted: a rejection's free text


class DeliveryRow(SQLModel, table=True):
    """The outbox. One row per message to a partner; attempts are in `delivery_attempt`."""

    __tablename__ = "delivery"
    __table_args__ = (
        Index("ix_delivery_due", "status", "next_attempt_at"),
        # Queue depth and dead letters per partner, counted at every metrics scrape.
        Index("ix_delivery_status_partner", "status", "partner_id"),
    )
    id: str = Field(primary_key=True)
    item_id: str = Field(foreign_key="advice_item.id", index=True)
    partner_id: str = Field(index=True)
    kind: str  # advice | withdrawal
    transport: str  # push: the worker POSTs it; pull: it waits in the partner's inbox
    status: str
    attempts: int = 0
    next_attempt_at: datetime = _ts()
    lease_owner: str | None = None
    lease_expires_at: datetime | None = _ts(default=None)
    last_error: str | None = None
    idempotency_key: str = Field(unique=True)
    payload: bytes = _blob()  # encrypted, in the partner's format
    content_type: str
    trace_id: str
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    delivered_at: datetime | None = _ts(default=None)


class DeliveryAttemptRow(SQLModel, table=True):
    __tablename__ = "delivery_attempt"
    id: int | None = Field(default=None, primary_key=True)
    delivery_id: str = Field(foreign_key="delivery.id", index=True)
    number: int
    started_at: datetime = _ts()
    duration_ms: float
    http_status: int | None = None
    error: str | None = None
    response_excerpt: bytes | None = _blob(nullable=True)  # encrypted: partners may echo data


class StatusUpdateRow(SQLModel, table=True):
    __tablename__ = "status_update"
    __table_args__ = (UniqueConstraint("partner_id", "partner_message_id"),)
    id: int | None = Field(default=None, primary_key=True)
    item_id: str = Field(foreign_key="advice_item.id", index=True)
    partner_id: str
    partner_message_id: str
    status: str
    occurred_at: datetime = _ts()
    received_at: datetime = _ts()
    text: bytes = _blob()  # encrypted JSON: reason and detail
    raw: bytes = _blob()  # encrypted original message, as evidence
    reason_code: str | None = None  # a rejection's code: countable, not sealed
    # The date the reported fact takes effect (start or end of care), when the format says it.
    effective_date: date | None = None


class ProcessingLogRow(SQLModel, table=True):
    """One entry per decision or data movement: a leaf of the log's Merkle tree.

    Writers insert the entry with `leaf_hash` (over its content); the sequencer gives it its
    place in the tree (`leaf_index`). `prev_hash` / `hash` are the hash chain the log was
    before the tree, kept on the entries written then. Field names follow Logboek
    Dataverwerkingen where it has one (see docs/processing-log.md).
    """

    __tablename__ = "processing_log"
    seq: int | None = Field(default=None, primary_key=True)
    trace_id: str = Field(index=True)
    span_id: str
    parent_span_id: str | None = None
    name: str
    start_time: datetime = _ts()
    end_time: datetime = _ts()
    status_code: int  # OpenTelemetry: 0 unset, 1 ok, 2 error
    actor: str
    data_subject_id: str | None = Field(default=None, index=True)
    partner_id: str | None = None
    purpose: str | None = None
    legal_basis: str | None = None
    categories: list[str] = _json()
    outcome: str
    detail: str | None = None
    rules_version: str | None = None
    prev_hash: str | None = None  # the former hash chain (entries written before the tree)
    hash: str | None = Field(default=None, unique=True)
    leaf_hash: str  # hex SHA-256(0x00 || content), RFC 9162
    leaf_index: int | None = Field(default=None, unique=True, index=True)  # by the sequencer
    foreign_operation: str | None = None  # the caller's W3C traceparent, validated


class LogNodeRow(SQLModel, table=True):
    """The hash of every complete subtree of the log's Merkle tree: leaves
    [idx * 2**level, (idx + 1) * 2**level). Enough for any root or proof in O(log n) reads."""

    __tablename__ = "log_node"
    level: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    idx: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    hash: str  # hex


class LogTreeRow(SQLModel, table=True):
    """The tree's head: one row, locked by the sequencer that extends the tree."""

    __tablename__ = "log_tree"
    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    size: int
    root_hash: str  # hex
    updated_at: datetime = _ts()


class LogCheckpointRow(SQLModel, table=True):
    """Signed checkpoints (C2SP format) as the sequencer made them; copies go to witnesses."""

    __tablename__ = "log_checkpoint"
    id: int | None = Field(default=None, primary_key=True)
    tree_size: int = Field(index=True)
    root_hash: str  # hex
    key_id: str  # the log key in the key ring
    note: str  # the signed checkpoint text
    signed_at: datetime = _ts()


class TokenRow(SQLModel, table=True):
    __tablename__ = "api_token"
    id: str = Field(primary_key=True)
    token_hash: str = Field(unique=True, index=True)
    role: str
    partner_id: str | None = None
    team: str | None = None  # for coach tokens
    label: str
    # The person the token belongs to (core/auth.py:person_id_for); NULL: the label names them.
    person_id: str | None = None
    created_at: datetime = _ts()
    revoked_at: datetime | None = _ts(default=None)
    expires_at: datetime | None = _ts(default=None)  # NULL: a token from before expiry


class BsnCollisionRow(SQLModel, table=True):
    """A registration refused because another team holds the BSN: counted per person to stop
    probing which BSNs the hub knows (hub/records/clients.py); kept one day."""

    __tablename__ = "bsn_collision"
    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(index=True)
    at: datetime = _ts(index=True)


class InboundNonceRow(SQLModel, table=True):
    """Nonces of signed partner requests, kept for the signature window to refuse replays."""

    __tablename__ = "inbound_nonce"
    __table_args__ = (UniqueConstraint("partner_id", "nonce"),)
    id: int | None = Field(default=None, primary_key=True)
    partner_id: str
    nonce: str
    seen_at: datetime = _ts(index=True)


# --- Household plan: households, members, goals, items in the plan ---


class HouseholdRow(SQLModel, table=True):
    __tablename__ = "household"
    id: str = Field(primary_key=True)
    team: str = Field(index=True)  # a coach sees only the households of their own team
    created_at: datetime = _ts()
    created_by: str


class HouseholdMemberRow(SQLModel, table=True):
    __tablename__ = "household_member"
    __table_args__ = (UniqueConstraint("household_id", "client_id"),)
    id: str = Field(primary_key=True)
    household_id: str = Field(foreign_key="household.id", index=True)
    client_id: str = Field(foreign_key="client.id", index=True)
    role: str  # parent_with_authority | partner | child | other
    added_at: datetime = _ts()
    added_by: str


class PlanGoalRow(SQLModel, table=True):
    __tablename__ = "plan_goal"
    id: str = Field(primary_key=True)
    household_id: str = Field(foreign_key="household.id", index=True)
    member_id: str = Field(foreign_key="household_member.id")
    domain: str
    text: bytes = _blob()  # encrypted: the goal as the coach wrote it
    created_at: datetime = _ts()
    created_by: str


class PlanItemRow(SQLModel, table=True):
    """An advice item in a household plan: its member and goal, and what it waits for.

    `wait_state`: None (never waited), waiting (not in the outbox), released (queued once
    what it waited for came) or cancelled (never sent; `wait_reason` says why, in Dutch)."""

    __tablename__ = "plan_item"
    __table_args__ = (Index("ix_plan_item_wait", "wait_state", "wait_until"),)
    item_id: str = Field(primary_key=True, foreign_key="advice_item.id")
    household_id: str | None = Field(default=None, index=True)
    member_id: str | None = None
    goal_id: str | None = None
    wait_item_id: str | None = Field(default=None, index=True)
    wait_status: str | None = None
    wait_until: date | None = None
    wait_state: str | None = None
    wait_reason: str | None = None  # Dutch, without personal data
    created_at: datetime = _ts()
    settled_at: datetime | None = _ts(default=None)


# --- Consultation per item (hub/casework/consultation.py) ---------------------------


class ConsultationRow(SQLModel, table=True):
    """One message between coach and partner on an item: a question, an answer, a
    counter-proposal (from the partner) or a report-back (from the coach)."""

    __tablename__ = "consultation_message"
    __table_args__ = (Index("ix_consultation_message_item", "item_id", "created_at"),)
    id: str = Field(primary_key=True)
    item_id: str = Field(foreign_key="advice_item.id")
    partner_id: str
    direction: str  # in: from the partner | out: to the partner
    kind: str  # question | answer | counter_proposal | report_back
    author: str  # the coach's or the partner's actor
    partner_message_id: str | None = None  # in: the partner's id of the status update
    in_reply_to: str | None = None  # the id of the message answered (the other side's id)
    content: bytes = _blob()  # encrypted JSON: text and, for a counter-proposal, the proposal
    proposal_status: str | None = None  # counter-proposals: open | accepted | declined | refused
    resolved_at: datetime | None = _ts(default=None)
    resolved_by: str | None = None
    resolution: str | None = None  # Dutch, no personal data: the policy's reason on a refusal
    new_item_id: str | None = None  # the version an accepted counter-proposal made
    delivery_id: str | None = None  # out: the outbox row that carries it
    created_at: datetime = _ts()


class ItemVersionRow(SQLModel, table=True):
    """A new version of an item made from an accepted counter-proposal; the previous version
    is kept, superseded."""

    __tablename__ = "advice_item_version"
    item_id: str = Field(primary_key=True, foreign_key="advice_item.id")  # the new version
    previous_item_id: str = Field(unique=True, foreign_key="advice_item.id")
    version: int  # 2 for the first new version
    proposal_id: str = Field(foreign_key="consultation_message.id")
    created_at: datetime = _ts()


# --- web UI sessions ----------------------------------------------------------------
# Only hashes of session ids, sign-in link tokens and OIDC `state` values are stored: a copy of
# the database cannot be used to take over a browser session. Names (labels) are sealed.


class WebSessionRow(SQLModel, table=True):
    __tablename__ = "web_session"
    id_hash: str = Field(primary_key=True)  # SHA-256 of the cookie's session id
    user_id: str = Field(index=True)  # stable per person: the author check of approvals
    role: str
    team: str | None = None
    label: bytes = _blob()  # sealed display name
    via: str  # oidc | link | inwoner_code
    created_at: datetime = _ts()
    expires_at: datetime = _ts(index=True)
    ended_at: datetime | None = _ts(default=None)
    # An inwoner's session is bound to one client (whose pages it may open); staff: None.
    client_id: str | None = None


# How long an OIDC login state is valid: the sign-in refuses older ones, retention deletes them.
LOGIN_TTL = timedelta(minutes=10)


class WebLoginRow(SQLModel, table=True):
    """One OIDC authorization request in flight: state (hashed), nonce and PKCE verifier."""

    __tablename__ = "web_login"
    state_hash: str = Field(primary_key=True)
    nonce: str
    code_verifier: bytes = _blob()  # sealed
    return_to: str
    created_at: datetime = _ts(index=True)


class WebSigninLinkRow(SQLModel, table=True):
    """A one-time sign-in link (demo, tests): single use, short-lived, stored hashed."""

    __tablename__ = "web_signin_link"
    token_hash: str = Field(primary_key=True)
    user_id: str
    role: str
    team: str | None = None
    label: bytes = _blob()  # sealed
    created_at: datetime = _ts()
    expires_at: datetime = _ts()
    used_at: datetime | None = _ts(default=None)


class StaffPersonRow(SQLModel, table=True):
    """Who is behind a pseudonymous actor ("coach/df7d2555"): the people who signed in or got
    a token, by their stable person id (core/auth.py:person_id_for), with their name sealed.
    Lets an approver see a colleague's name and a privacy officer look up who acted."""

    __tablename__ = "staff_person"
    person_id: str = Field(primary_key=True)
    name: bytes = _blob()  # sealed display name
    role: str
    team: str | None = None
    first_seen: datetime = _ts()
    last_seen: datetime = _ts()


# --- The inwoner's own pages: one-time codes a coach hands over ------------------------------


class InwonerCodeRow(SQLModel, table=True):
    """A one-time sign-in code for one client (see hub/records/inwoner_codes.py): only a keyed
    hash is stored, it is valid for a short time and can be used once."""

    __tablename__ = "inwoner_code"
    id: str = Field(primary_key=True)
    code_hash: str = Field(unique=True)  # HMAC-SHA256 with the hub's look-up key
    client_id: str = Field(foreign_key="client.id", index=True)
    created_by: str  # the coach's actor
    created_at: datetime = _ts()
    expires_at: datetime = _ts()
    used_at: datetime | None = _ts(default=None)


class InwonerAttemptRow(SQLModel, table=True):
    """A refused sign-in with a code, per source (a hash of the address): the rate limit
    counts these over a short window, in the database so every hub process shares it."""

    __tablename__ = "inwoner_attempt"
    __table_args__ = (Index("ix_inwoner_attempt_source_at", "source_hash", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    source_hash: str
    at: datetime = _ts()


# --- Deadlines and escalation (milestones per item, the escalation ladder) ---


class MilestoneRow(SQLModel, table=True):
    """One milestone of one delivered item and its deadline (see hub/casework/milestones.py).

    Written once, when the advice is delivered: the due day is counted then, in working days
    where the rule says so, from the item's threats. A partner status that meets the milestone
    sets `met_at`; one after which it can no longer be met (rejected, stopped, withdrawn)
    closes it. Only `open` rows past their due day are escalated.
    """

    __tablename__ = "item_milestone"
    __table_args__ = (
        UniqueConstraint("item_id", "milestone"),
        # The escalation job's look-up: open milestones whose due day has passed.
        Index("ix_item_milestone_state_due", "state", "due_on"),
        # The chain report: per partner and advice type, by delivery date.
        Index("ix_item_milestone_partner", "partner_id", "advice_type", "started_on"),
    )
    id: int | None = Field(default=None, primary_key=True)
    item_id: str = Field(foreign_key="advice_item.id", index=True)
    delivery_id: str  # the advice delivery that started the clock
    partner_id: str
    advice_type: str
    milestone: str  # schemas.status.Milestone
    days: int  # the rule applied: `days` working or calendar days
    working_days: bool
    urgent: bool  # the urgent rule applied (the item named a threat)
    started_at: datetime = _ts()  # when the advice was delivered
    started_on: date  # that day in the Netherlands
    due_on: date  # the last day that is in time (Dutch calendar)
    state: str  # open | met | closed
    met_at: datetime | None = _ts(default=None)  # the partner's occurred_at
    met_status: str | None = None  # the partner status that met it
    closed_at: datetime | None = _ts(default=None)
    closed_reason: str | None = None  # rejected | stopped | withdrawn


class EscalationStepRow(SQLModel, table=True):
    """One rung of the escalation ladder, fired for one late milestone of one item.

    The unique (item, milestone, step) makes the ladder idempotent: a second run, or a second
    hub process, cannot fire a step twice. Rows with step `team_leader` are the team leader's
    notices (per team); `steering_report` rows are the steering group's list.
    """

    __tablename__ = "escalation_step"
    __table_args__ = (
        UniqueConstraint("item_id", "milestone", "step"),
        Index("ix_escalation_step_team", "step", "team", "fired_at"),
        Index("ix_escalation_step_partner", "partner_id", "advice_type", "fired_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    item_id: str = Field(foreign_key="advice_item.id", index=True)
    delivery_id: str  # the advice delivery whose milestone is late
    partner_id: str
    advice_type: str
    milestone: str
    step: str  # buddy_reminder | contact_manager | team_leader | steering_report
    team: str  # the coach's team (whose team leader gets the notice)
    due_on: date  # the missed due day
    fired_at: datetime = _ts()
    message_delivery_id: str | None = None  # the outbox row, for steps sent to the partner
    read_at: datetime | None = _ts(default=None)  # a team leader marked the notice as read
    read_by: str | None = None


# --- Reliability: one change per request, however often it is sent ---


class IdempotencyRow(SQLModel, table=True):
    """A creating request made once: the caller's key, what was asked and what was answered.

    The row is inserted in the same transaction as the change it guards, so the change and
    the key commit together or not at all; the unique (caller, key) lets only one of two
    concurrent duplicates commit. The answer is added right after (`answered_at`); a row
    without one is a request still in flight. The answer may hold personal data: sealed.
    """

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("caller", "key"),)
    id: str = Field(primary_key=True)
    caller: str  # role and token or session user: keys are the caller's own
    key: str  # the Idempotency-Key header, or a web form's submit token
    request_hash: str  # SHA-256 of method, path, caller and body
    created_at: datetime = _ts(index=True)
    status: int | None = None
    response: bytes | None = _blob(nullable=True)  # sealed answer body
    content_type: str | None = None  # or, for a web form, the redirect's location
    answered_at: datetime | None = _ts(default=None)


class HealthProbeRow(SQLModel, table=True):
    """One row, rewritten by every readiness check: the proof that the database can still
    commit a write (a full disk or a read-only database reads fine)."""

    __tablename__ = "health_probe"
    id: int = Field(primary_key=True)
    checked_at: datetime = _ts()


class CacheVersionRow(SQLModel, table=True):
    """A version number per cached thing (`consent:<client id>`, `token`), bumped by database
    triggers in the very transaction of any change to those rows (migration 0016): a process
    that cached them compares one indexed read with the version it cached under."""

    __tablename__ = "cache_version"
    key: str = Field(primary_key=True)
    version: int = Field(sa_column=Column(BigInteger, nullable=False))


# Table handles for SQLAlchemy Core statements: the one place each is defined.
CLIENT = ClientRow.__table__  # type: ignore[attr-defined]
CONSENT = ConsentRow.__table__  # type: ignore[attr-defined]
ADVICE = AdviceRow.__table__  # type: ignore[attr-defined]
ITEM = ItemRow.__table__  # type: ignore[attr-defined]
APPROVAL = ApprovalRow.__table__  # type: ignore[attr-defined]
DELIVERY = DeliveryRow.__table__  # type: ignore[attr-defined]
ATTEMPT = DeliveryAttemptRow.__table__  # type: ignore[attr-defined]
STATUS = StatusUpdateRow.__table__  # type: ignore[attr-defined]
LOG = ProcessingLogRow.__table__  # type: ignore[attr-defined]
LOG_NODE = LogNodeRow.__table__  # type: ignore[attr-defined]
LOG_TREE = LogTreeRow.__table__  # type: ignore[attr-defined]
LOG_CHECKPOINT = LogCheckpointRow.__table__  # type: ignore[attr-defined]
TOKEN = TokenRow.__table__  # type: ignore[attr-defined]
NONCE = InboundNonceRow.__table__  # type: ignore[attr-defined]
COLLISION = BsnCollisionRow.__table__  # type: ignore[attr-defined]
HOUSEHOLD = HouseholdRow.__table__  # type: ignore[attr-defined]
MEMBER = HouseholdMemberRow.__table__  # type: ignore[attr-defined]
GOAL = PlanGoalRow.__table__  # type: ignore[attr-defined]
PLAN_ITEM = PlanItemRow.__table__  # type: ignore[attr-defined]
CONSULT = ConsultationRow.__table__  # type: ignore[attr-defined]
VERSION = ItemVersionRow.__table__  # type: ignore[attr-defined]
SESSION = WebSessionRow.__table__  # type: ignore[attr-defined]
LOGIN = WebLoginRow.__table__  # type: ignore[attr-defined]
LINK = WebSigninLinkRow.__table__  # type: ignore[attr-defined]
MILESTONE = MilestoneRow.__table__  # type: ignore[attr-defined]
STEP = EscalationStepRow.__table__  # type: ignore[attr-defined]
INWONER_CODE = InwonerCodeRow.__table__  # type: ignore[attr-defined]
INWONER_ATTEMPT = InwonerAttemptRow.__table__  # type: ignore[attr-defined]
IDEMPOTENCY = IdempotencyRow.__table__  # type: ignore[attr-defined]
HEALTH_PROBE = HealthProbeRow.__table__  # type: ignore[attr-defined]
STAFF = StaffPersonRow.__table__  # type: ignore[attr-defined]
CACHE_VERSION = CacheVersionRow.__table__  # type: ignore[attr-defined]
