"""Bad input to the `wijkhub` command: one Dutch sentence that says what is wrong and where,
exit code 2, never a traceback, never an English text of click's or pydantic's."""

import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from wijkhub.hub.cli.main import main
from wijkhub.hub.cli.support import cli_obj
from wijkhub.hub.core.clock import FakeClock
from wijkhub.hub.core.settings import example_config_dir

# Words of click's, pydantic's and Python's own English output.
ENGLISH = (
    "Traceback",
    "Error:",
    "Usage:",
    "Try '",
    "Invalid value",
    "No such",
    "does not exist",
    "Input should",
    "Field required",
    "Extra inputs",
    "not found",
    "Exception",
    "OPTIONS",
    "integer",
)


def setup(tmp_path: Path, extra: str = "") -> Path:
    config = tmp_path / "wijkhub.toml"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\n{extra}', encoding="utf-8")
    return config


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def initialised(tmp_path: Path) -> Path:
    config = setup(tmp_path)
    result = CliRunner().invoke(main, ["--config", str(config), "init"], obj=cli_obj(FakeClock()))
    assert result.exit_code == 0, result.output
    return config


# (name, arguments made from tmp_path, what the message must say)
Case = tuple[str, Callable[[Path], list[str]], str]
CASES: list[Case] = [
    (
        "config file missing",
        lambda t: ["--config", str(t / "nergens.toml"), "tokens", "list"],
        "bestaat niet",
    ),
    (
        "TOML syntax error names the file and the place",
        lambda t: [
            "--config",
            str(write(t, "kapot.toml", 'data_dir = "x"\nport = \n')),
            "tokens",
            "list",
        ],
        "kapot.toml is geen geldige TOML: regel 2, kolom 8",
    ),
    (
        "unknown key",
        lambda t: ["--config", str(setup(t, "poort = 1\n")), "tokens", "list"],
        "wijkhub.toml: poort: Dit veld bestaat hier niet.",
    ),
    (
        "wrong type in a section",
        lambda t: ["--config", str(setup(t, '[worker]\nbatch_size = "veel"\n')), "tokens", "list"],
        "worker.batch_size: Dit moet een geheel getal zijn.",
    ),
    ("unknown option", lambda t: ["tokens", "list", "--kleur"], "Onbekende optie '--kleur'."),
    ("unknown command", lambda t: ["toverstaf"], "Onbekende opdracht 'toverstaf'."),
    (
        "missing argument",
        lambda t: ["--config", str(initialised(t)), "access-report"],
        "Argument ontbreekt",
    ),
    (
        "unknown client",
        lambda t: [
            "--config",
            str(initialised(t)),
            "access-report",
            "00000000-0000-4000-8000-000000000000",
        ],
        "Cliënt niet gevonden",
    ),
    ("init twice", lambda t: ["--config", str(initialised(t)), "init"], "al ingericht"),
    (
        "not a number",
        lambda t: ["--config", str(initialised(t)), "serve", "--port", "tachtig"],
        "'tachtig' is geen geldig geheel getal.",
    ),
    (
        "unknown role",
        lambda t: [*ready(t), "tokens", "create", "--role", "baas", "--label", "x"],
        "Onbekende rol 'baas'",
    ),
    (
        "a coach token without a team",
        lambda t: [*ready(t), "tokens", "create", "--role", "coach", "--label", "x"],
        "hebben een --team nodig",
    ),
    (
        "a token for a partner that is not configured",
        lambda t: [*ready(t), "tokens", "create", "--role", "partner:nergens", "--label", "x"],
        "'nergens' staat niet in partners.toml",
    ),
    (
        "a value out of range",
        lambda t: [*ready(t), "tokens", "create", "--role", "admin", "--label", "x", "--days", "0"],
        "0 ligt niet tussen",
    ),
    (
        "unknown token id",
        lambda t: [*ready(t), "tokens", "revoke", "bestaat-niet"],
        "Geen actief token met id bestaat-niet.",
    ),
    ("unknown key", lambda t: [*ready(t), "keys", "retire", "k9"], "Er is geen sleutel k9"),
    ("the active key", lambda t: [*ready(t), "keys", "retire", "k1"], "de actieve sleutel"),
    (
        "zero batches",
        lambda t: [*ready(t), "keys", "rotate-bsn", "--batches", "0"],
        "Ongeldige waarde voor '--batches'",
    ),
    (
        "unknown client for a code",
        lambda t: [*ready(t), "inwoner-code", "00000000-0000-4000-8000-000000000000"],
        "Cliënt niet gevonden",
    ),
    (
        "not a time",
        lambda t: [*ready(t), "log", "export", "--since", "morgen"],
        "Ongeldige waarde voor --since: Dit moet een datum met tijd zijn",
    ),
    (
        "missing file",
        lambda t: [*ready(t), "log", "check-receipt", str(t / "weg.json"), "--key", "x"],
        "bestaat niet",
    ),
    ("missing option", lambda t: [*ready(t), "escalations", "notices"], "Optie ontbreekt '--team'"),
]


def ready(tmp_path: Path) -> list[str]:
    return ["--config", str(initialised(tmp_path))]


@pytest.mark.parametrize(("name", "args", "says"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_dutch_sentence_and_exit_code_2(
    tmp_path: Path, name: str, args: Callable[[Path], list[str]], says: str
) -> None:
    result = CliRunner().invoke(main, args(tmp_path), obj=cli_obj(FakeClock()))
    assert result.exit_code == 2, (name, result.output)
    assert "Fout: " in result.output and says in result.output, result.output
    assert [w for w in ENGLISH if w in result.output] == [], result.output


def wijkhub(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    # A real process: `serve` binds sockets and reads its partners before it would run.
    return subprocess.run(
        [str(Path(sys.executable).with_name("wijkhub")), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_dutch_refusal(proc: subprocess.CompletedProcess[str], says: str) -> None:
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out
    assert says in out, out
    assert [w for w in ENGLISH if w in out] == [], out


def test_a_port_in_use_is_named_not_a_traceback(tmp_path: Path) -> None:
    config = initialised(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = wijkhub("--config", str(config), "serve", "--no-worker", "--port", str(port))
    assert_dutch_refusal(proc, "al in gebruik")


def test_an_unknown_partner_type_and_a_missing_partners_file(tmp_path: Path) -> None:
    config = initialised(tmp_path)
    partners = tmp_path / "data" / "config" / "partners.toml"
    text = (example_config_dir() / "partners.toml").read_text(encoding="utf-8")
    partners.write_text(text.replace('type = "corporatie"', 'type = "kasteel"', 1))
    proc = wijkhub("--config", str(config), "serve", "--no-worker", "--port", "0")
    assert_dutch_refusal(proc, "geen plugin levert partnertype kasteel")
    partners.unlink()
    proc = wijkhub("--config", str(config), "serve", "--no-worker", "--port", "0")
    assert_dutch_refusal(proc, "partners.toml")


def test_an_unforeseen_fault_exits_1_with_a_dutch_hint(tmp_path: Path) -> None:
    config = initialised(tmp_path)
    (tmp_path / "data" / "wijkhub.db").write_bytes(b"dit is geen database" * 100)
    result = CliRunner().invoke(
        main, ["--config", str(config), "tokens", "list"], obj=cli_obj(FakeClock())
    )
    assert result.exit_code == 1, result.output
    assert "Fout: Er ging iets mis dat Wijkhub niet verwachtte" in result.output, result.output
    assert [w for w in ENGLISH if w in result.output] == [], result.output
