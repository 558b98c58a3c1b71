"""Fictional test people and helpers to build contract objects. BSNs are from the range for
fictional people (999900006–999999990); names and addresses are made up."""

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from wijkhub.schemas.advice import Threat, Urgency
from wijkhub.schemas.categories import DataCategory, LegalBasis
from wijkhub.schemas.client import ClientIn
from wijkhub.schemas.client_view import CATEGORY_FIELDS, ClientView
from wijkhub.schemas.consent import Consent, ConsentStatus
from wijkhub.schemas.consultation import ConsultationKind, PartnerConsultation
from wijkhub.schemas.outbound import OutboundAdvice, WithdrawalNotice

FICTIONAL_BSN = "999990019"
FICTIONAL_BSN_2 = "999990020"
INVALID_BSN = "999990018"  # fails the elfproef: for negative tests


def client_in(bsn: str = FICTIONAL_BSN) -> ClientIn:
    return ClientIn.model_validate(
        {
            "bsn": bsn,
            "given_names": "Fenna Maria",
            "family_name": "Testervelde",
            "birth_date": "1987-03-14",
            "gender": "female",
            "address": {
                "street": "Proefstraat",
                "house_number": 12,
                "postcode": "7511 AB",
                "city": "Enschede",
            },
            "phone": "06-12345678",
            "email": "fenna@voorbeeld.test",
            "household": [
                {"given_name": "Daan", "birth_date": "2012-06-01", "role": "child"},
                {
                    "given_name": "Joris",
                    "family_name": "Testervelde",
                    "birth_date": "1985-01-20",
                    "role": "parent_with_authority",
                },
            ],
            "housing": {
                "tenure": "social_rent",
                "landlord": "De Woonplaats",
                "rent_arrears_cents": 184500,
                "eviction_date": "2026-12-15",
            },
            "finance": {
                "income_source": "benefit",
                "monthly_income_cents": 145000,
                "debt_total_cents": 1250000,
                "creditor_count": 7,
            },
            "health": {
                "summary": "Chronische rugklachten; beperkt mobiel.",
                "wmo_indication": True,
            },
            "youth_protection": {
                "measure": "ots",
                "measure_since": "2025-09-01",
                "case_reference": "GI-2025-0042",
            },
        }
    )


def client_view(categories: set[DataCategory], subject_ref: str = "0" * 32) -> ClientView:
    """A view holding exactly the fields of `categories`, filled from the test client."""
    full = client_in().model_dump()
    data: dict[str, object] = {"subject_ref": subject_ref, "categories": sorted(categories)}
    for cat in categories:
        for name in CATEGORY_FIELDS[cat]:
            data[name] = full[name]
    return ClientView.model_validate(data)


def outbound(
    advice_type: str,
    categories: set[DataCategory],
    *,
    partner_id: str = "partner-test",
    parameters: dict | None = None,
    threats: list[Threat] | None = None,
    motivation: str | None = "Gezin heeft huurachterstand en dreigende ontruiming.",
    legal_basis: LegalBasis = LegalBasis.consent,
    item_ref: UUID | None = None,
) -> OutboundAdvice:
    return OutboundAdvice(
        item_ref=item_ref or uuid4(),
        item_number=42,
        advice_type=advice_type,
        partner_id=partner_id,
        sender="0153",
        created_at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        deadline=date(2026, 11, 25),
        urgency=Urgency.high,
        requested_date=date(2026, 12, 1),
        threats=threats or [],
        motivation=motivation,
        parameters=parameters or {},
        legal_basis=legal_basis,
        categories=sorted(categories),
        client=client_view(categories),
    )


def withdrawal(item_ref: UUID | None = None) -> WithdrawalNotice:
    return WithdrawalNotice(
        item_ref=item_ref or uuid4(),
        item_number=42,
        partner_id="partner-test",
        sender="0153",
        subject_ref="0" * 32,
        withdrawn_at=datetime(2026, 11, 21, 10, 0, tzinfo=UTC),
        reason="Cliënt heeft toestemming ingetrokken.",
    )


def consent(
    categories: set[DataCategory],
    *,
    partner: str = "p1",
    purposes: tuple[str, ...] = ("doel",),
    explicit: bool = False,
    status: ConsentStatus = ConsentStatus.active,
    valid_from: date = date(2026, 11, 22),
    valid_until: date | None = None,
) -> Consent:
    """A consent record as the policy sees it; active since the day before 23 November 2026."""
    return Consent(
        id=uuid4(),
        client_id=uuid4(),
        partner_id=partner,
        purposes=list(purposes),
        categories=sorted(categories),
        explicit=explicit,
        valid_from=valid_from,
        valid_until=valid_until,
        evidence_ref="sha256:" + "0" * 64,
        status=status,
        recorded_by="coach/test",
        recorded_at=datetime(2026, 11, 1, tzinfo=UTC),
        withdrawn_at=datetime(2026, 11, 20, tzinfo=UTC)
        if status is ConsentStatus.withdrawn
        else None,
    )


def consultation(kind: str, text: str, **kw: Any) -> PartnerConsultation:
    return PartnerConsultation(kind=ConsultationKind(kind), text=text, **kw)
