"""A client's consents as FHIR `Consent` resources (R4 via fhir.resources.R4B, whose Consent
has exactly R4's fields, and R5), in a `collection` Bundle.

The client appears only as the hub's pseudonymous id (`Patient` reference by identifier),
never the BSN; partners are `Organization`s by their hub id; the municipality (custodian)
by its CBS code. Who gave consent, when not the client, is a `RelatedPerson` without a name:
that free text stays in the hub. Wijkhub's own vocabularies (data categories, advice types)
use code systems under `https://wijkhub.example/fhir/`; replace the base when publishing.
"""

from typing import Any, Literal

from fhir.resources.bundle import Bundle as BundleR5
from fhir.resources.consent import Consent as ConsentR5
from fhir.resources.R4B.bundle import Bundle as BundleR4
from fhir.resources.R4B.consent import Consent as ConsentR4

from wijkhub.hub.core import read_log
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import not_found
from wijkhub.hub.records import clients
from wijkhub.hub.records import consents as registry
from wijkhub.schemas.categories import CATEGORY_LABELS_NL, DataCategory
from wijkhub.schemas.consent import Consent, ConsentStatus

FhirVersion = Literal["R4", "R5"]
BASE = "https://wijkhub.example/fhir"
CLIENT_ID_SYSTEM = f"{BASE}/sid/client-id"
CONSENT_ID_SYSTEM = f"{BASE}/sid/consent-id"
PARTNER_ID_SYSTEM = f"{BASE}/sid/partner-id"
EVIDENCE_SYSTEM = f"{BASE}/sid/consent-evidence"
CATEGORY_SYSTEM = f"{BASE}/CodeSystem/data-category"
PURPOSE_SYSTEM = f"{BASE}/CodeSystem/advice-type"
LOINC_CONSENT = {"system": "http://loinc.org", "code": "59284-0", "display": "Patient Consent"}
SCOPE_PRIVACY = {
    "system": "http://terminology.hl7.org/CodeSystem/consentscope",
    "code": "patient-privacy",
    "display": "Privacy Consent",
}
OPTIN = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
    "code": "OPTIN",
    "display": "opt-in",
}
IRCP = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
    "code": "IRCP",
    "display": "information recipient",
}
DISCLOSE = {
    "system": "http://terminology.hl7.org/CodeSystem/consentaction",
    "code": "disclose",
    "display": "Disclose",
}


def _patient(c: Consent) -> dict[str, Any]:
    return {
        "type": "Patient",
        "identifier": {"system": CLIENT_ID_SYSTEM, "value": str(c.client_id)},
    }


def _performer(c: Consent) -> dict[str, Any]:
    if c.given_by == "client":
        return _patient(c)
    return {"type": "RelatedPerson", "display": "vertegenwoordiger van de cliënt"}


def _municipality(ctx: HubContext) -> dict[str, Any]:
    return {
        "type": "Organization",
        "identifier": {"system": f"{BASE}/sid/cbs-gemeentecode", "value": ctx.settings.sender_code},
        "display": f"Gemeente (CBS-code {ctx.settings.sender_code})",
    }


def _partner(ctx: HubContext, partner_id: str) -> dict[str, Any]:
    partner = ctx.partners.get(partner_id)
    return {
        "reference": f"Organization/{partner_id}",
        "identifier": {"system": PARTNER_ID_SYSTEM, "value": partner_id},
        "display": partner.name if partner else partner_id,
    }


def _evidence(c: Consent) -> dict[str, Any]:
    return {
        "type": "DocumentReference",
        "identifier": {"system": EVIDENCE_SYSTEM, "value": c.evidence_ref},
    }


def _purposes(ctx: HubContext, c: Consent) -> list[dict[str, Any]]:
    partner = ctx.partners.get(c.partner_id)
    ptype = ctx.registry.get(partner.type) if partner else None
    out = []
    for p in c.purposes:
        at = ptype.advice_type(p) if ptype else None
        out.append({"system": PURPOSE_SYSTEM, "code": p, "display": at.title_nl if at else p})
    return out


def _data_codes(c: Consent) -> list[dict[str, Any]]:
    return [
        {
            "coding": [
                {
                    "system": CATEGORY_SYSTEM,
                    "code": cat.value,
                    "display": CATEGORY_LABELS_NL[DataCategory(cat)],
                }
            ]
        }
        for cat in c.categories
    ]


def _basis_text(c: Consent) -> str:
    text = "AVG art. 6 lid 1 sub a (toestemming)"
    if c.explicit:
        text += "; AVG art. 9 lid 2 sub a (uitdrukkelijke toestemming)"
    return text


def _period(c: Consent) -> dict[str, str]:
    period = {"start": c.valid_from.isoformat()}
    if c.valid_until:
        period["end"] = c.valid_until.isoformat()
    return period


def _status(c: Consent) -> str:
    return "active" if c.status is ConsentStatus.active else "inactive"


def consent_r4(ctx: HubContext, c: Consent) -> ConsentR4:
    return ConsentR4.model_validate(
        {
            "resourceType": "Consent",
            "id": c.id.hex,
            "identifier": [{"system": CONSENT_ID_SYSTEM, "value": str(c.id)}],
            "status": _status(c),
            "scope": {"coding": [SCOPE_PRIVACY]},
            "category": [{"coding": [LOINC_CONSENT]}],
            "patient": _patient(c),
            "dateTime": c.recorded_at.isoformat(),
            "performer": [_performer(c)],
            "organization": [_municipality(ctx)],
            "sourceReference": _evidence(c),
            "policyRule": {"coding": [OPTIN], "text": _basis_text(c)},
            "provision": {
                "type": "permit",
                "period": _period(c),
                "actor": [{"role": {"coding": [IRCP]}, "reference": _partner(ctx, c.partner_id)}],
                "action": [{"coding": [DISCLOSE]}],
                "purpose": _purposes(ctx, c),
                "code": _data_codes(c),
            },
        }
    )


def consent_r5(ctx: HubContext, c: Consent) -> ConsentR5:
    return ConsentR5.model_validate(
        {
            "resourceType": "Consent",
            "id": c.id.hex,
            "identifier": [{"system": CONSENT_ID_SYSTEM, "value": str(c.id)}],
            "status": _status(c),
            "category": [{"coding": [LOINC_CONSENT]}],
            "subject": _patient(c),
            "date": c.recorded_at.date().isoformat(),
            "period": _period(c),
            "grantor": [_performer(c)],
            "grantee": [_partner(ctx, c.partner_id)],
            "controller": [_municipality(ctx)],
            "sourceReference": [_evidence(c)],
            "regulatoryBasis": [{"text": _basis_text(c)}],
            "decision": "permit",
            "provision": [
                {
                    "actor": [
                        {"role": {"coding": [IRCP]}, "reference": _partner(ctx, c.partner_id)}
                    ],
                    "action": [{"coding": [DISCLOSE]}],
                    "purpose": _purposes(ctx, c),
                    "code": _data_codes(c),
                }
            ],
        }
    )


async def export(
    ctx: HubContext, client_id: str, reader: read_log.Reader, version: FhirVersion = "R4"
) -> dict[str, Any]:
    """The client's consents as a FHIR `collection` Bundle (a JSON-ready dict)."""

    async with ctx.db.write() as conn:
        if not await clients.in_scope(conn, client_id, None):
            raise not_found("Cliënt")
        consents = sorted(
            await registry.for_clients(conn, ctx, [client_id]), key=lambda c: c.recorded_at
        )
        await read_log.record(conn, reader, read_log.FHIR_CONSENTS, [client_id], ctx.clock.now())
    build, bundle_cls = (
        (consent_r4, BundleR4) if version == "R4" else (consent_r5, BundleR5)  # type: ignore[assignment]
    )
    resources = [build(ctx, c) for c in consents]
    bundle = bundle_cls.model_validate(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": ctx.clock.now().isoformat(),
            "entry": [
                {"fullUrl": f"urn:uuid:{c.id}", "resource": r}
                for c, r in zip(consents, resources, strict=True)
            ],
        }
    )
    return bundle.model_dump(mode="json", by_alias=True, exclude_none=True)
