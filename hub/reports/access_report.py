"""The access report (inzageverzoek, AVG art. 15) for one client, as JSON and as a Dutch
HTML document a client can be handed.

Who received data is read from the processing log, the hub's evidence: a `delivery.<kind>`
entry (advice, consultation message, reminder, intrekking) with outcome `delivered` (pushed
and acknowledged) or `fetched` (taken from the pull inbox) records a disclosure; an advice's
`categories` are exactly what the partner received. Every such entry is listed on its own:
each version of an item, each message. Items the policy refused never produce such an entry,
so a partner whose items were all refused does not appear. Who looked at the client's data
inside the hub comes from the `dpl.core.access.read` entries (see `core/read_log.py`).
Generating the report decrypts the client's name, so it is itself logged
(`access_report.generate`).
"""

import uuid
from datetime import date, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import BaseModel
from sqlalchemy import select

from wijkhub.hub.core import read_log
from wijkhub.hub.core.clock import AMSTERDAM
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import not_found
from wijkhub.hub.core.processing_log import LogEntry, append
from wijkhub.hub.i18n import gettext
from wijkhub.hub.records import clients
from wijkhub.hub.records import consents as consent_registry
from wijkhub.hub.reports.retention import load_rules
from wijkhub.hub.store.tables import LOG
from wijkhub.schemas.categories import (
    CATEGORY_LABELS_NL,
    LEGAL_BASIS_LABELS_NL,
    DataCategory,
    LegalBasis,
)
from wijkhub.schemas.consent import ConsentStatus

DISCLOSED = ("delivered", "fetched")
GENERATE = "access_report.generate"
# What the hub sends a partner about a client, by the outbox's kind.
KIND_NL = {
    "advice": gettext("advice"),
    "consultation": gettext("consultation message from the neighbourhood team"),
    "reminder": gettext("reminder of a deadline"),
    "withdrawal": gettext("message that your consent was withdrawn"),
}
# A consultation message is the coach's own text about the client; a reminder and an
# intrekking carry only the partner's pseudonym of the client and the reference.
KIND_CATEGORIES = {"consultation": (DataCategory.free_text.value,)}
PSEUDONYM_NL = gettext("only a reference number (pseudonym) and the reference")
ROLE_NL = {
    "coach": gettext("neighbourhood coach"),
    "team_manager": gettext("team manager"),
    "cluster_manager": gettext("cluster manager"),
    "team_leader": gettext("team leader"),
    "privacy_officer": gettext("data protection officer"),
    "admin": gettext("administrator"),
}
RESOURCE_NL = {
    read_log.CLIENT: gettext("your personal data"),
    read_log.CONSENTS: gettext("your consents"),
    read_log.ADVICE: gettext("an advice about you and what happened to it"),
    read_log.CONSULTATION: gettext("the consultation with an organisation about you"),
    read_log.HOUSEHOLD: gettext("the composition of your household"),
    read_log.PLAN: gettext("the plan of your household"),
    read_log.PREVIEW: gettext("a preview of what an organisation would receive"),
    read_log.ACCESS_REPORT: gettext("this overview (access request)"),
    read_log.FHIR_CONSENTS: gettext("your consents (export for another system)"),
    read_log.LOG: gettext("the processing log about you"),
    read_log.CONSENT_REGISTER: gettext("the consent register"),
    read_log.APPROVALS: gettext("an item that was awaiting approval"),
}
CATEGORY_VALUES = {c.value for c in DataCategory}
BASIS_VALUES = {b.value for b in LegalBasis}
CONSENT_STATUS_NL = {
    ConsentStatus.active: gettext("valid"),
    ConsentStatus.withdrawn: gettext("withdrawn"),
    ConsentStatus.expired: gettext("expired"),
}


class Disclosure(BaseModel):
    at: datetime  # when the data left the hub (pushed and acknowledged, or fetched)
    kind: str = "advice"  # advice | consultation | reminder | withdrawal
    kind_nl: str = gettext("advice")
    purpose: str | None
    purpose_title: str | None
    legal_basis: str | None
    legal_basis_nl: str | None
    categories: list[str]
    categories_nl: list[str]
    trace_id: str
    withdrawal_acknowledged_at: datetime | None = None  # the partner confirmed the intrekking


class Recipient(BaseModel):
    partner_id: str
    partner_name: str
    disclosures: list[Disclosure]


class ConsentState(BaseModel):
    id: uuid.UUID
    partner_id: str
    partner_name: str
    purposes: list[str]
    purpose_titles: list[str]
    categories: list[str]
    categories_nl: list[str]
    explicit: bool
    valid_from: date
    valid_until: date | None
    status: str
    status_nl: str
    recorded_at: datetime
    withdrawn_at: datetime | None


class Access(BaseModel):
    """One look at the client's data inside the hub (who, when, what): from the log's
    `dpl.core.access.read` entries and the generation of earlier access reports."""

    at: datetime
    actor: str  # the actor pseudonym of the log (role and a token prefix, never a name)
    role: str
    role_nl: str
    resource: str
    resource_nl: str
    foreign_operation: str | None = None


class AccessReport(BaseModel):
    client_id: uuid.UUID
    generated_at: datetime
    client_name: str | None  # None once the record is purged (retention)
    birth_date: date | None
    recipients: list[Recipient]
    consents: list[ConsentState]
    accesses: list[Access] = []
    retention_days: dict[str, int] | None
    municipality_code: str
    municipality: str  # "Gemeente Enschede" (configured), else "de gemeente"
    retention_version: str | None = None

    @property
    def reference(self) -> str:
        """The document's kenmerk for letters and phone calls (not the internal id)."""
        return f"INZ-{self.client_id.hex[:8].upper()}"


def _purpose_title(ctx: HubContext, partner_id: str, purpose: str | None) -> str | None:
    partner = ctx.partners.get(partner_id)
    ptype = ctx.registry.get(partner.type) if partner else None
    at = ptype.advice_type(purpose) if (ptype and purpose) else None
    return at.title_nl if at else purpose


def _partner_name(ctx: HubContext, partner_id: str) -> str:
    partner = ctx.partners.get(partner_id)
    return partner.name if partner else partner_id


def _cats_nl(cats: list[str]) -> list[str]:
    return [CATEGORY_LABELS_NL[DataCategory(c)] if c in CATEGORY_VALUES else c for c in cats]


async def build(ctx: HubContext, client_id: str, reader: read_log.Reader) -> AccessReport:
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        if not await clients.in_scope(conn, client_id, None):
            raise not_found("Cliënt")
        client = await clients.load(ctx, conn, client_id)
        entries = (
            (
                await conn.execute(
                    select(LOG)
                    .where(
                        LOG.c.data_subject_id == client_id,
                        LOG.c.name.in_(
                            (*(f"delivery.{k}" for k in KIND_NL), read_log.READ, GENERATE)
                        ),
                    )
                    .order_by(LOG.c.seq)
                )
            )
            .mappings()
            .all()
        )
        consents = await consent_registry.for_clients(conn, ctx, [client_id])
        await append(
            conn,
            [
                LogEntry(
                    name="access_report.generate",
                    actor=reader.actor,
                    outcome="generated",
                    trace_id=reader.trace_id,
                    foreign_operation=reader.foreign_operation,
                    data_subject_id=client_id,
                    categories=["identification"] if client else [],
                    detail="inzageverzoek AVG art. 15",
                )
            ],
            now,
        )

    # Every delivery is its own disclosure (a second version of an item, a second fetch of
    # the same message: each time data left the hub). An intrekking runs under its
    # advice's trace: its acknowledgement is matched by partner, trace and purpose, so two
    # advices with the same purpose to the same partner are never confused.
    disclosures: list[tuple[str, Disclosure]] = []
    acks: dict[tuple[str, str, str | None], list[datetime]] = {}
    accesses: list[Access] = []
    for e in entries:
        if e["name"] in (read_log.READ, GENERATE):
            accesses.append(_access(e))
            continue
        kind = e["name"].removeprefix("delivery.")
        key = (e["partner_id"], e["trace_id"], e["purpose"])
        if kind == "withdrawal" and e["outcome"] == "delivered":
            acks.setdefault(key, []).append(e["start_time"])
        if e["outcome"] not in DISCLOSED or kind not in KIND_NL:
            continue  # refused, withdrawn, dead, blocked: nothing left the hub
        if e["outcome"] == "delivered" and e["actor"].startswith("partner:"):
            continue  # a pull acknowledged: the fetch before it was the disclosure
        cats = sorted(e["categories"]) or list(KIND_CATEGORIES.get(kind, ()))
        if kind == "advice" and not cats:
            continue  # an advice that disclosed nothing (never the case when delivered)
        basis = e["legal_basis"]
        disclosures.append(
            (
                e["partner_id"],
                Disclosure(
                    at=e["start_time"],
                    kind=kind,
                    kind_nl=KIND_NL[kind],
                    purpose=e["purpose"],
                    purpose_title=_purpose_title(ctx, e["partner_id"], e["purpose"]),
                    legal_basis=basis,
                    legal_basis_nl=LEGAL_BASIS_LABELS_NL[LegalBasis(basis)]
                    if basis in BASIS_VALUES
                    else basis,
                    categories=cats,
                    categories_nl=_cats_nl(cats) or [PSEUDONYM_NL],
                    trace_id=e["trace_id"],
                ),
            )
        )
    recipients: dict[str, Recipient] = {}
    for partner_id, d in disclosures:
        if d.kind == "advice":
            later = [t for t in acks.get((partner_id, d.trace_id, d.purpose), []) if t >= d.at]
            d.withdrawal_acknowledged_at = min(later) if later else None
        recipients.setdefault(
            partner_id,
            Recipient(
                partner_id=partner_id, partner_name=_partner_name(ctx, partner_id), disclosures=[]
            ),
        ).disclosures.append(d)

    rules = load_rules(ctx)
    return AccessReport(
        client_id=uuid.UUID(client_id),
        generated_at=now,
        client_name=f"{client.given_names} {client.family_name}" if client else None,
        birth_date=client.birth_date if client else None,
        recipients=sorted(recipients.values(), key=lambda r: r.partner_name),
        consents=[
            ConsentState(
                id=c.id,
                partner_id=c.partner_id,
                partner_name=_partner_name(ctx, c.partner_id),
                purposes=list(c.purposes),
                purpose_titles=[_purpose_title(ctx, c.partner_id, p) or p for p in c.purposes],
                categories=[x.value for x in c.categories],
                categories_nl=_cats_nl([x.value for x in c.categories]),
                explicit=c.explicit,
                valid_from=c.valid_from,
                valid_until=c.valid_until,
                status=c.status.value,
                status_nl=CONSENT_STATUS_NL[c.status],
                recorded_at=c.recorded_at,
                withdrawn_at=c.withdrawn_at,
            )
            for c in sorted(consents, key=lambda c: c.recorded_at)
        ],
        accesses=accesses,
        retention_days=rules.periods.model_dump() if rules else None,
        municipality_code=ctx.settings.sender_code,
        municipality=f"Gemeente {ctx.settings.municipality_name}"
        if ctx.settings.municipality_name
        else "De gemeente",
        retention_version=rules.version if rules else None,
    )


def _access(e: Any) -> Access:
    role = e["actor"].split("/", 1)[0]
    resource = read_log.ACCESS_REPORT if e["name"] == GENERATE else e["detail"] or ""
    return Access(
        at=e["start_time"],
        actor=e["actor"],
        role=role,
        role_nl=ROLE_NL.get(role, "medewerker" if not role.startswith("partner") else "partner"),
        resource=resource,
        resource_nl=RESOURCE_NL.get(resource, resource),
        foreign_operation=e["foreign_operation"],
    )


def _nl_date(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")
    return value.strftime("%d-%m-%Y")


_env = Environment(
    loader=PackageLoader("wijkhub.hub.reports", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["nl_date"] = _nl_date


def render_html(report: AccessReport) -> str:
    return _env.get_template("access_report.html").render(r=report)
