"""The benchmark runs and reports every figure (no timing asserts: numbers vary by machine)."""

import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = [
    "raw_post_per_s",
    "sqlite_commit_per_s",
    "submit_single_p50_ms",
    "fanout_items_per_s",
    "fanout_ratio",
    "submit_p50_ms",
    "submit_p95_ms",
    "submit_p99_ms",
    "growth_20_submit_p99_ms",
    "growth_40_items_per_s",
    "growth_40_peak_mb",
    "growth_p99_spread",
    "growth_rate_spread",
    "isolation_fast_items_per_s",
    "isolation_fast_with_slow_items_per_s",
    "isolation_ratio",
    "consents_stored",
    "consent_decision_p50_ms",
    "consent_decision_p99_ms",
    "consent_decide_only_p99_ms",
    "log_entries",
    "log_verify_per_s",
]


def test_tiny_bench_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--tiny", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(out.read_text())
    figures = result["figures"]
    missing = [k for k in EXPECTED if k not in figures]
    assert not missing, missing
    for k in EXPECTED:
        assert isinstance(figures[k], (int, float)) and math.isfinite(figures[k]), (k, figures[k])
    assert figures["consents_stored"] == 500 and figures["log_entries"] == 500
    assert result["machine"]["cores"] >= 1
    assert "Fan-out" in proc.stdout  # the table was printed
