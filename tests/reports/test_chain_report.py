"""The chain report: figures equal to what the partners did (on a controlled clock), cells
under five cases suppressed, the same figures in JSON, CSV and the CLI, no personal data."""

import asyncio
import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.support.chain import (
    CORP,
    CORP_TYPE,
    NOV,
    ZORG,
    answer,
    escalated,
    scenario,
    submit_one,
)
from tests.support.cli import cli_config
from tests.support.harness import Env
from tests.support.roles import team_leader as leader
from wijkhub.hub.casework.escalation import run_escalations
from wijkhub.hub.cli.main import main
from wijkhub.hub.cli.support import cli_obj
from wijkhub.hub.demo import household
from wijkhub.hub.reports import chain_report
from wijkhub.hub.reports.chain_report import (
    LADDER,
    SUPPRESSED,
    Case,
    aggregate,
    breakdown,
    p90,
    working_days_between,
)


@pytest.fixture
def sim_options() -> dict[str, dict[str, Any]]:
    # The test is the partner: simulators receive but never answer on their own.
    return {pid: {"answer": False} for pid in (CORP, household.STADSBANK, household.GI, ZORG)}


def cli(env: Env, config: Path, *args: str) -> str:
    r = CliRunner().invoke(
        main, ["--config", str(config), *args], catch_exceptions=False, obj=cli_obj(env.clock)
    )
    assert r.exit_code == 0, r.output
    return r.output


def timing(n: Any, median: Any, p90: Any) -> dict[str, Any]:
    return {"n": n, "median": median, "p90": p90}


HIDDEN_T = timing(SUPPRESSED, SUPPRESSED, SUPPRESSED)
HIDDEN_S = {"n": SUPPRESSED, "share": SUPPRESSED}


async def test_figures_equal_what_the_partners_did_and_small_cells_are_suppressed(
    env: Env, tmp_path: Path
) -> None:
    ids = await scenario(env)
    # The ladder's rows as casework/escalation.py writes them: five reminders, a manager's message.
    fired = [("buddy_reminder", i) for i in range(5)] + [("contact_manager", 5)]
    await escalated(env, [(step, ids["items"][i]) for step, i in fired])
    r = await env.privacy.get(f"/api/v1/reports/chain?{NOV}")
    assert r.status == 200, r.body
    report = r.body
    assert report["unit"] == "working_days" and report["min_cases"] == 5
    assert report["reason_codes"] == ["professional_secrecy"] and report["team"] is None
    corp, zorg = report["rows"]
    assert corp == {
        "period": "2026-11",
        "partner_id": CORP,
        "advice_type": CORP_TYPE,
        "cases": 7,
        "first_answer": timing(7, 2, 8),
        "decision": timing(7, 4, 8),
        "execution": timing(5, 6, 9),
        "overdue": {"n": 7, "share": round(2 / 7, 3)},  # answered Thu 26 Nov and Thu 3 Dec
        "adoption": {"n": 7, "share": round(5 / 7, 3)},  # carried out counts as adopted
        "rejection_reasons": {"professional_secrecy": SUPPRESSED},  # two rejections: under five
        "escalations": {
            "buddy_reminder": 5,
            "contact_manager": SUPPRESSED,
            "team_leader": SUPPRESSED,
            "steering_report": SUPPRESSED,
        },
    }
    # Four items: the whole row is suppressed, down to the number of cases.
    assert zorg == {
        "period": "2026-11",
        "partner_id": ZORG,
        "advice_type": "wmo_begeleiding",
        "cases": SUPPRESSED,
        "first_answer": HIDDEN_T,
        "decision": HIDDEN_T,
        "execution": HIDDEN_T,
        "overdue": HIDDEN_S,
        "adoption": HIDDEN_S,
        "rejection_reasons": {"professional_secrecy": SUPPRESSED},
        "escalations": dict.fromkeys(LADDER, SUPPRESSED),
    }

    # The team leader of the team sees the same figures; another team's leader sees nothing.
    mine = await (await leader(env)).get(f"/api/v1/reports/chain?{NOV}")
    assert mine.status == 200 and mine.body["rows"] == report["rows"]
    assert mine.body["team"] == "team-a"
    other = await (await leader(env, "team-b")).get(f"/api/v1/reports/chain?{NOV}")
    assert other.status == 200 and other.body["rows"] == []

    # Periods follow the delivery, not the answer: December answers stay in November's row.
    dec = await env.privacy.get("/api/v1/reports/chain?from=2026-12-01&until=2026-12-31")
    assert dec.body["rows"] == []
    whole = await env.privacy.get(f"/api/v1/reports/chain?{NOV}&period=range")
    assert [row["period"] for row in whole.body["rows"]] == ["2026-11-01..2026-11-30"] * 2
    assert whole.body["rows"][0]["decision"] == corp["decision"]

    # CSV over HTTP and both CLI formats carry exactly these figures.
    r = await env.privacy.get(f"/api/v1/reports/chain.csv?{NOV}")
    assert r.status == 200
    http_csv = r.body.decode()
    assert list(csv.DictReader(io.StringIO(http_csv))) == flat_rows(report["rows"])
    config = cli_config(env, tmp_path)
    args = ("report", "chain", "--from", "2026-11-01", "--until", "2026-11-30")
    as_json = json.loads(await asyncio.to_thread(cli, env, config, *args, "--format", "json"))
    assert as_json["rows"] == report["rows"]
    as_csv = await asyncio.to_thread(cli, env, config, *args, "--format", "csv")
    assert list(csv.DictReader(io.StringIO(as_csv))) == flat_rows(report["rows"])

    # Nothing points at a person: no ids, no names, no reason text, in any output.
    for text in (json.dumps(report), http_csv, as_csv, json.dumps(as_json)):
        hex_ids = [i.replace("-", "") for i in ids["items"] + ids["client"]]
        for secret in [*ids["items"], *ids["client"], *hex_ids, "Testervelde", "deurwaarder"]:
            assert secret not in text


def flat_rows(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The JSON rows as the CSV should have them: one column per figure, as text."""
    out = []
    for row in rows:
        flat: dict[str, str] = {}
        for k, v in row.items():
            if isinstance(v, dict):
                prefix = {"rejection_reasons": "rejected", "escalations": "escalation"}.get(k, k)
                flat.update({f"{prefix}_{f}": str(x) for f, x in v.items()})
            else:
                flat[k] = str(v)
        out.append(flat)
    return out


async def test_open_milestones_past_due_and_the_ladder_count(env: Env) -> None:
    client_id = await env.household()
    items = [await submit_one(env, client_id, CORP_TYPE) for _ in range(5)]
    await env.deliver()
    # Nobody answers. Thursday 26 November: the first answer was due Wednesday (2 working
    # days, eviction), so the ladder's first rung fires for each item; the decision (5 working
    # days) is not late yet.
    env.clock.advance(days=3)
    fired = await run_escalations(env.hub.ctx)
    assert [f.step.value for f in fired.fired] == ["buddy_reminder"] * 5
    report = (await env.privacy.get(f"/api/v1/reports/chain?{NOV}")).body
    [row] = report["rows"]
    assert row["cases"] == 5
    assert row["overdue"] == {"n": 5, "share": 1.0}
    assert row["first_answer"] == row["decision"] == HIDDEN_T  # nobody answered: n = 0
    assert row["adoption"] == HIDDEN_S
    assert row["escalations"] == {
        "buddy_reminder": 5,
        "contact_manager": SUPPRESSED,
        "team_leader": SUPPRESSED,
        "steering_report": SUPPRESSED,
    }
    assert report["reason_codes"] == [] and row["rejection_reasons"] == {}

    # A day later the report is the same: no new rung is due (the contact manager is 3 working
    # days after the due day), and running the job again sends nothing twice.
    env.clock.advance(days=1)
    assert (await run_escalations(env.hub.ctx)).fired == []
    again = (await env.privacy.get(f"/api/v1/reports/chain?{NOV}")).body
    assert again["rows"] == report["rows"]

    # The latest decision counts: a rejection turned around after consultation is adopted,
    # and its reason is no rejection reason any more.
    env.clock.advance(days=1)  # Saturday 28 November: 4 working days after the delivery
    for n, (item_id, status) in enumerate(
        [(items[0], "rejected"), *((i, "adopted") for i in items[1:])]
    ):
        await answer(env, CORP, item_id, status, n)
    env.clock.advance(days=2)
    await answer(env, CORP, items[0], "adopted", 99)
    [row] = (await env.privacy.get(f"/api/v1/reports/chain?{NOV}")).body["rows"]
    assert row["adoption"] == {"n": 5, "share": 1.0}
    assert row["decision"] == timing(5, 4, 4)  # the first decision, the rejection, was day 4
    assert row["rejection_reasons"] == {}


async def test_only_team_leaders_and_the_privacy_officer_may_read_it(env: Env) -> None:
    for caller in (env.coach, env.admin, env.partner[CORP]):
        for path in ("/api/v1/reports/chain", "/api/v1/reports/chain.csv"):
            r = await caller.get(path)
            assert r.status == 403, (path, r.body)
    assert (await env.anonymous.get("/api/v1/reports/chain")).status == 401
    r = await (await leader(env)).get("/api/v1/reports/chain")
    assert r.status == 200 and r.body["rows"] == []


async def test_bad_parameters_are_named(env: Env) -> None:
    for query, field in (
        ("from=2026-12-01&until=2026-11-01", "until"),
        ("from=gisteren", "from"),
        ("period=week", "period"),
        ("client_id=abc", "client_id"),
    ):
        r = await env.privacy.get(f"/api/v1/reports/chain?{query}")
        assert r.status == 422, (query, r.body)
        assert field in r.body["error"]["message"], r.body


# --- Focused unit tests ----------------------------------------------------------------------


def test_working_days_skip_weekends_and_dutch_holidays() -> None:
    thursday_before_easter = date(2026, 4, 2)  # Good Friday and Easter Monday are holidays
    assert working_days_between(thursday_before_easter, date(2026, 4, 6)) == 0
    assert working_days_between(thursday_before_easter, date(2026, 4, 7)) == 1
    assert working_days_between(date(2026, 11, 23), date(2026, 11, 23)) == 0
    assert working_days_between(date(2026, 11, 23), date(2026, 11, 22)) == 0
    # Christmas (Fri, Sat), 28-31 December 2026 (4), New Year's Day (Fri), Sat 2 January.
    assert working_days_between(date(2026, 12, 25), date(2027, 1, 2)) == 4


def test_five_cases_are_shown_four_are_not() -> None:
    assert chain_report.timing([1, 2, 3, 4, None]).model_dump() == HIDDEN_T
    assert chain_report.timing([1, 2, 3, 4, 9]).model_dump() == timing(5, 3, 9)
    assert chain_report.share([True, False, None, False, False]).model_dump() == HIDDEN_S
    assert chain_report.share([True, False, True, False, False]).model_dump() == {
        "n": 5,
        "share": 0.4,
    }
    [four] = aggregate([case() for _ in range(4)])[2]
    assert four.cases == SUPPRESSED and four.first_answer.model_dump() == HIDDEN_T
    [five] = aggregate([case() for _ in range(5)])[2]
    assert five.cases == 5 and five.first_answer.model_dump() == timing(5, 1, 1)


def test_percentiles_are_nearest_rank() -> None:
    assert p90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) == 9
    assert p90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) == 10
    assert p90([5]) == 5


def case(reason: str | None = None, steps: tuple[str, ...] = (), **kw: Any) -> Case:
    base: dict[str, Any] = {
        "partner_id": "p",
        "advice_type": "t",
        "period": "2026-11",
        "first_answer": 1,
        "decision": 2,
        "execution": None,
        "overdue": False,
        "outcome": "rejected" if reason else "adopted",
        "reason": reason,
        "escalation_steps": list(steps),
    }
    return Case(**{**base, **kw})


def test_reason_codes_and_escalation_steps_are_counted_and_suppressed() -> None:
    cases = [case("professional_secrecy") for _ in range(6)]
    cases += [case("capacity") for _ in range(2)]
    cases += [case(steps=("buddy_reminder", "contact_manager")) for _ in range(5)]
    cases += [case(steps=("buddy_reminder", "buddy_reminder")) for _ in range(1)]
    cases += [case(steps=("new_rung",)) for _ in range(1)]
    reasons, steps, [row] = aggregate(cases)
    assert reasons == ["capacity", "professional_secrecy"]
    # The ladder's rungs in their order, always; an unknown one after them.
    assert steps == [*LADDER, "new_rung"]
    assert row.cases == 15
    assert row.adoption.model_dump() == {"n": 15, "share": round(7 / 15, 3)}
    # capacity (2) is under five; professional_secrecy is then hidden too, or it would give
    # capacity away as the rejections' total (which the adoption share reveals) minus six.
    assert row.rejection_reasons == {"capacity": SUPPRESSED, "professional_secrecy": SUPPRESSED}
    # Escalations, not items: one item may climb a rung once per late milestone.
    assert row.escalations == {
        "buddy_reminder": 7,
        "contact_manager": 5,
        "team_leader": SUPPRESSED,
        "steering_report": SUPPRESSED,
        "new_rung": SUPPRESSED,
    }
    assert row.execution.model_dump() == {"n": SUPPRESSED, "median": SUPPRESSED, "p90": SUPPRESSED}


def test_a_breakdown_hides_small_counts_and_one_more_when_one_alone_is_hidden() -> None:
    assert breakdown({"a": 7, "b": 6, "c": 2}, ["a", "b", "c"]) == {
        "a": 7,
        "b": SUPPRESSED,
        "c": SUPPRESSED,
    }
    assert breakdown({"a": 7, "b": 1, "c": 2}, ["a", "b", "c"]) == {
        "a": 7,
        "b": SUPPRESSED,
        "c": SUPPRESSED,
    }
    assert breakdown({"a": 7, "b": 5}, ["a", "b", "z"]) == {
        "a": 7,
        "b": SUPPRESSED,
        "z": SUPPRESSED,
    }
    assert breakdown({"a": 7, "b": 5}, ["a", "b"]) == {"a": 7, "b": 5}
