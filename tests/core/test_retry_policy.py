"""The retry budget: computed from the policy the worker uses, at least 72 hours by default
(a partner down for a long weekend), stated truly in the settings and printed in Dutch by
`wijkhub deliveries policy`."""

import inspect
import re
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from wijkhub.hub.cli.main import main
from wijkhub.hub.core import retry_policy, settings
from wijkhub.hub.core.settings import WorkerSettings


def test_the_default_budget_survives_a_long_weekend() -> None:
    cfg = WorkerSettings()
    waits = retry_policy.schedule(cfg)
    assert len(waits) == cfg.max_attempts - 1
    # The same figure worked out by hand from the settings: doubling waits, capped.
    by_hand = sum(
        min(cfg.backoff_initial * 2 ** (n - 1), cfg.backoff_max) for n in range(1, cfg.max_attempts)
    )
    least, most = retry_policy.budget(cfg)
    assert least == timedelta(seconds=by_hand) == timedelta(seconds=waits[-1].at)
    assert least >= timedelta(hours=72)
    assert least <= most <= least + timedelta(seconds=cfg.backoff_jitter * len(waits))


def test_the_schedule_is_the_wait_the_worker_uses() -> None:
    cfg = WorkerSettings(backoff_jitter=0)
    strategy = retry_policy.wait(cfg)
    for w in retry_policy.schedule(cfg):
        assert retry_policy.backoff(strategy, w.after_attempt) == w.seconds
    jittered = retry_policy.wait(WorkerSettings())
    for n in (1, 5, 20):
        base = retry_policy.schedule(WorkerSettings())[n - 1].seconds
        assert base <= retry_policy.backoff(jittered, n) <= base + 1.0


def test_the_settings_comment_states_the_true_figure() -> None:
    cfg = WorkerSettings()
    least, _ = retry_policy.budget(cfg)
    # The comment above the fields, as one line of text.
    source = " ".join(
        line.strip().removeprefix("# ")
        for line in inspect.getsource(settings.WorkerSettings).splitlines()
    )
    total = int(least.total_seconds())
    days, rest = divmod(total, 86400)
    assert f"{cfg.max_attempts} tries" in source
    assert f"at least {total // 3600} h {total % 3600 // 60} min" in source
    assert f"({days} days, {rest // 3600} h, {rest % 3600 // 60} min and {total % 60} s" in source


def test_wijkhub_deliveries_policy_prints_schedule_and_budget_in_dutch(tmp_path: Path) -> None:
    cfg = tmp_path / "wijkhub.toml"
    cfg.write_text(f'data_dir = "{tmp_path / "data"}"\n')
    res = CliRunner().invoke(
        main, ["--config", str(cfg), "deliveries", "policy"], env={"COLUMNS": "200"}
    )
    assert res.exit_code == 0, res.output
    least, _ = retry_policy.budget(WorkerSettings())
    assert f"Totaal budget: {retry_policy.dutch_duration(least)}" in res.output
    assert "(73,1 uur)" in res.output
    assert "Pogingen: 84" in res.output
    assert re.search(r"^\s*83\s+1 uur\s+3 dagen, 1 uur, 8 minuten en 14 seconden", res.output, re.M)

    # Configurable: fewer tries are a shorter budget, and the command says so.
    res = CliRunner().invoke(
        main,
        ["--config", str(cfg), "deliveries", "policy"],
        env={"WIJKHUB_WORKER__MAX_ATTEMPTS": "15"},
    )
    assert res.exit_code == 0, res.output
    assert "Pogingen: 15" in res.output and "(4,1 uur)" in res.output
