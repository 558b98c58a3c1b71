"""Team leader pages over HTTP (no browser): the chain report page shows the API's figures,
suppressed cells as "< 5", an SVG chart and the API's CSV; notices are marked read through a
CSRF-protected form; the steering list; a coach gets the Dutch 403 page."""

import csv
import io
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.support.chain import CORP, NOV, ZORG, escalated, scenario
from tests.support.harness import ApiClient, Env
from tests.support.ladder import item_for, move_to, run_ladder
from tests.support.roles import team_leader as leader
from tests.support.web_client import signed_in, text_of
from wijkhub.hub.demo import household
from wijkhub.hub.reports.chain_report import SUPPRESSED


@pytest.fixture
def sim_options() -> dict[str, dict[str, Any]]:
    # The test is the partner: simulators receive but never answer on their own.
    return {pid: {"answer": False} for pid in (CORP, household.STADSBANK, household.GI, ZORG)}


def row_cells(page: str, partner: str) -> dict[str, str]:
    """The figures of a partner's single table row, by `data-figure`."""
    m = re.search(rf'<section[^>]*data-partner="{partner}"[^>]*>(.*?)</section>', page, re.S)
    assert m, partner
    cells = re.findall(r'<td data-figure="([a-z_]+)">(.*?)</td>', m.group(1), re.S)
    # The screen-reader text that says why a figure is hidden is checked on its own.
    unsaid = re.compile(r'<span class="visually-hidden">.*?</span>', re.S)
    return {
        k: " ".join(text_of(unsaid.sub("", v)).split()).replace("( ", "(").replace(" )", ")")
        for k, v in cells
    }


def fig(value: Any, share: bool = False) -> str:
    if value == SUPPRESSED:
        return "< 5"
    if share:
        return f"{value * 100:.1f}%".replace(".", ",")
    return f"{value:g}".replace(".", ",") if isinstance(value, float) else str(value)


async def test_chain_report_page_shows_the_apis_figures_and_suppression(env: Env) -> None:
    ids = await scenario(env)
    fired = [("buddy_reminder", i) for i in range(5)] + [("contact_manager", 5)]
    await escalated(env, [(step, ids["items"][i]) for step, i in fired])
    api = await (await leader(env)).get(f"/api/v1/reports/chain?{NOV}")
    assert api.status == 200, api.body
    corp_row, zorg_row = api.body["rows"]

    tl = await signed_in(env, "team_leader", "team-a")
    status, page = await tl.get(f"/team/ketenrapport?{NOV}&period=month")
    assert status == 200, text_of(page)[-1500:]
    corp = row_cells(page, CORP)
    assert corp["cases"] == str(corp_row["cases"]) == "7"
    for t in ("first_answer", "decision", "execution"):
        f = corp_row[t]
        assert corp[t] == f"{fig(f['median'])} / {fig(f['p90'])} ({fig(f['n'])})"
    for s in ("overdue", "adoption"):
        assert corp[s] == f"{fig(corp_row[s]['share'], True)} ({fig(corp_row[s]['n'])})"
    assert corp["escalation_buddy_reminder"] == "5"
    assert corp["escalation_contact_manager"] == "< 5"  # one escalation: suppressed
    assert corp["rejected_professional_secrecy"] == "< 5"
    # The zorg row rests on four items: every figure is "< 5", never a number.
    zorg = row_cells(page, ZORG)
    assert zorg_row["cases"] == SUPPRESSED
    assert zorg["cases"] == "< 5" and zorg["first_answer"] == "< 5 / < 5 (< 5)"
    # ... and says why, to a screen reader and on hover, and above the tables.
    assert "minder dan 5 onderdelen" in page and "1 van de 2 rijen" in text_of(page)
    assert "toon de hele periode in één keer" in page
    assert all("< 5" in v for v in zorg.values()) and not any(
        re.search(r"\d", v.replace("< 5", "")) for v in zorg.values()
    )
    # A server-rendered chart per partner, no script needed.
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 2
    assert "<script" not in page
    # No personal data on the page.
    for secret in [*ids["items"], *ids["client"], "Testervelde", "deurwaarder"]:
        assert secret not in page and secret.replace("-", "") not in page

    # The CSV link downloads the API's CSV of the same report.
    link = re.search(r'href="(/team/ketenrapport\.csv[^"]*)"', page)
    assert link
    async with tl.session.get(link.group(1).replace("&amp;", "&")) as r:
        assert r.status == 200 and r.content_type == "text/csv"
        page_csv = await r.text()
    api_csv = await (await leader(env)).get(f"/api/v1/reports/chain.csv?{NOV}&period=month")
    assert page_csv == api_csv.body.decode()
    assert list(csv.DictReader(io.StringIO(page_csv)))[1]["cases"] == SUPPRESSED

    # Quarter filter; a bad filter names the field on the page, not a 500.
    status, page = await tl.get(f"/team/ketenrapport?{NOV}&period=quarter")
    assert status == 200 and 'data-period="2026-Q4"' in page
    status, page = await tl.get("/team/ketenrapport?from=2026-11-30&until=2026-11-01")
    assert status == 422 and "until" not in text_of(page)
    error = re.search(r'<p id="f-until-error"[^>]*>(.*?)</p>', page, re.S)
    assert error and "de einddatum ligt vóór de begindatum" in error.group(1)
    assert 'aria-describedby="f-until-error"' in page
    status, page = await tl.get("/team/ketenrapport?from=gisteren&until=2026-11-01")
    error = re.search(r'<p id="f-from-error"[^>]*>(.*?)</p>', page, re.S)
    assert status == 422 and error and "datum" in error.group(1), text_of(page)[-800:]
    assert "from_date" not in page and "Input should" not in page

    # Another team's leader sees no rows; the privacy officer sees all teams.
    other = await signed_in(env, "team_leader", "team-b")
    status, page = await other.get(f"/team/ketenrapport?{NOV}")
    assert status == 200 and "data-partner=" not in page
    fg = await signed_in(env, "privacy_officer", None)
    status, page = await fg.get(f"/team/ketenrapport?{NOV}")
    assert status == 200 and row_cells(page, CORP)["cases"] == "7"


async def test_a_coach_gets_the_dutch_403_page_and_the_attempt_is_logged(env: Env) -> None:
    coach = await signed_in(env)
    for path in ("/team/ketenrapport", "/team/ketenrapport.csv", "/team/meldingen"):
        status, page = await coach.get(path)
        assert status == 403 and "Geen toegang" in page, path
    log = await env.log(name="access.refused")
    assert any("/team/ketenrapport" in (e.get("detail") or "") for e in log), log


async def test_notices_marked_read_with_csrf_and_the_steering_list(env: Env) -> None:
    advice = await env.submit({"client_id": await env.household(), "items": [item_for(ZORG)]})
    item_id = uuid.UUID(advice["items"][0]["id"]).hex
    await env.deliver()
    move_to(env, datetime(2026, 12, 7, 8, 0, tzinfo=UTC))  # five working days late
    await run_ladder(env)
    tl = await signed_in(env, "team_leader", "team-a")
    status, page = await tl.get("/team/meldingen")
    assert status == 200 and f'data-item="{item_id}"' in page
    assert "nog te laat" in page and "Zorggroep" in text_of(page)
    # Without its CSRF token: refused, nothing changed.
    action = f"/team/meldingen/{item_id}/gelezen"
    status, page, _ = await tl.post(action, [], csrf=False)
    assert status == 403 and "niets gewijzigd" in page
    api = ApiClient(env.session, await env.hub.token("team_leader", "tl", team="team-a"))
    assert [n["read_at"] for n in (await api.get("/api/v1/escalations/notices")).body] == [None]
    # Another team's leader cannot mark it (the API's answer: not found).
    other = await signed_in(env, "team_leader", "team-b")
    assert f'data-item="{item_id}"' not in (await other.get("/team/meldingen"))[1]
    assert (await other.post(action, []))[0] == 404
    status, page, path = await tl.post(action, [])
    assert status == 200 and path == "/team/meldingen" and "als gelezen gemarkeerd" in page
    assert (await api.get("/api/v1/escalations/notices?unread=true")).body == []
    assert f'data-item="{item_id}"' not in (await tl.get("/team/meldingen?ongelezen=ja"))[1]

    move_to(env, datetime(2026, 12, 14, 8, 0, tzinfo=UTC))  # ten working days late
    await run_ladder(env)
    tl = await signed_in(env, "team_leader", "team-a")
    status, page = await tl.get("/team/stuurgroep?open=ja")
    assert status == 200 and f'data-item="{item_id}"' in page and "team-a" in page
    coach = await signed_in(env)
    assert (await coach.get("/team/stuurgroep"))[0] == 403
