"""`serve` warns, in Dutch, when the data directory or the database is open to other users of
the machine (and sets them back): the log and the BSN look-up hashes are in there."""

import signal
import stat
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from wijkhub.hub.cli.main import main
from wijkhub.hub.cli.support import cli_obj
from wijkhub.hub.core.clock import FakeClock
from wijkhub.hub.core.file_modes import too_wide
from wijkhub.hub.core.settings import Settings


def initialised(tmp_path: Path) -> tuple[Path, Path]:
    config = tmp_path / "wijkhub.toml"
    data = tmp_path / "data"
    config.write_text(f'data_dir = "{data}"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "init"], obj=cli_obj(FakeClock()))
    assert result.exit_code == 0, result.output
    return config, data


def serve_until_listening(config: Path) -> str:
    """Start `serve`, wait for its 'listening' line, stop it with SIGTERM; all it printed."""
    exe = str(Path(sys.executable).with_name("wijkhub"))
    proc = subprocess.Popen(
        [exe, "--config", str(config), "serve", "--no-worker", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        out = ""
        for line in proc.stdout:
            out += line
            if "luistert op" in line:
                break
        proc.send_signal(signal.SIGTERM)
        rest, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "luistert op" in out, out + err
    return out + rest + err


def test_serve_warns_about_modes_wider_than_the_hubs_user_and_sets_them_back(
    tmp_path: Path,
) -> None:
    config, data = initialised(tmp_path)
    assert too_wide(Settings(data_dir=data)) == []  # as `init` left them
    data.chmod(0o755)
    (data / "wijkhub.db").chmod(0o644)
    printed = serve_until_listening(config)
    assert f"Let op: {data} had de rechten 0755" in printed, printed
    assert f"Let op: {data / 'wijkhub.db'} had de rechten 0644" in printed, printed
    assert "teruggezet naar 0600" in printed and "Traceback" not in printed
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "wijkhub.db").stat().st_mode) == 0o600
    # Now in order: the next start says nothing about it.
    assert "Let op" not in serve_until_listening(config)
