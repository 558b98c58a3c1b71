"""The `wijkhub` command: init, tokens, plugins, schemas, log verify, demo."""

import asyncio
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rich.console import Console

from tests.support.cli import run_on_fixed_clock as run
from wijkhub.hub.cli.main import main
from wijkhub.hub.core.db import Database
from wijkhub.hub.core.processing_log import LogEntry, append, new_trace_id
from wijkhub.hub.demo import household
from wijkhub.hub.demo import run as demo
from wijkhub.hub.demo.run import run_demo
from wijkhub.hub.demo.simulator import PartnerSimulator

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "wijkhub.toml"
    path.write_text(f'data_dir = "{tmp_path / "data"}"\n')
    return path


def test_init_creates_database_keyring_and_admin_token(config: Path) -> None:
    result = run("init", config=config)
    assert result.exit_code == 0, result.output
    data = config.parent / "data"
    keyring = data / "keyring.json"
    assert stat.S_IMODE(keyring.stat().st_mode) == 0o600
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("wjk_")
    # Every partner's signing secret exists, readable only by the hub's user.
    secrets = sorted((data / "config" / "secrets").iterdir())
    assert [p.name for p in secrets] == [
        "gi-jbov.key",
        "stadsbank.key",
        "woonplaats.key",
        "zorg-twente.key",
    ]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in secrets)
    assert len({p.read_text() for p in secrets}) == 4
    db = sqlite3.connect(data / "wijkhub.db")
    tables = {r[0] for r in db.execute("select name from sqlite_master where type='table'")}
    assert {
        "client",
        "consent",
        "advice",
        "advice_item",
        "delivery",
        "processing_log",
        "api_token",
        "alembic_version",
    } <= tables
    stored = [r[0] for r in db.execute("select token_hash from api_token")]
    assert len(stored) == 1 and token not in stored[0], "tokens are stored hashed"
    # A second init keeps the key ring (re-generating it would make every value unreadable)
    # and hands out no second admin token: it says so and exits with 2.
    before = keyring.read_bytes()
    again = run("init", config=config)
    assert again.exit_code == 2 and "al ingericht" in again.output, again.output
    assert keyring.read_bytes() == before
    assert len(list(db.execute("select token_hash from api_token"))) == 1


def test_tokens_create_list_revoke(config: Path) -> None:
    run("init", config=config)
    created = run(
        "tokens", "create", "--role", "partner:woonplaats", "--label", "DWP", config=config
    )
    assert created.exit_code == 0 and created.output.startswith("wjk_")
    bad = CliRunner().invoke(
        main, ["--config", str(config), "tokens", "create", "--role", "baas", "--label", "x"]
    )
    assert bad.exit_code == 2 and "--role" in bad.output
    listing = run("tokens", "list", config=config)
    assert "DWP" in listing.output and "woonplaats" in listing.output
    row = next(line for line in listing.output.splitlines() if "DWP" in line)
    token_id = row.split()[0]  # the id comes first, whole
    assert run("tokens", "revoke", token_id, config=config).exit_code == 0
    again = CliRunner().invoke(main, ["--config", str(config), "tokens", "revoke", token_id])
    assert again.exit_code == 2 and "Geen actief token" in again.output


def test_log_verify_reports_intact_and_broken(config: Path) -> None:
    run("init", config=config)
    assert "intact" in run("log", "verify", config=config).output
    db_file = config.parent / "data" / "wijkhub.db"

    async def write_entries() -> None:
        db = Database(f"sqlite+aiosqlite:///{db_file}")
        async with db.write() as conn:
            await append(
                conn,
                [
                    LogEntry(name="test", actor="test", outcome="ok", trace_id=new_trace_id())
                    for _ in range(3)
                ],
                datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
            )
        await db.dispose()

    asyncio.run(write_entries())
    assert "3 regels wachten op de sequencer" in run("log", "verify", config=config).output
    assert "3 regels geplaatst" in run("log", "sequence", config=config).output
    out = run("log", "verify", config=config).output
    assert "intact: 3 regels" in out
    assert "1 ondertekende checkpoints in de database en 1 bij getuigen" in out
    with sqlite3.connect(db_file) as db:
        db.execute("update processing_log set outcome='changed' where seq=2")
    broken = CliRunner().invoke(main, ["--config", str(config), "log", "verify"])
    assert broken.exit_code == 1 and "regel 2" in broken.output


def test_plugins_lists_the_four_partner_types() -> None:
    out = json.loads(run("plugins", "--json").output)
    names = {p["partner_type"] for p in out["partner_types"]}
    assert names == {"corporatie", "stadsbank", "gecertificeerde_instelling", "zorgaanbieder"}
    stadsbank = next(p for p in out["partner_types"] if p["partner_type"] == "stadsbank")
    aanmelding = next(
        a for a in stadsbank["advice_types"] if a["name"] == "schuldhulpverlening_aanmelding"
    )
    assert aanmelding["urgent_deadline"] == "3 werkdagen"
    assert "bsn" in aanmelding["required_categories"]
    assert stadsbank["request_format"] == "stadsbank-aanmelding-xml 1.0"
    table = run("plugins").output
    assert "schuldhulpverlening_aanmelding" in table


def test_console_script_is_installed() -> None:
    exe = Path(sys.executable).parent / "wijkhub"
    out = subprocess.run(
        [str(exe), "plugins", "--json"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert "zorgaanbieder" in out.stdout


def test_checked_in_json_schemas_are_current(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["schemas", "export", "--check", "--out", str(ROOT / "schemas" / "json")]
    )
    assert result.exit_code == 0, "schemas/json is stale: run `wijkhub schemas export`"
    # And --check really detects a difference.
    stale = tmp_path / "json"
    assert CliRunner().invoke(main, ["schemas", "export", "--out", str(stale)]).exit_code == 0
    (stale / "AdviceIn.json").write_text("{}")
    check = CliRunner().invoke(main, ["schemas", "export", "--check", "--out", str(stale)])
    assert check.exit_code == 1 and "AdviceIn.json" in check.output


def spy_on_simulators(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, PartnerSimulator]]:
    """The demo's simulators, kept for the test to read what each partner received."""
    started: list[dict[str, PartnerSimulator]] = []
    real = demo.start_demo_hub

    async def spy(*args: Any, **kw: Any) -> Any:
        hub, sims = await real(*args, **kw)
        started.append(sims)
        return hub, sims

    monkeypatch.setattr(demo, "start_demo_hub", spy)
    return started


async def test_demo_ends_with_every_partner_answered(monkeypatch: pytest.MonkeyPatch) -> None:
    started = spy_on_simulators(monkeypatch)
    console = Console(record=True, width=80, force_terminal=False)
    code = await run_demo(console, answer_within=30, clean=True)
    text = console.export_text()
    flat = " ".join(text.split())
    assert code == 0, text
    assert "Alle partners hebben geantwoord" in text
    assert re.search(r"Verwerkingenlog: \d+ regels, intact tegen [1-9]\d* ondertekende", flat)
    # The demo's household has members now: the reason names whose consent is missing.
    assert "geldt niet voor het doel 'Budgetbeheer'" in flat
    assert "Buddy De Woonplaats kreeg een herinnering" in flat
    # An 80-column terminal: whole words, nothing cut off, advice types and messages in Dutch.
    assert [line for line in text.splitlines() if len(line) > 80] == []
    assert [line for line in text.splitlines() if "…" in line] == []
    assert "Betalingsregeling" in text and "schuldhulpverlening" in text  # titles, whole words
    for code_word in ("betalingsregeling_huurachterstand", "wmo_begeleiding", "advice:"):
        assert code_word not in text, code_word
    assert "ontving advies: 1, herinnering: 1" in flat

    # Four eyes: the GI's advice waited, the author could not approve it, a second coach did.
    waiting = flat.index("Jeugdbescherming Overijssel ontving nog niets")
    assert "403: U kunt een eigen onderdeel niet zelf goedkeuren" in flat
    shown = re.search(r"Pas daarna ontving .*?goedkeurder ([0-9a-f]{32}) \(pseudoniem\)", flat)
    assert shown and shown.start() > waiting, flat
    # What the GI's backoffice actually got: one advice (so none before the approval), and it
    # carries the approval the hub made when the second coach approved.
    sims = started[0]
    gi = [r for r in sims[household.GI].received if r.request.kind == "advice"]
    assert len(gi) == 1
    approval = json.loads(gi[0].body)["goedkeuring"]
    assert approval["rol"] == "coach" and approval["goedkeurder"] == shown.group(1)
    assert b"demo-coach" not in gi[0].body  # pseudonymous, no token label
    corporatie = [r for r in sims[household.CORPORATIE].received if r.request.kind == "advice"]
    assert json.loads(corporatie[0].body).get("goedkeuring") is None  # no four eyes there


async def test_demo_fails_when_the_four_eyes_item_is_not_held(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The demo checks the approval step itself: an item that leaves at once is a failure."""
    started = spy_on_simulators(monkeypatch)
    monkeypatch.setattr(demo, "write_approval_toml", lambda path: None)  # nothing needs approval
    console = Console(record=True, width=140, force_terminal=False)
    code = await run_demo(console, answer_within=30, clean=True)
    text = console.export_text()
    assert code == 1, text
    assert "De goedkeuring (vier ogen) verliep niet zoals verwacht" in text
    assert "ontving nog niets" not in text
    assert started[0][household.GI].requests_by_kind["advice"] == 1


def test_worker_says_when_the_database_cannot_be_reached(config: Path, tmp_path: Path) -> None:
    run("init", config=config)
    unreachable = tmp_path / "unreachable.toml"
    unreachable.write_text(
        f'data_dir = "{config.parent / "data"}"\n'
        'database_url = "postgresql+asyncpg://wijkhub@127.0.0.1:1/none"\n'
    )
    result = CliRunner().invoke(main, ["--config", str(unreachable), "worker"])
    assert result.exit_code == 1
    assert "niet bereikbaar" in result.output and "db upgrade" not in result.output
