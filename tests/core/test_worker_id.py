"""A restarted process recognises its own leases without waiting for them: a stable worker id
by default, and never one id in two live processes."""

import asyncio
import json
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from tests.support.harness import Env
from wijkhub.hub.cli.main import main
from wijkhub.hub.core import worker_id
from wijkhub.hub.core.settings import Settings
from wijkhub.hub.demo import household
from wijkhub.hub.path.delivery import DeliveryWorker
from wijkhub.hub.store.tables import DELIVERY

HOLDER = """
import sys, time
from pathlib import Path
from wijkhub.hub.core import worker_id
from wijkhub.hub.core.settings import Settings
extra = {"worker": {"id": sys.argv[2]}} if len(sys.argv) > 2 else {}
ident = worker_id.claim(Settings(data_dir=Path(sys.argv[1]), **extra))
print(ident.id, flush=True)
time.sleep(120)
"""


def test_the_default_id_is_stable_and_kept_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = worker_id.claim(settings)
    assert first.stable and first.id.startswith(worker_id.base_id(tmp_path))
    saved = json.loads((tmp_path / worker_id.ID_FILE).read_text())
    assert saved["id"] == first.id
    # A second live process on the same data dir: another slot, never the same id.
    second = worker_id.claim(settings)
    assert second.id != first.id and second.id.startswith(first.id)
    first.release()
    # The first one restarted: the same id as before.
    again = worker_id.claim(settings)
    assert again.id == first.id
    again.release()
    second.release()


def test_a_configured_id_in_use_refuses_to_start(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, worker={"id": "hub-1"})
    held = worker_id.claim(settings)
    with pytest.raises(worker_id.WorkerIdInUse) as refused:
        worker_id.claim(settings)
    assert "hub-1 is al in gebruik" in str(refused.value)
    held.release()
    worker_id.claim(settings).release()


def _holder(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path), *args], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def test_the_lock_is_the_process_s_own_and_dies_with_it(tmp_path: Path) -> None:
    """A live process elsewhere holds its id; after kill -9 its restart gets it back."""
    proc, theirs = _holder(tmp_path)
    try:
        mine = worker_id.claim(Settings(data_dir=tmp_path))
        assert theirs and mine.id != theirs
        # The same configured id in a second process: refused.
        other, configured = _holder(tmp_path, "w-1")
        try:
            with pytest.raises(worker_id.WorkerIdInUse):
                worker_id.claim(Settings(data_dir=tmp_path, worker={"id": configured}))
        finally:
            other.kill()
            other.wait()
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        restarted = worker_id.claim(Settings(data_dir=tmp_path))
        assert restarted.id == theirs
        restarted.release()
        mine.release()
    finally:
        proc.kill()
        proc.wait()


async def _leased_by(env: Env, owner: str) -> int:
    async with env.hub.ctx.db.read() as conn:
        return int(
            await conn.scalar(
                select(func.count()).select_from(DELIVERY).where(DELIVERY.c.lease_owner == owner)
            )
            or 0
        )


async def test_a_restarted_worker_takes_its_rows_back_at_once_and_a_live_one_never(
    env: Env,
) -> None:
    """Two workers beside the hub's own; the clock does not move, so no lease runs out."""
    client = await env.household()
    await env.submit(household.advice(client, env.today))
    settings = env.hub.ctx.settings
    async with aiohttp.ClientSession() as session:
        first = worker_id.claim(settings)
        other_id = worker_id.claim(settings)  # a second live worker: its own id
        crashed = DeliveryWorker(env.hub.ctx, session, owner=first.id)
        rows = await crashed.claim()  # leased, then the process dies before sending
        assert rows and await _leased_by(env, first.id) == len(rows)
        first.release()  # what the kernel does at kill -9

        # The live worker does not take the rows: their lease holds.
        other = DeliveryWorker(env.hub.ctx, session, owner=other_id.id)
        restarted_id = worker_id.claim(settings)
        assert restarted_id.id == first.id != other_id.id
        assert await other.claim() == []

        restarted = DeliveryWorker(env.hub.ctx, session, owner=restarted_id.id)
        task = asyncio.create_task(restarted.run())
        try:
            async with asyncio.timeout(10):
                for sim in env.sims.values():
                    wanted = sum(1 for r in rows if r.partner_id == sim.partner_id)
                    await sim.wait_for(lambda s, n=wanted: len(s.received) >= n)
        finally:
            restarted.stop()
            await task
        assert await _leased_by(env, first.id) == 0
        restarted_id.release()
        other_id.release()


def test_wijkhub_worker_with_an_id_in_use_refuses_to_start(tmp_path: Path) -> None:
    cfg = tmp_path / "wijkhub.toml"
    cfg.write_text(f'data_dir = "{tmp_path / "data"}"\n')
    res = CliRunner().invoke(main, ["--config", str(cfg), "init"])
    assert res.exit_code == 0, res.output
    held = worker_id.claim(Settings(data_dir=tmp_path / "data", worker={"id": "w1"}))
    try:
        res = CliRunner().invoke(main, ["--config", str(cfg), "worker", "--id", "w1"])
        assert res.exit_code == 1
        assert "Worker-id w1 is al in gebruik" in res.output
    finally:
        held.release()
