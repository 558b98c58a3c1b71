"""Before/after on a noisy machine: `python -m bench.ab --out new.json` measures the installed
code; `--tree DIR` measures the hub of another checkout (e.g. `git archive <base> | tar -x -C
DIR`) with this checkout's bench, so only the hub's code differs. Run the two at the same time,
or alternate them, and compare medians (see docs/performance.md). Besides the bench's figures
it counts, for the fan-out burst, the process CPU time and the hops to the SQLite driver's
thread per delivered item: those depend far less on the machine's load than the rates do."""

import argparse
import asyncio
import json
import logging
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ap = argparse.ArgumentParser(prog="python -m bench.ab")
ap.add_argument("--tree", type=Path, help="measure the code in this checkout instead")
ap.add_argument("--out", required=True)
ap.add_argument("--fanout", type=int, default=400)
ap.add_argument("--coaches", type=int, default=100)
ap.add_argument("--growth", default="1000,10000")
ap.add_argument("--growth-advices", type=int, default=200)
ap.add_argument("--households", type=int, default=100_000)
ap.add_argument("--samples", type=int, default=2000)
ap.add_argument("--skip", default="", help="fanout and/or consent")
args = ap.parse_args()

if args.tree:
    # The other checkout under the import name `wijkhub`, ahead of the installed one.
    tree = args.tree.resolve()
    alias = Path(tempfile.mkdtemp(prefix="wijkhub-ab-"))
    (alias / "wijkhub").mkdir()
    (alias / "wijkhub" / "__init__.py").write_text('"""Wijkhub."""\n')
    for d in ("hub", "consent", "schemas", "plugins", "config"):
        (alias / "wijkhub" / d).symlink_to(tree / d)
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f)]
    # Only the hub's code comes from the other checkout: both are measured by this bench.
    sys.path[:0] = [str(alias)]
    for name in [m for m in sys.modules if m.startswith("wijkhub")]:
        del sys.modules[name]

import aiosqlite.core  # noqa: E402

from wijkhub.bench import data, flow, limits  # noqa: E402

HOPS = [0]
_execute = aiosqlite.core.Connection._execute


async def _counted(self: Any, fn: Any, *a: Any, **kw: Any) -> Any:
    HOPS[0] += 1
    return await _execute(self, fn, *a, **kw)


aiosqlite.core.Connection._execute = _counted  # type: ignore[method-assign]


def cpu() -> float:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


async def main() -> dict[str, Any]:
    r: dict[str, Any] = {}
    root = Path(tempfile.mkdtemp(prefix="wijkhub-ab-run-"))
    try:
        r["raw_post_per_s"] = await limits.raw_post_rate(3.0)
        r["sqlite_commit_per_s"] = await limits.commit_rate(
            f"sqlite+aiosqlite:///{root / 'c.db'}", 3.0
        )
        if "fanout" not in args.skip:
            hub, sims = await flow.start_hub(root / "fanout")
            try:
                hh = await flow.household_for(hub, args.coaches)
                alone = flow.Household(hh.client_id, hh.tokens[:1], hh.body)
                single = await flow.submit_load(hub, alone, 20)
                await flow.wait_delivered(hub, dict.fromkeys(flow.PIDS, 20), within=300)
                r["submit_single_p50_ms"] = flow.percentile(single, 50)
                c0, h0 = cpu(), HOPS[0]
                b = await flow.burst(hub, sims, hh, args.fanout, within=900)
                r["cpu_ms_per_item"] = (cpu() - c0) * 1000 / b["items"]
                r["db_hops_per_item"] = (HOPS[0] - h0) / b["items"]
                r["fanout_items_per_s"] = b["items_per_s"]
                r["fanout_ratio"] = b["items_per_s"] / r["raw_post_per_s"]
                for q in (50, 95, 99):
                    r[f"submit_p{q}_ms"] = flow.percentile(b["latencies"], q)
                for level in [int(x) for x in args.growth.split(",") if x]:
                    await flow.grow(hub, level)
                    flow.reset_peak_memory()
                    g = await flow.burst(hub, sims, hh, args.growth_advices, within=900)
                    r[f"growth_{level}_submit_p99_ms"] = flow.percentile(g["latencies"], 99)
                    r[f"growth_{level}_items_per_s"] = g["items_per_s"]
                    r[f"growth_{level}_peak_mb"] = flow.memory_mb()["peak_mb"]
            finally:
                await flow.stop_hub(hub, sims)
        if "consent" not in args.skip:
            hub, sims = await flow.start_hub(root / "data", run_worker=False)
            try:
                c = await data.consent_decisions(hub.ctx, args.households, 10, args.samples)
                r["consents"] = c["consents"]
                r["consent_decision_p50_ms"] = c["p50_ms"]
                r["consent_decision_p99_ms"] = c["p99_ms"]
                r["consent_decide_only_p99_ms"] = c["decide_p99_ms"]
            finally:
                await flow.stop_hub(hub, sims)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return r


if __name__ == "__main__":
    logging.basicConfig(filename=args.out + ".log", level=logging.WARNING, force=True)
    t0 = time.time()
    result = asyncio.run(main())
    result["duration_s"] = time.time() - t0
    result["code"] = str(args.tree) if args.tree else "installed"
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))
