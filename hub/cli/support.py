"""What every `wijkhub` command needs: its settings, and a database for the length of a call."""

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click

from wijkhub.hub.core.db import Database
from wijkhub.hub.core.settings import Settings

T = TypeVar("T")


def settings_for(ctx: click.Context) -> Settings:
    """The settings named by the root command's --config (or WIJKHUB_CONFIG), if any."""
    path = (ctx.find_root().obj or {}).get("config")
    return Settings.load(Path(path) if path else None)


def run_with_db(settings: Settings, fn: Callable[[Database], Awaitable[T]]) -> T:
    """Run `fn` with a database opened for this call and always closed afterwards."""

    async def go() -> T:
        db = Database(settings.db_url)
        try:
            return await fn(db)
        finally:
            await db.dispose()

    return asyncio.run(go())
