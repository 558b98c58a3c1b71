"""Team leader pages: the chain report as tables and server-rendered SVG charts (per partner
and period, with filters, CSV download), the team leader's escalation notices (mark read) and
the steering group's list.

Roles, team scope and figures are the API's: `chain_report_routes.READERS`,
`roles.TEAM_READERS` / `STEERING_READERS`, `auth.team_scope` (a team leader sees
the own team, the privacy officer all teams) and `chain_report.build` / `to_csv`,
`escalation.list_steps` / `mark_read`. Suppressed figures stay suppressed: shown as "< 5".
"""

from collections import defaultdict
from datetime import date
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from markupsafe import Markup, escape
from pydantic import ValidationError

from wijkhub.hub.casework.escalation import STEP_LABELS_NL, Step, list_steps, mark_read
from wijkhub.hub.core.auth import Principal
from wijkhub.hub.core.clock import local_date
from wijkhub.hub.core.errors import hex_id, not_found
from wijkhub.hub.core.roles import CHAIN_REPORT_READERS, STEERING_READERS, TEAM_READERS
from wijkhub.hub.i18n import dates, gettext, pydantic_message
from wijkhub.hub.reports.chain_report import (
    MIN_CASES,
    SUPPRESSED,
    ChainReport,
    ReportQuery,
    build,
    default_range,
)
from wijkhub.hub.reports.chain_report import to_csv as report_csv
from wijkhub.hub.web.kit import flash_redirect, hub, page, render, scope
from wijkhub.hub.web.privacy_pages import clean_query, nl_time

PERIOD_NL = {
    "month": gettext("per month"),
    "quarter": gettext("per quarter"),
    "range": gettext("whole period"),
}
TIMING_NL = {
    "first_answer": gettext("first answer (timing)"),
    "decision": gettext("decision (timing)"),
    "execution": gettext("execution (timing)"),
}
STEP_NL = {s.value: label for s, label in STEP_LABELS_NL.items()}
REASON_NL = {
    "professional_secrecy": gettext("professional secrecy"),
    "no_capacity": gettext("no capacity"),
    "not_eligible": gettext("not eligible"),
    "not_responsible": gettext("not responsible"),
    "client_declined": gettext("the client does not want it (reason)"),
    "other": gettext("other (reason)"),
    "zonder_code": gettext("without a code"),
}
HIDDEN = f"< {MIN_CASES}"
WHY_HIDDEN = gettext(
    "hidden: this figure rests on fewer than {n} items, and so few cases can be traced back "
    "to an inwoner"
).format(n=MIN_CASES)
# The filter form's fields by the names the query's errors use.
FIELD_NL = {
    "from": gettext("Delivered from"),
    "until": gettext("Delivered up to and including"),
    "period": gettext("Period"),
}
# Chart geometry (SVG user units); colours meet WCAG contrast on white.
BAR_COLOURS = {"first_answer": "#01689b", "decision": "#8e3a00", "execution": "#2b6e2b"}
LABEL_W, BAR_H, GAP, CHART_W = 230, 14, 10, 640


def period_label(period: str) -> str:
    """ "2026-11" → "november 2026", "2026-Q4" → "4e kwartaal 2026", a range → its dates."""
    year, _, rest = period.partition("-")
    if rest.isdigit() and year.isdigit():
        return dates.month(int(year), int(rest))
    if rest.startswith("Q") and rest[1:].isdigit():
        return f"{rest[1:]}e kwartaal {year}"
    start, _, end = period.partition("..")
    if end:
        return f"{_nl_iso(start)} t/m {_nl_iso(end)}"
    return period


def _nl_iso(day: str) -> str:
    return dates.day(date.fromisoformat(day))


def cell(value: Any, kind: str = "count") -> Markup:
    """A table cell's figure; a suppressed one says (to a screen reader, and on hover) why."""
    if value == SUPPRESSED:
        return Markup(
            f'<span class="suppressed" title="{escape(WHY_HIDDEN)}">{escape(HIDDEN)}'
            f'<span class="visually-hidden"> ({escape(WHY_HIDDEN)})</span></span>'
        )
    return Markup(escape(shown(value, kind)))


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Dutch messages per filter field, to be shown next to it."""
    out: dict[str, str] = {}
    for e in exc.errors():
        name = str(e["loc"][0]) if e["loc"] else "from"
        name = {"from_date": "from", "until_date": "until"}.get(name, name)
        out.setdefault(name if name in FIELD_NL else "from", pydantic_message(e))
    return out


def shown(value: Any, kind: str = "count") -> str:
    """A figure as the page shows it: suppressed as "< 5", never a number."""
    if value == SUPPRESSED:
        return HIDDEN
    if kind == "share":
        return f"{value * 100:.1f}%".replace(".", ",")
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def _partner_names(request: web.Request) -> dict[str, str]:
    return {p.id: p.name for p in hub(request).partners.all()}


def _titles(request: web.Request) -> dict[str, str]:
    return {
        a.name: a.title_nl
        for t in hub(request).registry.partner_types.values()
        for a in t.advice_types
    }


def chart(partner: str, rows: list[Any], titles: dict[str, str]) -> Markup:
    """One partner's median working days to each milestone, per period and advice type, as a
    horizontal bar chart. A suppressed median gets no bar, only "< 5"."""
    values = [
        getattr(r, t).median for r in rows for t in TIMING_NL if getattr(r, t).median != SUPPRESSED
    ]
    top = max([float(v) for v in values] + [1.0])
    scale = (CHART_W - LABEL_W - 60) / top
    group_h = len(TIMING_NL) * BAR_H + GAP + 16
    height = 30 + len(rows) * group_h
    title = f"Mediaan werkdagen per periode bij {partner}"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {CHART_W} {height}" width="100%" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    x = LABEL_W
    for i, (t, label) in enumerate(TIMING_NL.items()):  # legend
        lx = x + i * 130
        out.append(
            f'<rect x="{lx}" y="4" width="12" height="12" fill="{BAR_COLOURS[t]}"/>'
            f'<text x="{lx + 16}" y="15" font-size="12" fill="#1a1a1a">{label}</text>'
        )
    y = 30
    for r in rows:
        # The group's label spans the whole chart above its bars: never cut off.
        what = f"{period_label(r.period)} · {titles.get(r.advice_type, r.advice_type)}"
        out.append(
            f'<text x="0" y="{y + 11}" font-size="12" font-weight="bold" fill="#1a1a1a">'
            f"{escape(what)}</text>"
        )
        y += 16
        for t, label in TIMING_NL.items():
            median = getattr(r, t).median
            if median == SUPPRESSED:
                out.append(
                    f'<text x="{LABEL_W}" y="{y + 11}" font-size="12" fill="#1a1a1a" '
                    f'class="suppressed">{label}: {escape(HIDDEN)} (te weinig gevallen)</text>'
                )
            else:
                w = max(float(median) * scale, 1.0)
                out.append(
                    f'<rect x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR_H - 2}" '
                    f'fill="{BAR_COLOURS[t]}"><title>{label}: {shown(median)} werkdagen'
                    f"</title></rect>"
                    f'<text x="{LABEL_W + w + 4:.1f}" y="{y + 11}" font-size="12" '
                    f'fill="#1a1a1a">{shown(median)}</text>'
                )
            y += BAR_H
        y += GAP
    out.append("</svg>")
    return Markup("".join(out))


async def _report(
    request: web.Request, who: Principal
) -> tuple[ChainReport | None, dict, dict[str, str]]:
    """The report the API would give this person for the filter form (None: invalid form)."""
    ctx = hub(request)
    form = clean_query(request.query)
    start, end = default_range(local_date(ctx.clock.now()))
    params: dict[str, Any] = {"from": start, "until": end, "period": "month"}
    params.update({k: v for k, v in form.items() if k in ("from", "until", "period")})
    try:
        query = ReportQuery.model_validate(params)
    except ValidationError as exc:
        return None, form, field_errors(exc)
    return await build(ctx, query, scope(who)), form, {}


@page(roles=CHAIN_REPORT_READERS)
async def chain_report_page(request: web.Request, who: Principal) -> web.StreamResponse:
    report, form, errors = await _report(request, who)
    names, titles = _partner_names(request), _titles(request)
    by_partner: dict[str, list[Any]] = defaultdict(list)
    for row in report.rows if report else []:
        by_partner[row.partner_id].append(row)
    charts = {p: chart(names.get(p, p), rows, titles) for p, rows in by_partner.items()}
    csv_query = urlencode(form)
    rows = report.rows if report else []
    hidden_rows = sum(1 for r in rows if r.cases == SUPPRESSED)
    return await render(
        request,
        "team/chain_report.html",
        {
            "report": report,
            "form": form,
            "errors": errors,
            "by_partner": by_partner,
            "charts": charts,
            "names": names,
            "titles": titles,
            "shown": shown,
            "cell": cell,
            "why_hidden": WHY_HIDDEN,
            "period_label": period_label,
            "hidden_rows": hidden_rows,
            "field_nl": FIELD_NL,
            "wider": urlencode({**form, "period": "range"}),
            "timing_nl": TIMING_NL,
            "step_nl": STEP_NL,
            "reason_nl": REASON_NL,
            "period_nl": PERIOD_NL,
            "hidden": HIDDEN,
            "csv_query": csv_query,
            "nl_time": nl_time,
        },
        status=422 if errors else 200,
    )


@page(roles=CHAIN_REPORT_READERS)
async def chain_report_csv(request: web.Request, who: Principal) -> web.StreamResponse:
    """The API's CSV (`chain_report.to_csv`) of the same report the page shows."""
    report, _, errors = await _report(request, who)
    if report is None:
        raise web.HTTPUnprocessableEntity(
            reason="; ".join(f"{FIELD_NL[k]}: {v}" for k, v in errors.items())
        )
    return web.Response(
        text=report_csv(report),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="ketenrapportage.csv"'},
    )


# --- escalations -----------------------------------------------------------------------------


def _team(who: Principal) -> str:
    team = scope(who)
    assert team is not None  # TEAM_READERS are team roles: scope() refuses one without a team
    return team


@page(roles=TEAM_READERS)
async def notices(request: web.Request, who: Principal) -> web.StreamResponse:
    unread = request.query.get("ongelezen") == "ja"
    items = await list_steps(hub(request), Step.team_leader, team=_team(who), unread_only=unread)
    return await render(
        request,
        "team/notices.html",
        {
            "notices": items,
            "unread": unread,
            "nl_time": nl_time,
            "titles": _titles(request),
            "done": request.query.get("gedaan") == "gelezen",
        },
    )


@page(roles=TEAM_READERS)
async def notice_read(request: web.Request, who: Principal) -> web.StreamResponse:
    item_id = hex_id(request.match_info["item_id"], "Melding")
    if not await mark_read(hub(request), item_id, _team(who), who.actor):
        raise not_found("Melding")
    raise flash_redirect("/team/meldingen?gedaan=gelezen")


@page(roles=STEERING_READERS)
async def steering(request: web.Request, who: Principal) -> web.StreamResponse:
    open_only = request.query.get("open") == "ja"
    items = await list_steps(hub(request), Step.steering_report, open_only=open_only)
    return await render(
        request,
        "team/steering.html",
        {"items": items, "open_only": open_only, "nl_time": nl_time, "titles": _titles(request)},
    )
