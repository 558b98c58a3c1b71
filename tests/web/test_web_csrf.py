"""CSRF: every state-changing request to a page needs the session's token; without it (or
with another session's) the request is refused with 403, logged, and nothing changes."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from tests.support.harness import Env
from tests.support.web_client import WebClient
from wijkhub.hub.store.tables import LOG
from wijkhub.hub.web.csrf import token_for, valid
from wijkhub.hub.web.session import create_signin_link


@pytest.fixture
async def officer(env: Env) -> AsyncIterator[WebClient]:
    client = WebClient(env.hub.url)
    await client.get(await create_signin_link(env.hub.ctx, "privacy_officer", None, "FG", ""))
    try:
        yield client
    finally:
        await client.close()


async def _count(env: Env, name: str, outcome: str | None = None) -> int:
    stmt = select(func.count()).select_from(LOG).where(LOG.c.name == name)
    if outcome:
        stmt = stmt.where(LOG.c.outcome == outcome)
    async with env.hub.ctx.db.read() as conn:
        return int(await conn.scalar(stmt) or 0)


async def test_a_post_without_or_with_a_wrong_token_changes_nothing(
    env: Env, officer: WebClient
) -> None:
    other = WebClient(env.hub.url)
    await other.get(await create_signin_link(env.hub.ctx, "privacy_officer", None, "FG2", ""))
    try:
        foreign = await other.csrf("/privacy")
    finally:
        await other.close()
    for data in ({}, {"csrf_token": "0" * 64}, {"csrf_token": foreign}):
        hop = await officer.post("/privacy/controleren", data=data)
        assert hop.status == 403
        assert "Geen toegang" in hop.text and "er is niets gewijzigd" in hop.text
    assert await _count(env, "processing_log.verify") == 0
    assert await _count(env, "access.refused", "csrf") == 3

    # With the session's own token (form field or header) it goes through.
    token = await officer.csrf("/privacy")
    hop = await officer.post("/privacy/controleren", data={"csrf_token": token})
    assert hop.status == 303
    hop = await officer.post("/privacy/controleren", headers={"X-CSRF-Token": token})
    assert hop.status == 303
    assert await _count(env, "processing_log.verify") == 2


async def test_not_signed_in_posts_are_refused_too(env: Env) -> None:
    anon = WebClient(env.hub.url)
    try:
        hop = await anon.post("/afmelden", data={})
        assert hop.status == 403
    finally:
        await anon.close()


def test_token_is_bound_to_the_session() -> None:
    assert valid("sessie-a", token_for("sessie-a"))
    assert not valid("sessie-b", token_for("sessie-a"))
    assert not valid(None, token_for("sessie-a"))
    assert not valid("sessie-a", None)
    assert not valid("sessie-a", "")
