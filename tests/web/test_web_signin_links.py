"""`wijkhub signin-link`: every role of the web UI gets in without an identity provider, once,
within the link's minutes; the making of a link is logged; refusals are Dutch."""

import asyncio
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.support.cli import cli_config, invoke
from tests.support.harness import Env
from tests.support.web_client import WebClient
from wijkhub.hub.store.tables import LOG
from wijkhub.hub.web.session import LINK_ISSUED

HOMES = [
    ("wijkcoach", "team-a", "/coach"),
    ("teammanager", "team-a", "/goedkeuringen"),
    ("clustermanager", "team-a", "/goedkeuringen"),
    ("teamleider", "team-a", "/team/ketenrapport"),
    ("privacyfunctionaris", None, "/privacy"),
    ("team_leader", "team-a", "/team/ketenrapport"),  # the configuration's name works too
]


def link_path(output: str) -> str:
    line = next(x for x in output.splitlines() if "/aanmelden/link/" in x)
    return urlsplit(line.strip()).path


@pytest.mark.parametrize(("role", "team", "home"), HOMES)
async def test_each_role_signs_in_once_with_its_link(
    env: Env, tmp_path: Path, role: str, team: str | None, home: str
) -> None:
    args = ["signin-link", "--role", role, "--name", "Karin Mulder"]
    result = await asyncio.to_thread(
        invoke, env, cli_config(env, tmp_path), *args, *(["--team", team] if team else [])
    )
    assert result.exit_code == 0, result.output
    assert "Karin Mulder" in result.output and "minuten geldig" in result.output
    path = link_path(result.output)
    browser = WebClient(env.hub.url)
    try:
        page = await browser.follow(await browser.get(path))
        assert page.status == 200 and urlsplit(page.url).path == home, page.text[:300]
        assert "Karin Mulder" in page.text
    finally:
        await browser.close()
    other = WebClient(env.hub.url)
    try:
        again = await other.get(path)
        assert again.status == 403 and "al gebruikt of verlopen" in again.text
        assert other.cookie() is None
    finally:
        await other.close()


async def test_an_expired_link_is_refused_in_dutch_and_its_making_is_logged(
    env: Env, tmp_path: Path
) -> None:
    result = await asyncio.to_thread(
        invoke,
        env,
        cli_config(env, tmp_path),
        "signin-link",
        "--role",
        "privacyfunctionaris",
        "--minutes",
        "5",
    )
    assert result.exit_code == 0, result.output
    assert "5 minuten geldig" in result.output
    env.clock.advance(minutes=6)
    browser = WebClient(env.hub.url)
    try:
        late = await browser.get(link_path(result.output))
        assert late.status == 403 and "verlopen" in late.text and browser.cookie() is None
    finally:
        await browser.close()
    async with env.hub.ctx.db.read() as conn:
        issued = (await conn.execute(select(LOG).where(LOG.c.name == LINK_ISSUED))).all()
    assert len(issued) == 1 and issued[0].actor.startswith("admin/cli:")
    assert issued[0].outcome == "privacy_officer" and "privacyfunctionaris" in issued[0].detail


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--role", "wijkcoach"], "geef --team"),
        (["--role", "privacyfunctionaris", "--team", "team-a"], "laat --team weg"),
        (["--role", "wijkcoach", "--team", "Team A!"], "kleine letters"),
        (["--role", "inwoner"], "--role"),
        (["--role", "wijkcoach", "--team", "team-a", "--minutes", "0"], "--minutes"),
    ],
)
async def test_a_wrong_invocation_is_a_dutch_error_without_a_link(
    env: Env, tmp_path: Path, args: list[str], says: str
) -> None:
    result = await asyncio.to_thread(invoke, env, cli_config(env, tmp_path), "signin-link", *args)
    assert result.exit_code == 2, result.output
    assert says in result.output and "/aanmelden/link/" not in result.output
    assert "Traceback" not in result.output


async def test_the_signin_page_says_how_to_get_a_link(env: Env) -> None:
    browser = WebClient(env.hub.url)
    try:
        page = await browser.get("/aanmelden")
    finally:
        await browser.close()
    assert page.status == 200
    assert "wijkhub signin-link --role wijkcoach --team" in page.text
    assert "teamleider" in page.text and "privacyfunctionaris" in page.text
