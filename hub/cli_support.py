"""What every `wijkhub` command needs: its settings, its clock, and a database for the length of
a call."""

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click

from .clock import Clock, SystemClock
from .db import Database
from .settings import Settings

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
