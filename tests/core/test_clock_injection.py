"""No code the tests run reads today's date behind the injected clock's back.

The suite runs on a FakeClock; one `date.today()` in the hub or in a test makes it pass or fail
by the calendar. `.ci/moved-date` proves the whole suite on a date a year ahead; this check
catches the usual slip (reading the real time directly) without waiting for that date.
"""

import ast
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The packages the test suite runs, and the suite itself. (bench/ measures real systems on
# the real clock and is not part of it.)
SCANNED = ("hub", "plugins", "consent", "schemas", "tests")
# (object, attribute) calls that read the real time of day or date.
REAL_TIME = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
}
# The places that may: the system clock itself, and the defaults of the seams tests replace
# (a HubContext, a CLI command without cli_obj, a stand-alone partner simulator), and the
# one clock of the tests that run the hub as its own processes.
ALLOWED = {
    "hub/core/clock.py": {"datetime.now"},
    "hub/core/context.py": {"SystemClock"},
    "hub/cli/support.py": {"SystemClock"},
    "hub/demo/simulator.py": {"SystemClock"},
    # the outside-in tests: the hub as its own processes, on the machine's clock
    "tests/support/outside.py": {"SystemClock"},
}


def real_time_calls(source: str) -> list[tuple[int, str]]:
    """Line and name of each call in `source` that reads the real time, SystemClock() included."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Attribute):
            owner = f.value
            # `datetime.now(...)` and also `dt.datetime.now(...)`
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
            if (name, f.attr) in REAL_TIME:
                found.append((node.lineno, f"{name}.{f.attr}"))
        elif isinstance(f, ast.Name) and f.id == "SystemClock":
            found.append((node.lineno, "SystemClock"))
    return found


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from datetime import date\nx = date.today()\n", ["date.today"]),
        ("import datetime as dt\nx = dt.datetime.now(dt.UTC)\n", ["datetime.now"]),
        ("import time\nx = time.time()\n", ["time.time"]),
        ("x = SystemClock().now()\n", ["SystemClock"]),
        ("x = clock.now()\ny = local_date(env.clock.now())\nz = time.monotonic()\n", []),
    ],
)
def test_the_check_finds_real_time_reads(source: str, expected: list[str]) -> None:
    assert [name for _line, name in real_time_calls(source)] == expected


def test_only_the_clock_module_reads_the_real_time() -> None:
    offenders = []
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            allowed = ALLOWED.get(rel, set())
            for line, name in real_time_calls(path.read_text(encoding="utf-8")):
                if name not in allowed:
                    offenders.append(f"{rel}:{line} {name}")
    assert offenders == [], "take the time from the injected clock (hub/core/clock.py) instead"


def test_the_moved_date_run_moves_every_python_process_by_one_offset() -> None:
    """`.ci/moved-date` is the proof that no test depends on today's date: it must move the
    calendar of the processes the suite starts, by the same offset, and leave sleeps alone.
    (Compared with a process on the real calendar, not with this one: the suite itself may be
    running on a moved date.)"""
    root = Path(__file__).resolve().parents[2]
    probe = "import datetime as d, time; time.sleep(0.01); print(d.datetime.now(d.UTC).date())"

    def today_with(offset: str | None) -> date:
        env = {k: v for k, v in os.environ.items() if k != "WIJKHUB_CLOCK_OFFSET"}
        env["PYTHONPATH"] = str(root / ".ci" / "moved_date")
        if offset is not None:
            env["WIJKHUB_CLOCK_OFFSET"] = offset
        out = subprocess.run(
            [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
        )
        return date.fromisoformat(out.stdout.strip())

    days = 400
    real = today_with(None)
    moved = today_with(str(days * 86400))
    assert (moved - real).days in (days, days + 1), (real, moved)  # a run across midnight
