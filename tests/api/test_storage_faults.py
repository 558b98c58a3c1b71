"""When the hub cannot write it says so: `/health/ready` fails its write probe, and a request
that hits a storage fault is a 503 with Retry-After and a Dutch message, never a 500 and never
half stored.

Real failures of the real database, switched on under the running hub: a SQLite database that
has become read only (`query_only`), one whose disk is full (`max_page_count`: SQLite's own
"database or disk is full"), a PostgreSQL database turned read only.
"""

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select, text

from tests.support.harness import Env
from tests.support.web_client import signed_in
from wijkhub.hub.core.db import (
    MSG_STORAGE_UNAVAILABLE,
    RETRY_AFTER_SECONDS,
    Database,
    storage_fault,
)
from wijkhub.hub.demo import household
from wijkhub.hub.store.tables import ADVICE, CLIENT


@contextmanager
def _on_connect(env: Env, pragma: Callable[[Any], None]) -> Iterator[None]:
    """Every new connection of the hub's engine gets `pragma` (the pool starts afresh)."""
    engine = env.hub.ctx.db.engine.sync_engine

    def hook(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        pragma(cur)
        cur.close()

    event.listen(engine, "connect", hook)
    try:
        yield
    finally:
        event.remove(engine, "connect", hook)


async def _fresh_pool(env: Env) -> None:
    await env.hub.ctx.db.engine.dispose()


async def _ready(env: Env) -> tuple[int, dict[str, Any], dict[str, str]]:
    async with env.session.get("/health/ready") as r:
        return r.status, await r.json(), dict(r.headers)


async def _count(env: Env, table: Any) -> int:
    async with env.hub.ctx.db.read() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)) or 0)


def _is_503(r: Any) -> bool:
    return (
        r.status == 503
        and r.body["error"]["code"] == "storage_unavailable"
        and r.body["error"]["message"] == MSG_STORAGE_UNAVAILABLE
    )


async def test_ready_commits_a_write_probe(env: Env) -> None:
    status, body, _ = await _ready(env)
    assert status == 200 and body["write"] == "ok"


async def test_a_read_only_sqlite_database_is_not_ready_and_writes_answer_503(
    env: Env, db_url: str | None
) -> None:
    if db_url is not None:
        pytest.skip("SQLite's read-only mode; PostgreSQL has its own test")
    client = await env.household()
    coach = await signed_in(env)
    await coach.get(f"/coach/clienten/{client.replace('-', '')}")  # its CSRF token
    with _on_connect(env, lambda cur: cur.execute("PRAGMA query_only = ON")):
        await _fresh_pool(env)
        status, body, headers = await _ready(env)
        assert status == 503 and body["database"] == "ok" and body["write"] == "OperationalError"
        assert headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
        # Reading personal data writes its log entry first: nothing is shown without it, so
        # that read is refused too, like every write, with a time to come back.
        read = await env.coach.get(f"/api/v1/clients/{client}")
        assert read.status == 503 and read.body["error"]["code"] == "storage_unavailable"
        async with env.session.post(
            "/api/v1/advices",
            json=household.advice(client, env.today),
            headers=env.coach.headers,
        ) as r:
            assert r.status == 503 and r.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
            body = await r.json()
        assert body["error"]["message"] == MSG_STORAGE_UNAVAILABLE
        # A web form says the same, in Dutch, as a page.
        status, page, _ = await coach.post(
            f"/coach/clienten/{client.replace('-', '')}/toestemmingen",
            [
                ("partner_id", household.CORPORATIE),
                ("doelen", "betalingsregeling_huurachterstand"),
                ("categorieen", "identification"),
                ("geldig_vanaf", env.today.isoformat()),
                ("bewijs", "sha256:" + "cd" * 32),
            ],
        )
        assert status == 503 and "tijdelijk niet beschikbaar" in page
    await _fresh_pool(env)
    assert (await _ready(env))[0] == 200
    assert await _count(env, ADVICE) == 0
    await env.submit(household.advice(client, env.today))  # and writing again after


async def test_a_full_sqlite_disk_answers_503_and_stores_nothing_half(
    env: Env, db_url: str | None
) -> None:
    if db_url is not None:
        pytest.skip("SQLite's page limit; PostgreSQL has its own test")
    client = await env.household()
    async with env.hub.ctx.db.read() as conn:
        pages = int(await conn.scalar(text("PRAGMA page_count")) or 0)
    # The file may not grow by a single page any more: SQLite answers SQLITE_FULL.
    with _on_connect(env, lambda cur: cur.execute(f"PRAGMA max_page_count = {pages}")):
        await _fresh_pool(env)
        results = []
        for _ in range(20):
            results.append(
                await env.coach.post("/api/v1/advices", json=household.advice(client, env.today))
            )
            if results[-1].status != 201:
                break
        last = results[-1]
        assert _is_503(last), last.body
        stored = sum(1 for r in results if r.status == 201)
        assert await _count(env, ADVICE) == stored  # the refused one left nothing behind
        r = await env.coach.post("/api/v1/clients", json={**household.CLIENT, "bsn": "111222333"})
        assert r.status in (201, 503) and r.status != 500
    await _fresh_pool(env)


async def test_a_read_only_postgresql_database_is_not_ready_and_writes_answer_503(
    env: Env, db_url: str | None
) -> None:
    if db_url is None:
        pytest.skip("PostgreSQL only")
    client = await env.household()
    name = db_url.rsplit("/", 1)[1]
    async with env.hub.ctx.db.engine.connect() as conn:
        await conn.execute(text("COMMIT"))
        await conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    await _fresh_pool(env)
    try:
        status, body, headers = await _ready(env)
        assert status == 503 and body["write"] != "ok" and "Retry-After" in headers
        before = await _count(env, CLIENT)
        r = await env.coach.post("/api/v1/advices", json=household.advice(client, env.today))
        assert _is_503(r), r.body
        assert await _count(env, CLIENT) == before
    finally:
        async with env.hub.ctx.db.engine.connect() as conn:
            await conn.execute(text("COMMIT"))
            await conn.execute(text("SET default_transaction_read_only = off"))
            await conn.execute(
                text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off')
            )
        await _fresh_pool(env)
    assert (await _ready(env))[0] == 200


def test_a_bug_is_not_a_storage_fault_but_a_full_disk_is() -> None:
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("SELECT * FROM no_such_table")
    except sqlite3.OperationalError as exc:
        assert not storage_fault(exc)  # our mistake: a 500, logged, not "try again"
    conn.execute("CREATE TABLE t (x TEXT)")
    conn.execute("PRAGMA max_page_count = 1")
    with pytest.raises(sqlite3.OperationalError) as full:
        conn.execute("INSERT INTO t VALUES (?)", ("x" * 100_000,))
    assert storage_fault(full.value)
    assert storage_fault(ConnectionRefusedError(111, "Connect call failed"))
    assert not storage_fault(ValueError("bad"))


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+asyncpg://postgres@127.0.0.1:1/wijkhub",  # nothing listens: refused
        "sqlite+aiosqlite:////nonexistent-dir/wijkhub.db",  # cannot open the file
    ],
)
async def test_a_database_that_is_away_is_a_storage_fault(url: str) -> None:
    db = Database(url)
    try:
        with pytest.raises(Exception) as away:
            async with db.write() as conn:
                await conn.execute(text("SELECT 1"))
        assert storage_fault(away.value), repr(away.value)
    finally:
        await db.dispose()
