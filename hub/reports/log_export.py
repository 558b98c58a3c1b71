"""The processing log exported: as CSV (safe to open in a spreadsheet) and in the shape of the
Logboek Dataverwerkingen standard."""

import csv
import io
from typing import Any

from wijkhub.hub.core import read_log
from wijkhub.hub.core.clock import AMSTERDAM
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.i18n import gettext
from wijkhub.hub.reports import log_query
from wijkhub.schemas.categories import CATEGORY_LABELS_NL, LEGAL_BASIS_LABELS_NL

EXPORT_CAP = 100_000
# Where the processing activities of the register (AVG art. 30) live; one per advice type.
ACTIVITY_BASE = "https://wijkhub.example/register/verwerkingsactiviteiten/"


async def log_entries(
    ctx: HubContext, f: log_query.LogFilter, cap: int, reader: read_log.Reader
) -> list[dict[str, Any]]:
    """Every entry matching `f` (paged by sequence number), at most `cap`, as the log stood
    when the export began; then one read entry per client in it, before anything is shown.
    (Up to the starting point only: the export's own entries are not chased page by page.)"""
    out: list[dict[str, Any]] = []
    page = f.model_copy(update={"limit": 1000})
    async with ctx.db.read() as conn:
        upto = await log_query.high_water(conn)
    while len(out) < cap:
        async with ctx.db.read() as conn:
            rows = await log_query.page(conn, page, upto)
        out += rows
        if len(rows) < page.limit:
            break
        page = page.model_copy(update={"after_seq": rows[-1]["seq"]})
    out = out[:cap]
    await read_log.record_now(ctx, reader, read_log.LOG, log_query.subjects(out))
    return out


CSV_COLUMNS = (
    "seq",
    "start_time",
    "end_time",
    "trace_id",
    "span_id",
    "parent_span_id",
    "name",
    "status_code",
    "actor",
    "data_subject_id",
    "partner_id",
    "purpose",
    "legal_basis",
    "categories",
    "outcome",
    "detail",
    "rules_version",
    "prev_hash",
    "hash",
    "leaf_index",
    "leaf_hash",
)


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(value)
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    # A spreadsheet would run a cell starting with these as a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for r in rows:
        w.writerow([csv_cell(r[c]) for c in CSV_COLUMNS])
    return buf.getvalue()


def to_logboek(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Entries in the Logboek Dataverwerkingen shape: OpenTelemetry-span-like processing
    records with `dpl.*` attributes, and the actor split out into audit records linked by
    `span_id` (the standard keeps who acted out of the processing record)."""
    records, audit = [], []
    for r in rows:
        attrs: dict[str, Any] = {}
        if r["data_subject_id"]:
            attrs["dpl.core.data_subject_id"] = r["data_subject_id"]
            attrs["dpl.core.data_subject_id_type"] = "wijkhub-client-id"
        purpose = r["purpose"]
        if purpose and "," not in purpose:
            attrs["dpl.core.processing_activity_id"] = ACTIVITY_BASE + purpose
        for k in ("purpose", "partner_id", "legal_basis", "outcome", "detail", "rules_version"):
            if r[k] is not None:
                attrs[f"dpl.wijkhub.{k}"] = r[k]
        attrs["dpl.wijkhub.categories"] = list(r["categories"])
        attrs["dpl.wijkhub.seq"] = r["seq"]
        if r["hash"] is not None:
            attrs["dpl.wijkhub.hash"] = r["hash"]
        attrs["dpl.wijkhub.leaf_hash"] = r["leaf_hash"]
        if r["leaf_index"] is not None:
            attrs["dpl.wijkhub.leaf_index"] = r["leaf_index"]
        record: dict[str, Any] = {
            "trace_id": r["trace_id"],
            "span_id": r["span_id"],
            "parent_span_id": r["parent_span_id"],
            "name": r["name"],
            "start_time": r["start_time"].isoformat(),
            "end_time": r["end_time"].isoformat(),
            "status_code": r["status_code"],
            "resource": {"service.name": "wijkhub"},
            "attributes": attrs,
        }
        foreign = r.get("foreign_operation")
        if foreign:
            # A validated traceparent: 00-<trace_id>-<span_id>-<flags>.
            _, trace_id, span_id, _ = foreign.split("-")
            record["foreign_operation"] = {"trace_id": trace_id, "span_id": span_id}
        records.append(record)
        audit.append(
            {
                "trace_id": r["trace_id"],
                "span_id": r["span_id"],
                "time": r["start_time"].isoformat(),
                "actor": r["actor"],
            }
        )
    return {"processing_records": records, "audit_records": audit}


# The events a privacy officer meets most, in their words (the log page's filter, the
# spreadsheet); any other event shows its name.
EVENT_NL = {
    "advice.submit": gettext("advice submitted"),
    "advice_item.decide": gettext("decision per item"),
    "delivery.advice": gettext("disclosure to partner"),
    "delivery.withdrawal": gettext("withdrawal to partner"),
    "status.receive": gettext("status report from partner"),
    "client.register": gettext("client registered"),
    "consent.record": gettext("consent recorded"),
    "consent.withdraw": gettext("consent withdrawn"),
    "advice_item.approval_requested": gettext("approval requested"),
    "advice_item.approve": gettext("approved"),
    "advice_item.reject": gettext("rejected"),
    "access.refused": gettext("access refused"),
    "access_report.generate": gettext("access report drawn up"),
    "retention.purge": gettext("retention period: deleted"),
    "web.signin": gettext("signed in (web environment)"),
    "web.signin_link.issue": gettext("sign-in link created"),
    "staff.lookup": gettext("looked up who acted"),
    "processing_log.verify": gettext("check of the processing log"),
    read_log.READ: gettext("data viewed"),
}
# Outcomes in the privacy officer's words; partner statuses and delivery states too.
OUTCOME_NL = {
    "allowed": gettext("allowed"),
    "refused": gettext("refused"),
    "submitted": gettext("submitted"),
    "registered": gettext("registered (a client)"),
    "recorded": gettext("registered"),
    "withdrawn": gettext("withdrawn"),
    "delivered": gettext("delivered"),
    "generated": gettext("drawn up"),
    "purged": gettext("deleted"),
    "viewed": gettext("viewed"),
    "added": gettext("added"),
    "created": gettext("created"),
    "issued": gettext("issued"),
    "linked": gettext("linked"),
    "fetched": gettext("fetched"),
    "fired": gettext("carried out"),
    "intact": gettext("intact"),
    "broken": gettext("broken"),
    "read": gettext("viewed (read)"),
    "awaiting": gettext("awaiting approval"),
    "approved": gettext("approved"),
    "rejected": gettext("rejected"),
    "received": gettext("received"),
    "in_progress": gettext("in progress"),
    "adopted": gettext("adopted"),
    "partly_adopted": gettext("partly adopted"),
    "carried_out": gettext("carried out"),
    "stopped": gettext("stopped"),
    "link": gettext("with a sign-in link"),
    "oidc": gettext("with the organisation account"),
    "inwoner_code": gettext("with a resident code"),
    "found": gettext("found"),
    "not_found": gettext("not found"),
}
# The spreadsheet's columns: (header, in Dutch from the catalogue; the log's field).
SHEET_COLUMNS = (
    (gettext("Sequence number"), "seq"),
    (gettext("Time (of the action)"), "start_time"),
    (gettext("Action (in the log)"), "name"),
    (gettext("By"), "actor"),
    (gettext("Client (reference in the log)"), "data_subject_id"),
    (gettext("Partner"), "partner_id"),
    (gettext("Goal"), "purpose"),
    (gettext("Legal basis"), "legal_basis"),
    (gettext("Data"), "categories"),
    (gettext("Outcome"), "outcome"),
    (gettext("Explanation"), "detail"),
    (gettext("Rules (version)"), "rules_version"),
    (gettext("Trace number"), "trace_id"),
    (gettext("Check value (hash)"), "hash"),
)
_BASIS_NL = {b.value: v for b, v in LEGAL_BASIS_LABELS_NL.items()}
_CATEGORY_NL = {c.value: v for c, v in CATEGORY_LABELS_NL.items()}


def sheet_cell(field: str, value: Any, partners: dict[str, str]) -> str:
    """One cell as a Dutch spreadsheet shows it: dates as 03-12-2026 14:05 (Amsterdam time),
    Dutch labels for events, legal bases and data categories, partner names."""
    if value is None or value == "":
        return ""
    if field == "start_time":
        return str(value.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M:%S"))
    if field == "name":
        return EVENT_NL.get(value, value)
    if field == "outcome":
        return OUTCOME_NL.get(value, csv_cell(value))
    if field == "legal_basis":
        return _BASIS_NL.get(value, value)
    if field == "partner_id":
        return partners.get(value, value)
    if field == "categories":
        return csv_cell(", ".join(_CATEGORY_NL.get(c, c) for c in value))
    return csv_cell(value)


def to_spreadsheet(rows: list[dict[str, Any]], partners: dict[str, str]) -> bytes:
    """The log for Dutch spreadsheets (Excel, LibreOffice in nl-NL): semicolons, a UTF-8 byte
    order mark (else Excel reads the file as Windows-1252), Dutch headers and dates."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow([h for h, _ in SHEET_COLUMNS])
    for r in rows:
        w.writerow([sheet_cell(f, r.get(f), partners) for _, f in SHEET_COLUMNS])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
