"""The privacy officer's read-only API: consents with filters, the processing log as CSV and
in the Logboek Dataverwerkingen shape, the access report (JSON and HTML) and the FHIR consent
export. Every route is for the `privacy_officer` role only.
"""

import csv
import io
import json
import uuid
from datetime import date, datetime
from typing import Any

from aiohttp import web
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
)
from sqlalchemy import or_, select

from wijkhub.hub.api.kit import Call, validation_error
from wijkhub.hub.api.routes import api
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import ApiError
from wijkhub.hub.records import consents as consent_registry
from wijkhub.hub.reports import access_report, fhir_export, log_query
from wijkhub.hub.store.tables import CONSENT
from wijkhub.schemas.common import to_utc
from wijkhub.schemas.consent import Consent, ConsentStatus

PRIVACY_OFFICER = {"privacy_officer"}
EXPORT_CAP = 100_000
# Where the processing activities of the register (AVG art. 30) live; one per advice type.
ACTIVITY_BASE = "https://wijkhub.example/register/verwerkingsactiviteiten/"


class ConsentFilter(BaseModel):
    """`valid_on`: validity period covers that date. `period_start`/`period_end`: validity
    period overlaps that period. `recorded_since`/`recorded_until`: when it was recorded."""

    model_config = ConfigDict(extra="forbid")
    client_id: uuid.UUID | None = None
    partner_id: str | None = Field(None, max_length=63)
    status: ConsentStatus | None = None
    valid_on: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    recorded_since: AwareDatetime | None = None
    recorded_until: AwareDatetime | None = None
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10_000_000)

    @field_validator("recorded_since", "recorded_until")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return to_utc(value) if value else None


async def list_consents(ctx: HubContext, f: ConsentFilter) -> list[Consent]:
    stmt = select(CONSENT)
    if f.client_id:
        stmt = stmt.where(CONSENT.c.client_id == f.client_id.hex)
    if f.partner_id:
        stmt = stmt.where(CONSENT.c.partner_id == f.partner_id)
    if f.status:
        stmt = stmt.where(CONSENT.c.status == f.status.value)
    if f.valid_on:
        stmt = stmt.where(
            CONSENT.c.valid_from <= f.valid_on,
            or_(CONSENT.c.valid_until.is_(None), CONSENT.c.valid_until >= f.valid_on),
        )
    if f.period_end:
        stmt = stmt.where(CONSENT.c.valid_from <= f.period_end)
    if f.period_start:
        stmt = stmt.where(
            or_(CONSENT.c.valid_until.is_(None), CONSENT.c.valid_until >= f.period_start)
        )
    if f.recorded_since:
        stmt = stmt.where(CONSENT.c.recorded_at >= f.recorded_since)
    if f.recorded_until:
        stmt = stmt.where(CONSENT.c.recorded_at < f.recorded_until)
    stmt = stmt.order_by(CONSENT.c.recorded_at, CONSENT.c.id).offset(f.offset).limit(f.limit)
    async with ctx.db.read() as conn:
        rows = (await conn.execute(stmt)).all()
    return [consent_registry.from_row(r, ctx) for r in rows]


async def log_entries(ctx: HubContext, f: log_query.LogFilter, cap: int) -> list[dict[str, Any]]:
    """Every entry matching `f` (paged by sequence number), at most `cap`."""
    out: list[dict[str, Any]] = []
    page = f.model_copy(update={"limit": 1000})
    while len(out) < cap:
        rows = await log_query.query(ctx, page)
        out += rows
        if len(rows) < page.limit:
            break
        page = page.model_copy(update={"after_seq": rows[-1]["seq"]})
    return out[:cap]


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
)


def _cell(value: Any) -> str:
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
        w.writerow([_cell(r[c]) for c in CSV_COLUMNS])
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
        attrs["dpl.wijkhub.hash"] = r["hash"]
        records.append(
            {
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
        )
        audit.append(
            {
                "trace_id": r["trace_id"],
                "span_id": r["span_id"],
                "time": r["start_time"].isoformat(),
                "actor": r["actor"],
            }
        )
    return {"processing_records": records, "audit_records": audit}


def _log_filter(call: Call) -> tuple[log_query.LogFilter, int]:
    query = dict(call.query)
    cap = EXPORT_CAP
    if "limit" in query:  # an explicit limit caps the export; without one, export everything
        try:
            cap = max(1, min(EXPORT_CAP, int(query.pop("limit"))))
        except ValueError:
            raise ApiError(422, "validation_error", "limit moet een getal zijn") from None
    try:
        return log_query.LogFilter.model_validate(query), cap
    except ValidationError as exc:
        raise validation_error(exc) from None


def _client(call: Call) -> str:
    value = call.params["client_id"].replace("-", "").lower()
    try:
        return uuid.UUID(value).hex
    except ValueError:
        raise ApiError(404, "not_found", "Cliënt niet gevonden") from None


LOG_QUERY_DOC = {k: "filter" for k in log_query.LogFilter.model_fields}


@api.route(
    "GET",
    "/privacy/consents",
    roles=PRIVACY_OFFICER,
    summary="Toestemmingen met filters (cliënt, partner, status, geldigheid, periode)",
    response=TypeAdapter(list[Consent]),
    query={k: "filter" for k in ConsentFilter.model_fields},
)
async def consents_route(call: Call) -> list[Consent]:
    try:
        f = ConsentFilter.model_validate(call.query)
    except ValidationError as exc:
        raise validation_error(exc) from None
    return await list_consents(call.ctx, f)


@api.route(
    "GET",
    "/processing-log/csv",
    roles=PRIVACY_OFFICER,
    summary="Verwerkingenlog als CSV (zelfde filters; zonder limit: alles)",
    response={"type": "string"},
    produces="text/csv",
    query=LOG_QUERY_DOC,
)
async def log_csv_route(call: Call) -> web.Response:
    f, cap = _log_filter(call)
    rows = await log_entries(call.ctx, f, cap)
    return web.Response(
        text=to_csv(rows),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="verwerkingenlog.csv"'},
    )


@api.route(
    "GET",
    "/processing-log/logboek",
    roles=PRIVACY_OFFICER,
    summary="Verwerkingenlog in de vorm van Logboek Dataverwerkingen (met apart auditlog)",
    query=LOG_QUERY_DOC,
)
async def log_logboek_route(call: Call) -> dict[str, Any]:
    f, cap = _log_filter(call)
    return to_logboek(await log_entries(call.ctx, f, cap))


@api.route(
    "GET",
    "/privacy/clients/{client_id}/access-report",
    roles=PRIVACY_OFFICER,
    summary="Inzageverzoek (AVG art. 15): wie ontving welke gegevens, wanneer, op welke grond",
    response=access_report.AccessReport,
)
async def access_report_route(call: Call) -> access_report.AccessReport:
    return await access_report.build(call.ctx, _client(call), call.who.actor)


@api.route(
    "GET",
    "/privacy/clients/{client_id}/access-report.html",
    roles=PRIVACY_OFFICER,
    summary="Inzageverzoek als leesbaar document voor de cliënt (HTML, printbaar)",
    response={"type": "string"},
    produces="text/html",
)
async def access_report_html_route(call: Call) -> web.Response:
    report = await access_report.build(call.ctx, _client(call), call.who.actor)
    return web.Response(
        text=access_report.render_html(report), content_type="text/html", charset="utf-8"
    )


@api.route(
    "GET",
    "/privacy/clients/{client_id}/consents/fhir",
    roles=PRIVACY_OFFICER,
    summary="Toestemmingen van een cliënt als FHIR Consent (Bundle; version=R4 of R5)",
    query={"version": "R4 (standaard) of R5"},
    response={"type": "object", "description": "FHIR Bundle (collection) of Consent"},
    produces="application/fhir+json",
)
async def fhir_route(call: Call) -> web.Response:
    version = call.query.get("version", "R4")
    if version not in ("R4", "R5"):
        raise ApiError(422, "validation_error", "version moet R4 of R5 zijn")
    bundle = await fhir_export.export(call.ctx, _client(call), version)  # type: ignore[arg-type]
    return web.Response(
        text=json.dumps(bundle, ensure_ascii=False),
        content_type="application/fhir+json",
        charset="utf-8",
    )
