"""What every `wijkhub` command needs: its settings, its clock, and a database for the length of
a call."""

import asyncio
from collections.abc import Awaitable, Callable, Collection
from pathlib import Path
from typing import Any, TypeVar

import click
from rich import box
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.core.clock import Clock, SystemClock
from wijkhub.hub.core.db import Database
from wijkhub.hub.core.settings import Settings

T = TypeVar("T")


def settings_for(ctx: click.Context) -> Settings:
    """The settings named by the root command's --config (or WIJKHUB_CONFIG), if any."""
    path = (ctx.find_root().obj or {}).get("config")
    return Settings.load(Path(path) if path else None)


def cli_obj(clock: Clock) -> dict[str, object]:
    """The root context object that runs every command on `clock` instead of the real time:
    `CliRunner().invoke(main, args, obj=cli_obj(clock))`. The shell never sets it."""
    return {"clock": clock}


def clock_for(ctx: click.Context) -> Clock:
    """The clock a command reads "now" from: the one given through `cli_obj`, else real time."""
    clock = (ctx.find_root().obj or {}).get("clock")
    return clock if clock is not None else SystemClock()


def run_with_db(settings: Settings, fn: Callable[[Database], Awaitable[T]]) -> T:
    """Run `fn` with a database opened for this call and always closed afterwards."""

    async def go() -> T:
        db = Database(settings.db_url)
        try:
            return await fn(db)
        finally:
            await db.dispose()

    return asyncio.run(go())


def table(*columns: str, whole: Collection[str] = (), **kw: Any) -> Table:
    """A table that fits an 80-column terminal: no vertical lines, and every cell wraps onto
    more lines instead of being cut off with "…", except the `whole` columns (ids a person
    copies into the next command), which are never broken."""
    t = Table(box=box.SIMPLE_HEAD, pad_edge=False, **kw)
    for name in columns:
        if name in whole:
            t.add_column(name, no_wrap=True, overflow="ignore")
        else:
            t.add_column(name, overflow="fold")
    return t


def console() -> Console:
    # Built per command so the terminal width (COLUMNS) is read when the command runs.
    return Console()


def in_transaction(ctx: click.Context, fn: Callable[[AsyncConnection], Awaitable[T]]) -> T:
    async def go(db: Database) -> T:
        async with db.write() as conn:
            return await fn(conn)

    return run_with_db(settings_for(ctx), go)
