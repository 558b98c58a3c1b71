"""The processing log under load: appends/s from 1 and 2 processes sharing one PostgreSQL
(writers take no shared lock; a sequencer places and signs meanwhile), and how long an
inclusion or consistency proof takes to make from the stored tree.

`python -m wijkhub.bench.log_bench URL START SECONDS WRITERS` is one appending process: from
the wall-clock time START it appends one entry per transaction, WRITERS at a time, for
SECONDS, and prints how many it appended.
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


async def append_for(url: str, start: float, seconds: float, writers: int) -> int:
    db = Database(url)
    count = 0

    async def writer(n: int) -> None:
        nonlocal count
        while time.time() < start + seconds:
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

    await asyncio.sleep(max(0.0, start - time.time()))
    try:
        await asyncio.gather(*(writer(n) for n in range(writers)))
    finally:
        await db.dispose()
    return count


def spawn(url: str, start: float, seconds: float) -> "subprocess.Popen[bytes]":
    args = [sys.executable, "-m", "wijkhub.bench.log_bench", url, str(start), str(seconds)]
    return subprocess.Popen([*args, str(WRITERS)], stdout=subprocess.PIPE)


async def append_rate(url: str, workdir: Path, processes: int, seconds: float) -> dict[str, Any]:
    """`processes` appending processes at once, a sequencer in this one; appends/s of all."""
    settings = Settings(data_dir=workdir, database_url=url)
    ring, clock = KeyRing.generate(), SystemClock()
    start = time.time() + 3.0  # every process has imported and connected by then
    procs = [spawn(url, start, seconds) for _ in range(processes)]
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
    url, start_at, secs, writers = sys.argv[1:5]
    print(asyncio.run(append_for(url, float(start_at), float(secs), int(writers))))
