"""Running the CLI against a test's hub: the same data dir, config and database, on the test's
clock (the CLI's commands take `cli_obj(clock)`), so the CLI and the worker agree on the time."""

from pathlib import Path

from click.testing import CliRunner, Result

from tests.support.harness import Env
from wijkhub.hub.cli.main import main
from wijkhub.hub.cli.support import cli_obj
from wijkhub.hub.core.clock import FakeClock


def cli_config(env: Env, tmp_path: Path) -> Path:
    """A config file pointing the CLI at the running hub's data dir, rules and database."""
    s = env.hub.ctx.settings
    path = tmp_path / "cli.toml"
    lines = [f'data_dir = "{s.data_dir}"', f'config_dir = "{s.config_path}"']
    if s.database_url:
        lines.append(f'database_url = "{s.database_url}"')
    path.write_text("\n".join(lines) + "\n")
    return path


def invoke(env: Env, config: Path, *args: str) -> Result:
    """One CLI command on the test's clock; a wide terminal so tables are not wrapped."""
    return CliRunner().invoke(
        main, ["--config", str(config), *args], env={"COLUMNS": "200"}, obj=cli_obj(env.clock)
    )


def run_on_fixed_clock(*args: str, config: Path | None = None) -> Result:
    """One CLI command without a running hub, on a fixed clock: token times and every date
    the hub computes are the same each run."""
    pre = ["--config", str(config)] if config else []
    return CliRunner().invoke(
        main,
        [*pre, *args],
        catch_exceptions=False,
        env={"COLUMNS": "200"},
        obj=cli_obj(FakeClock()),
    )
