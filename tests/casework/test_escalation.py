"""Milestone deadlines in working days and the escalation ladder.

End to end: a real hub, real partner simulators speaking their own formats, the outbox and
the worker, with a FakeClock moved day by day; the ladder is run as the server's job does.
"""

import asyncio
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.support.cli import cli_config, invoke
from tests.support.harness import ApiClient, Env, status_body
from tests.support.ladder import item_for, move_to, run_ladder
from wijkhub.hub.casework.escalation import STEP, Step, parse_config, run_escalations
from wijkhub.hub.casework.milestones import MILESTONE, read_milestones
from wijkhub.hub.core.deadlines import due_date, is_working_day
from wijkhub.hub.core.settings import ConfigError, example_config_dir
from wijkhub.hub.demo import household
from wijkhub.hub.plugin_api.manager import load_registry
from wijkhub.hub.plugin_api.types import DeadlineRule
from wijkhub.schemas.outbound import ReminderNotice, ReminderStep
from wijkhub.schemas.status import Milestone

ZORG, STADSBANK = household.ZORG, household.STADSBANK
LADDER = [Step.buddy_reminder, Step.contact_manager, Step.team_leader, Step.steering_report]


@pytest.fixture
def sim_options() -> dict[str, dict[str, Any]]:
    # These two backoffices take the request and never answer: their milestones go late.
    return {ZORG: {"answer": False}, STADSBANK: {"answer": False}}


async def _submit(env: Env, item: dict[str, Any], client_id: str | None = None) -> tuple[str, str]:
    client_id = client_id or await env.household()
    advice = await env.submit({"client_id": client_id, "summary": "Test", "items": [item]})
    [it] = advice["items"]
    assert it["decision"]["allowed"], it["decision"]
    await env.deliver()
    return advice["id"], uuid.UUID(it["id"]).hex


async def _milestones(env: Env, item_id: str) -> dict[str, Any]:
    async with env.hub.ctx.db.read() as conn:
        rows = (await conn.execute(select(MILESTONE).where(MILESTONE.c.item_id == item_id))).all()
    return {r.milestone: r for r in rows}


def _reminders(env: Env, partner_id: str) -> list[Any]:
    return [r.request for r in env.sims[partner_id].received if r.request.kind == "reminder"]


# --- working days ------------------------------------------------------------------------------


def test_working_days_skip_good_friday_and_easter_monday_2027() -> None:
    # What the `holidays` library says for the Netherlands in 2027: Good Friday (26 March) and
    # Easter Monday (29 March) are holidays (the Algemene termijnenwet treats Good Friday as
    # one too), so 3 working days from Thursday 25 March end on Thursday 1 April.
    assert not is_working_day(date(2027, 3, 26))
    assert not is_working_day(date(2027, 3, 29))
    assert is_working_day(date(2027, 3, 30))
    assert due_date(date(2027, 3, 25), DeadlineRule(3)) == date(2027, 4, 1)
    # Calendar days do not skip anything.
    assert due_date(date(2027, 3, 25), DeadlineRule(3, working_days=False)) == date(2027, 3, 28)


def test_every_built_in_advice_type_declares_its_milestones() -> None:
    registry = load_registry()
    stadsbank = registry.partner_types["stadsbank"].advice_type("schuldhulpverlening_aanmelding")
    assert stadsbank is not None
    urgent = stadsbank.milestone_deadlines(["eviction"])
    normal = stadsbank.milestone_deadlines([])
    # Wgs art. 4a: the intake within 3 working days under a threat, else within 4 weeks.
    assert urgent[Milestone.intake_held] == DeadlineRule(3)
    assert normal[Milestone.intake_held] == DeadlineRule(28, working_days=False)
    assert set(normal) == set(Milestone)
    for ptype in registry.partner_types.values():
        for atype in ptype.advice_types:
            assert Milestone.first_answer in atype.milestone_deadlines([]), atype.name


# --- the ladder, end to end ---------------------------------------------------------------------


async def test_each_step_fires_once_in_order_through_the_partners_format(env: Env) -> None:
    advice_id, item_id = await _submit(env, item_for(ZORG))
    assert env.sims[ZORG].requests_by_kind["advice"] == 1
    # Delivered on Monday 23 November 2026: the provider's first answer is due in 5 working
    # days, on Monday 30 November.
    ms = await _milestones(env, item_id)
    assert set(ms) == {"first_answer"}
    assert ms["first_answer"].due_on == date(2026, 11, 30)
    assert ms["first_answer"].state == "open"

    # Still in time on the due day itself.
    move_to(env, datetime(2026, 11, 30, 20, 0, tzinfo=UTC))
    assert await run_ladder(env) == []

    # Tuesday 1 December, 1 working day late: the buddy is reminded in the iWmo-like format.
    move_to(env, datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    assert await run_ladder(env) == [("first_answer", Step.buddy_reminder)]
    [reminder] = _reminders(env, ZORG)
    assert reminder.item_ref == uuid.UUID(item_id)
    assert reminder.categories == frozenset()  # no client data in a reminder
    assert reminder.fields["step"] is ReminderStep.buddy_reminder
    assert reminder.fields["milestone"] is Milestone.first_answer
    assert reminder.fields["due_on"] == date(2026, 11, 30)
    assert reminder.fields["recipient"] == "Buddy Zorggroep Twente"
    received = env.sims[ZORG].received[-1]
    assert b"urn:wijkhub:zorgaanbieder:herinnering:1" in received.body
    assert received.headers["Idempotency-Key"]

    # Running again the same day sends nothing.
    requests = env.sims[ZORG].requests
    assert await run_ladder(env) == []
    assert env.sims[ZORG].requests == requests

    # Wednesday: nothing new. Thursday 3 December (3 working days late): the contact manager.
    move_to(env, datetime(2026, 12, 2, 12, 0, tzinfo=UTC))
    assert await run_ladder(env) == []
    move_to(env, datetime(2026, 12, 3, 8, 0, tzinfo=UTC))
    assert await run_ladder(env) == [("first_answer", Step.contact_manager)]
    assert [r.fields["step"] for r in _reminders(env, ZORG)] == [
        ReminderStep.buddy_reminder,
        ReminderStep.contact_manager,
    ]
    assert _reminders(env, ZORG)[-1].fields["recipient"] == "Contactmanager Zorggroep Twente"

    # Monday 7 December (5 working days late): a notice for the team leader of team-a.
    move_to(env, datetime(2026, 12, 7, 8, 0, tzinfo=UTC))
    assert await run_ladder(env) == [("first_answer", Step.team_leader)]
    leader = ApiClient(env.session, await env.hub.token("team_leader", "tl", team="team-a"))
    r = await leader.get("/api/v1/escalations/notices")
    assert r.status == 200, r.body
    [notice] = r.body
    assert (uuid.UUID(notice["item_id"]).hex, notice["advice_id"]) == (item_id, advice_id)
    assert notice["milestone"] == "first_answer" and notice["due_on"] == "2026-11-30"
    assert notice["milestone_state"] == "open" and notice["read_at"] is None
    other = ApiClient(env.session, await env.hub.token("team_manager", "tm-b", team="team-b"))
    assert (await other.get("/api/v1/escalations/notices")).body == []
    assert (await env.coach.get("/api/v1/escalations/notices")).status == 403
    read = await leader.post(f"/api/v1/escalations/notices/{notice['item_id']}/read")
    assert read.status == 200, read.body
    assert [n["read_at"] is not None for n in read.body] == [True]
    assert (await leader.get("/api/v1/escalations/notices?unread=true")).body == []
    assert (await other.post(f"/api/v1/escalations/notices/{notice['item_id']}/read")).status == 404
    assert (await leader.get("/api/v1/escalations/notices?unread=soms")).status == 400

    # Monday 14 December (10 working days late): on the steering group's list.
    move_to(env, datetime(2026, 12, 14, 8, 0, tzinfo=UTC))
    assert (await env.privacy.get("/api/v1/escalations/steering")).body == []
    assert await run_ladder(env) == [("first_answer", Step.steering_report)]
    r = await env.privacy.get("/api/v1/escalations/steering?open=true")
    assert r.status == 200, r.body
    assert [(uuid.UUID(e["item_id"]).hex, e["partner_id"], e["step"]) for e in r.body] == [
        (item_id, ZORG, "steering_report")
    ]

    # A month on, the ladder is done: nothing fires and nothing is sent again.
    requests = env.sims[ZORG].requests
    move_to(env, datetime(2027, 1, 20, 8, 0, tzinfo=UTC))
    assert await run_ladder(env) == []
    assert env.sims[ZORG].requests == requests
    assert env.sims[ZORG].duplicates == 0
    assert len(_reminders(env, ZORG)) == 2

    # Every step is in the processing log and in the item's timeline, in order.
    logged = [e["name"] for e in await env.log() if e["name"].startswith("escalation.")]
    assert logged == [f"escalation.{s.value}" for s in LADDER]
    reminders_out = await env.log(name="delivery.reminder")
    assert [e["outcome"] for e in reminders_out] == ["delivered", "delivered"]
    assert all(e["categories"] == [] for e in reminders_out)
    [item] = (await env.advice(advice_id))["items"]
    steps = [e["status"] for e in item["timeline"] if e["kind"] == "escalation"]
    assert steps == [s.value for s in LADDER]
    assert all(
        "uiterlijk 30-11-2026" in e["detail"] for e in item["timeline"] if e["kind"] == "escalation"
    )


async def test_an_answer_stops_the_ladder(env: Env) -> None:
    _advice_id, item_id = await _submit(env, item_for(ZORG))
    move_to(env, datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    assert await run_ladder(env) == [("first_answer", Step.buddy_reminder)]

    # The provider answers (a retour, in its own format): the milestone is met.
    body = status_body(
        "zorgaanbieder", item_id, "received", "ZT-1", occurred_at="2026-12-01T09:00:00+01:00"
    )
    r = await env.post_status(ZORG, body, content_type="application/xml")
    assert r.status == 202, r.body
    ms = await _milestones(env, item_id)
    assert ms["first_answer"].state == "met"
    assert ms["first_answer"].met_status == "received"

    move_to(env, datetime(2026, 12, 31, 8, 0, tzinfo=UTC))
    assert await run_ladder(env) == []
    assert len(_reminders(env, ZORG)) == 1
    async with env.hub.ctx.db.read() as conn:
        steps = (await conn.execute(select(STEP.c.step))).scalars().all()
    assert steps == ["buddy_reminder"]


async def test_answers_before_the_deadline_mean_no_escalation(env: Env) -> None:
    # The provider's simulator answers its whole script; the milestones it reached are met.
    env.sims[ZORG].answer = True
    advice_id, item_id = await _submit(env, item_for(ZORG))
    await env.answered(await env.advice(advice_id))
    ms = await _milestones(env, item_id)
    assert ms["first_answer"].state == "met"
    move_to(env, datetime(2027, 2, 1, 8, 0, tzinfo=UTC))
    assert await run_ladder(env) == []
    assert _reminders(env, ZORG) == []


async def test_two_runs_at_once_fire_each_step_once(env: Env) -> None:
    await _submit(env, item_for(ZORG))
    move_to(env, datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    results = await asyncio.gather(*(run_escalations(env.hub.ctx) for _ in range(4)))
    assert sum(len(r.fired) for r in results) == 1
    await env.deliver()
    assert len(_reminders(env, ZORG)) == 1
    async with env.hub.ctx.db.read() as conn:
        count = len((await conn.execute(select(STEP.c.id))).all())
    assert count == 1


async def test_wgs_intake_deadline_urgent_and_normal(env: Env) -> None:
    client_id = await env.household()
    # Under a threat of eviction: the intake within 3 working days (Monday -> Thursday).
    _a, urgent = await _submit(env, item_for(STADSBANK), client_id)
    _b, normal = await _submit(env, item_for(STADSBANK, threats=[], urgency="normal"), client_id)
    u, n = await _milestones(env, urgent), await _milestones(env, normal)
    assert set(u) == {"first_answer", "intake_held", "decision", "execution"}
    assert u["intake_held"].due_on == date(2026, 11, 26)
    assert u["intake_held"].urgent is True
    assert n["intake_held"].due_on == date(2026, 12, 21)  # 4 weeks (28 days)
    assert n["intake_held"].urgent is False
    # The Stadsbank reads the same date in its own Aanmelding.
    sent = [r.request for r in env.sims[STADSBANK].received if r.request.kind == "advice"]
    by_ref = {r.item_ref.hex: r.fields["first_conversation_by"] for r in sent}
    assert by_ref == {urgent: date(2026, 11, 26), normal: date(2026, 12, 21)}

    # The Stadsbank reports the intake (its own code `intake_gehouden`): that milestone is met,
    # the decision is still open.
    move_to(env, datetime(2026, 11, 25, 13, 0, tzinfo=UTC))  # a partner reports no future
    body = status_body(
        "stadsbank", urgent, "intake_held", "SB-1", occurred_at="2026-11-25T14:00:00+01:00"
    )
    r = await env.post_status(STADSBANK, body, content_type="application/xml")
    assert r.status == 202, r.body
    u = await _milestones(env, urgent)
    assert (u["first_answer"].state, u["intake_held"].state) == ("met", "met")
    assert u["decision"].state == "open"

    # The chain report's reader sees the same facts.
    async with env.hub.ctx.db.read() as conn:
        facts = await read_milestones(conn, partner_id=STADSBANK)
    assert {(f.item_id, f.milestone, f.state) for f in facts} >= {
        (urgent, "intake_held", "met"),
        (normal, "intake_held", "open"),
    }
    late = next(f for f in facts if f.item_id == normal and f.milestone == "intake_held")
    assert not late.overdue(date(2026, 12, 21)) and late.overdue(date(2026, 12, 22))


async def test_a_deadline_over_easter_is_counted_in_working_days(env: Env) -> None:
    # Thursday 25 March 2027, the Thursday before Easter: the Wgs intake under a threat is due
    # 3 working days later, skipping Good Friday, the weekend and Easter Monday.
    move_to(env, datetime(2027, 3, 25, 9, 0, tzinfo=UTC))
    _advice, item_id = await _submit(env, item_for(STADSBANK))
    ms = await _milestones(env, item_id)
    assert ms["intake_held"].started_on == date(2027, 3, 25)
    assert ms["intake_held"].due_on == date(2027, 4, 1)
    # First answer (1 working day when urgent): Tuesday 30 March, after Easter Monday.
    assert ms["first_answer"].due_on == date(2027, 3, 30)

    move_to(env, datetime(2027, 4, 1, 20, 0, tzinfo=UTC))
    fired = await run_ladder(env)
    assert ("intake_held", Step.buddy_reminder) not in fired
    move_to(env, datetime(2027, 4, 2, 8, 0, tzinfo=UTC))
    assert ("intake_held", Step.buddy_reminder) in await run_ladder(env)
    [reminder] = [r for r in _reminders(env, STADSBANK) if r.fields["milestone"] == "intake_held"]
    assert reminder.fields["due_on"] == date(2027, 4, 1)
    assert reminder.fields["recipient"] == "Buddy Stadsbank Oost Nederland"


async def test_withdrawn_consent_closes_the_milestones(env: Env) -> None:
    client_id = await env.household()
    _advice, item_id = await _submit(env, item_for(ZORG), client_id)
    consents = await env.coach.get(f"/api/v1/clients/{client_id}/consents")
    [zorg] = [c for c in consents.body if c["partner_id"] == ZORG]
    r = await env.coach.post(
        f"/api/v1/consents/{zorg['id']}/withdraw",
        json={"reason": "Cliënt wil dit niet meer."},
    )
    assert r.status == 200, r.body
    move_to(env, datetime(2026, 12, 31, 8, 0, tzinfo=UTC))
    res = await run_escalations(env.hub.ctx)
    assert res.fired == [] and res.closed == 1
    assert (await _milestones(env, item_id))["first_answer"].closed_reason == "withdrawn"


async def test_cli_runs_the_ladder(env: Env, tmp_path: Path) -> None:
    _advice, item_id = await _submit(env, item_for(ZORG))
    # Six weeks after the first answer was due (30 November): every step of the ladder is due.
    move_to(env, datetime(2027, 1, 11, 9, 0, tzinfo=UTC))
    cfg = cli_config(env, tmp_path)

    def cli(*args: str) -> Any:
        # The CLI runs on the test's clock, as the worker that delivers its reminders does.
        return invoke(env, cfg, *args)

    first = await asyncio.to_thread(cli, "escalations", "run")
    assert first.exit_code == 0, first.output
    assert "Stappen gezet: 4" in first.output
    again = await asyncio.to_thread(cli, "escalations", "run")
    assert "Stappen gezet: 0" in again.output
    listed = await asyncio.to_thread(cli, "escalations", "steering", "--json")
    assert listed.exit_code == 0, listed.output
    assert str(uuid.UUID(item_id)) in listed.output
    notices = await asyncio.to_thread(cli, "escalations", "notices", "--team", "team-a")
    assert "Zorggroep Twente" in notices.output
    await env.deliver()
    # Both were due at once: the worker sends them side by side, in either order.
    assert sorted(r.fields["step"] for r in _reminders(env, ZORG)) == [
        ReminderStep.buddy_reminder,
        ReminderStep.contact_manager,
    ]


# --- configuration and the plugin contract ------------------------------------------------------


def test_the_shipped_ladder_is_valid() -> None:

    cfg = parse_config((example_config_dir() / "escalation.toml").read_text(), "escalation.toml")
    assert [s.step for s in cfg.step] == LADDER
    assert cfg.team_leader("team-a") is not None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[step]]\nstep = "buddy_reminder"\nafter_working_days = 0\n', "after_working_days"),
        ('[[step]]\nstep = "bel_de_burgemeester"\nafter_working_days = 1\n', "step.0.step"),
        (
            '[[step]]\nstep = "team_leader"\nafter_working_days = 1\n'
            '[[step]]\nstep = "buddy_reminder"\nafter_working_days = 2\n',
            "vaste volgorde",
        ),
        (
            '[[step]]\nstep = "buddy_reminder"\nafter_working_days = 3\n'
            '[[step]]\nstep = "contact_manager"\nafter_working_days = 3\n',
            "groter worden",
        ),
        ("step = []\n", "step"),
        ("version = \n", "geen geldige TOML"),
    ],
)
def test_a_bad_ladder_is_refused_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=r"^escalation\.toml: ") as exc:
        parse_config(text, "escalation.toml")
    assert message in str(exc.value)


@pytest.mark.parametrize(
    "name", ["stadsbank", "corporatie", "gecertificeerde_instelling", "zorgaanbieder"]
)
def test_every_built_in_plugin_writes_a_reminder_its_backoffice_reads(name: str) -> None:
    ptype = load_registry().partner_types[name]
    assert ptype.translate_reminder is not None and ptype.backoffice is not None
    notice = ReminderNotice(
        item_ref=uuid.uuid4(),
        item_number=42,
        partner_id="partner-x",
        sender="0153",
        advice_type=ptype.advice_types[0].name,
        milestone=Milestone.decision,
        due_on=date(2027, 4, 1),
        step=ReminderStep.contact_manager,
        recipient="Contactmanager X",
        sent_at=datetime(2027, 4, 6, 8, 0, tzinfo=UTC),
        text="Escalatie: de termijn voor 'besluit' van verzoek 42 liep af op 01-04-2027.",
    )
    message = ptype.translate_reminder(notice)
    read = ptype.backoffice.read_request(message.body, message.content_type)
    assert (read.kind, read.item_ref, read.advice_type) == (
        "reminder",
        notice.item_ref,
        notice.advice_type,
    )
    assert read.categories == frozenset()
    assert read.fields["milestone"] is Milestone.decision
    assert read.fields["step"] is ReminderStep.contact_manager
    assert read.fields["due_on"] == date(2027, 4, 1)
    assert read.fields["recipient"] == "Contactmanager X"
