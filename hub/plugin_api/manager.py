"""The plugin manager: loads plugins from the `wijkhub` entry points and indexes partner types."""

import logging
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from types import ModuleType

import pluggy

from wijkhub.hub.plugin_api import spec as hookspecs
from wijkhub.hub.plugin_api.types import PartnerType

log = logging.getLogger(__name__)


class PluginConflict(RuntimeError):
    """Two plugins claim the same partner type."""


@dataclass
class PluginRegistry:
    partner_types: dict[str, PartnerType]
    owners: dict[str, str]  # partner type -> plugin name
    failed: dict[str, str] = field(default_factory=dict)  # plugin name -> error

    def get(self, name: str) -> PartnerType | None:
        return self.partner_types.get(name)


def make_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    return pm


def load_registry(
    extra_plugins: list[ModuleType | object] | None = None, *, use_entry_points: bool = True
) -> PluginRegistry:
    """Load every installed plugin. A plugin that fails to import is reported, not fatal."""
    pm = make_manager()
    failed: dict[str, str] = {}
    if use_entry_points:
        for ep in entry_points(group=hookspecs.PROJECT):
            if pm.has_plugin(ep.name):
                continue
            try:
                pm.register(ep.load(), name=ep.name)
            except Exception as exc:
                failed[ep.name] = f"{type(exc).__name__}: {exc}"
                log.error("plugin %s could not be loaded: %s", ep.name, exc)
    for plugin in extra_plugins or []:
        pm.register(plugin)
    # A misspelt hook name in a plugin fails here, at start-up, not silently later.
    pm.check_pending()

    types: dict[str, PartnerType] = {}
    owners: dict[str, str] = {}
    for impl in pm.hook.wijkhub_partner_types.get_hookimpls():
        result = impl.function()
        for pt in result or ():
            if not isinstance(pt, PartnerType):
                raise TypeError(
                    f"plugin {impl.plugin_name} yielded {type(pt).__name__}, expected PartnerType"
                )
            if pt.name in types:
                raise PluginConflict(
                    f"partner type {pt.name!r} is registered by both plugin "
                    f"{owners[pt.name]!r} and plugin {impl.plugin_name!r}"
                )
            types[pt.name] = pt
            owners[pt.name] = impl.plugin_name
    return PluginRegistry(types, owners, failed)
