"""Response bodies of the HTTP API that are not contract objects themselves."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from wijkhub.schemas.common import Contract
from wijkhub.schemas.status import DeliveryStatus


class IntakeResult(Contract):
    """A partner's status message: how many updates were new, how many seen before."""

    accepted: int
    duplicates: int
    # The format's retour on this message (iWmo 3.2: a WMO306 or WMO308), as XML text; left
    # out for formats without retour messages.
    retour: str | None = Field(None, exclude_if=lambda v: v is None)


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


class Receipt(Contract):
    """Proof that an entry is in the processing log (docs/processing-log.md, "Receipts")."""

    format: str  # wijkhub-receipt/v1
    origin: str
    leaf_index: int
    leaf: str  # the entry's canonical JSON: its leaf hash is SHA-256(0x00 || leaf)
    leaf_hash: str
    tree_size: int
    inclusion_proof: list[str]  # base64, RFC 9162 section 2.1.3
    checkpoint: str  # the signed checkpoint (C2SP) the proof leads to


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
    prev_hash: str | None  # the former hash chain: only entries written before the tree
    hash: str | None
    leaf_hash: str  # RFC 9162 leaf hash (hex) of the entry's content
    leaf_index: int | None  # its place in the tree; None until the sequencer ran
    foreign_operation: str | None = None  # the caller's W3C traceparent, when it sent one
