"""Data categories and legal bases: the vocabulary of every privacy decision."""

from enum import StrEnum

from wijkhub.hub.i18n import gettext


class DataCategory(StrEnum):
    """A kind of personal data. Each maps to one part of the client record (see `client_view`)."""

    identification = "identification"
    bsn = "bsn"
    contact = "contact"
    household = "household"
    housing = "housing"
    finance = "finance"
    health = "health"
    youth_protection = "youth_protection"
    free_text = "free_text"


# AVG art. 9: these need explicit consent (or another art. 9 exception, configured as a basis).
SPECIAL_CATEGORIES: frozenset[DataCategory] = frozenset({DataCategory.health})

CATEGORY_LABELS_NL: dict[DataCategory, str] = {
    DataCategory.identification: gettext("identification data"),
    DataCategory.bsn: gettext("BSN"),
    DataCategory.contact: gettext("contact details"),
    DataCategory.household: gettext("composition of the household"),
    DataCategory.housing: gettext("housing situation"),
    DataCategory.finance: gettext("financial situation"),
    DataCategory.health: gettext("health (data category)"),
    DataCategory.youth_protection: gettext("youth protection (data category)"),
    DataCategory.free_text: gettext("free text (motivation)"),
}


class LegalBasis(StrEnum):
    """AVG art. 6 grounds the hub can record for a disclosure."""

    consent = "consent"
    statutory_task = "statutory_task"
    legal_obligation = "legal_obligation"
    vital_interest = "vital_interest"


LEGAL_BASIS_LABELS_NL: dict[LegalBasis, str] = {
    LegalBasis.consent: gettext("consent (legal basis)"),
    LegalBasis.statutory_task: gettext("statutory task"),
    LegalBasis.legal_obligation: gettext("legal obligation"),
    LegalBasis.vital_interest: gettext("vital interest"),
}


def labels_nl(
    categories: "set[DataCategory] | frozenset[DataCategory] | list[DataCategory]",
) -> str:
    """'gezondheid en BSN' — a stable, readable Dutch enumeration for refusal messages."""
    names = [CATEGORY_LABELS_NL[c] for c in sorted(categories)]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " en " + names[-1]
