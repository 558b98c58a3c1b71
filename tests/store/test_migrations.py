"""Alembic is the only way the schema is made: from empty, and from every earlier revision,
on SQLite and on PostgreSQL; the result matches the models exactly."""

import asyncio
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import wijkhub.hub.store.tables  # noqa: F401 - the models
from tests.support.pg import BACKENDS, PgServer
from wijkhub.hub.cli.main import main
from wijkhub.hub.core.db import alembic_config, upgrade
from wijkhub.hub.store.tables import IDEMPOTENCY

REVISIONS = [
    s.revision
    for s in reversed(
        list(ScriptDirectory.from_config(alembic_config("sqlite://")).walk_revisions())
    )
]


@pytest.fixture(params=BACKENDS)
async def empty_url(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
        return
    pg: PgServer = request.getfixturevalue("pg")
    name = await pg.create_db(template=False)  # really empty, not the migrated template
    try:
        yield pg.url(name)
    finally:
        await pg.drop_db(name)


async def _state(url: str) -> tuple[str | None, list[object]]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            rev = await conn.scalar(text("SELECT version_num FROM alembic_version"))

            def diff(sync_conn):  # type: ignore[no-untyped-def]
                ctx = MigrationContext.configure(sync_conn, opts={"compare_type": True})
                return compare_metadata(ctx, SQLModel.metadata)

            return rev, await conn.run_sync(diff)
    finally:
        await engine.dispose()


async def test_upgrade_from_empty_reaches_head_and_matches_the_models(empty_url: str) -> None:
    await upgrade(empty_url)
    rev, diff = await _state(empty_url)
    assert rev == REVISIONS[-1]
    assert diff == [], "models and migrations differ: add a migration"


@pytest.mark.parametrize("start", REVISIONS[:-1])
async def test_upgrade_from_each_earlier_revision(empty_url: str, start: str) -> None:
    await upgrade(empty_url, start)
    rev, _ = await _state(empty_url)
    assert rev == start
    await upgrade(empty_url)
    rev, diff = await _state(empty_url)
    assert rev == REVISIONS[-1] and diff == []


async def test_wijkhub_init_and_db_upgrade_work_on_each_backend(
    empty_url: str, tmp_path: Path
) -> None:

    cfg = tmp_path / "wijkhub.toml"
    cfg.write_text(f'data_dir = "{tmp_path / "data"}"\ndatabase_url = "{empty_url}"\n')

    def run(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(main, ["--config", str(cfg), *args])

    res = await asyncio.to_thread(run, "init")
    assert res.exit_code == 0, res.output
    assert res.output.strip().splitlines()[-1].startswith("wjk_")
    res = await asyncio.to_thread(run, "db", "upgrade")
    assert res.exit_code == 0, res.output
    rev, diff = await _state(empty_url)
    assert rev == REVISIONS[-1] and diff == []


async def test_status_effective_date_migration_is_reversible(tmp_path: Path) -> None:
    """0012 adds a nullable column to status_update and takes it away again on downgrade."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'r.db'}"
    await upgrade(url, "0012")

    async def columns() -> set[str]:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                rows = await conn.execute(text("PRAGMA table_info(status_update)"))
                return {r[1] for r in rows}
        finally:
            await engine.dispose()

    assert "effective_date" in await columns()
    await asyncio.to_thread(command.downgrade, alembic_config(url), "0008")
    assert "effective_date" not in await columns()
    await upgrade(url)
    assert "effective_date" in await columns()


async def test_log_foreign_operation_column_comes_and_goes_with_its_revision(
    empty_url: str,
) -> None:
    async def columns() -> set[str]:
        engine = create_async_engine(empty_url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(
                    lambda c: {col["name"] for col in inspect(c).get_columns("processing_log")}
                )
        finally:
            await engine.dispose()

    await upgrade(empty_url, "0013")
    assert "foreign_operation" in await columns()
    await asyncio.to_thread(command.downgrade, alembic_config(empty_url), "0008")
    assert "foreign_operation" not in await columns()
    await upgrade(empty_url, "0013")
    assert "foreign_operation" in await columns()


async def test_the_idempotency_migration_is_reversible(empty_url: str) -> None:
    await upgrade(empty_url)

    def down() -> None:
        command.downgrade(alembic_config(empty_url), "0008")

    await asyncio.to_thread(down)
    engine = create_async_engine(empty_url)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: inspect(c).get_table_names())
        assert IDEMPOTENCY.name not in names
    finally:
        await engine.dispose()
    await upgrade(empty_url)
    rev, diff = await _state(empty_url)
    assert rev == REVISIONS[-1] and diff == []
