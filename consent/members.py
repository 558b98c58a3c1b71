"""Consent per household member: the policy applied to the person an item is about.

Pure, like `policy.decide`, which it calls: the caller passes the member's own consents and,
for a child, those of the parents with authority. A member who refused blocks only the items
about that member. Refusal reasons say whose consent is missing by `label`: the caller
chooses what that is (the API shows the coach the name; the store keeps a placeholder, see
hub/records/households.py). Routes that need no consent (a statutory task) need no parent either.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from wijkhub.consent.policy import ItemFacts, decide
from wijkhub.consent.rules import PrivacyRules
from wijkhub.schemas.advice import Decision
from wijkhub.schemas.categories import LegalBasis
from wijkhub.schemas.consent import Consent

# Refusals that are about the person's consent (not about the rules or the partner).
CONSENT_CODES = frozenset(
    {
        "no_consent",
        "consent_withdrawn",
        "consent_expired",
        "consent_not_yet_valid",
        "consent_purpose_mismatch",
        "consent_categories_missing",
        "explicit_consent_required",
    }
)


@dataclass(frozen=True)
class Person:
    label: str  # how a refusal names this person
    consents: Sequence[Consent] = ()


@dataclass(frozen=True)
class MemberConsents:
    member: Person
    is_child: bool = False
    parents: Sequence[Person] = field(default_factory=tuple)  # parents with authority


def decide_for_member(
    facts: ItemFacts, rules: PrivacyRules, who: MemberConsents, today: date
) -> Decision:
    own = decide(facts, rules, who.member.consents, today)
    if not own.allowed:
        if own.code in CONSENT_CODES:
            return own.model_copy(
                update={"reason": f"Toestemming ontbreekt van {who.member.label}: {own.reason}"}
            )
        return own
    if own.legal_basis is not LegalBasis.consent or not who.is_child:
        return own

    def refuse(reason: str) -> Decision:
        return Decision(
            allowed=False,
            code="parent_consent_missing",
            reason=reason,
            rules_version=own.rules_version,
        )

    if not who.parents:
        return refuse(
            "Toestemming ontbreekt van ouder met gezag: in het huishouden is geen ouder met "
            "gezag vastgelegd. Voeg de ouder(s) met gezag toe en leg hun toestemming vast."
        )
    verdicts = [(p, decide(facts, rules, p.consents, today)) for p in who.parents]
    given = [(p, d) for p, d in verdicts if d.allowed]
    missing = [p for p, d in verdicts if not d.allowed]
    if (rules.parental_consent == "all" and missing) or not given:
        names = ", ".join(p.label for p in missing)
        return refuse(
            f"Toestemming ontbreekt van ouder met gezag: {names}. "
            + (
                "Beide ouders met gezag moeten instemmen."
                if rules.parental_consent == "all" and len(who.parents) > 1
                else "Leg de toestemming van de ouder met gezag vast."
            )
        )
    # Only what the child's consent and the parents' consent both cover goes.
    covered = [set(d.categories) for _, d in given]
    by_parents = (
        set.intersection(*covered) if rules.parental_consent == "all" else set.union(*covered)
    )
    return own.model_copy(
        update={
            "categories": sorted(set(own.categories) & by_parents),
            "reason": own.reason
            + " Met toestemming van ouder met gezag: "
            + ", ".join(p.label for p, _ in given)
            + ".",
        }
    )
