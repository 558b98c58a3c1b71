"""The machine's own limits, measured in the same run as the hub: raw HTTP round trips
between two processes and single-row commits with the hub's own database settings."""

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
from sqlalchemy import text

from wijkhub.hub.core.db import Database

BODY = json.dumps({"data": "x" * 2000}).encode()  # ~2 KB JSON


def _spawn_echo() -> subprocess.Popen[bytes]:
    # `bench.echo` from a checkout (`python -m bench`), `wijkhub.bench.echo` when installed.
    return subprocess.Popen(
        [sys.executable, "-m", f"{__package__}.echo"],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parent.parent,
    )


async def raw_post_rate(seconds: float, concurrency: int = 32) -> float:
    """POST round trips per second to an aiohttp echo server in another process."""
    proc = _spawn_echo()
    try:
        assert proc.stdout is not None
        port = int((await asyncio.to_thread(proc.stdout.readline)).strip())
        url = f"http://127.0.0.1:{port}/echo"
        conn = aiohttp.TCPConnector(limit=concurrency)  # keep-alive: connections are reused
        headers = {"Content-Type": "application/json"}
        async with aiohttp.ClientSession(connector=conn, headers=headers) as http:
            done = 0
            warm_until = time.perf_counter() + min(0.5, seconds / 4)
            end = warm_until + seconds

            async def one() -> None:
                nonlocal done
                while (now := time.perf_counter()) < end:
                    async with http.post(url, data=BODY) as r:
                        await r.read()
                    if now >= warm_until:
                        done += 1

            await asyncio.gather(*(one() for _ in range(concurrency)))
        return done / seconds
    finally:
        proc.terminate()
        proc.wait(10)


async def commit_rate(url: str, seconds: float) -> float:
    """Single-row INSERT + COMMIT per second through `Database.write` (the hub's settings:
    SQLite WAL, synchronous=NORMAL, BEGIN IMMEDIATE; PostgreSQL as configured)."""
    db = Database(url)
    try:
        async with db.write() as conn:
            await conn.execute(text("DROP TABLE IF EXISTS bench_commit"))
            await conn.execute(text("CREATE TABLE bench_commit (id INTEGER, v TEXT)"))
        n = 0
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            async with db.write() as conn:
                await conn.execute(
                    text("INSERT INTO bench_commit (id, v) VALUES (:i, :v)"), {"i": n, "v": "x"}
                )
            n += 1
        async with db.write() as conn:
            await conn.execute(text("DROP TABLE bench_commit"))
        return n / seconds
    finally:
        await db.dispose()
