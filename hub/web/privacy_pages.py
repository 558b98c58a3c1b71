"""Privacy officer pages: the consent register and the processing log with filters (refusals
too), whether the log verifies against its signed checkpoints and when it was last checked,
and a client's access report (AVG art. 15) as a page, a printable document, a PDF and the
client's processing-log entries as CSV.

Read-only apart from a log check (which places and signs what waits, and is recorded). The
role set is the API's (`privacy_officer.PRIVACY_OFFICER`) and the data come from the same
functions as the API's privacy routes; nothing here decides again who may see what.
"""

import uuid
from datetime import date, datetime, time
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from wijkhub.hub.core import people
from wijkhub.hub.core.auth import Principal
from wijkhub.hub.core.clock import AMSTERDAM
from wijkhub.hub.core.errors import ApiError, not_found
from wijkhub.hub.core.log_verify import verify_log
from wijkhub.hub.core.processing_log import (
    STATUS_ERROR,
    STATUS_OK,
    LogEntry,
    append,
    new_trace_id,
)
from wijkhub.hub.core.roles import PRIVACY_OFFICER
from wijkhub.hub.core.sequencer import log_keys, sequence
from wijkhub.hub.i18n import dates, gettext, pydantic_message
from wijkhub.hub.reports import access_report, client_search, log_query
from wijkhub.hub.reports.access_report import CONSENT_STATUS_NL
from wijkhub.hub.reports.consent_register import ConsentFilter, list_consents
from wijkhub.hub.reports.log_export import EVENT_NL, OUTCOME_NL, log_entries, to_spreadsheet
from wijkhub.hub.store.tables import CLIENT, LOG
from wijkhub.hub.web.access_report_pdf import render_pdf
from wijkhub.hub.web.kit import flash_redirect, hub, page, reader, render
from wijkhub.schemas.categories import CATEGORY_LABELS_NL
from wijkhub.schemas.consent import ConsentStatus

PAGE_SIZE = 100
VERIFY_EVENT = "processing_log.verify"


def nl_time(value: datetime | None) -> str:
    return value.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M") if value else "—"


def nl_date(value: date | None) -> str:
    """3 december 2026."""
    return dates.day(value) if value else "—"


def clean_query(query: Any) -> dict[str, str]:
    """Filter forms send empty fields; an empty field is no filter."""
    return {k: v.strip() for k, v in query.items() if v.strip()}


def filter_errors(exc: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc'])}: {pydantic_message(e)}" for e in exc.errors()]


def _client_hex(value: str) -> str:
    try:
        return uuid.UUID(value.replace("-", "").strip()).hex
    except ValueError:
        raise not_found("Cliënt") from None


# --- overview and chain check --------------------------------------------------------------


async def _last_check(request: web.Request) -> Any:
    async with hub(request).db.read() as conn:
        return (
            await conn.execute(
                select(LOG.c.start_time, LOG.c.outcome, LOG.c.detail, LOG.c.actor)
                .where(LOG.c.name == VERIFY_EVENT)
                .order_by(LOG.c.seq.desc())
                .limit(1)
            )
        ).first()


@page(roles=PRIVACY_OFFICER)
async def overview(request: web.Request, who: Principal) -> web.StreamResponse:
    return await render(
        request,
        "privacy/overview.html",
        {"last": await _last_check(request), "nl_time": nl_time},
    )


@page(roles=PRIVACY_OFFICER)
async def check_chain(request: web.Request, who: Principal) -> web.StreamResponse:
    """Place and sign what waits, check the whole log against every signed checkpoint (as
    `wijkhub log verify` does) and record the outcome in the log itself."""
    ctx = hub(request)
    await sequence(ctx.db, ctx.keyring, ctx.settings, ctx.clock)
    keys = log_keys(ctx.keyring)
    async with ctx.db.read() as conn:
        report = await verify_log(conn, ctx.settings.log_origin, keys, ctx.settings.witness_path)
    detail = f"{report.tree.checked} regels gecontroleerd"
    if not report.ok:
        detail += f"; {len(report.findings)} problemen, eerste: {report.findings[0]}"
    async with ctx.db.write() as conn:
        await append(
            conn,
            [
                LogEntry(
                    name=VERIFY_EVENT,
                    actor=who.actor,
                    outcome="intact" if report.ok else "broken",
                    detail=detail,
                    trace_id=new_trace_id(),
                    status_code=STATUS_OK if report.ok else STATUS_ERROR,
                )
            ],
            ctx.clock.now(),
        )
    raise flash_redirect("/privacy")


# --- consent register --------------------------------------------------------------------------


@page(roles=PRIVACY_OFFICER)
async def consents(request: web.Request, who: Principal) -> web.StreamResponse:
    ctx = hub(request)
    form = clean_query(request.query)
    errors: list[str] = []
    rows: list[Any] = []
    try:
        f = ConsentFilter.model_validate({**form, "limit": PAGE_SIZE})
        rows = await list_consents(ctx, f, reader(request, who))
    except ValidationError as exc:
        errors = filter_errors(exc)
    return await render(
        request,
        "privacy/consents.html",
        {
            "form": form,
            "errors": errors,
            "rows": rows,
            "partners": ctx.partners.all(),
            "statuses": [(s.value, CONSENT_STATUS_NL[s]) for s in ConsentStatus],
            "status_nl": {s.value: CONSENT_STATUS_NL[s] for s in ConsentStatus},
            "category_nl": {c.value: label for c, label in CATEGORY_LABELS_NL.items()},
            "nl_time": nl_time,
        },
        status=422 if errors else 200,
    )


# --- processing log ----------------------------------------------------------------------------


class LogForm(BaseModel):
    """The log page's form in the officer's terms (dates, a client id); becomes a LogFilter."""

    client: str | None = None
    partner_id: str | None = None
    name: str | None = None
    outcome: str | None = None
    van: date | None = None
    tot: date | None = None  # inclusive
    after_seq: int = 0

    def to_filter(self, limit: int) -> log_query.LogFilter:
        def start_of(d: date) -> datetime:
            return datetime.combine(d, time(), AMSTERDAM)

        data: dict[str, Any] = {
            "partner_id": self.partner_id,
            "name": self.name,
            "outcome": self.outcome,
            "after_seq": self.after_seq,
            "limit": limit,
        }
        if self.client:
            data["data_subject_id"] = self.client
        if self.van:
            data["since"] = start_of(self.van)
        if self.tot:
            data["until"] = start_of(date.fromordinal(self.tot.toordinal() + 1))
        return log_query.LogFilter.model_validate(data)


def _log_filter(request: web.Request, limit: int) -> tuple[dict[str, str], log_query.LogFilter]:
    form = clean_query(request.query)
    return form, LogForm.model_validate(form).to_filter(limit)


@page(roles=PRIVACY_OFFICER)
async def processing_log(request: web.Request, who: Principal) -> web.StreamResponse:
    ctx = hub(request)
    errors: list[str] = []
    rows: list[dict[str, Any]] = []
    form = clean_query(request.query)
    try:
        form, f = _log_filter(request, PAGE_SIZE + 1)
        rows = await log_query.query(ctx, f, reader(request, who))
    except ValidationError as exc:
        errors = filter_errors(exc)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    next_query = {**form, "after_seq": str(rows[-1]["seq"])} if more else None
    csv_query = {k: v for k, v in form.items() if k != "after_seq"}
    return await render(
        request,
        "privacy/log.html",
        {
            "form": form,
            "errors": errors,
            "rows": rows,
            "next_query": next_query,
            "csv_query": csv_query,
            "partners": ctx.partners.all(),
            "events": EVENT_NL,
            "outcomes": OUTCOME_NL,
            "partner_names": {p.id: p.name for p in ctx.partners.all()},
            "nl_time": nl_time,
        },
        status=422 if errors else 200,
    )


def _csv(request: web.Request, rows: list[dict[str, Any]], filename: str) -> web.Response:
    """For Dutch spreadsheets: semicolons, a byte order mark, Dutch headers and dates."""
    partners = {p.id: p.name for p in hub(request).partners.all()}
    return web.Response(
        body=to_spreadsheet(rows, partners),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@page(roles=PRIVACY_OFFICER)
async def processing_log_csv(request: web.Request, who: Principal) -> web.StreamResponse:
    try:
        _, f = _log_filter(request, 1000)
    except ValidationError as exc:
        raise ApiError(422, "validation_error", "; ".join(filter_errors(exc))) from None
    rows = await log_entries(hub(request), f, 100_000, reader(request, who))
    return _csv(request, rows, "verwerkingenlog.csv")


# --- access report -----------------------------------------------------------------------------


@page(roles=PRIVACY_OFFICER)
async def access_search(request: web.Request, who: Principal) -> web.StreamResponse:
    """The search form: by name or BSN, sent by POST (a BSN never travels in a URL)."""
    return await render(
        request, "privacy/access_search.html", {"term": "", "results": None, "error": None}
    )


@page(roles=PRIVACY_OFFICER)
async def access_search_post(request: web.Request, who: Principal) -> web.StreamResponse:
    form = await request.post()
    term = str(form.get("zoek", "")).strip()[:200]
    error = None
    results: list[client_search.Found] = []
    if len(term) < 2:
        error = gettext("Enter a name (at least two letters) or a BSN.")
    else:
        results = await client_search.find(hub(request), term, reader(request, who))
        if not results:
            error = gettext("No client found with this name or BSN.")
    return await render(
        request,
        "privacy/access_search.html",
        {
            # A BSN is not echoed back into the page (nor into a URL).
            "term": "" if client_search.as_bsn(term) else term,
            "results": results,
            "error": error,
            "nl_date": nl_date,
        },
        status=422 if error and len(term) < 2 else (404 if error else 200),
    )


# --- who acted: an actor's pseudonym → the person ---------------------------------------------

LOOKUP_EVENT = "staff.lookup"


@page(roles=PRIVACY_OFFICER)
async def actor_form(request: web.Request, who: Principal) -> web.StreamResponse:
    actor = request.query.get("wie", "").strip()[:100]
    return await render(
        request, "privacy/actor.html", {"actor": actor, "found": None, "error": None}
    )


@page(roles=PRIVACY_OFFICER)
async def actor_lookup(request: web.Request, who: Principal) -> web.StreamResponse:
    """Who is behind "coach/df7d2555"; the look-up is itself a processing and is logged
    (who looked up whom) before the answer is shown."""
    ctx = hub(request)
    form = await request.post()
    actor = str(form.get("wie", "")).strip()[:100]
    if people.parse_actor(actor) is None:
        return await render(
            request,
            "privacy/actor.html",
            {
                "actor": actor,
                "found": None,
                "error": gettext(
                    "Enter it as the processing log shows it, for example coach/df7d2555: "
                    "the role, a slash and eight characters."
                ),
            },
            status=422,
        )
    async with ctx.db.write() as conn:
        found = await people.lookup(ctx, conn, actor)
        await append(
            conn,
            [
                LogEntry(
                    name=LOOKUP_EVENT,
                    actor=who.actor,
                    outcome="found" if found else "not_found",
                    detail=f"opgezocht: {actor}",
                    trace_id=new_trace_id(),
                    status_code=STATUS_OK,
                )
            ],
            ctx.clock.now(),
        )
    return await render(
        request,
        "privacy/actor.html",
        {"actor": actor, "found": found, "nl_time": nl_time, "error": None},
    )


@page(roles=PRIVACY_OFFICER)
async def access_page(request: web.Request, who: Principal) -> web.StreamResponse:
    client_id = _client_hex(request.match_info["client_id"])
    report = await access_report.build(hub(request), client_id, reader(request, who))
    return await render(
        request,
        "privacy/access_report.html",
        {"r": report, "client_id": client_id, "nl_time": nl_time},
    )


@page(roles=PRIVACY_OFFICER)
async def access_print(request: web.Request, who: Principal) -> web.StreamResponse:
    """The document for the client, as the API serves it: self-contained, print-ready."""
    client_id = _client_hex(request.match_info["client_id"])
    report = await access_report.build(hub(request), client_id, reader(request, who))
    resp = web.Response(
        text=access_report.render_html(report), content_type="text/html", charset="utf-8"
    )
    # Its own inline stylesheet, no scripts at all.
    resp.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"
    )
    return resp


@page(roles=PRIVACY_OFFICER)
async def access_pdf(request: web.Request, who: Principal) -> web.StreamResponse:
    client_id = _client_hex(request.match_info["client_id"])
    report = await access_report.build(hub(request), client_id, reader(request, who))
    return web.Response(
        body=render_pdf(report),
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="inzage-{client_id[:8]}.pdf"'},
    )


@page(roles=PRIVACY_OFFICER)
async def access_csv(request: web.Request, who: Principal) -> web.StreamResponse:
    """Every processing-log entry about this client (decisions, refusals, deliveries)."""
    client_id = _client_hex(request.match_info["client_id"])
    async with hub(request).db.read() as conn:
        if await conn.scalar(select(CLIENT.c.id).where(CLIENT.c.id == client_id)) is None:
            raise not_found("Cliënt")
    f = log_query.LogFilter(data_subject_id=uuid.UUID(client_id), limit=1000)
    rows = await log_entries(hub(request), f, 100_000, reader(request, who))
    return _csv(request, rows, "verwerkingen.csv")
