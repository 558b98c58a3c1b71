"""The inwoner codes migration is reversible: down to its base and up again, the schema
matches the models; downgraded, its tables and the session's client column are gone."""

import asyncio
from pathlib import Path

from alembic import command
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from wijkhub.hub.core.db import alembic_config, upgrade

REVISION, BASE = "0014", "0008"


async def _schema(url: str) -> tuple[set[str], set[str]]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:

            def read(sync_conn):  # type: ignore[no-untyped-def]
                insp = inspect(sync_conn)
                return set(insp.get_table_names()), {
                    c["name"] for c in insp.get_columns("web_session")
                }

            return await conn.run_sync(read)
    finally:
        await engine.dispose()


async def test_downgrade_and_upgrade_again(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    await upgrade(url, REVISION)
    tables, columns = await _schema(url)
    assert {"inwoner_code", "inwoner_attempt"} <= tables and "client_id" in columns
    await asyncio.to_thread(command.downgrade, alembic_config(url), BASE)
    tables, columns = await _schema(url)
    assert not {"inwoner_code", "inwoner_attempt"} & tables and "client_id" not in columns
    await upgrade(url, REVISION)
    tables, columns = await _schema(url)
    assert {"inwoner_code", "inwoner_attempt"} <= tables and "client_id" in columns
