"""`python -m bench [--quick] [--pg URL] [--json PATH]`: run every measurement, print a table
(each figure beside its machine limit and goal) and write the figures as JSON."""

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

from rich.console import Console
from rich.table import Table

from wijkhub.bench import data, flow, limits, log_bench
from wijkhub.hub.core.db import upgrade

# How big each measurement is. "full" is the sizes where this 2-core machine allows
# it within ~10 minutes; where a size is smaller than the issue's, SCALED_DOWN says so.
MODES: dict[str, dict[str, Any]] = {
    "full": {
        "limit_seconds": 5.0,
        "fanout_advices": 600,
        "coaches": 100,
        "consent_households": 100_000,
        "consents_per_household": 10,
        "consent_samples": 2000,
        "growth_levels": [1_000, 10_000, 30_000],
        "growth_advices": 200,
        "isolation_advices": 200,
        "slow_seconds": 2.0,
        "scale_advices": 600,
        "log_entries": 1_000_000,
        "proof_samples": 500,
        "append_seconds": 10.0,
    },
    "quick": {
        "limit_seconds": 2.0,
        "fanout_advices": 100,
        "coaches": 100,
        "consent_households": 2_000,
        "consents_per_household": 10,
        "consent_samples": 500,
        "growth_levels": [300, 1_000],
        "growth_advices": 50,
        "isolation_advices": 40,
        "slow_seconds": 2.0,
        "scale_advices": 100,
        "log_entries": 20_000,
        "proof_samples": 200,
        "append_seconds": 5.0,
    },
    # For the test suite: every figure, as fast as possible (meaningless as numbers).
    "tiny": {
        "limit_seconds": 0.3,
        "fanout_advices": 12,
        "coaches": 6,
        "consent_households": 50,
        "consents_per_household": 10,
        "consent_samples": 20,
        "growth_levels": [20, 40],
        "growth_advices": 6,
        "isolation_advices": 6,
        "slow_seconds": 0.5,
        "scale_advices": 8,
        "log_entries": 500,
        "proof_samples": 20,
        "append_seconds": 1.0,
    },
}
# Where the full run is smaller than the issue asks, and why (printed and kept in the JSON).
SCALED_DOWN = {
    "fanout_advices": "600 advices (2,400 items): at ~25-30 items/s more only makes the run longer",
    "growth_levels": "10^3, 10^4 and 3·10^4 advices stored, not 10^5: copying 10^5 advices with "
    "their ~2·10^6 chained log entries takes longer than the whole run may",
    "scale_advices": "600 advices (2,400 items) per worker count",
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


class Run:
    def __init__(self, console: Console) -> None:
        self.console = console
        self.figures: dict[str, float] = {}
        self.rows: list[tuple[str, str, str, str, str]] = []

    def put(
        self,
        key: str,
        value: float,
        unit: str,
        label: str,
        limit: str = "",
        goal: str = "",
        ok: Callable[[float], bool] | None = None,
    ) -> None:
        self.figures[key] = round(float(value), 4)
        verdict = "" if ok is None else ("[green]ja[/green]" if ok(value) else "[red]nee[/red]")
        self.rows.append((label, f"{value:,.3f} {unit}".strip(), limit, goal, verdict))

    def step(self, what: str) -> None:
        self.console.log(what)


async def _pg_db(admin_url: str) -> tuple[str, Callable[[], Any]]:
    import asyncpg

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


async def run(mode: str, pg: str | None, console: Console, workroot: Path) -> dict[str, Any]:
    p = MODES[mode]
    r = Run(console)
    started = time.perf_counter()

    # 1. The machine's limits.
    r.step("limits: raw POST round trips, SQLite commits")
    post = await limits.raw_post_rate(p["limit_seconds"])
    r.put("raw_post_per_s", post, "/s", "Limiet: ruwe aiohttp-POST (2 KB, 32 parallel)")
    sqlite = await limits.commit_rate(
        f"sqlite+aiosqlite:///{workroot / 'commit.db'}", p["limit_seconds"]
    )
    r.put("sqlite_commit_per_s", sqlite, "/s", "Limiet: SQLite-commit (WAL, hub-instellingen)")
    pg_commit = None
    if pg:
        url, drop = await _pg_db(pg)
        try:
            pg_commit = await limits.commit_rate(url, p["limit_seconds"])
        finally:
            await drop()
        r.put("pg_commit_per_s", pg_commit, "/s", "Limiet: PostgreSQL-commit")

    # 2 + 3. Fan-out with 100 coaches submitting at once while the worker delivers.
    r.step(f"fan-out: {p['fanout_advices']} advices x 4 items, {p['coaches']} coaches")
    hub, sims = await flow.start_hub(workroot / "fanout")
    try:
        hh = await flow.household_for(hub, p["coaches"])
        # The service time: one coach alone, submissions one after another.
        alone = flow.Household(hh.client_id, hh.tokens[:1], hh.body)
        single = await flow.submit_load(hub, alone, 20)
        await flow.wait_delivered(hub, dict.fromkeys(flow.PIDS, 20), within=300)
        r.put(
            "submit_single_p50_ms",
            flow.percentile(single, 50),
            "ms",
            "Indienen p50 (één coach; worker levert intussen)",
        )
        b = await flow.burst(hub, sims, hh, p["fanout_advices"], within=900)
        ratio = b["items_per_s"] / post
        lim = f"{post:,.0f}/s ruwe POST"
        r.put(
            "fanout_items_per_s",
            b["items_per_s"],
            "items/s",
            "Fan-out: afgeleverd + status terug",
            lim,
        )
        r.put("fanout_ratio", ratio, "", "Fan-out / ruwe POST", lim, ">= 0,5", lambda v: v >= 0.5)
        lat = b["latencies"]
        for q in (50, 95, 99):
            r.put(
                f"submit_p{q}_ms",
                flow.percentile(lat, q),
                "ms",
                f"Indienen p{q} ({p['coaches']} coaches tegelijk)",
                f"{1000 / sqlite:.2f} ms per commit",
                "< 50 ms" if q == 99 else "",
                (lambda v: v < 50) if q == 99 else None,
            )
        # 5. Growth: the same burst with more advices stored.
        grow_p99, grow_rate, grow_mem = [], [], []
        for level in p["growth_levels"]:
            r.step(f"growth: {level} advices stored")
            t_fill = time.perf_counter()
            await flow.grow(hub, level)
            r.figures[f"growth_{level}_fill_s"] = round(time.perf_counter() - t_fill, 1)
            flow.reset_peak_memory()
            g = await flow.burst(hub, sims, hh, p["growth_advices"], within=900)
            mem = flow.memory_mb()
            grow_p99.append(flow.percentile(g["latencies"], 99))
            grow_rate.append(g["items_per_s"])
            grow_mem.append(mem["peak_mb"])
            r.put(
                f"growth_{level}_submit_p99_ms",
                grow_p99[-1],
                "ms",
                f"Groei {level:,}: indienen p99",
            )
            r.put(
                f"growth_{level}_items_per_s", grow_rate[-1], "items/s", f"Groei {level:,}: fan-out"
            )
            r.put(
                f"growth_{level}_peak_mb",
                mem["peak_mb"],
                "MB",
                f"Groei {level:,}: piekgeheugen burst (hub+sims+clients)",
                "",
                "< 300 MB",
                lambda v: v < 300,
            )

        def spread(v: list[float]) -> float:
            return (max(v) - min(v)) / min(v) if min(v) > 0 else float("inf")

        r.put(
            "growth_p99_spread",
            spread(grow_p99),
            "",
            "Groei: spreiding p99 (max-min)/min",
            "",
            "<= 0,2",
            lambda v: v <= 0.2,
        )
        r.put(
            "growth_rate_spread",
            spread(grow_rate),
            "",
            "Groei: spreiding fan-out",
            "",
            "<= 0,2",
            lambda v: v <= 0.2,
        )
    finally:
        await flow.stop_hub(hub, sims)

    # 7. Isolation: a partner that answers after N seconds beside three fast ones.
    fast = [pid for pid in flow.PIDS if pid != flow.SLOW_PARTNER]
    rates = []
    for slow in (0.0, p["slow_seconds"]):
        r.step(f"isolation: slow partner {slow} s")
        hub, sims = await flow.start_hub(workroot / f"iso-{slow}", slow=slow)
        try:
            hh = await flow.household_for(hub, p["coaches"])
            b = await flow.burst(hub, sims, hh, p["isolation_advices"], within=900, pids=fast)
            rates.append(b["items_per_s"])
        finally:
            await flow.stop_hub(hub, sims)
    r.put("isolation_fast_items_per_s", rates[0], "items/s", "Isolatie: 3 snelle partners alleen")
    r.put(
        "isolation_fast_with_slow_items_per_s",
        rates[1],
        "items/s",
        f"Isolatie: naast één trage ({p['slow_seconds']} s)",
    )
    r.put(
        "isolation_ratio",
        rates[1] / rates[0],
        "",
        "Isolatie: met / zonder trage partner",
        "",
        ">= 0,9",
        lambda v: v >= 0.9,
    )

    # 4 + 8. Consent decisions among many consents; log verify over a long log.
    hub, sims = await flow.start_hub(workroot / "data", run_worker=False)
    try:
        n = p["consent_households"] * p["consents_per_household"]
        r.step(f"consents: storing {n:,} for {p['consent_households']:,} households")
        c = await data.consent_decisions(
            hub.ctx, p["consent_households"], p["consents_per_household"], p["consent_samples"]
        )
        r.put("consents_stored", c["consents"], "", "Toestemmingen opgeslagen")
        r.put(
            "consent_decision_p50_ms",
            c["p50_ms"],
            "ms",
            "Toestemmingsbesluit p50 (query + decide)",
            f"{1000 / sqlite:.2f} ms per commit",
        )
        r.put(
            "consent_decision_p99_ms",
            c["p99_ms"],
            "ms",
            "Toestemmingsbesluit p99",
            "",
            "< 1 ms",
            lambda v: v < 1,
        )
        r.put(
            "consent_decide_only_p99_ms",
            c["decide_p99_ms"],
            "ms",
            "  waarvan decide() alleen, p99",
            "",
            "< 1 ms",
            lambda v: v < 1,
        )
        r.figures["consent_fill_s"] = round(c["fill_s"], 1)
        r.step(f"log: {p['log_entries']:,} entries, then verify")
        v = await data.log_verify_rate(hub.ctx, p["log_entries"])
        r.put("log_entries", v["entries"], "", "Verwerkingenlog: regels")
        r.put("log_verify_per_s", v["entries_per_s"], "regels/s", "Verwerkingenlog: verify")
        r.figures["log_fill_s"] = round(v["fill_s"], 1)
        proofs = await log_bench.proof_times(hub.ctx.db, p["proof_samples"])
        r.put(
            "log_proof_p50_ms",
            proofs["inclusion_p50_ms"],
            "ms",
            f"Verwerkingenlog: inclusiebewijs ({proofs['size']:,} regels)",
        )
        r.put("log_proof_p99_ms", proofs["inclusion_p99_ms"], "ms", "Inclusiebewijs p99")
        r.put(
            "log_consistency_p50_ms", proofs["consistency_p50_ms"], "ms", "Consistentiebewijs p50"
        )
    finally:
        await flow.stop_hub(hub, sims)

    # 6. Scale-out on PostgreSQL: log appends without a shared lock, then deliveries.
    if pg:
        for n in (1, 2):
            r.step(f"log appends: {n} process(es), {p['append_seconds']:.0f} s")
            url, drop = await _pg_db(pg)
            try:
                await upgrade(url)
                a = await log_bench.append_rate(
                    url, workroot / f"appends-{n}", n, p["append_seconds"]
                )
            finally:
                await drop()
            r.put(
                f"log_append_{n}_per_s",
                a["appends_per_s"],
                "/s",
                f"Verwerkingenlog: appends, {n} proces(sen) op PostgreSQL",
                f"{os.cpu_count()} cores",
            )
        base_rate = None
        for w in (1, 2, 4):
            r.step(f"scale-out: {w} worker process(es), {p['scale_advices']} advices")
            url, drop = await _pg_db(pg)
            try:
                s = await flow.scale_out(workroot / f"scale-{w}", url, p["scale_advices"], w)
            finally:
                await drop()
            base_rate = base_rate or s["items_per_s"]
            r.put(
                f"scale_{w}_items_per_s",
                s["items_per_s"],
                "items/s",
                f"Schaal: {w} worker(s) op PostgreSQL",
                f"{os.cpu_count()} cores",
            )
            r.put(f"scale_{w}_ratio", s["items_per_s"] / base_rate, "", f"Schaal: {w} / 1 worker")

    r.figures["duration_s"] = round(time.perf_counter() - started, 1)
    return {
        "mode": mode,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "sizes": p,
        "scaled_down": SCALED_DOWN if mode == "full" else {},
        "figures": r.figures,
        "rows": r.rows,
    }


def table(result: dict[str, Any]) -> Table:
    m = result["machine"]
    t = Table(
        title=f"Wijkhub bench ({result['mode']}) — {m['cores']} cores, {m['memory_gib']} GiB, "
        f"{result['date']}"
    )
    for col in ("meting", "waarde", "machinelimiet", "doel", "gehaald"):
        t.add_column(col)
    for row in result["rows"]:
        t.add_row(*row)
    return t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small numbers, well under 2 minutes")
    ap.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)  # the test suite
    ap.add_argument("--pg", metavar="URL", help="PostgreSQL server (postgresql://user@host/db)")
    ap.add_argument("--json", metavar="PATH", default="bench-results.json")
    args = ap.parse_args(argv)
    mode = "tiny" if args.tiny else "quick" if args.quick else "full"
    console = Console(width=max(Console().width, 132))
    # The hub's own log (and shutdown noise of simulators cut off mid-answer) goes to a file.
    log_path = Path(args.json).with_suffix(".log")
    logging.basicConfig(filename=log_path, filemode="w", level=logging.WARNING, force=True)
    workroot = Path(tempfile.mkdtemp(prefix="wijkhub-bench-"))
    try:
        result = asyncio.run(run(mode, args.pg, console, workroot))
    finally:
        shutil.rmtree(workroot, ignore_errors=True)
    console.print(table(result))
    console.print(
        "De hub, de vier partnersimulatoren en de coach-clients delen één proces (en deze "
        f"{result['machine']['cores']} cores): hub-cijfers zijn een ondergrens, geheugen een "
        "bovengrens. De ruwe POST-limiet is tussen twee processen gemeten."
    )
    for what, why in result["scaled_down"].items():
        console.print(f"Kleiner dan het issue vraagt: {what}: {why}")
    out = {k: v for k, v in result.items() if k != "rows"}
    Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
    console.print(f"Cijfers: {args.json}   log: {log_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
