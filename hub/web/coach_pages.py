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

from wijkhub.hub.casework import consultation
from wijkhub.hub.casework import withdrawal as consents
from wijkhub.hub.casework.escalation import STEP_LABELS_NL
from wijkhub.hub.core.auth import Principal
from wijkhub.hub.core.clock import AMSTERDAM, local_date
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import ApiError, FieldError, hex_id, validation_error
from wijkhub.hub.core.read_log import Reader
from wijkhub.hub.core.roles import COACH
from wijkhub.hub.path import plan_view
from wijkhub.hub.path.preview import AdvicePreview
from wijkhub.hub.path.preview import preview as preview_advice
from wijkhub.hub.path.submit import submit as submit_advice
from wijkhub.hub.path.timeline import get as get_advice
from wijkhub.hub.records import clients, households
from wijkhub.hub.records import consents as consent_register
from wijkhub.hub.web import coach_data, coach_forms
from wijkhub.hub.web.kit import flash_redirect, hub, page, reader, render, scope
from wijkhub.hub.web.submit_once import FIELD as SUBMIT_TOKEN
from wijkhub.hub.web.submit_once import submitted_once
from wijkhub.schemas.advice import AdviceOut, Threat, Urgency
from wijkhub.schemas.categories import CATEGORY_LABELS_NL, LEGAL_BASIS_LABELS_NL, DataCategory
from wijkhub.schemas.consent import ConsentIn, ConsentStatus
from wijkhub.schemas.consultation import (
    CONSULTATION_KIND_LABELS_NL,
    ConsultationIn,
    ConsultationKind,
    DeclineIn,
)
from wijkhub.schemas.status import (
    DELIVERY_STATUS_LABELS_NL,
    PARTNER_STATUS_LABELS_NL,
    DeliveryStatus,
    PartnerStatus,
)

HOUSEHOLD_ROLE_NL = {
    "parent_with_authority": "ouder met gezag",
    "parent": "ouder",
    "partner": "partner",
    "child": "kind",
    "other": "overig",
}
CONSENT_STATUS_NL = {
    ConsentStatus.active: "geldig",
    ConsentStatus.withdrawn: "ingetrokken",
    ConsentStatus.expired: "verlopen",
}
# Timeline entries of this branch; other kinds (escalation, consultation, …) show their own
# name until they get a label here.
TIMELINE_NL = {
    "decision": "besluit van de hub",
    "advice_attempt": "bezorgpoging",
    "withdrawal_attempt": "bezorgpoging intrekking",
    "advice": "bezorging",
    "withdrawal": "intrekking",
    "partner_status": "antwoord van de partner",
    "approval": "goedkeuring",
    "escalation": "escalatie",
    "consultation": "overleg",
    "consultation_in": "overleg: van de partner",
    "consultation_out": "overleg: aan de partner",
    "counter_proposal": "tegenvoorstel",
    "superseded": "vervangen",
    "version": "nieuwe versie",
    "wait": "wacht",
}
STATUS_NL: dict[str, str] = {
    "allowed": "toegestaan",
    "refused": "geweigerd",
    "ok": "gelukt",
    "failed": "mislukt",
    **{k.value: v for k, v in DELIVERY_STATUS_LABELS_NL.items()},
    **{k.value: v for k, v in PARTNER_STATUS_LABELS_NL.items()},
}
FIELD_NL = {
    "subject_ref": "pseudoniem (per partner)",
    "bsn": "BSN",
    "given_names": "voornamen",
    "family_name": "achternaam",
    "birth_date": "geboortedatum",
    "gender": "geslacht",
    "address": "adres",
    "phone": "telefoon",
    "email": "e-mail",
    "household": "huishouden",
    "housing": "woonsituatie",
    "finance": "financiën",
    "health": "gezondheid",
    "youth_protection": "jeugdbescherming",
}


def local(moment: datetime) -> datetime:
    """Times are stored in UTC; a coach reads them in Dutch time."""
    return moment.astimezone(AMSTERDAM)


def labels() -> dict[str, Any]:
    return {
        "local": local,
        "category_nl": {c.value: v for c, v in CATEGORY_LABELS_NL.items()},
        "basis_nl": {b.value: v for b, v in LEGAL_BASIS_LABELS_NL.items()},
        "status_nl": STATUS_NL,
        "timeline_nl": TIMELINE_NL,
        "household_role_nl": HOUSEHOLD_ROLE_NL,
        "consent_status_nl": {k.value: v for k, v in CONSENT_STATUS_NL.items()},
        "urgency_nl": {k.value: v for k, v in coach_forms.URGENCY_NL.items()},
        "threat_nl": {k.value: v for k, v in coach_forms.THREAT_NL.items()},
        "field_nl": FIELD_NL,
        "escalation_nl": {k.value: v for k, v in STEP_LABELS_NL.items()},
        "kind_nl": {k.value: v for k, v in CONSULTATION_KIND_LABELS_NL.items()},
        "proposal_nl": consultation.PROPOSAL_STATUS_NL,
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
    return await render(request, "coach/households.html", {"clients": found, "q": "", **labels()})


@page(roles=COACH)
async def search_households(request: web.Request, who: Principal) -> web.StreamResponse:
    """The search by name or BSN is a POST (its CSRF field checked like every form's): a BSN
    in a URL would stay in the browser's history and in every proxy's log. The answer is the
    result page itself, at a URL without the query."""
    form = await request.post()
    q = str(form.get("zoek", ""))[:100]
    found = await coach_data.team_clients(hub(request), _team(who), reader(request, who), q)
    return await render(request, "coach/households.html", {"clients": found, "q": q, **labels()})


# --- a household -------------------------------------------------------------------------------


async def _household_page(
    request: web.Request,
    who: Principal,
    client_id: str,
    *,
    errors: list[FieldError] | None = None,
    open_partner: str | None = None,
    status: int = 200,
) -> web.Response:
    ctx = hub(request)
    team = _team(who)
    by = reader(request, who)
    client = await clients.get(ctx, client_id, by, team=team)
    consent_list = await consent_register.list_for_client(ctx, client_id, by, team=team)
    advice_list = await coach_data.client_advices(ctx, client_id, team, by)
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
    names = {p.id: p.name for p in ctx.partners.all()}
    today = local_date(ctx.clock.now())
    return await render(
        request,
        "coach/household.html",
        {
            "client": client,
            "homes": await household_records(ctx, client_id, team, by),
            "members": household_members(client),
            "consents": consent_list,
            "advices": advice_list,
            "partners": partners,
            "partner_names": names,
            "categories": list(DataCategory),
            "today": today,
            "type_titles": type_titles(ctx),
            "advice_titles": {k.split("/", 1)[1]: v for k, v in type_titles(ctx).items()},
            "late": {id(it) for a in advice_list for it in a.plan if coach_data.is_late(it, today)},
            "errors": errors or [],
            "open_partner": open_partner,
            **labels(),
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
            "role": "cliënt",
            "client_id": client.id.hex,
        }
    ]
    for m in client.household or []:
        rows.append(
            {
                "name": f"{m.given_name} {m.family_name or ''}".strip(),
                "birth_date": m.birth_date,
                "role": HOUSEHOLD_ROLE_NL.get(m.role.value, m.role.value),
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
        errors = validation_error(exc).fields
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
    client = await clients.get(ctx, client_id, reader(request, who), team=_team(who))
    return await render(
        request,
        "coach/composer.html",
        {
            "client": client,
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
            **labels(),
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


def _advice_context(request: web.Request, advice: AdviceOut) -> dict[str, Any]:
    ctx = hub(request)
    today = local_date(ctx.clock.now())
    names = {p.id: p.name for p in ctx.partners.all()}
    late = {it.id for it in advice.items if coach_data.is_late(it, today)}
    waiting = [
        it
        for it in advice.items
        if it.decision.allowed
        and it.partner_status not in coach_data.FINAL
        and it.delivery_status not in coach_data.NOT_SENT
    ]
    return {
        "advice": advice,
        "partner_names": names,
        "type_titles": type_titles(ctx),
        "late": late,
        "today": today,
        "done": not waiting,
        "answered": coach_data.answered(advice),
        "final_nl": {s.value for s in coach_data.FINAL},
        "delivery_labels": {s.value: v for s, v in DELIVERY_STATUS_LABELS_NL.items()},
        "partner_labels": {s.value: v for s, v in PARTNER_STATUS_LABELS_NL.items()},
        "DeliveryStatus": DeliveryStatus,
        "PartnerStatus": PartnerStatus,
        **labels(),
    }


async def _advice(request: web.Request, who: Principal) -> AdviceOut:
    advice_id = hex_id(request.match_info["advice_id"], "Advies")
    return await get_advice(hub(request), advice_id, reader(request, who), team=_team(who))


@page(roles=COACH)
async def advice_page(request: web.Request, who: Principal) -> web.StreamResponse:
    advice = await _advice(request, who)
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
            **_advice_context(request, advice),
            "client": client,
            "threads": threads,
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
    )


@page(roles=COACH)
async def advice_state(request: web.Request, who: Principal) -> web.StreamResponse:
    """The live part of the advice page, polled by coach.js: each poll is one short read, so
    an open page holds no database connection."""
    advice = await _advice(request, who)
    return await render(request, "coach/_advice_state.html", _advice_context(request, advice))


# --- consultation per item (the API's `consultation` functions) -------------------------------

SENT_NL = {
    "verstuurd": "Het bericht staat klaar voor de partner.",
    "aanvaard": "Het tegenvoorstel is aanvaard: er is een nieuwe versie van het onderdeel.",
    "afgewezen": "Het tegenvoorstel is afgewezen; de partner krijgt uw antwoord.",
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
    except ValidationError as exc:
        raise validation_error(exc) from None

    async def send() -> str:
        await consultation.send(hub(request), item_id, data, who, _team(who))
        return (await _back(request, item_id, "verstuurd")).location

    raise await submitted_once(
        hub(request), request, who, form.get(SUBMIT_TOKEN), data.model_dump_json().encode(), send
    )


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
