"""The benchmark runs and reports every figure with its spread (no timing asserts: numbers
vary by machine and load)."""

import ast
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import wijkhub.bench.__main__ as bench_main
from wijkhub.bench import report, scenario
from wijkhub.hub.cli.main import main
from wijkhub.hub.i18n.catalogue import translated

ROOT = Path(__file__).resolve().parents[2]
WIJKHUB = str(Path(sys.executable).parent / "wijkhub")
# Measured in every repeat.
REPEATED = [
    "raw_post_per_s",
    "sqlite_commit_per_s",
    "submit_single_p50_ms",
    "fanout_items_per_s",
    "fanout_hub_cpu_ms_per_item",
    "fanout_post_ratio",
    "fanout_commit_ratio",
    "submit_p50_ms",
    "submit_p95_ms",
    "submit_p99_ms",
    "hub_rss_mb",
    "hub_peak_mb",
    "isolation_alone_items_per_s",
    "isolation_beside_items_per_s",
    "isolation_ratio",
    "growth_60_items_per_s",
    "growth_60_hub_cpu_ms_per_item",
    "growth_100_submit_p99_ms",
    "growth_100_hub_rss_mb",
    "consent_decision_p50_ms",
    "consent_decision_p99_ms",
    "consent_decide_only_p99_ms",
]
# Measured once (a spread over the sizes, a count, the in-process log figures).
ONCE = [
    "growth_rate_spread",
    "growth_cpu_spread",
    "growth_p99_spread",
    "consents_stored",
    "log_entries",
    "log_verify_per_s",
    "log_proof_p50_ms",
    "log_proof_p99_ms",
    "log_consistency_p50_ms",
]


def test_tiny_bench_through_the_cli_reports_every_figure_with_its_spread(tmp_path: Path) -> None:
    # Run from a directory that is not the checkout: `wijkhub bench` must import the bench
    # from the installed package (wijkhub.bench), and start the hub, the simulators and the
    # coach clients as processes of their own from there.
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [WIJKHUB, "bench", "--tiny", "--json", str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-3000:]
    result = json.loads(out.read_text())
    assert result["mode"] == "tiny" and result["repeats"] == 2
    figures = result["figures"]
    missing = [k for k in REPEATED + ONCE if k not in figures]
    assert not missing, missing
    for key in REPEATED + ONCE:
        f = figures[key]
        assert len(f["values"]) == (2 if key in REPEATED else 1), (key, f)
        assert all(math.isfinite(v) for v in f["values"]), (key, f)
        assert f["min"] <= f["median"] <= f["max"], (key, f)
        assert f["label"], key
    assert figures["consents_stored"]["median"] == 500
    assert figures["log_entries"]["median"] == 300
    # Goals are judged on the median; figures without a goal have none.
    assert figures["submit_p99_ms"]["met"] == (figures["submit_p99_ms"]["median"] < 250)
    assert figures["raw_post_per_s"]["met"] is None
    assert result["load_average"]["min"] <= result["load_average"]["max"]
    assert result["machine"]["cores"] >= 1
    assert "mediaan" in proc.stdout and "Fan-out: onderdelen afgeleverd" in proc.stdout
    assert out.with_suffix(".log").exists()


def test_every_text_the_bench_shows_is_in_the_catalogue() -> None:
    texts = set(report.COLUMNS) | {report.YES, report.NO}
    for path in (ROOT / "bench").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "gettext"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                texts.add(node.args[0].value)
    assert len(texts) > 20, "the scan found too little: it is broken"
    assert sorted(t for t in texts if not translated(t)) == []


def test_figures_are_medians_with_their_spread_in_dutch_notation() -> None:
    r = report.Results()
    for v in (12.0, 10.0, 30.0):
        r.add("x", v, "X", "items/s", "≥ 11", lambda v: v >= 11)
    s = r.as_json()["x"]
    assert (s["median"], s["min"], s["max"], s["met"]) == (12.0, 10.0, 30.0, True)
    assert report.spread([10.0, 12.0]) == pytest.approx(0.2)
    assert report.number(1234.5) == "1.234" and report.number(0.04149) == "0,041"
    assert report.number(12.345) == "12,3" and report.number(1000) == "1.000"


def test_cli_passes_its_options_to_the_bench(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr(bench_main, "main", lambda argv: seen.append(argv) or 0)
    res = CliRunner().invoke(
        main, ["bench", "--quick", "--repeats", "2", "--pg", "postgresql://x@h/db"]
    )
    assert res.exit_code == 0, res.output
    assert seen == [
        ["--json", "bench-results.json", "--quick", "--repeats", "2", "--pg", "postgresql://x@h/db"]
    ]


def test_python_m_bench_still_runs_from_the_checkout() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0 and "--repeats" in proc.stdout, proc.stderr


class _Broken:
    def close(self) -> None:
        raise RuntimeError("the coaches' process could not be stopped")


class _Closed:
    closed = False

    async def close(self) -> None:
        self.closed = True

    async def dispose(self) -> None:
        self.closed = True


async def test_a_failure_while_closing_leaves_no_hub_running(tmp_path: Path) -> None:
    """A bench that fails on its way out still stops every hub it started."""
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    hubs = [subprocess.Popen(sleeper) for _ in "ab"]  # noqa: ASYNC220 (as the bench's own)
    partners, db = _Closed(), _Closed()
    env = scenario.Env(tmp_path, db, hubs, [], partners, _Broken(), [], {})  # type: ignore[arg-type]
    try:
        with pytest.raises(RuntimeError, match="coaches"):
            await scenario.close_env(env)
        assert [h.poll() is not None for h in hubs] == [True, True]
        assert partners.closed and db.closed
    finally:
        for h in hubs:
            h.kill()
            h.wait()
