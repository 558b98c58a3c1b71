"""The privacy officer's read-only API: consents with filters, the processing log as CSV and
in the Logboek Dataverwerkingen shape, the access report (JSON and HTML) and the FHIR consent
export. Every route is for the `privacy_officer` role only.
"""

import json
import uuid
from typing import Any

from aiohttp import web
from pydantic import (
    TypeAdapter,
    ValidationError,
)

from wijkhub.hub.api.kit import Call, endpoint, validation_error
from wijkhub.hub.core.errors import ApiError
from wijkhub.hub.core.roles import PRIVACY_OFFICER
from wijkhub.hub.reports import access_report, fhir_export, log_query
from wijkhub.hub.reports.consent_register import ConsentFilter, list_consents
from wijkhub.hub.reports.log_export import EXPORT_CAP, log_entries, to_csv, to_logboek
from wijkhub.schemas.api import LogEntryOut
from wijkhub.schemas.consent import Consent


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


@endpoint(
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
    return await list_consents(call.ctx, f, call.reader)


@endpoint(
    roles=PRIVACY_OFFICER,
    summary="Verwerkingenlog als CSV (zelfde filters; zonder limit: alles)",
    response={"type": "string"},
    produces="text/csv",
    query=LOG_QUERY_DOC,
)
async def log_csv_route(call: Call) -> web.Response:
    f, cap = _log_filter(call)
    rows = await log_entries(call.ctx, f, cap, call.reader)
    return web.Response(
        text=to_csv(rows),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="verwerkingenlog.csv"'},
    )


@endpoint(
    roles=PRIVACY_OFFICER,
    summary="Verwerkingenlog in de vorm van Logboek Dataverwerkingen (met apart auditlog)",
    query=LOG_QUERY_DOC,
)
async def log_logboek_route(call: Call) -> dict[str, Any]:
    f, cap = _log_filter(call)
    return to_logboek(await log_entries(call.ctx, f, cap, call.reader))


@endpoint(
    roles=PRIVACY_OFFICER,
    summary="Inzageverzoek (AVG art. 15): wie ontving welke gegevens, wanneer, op welke grond",
    response=access_report.AccessReport,
)
async def access_report_route(call: Call) -> access_report.AccessReport:
    return await access_report.build(call.ctx, _client(call), call.reader)


@endpoint(
    roles=PRIVACY_OFFICER,
    summary="Inzageverzoek als leesbaar document voor de cliënt (HTML, printbaar)",
    response={"type": "string"},
    produces="text/html",
)
async def access_report_html_route(call: Call) -> web.Response:
    report = await access_report.build(call.ctx, _client(call), call.reader)
    return web.Response(
        text=access_report.render_html(report), content_type="text/html", charset="utf-8"
    )


@endpoint(
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
    bundle = await fhir_export.export(call.ctx, _client(call), call.reader, version)  # type: ignore[arg-type]
    return web.Response(
        text=json.dumps(bundle, ensure_ascii=False),
        content_type="application/fhir+json",
        charset="utf-8",
    )


@endpoint(
    roles=PRIVACY_OFFICER,
    summary="Verwerkingenlog met filters (ook geweigerde verstrekkingen)",
    query={k: "filter" for k in log_query.LogFilter.model_fields},
    response=TypeAdapter(list[LogEntryOut]),
)
async def processing_log(call: Call) -> list[dict[str, Any]]:
    try:
        f = log_query.LogFilter.model_validate(call.query)
    except ValidationError as exc:
        raise validation_error(exc) from None
    return await log_query.query(call.ctx, f, call.reader)
