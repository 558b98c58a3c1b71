"""Household plan: members with roles, goals per life domain, items
per member that wait for another item or a date, and consent per member (a child's item also
needs the parents with authority)."""

import asyncio
import functools
import json
import shutil
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.support.factories import consent
from tests.support.family import family, item
from tests.support.harness import ApiClient, Env
from wijkhub.consent.members import MemberConsents, Person, decide_for_member
from wijkhub.consent.policy import ItemFacts
from wijkhub.consent.rules import PrivacyRules
from wijkhub.hub.casework import plan
from wijkhub.hub.casework.plan import reached, settle_due
from wijkhub.hub.core.settings import example_config_dir
from wijkhub.hub.demo import household
from wijkhub.hub.plugin_api.manager import load_registry
from wijkhub.hub.store.tables import AdviceRow, HouseholdRow, ItemRow, PlanGoalRow, PlanItemRow
from wijkhub.schemas.categories import DataCategory as C
from wijkhub.schemas.consultation import ConsultationKind, CounterProposal, PartnerConsultation
from wijkhub.schemas.status import (
    DELIVERY_STATUS_LABELS_NL,
    DeliveryStatus,
    PartnerStatus,
    StatusUpdate,
)

SILENT_STADSBANK = [{household.STADSBANK: {"answer": False}}]


async def consent_for(env: Env, client_id: str, partner_id: str) -> None:
    c = next(c for c in household.consents(env.today) if c["partner_id"] == partner_id)
    r = await env.coach.post(f"/api/v1/clients/{client_id}/consents", json=c)
    assert r.status == 201, r.body


def stadsbank_then_corporatie(client_id: str, member: str, status: str = "adopted") -> dict:
    return {
        "client_id": client_id,
        "items": [
            item(household.STADSBANK, "schuldhulpverlening_aanmelding", member_id=member),
            item(
                household.CORPORATIE,
                "betalingsregeling_huurachterstand",
                member_id=member,
                wait_for={"item": 0, "status": status},
            ),
        ],
    }


async def post(env: Env, partner: str, item_id: str, status: str, n: int, **kw: Any) -> None:
    """The partner's answer, in its own format, as its backoffice writes it."""
    backoffice = env.sims[partner].backoffice
    if status == "rejected":
        kw.setdefault("reason_code", "other")  # a rejection carries a reason code
    msg = backoffice.render_status(
        StatusUpdate(
            item_ref=uuid.UUID(item_id),
            status=PartnerStatus(status),
            partner_message_id=f"{partner}-{item_id[:8]}-{n}",
            occurred_at=env.clock.now(),
            **kw,
        )
    )
    r = await env.post_status(partner, msg.body, content_type=msg.content_type)
    assert r.status == 202 and r.body["accepted"] == 1, r.body


@pytest.mark.parametrize("sim_options", SILENT_STADSBANK)
async def test_dependent_item_waits_until_its_predecessor_is_adopted(env: Env) -> None:
    f = await family(env)
    advice = await env.submit(stadsbank_then_corporatie(f["fenna"], f["m"]["Fenna"]))
    bank, corp = advice["items"]
    assert bank["delivery_status"] == "queued"
    assert corp["delivery_status"] == "waiting" and corp["deadline"] is None
    wait = [e for e in corp["timeline"] if e["kind"] == "wait"]
    assert wait[0]["detail"] == (
        f"wacht tot onderdeel {bank['number']} (Stadsbank Oost Nederland, "
        "schuldhulpverlening_aanmelding) de status 'overgenomen' heeft"
    ), wait
    await env.deliver()
    assert len(env.sims[household.STADSBANK].received) == 1
    assert env.sims[household.CORPORATIE].received == []

    # Not yet: received and in progress are before adopted.
    await post(env, household.STADSBANK, bank["id"], "received", 1)
    await post(env, household.STADSBANK, bank["id"], "in_progress", 2)
    await env.deliver()
    assert env.sims[household.CORPORATIE].received == []
    assert (await env.advice(advice["id"]))["items"][1]["delivery_status"] == "waiting"

    env.clock.advance(days=2)
    await post(env, household.STADSBANK, bank["id"], "adopted", 3)
    after = (await env.advice(advice["id"]))["items"][1]
    assert after["delivery_status"] == "queued"
    assert after["deadline"] is not None  # counted from the release
    assert [e["status"] for e in after["timeline"] if e["kind"] == "wait"] == [
        "waiting",
        "released",
    ]
    await env.deliver()
    assert len(env.sims[household.CORPORATIE].received) == 1
    # Another answer changes nothing: the item is queued once.
    await post(env, household.STADSBANK, bank["id"], "carried_out", 4)
    await env.deliver()
    assert len(env.sims[household.CORPORATIE].received) == 1

    names = [e["name"] for e in await env.log(data_subject_id=f["fenna"])]
    assert names.count("advice_item.wait") == 1 and names.count("advice_item.release") == 1
    release = await env.log(name="advice_item.release")
    assert release[0]["partner_id"] == household.CORPORATIE
    assert "Fenna" not in str(await env.log(data_subject_id=f["fenna"]))


@pytest.mark.parametrize("sim_options", SILENT_STADSBANK)
async def test_never_sent_when_the_predecessor_is_rejected(env: Env) -> None:
    f = await family(env)
    body = stadsbank_then_corporatie(f["fenna"], f["m"]["Fenna"])
    # A third item waits for the second: the chain is cancelled as a whole.
    body["items"].append(
        item(
            household.CORPORATIE,
            "betalingsregeling_huurachterstand",
            member_id=f["m"]["Fenna"],
            wait_for={"item": 1, "status": "received"},
        )
    )
    advice = await env.submit(body)
    bank = advice["items"][0]
    await env.deliver()
    await post(env, household.STADSBANK, bank["id"], "rejected", 1, reason="Geen WSNP-traject")
    after = await env.advice(advice["id"])
    corp, third = after["items"][1], after["items"][2]
    assert corp["delivery_status"] == third["delivery_status"] == "cancelled"
    final = [e for e in corp["timeline"] if e["status"] == "cancelled"]
    assert final[0]["detail"] == "niet verstuurd: voorgaand item afgewezen"
    assert next(e for e in third["timeline"] if e["status"] == "cancelled")["detail"] == (
        "niet verstuurd: voorgaand item niet verstuurd"
    )
    env.clock.advance(days=30)
    await settle_due(env.hub.ctx)
    await env.deliver()
    assert env.sims[household.CORPORATIE].received == []
    assert len(await env.log(name="advice_item.cancel")) == 2


async def test_a_refused_predecessor_cancels_at_once(env: Env) -> None:
    f = await family(env)
    # Joris has no consent for the Stadsbank: his item is refused, so what waits on it is
    # never sent.
    advice = await env.submit(stadsbank_then_corporatie(f["fenna"], f["m"]["Fenna"]))
    body = {
        "client_id": f["fenna"],
        "items": [
            item(household.STADSBANK, "schuldhulpverlening_aanmelding", member_id=f["m"]["Joris"]),
            item(
                household.CORPORATIE,
                "betalingsregeling_huurachterstand",
                member_id=f["m"]["Fenna"],
                wait_for={"item": 0, "status": "received"},
            ),
        ],
    }
    refused = await env.submit(body)
    assert refused["items"][0]["delivery_status"] == "blocked"
    assert refused["items"][1]["delivery_status"] == "cancelled"
    assert advice["items"][1]["delivery_status"] == "waiting"


async def test_a_date_wait_releases_on_that_day(env: Env) -> None:
    f = await family(env)
    until = env.today + timedelta(days=3)
    advice = await env.submit(
        {
            "client_id": f["fenna"],
            "items": [
                item(
                    household.CORPORATIE,
                    "betalingsregeling_huurachterstand",
                    member_id=f["m"]["Fenna"],
                    wait_for={"until": until.isoformat()},
                )
            ],
        }
    )
    corp = advice["items"][0]
    assert corp["delivery_status"] == "waiting"
    assert any(e["detail"] == f"wacht tot {until:%d-%m-%Y}" for e in corp["timeline"])
    assert await settle_due(env.hub.ctx) == 0
    env.clock.advance(days=2)
    await settle_due(env.hub.ctx)
    await env.deliver()
    assert env.sims[household.CORPORATIE].received == []

    env.clock.advance(days=1)
    # Two hub processes run the job at the same time: the item is released once (the release
    # and its new decision are two log entries), and a later run finds nothing.
    runs = await asyncio.gather(settle_due(env.hub.ctx), settle_due(env.hub.ctx))
    assert sorted(runs) == [0, 2]
    assert await settle_due(env.hub.ctx) == 0
    await env.deliver()
    assert len(env.sims[household.CORPORATIE].received) == 1
    assert len(await env.log(name="advice_item.release")) == 1
    got = (await env.advice(advice["id"]))["items"][0]
    assert got["delivery_status"] == "delivered"


async def test_release_decides_consent_again(env: Env) -> None:
    f = await family(env)
    until = env.today + timedelta(days=1)
    advice = await env.submit(
        {
            "client_id": f["fenna"],
            "items": [
                item(
                    household.CORPORATIE,
                    "betalingsregeling_huurachterstand",
                    member_id=f["m"]["Fenna"],
                    wait_for={"until": until.isoformat()},
                )
            ],
        }
    )
    consents = (await env.coach.get(f"/api/v1/clients/{f['fenna']}/consents")).body
    cc = next(c for c in consents if c["partner_id"] == household.CORPORATIE)
    r = await env.coach.post(f"/api/v1/consents/{cc['id']}/withdraw", json={"reason": "nee"})
    assert r.status == 200
    env.clock.advance(days=1)
    await settle_due(env.hub.ctx)
    await env.deliver()
    assert env.sims[household.CORPORATIE].received == []
    got = (await env.advice(advice["id"]))["items"][0]
    assert got["delivery_status"] == "blocked" and got["decision"]["code"] == "consent_withdrawn"


def parental(env: Env, rule: str) -> None:
    env.hub.ctx.rules = env.hub.ctx.rules.model_copy(update={"parental_consent": rule})


async def wmo_for_daan(env: Env, f: dict[str, Any]) -> dict[str, Any]:
    advice = await env.submit(
        {
            "client_id": f["fenna"],
            "items": [item(household.ZORG, "wmo_begeleiding", member_id=f["m"]["Daan"])],
        }
    )
    return advice["items"][0]


async def test_a_childs_item_needs_the_parents_with_authority(env: Env) -> None:
    f = await family(env)
    # Daan has no consent of his own yet: his own is missing, by name.
    it = await wmo_for_daan(env, f)
    assert it["decision"]["code"] == "no_consent"
    assert it["decision"]["reason"].startswith("Toestemming ontbreekt van Daan Testervelde:")

    await consent_for(env, f["daan"], household.ZORG)
    # Fenna consented to Wmo support, Joris did not: "all" refuses, naming Joris.
    parental(env, "all")
    it = await wmo_for_daan(env, f)
    assert not it["decision"]["allowed"] and it["decision"]["code"] == "parent_consent_missing"
    assert (
        "Toestemming ontbreekt van ouder met gezag: Joris Testervelde" in (it["decision"]["reason"])
    )
    assert "Fenna" not in it["decision"]["reason"]
    decided = [e for e in it["timeline"] if e["kind"] == "decision"]
    assert "Joris Testervelde" in decided[0]["detail"]
    # The name is shown to the coach, but neither stored in clear nor logged.
    async with env.hub.ctx.db.read() as conn:
        stored = await conn.scalar(
            select(ItemRow.decision_reason).where(ItemRow.id == it["id"].replace("-", ""))
        )
    assert "Joris" not in stored and "«lid:" in stored
    logged = await env.log(name="advice_item.decide", data_subject_id=f["daan"])
    assert [e["detail"] for e in logged] == ["no_consent", "parent_consent_missing"]
    assert "Joris" not in str(await env.log())

    # "one": Fenna's consent is enough.
    parental(env, "one")
    it = await wmo_for_daan(env, f)
    assert it["decision"]["allowed"], it["decision"]
    assert "Fenna Maria Testervelde" in it["decision"]["reason"]
    await env.deliver()
    sent = env.sims[household.ZORG].received
    assert len(sent) == 1 and b"Daan" in sent[0].body and b"Fenna" not in sent[0].body

    # "all" again, once Joris consented too.
    parental(env, "all")
    await consent_for(env, f["joris"], household.ZORG)
    assert (await wmo_for_daan(env, f))["decision"]["allowed"]


async def test_a_statutory_route_needs_no_consent_of_child_or_parents(env: Env) -> None:
    f = await family(env)
    advice = await env.submit(
        {
            "client_id": f["fenna"],
            "items": [item(household.GI, "advies_hulp_binnen_maatregel", member_id=f["m"]["Daan"])],
        }
    )
    assert advice["items"][0]["decision"]["legal_basis"] == "statutory_task"


async def test_one_members_refusal_blocks_only_that_members_items(env: Env) -> None:
    f = await family(env)
    advice = await env.submit(
        {
            "client_id": f["fenna"],
            "items": [
                item(household.CORPORATIE, "betalingsregeling_huurachterstand", member_id=m)
                for m in (f["m"]["Fenna"], f["m"]["Joris"])
            ],
        }
    )
    fenna, joris = advice["items"]
    assert fenna["decision"]["allowed"] and fenna["delivery_status"] == "queued"
    assert joris["delivery_status"] == "blocked"
    assert joris["decision"]["reason"].startswith("Toestemming ontbreekt van Joris Testervelde")
    await env.deliver()
    assert len(env.sims[household.CORPORATIE].received) == 1


@pytest.mark.parametrize("sim_options", SILENT_STADSBANK)
async def test_the_plan_shows_per_member_what_runs_since_and_until(env: Env) -> None:
    f = await family(env)
    base = f"/api/v1/households/{f['id']}"
    r = await env.coach.post(
        f"{base}/plan/goals",
        json={
            "domain": "financien",
            "member_id": f["m"]["Fenna"],
            "text": "Schulden onder controle; geen ontruiming.",
        },
    )
    assert r.status == 201, r.body
    goal = r.body
    assert goal["domain_label"] == "financiën"
    body = stadsbank_then_corporatie(f["fenna"], f["m"]["Fenna"])
    body["items"][0]["goal_id"] = goal["id"]
    advice = await env.submit(body)
    bank, corp = advice["items"]

    p = (await env.coach.get(f"{base}/plan")).body
    assert p["domains"]["werk_en_inkomen"] == "werk en inkomen"
    by_name = {m["member"]["name"]: m for m in p["members"]}
    assert set(by_name) == {"Fenna Maria Testervelde", "Joris Testervelde", "Daan Testervelde"}
    fenna = by_name["Fenna Maria Testervelde"]
    assert [g["text"] for g in fenna["goals"]] == ["Schulden onder controle; geen ontruiming."]
    rows = {i["item_id"]: i for i in fenna["items"]}
    assert rows[bank["id"]]["domain"] == "financien" and rows[bank["id"]]["running"]
    assert rows[bank["id"]]["until"] == bank["deadline"] and rows[bank["id"]]["until"]
    assert rows[bank["id"]]["since"].startswith(env.today.isoformat())
    assert rows[corp["id"]]["delivery_status_label"].startswith("wacht")
    assert rows[corp["id"]]["waiting_on"].startswith("wacht tot onderdeel")
    assert rows[corp["id"]]["until"] is None
    assert by_name["Daan Testervelde"]["items"] == []

    # An item submitted without the plan can be linked to its member afterwards.
    plain = await env.submit(
        {"client_id": f["fenna"], "items": [item(household.ZORG, "wmo_begeleiding")]}
    )
    r = await env.coach.post(
        f"{base}/plan/items",
        json={"item_id": plain["items"][0]["id"], "member_id": f["m"]["Fenna"]},
    )
    assert r.status == 200, r.body
    r = await env.coach.post(
        f"{base}/plan/items",
        json={"item_id": plain["items"][0]["id"], "member_id": f["m"]["Daan"]},
    )
    assert r.status == 422 and r.body["error"]["fields"][0]["field"] == "member_id"

    env.clock.advance(days=1)
    await post(env, household.STADSBANK, bank["id"], "adopted", 1)
    p = (await env.coach.get(f"{base}/plan")).body
    fenna = next(m for m in p["members"] if m["member"]["name"] == "Fenna Maria Testervelde")
    rows = {i["item_id"]: i for i in fenna["items"]}
    assert len(rows) == 3
    assert rows[corp["id"]]["delivery_status"] == "queued" and rows[corp["id"]]["until"]
    assert rows[corp["id"]]["since"] > rows[bank["id"]]["since"]
    assert rows[bank["id"]]["partner_status"] == "adopted"
    # The goal is sealed in the store.
    async with env.hub.ctx.db.read() as conn:
        sealed = await conn.scalar(select(PlanGoalRow.text))
    assert b"Schulden" not in sealed
    assert len(await env.log(name="plan.goal_add")) == 1
    assert len(await env.log(name="household.member_add")) == 3


async def test_a_coach_of_another_team_cannot_see_the_household(env: Env) -> None:
    f = await family(env)
    other = ApiClient(env.session, await env.hub.token("coach", "coach-b", team="team-b"))
    base = f"/api/v1/households/{f['id']}"
    assert (await other.get(base)).status == 404
    assert (await other.get(f"{base}/plan")).status == 404
    r = await other.post(
        f"{base}/plan/goals",
        json={"domain": "wonen", "member_id": f["m"]["Fenna"], "text": "x"},
    )
    assert r.status == 404
    r = await other.post(f"{base}/members", json={"client_id": f["daan"], "role": "child"})
    assert r.status == 404
    # Nor put team-a's clients in a household of its own.
    r = await other.post(
        "/api/v1/households", json={"members": [{"client_id": f["daan"], "role": "child"}]}
    )
    assert r.status == 422 and r.body["error"]["fields"][0]["field"] == "members.0.client_id"
    assert (await env.coach.get(base)).status == 200
    assert (await env.privacy.get(base)).status == 403


async def counts(env: Env) -> tuple[int, ...]:
    async with env.hub.ctx.db.read() as conn:
        return tuple(
            [
                await conn.scalar(select(func.count()).select_from(t))
                for t in (AdviceRow, ItemRow, PlanItemRow, HouseholdRow, PlanGoalRow)
            ]
        )


async def test_bad_input_names_the_field_and_stores_nothing(env: Env) -> None:
    f = await family(env)
    base = f"/api/v1/households/{f['id']}"
    before = await counts(env)
    fenna = f["m"]["Fenna"]

    async def advice_error(items: list[dict[str, Any]]) -> str:
        r = await env.coach.post("/api/v1/advices", json={"client_id": f["fenna"], "items": items})
        assert r.status == 422, r.body
        return r.body["error"]["fields"][0]["field"]

    corp = item(household.CORPORATIE, "betalingsregeling_huurachterstand")
    assert await advice_error([{**corp, "member_id": uuid.uuid4().hex}]) == "items.0.member_id"
    assert await advice_error([{**corp, "goal_id": uuid.uuid4().hex}]) == "items.0.goal_id"
    assert (
        await advice_error([{**corp, "wait_for": {"item": 0, "status": "adopted"}}])
        == "items.0.wait_for.item"
    )
    assert (
        await advice_error([{**corp, "wait_for": {"until": env.today.isoformat()}}])
        == "items.0.wait_for.until"
    )
    assert (
        await advice_error(
            [{**corp, "wait_for": {"item_id": uuid.uuid4().hex, "status": "adopted"}}]
        )
        == "items.0.wait_for.item_id"
    )
    assert await advice_error([{**corp, "wait_for": {"item": 0}}]) == "items.0.wait_for"
    assert (
        await advice_error([{**corp, "wait_for": {"until": "2030-01-01", "status": "adopted"}}])
        == "items.0.wait_for"
    )
    assert (
        await advice_error([{**corp, "wait_for": {"item": 0, "status": "maybe"}}])
        == "items.0.wait_for.status"
    )
    r = await env.coach.post(
        f"{base}/plan/goals", json={"domain": "hobby", "member_id": fenna, "text": "x"}
    )
    assert r.status == 422 and r.body["error"]["fields"][0]["field"] == "domain"
    r = await env.coach.post(
        f"{base}/plan/goals", json={"domain": "wonen", "member_id": uuid.uuid4().hex, "text": "x"}
    )
    assert r.status == 422 and r.body["error"]["fields"][0]["field"] == "member_id"
    r = await env.coach.post(f"{base}/members", json={"client_id": f["daan"], "role": "child"})
    assert r.status == 422 and r.body["error"]["fields"][0]["field"] == "client_id"
    r = await env.coach.post(f"{base}/members", json={"client_id": f["daan"], "role": "oom"})
    assert r.status == 422 and r.body["error"]["fields"][0]["field"] == "role"
    r = await env.coach.post(
        "/api/v1/households",
        json={"members": [{"client_id": f["daan"], "role": "child"}, {"client_id": "x"}]},
    )
    assert r.status == 422 and r.body["error"]["fields"][0]["field"].startswith("members.1")
    r = await env.coach.post(
        f"{base}/plan/items", json={"item_id": uuid.uuid4().hex, "member_id": fenna}
    )
    assert r.status == 422 and r.body["error"]["fields"][0]["field"] == "item_id"
    assert (await env.coach.get("/api/v1/households/niet-een-id")).status == 404
    assert await counts(env) == before


# --- a chain of waits -------------------------------------------------------------------------


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(length=st.integers(1, 4), fate=st.sampled_from(["adopted", "rejected"]))
@pytest.mark.parametrize("sim_options", SILENT_STADSBANK)
async def test_a_chain_of_waits_follows_its_first_item(env: Env, length: int, fate: str) -> None:
    """Stadsbank intake, then `length` corporatie items, each waiting for the one before to
    be received: all are sent in order if the intake is adopted, none if it is rejected."""
    if "f" not in env.__dict__:
        env.__dict__["f"] = await family(env)
    f = env.__dict__["f"]
    items = [item(household.STADSBANK, "schuldhulpverlening_aanmelding")]
    for i in range(length):
        items.append(
            item(
                household.CORPORATIE,
                "betalingsregeling_huurachterstand",
                wait_for={"item": i, "status": "adopted" if i == 0 else "received"},
            )
        )
    advice = await env.submit({"client_id": f["fenna"], "items": items})
    corp = env.sims[household.CORPORATIE]
    start = len(corp.received)
    await env.deliver()
    await post(
        env,
        household.STADSBANK,
        advice["items"][0]["id"],
        fate,
        1,
        **({"reason": "Geen traject"} if fate == "rejected" else {}),
    )
    # The corporatie simulator answers each item it receives (received first), which
    # releases the next one; deliver until the chain has run.
    for _ in range(length + 1):
        await env.deliver()
        for it in advice["items"][1:]:
            if it["id"] in {str(r.request.item_ref) for r in corp.received}:
                await corp.wait_for(lambda s, ref=it["id"]: ref in s.answered)
    got = await env.advice(advice["id"])
    statuses = {it["delivery_status"] for it in got["items"][1:]}
    if fate == "adopted":
        assert statuses == {"delivered"} and len(corp.received) - start == length
    else:
        assert statuses == {"cancelled"} and len(corp.received) == start


# --- unit tests of the policy per member ------------------------------------------------------


@functools.cache
def _rules(rule: str) -> PrivacyRules:
    r = PrivacyRules.from_file(example_config_dir() / "privacy-rules.toml")
    return r.model_copy(update={"parental_consent": rule})


@functools.cache
def _facts() -> ItemFacts:
    ptype = load_registry().partner_types["zorgaanbieder"]
    return ItemFacts(
        household.ZORG, "Zorg Twente", "zorgaanbieder", ptype.advice_type("wmo_begeleiding")
    )


def _consent(ok: bool) -> tuple[Any, ...]:
    if not ok:
        return ()
    return (
        consent(
            {C.identification, C.bsn, C.contact, C.health, C.free_text},
            partner=household.ZORG,
            purposes=("wmo_begeleiding",),
            explicit=True,
        ),
    )


@settings(deadline=None)
@given(
    child=st.booleans(),
    parents=st.lists(st.booleans(), max_size=3),
    rule=st.sampled_from(["one", "all"]),
)
def test_policy_per_member(child: bool, parents: list[bool], rule: str) -> None:
    today = date(2026, 11, 23)
    who = MemberConsents(
        Person("Daan", _consent(child)),
        is_child=True,
        parents=tuple(Person(f"ouder{i}", _consent(ok)) for i, ok in enumerate(parents)),
    )
    d = decide_for_member(_facts(), _rules(rule), who, today)
    expected = child and bool(parents) and (all(parents) if rule == "all" else any(parents))
    assert d.allowed == expected
    if not child:
        assert d.reason.startswith("Toestemming ontbreekt van Daan:")
    elif not expected:
        assert d.code == "parent_consent_missing"
        assert d.reason.startswith("Toestemming ontbreekt van ouder met gezag:")
        missing = [f"ouder{i}" for i, ok in enumerate(parents) if not ok]
        assert all(m in d.reason for m in missing)
    # Not a child: the parents do not matter.
    adult = MemberConsents(who.member, is_child=False, parents=())
    assert decide_for_member(_facts(), _rules(rule), adult, today).allowed == child


def test_partners_statuses_reach_the_named_one() -> None:
    assert reached("adopted", "adopted") and reached("carried_out", "adopted")
    assert reached("adopted", "received") and not reached("received", "adopted")
    assert not reached("partly_adopted", "adopted") and not reached("rejected", "adopted")
    assert reached("rejected", "rejected") and reached("intake_held", "intake_held")
    assert plan.WAITING == "waiting"


def test_waiting_and_cancelled_have_dutch_labels() -> None:

    assert DELIVERY_STATUS_LABELS_NL[DeliveryStatus.cancelled] == "niet verstuurd"
    assert DELIVERY_STATUS_LABELS_NL[DeliveryStatus.waiting].startswith("wacht")


async def test_a_parent_withdrawing_stops_the_childs_item_before_delivery(env: Env) -> None:
    f = await family(env)
    parental(env, "one")
    await consent_for(env, f["daan"], household.ZORG)
    it = await wmo_for_daan(env, f)
    assert it["delivery_status"] == "queued"
    consents = (await env.coach.get(f"/api/v1/clients/{f['fenna']}/consents")).body
    zc = next(c for c in consents if c["partner_id"] == household.ZORG)
    r = await env.coach.post(f"/api/v1/consents/{zc['id']}/withdraw", json={"reason": "nee"})
    assert r.status == 200
    await env.deliver()
    assert env.sims[household.ZORG].received == []
    advice_id = (await env.log(name="advice.submit", data_subject_id=f["fenna"]))[-1]
    assert advice_id  # the submission is logged for the advice's client
    got = [
        i
        for i in (await env.log(name="delivery.advice", data_subject_id=f["daan"]))
        if i["partner_id"] == household.ZORG
    ]
    assert got and got[-1]["outcome"] == "withdrawn", got


async def test_an_item_needing_approval_also_waits_for_its_date(env: Env) -> None:
    shutil.copy(example_config_dir() / "approval.toml", env.hub.ctx.settings.config_path)
    f = await family(env)
    until = env.today + timedelta(days=2)
    advice = await env.submit(
        {
            "client_id": f["fenna"],
            "items": [
                item(
                    household.GI,
                    "advies_hulp_binnen_maatregel",
                    member_id=f["m"]["Daan"],
                    wait_for={"until": until.isoformat()},
                )
            ],
        }
    )
    gi = advice["items"][0]
    assert gi["delivery_status"] == "waiting"
    second = ApiClient(env.session, await env.hub.token("coach", "second", team="team-a"))
    r = await second.post(f"/api/v1/approvals/{gi['id']}/approve")
    assert r.status == 200 and r.body["delivery_status"] == "waiting", r.body
    await env.deliver()
    assert env.sims[household.GI].received == []
    env.clock.advance(days=2)
    await settle_due(env.hub.ctx)
    await env.deliver()
    sent = env.sims[household.GI].received
    assert len(sent) == 1
    # The approval travels with the delivery, also when the item was released later.
    assert json.loads(sent[0].body)["goedkeuring"]["rol"] == "coach"


async def test_a_counter_proposal_on_a_childs_item_needs_the_parents_too(env: Env) -> None:
    """Accepting a counter-proposal decides the new version per member, like a submission: a
    parent's missing consent refuses it even though the child's own consent covers it."""
    f = await family(env)
    parental(env, "one")
    await consent_for(env, f["daan"], household.ZORG)
    it = await wmo_for_daan(env, f)
    await env.deliver()
    sim = env.sims[household.ZORG]
    assert len(sim.received) == 1
    parental(env, "all")  # the partners' rules now ask both parents; Joris never consented
    proposal = PartnerConsultation(
        kind=ConsultationKind.counter_proposal,
        text="Liever na de kerstvakantie beginnen.",
        proposal=CounterProposal(requested_date=env.today + timedelta(days=40)),
    )
    code, text = await sim.consult(it["id"], proposal, message_id="zorg-tv-daan")
    assert code == 202, text
    msgs = (await env.coach.get(f"/api/v1/items/{it['id']}/consultation")).body
    [msg] = [m for m in msgs if m["kind"] == "counter_proposal"]
    r = await env.coach.post(f"/api/v1/items/{it['id']}/consultation/{msg['id']}/accept")
    assert r.status == 422, r.body
    assert r.body["error"]["code"] == "counter_proposal_refused"
    assert "ouder met gezag" in r.body["error"]["message"]
    await env.deliver()
    assert len(sim.received) == 1  # nothing more sent
    logged = await env.log(name="advice_item.decide", data_subject_id=f["daan"])
    assert logged[-1]["detail"] == "parent_consent_missing"
