"""What the inwoner's own page shows, in plain Dutch (B1): the access report's disclosures
(`access_report.build`, the hub's evidence: exactly who received what), what each partner
reported back on those items, and the consents. Each view is logged as an access
(`inwoner.view`) beside the report's own `access_report.generate` entry.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from wijkhub.hub.core import read_log
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.processing_log import LogEntry, append, new_trace_id
from wijkhub.hub.i18n import gettext
from wijkhub.hub.reports import access_report
from wijkhub.hub.reports.access_report import AccessReport, ConsentState, Disclosure
from wijkhub.hub.store.tables import ADVICE, ITEM, STATUS
from wijkhub.schemas.categories import LegalBasis
from wijkhub.schemas.status import REJECTION_REASON_LABELS_NL, PartnerStatus

# What the partner did, as a sentence after the partner's name.
REPORT_NL: dict[str, str] = {
    PartnerStatus.received.value: gettext("has received the message"),
    PartnerStatus.in_progress.value: gettext("is working on it"),
    PartnerStatus.intake_held.value: gettext("has had a first conversation"),
    PartnerStatus.adopted.value: gettext("is doing what the neighbourhood team proposed"),
    PartnerStatus.partly_adopted.value: gettext(
        "is doing part of what the neighbourhood team proposed"
    ),
    PartnerStatus.rejected.value: gettext("is not doing what the neighbourhood team proposed"),
    PartnerStatus.carried_out.value: gettext("has done it"),
    PartnerStatus.stopped.value: gettext("has stopped it"),
    PartnerStatus.in_consultation.value: gettext("is consulting the neighbourhood team"),
}
# Why the partner was allowed to have the data.
BASIS_NL: dict[str, str] = {
    LegalBasis.consent.value: gettext("You gave consent for this."),
    LegalBasis.statutory_task.value: gettext(
        "This is allowed without your consent, because it is a task the law gives."
    ),
    LegalBasis.legal_obligation.value: gettext("The law requires this."),
    LegalBasis.vital_interest.value: gettext("This was needed to protect someone."),
}
LAW_NL = gettext("Which law: {law}.")
UNKNOWN_BASIS_NL = gettext("The ground is in the processing log.")


@dataclass
class ReportBack:
    at: datetime
    status: str
    text: str  # B1 sentence part
    reason: str | None


@dataclass
class Shared:
    """One disclosure of the access report, with what the partner reported back on it."""

    disclosure: Disclosure
    basis_text: str
    law: str | None
    reports: list[ReportBack] = field(default_factory=list)


@dataclass
class PartnerBlock:
    partner_id: str
    partner_name: str
    shared: list[Shared]


@dataclass
class InwonerView:
    client_id: str
    name: str | None
    report: AccessReport
    partners: list[PartnerBlock]
    consents: list[ConsentState]


def _law(ctx: HubContext, partner_id: str, basis: str | None) -> str | None:
    if basis in (None, LegalBasis.consent.value):
        return None
    partner = ctx.partners.get(partner_id)
    rules = ctx.rules.for_type(partner.type) if partner else None
    return rules.basis_reference if rules else None


async def build(ctx: HubContext, client_id: str, actor: str, relation: str) -> InwonerView:
    """The page of `client_id` as `actor` (an inwoner) sees it; `relation` (self | child) is
    logged with the view."""
    report = await access_report.build(ctx, client_id, read_log.Reader(actor))
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        items = (
            await conn.execute(
                select(
                    ITEM.c.id,
                    ITEM.c.partner_id,
                    ITEM.c.advice_type,
                    ADVICE.c.trace_id,
                )
                .join(ADVICE, ADVICE.c.id == ITEM.c.advice_id)
                .where(ITEM.c.client_id == client_id, ITEM.c.allowed.is_(True))
            )
        ).all()
        statuses = (
            (
                await conn.execute(
                    select(STATUS)
                    .where(STATUS.c.item_id.in_([i.id for i in items]))
                    .order_by(STATUS.c.occurred_at, STATUS.c.id)
                )
            ).all()
            if items
            else []
        )
        await append(
            conn,
            [
                LogEntry(
                    name="inwoner.view",
                    actor=actor,
                    outcome="viewed",
                    trace_id=new_trace_id(),
                    data_subject_id=client_id,
                    categories=["identification"],
                    detail=f"eigen pagina van de inwoner ({relation})",
                )
            ],
            now,
        )
    by_key: dict[tuple[str, str, str], list[str]] = {}
    for it in items:
        by_key.setdefault((it.partner_id, it.trace_id, it.advice_type), []).append(it.id)
    by_item: dict[str, list[Any]] = {}
    for s in statuses:
        by_item.setdefault(s.item_id, []).append(s)

    partners = []
    for rec in report.recipients:
        shared = []
        for d in rec.disclosures:
            law = _law(ctx, rec.partner_id, d.legal_basis)
            basis = BASIS_NL.get(d.legal_basis or "", UNKNOWN_BASIS_NL)
            entry = Shared(d, basis, law)
            for item_id in by_key.get((rec.partner_id, d.trace_id, d.purpose or ""), []):
                for s in by_item.get(item_id, []):
                    aad = f"status_update.text:{s.partner_id}:{s.partner_message_id}"
                    text = ctx.unseal(s.text, aad) if s.text else {}
                    code = REJECTION_REASON_LABELS_NL.get(s.reason_code)  # type: ignore[call-overload]
                    reason = "; ".join(x for x in (code, text.get("reason")) if x) or None
                    said = REPORT_NL.get(s.status, s.status)
                    entry.reports.append(ReportBack(s.occurred_at, s.status, said, reason))
            shared.append(entry)
        partners.append(PartnerBlock(rec.partner_id, rec.partner_name, shared))
    return InwonerView(client_id, report.client_name, report, partners, report.consents)


async def log_choice(ctx: HubContext, actor: str, client_ids: list[str]) -> None:
    """The list of pages an inwoner may open shows names: logged as a view of each person."""
    async with ctx.db.write() as conn:
        await append(
            conn,
            [
                LogEntry(
                    name="inwoner.view",
                    actor=actor,
                    outcome="viewed",
                    trace_id=new_trace_id(),
                    data_subject_id=cid,
                    categories=["identification"],
                    detail="keuzelijst van de inwoner (naam)",
                )
                for cid in client_ids
            ],
            ctx.clock.now(),
        )
