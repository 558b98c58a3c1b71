"""The policy again, just before data leaves: consent may have been withdrawn or may have
expired since the item was decided. Used by the push worker and the pull inbox alike."""

from dataclasses import dataclass
from typing import Any

from wijkhub.consent.members import MemberConsents, decide_for_member
from wijkhub.consent.policy import ItemFacts, decide
from wijkhub.hub.core.clock import local_date
from wijkhub.hub.core.context import HubContext
from wijkhub.schemas.consent import Consent
from wijkhub.schemas.status import DeliveryStatus

# Refusal codes that mean "the client took consent back" rather than "policy says no".
WITHDRAWN_CODES = frozenset(
    {"consent_withdrawn", "consent_expired", "no_consent", "parent_consent_missing"}
)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    status: DeliveryStatus | None = None  # what the delivery becomes when not allowed
    reason: str | None = None


def recheck(
    ctx: HubContext,
    item: Any,
    kind: str,
    consents: list[Consent],
    member: MemberConsents | None = None,
) -> Verdict:
    """`item` is an advice_item row. Withdrawal notices always go: they carry no data; a
    consultation message (free text about the client) is checked like its advice.
    `member`: for an item about a household member, that member's consents and (for a
    child) the parents' (see hub/records/households.py `for_item`)."""
    if kind == "withdrawal":
        return Verdict(True)
    partner = ctx.partners.get(item.partner_id)
    ptype = ctx.registry.get(partner.type) if partner else None
    atype = ptype.advice_type(item.advice_type) if ptype else None
    if partner is None or atype is None:
        return Verdict(
            False,
            DeliveryStatus.dead,
            f"partner {item.partner_id} of adviestype {item.advice_type} is niet "
            "meer geconfigureerd",
        )
    facts = ItemFacts(partner.id, partner.name, partner.type, atype)
    today = local_date(ctx.clock.now())
    d = (
        decide_for_member(facts, ctx.rules, member, today)
        if member is not None
        else decide(facts, ctx.rules, consents, today)
    )
    if not d.allowed:
        status = DeliveryStatus.withdrawn if d.code in WITHDRAWN_CODES else DeliveryStatus.blocked
        return Verdict(False, status, d.reason)
    if not set(item.categories) <= {c.value for c in d.categories}:
        return Verdict(
            False,
            DeliveryStatus.withdrawn,
            "De toestemming dekt niet meer alle gegevens van dit verzoek.",
        )
    return Verdict(True)
