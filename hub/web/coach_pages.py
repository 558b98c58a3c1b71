"""Coach pages: my households, a household with its consents and advices, the advice
composer with its preview per partner (submit's dry run), and the advice page whose partner
answers appear without reloading.

Every page calls the functions the API calls (`clients`, `consents`, `advices`) with the team
scope of the signed-in coach: one implementation of who may see what.
"""

import hashlib
from datetime import datetime
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from wijkhub.hub.casework import consultation, plan
from wijkhub.hub.casework import withdrawal as consents
from wijkhub.hub.casework.escalation import STEP_LABELS_NL
from wijkhub.hub.core.auth import Principal
from wijkhub.hub.core.clock import AMSTERDAM, local_date
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import ApiError, FieldError, hex_id, validation_error
from wijkhub.hub.core.read_log import Reader
from wijkhub.hub.core.roles import COACH
from wijkhub.hub.i18n import gettext, ngettext
from wijkhub.hub.path import plan_view
from wijkhub.hub.path.preview import AdvicePreview
from wijkhub.hub.path.preview import preview as preview_advice
from wijkhub.hub.path.submit import submit as submit_advice
from wijkhub.hub.path.timeline import get as get_advice
from wijkhub.hub.records import clients, households
from wijkhub.hub.records import consents as consent_register
from wijkhub.hub.web import coach_data, coach_forms, coach_words
from wijkhub.hub.web.kit import flash_redirect, hub, page, reader, render, scope
from wijkhub.hub.web.submit_once import FIELD as SUBMIT_TOKEN
from wijkhub.hub.web.submit_once import submitted_once
from wijkhub.schemas.advice import AdviceItemOut, AdviceOut, Threat, TimelineEvent, Urgency
from wijkhub.schemas.categories import CATEGORY_LABELS_NL, LEGAL_BASIS_LABELS_NL, DataCategory
from wijkhub.schemas.client import ClientIn
from wijkhub.schemas.consent import ConsentIn, ConsentStatus
from wijkhub.schemas.consultation import (
    CONSULTATION_KIND_LABELS_NL,
    ConsultationIn,
    ConsultationKind,
    DeclineIn,
)
from wijkhub.schemas.household import (
    LIFE_DOMAIN_LABELS_NL,
    GoalIn,
    HouseholdIn,
    LifeDomain,
    MemberIn,
    MemberRole,
)
from wijkhub.schemas.status import (
    DELIVERY_STATUS_LABELS_NL,
    PARTNER_STATUS_LABELS_NL,
)

HOUSEHOLD_ROLE_NL = coach_words.VALUES["role"]
CONSENT_STATUS_NL = {
    ConsentStatus.active: gettext("valid"),
    ConsentStatus.withdrawn: gettext("withdrawn"),
    ConsentStatus.expired: gettext("expired"),
}
STATUS_NL: dict[str, str] = {
    **coach_words.STATUS,
    **{k.value: v for k, v in DELIVERY_STATUS_LABELS_NL.items()},
    **{k.value: v for k, v in PARTNER_STATUS_LABELS_NL.items()},
}
FIELD_NL = coach_words.FIELD


def local(moment: datetime) -> datetime:
    """Times are stored in UTC; a coach reads them in Dutch time."""
    return moment.astimezone(AMSTERDAM)


def labels(ctx: HubContext) -> dict[str, Any]:
    return {
        "clock_note": coach_data.clock_note(ctx),
        "local": local,
        "day": coach_words.day,
        "moment": coach_words.moment,
        "euros": coach_words.euros,
        "field_label": coach_words.field,
        "value_label": coach_words.value,
        "readable": coach_words.without_ids,
        "error_where": coach_forms.where,
        "cap": lambda text: text[:1].upper() + text[1:],
        "role_words": coach_words.ROLE,
        "category_nl": {c.value: v for c, v in CATEGORY_LABELS_NL.items()},
        "basis_nl": {b.value: v for b, v in LEGAL_BASIS_LABELS_NL.items()},
        "status_nl": STATUS_NL,
        "household_role_nl": HOUSEHOLD_ROLE_NL,
        "consent_status_nl": {k.value: v for k, v in CONSENT_STATUS_NL.items()},
        "urgency_nl": {k.value: v for k, v in coach_forms.URGENCY_NL.items()},
        "threat_nl": {k.value: v for k, v in coach_forms.THREAT_NL.items()},
        "field_nl": FIELD_NL,
        "escalation_nl": {k.value: v for k, v in STEP_LABELS_NL.items()},
        "kind_nl": {k.value: v for k, v in CONSULTATION_KIND_LABELS_NL.items()},
        "proposal_nl": consultation.PROPOSAL_STATUS_NL,
    }


def event_row(e: TimelineEvent) -> dict[str, str]:
    """One timeline event as the coach reads it: step, status and detail in words, without
    roles, step names or references in code."""
    status = e.status
    if e.kind == "escalation":
        shown = {k.value: v for k, v in STEP_LABELS_NL.items()}.get(status, "")
    elif e.kind in ("consultation_in", "consultation_out"):
        shown = {k.value: v for k, v in CONSULTATION_KIND_LABELS_NL.items()}.get(status, "")
    elif e.kind == "counter_proposal":
        shown = consultation.PROPOSAL_STATUS_NL.get(status, coach_words.status(status))
    elif e.kind == "superseded":
        shown = ""  # its status is the new version's id
    elif e.kind == "version":
        shown = gettext("version {n}").format(n=status) if status.isdigit() else ""
    else:
        shown = STATUS_NL.get(status, coach_words.status(status))
    return {
        "moment": coach_words.moment(e.at),
        "step": coach_words.step(e.kind),
        "status": shown,
        "detail": coach_words.readable_message(e.detail or ""),
        "kind": e.kind,
    }


def type_titles(ctx: HubContext) -> dict[str, str]:
    """'partner_type/advice_type' → the plugin's Dutch title."""
    return {
        f"{t.name}/{a.name}": a.title_nl
        for t in ctx.registry.partner_types.values()
        for a in t.advice_types
    }


def _team(who: Principal) -> str | None:
    return scope(who)


# --- my households -----------------------------------------------------------------------------


@page(roles=COACH)
async def my_households(request: web.Request, who: Principal) -> web.StreamResponse:
    found = await coach_data.team_clients(hub(request), _team(who), reader(request, who))
    return await render(
        request, "coach/households.html", {"clients": found, "q": "", **labels(hub(request))}
    )


@page(roles=COACH)
async def search_households(request: web.Request, who: Principal) -> web.StreamResponse:
    """The search by name or BSN is a POST (its CSRF field checked like every form's): a BSN
    in a URL would stay in the browser's history and in every proxy's log. The answer is the
    result page itself, at a URL without the query."""
    form = await request.post()
    q = str(form.get("zoek", ""))[:100]
    found = await coach_data.team_clients(hub(request), _team(who), reader(request, who), q)
    return await render(
        request, "coach/households.html", {"clients": found, "q": q, **labels(hub(request))}
    )


# --- a household -------------------------------------------------------------------------------


async def _household_page(
    request: web.Request,
    who: Principal,
    client_id: str,
    *,
    errors: list[FieldError] | None = None,
    open_partner: str | None = None,
    form: str | None = None,
    status: int = 200,
) -> web.Response:
    ctx = hub(request)
    team = _team(who)
    by = reader(request, who)
    client = await clients.get(ctx, client_id, by, team=team)
    consent_list = await consent_register.list_for_client(ctx, client_id, by, team=team)
    summaries = await coach_data.client_advices(ctx, client_id, team, by)
    homes = await household_records(ctx, client_id, team, by)
    # Every advice shown (the client's own, and those the plan links to a member) is read
    # through the API's `timeline.get`, so its items get the same state as on the advice page.
    advice_ids = list(
        dict.fromkeys(
            [a.id for a in summaries]
            + [it.advice_id.hex for h in homes for mp in h["plan"].members for it in mp.items]
        )
    )
    advices = [await get_advice(ctx, a, by, team=team) for a in advice_ids]
    today = local_date(ctx.clock.now())
    names = {p.id: p.name for p in ctx.partners.all()}
    titles = type_titles(ctx)
    states: dict[str, coach_data.ShownState] = {}
    numbers: dict[str, int] = {}
    for advice in advices:
        replaced = coach_data.replaced_ids(advice)
        for n, it in enumerate(advice.items, start=1):
            states[it.id.hex] = coach_data.item_state(it, today, replaced)
            numbers[it.id.hex] = n
    partners = []
    for p in ctx.partners.all():
        ptype = ctx.registry.get(p.type)
        partners.append(
            {
                "id": p.id,
                "name": p.name,
                "purposes": [(a.name, a.title_nl) for a in ptype.advice_types] if ptype else [],
            }
        )
    return await render(
        request,
        "coach/household.html",
        {
            "client": client,
            "homes": homes,
            "members": household_members(client),
            "consents": consent_list,
            "advices": [a for a in advices if a.client_id.hex == client_id],
            "states": states,
            "numbers": numbers,
            "partners": partners,
            "partner_names": names,
            "categories": list(DataCategory),
            "today": today,
            "type_titles": titles,
            "advice_titles": {k.split("/", 1)[1]: v for k, v in titles.items()},
            "item_title": lambda it: item_title(it, numbers, names, titles),
            "roles": [(r.value, HOUSEHOLD_ROLE_NL[r.value]) for r in MemberRole],
            "domains": [(d.value, LIFE_DOMAIN_LABELS_NL[d]) for d in LifeDomain],
            "errors": errors or [],
            "error_for": {e.field: e.message for e in errors or []},
            "open_partner": open_partner,
            "open_form": form,
            "done": DONE_NL.get(request.query.get("gedaan", "")),
            **labels(hub(request)),
        },
        status=status,
    )


async def household_records(
    ctx: HubContext, client_id: str, team: str | None, by: Reader
) -> list[dict[str, Any]]:
    """The client's households as the API has them (`households.get`, `plan_view.view`, the same
    team scope): members with their roles, each member's consents, and the plan per member."""
    out = []
    for household_id in await coach_data.household_ids(ctx, client_id, team):
        home = await households.get(ctx, household_id, team, by)
        member_consents = {
            m.id: await consent_register.list_for_client(ctx, m.client_id.hex, by, team=team)
            for m in home.members
        }
        out.append(
            {
                "household": home,
                "plan": await plan_view.view(ctx, household_id, team, by),
                "consents": member_consents,
            }
        )
    return out


def household_members(client: Any) -> list[dict[str, Any]]:
    """The client first, then the household as written in the client's record (shown when the
    client is in no household record)."""
    rows = [
        {
            "name": f"{client.given_names} {client.family_name}",
            "birth_date": client.birth_date,
            "role": gettext("client"),
            "client_id": client.id.hex,
        }
    ]
    for m in client.household or []:
        rows.append(
            {
                "name": f"{m.given_name} {m.family_name or ''}".strip(),
                "birth_date": m.birth_date,
                "role": HOUSEHOLD_ROLE_NL.get(m.role.value, ""),
                "client_id": None,
            }
        )
    return rows


@page(roles=COACH)
async def household(request: web.Request, who: Principal) -> web.StreamResponse:
    return await _household_page(request, who, hex_id(request.match_info["client_id"], "Cliënt"))


@page(roles=COACH)
async def record_consent(request: web.Request, who: Principal) -> web.StreamResponse:
    client_id = hex_id(request.match_info["client_id"], "Cliënt")
    form = await request.post()
    partner_id = str(form.get("partner_id", ""))
    body = {
        "partner_id": partner_id,
        "purposes": [str(v) for v in form.getall("doelen", [])],
        "categories": [str(v) for v in form.getall("categorieen", [])],
        "explicit": form.get("uitdrukkelijk") == "ja",
        "valid_from": str(form.get("geldig_vanaf", "")) or None,
        "valid_until": str(form.get("geldig_tot", "")) or None,
        "evidence_ref": str(form.get("bewijs", "")),
    }
    try:
        data = ConsentIn.model_validate(body)

        async def register() -> str:
            await consent_register.register(
                hub(request), client_id, data, who.actor, team=_team(who)
            )
            return f"/coach/clienten/{client_id}#toestemmingen"

        done = await submitted_once(
            hub(request),
            request,
            who,
            form.get(SUBMIT_TOKEN),
            data.model_dump_json().encode(),
            register,
        )
    except ValidationError as exc:
        errors = [
            FieldError(e.field, EVIDENCE_HINT)
            if e.field == "evidence_ref"
            else FieldError(e.field, coach_words.readable_message(e.message))
            for e in validation_error(exc).fields
        ]
        return await _household_page(
            request, who, client_id, errors=errors, open_partner=partner_id, status=422
        )
    except ApiError as exc:
        if exc.status != 422:
            raise
        errors = exc.fields or [FieldError("body", exc.message)]
        return await _household_page(
            request, who, client_id, errors=errors, open_partner=partner_id, status=422
        )
    raise done


@page(roles=COACH)
async def withdraw_consent(request: web.Request, who: Principal) -> web.StreamResponse:
    consent_id = hex_id(request.match_info["consent_id"], "Toestemming")
    form = await request.post()
    reason = str(form.get("reden", "")).strip()[:500] or "Ingetrokken door de cliënt."
    consent = await consents.withdraw(hub(request), consent_id, reason, who.actor, team=_team(who))
    raise flash_redirect(f"/coach/clienten/{consent.client_id.hex}#toestemmingen")


# --- registering a client, a household, its members and goals --------------------------------


async def _client_form(
    request: web.Request,
    typed: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    status: int = 200,
) -> web.Response:
    q = request.query if typed is None else {}
    return await render(
        request,
        "coach/client_new.html",
        {
            "typed": typed or {},
            "errors": errors or [],
            "error_for": {e.field: e.message for e in errors or []},
            "household": str(q.get("huishouden", "") or (typed or {}).get("huishouden", "")),
            "role": str(q.get("rol", "") or (typed or {}).get("rol", "")),
            "back": str(q.get("terug", "") or (typed or {}).get("terug", "")),
            "genders": list(coach_words.VALUES["gender"].items()),
            "tenures": list(coach_words.VALUES["tenure"].items()),
            "incomes": list(coach_words.VALUES["income_source"].items()),
            "roles": [(r.value, HOUSEHOLD_ROLE_NL[r.value]) for r in MemberRole],
            **labels(hub(request)),
        },
        status=status,
    )


@page(roles=COACH)
async def new_client(request: web.Request, who: Principal) -> web.StreamResponse:
    return await _client_form(request)


@page(roles=COACH)
async def new_client_post(request: web.Request, who: Principal) -> web.StreamResponse:
    ctx = hub(request)
    form = await request.post()
    body, typed = coach_forms.client_body(form)
    extra = {k: str(form.get(k, "")) for k in ("huishouden", "rol", "terug")}
    typed |= extra
    team = _team(who)
    try:
        data = ClientIn.model_validate(body)
        member = None
        if extra["huishouden"]:
            household_id = hex_id(extra["huishouden"], "Huishouden")
            member = (household_id, MemberRole(extra["rol"] or MemberRole.other.value))

        async def register() -> str:
            assert team is not None  # a coach always has a team (scope refuses otherwise)
            client = await clients.create(ctx, data, who.actor, team, person=who.person_id)
            if member is not None:
                await households.add_member(
                    ctx, member[0], MemberIn(client_id=client.id, role=member[1]), who.actor, team
                )
            back = extra["terug"] if member is not None and extra["terug"] else client.id.hex
            return f"/coach/clienten/{hex_id(back, 'Cliënt')}?gedaan=geregistreerd"

        done = await submitted_once(
            ctx, request, who, form.get(SUBMIT_TOKEN), data.model_dump_json().encode(), register
        )
    except ValidationError as exc:
        errors = coach_forms.client_errors(validation_error(exc).fields)
        return await _client_form(request, typed, errors, status=422)
    except ValueError:
        errors = [FieldError("rol", gettext("Choose a role in the household."))]
        return await _client_form(request, typed, errors, status=422)
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        errors = coach_forms.client_errors(exc.fields) or [FieldError("bsn", exc.message)]
        return await _client_form(request, typed, errors, status=422)
    raise done


async def _plan_change(
    request: web.Request,
    who: Principal,
    client_id: str,
    what: str,
    change: Any,
    fingerprint: bytes,
) -> web.StreamResponse:
    """Run one change of the household or its plan once; errors back on the household page."""
    form = await request.post()

    async def run() -> str:
        await change()
        return f"/coach/clienten/{client_id}?gedaan={what}#huishouden"

    try:
        done = await submitted_once(
            hub(request), request, who, form.get(SUBMIT_TOKEN), fingerprint, run
        )
    except ApiError as exc:
        if exc.status not in (404, 409, 422):
            raise
        errors = [
            FieldError(what, coach_words.readable_message(e.message))
            for e in exc.fields or [FieldError(what, exc.message)]
        ]
        return await _household_page(request, who, client_id, errors=errors, form=what, status=422)
    raise done


def _form_error(what: str, exc: ValidationError) -> list[FieldError]:
    return [
        FieldError(what, coach_words.readable_message(e.message))
        for e in validation_error(exc).fields
    ]


@page(roles=COACH)
async def create_household(request: web.Request, who: Principal) -> web.StreamResponse:
    client_id = hex_id(request.match_info["client_id"], "Cliënt")
    form = await request.post()
    team = _team(who)
    try:
        body = HouseholdIn.model_validate(
            {"members": [{"client_id": client_id, "role": str(form.get("rol", ""))}]}
        )
    except ValidationError as exc:
        errors = _form_error("huishouden", exc)
        return await _household_page(
            request, who, client_id, errors=errors, form="huishouden", status=422
        )

    async def change() -> None:
        assert team is not None
        await households.create(hub(request), body, who.actor, team)

    return await _plan_change(
        request, who, client_id, "huishouden", change, body.model_dump_json().encode()
    )


@page(roles=COACH)
async def add_member(request: web.Request, who: Principal) -> web.StreamResponse:
    household_id = hex_id(request.match_info["household_id"], "Huishouden")
    form = await request.post()
    client_id = hex_id(str(form.get("terug", "")), "Cliënt")
    team = _team(who)
    bsn = str(form.get("bsn", "")).replace(" ", "").replace(".", "")
    # An existing client of the team, found by BSN (through its keyed hash, as the search).
    found = (
        await coach_data.team_clients(hub(request), team, reader(request, who), bsn)
        if coach_data.BSN.match(bsn)
        else []
    )
    if not found:
        errors = [FieldError("lid", gettext("No client of your team has this BSN."))]
        return await _household_page(request, who, client_id, errors=errors, form="lid", status=422)
    try:
        body = MemberIn.model_validate({"client_id": found[0].id, "role": str(form.get("rol", ""))})
    except ValidationError as exc:
        errors = _form_error("lid", exc)
        return await _household_page(request, who, client_id, errors=errors, form="lid", status=422)

    async def change() -> None:
        assert team is not None
        await households.add_member(hub(request), household_id, body, who.actor, team)

    fingerprint = (household_id + body.model_dump_json()).encode()
    return await _plan_change(request, who, client_id, "lid", change, fingerprint)


@page(roles=COACH)
async def add_goal(request: web.Request, who: Principal) -> web.StreamResponse:
    household_id = hex_id(request.match_info["household_id"], "Huishouden")
    form = await request.post()
    client_id = hex_id(str(form.get("terug", "")), "Cliënt")
    team = _team(who)
    try:
        body = GoalIn.model_validate(
            {
                "member_id": str(form.get("lid", "")),
                "domain": str(form.get("leefgebied", "")),
                "text": str(form.get("tekst", "")).strip(),
            }
        )
    except ValidationError as exc:
        errors = _form_error("doel", exc)
        return await _household_page(
            request, who, client_id, errors=errors, form="doel", status=422
        )

    async def change() -> None:
        assert team is not None
        await plan.add_goal(hub(request), household_id, body, who.actor, team)

    fingerprint = (household_id + body.model_dump_json()).encode()
    return await _plan_change(request, who, client_id, "doel", change, fingerprint)


EVIDENCE_HINT = gettext(
    "Give a document number (letters, digits and - . / :, at least 3 characters) or "
    "sha256: followed by the 64 characters of the form's hash."
)
DONE_NL = {
    "geregistreerd": gettext("The client is registered."),
    "huishouden": gettext("The household is created."),
    "lid": gettext("The member is added to the household."),
    "doel": gettext("The goal is added to the plan."),
}


# --- the advice composer -----------------------------------------------------------------------


async def _composer(
    request: web.Request,
    who: Principal,
    client_id: str,
    summary: str,
    items: list[coach_forms.ItemForm],
    *,
    preview: AdvicePreview | None = None,
    preview_hash: str = "",
    stale: bool = False,
    errors: list[FieldError] | None = None,
    status: int = 200,
) -> web.Response:
    ctx = hub(request)
    by = reader(request, who)
    client = await clients.get(ctx, client_id, by, team=_team(who))
    homes = await household_records(ctx, client_id, _team(who), by)
    members = [m for h in homes for m in h["household"].members]
    goals = [(mp.member, g) for h in homes for mp in h["plan"].members for g in mp.goals]
    errs = errors or []
    return await render(
        request,
        "coach/composer.html",
        {
            "client": client,
            "members": members,
            "goals": goals,
            "wait_statuses": coach_forms.WAIT_STATUSES,
            "error_at": {coach_forms.error_key(e.field): e.message for e in errs},
            "summary": summary,
            "items": items,
            "choices": coach_forms.choices(ctx),
            "urgencies": [u.value for u in Urgency],
            "threats": [t.value for t in Threat],
            "preview": preview,
            "preview_hash": preview_hash,
            "stale": stale,
            "errors": errors or [],
            "error_fields": {e.field for e in errors or []},
            "max_items": coach_forms.MAX_ITEMS,
            **labels(hub(request)),
        },
        status=status,
    )


@page(roles=COACH)
async def composer(request: web.Request, who: Principal) -> web.StreamResponse:
    client_id = hex_id(request.match_info["client_id"], "Cliënt")
    return await _composer(request, who, client_id, "", [coach_forms.ItemForm(0)])


@page(roles=COACH)
async def composer_post(request: web.Request, who: Principal) -> web.StreamResponse:
    ctx = hub(request)
    client_id = hex_id(request.match_info["client_id"], "Cliënt")
    form = await request.post()
    summary, items = coach_forms.parse(ctx, form)
    action = str(form.get("actie", "bijwerken"))
    if action == "toevoegen" and len(items) < coach_forms.MAX_ITEMS:
        items.append(coach_forms.ItemForm(len(items)))
    if action.startswith("verwijder-") and len(items) > 1:
        drop = action.removeprefix("verwijder-")
        items = [it for it in items if str(it.index) != drop]
        for n, it in enumerate(items):
            it.index = n
    if action not in ("voorbeeld", "versturen"):
        return await _composer(request, who, client_id, summary, items)
    body, positions = coach_forms.to_body(client_id, summary, items)
    data, errors = coach_forms.validate(body, positions)
    if data is None:
        return await _composer(request, who, client_id, summary, items, errors=errors, status=422)
    # Send only what was previewed: a form changed after its preview is previewed again.
    digest = hashlib.sha256(data.model_dump_json().encode()).hexdigest()
    stale = action == "versturen" and form.get("voorbeeld_van") != digest
    try:
        if action == "voorbeeld" or stale:
            shown = await preview_advice(ctx, data, reader(request, who), team=_team(who))
            for it in shown.items:  # the form row, not the position among the items sent
                it.position = positions[it.position]
            return await _composer(
                request,
                who,
                client_id,
                summary,
                items,
                preview=shown,
                preview_hash=digest,
                stale=stale,
            )

        async def send() -> str:
            advice = await submit_advice(
                ctx, data, who.actor, team=_team(who), person=who.person_id
            )
            return f"/coach/adviezen/{advice.id.hex}"

        done = await submitted_once(
            ctx, request, who, form.get(SUBMIT_TOKEN), data.model_dump_json().encode(), send
        )
    except ApiError as exc:
        if exc.status != 422:
            raise
        errors = coach_forms.remap(exc.fields, positions) or [FieldError("body", exc.message)]
        return await _composer(request, who, client_id, summary, items, errors=errors, status=422)
    raise done


# --- the advice page ---------------------------------------------------------------------------


async def _advice_context(request: web.Request, advice: AdviceOut) -> dict[str, Any]:
    ctx = hub(request)
    today = local_date(ctx.clock.now())
    names = {p.id: p.name for p in ctx.partners.all()}
    titles = type_titles(ctx)
    replaced = coach_data.replaced_ids(advice)
    states = {it.id.hex: coach_data.item_state(it, today, replaced) for it in advice.items}
    # The number the composer gave it: its place in this advice (one numbering everywhere).
    numbers = {it.id.hex: n for n, it in enumerate(advice.items, start=1)}
    current = [it for it in advice.items if it.id.hex not in replaced and it.decision.allowed]
    sent = [it for it in current if states[it.id.hex].code not in coach_data.NOT_YET_SENT]
    partners_sent = {it.partner_id for it in sent}
    partners_answered = {it.partner_id for it in sent if it.partner_status is not None}
    late = [it for it in advice.items if states[it.id.hex].code == "late"]
    return {
        "advice": advice,
        "partner_names": names,
        "type_titles": titles,
        "states": states,
        "numbers": numbers,
        "item_title": lambda it: item_title(it, numbers, names, titles),
        "refs": lambda text: coach_words.with_item_numbers(text, numbers),
        "late": {it.id for it in late},
        "late_items": [item_title(it, numbers, names, titles) for it in late],
        "today": today,
        "done": not any(states[it.id.hex].waits_for_partner for it in current),
        "progress": ngettext(
            "{answered} of {total} partner has answered",
            "{answered} of {total} partners have answered",
            len(partners_sent),
        ).format(answered=len(partners_answered), total=len(partners_sent)),
        "deadlines": await coach_data.deadlines(ctx, [it.id.hex for it in advice.items]),
        "rows": {it.id.hex: [event_row(e) for e in it.timeline] for it in advice.items},
        **labels(hub(request)),
    }


def item_title(
    it: AdviceItemOut, numbers: dict[str, int], names: dict[str, str], titles: dict[str, str]
) -> str:
    """'Onderdeel 2: De Woonplaats — Betalingsregeling huurachterstand'."""
    return gettext("Item {n}: {partner} — {title}").format(
        n=numbers.get(it.id.hex, it.number),
        partner=names.get(it.partner_id, gettext("unknown partner")),
        title=titles.get(f"{it.partner_type}/{it.advice_type}", gettext("advice")),
    )


async def _advice(request: web.Request, who: Principal) -> AdviceOut:
    advice_id = hex_id(request.match_info["advice_id"], "Advies")
    return await get_advice(hub(request), advice_id, reader(request, who), team=_team(who))


async def _advice_page(
    request: web.Request,
    who: Principal,
    advice: AdviceOut,
    *,
    thread_errors: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    ctx = hub(request)
    by = reader(request, who)
    client = await clients.get(ctx, advice.client_id.hex, by, team=_team(who))
    # The consultation thread per item the partner knows (the API's `consultation.list_for`).
    threads = {
        it.id.hex: await consultation.list_for(ctx, it.id.hex, _team(who), by)
        for it in advice.items
        if it.decision.allowed
    }
    return await render(
        request,
        "coach/advice.html",
        {
            **await _advice_context(request, advice),
            "client": client,
            "threads": threads,
            "thread_errors": thread_errors or {},
            "coach_kinds": [
                (k.value, CONSULTATION_KIND_LABELS_NL[k])
                for k in (
                    ConsultationKind.question,
                    ConsultationKind.answer,
                    ConsultationKind.report_back,
                )
            ],
            "sent": SENT_NL.get(request.query.get("gedaan", "")),
        },
        status=status,
    )


@page(roles=COACH)
async def advice_page(request: web.Request, who: Principal) -> web.StreamResponse:
    return await _advice_page(request, who, await _advice(request, who))


@page(roles=COACH)
async def advice_state(request: web.Request, who: Principal) -> web.StreamResponse:
    """The live part of the advice page, polled by coach.js: each poll is one short read, so
    an open page holds no database connection."""
    advice = await _advice(request, who)
    return await render(request, "coach/_advice_state.html", await _advice_context(request, advice))


# --- consultation per item (the API's `consultation` functions) -------------------------------

SENT_NL = {
    "verstuurd": gettext("The message is ready for the partner."),
    "aanvaard": gettext("The counter-proposal is accepted: there is a new version of the item."),
    "afgewezen": gettext("The counter-proposal is declined; the partner gets your answer."),
}


async def _back(request: web.Request, item_id: str, done: str) -> web.HTTPSeeOther:
    """Back to the advice page the form was on, at the item's thread."""
    form = await request.post()
    advice_id = hex_id(str(form.get("advies", "")), "Advies")
    return flash_redirect(f"/coach/adviezen/{advice_id}?gedaan={done}#overleg-{item_id}")


def _text(form: Any) -> str:
    return str(form.get("tekst", "")).strip()


@page(roles=COACH)
async def send_message(request: web.Request, who: Principal) -> web.StreamResponse:
    item_id = hex_id(request.match_info["item_id"], "Onderdeel")
    form = await request.post()
    body = {"kind": str(form.get("soort", "")), "text": _text(form)}
    if form.get("antwoord_op"):
        body["in_reply_to"] = str(form["antwoord_op"])
    try:
        data = ConsultationIn.model_validate(body)

        async def send() -> str:
            await consultation.send(hub(request), item_id, data, who, _team(who))
            return (await _back(request, item_id, "verstuurd")).location

        done = await submitted_once(
            hub(request),
            request,
            who,
            form.get(SUBMIT_TOKEN),
            data.model_dump_json().encode(),
            send,
        )
    except (ValidationError, ApiError) as exc:
        if isinstance(exc, ApiError) and exc.status != 422:
            raise
        fields = validation_error(exc).fields if isinstance(exc, ValidationError) else exc.fields
        message = "; ".join(coach_words.readable_message(f.message) for f in fields) or (
            exc.message if isinstance(exc, ApiError) else ""
        )
        # Back on the advice page, the message next to the item's text field.
        advice_id = hex_id(str(form.get("advies", "")), "Advies")
        advice = await get_advice(hub(request), advice_id, reader(request, who), team=_team(who))
        return await _advice_page(
            request, who, advice, thread_errors={item_id: message}, status=422
        )
    raise done


@page(roles=COACH)
async def accept_proposal(request: web.Request, who: Principal) -> web.StreamResponse:
    item_id = hex_id(request.match_info["item_id"], "Onderdeel")
    proposal_id = hex_id(request.match_info["proposal_id"], "Tegenvoorstel")
    await consultation.accept(hub(request), item_id, proposal_id, who, _team(who))
    raise await _back(request, item_id, "aanvaard")


@page(roles=COACH)
async def decline_proposal(request: web.Request, who: Principal) -> web.StreamResponse:
    item_id = hex_id(request.match_info["item_id"], "Onderdeel")
    proposal_id = hex_id(request.match_info["proposal_id"], "Tegenvoorstel")
    form = await request.post()
    try:
        data = DeclineIn.model_validate({"text": _text(form)})
    except ValidationError as exc:
        raise validation_error(exc) from None
    await consultation.decline(hub(request), item_id, proposal_id, data.text, who, _team(who))
    raise await _back(request, item_id, "afgewezen")
