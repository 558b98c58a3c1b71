"""Loading plugins: entry points, conflicts, broken plugins, misspelt hooks, documentation."""

import inspect
import re
import types
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from pluggy import PluginValidationError

from wijkhub.hub.plugin_api import manager as plugins
from wijkhub.hub.plugin_api import spec as hookspecs
from wijkhub.hub.plugin_api.spec import hookimpl
from wijkhub.hub.plugin_api.types import AdviceType, DeadlineRule, PartnerType
from wijkhub.plugins import corporatie
from wijkhub.schemas.categories import DataCategory as C

ROOT = Path(__file__).resolve().parents[2]
BUILT_IN = {"corporatie", "stadsbank", "gecertificeerde_instelling", "zorgaanbieder"}


def test_built_in_plugins_load_through_entry_points() -> None:
    registry = plugins.load_registry()
    assert set(registry.partner_types) == BUILT_IN
    assert registry.owners["stadsbank"] == "stadsbank"
    assert registry.failed == {}
    for pt in registry.partner_types.values():
        assert len(pt.advice_types) >= 2
        assert pt.backoffice is not None


def _module(name: str, partner_type: PartnerType) -> types.ModuleType:
    mod = types.ModuleType(name)

    @hookimpl
    def wijkhub_partner_types():  # type: ignore[no-untyped-def]
        yield partner_type

    mod.wijkhub_partner_types = wijkhub_partner_types  # type: ignore[attr-defined]
    return mod


def test_two_plugins_claiming_one_partner_type_name_both() -> None:
    copy = corporatie.partner_type() if hasattr(corporatie, "partner_type") else None
    pt = copy or plugins.load_registry().partner_types["corporatie"]
    with pytest.raises(plugins.PluginConflict, match=r"'corporatie'.*'corporatie'.*'rogue'"):
        plugins.load_registry([_module("rogue", pt)])


def test_a_broken_plugin_is_reported_not_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    real = plugins.entry_points

    def with_broken(group: str) -> list[EntryPoint]:
        return [*real(group=group), EntryPoint("kapot", "wijkhub_does_not_exist", group)]

    monkeypatch.setattr(plugins, "entry_points", with_broken)
    registry = plugins.load_registry()
    assert set(registry.partner_types) == BUILT_IN
    assert "kapot" in registry.failed and "ModuleNotFoundError" in registry.failed["kapot"]


def test_a_misspelt_hook_fails_at_start_up() -> None:
    mod = types.ModuleType("typo")

    @hookimpl
    def wijkhub_partner_typse():  # type: ignore[no-untyped-def]
        return []

    mod.wijkhub_partner_typse = wijkhub_partner_typse  # type: ignore[attr-defined]
    with pytest.raises(PluginValidationError, match="wijkhub_partner_typse"):
        plugins.load_registry([mod], use_entry_points=False)


def test_registration_objects_validate_themselves() -> None:
    with pytest.raises(ValueError, match="snake_case"):
        AdviceType(
            name="Bad Name",
            title_nl="x",
            required_categories=frozenset({C.contact}),
            deadline=DeadlineRule(1),
        )
    with pytest.raises(ValueError, match="required_categories is empty"):
        AdviceType(
            name="leeg", title_nl="x", required_categories=frozenset(), deadline=DeadlineRule(1)
        )
    with pytest.raises(ValueError, match="both required and optional"):
        AdviceType(
            name="dubbel",
            title_nl="x",
            required_categories=frozenset({C.contact}),
            optional_categories=frozenset({C.contact}),
            deadline=DeadlineRule(1),
        )
    with pytest.raises(ValueError, match="at least 1"):
        DeadlineRule(0)


def hook_names() -> list[str]:
    return [
        name
        for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("wijkhub_")
    ]


@pytest.mark.parametrize("hook", hook_names())
def test_every_hook_is_documented_and_tested(hook: str) -> None:
    """Like datasette: a hook missing from the guide, or without a test, fails here."""
    spec = getattr(hookspecs, hook)
    assert "Example::" in (spec.__doc__ or ""), f"{hook} has no worked example"
    guide = (ROOT / "docs" / "plugin-guide.md").read_text()
    assert re.search(rf"^### `{hook}`$", guide, re.M), f"{hook} is not in the plugin guide"
    tests = "".join(p.read_text() for p in (ROOT / "tests").rglob("test_*.py"))
    assert re.search(rf"^(async )?def test_{hook}\w*\(", tests, re.M), f"{hook} has no test"


def test_wijkhub_partner_types_worked_example_registers() -> None:
    """The docstring's worked example really works (so the docs cannot rot)."""
    doc = hookspecs.wijkhub_partner_types.__doc__ or ""
    code = inspect.cleandoc(doc.split("Example::", 1)[1])
    namespace: dict[str, object] = {
        "parse_status": lambda body, ct: [],
        "translate_withdrawal": lambda n: None,
    }
    exec(compile(code, "hookspec-example", "exec"), namespace)
    mod = types.ModuleType("leerplicht_example")
    mod.wijkhub_partner_types = namespace["wijkhub_partner_types"]  # type: ignore[attr-defined]
    registry = plugins.load_registry([mod], use_entry_points=False)
    assert registry.partner_types["leerplicht"].advice_type("verzuimgesprek") is not None
