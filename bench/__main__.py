"""`python -m bench [--quick] [--repeats N] [--pg URL] [--json PATH]`: the hub measured as a
user meets it. The hub runs as `wijkhub serve` in its own process (two on PostgreSQL for the
scale-out), the partner simulators in another and the coach clients in a third; the machine's
own limits (raw aiohttp POST, raw commits) are measured in every repeat beside it. Every
figure is repeated and reported as its median with the spread (min–max)."""

import argparse
import asyncio
import json
import logging
import os
import platform
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from rich.console import Console

from wijkhub.bench import data, flow, limits, log_bench, report, scenario
from wijkhub.bench.flow import percentile
from wijkhub.bench.report import Results, spread
from wijkhub.hub.core.db import upgrade
from wijkhub.hub.i18n import gettext

# How big each measurement is. "full" is the sizes where this 2-core machine allows
# it within ~25 minutes; where it is smaller, SCALED_DOWN says so.
MODES: dict[str, dict[str, Any]] = {
    "full": {
        "repeats": 3,
        "limit_seconds": 2.0,
        "coaches": 100,
        "single_advices": 10,
        "fanout_advices": 120,
        "isolation_advices": 40,
        "slow_seconds": 2.0,
        "growth_levels": [1_000, 10_000],
        "growth_advices": 40,
        "consent_households": 100_000,
        "consents_per_household": 10,
        "consent_samples": 1000,
        "log_entries": 100_000,
        "proof_samples": 300,
        "append_seconds": 5.0,
        "pg_advices": 80,
    },
    "quick": {
        "repeats": 1,
        "limit_seconds": 1.0,
        "coaches": 100,
        "single_advices": 5,
        "fanout_advices": 25,
        "isolation_advices": 6,
        "slow_seconds": 1.0,
        "growth_levels": [100, 200],
        "growth_advices": 6,
        "consent_households": 500,
        "consents_per_household": 10,
        "consent_samples": 200,
        "log_entries": 2_000,
        "proof_samples": 50,
        "append_seconds": 2.0,
        "pg_advices": 20,
    },
    # For the test suite: every figure, as fast as possible (meaningless as numbers).
    "tiny": {
        "repeats": 2,
        "limit_seconds": 0.2,
        "coaches": 4,
        "single_advices": 2,
        "fanout_advices": 6,
        "isolation_advices": 3,
        "slow_seconds": 0.3,
        "growth_levels": [60, 100],
        "growth_advices": 4,
        "consent_households": 50,
        "consents_per_household": 10,
        "consent_samples": 20,
        "log_entries": 300,
        "proof_samples": 10,
        "append_seconds": 1.0,
        "pg_advices": 4,
    },
}
SCALED_DOWN = {
    "fanout_advices": "120 advices (480 items) per repeat, 80 per repeat on PostgreSQL: at "
    "this machine's rate under load more only makes the run longer",
    "growth_levels": "10^3 and 10^4 advices stored, not 10^5: the bench copies ~60 advices/s "
    "(with their log entries placed in the tree) on this loaded machine, so 10^5 would take "
    "half an hour",
    "log_entries": "10^5 log entries, not 10^6: filling takes longer than the run may",
}


def _machine() -> dict[str, Any]:
    mem = 0.0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) / 1024 / 1024
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(mem, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


async def _pg_db(admin_url: str) -> tuple[str, Callable[[], Any]]:
    name = f"wijkhub_bench_{secrets.token_hex(4)}"
    conn = await asyncpg.connect(admin_url, timeout=5)
    try:
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()

    async def drop() -> None:
        c = await asyncpg.connect(admin_url, timeout=5)
        try:
            await c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            await c.close()

    base, _, _ = admin_url.rpartition("/")
    url = f"{base}/{name}".replace("postgresql://", "postgresql+asyncpg://", 1)
    return url, drop


class Bench:
    def __init__(self, mode: str, repeats: int, console: Console, workroot: Path) -> None:
        self.p = MODES[mode]
        self.repeats = repeats
        self.console = console
        self.workroot = workroot
        self.r = Results()
        self.loads: list[float] = []
        self.stored = 0  # advices submitted so far on the SQLite hub

    def step(self, what: str) -> None:
        self.loads.append(os.getloadavg()[0])
        self.console.log(f"{what} ({gettext('load average')} {report.number(self.loads[-1])})")

    def fanout_figures(self, prefix: str, b: dict[str, Any], where: str) -> None:
        r = self.r
        r.add(
            f"{prefix}items_per_s",
            b["items_per_s"],
            gettext("Fan-out: items delivered and status back ({where})").format(where=where),
            "items/s",
            "≥ 150",
            lambda v: v >= 150,
        )
        r.add(
            f"{prefix}hub_cpu_ms_per_item",
            b["cpu_ms_per_item"],
            gettext("Hub CPU per delivered item, status back (utime + stime)"),
            "ms",
            "≤ 3 ms",
            lambda v: v <= 3,
        )

    async def sqlite_hub(self, env: scenario.Env) -> None:
        """Limits, one coach alone, the fan-out with 100 coaches, isolation: per repeat, in
        this order, so every ratio compares figures of the same repeat."""
        p, r = self.p, self.r
        for i in range(self.repeats):
            self.step(gettext("repeat {i}: limits").format(i=i + 1))
            post = await limits.raw_post_rate(p["limit_seconds"])
            commit = await limits.commit_rate(
                f"sqlite+aiosqlite:///{self.workroot / f'commit-{i}.db'}", p["limit_seconds"]
            )
            r.add(
                "raw_post_per_s",
                post,
                gettext("Limit: raw aiohttp POST (2 KB, 32 at once, between two processes)"),
                "/s",
            )
            r.add(
                "sqlite_commit_per_s",
                commit,
                gettext("Limit: SQLite single-row commit (WAL, the hub's settings)"),
                "/s",
            )
            self.step(
                gettext("repeat {i}: one coach alone, {n} advices").format(
                    i=i + 1, n=p["single_advices"]
                )
            )
            single = await scenario.burst(env, p["single_advices"], tokens=env.tokens[:1])
            r.add(
                "submit_single_p50_ms",
                percentile(single["latencies"], 50),
                gettext("Submit p50, one coach alone (the worker delivering meanwhile)"),
                "ms",
                "< 20 ms",
                lambda v: v < 20,
            )
            self.step(
                gettext("repeat {i}: fan-out, {n} advices x 4 items, {c} coaches").format(
                    i=i + 1, n=p["fanout_advices"], c=p["coaches"]
                )
            )
            b = await scenario.burst(env, p["fanout_advices"])
            self.fanout_figures("fanout_", b, "SQLite")
            r.add(
                "fanout_post_ratio",
                b["items_per_s"] / post,
                gettext("Fan-out / raw POST (same repeat)"),
                "",
                "≥ 0,04",
                lambda v: v >= 0.04,
            )
            r.add(
                "fanout_commit_ratio",
                b["items_per_s"] / commit,
                gettext("Fan-out / SQLite commit (same repeat)"),
            )
            for q in (50, 95, 99):
                r.add(
                    f"submit_p{q}_ms",
                    percentile(b["latencies"], q),
                    gettext("Submit p{q}, {n} coaches at once").format(q=q, n=p["coaches"]),
                    "ms",
                    "< 250 ms" if q == 99 else "",
                    (lambda v: v < 250) if q == 99 else None,
                )
            r.add("hub_rss_mb", b["rss_mb"], gettext("Hub memory after the fan-out (RSS)"), "MB")
            r.add(
                "hub_peak_mb",
                b["peak_mb"],
                gettext("Hub peak memory (VmHWM)"),
                "MB",
                "< 300 MB",
                lambda v: v < 300,
            )
            self.step(
                gettext("repeat {i}: isolation, {n} advices").format(
                    i=i + 1, n=p["isolation_advices"]
                )
            )
            alone, beside = await scenario.isolation_pair(
                env, p["isolation_advices"], p["slow_seconds"], slow_first=i % 2 == 1
            )
            r.add(
                "isolation_alone_items_per_s",
                alone,
                gettext("Isolation: three fast partners alone"),
                "items/s",
            )
            r.add(
                "isolation_beside_items_per_s",
                beside,
                gettext(
                    "Isolation: the same advices plus an item for a partner that "
                    "answers after {s} s"
                ).format(s=report.number(p["slow_seconds"])),
                "items/s",
            )
            r.add(
                "isolation_ratio",
                beside / alone,
                gettext("Isolation: beside the slow partner / alone (same hub, same repeat)"),
                "",
                "≥ 0,9",
                lambda v: v >= 0.9,
            )
            self.stored += p["single_advices"] + p["fanout_advices"]
            self.stored += 2 * p["isolation_advices"]

    async def growth(self, env: scenario.Env) -> None:
        """The same burst at each number of stored advices."""
        p, r = self.p, self.r
        await scenario.burst(env, p["growth_advices"])  # the originals to copy; a warm-up
        rates, cpus, p99s = [], [], []
        for level in p["growth_levels"]:
            self.step(
                gettext("growth: copying up to {n} stored advices").format(n=report.number(level))
            )
            await flow.grow_db(env.db, level)
            n = report.number(level)
            for i in range(self.repeats):
                self.step(gettext("growth {n}: repeat {i}").format(n=report.number(level), i=i + 1))
                g = await scenario.burst(env, p["growth_advices"])
                r.add(
                    f"growth_{level}_items_per_s",
                    g["items_per_s"],
                    gettext("Growth, {n} advices stored: fan-out").format(n=n),
                    "items/s",
                )
                r.add(
                    f"growth_{level}_hub_cpu_ms_per_item",
                    g["cpu_ms_per_item"],
                    gettext("Growth, {n} advices stored: hub CPU per item").format(n=n),
                    "ms",
                )
                r.add(
                    f"growth_{level}_submit_p99_ms",
                    percentile(g["latencies"], 99),
                    gettext("Growth, {n} advices stored: submit p99").format(n=n),
                    "ms",
                )
                r.add(
                    f"growth_{level}_hub_rss_mb",
                    g["rss_mb"],
                    gettext("Growth, {n} advices stored: hub memory (RSS)").format(n=n),
                    "MB",
                    "< 300 MB",
                    lambda v: v < 300,
                )
            rates.append(r.median(f"growth_{level}_items_per_s"))
            cpus.append(r.median(f"growth_{level}_hub_cpu_ms_per_item"))
            p99s.append(r.median(f"growth_{level}_submit_p99_ms"))
        flat = gettext("Growth: {what}, (max − min) / min of the sizes' medians")
        for key, values, what in (
            ("growth_rate_spread", rates, gettext("fan-out")),
            ("growth_cpu_spread", cpus, gettext("hub CPU per item")),
            ("growth_p99_spread", p99s, gettext("submit p99")),
        ):
            r.add(key, spread(values), flat.format(what=what), "", "≤ 0,2", lambda v: v <= 0.2)

    async def in_process(self) -> None:
        """Micro-figures measured inside this process, through the hub's own functions."""
        p, r = self.p, self.r
        hub, sims = await flow.start_hub(self.workroot / "data", run_worker=False)
        try:
            n = p["consent_households"] * p["consents_per_household"]
            self.step(gettext("consents (in-process): storing {n}").format(n=report.number(n)))
            c = await data.consent_decisions(
                hub.ctx,
                p["consent_households"],
                p["consents_per_household"],
                p["consent_samples"],
                rounds=self.repeats,
            )
            stored = report.number(c["consents"])
            for rnd in c["rounds"]:
                r.add(
                    "consent_decision_p50_ms",
                    rnd["p50_ms"],
                    gettext(
                        "Consent decision p50 among {n} consents (in-process: query + decide)"
                    ).format(n=stored),
                    "ms",
                )
                r.add(
                    "consent_decision_p99_ms",
                    rnd["p99_ms"],
                    gettext("Consent decision p99 (in-process)"),
                    "ms",
                    "< 1 ms",
                    lambda v: v < 1,
                )
                r.add(
                    "consent_decide_only_p99_ms",
                    rnd["decide_p99_ms"],
                    gettext("of which decide() alone, p99"),
                    "ms",
                )
            r.add("consents_stored", c["consents"], gettext("Consents stored"))
            self.step(
                gettext("log (in-process): {n} entries, then verify").format(
                    n=report.number(p["log_entries"])
                )
            )
            v = await data.log_verify_rate(hub.ctx, p["log_entries"])
            r.add("log_entries", v["entries"], gettext("Processing log: entries (in-process)"))
            r.add(
                "log_verify_per_s",
                v["entries_per_s"],
                gettext("Processing log: verify (in-process)"),
                "/s",
            )
            proofs = await log_bench.proof_times(hub.ctx.db, p["proof_samples"])
            r.add(
                "log_proof_p50_ms",
                proofs["inclusion_p50_ms"],
                gettext("Processing log: inclusion proof p50 (in-process)"),
                "ms",
            )
            r.add(
                "log_proof_p99_ms",
                proofs["inclusion_p99_ms"],
                gettext("Processing log: inclusion proof p99 (in-process)"),
                "ms",
            )
            r.add(
                "log_consistency_p50_ms",
                proofs["consistency_p50_ms"],
                gettext("Processing log: consistency proof p50 (in-process)"),
                "ms",
            )
        finally:
            await flow.stop_hub(hub, sims)

    async def postgres(self, pg: str) -> None:
        """The commit limit, then 1 and 2 hub processes sharing one PostgreSQL database."""
        p, r = self.p, self.r
        for i in range(self.repeats):
            self.step(gettext("PostgreSQL: commit limit, repeat {i}").format(i=i + 1))
            url, drop = await _pg_db(pg)
            try:
                r.add(
                    "pg_commit_per_s",
                    await limits.commit_rate(url, p["limit_seconds"]),
                    gettext("Limit: PostgreSQL single-row commit"),
                    "/s",
                )
            finally:
                await drop()
        for n in (1, 2):
            url, drop = await _pg_db(pg)
            try:
                self.step(gettext("PostgreSQL: {n} hub process(es)").format(n=n))
                env = await scenario.open_env(
                    self.workroot / f"pg-{n}", p["coaches"], db_url=url, processes=n
                )
                try:
                    await scenario.burst(env, max(4, p["pg_advices"] // 10))  # warm-up
                    for i in range(self.repeats):
                        self.step(
                            gettext("PostgreSQL, {n} process(es): repeat {i}").format(n=n, i=i + 1)
                        )
                        b = await scenario.burst(env, p["pg_advices"])
                        r.add(
                            f"pg_{n}_items_per_s",
                            b["items_per_s"],
                            gettext("PostgreSQL, {n} hub process(es): fan-out, status back").format(
                                n=n
                            ),
                            "items/s",
                        )
                        r.add(
                            f"pg_{n}_hub_cpu_ms_per_item",
                            b["cpu_ms_per_item"],
                            gettext("PostgreSQL, {n} hub process(es): hub CPU per item").format(
                                n=n
                            ),
                            "ms",
                        )
                        r.add(
                            f"pg_{n}_submit_p99_ms",
                            percentile(b["latencies"], 99),
                            gettext("PostgreSQL, {n} hub process(es): submit p99").format(n=n),
                            "ms",
                        )
                finally:
                    await scenario.close_env(env)
            finally:
                await drop()
        one, two, commits = (
            r.values("pg_1_items_per_s"),
            r.values("pg_2_items_per_s"),
            r.values("pg_commit_per_s"),
        )
        for a, b, c in zip(one, two, commits, strict=True):
            r.add(
                "pg_commit_ratio",
                a / c,
                gettext("PostgreSQL, 1 hub process: fan-out / PostgreSQL commit"),
            )
            r.add(
                "pg_scale_ratio",
                b / a,
                gettext("PostgreSQL: 2 hub processes / 1 (same repeat)"),
                "",
                "≥ 1,5",
                lambda v: v >= 1.5,
            )
        for n in (1, 2):
            self.step(gettext("PostgreSQL: log appends from {n} process(es)").format(n=n))
            url, drop = await _pg_db(pg)
            try:
                await upgrade(url)
                a = await log_bench.append_rate(
                    url, self.workroot / f"appends-{n}", n, p["append_seconds"]
                )
            finally:
                await drop()
            r.add(
                f"log_append_{n}_per_s",
                a["appends_per_s"],
                gettext("Processing log: appends from {n} process(es) on PostgreSQL").format(n=n),
                "/s",
            )


async def run(
    mode: str, repeats: int, pg: str | None, console: Console, workroot: Path
) -> dict[str, Any]:
    started = time.perf_counter()
    b = Bench(mode, repeats, console, workroot)
    b.step(gettext("SQLite: the hub, the simulators and the coaches, each in its own process"))
    env = await scenario.open_env(workroot / "sqlite", b.p["coaches"])
    try:
        await b.sqlite_hub(env)
        if b.stored + b.p["growth_advices"] >= b.p["growth_levels"][0]:
            # Already past the first size: growth starts on a hub of its own.
            await scenario.close_env(env)
            b.step(gettext("growth: a hub of its own"))
            env = await scenario.open_env(workroot / "growth", b.p["coaches"])
        await b.growth(env)
    finally:
        await scenario.close_env(env)
    await b.in_process()
    if pg:
        await b.postgres(pg)
    b.step(gettext("done"))
    return {
        "mode": mode,
        "repeats": repeats,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "load_average": {"min": min(b.loads), "max": max(b.loads), "samples": b.loads},
        "duration_s": round(time.perf_counter() - started, 1),
        "sizes": MODES[mode],
        "scaled_down": SCALED_DOWN if mode == "full" else {},
        "figures": b.r.as_json(),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small numbers, under a minute")
    ap.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)  # the test suite
    ap.add_argument("--repeats", type=int, default=None, help="repeats of every figure")
    ap.add_argument("--pg", metavar="URL", help="PostgreSQL server (postgresql://user@host/db)")
    ap.add_argument("--json", metavar="PATH", default="bench-results.json")
    args = ap.parse_args(argv)
    mode = "tiny" if args.tiny else "quick" if args.quick else "full"
    repeats = max(1, args.repeats or MODES[mode]["repeats"])
    console = Console(width=max(Console().width, 140))
    # This process's own log (and shutdown noise of connections cut off) goes to a file; the
    # hub's processes write theirs into the work directory.
    log_path = Path(args.json).with_suffix(".log")
    logging.basicConfig(filename=log_path, filemode="w", level=logging.WARNING, force=True)
    workroot = Path(tempfile.mkdtemp(prefix="wijkhub-bench-"))
    try:
        result = asyncio.run(run(mode, repeats, args.pg, console, workroot))
    finally:
        shutil.rmtree(workroot, ignore_errors=True)
    console.print(report.table(result))
    console.print(
        gettext(
            "The hub ran as `wijkhub serve` in its own process (two on PostgreSQL), the partner "
            "simulators and the coach clients each in another process; figures marked "
            "in-process were measured inside the bench's own process."
        )
    )
    for what, why in result["scaled_down"].items():
        console.print(f"{gettext('Smaller than the issue asks')}: {what}: {why}")
    Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    console.print(f"{gettext('Figures')}: {args.json}   log: {log_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
