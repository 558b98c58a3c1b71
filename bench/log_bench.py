"""The processing log under load: appends/s from 1 and 2 processes sharing one PostgreSQL
(writers take no shared lock; a sequencer places and signs meanwhile), and how long an
inclusion or consistency proof takes to make from the stored tree.

`python -m wijkhub.bench.log_bench URL SECONDS WRITERS` is one appending process: it connects,
prints "ready", waits for a line on stdin, then appends one entry per transaction, WRITERS at
a time, for SECONDS, and prints how many it appended. (Imports alone can take seconds on a
busy machine: every process starts together only once all are ready.)
"""

import asyncio
import random
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wijkhub.bench.flow import percentile
from wijkhub.hub.core import log_tree
from wijkhub.hub.core.clock import SystemClock
from wijkhub.hub.core.crypto import KeyRing
from wijkhub.hub.core.db import Database
from wijkhub.hub.core.log_verify import verify_log
from wijkhub.hub.core.processing_log import LogEntry, append, new_trace_id
from wijkhub.hub.core.sequencer import log_keys, sequence
from wijkhub.hub.core.settings import Settings

WRITERS = 8  # concurrent requests in one process


async def append_for(url: str, seconds: float, writers: int) -> int:
    db = Database(url)
    count = 0

    async def writer(n: int, end: float) -> None:
        nonlocal count
        while time.perf_counter() < end:
            async with db.write() as conn:
                await append(
                    conn,
                    [
                        LogEntry(
                            name="delivery.advice",
                            actor=f"system:bench-{n}",
                            outcome="delivered",
                            trace_id=new_trace_id(),
                            partner_id="woonplaats",
                            categories=["contact"],
                        )
                    ],
                    datetime.now(UTC),
                )
            count += 1

    try:
        async with db.read() as conn:
            await log_tree.head(conn)  # connected and migrated
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        end = time.perf_counter() + seconds
        await asyncio.gather(*(writer(n, end) for n in range(writers)))
    finally:
        await db.dispose()
    return count


def spawn(url: str, seconds: float) -> "subprocess.Popen[bytes]":
    args = [sys.executable, "-m", "wijkhub.bench.log_bench", url, str(seconds), str(WRITERS)]
    return subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def ready(p: "subprocess.Popen[bytes]") -> None:
    assert p.stdout is not None
    line = p.stdout.readline()
    if line.strip() != b"ready":
        raise RuntimeError(f"appending process did not start: {line!r}")


def go(p: "subprocess.Popen[bytes]") -> None:
    assert p.stdin is not None
    p.stdin.write(b"go\n")
    p.stdin.flush()


async def append_rate(url: str, workdir: Path, processes: int, seconds: float) -> dict[str, Any]:
    """`processes` appending processes at once, a sequencer in this one; appends/s of all."""
    settings = Settings(data_dir=workdir, database_url=url)
    ring, clock = KeyRing.generate(), SystemClock()
    procs = [spawn(url, seconds) for _ in range(processes)]
    for p in procs:
        await asyncio.to_thread(ready, p)
    for p in procs:
        go(p)
    db = Database(url)
    try:
        while any(p.poll() is None for p in procs):
            await sequence(db, ring, settings, clock)
            await asyncio.sleep(0.5)
        counts = [int((p.communicate()[0] or b"0").strip() or 0) for p in procs]
        await sequence(db, ring, settings, clock)
        async with db.read() as conn:
            rep = await verify_log(conn, settings.log_origin, log_keys(ring), settings.witness_path)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        await db.dispose()
    assert rep.ok, rep.findings
    return {"appends": sum(counts), "appends_per_s": sum(counts) / seconds, "size": rep.tree.size}


async def proof_times(db: Database, samples: int) -> dict[str, Any]:
    """Inclusion and consistency proofs from the stored tree, at random places."""
    rnd = random.Random(7)
    async with db.read() as conn:
        size = (await log_tree.head(conn)).size
        inclusion, consistency = [], []
        for _ in range(samples):
            i = rnd.randrange(size)
            t = time.perf_counter()
            await log_tree.inclusion(conn, i, size)
            inclusion.append((time.perf_counter() - t) * 1000)
            m = rnd.randrange(1, size + 1)
            t = time.perf_counter()
            await log_tree.consistency(conn, m, size)
            consistency.append((time.perf_counter() - t) * 1000)
    return {
        "size": size,
        "inclusion_p50_ms": percentile(inclusion, 50),
        "inclusion_p99_ms": percentile(inclusion, 99),
        "consistency_p50_ms": percentile(consistency, 50),
    }


if __name__ == "__main__":
    url, secs, writers = sys.argv[1:4]
    print(asyncio.run(append_for(url, float(secs), int(writers))))
