"""The processing log exported: as CSV (safe to open in a spreadsheet) and in the shape of the
Logboek Dataverwerkingen standard."""

import csv
import io
from typing import Any

from wijkhub.hub.core import read_log
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.reports import log_query

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
