"""The processes of one bench: the hub (`wijkhub serve`, one or more), the partner simulators
(`bench.partners`) and the coach clients (`bench.coaches`), each in its own process; the hub's
CPU time and memory read from /proc."""

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from wijkhub.hub.core.settings import example_config_dir

WIJKHUB = str(Path(sys.executable).parent / "wijkhub")
CHECKOUT = Path(__file__).resolve().parent.parent  # `bench.x` from a checkout, else installed
URL_LINE = re.compile(r"(http://127\.0\.0\.1:\d+)")
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_ms(pid: int) -> float:
    """utime + stime of one process so far, in milliseconds (/proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        # The command name (field 2) may hold spaces: split after its closing parenthesis.
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICKS


def memory_mb(pid: int) -> dict[str, float]:
    """Resident memory now and its peak (VmRSS, VmHWM) of one process."""
    out: dict[str, float] = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1]) / 1024
    return {"rss_mb": out.get("VmRSS", 0.0), "peak_mb": out.get("VmHWM", 0.0)}


def load_average() -> float:
    return os.getloadavg()[0]


def module(name: str) -> list[str]:
    return [sys.executable, "-m", f"{__package__}.{name}"]


def stop(proc: subprocess.Popen[Any], grace: float = 20.0) -> None:
    """SIGTERM, then SIGKILL after `grace` seconds; killed too when waiting for it fails."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
    except BaseException:
        proc.kill()
        raise


def write_hub_config(workdir: Path, db_url: str | None) -> Path:
    """The hub's settings: its own data and config directory, and the bench's fast retries."""
    config_dir = workdir / "config"
    config_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(example_config_dir() / "privacy-rules.toml", config_dir)
    path = workdir / "wijkhub.toml"
    lines = [f'data_dir = "{workdir}"', f'config_dir = "{config_dir}"']
    if db_url:
        lines.append(f'database_url = "{db_url}"')
    lines += [
        "[worker]",
        "poll_interval = 0.2",
        "backoff_initial = 0.2",
        "backoff_max = 2.0",
        "max_attempts = 15",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def spawn(cmd: list[str], log: Path, *, piped: bool) -> subprocess.Popen[bytes]:
    """A process of the bench; its stderr (and, unless `piped`, its stdout) goes to `log`.
    Wide lines: the hub's rich console must not wrap the line naming its URL."""
    with open(log, "wb") as out:
        return subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE if piped else subprocess.DEVNULL,
            stdout=subprocess.PIPE if piped else out,
            stderr=out,
            cwd=CHECKOUT,
            env={**os.environ, "COLUMNS": "250"},
        )


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:]


async def start_hub(config: Path, log: Path, within: float = 180.0) -> tuple[Any, str]:
    """`wijkhub --config CONFIG serve` on a free port; its URL once it listens."""
    cmd = [WIJKHUB, "--config", str(config), "serve", "--host", "127.0.0.1", "--port", "0"]
    proc = spawn(cmd, log, piped=False)
    end = time.monotonic() + within
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"the hub ended at start-up: {tail(log)}")
        if m := URL_LINE.search(tail(log)):
            return proc, m.group(1)
        await asyncio.sleep(0.1)
    stop(proc)
    raise TimeoutError(f"the hub did not listen within {within} s: {log}")


@dataclass
class Partners:
    """The simulators' process and its control server."""

    proc: subprocess.Popen[bytes]
    url: str
    http: aiohttp.ClientSession = field(init=False)

    @classmethod
    async def start(cls, config_dir: Path, log: Path) -> "Partners":
        proc = spawn([*module("partners"), str(config_dir)], log, piped=True)
        assert proc.stdout is not None
        line = await asyncio.to_thread(proc.stdout.readline)
        if not line:
            raise RuntimeError(f"the simulators did not start: {tail(log)}")
        self = cls(proc, f"http://127.0.0.1:{json.loads(line)['control']}")
        self.http = aiohttp.ClientSession(base_url=self.url)
        return self

    async def point_at(self, urls: list[str], tokens: dict[str, str]) -> None:
        async with self.http.post("/hub", json={"urls": urls, "tokens": tokens}) as r:
            r.raise_for_status()

    async def options(self, opts: dict[str, dict[str, Any]]) -> None:
        async with self.http.post("/options", json=opts) as r:
            r.raise_for_status()

    async def counts(self) -> dict[str, dict[str, int]]:
        async with self.http.get("/counts") as r:
            return await r.json()  # type: ignore[no-any-return]

    async def close(self) -> None:
        await self.http.close()
        with contextlib.suppress(OSError):
            if self.proc.stdin:
                self.proc.stdin.close()
        stop(self.proc)


@dataclass
class Coaches:
    """The load generator's process: one job (a burst of submissions) at a time."""

    proc: subprocess.Popen[bytes]

    @classmethod
    async def start(cls, log: Path) -> "Coaches":
        proc = spawn(module("coaches"), log, piped=True)
        assert proc.stdout is not None
        if (await asyncio.to_thread(proc.stdout.readline)).strip() != b"ready":
            raise RuntimeError(f"the coach clients did not start: {tail(log)}")
        return cls(proc)

    async def submit(
        self, urls: list[str], tokens: list[str], body: dict[str, Any], advices: int
    ) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        job = {"urls": urls, "tokens": tokens, "body": body, "advices": advices}
        self.proc.stdin.write(json.dumps(job).encode() + b"\n")
        self.proc.stdin.flush()
        line = await asyncio.to_thread(self.proc.stdout.readline)
        if not line:
            raise RuntimeError("the coach clients ended")
        return json.loads(line)  # type: ignore[no-any-return]

    def close(self) -> None:
        with contextlib.suppress(OSError):
            if self.proc.stdin:
                self.proc.stdin.close()
        stop(self.proc, 10)
