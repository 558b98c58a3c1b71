"""Step 2, decide: how a policy decision (`consent.policy`) is stored and logged."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from wijkhub.consent.policy import ItemFacts
from wijkhub.hub.core.processing_log import STATUS_OK, LogEntry
from wijkhub.hub.steps.validate import PreparedItem
from wijkhub.schemas.advice import (
    Decision,
)
from wijkhub.schemas.client import Client


def decision_columns(d: Decision) -> dict[str, Any]:
    """How a policy decision is stored on its advice_item row."""
    return {
        "allowed": d.allowed,
        "decision_code": d.code,
        "decision_reason": d.reason,
        "legal_basis": d.legal_basis.value if d.legal_basis else None,
        "categories": [c.value for c in d.categories],
        "consent_id": d.consent_id.hex if d.consent_id else None,
        "rules_version": d.rules_version,
    }


def decision_log(
    d: Decision,
    p: PreparedItem,
    *,
    actor: str,
    trace_id: str,
    subject: str,
    parent_span_id: str | None = None,
) -> LogEntry:
    """The processing-log entry of one policy decision (submit, release, a new version)."""
    return LogEntry(
        name="advice_item.decide",
        actor=actor,
        trace_id=trace_id,
        parent_span_id=parent_span_id,
        status_code=STATUS_OK,
        outcome="allowed" if d.allowed else "refused",
        detail=d.code,
        data_subject_id=subject,
        partner_id=p.partner.id,
        purpose=p.atype.name,
        legal_basis=d.legal_basis.value if d.legal_basis else None,
        categories=[c.value for c in d.categories],
        rules_version=d.rules_version,
    )


def facts(p: PreparedItem) -> ItemFacts:
    return ItemFacts(p.partner.id, p.partner.name, p.partner.type, p.atype)


@dataclass
class Planned:
    """One validated item with its policy decision, before anything is stored."""

    prepared: PreparedItem
    decision: Decision
    deadline: date | None
    needs_approval: str | None  # the role that must approve first, or None
    client: Client  # whom the item is about: the advice's client or a household member
