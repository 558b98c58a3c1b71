"""No pinned dependency has a known vulnerability that a newer release fixes (pip-audit against
the PyPI vulnerability data). When that service cannot be reached (an offline CI runner, a
mirror without it) the check skips with the reason; it never fails for the network's sake."""

import warnings
from pathlib import Path

import pytest

from tests.support.dependencies import audit, judge, pinned


def test_the_pinned_set_has_no_known_vulnerability_with_a_fix(tmp_path: Path) -> None:
    pins = pinned()
    report, problem = audit(pins, tmp_path)
    if report is None:
        pytest.skip(f"vulnerability service unreachable, dependencies NOT checked: {problem}")
    verdict = judge(report)
    if not verdict.audited:
        reasons = sorted(set(verdict.not_audited.values()))[:2]
        pytest.skip(
            "vulnerability service unreachable, dependencies NOT checked: "
            f"no pinned package could be looked up ({'; '.join(reasons)})"
        )
    if verdict.not_audited:
        warnings.warn(f"not checked: {sorted(verdict.not_audited)}", stacklevel=1)
    assert verdict.fixable == [], "upgrade these pins: " + "; ".join(verdict.fixable)


def test_the_pins_read_are_every_dependency_exactly() -> None:
    pins = pinned()
    assert "aiohttp==3.14.5" in pins and "SQLAlchemy==2.1.9" in pins  # extras dropped
    assert "pip-audit==2.10.1" in pins  # the tool itself is pinned and audited
    assert all(p.count("==") == 1 and p.split("==")[1] for p in pins), pins


def test_a_vulnerability_with_a_fix_fails_one_without_a_fix_does_not() -> None:
    # pip-audit's JSON as it reports a vulnerable pin (shape of pip-audit 2.10).
    report = {
        "dependencies": [
            {
                "name": "jinja2",
                "version": "3.1.2",
                "vulns": [
                    {"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"], "aliases": []},
                    {"id": "PYSEC-0000-0", "fix_versions": [], "aliases": []},
                ],
            },
            {"name": "click", "version": "8.5.1", "vulns": []},
            {"name": "private-thing", "skip_reason": "Dependency not found on PyPI"},
        ],
        "fixes": [],
    }
    verdict = judge(report)
    assert verdict.fixable == ["jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)"]
    assert verdict.unfixed == ["jinja2 3.1.2: PYSEC-0000-0"]
    assert verdict.audited == ["jinja2", "click"]
    assert verdict.not_audited == {"private-thing": "Dependency not found on PyPI"}
