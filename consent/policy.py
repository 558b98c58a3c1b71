"""The privacy policy: for one advice item, which legal basis applies and which data may go.

Pure and synchronous: the same function decides at submission, again just before delivery
(consent may have been withdrawn since), and in a dry run. Every refusal carries a machine
code and a Dutch reason a coach can act on.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from wijkhub.consent.rules import PrivacyRules
from wijkhub.hub.plugin_api.types import AdviceType
from wijkhub.schemas.advice import Decision
from wijkhub.schemas.categories import (
    LEGAL_BASIS_LABELS_NL,
    DataCategory,
    LegalBasis,
    labels_nl,
)
from wijkhub.schemas.common import local_date
from wijkhub.schemas.consent import Consent, ConsentStatus


@dataclass(frozen=True)
class ItemFacts:
    """What the policy needs to know of an item: for whom, to whom, what for."""

    partner_id: str
    partner_name: str
    partner_type: str
    advice_type: AdviceType


def _fmt(d: date) -> str:
    return d.strftime("%d-%m-%Y")


def decide(
    facts: ItemFacts, rules: PrivacyRules, consents: Sequence[Consent], today: date
) -> Decision:
    at = facts.advice_type
    name = facts.partner_name

    def refuse(code: str, reason: str) -> Decision:
        return Decision(allowed=False, code=code, reason=reason, rules_version=rules.version)

    prules = rules.for_type(facts.partner_type)
    if prules is None:
        return refuse(
            "no_rules",
            f"Voor partnertype '{facts.partner_type}' zijn geen privacyregels vastgesteld. "
            "Neem contact op met de beheerder.",
        )
    if DataCategory.bsn in at.required_categories and not prules.bsn_allowed:
        return refuse(
            "bsn_not_permitted",
            f"{name} mag geen BSN verwerken, maar '{at.title_nl}' vraagt erom. "
            "Kies een ander adviestype of een andere partner.",
        )
    forbidden = at.required_categories - prules.permitted_categories
    if forbidden:
        return refuse(
            "category_not_permitted",
            f"De privacyregels (versie {rules.version}) staan niet toe dat {name} "
            f"{labels_nl(forbidden)} ontvangt, en '{at.title_nl}' heeft die gegevens nodig.",
        )
    wanted_optional = (at.optional_categories | {at.motivation_category}) - at.required_categories
    permitted_optional = set(wanted_optional & prules.permitted_categories)
    if not prules.bsn_allowed:
        permitted_optional.discard(DataCategory.bsn)

    basis = prules.legal_bases[0]
    if basis is not LegalBasis.consent:
        return Decision(
            allowed=True,
            code="allowed",
            reason=f"Toegestaan op grond van {LEGAL_BASIS_LABELS_NL[basis]}: "
            f"{prules.basis_reference}.",
            legal_basis=basis,
            categories=sorted(at.required_categories | permitted_optional),
            rules_version=rules.version,
        )

    mine = [c for c in consents if c.partner_id == facts.partner_id]
    if not mine:
        return refuse(
            "no_consent",
            f"Er is geen toestemming van de cliënt vastgelegd voor het delen van gegevens met "
            f"{name}. Leg eerst de toestemming vast.",
        )
    active = [c for c in mine if c.status is ConsentStatus.active]
    if not active:
        last = max(mine, key=lambda c: c.withdrawn_at or c.recorded_at)
        if last.status is ConsentStatus.expired:
            # Ended by the expiry job: the same effect as withdrawal, but say what happened.
            end = last.valid_until
            return refuse(
                "consent_expired",
                f"De toestemming voor {name} is verlopen"
                + (f" op {_fmt(end)}" if end else "")
                + ". Vraag de cliënt om nieuwe toestemming.",
            )
        when = _fmt(local_date(last.withdrawn_at)) if last.withdrawn_at else "onbekend"
        return refuse(
            "consent_withdrawn",
            f"De cliënt heeft de toestemming voor {name} ingetrokken ({when}). "
            "Er worden geen gegevens gedeeld.",
        )
    current = [
        c
        for c in active
        if c.valid_from <= today and (c.valid_until is None or today <= c.valid_until)
    ]
    if not current:
        future = [c for c in active if c.valid_from > today]
        if future:
            start = min(c.valid_from for c in future)
            return refuse(
                "consent_not_yet_valid",
                f"De toestemming voor {name} geldt pas vanaf {_fmt(start)}.",
            )
        end = max(c.valid_until for c in active if c.valid_until is not None)
        return refuse(
            "consent_expired",
            f"De toestemming voor {name} is verlopen op {_fmt(end)}. "
            "Vraag de cliënt om nieuwe toestemming.",
        )
    for_purpose = [c for c in current if at.name in c.purposes]
    if not for_purpose:
        return refuse(
            "consent_purpose_mismatch",
            f"De toestemming voor {name} geldt niet voor het doel '{at.title_nl}'. "
            "Vraag de cliënt om toestemming voor dit doel.",
        )

    special = rules.explicit_consent_required_for

    def covered(c: Consent) -> set[DataCategory]:
        cats = set(c.categories)
        return cats if c.explicit else cats - special

    best: Consent | None = None
    best_key: tuple[int, object] | None = None
    for c in for_purpose:
        if at.required_categories <= covered(c):
            key = (len(permitted_optional & covered(c)), c.recorded_at)
            if best_key is None or key > best_key:
                best, best_key = c, key
    if best is None:
        # Name what is missing from the consent that comes closest, so the coach can fix it.
        closest = max(for_purpose, key=lambda c: len(at.required_categories & covered(c)))
        missing = at.required_categories - set(closest.categories)
        if missing:
            return refuse(
                "consent_categories_missing",
                f"De toestemming voor {name} dekt niet: {labels_nl(missing)}. Vraag de cliënt "
                "om toestemming voor deze gegevens.",
            )
        unexplicit = at.required_categories & special
        return refuse(
            "explicit_consent_required",
            f"Voor {labels_nl(unexplicit)} is uitdrukkelijke toestemming nodig (AVG art. 9). "
            "Leg vast dat de cliënt hier uitdrukkelijk mee instemde.",
        )
    sent = at.required_categories | (permitted_optional & covered(best))
    return Decision(
        allowed=True,
        code="allowed",
        reason="Toegestaan op grond van toestemming, vastgelegd op "
        f"{_fmt(local_date(best.recorded_at))}.",
        legal_basis=LegalBasis.consent,
        categories=sorted(sent),
        consent_id=best.id,
        rules_version=rules.version,
    )
