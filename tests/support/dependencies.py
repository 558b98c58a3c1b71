"""The pinned dependency set (pyproject.toml) and pip-audit's verdict on it, for
tests/test_dependencies.py: a known vulnerability with a fix available fails the suite; a
vulnerability service that cannot be reached skips the check, saying so, never a flaky red."""

import json
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120  # seconds for the whole audit; beyond it the service counts as unreachable


def pinned(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """Every `name==version` of the runtime and test dependencies (extras of a name dropped)."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    specs = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    out = []
    for spec in specs:
        name, _, version = spec.partition("==")
        out.append(f"{name.split('[')[0].strip()}=={version.strip()}")
    return out


@dataclass
class Verdict:
    audited: list[str] = field(default_factory=list)
    not_audited: dict[str, str] = field(default_factory=dict)  # name → pip-audit's reason
    fixable: list[str] = field(default_factory=list)  # "name version: ID (fixed in …)"
    unfixed: list[str] = field(default_factory=list)  # known, but no release fixes it yet


def judge(report: dict[str, Any]) -> Verdict:
    """pip-audit's JSON (`-f json`) read as: what was checked, and what must be fixed."""
    v = Verdict()
    for dep in report.get("dependencies", []):
        name = dep["name"]
        if "skip_reason" in dep:
            v.not_audited[name] = dep["skip_reason"]
            continue
        v.audited.append(name)
        for vuln in dep.get("vulns", []):
            line = f"{name} {dep['version']}: {vuln['id']}"
            if vuln.get("fix_versions"):
                v.fixable.append(f"{line} (fixed in {', '.join(vuln['fix_versions'])})")
            else:
                v.unfixed.append(line)
    return v


def audit(requirements: list[str], workdir: Path) -> tuple[dict[str, Any] | None, str]:
    """Run pip-audit on exactly these pins (no resolving, no installing); (report, problem)."""
    req = workdir / "requirements.txt"
    req.write_text("\n".join(requirements) + "\n", encoding="utf-8")
    exe = Path(sys.executable).with_name("pip-audit")
    cmd = [str(exe), "-r", str(req), "--no-deps", "--disable-pip", "-f", "json"]
    cmd += ["--progress-spinner", "off", "--cache-dir", str(workdir / "cache")]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, f"pip-audit gave no answer within {TIMEOUT} s"
    try:
        return json.loads(proc.stdout), ""
    except json.JSONDecodeError:
        last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return None, f"pip-audit could not ask the vulnerability service: {last}"
