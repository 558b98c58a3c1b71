"""The benchmark runs and reports every figure (no timing asserts: numbers vary by machine)."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import wijkhub.bench.__main__ as bench_main
from wijkhub.hub.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
WIJKHUB = str(Path(sys.executable).parent / "wijkhub")
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
    "log_proof_p50_ms",
    "log_proof_p99_ms",
    "log_consistency_p50_ms",
]


def test_tiny_bench_through_the_cli_reports_every_figure(tmp_path: Path) -> None:
    # Run from a directory that is not the checkout: `wijkhub bench` must import the bench
    # from the installed package (wijkhub.bench), not from the working directory.
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [WIJKHUB, "bench", "--tiny", "--json", str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["mode"] == "tiny"
    figures = result["figures"]
    missing = [k for k in EXPECTED if k not in figures]
    assert not missing, missing
    for k in EXPECTED:
        assert isinstance(figures[k], (int, float)) and math.isfinite(figures[k]), (k, figures[k])
    assert figures["consents_stored"] == 500 and figures["log_entries"] == 500
    assert result["machine"]["cores"] >= 1
    assert "Fan-out" in proc.stdout  # the table was printed
    assert out.with_suffix(".log").exists()


def test_cli_passes_its_options_to_the_bench(monkeypatch: pytest.MonkeyPatch) -> None:

    seen: list[list[str]] = []
    monkeypatch.setattr(bench_main, "main", lambda argv: seen.append(argv) or 0)
    res = CliRunner().invoke(main, ["bench", "--quick", "--pg", "postgresql://x@h/db"])
    assert res.exit_code == 0, res.output
    assert seen == [["--json", "bench-results.json", "--quick", "--pg", "postgresql://x@h/db"]]


def test_python_m_bench_still_runs_from_the_checkout() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0 and "--quick" in proc.stdout, proc.stderr
