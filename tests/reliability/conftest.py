"""One migrated SQLite database per session, copied for every hub of the reliability suite."""

from pathlib import Path

import pytest

from tests.support.pg import run_sync
from wijkhub.hub.core.db import upgrade


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reliability") / "template.db"
    run_sync(upgrade(f"sqlite+aiosqlite:///{path}"))
    return path
