"""The layout is the architecture: layered packages (the import contract in pyproject.toml),
no import cycle, no import inside a function, no private name used across modules.

Each check also runs once on a copy of the tree broken on purpose, to show it can fail.
"""

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.support import layout

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
# The copies are importable under another name (a namespace package, like `wijkhub`), so
# that the installed (editable) `wijkhub` cannot answer for them.
COPY = "wijkhubcopy"


def copy_tree(dest: Path) -> Path:
    """The source packages under another import name, with a contract that names them."""
    for top in layout.PACKAGES:
        shutil.copytree(ROOT / top, dest / COPY / top, ignore=shutil.ignore_patterns("__pycache__"))
    for path in (dest / COPY).rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"\bwijkhub\.", f"{COPY}.", text), encoding="utf-8")
    contract = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    contract = contract[contract.index("[tool.importlinter]") :]
    (dest / "contract.toml").write_text(re.sub(r"\bwijkhub\.", f"{COPY}.", contract))
    return dest / COPY


def lint(where: Path, config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(config)],
        cwd=where,
        env={"PYTHONPATH": str(where), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_import_contract_holds() -> None:
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and " 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("where", "line", "names"),
    [
        # An upward import: the store reaching for the CLI.
        ("hub/store/tables.py", f"import {COPY}.hub.cli.main", "hub.store.tables"),
        # The API and the web pages are siblings that never import each other.
        ("hub/web/kit.py", f"import {COPY}.hub.api.kit", "hub.web.kit"),
        # A plugin reaching into the store.
        ("plugins/stadsbank/format.py", f"import {COPY}.hub.store.tables", "plugins.stadsbank"),
    ],
)
def test_the_contract_fails_on_a_forbidden_import(
    tmp_path: Path, where: str, line: str, names: str
) -> None:
    copy = copy_tree(tmp_path)
    target = copy / where
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # noqa\n")
    ok = lint(tmp_path, tmp_path / "contract.toml")
    assert "BROKEN" not in ok.stdout or ok.returncode != 0
    assert ok.returncode != 0, ok.stdout + ok.stderr
    assert names in ok.stdout


def test_the_unbroken_copy_passes(tmp_path: Path) -> None:
    copy_tree(tmp_path)
    result = lint(tmp_path, tmp_path / "contract.toml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_import_cycle_no_late_import_no_private_name() -> None:
    tree = layout.read(ROOT)
    assert layout.cycles(tree) == []
    assert tree.late == []
    assert tree.private == []


def test_the_checks_catch_what_they_are_for(tmp_path: Path) -> None:
    for top in layout.PACKAGES:
        (tmp_path / top).mkdir()
    (tmp_path / "hub" / "__init__.py").write_text("")
    (tmp_path / "hub" / "a.py").write_text("from wijkhub.hub.b import _secret\n")
    (tmp_path / "hub" / "b.py").write_text(
        "def f():\n    from wijkhub.hub import a\n    return a\n_secret = 1\n"
    )
    tree = layout.read(tmp_path)
    assert layout.cycles(tree) == [["wijkhub.hub.a", "wijkhub.hub.b"]]
    assert tree.late == ["wijkhub.hub.b:2 -> wijkhub.hub"] or tree.late[0].startswith(
        "wijkhub.hub.b:2"
    )
    assert tree.private == ["wijkhub.hub.a:1 _secret"]


def test_the_contract_names_every_layer_package() -> None:
    """Every sub-package of hub/ is in a layer, so none escapes the contract."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    layers = config["tool"]["importlinter"]["contracts"][0]["layers"]
    named = {p.strip() for layer in layers for p in layer.split("|")}
    packages = {
        f"wijkhub.hub.{p.name}" for p in (ROOT / "hub").iterdir() if (p / "__init__.py").exists()
    }
    assert packages <= named


def test_tests_share_helpers_only_through_support(tmp_path: Path) -> None:
    assert layout.test_module_imports(ROOT) == []
    (tmp_path / "tests" / "web").mkdir(parents=True)
    (tmp_path / "tests" / "web" / "test_a.py").write_text(
        "from tests.casework.test_escalation import item\n"
        "from tests.browser.conftest import UiEnv\n"
        "from tests.support.ladder import _private\n"
        "from tests.support.ladder import move_to\n"
    )
    assert layout.test_module_imports(tmp_path) == [
        "tests/web/test_a.py:1 tests.casework.test_escalation",
        "tests/web/test_a.py:2 tests.browser.conftest",
        "tests/web/test_a.py:3 _private",
    ]
