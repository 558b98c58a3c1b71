"""Response bodies of the HTTP API that are not contract objects themselves."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from wijkhub.schemas.common import Contract
from wijkhub.schemas.status import DeliveryStatus


class IntakeResult(Contract):
    """A partner's status message: how many updates were new, how many seen before."""

    accepted: int
    duplicates: int


class AckResult(Contract):
    status: DeliveryStatus


class InboxMessage(Contract):
    """One message waiting for a pull partner; the payload is in the partner's own format."""

    delivery_id: str
    item_ref: str
    kind: Literal["advice", "withdrawal", "consultation"]
    idempotency_key: str
    content_type: str
    created_at: datetime
    payload_base64: str


class LogEntryOut(Contract):
    """A processing-log entry (see docs/processing-log.md for the mapping to the standard)."""

    seq: int
    trace_id: str
    span_id: str
    parent_span_id: str | None
    name: str
    start_time: datetime
    end_time: datetime
    status_code: int
    actor: str
    data_subject_id: UUID | None
    partner_id: str | None
    purpose: str | None
    legal_basis: str | None
    categories: list[str]
    outcome: str
    detail: str | None
    rules_version: str | None
    prev_hash: str
    hash: str
    foreign_operation: str | None = None  # the caller's W3C traceparent, when it sent one
