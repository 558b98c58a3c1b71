"""A plain description of the installed partner types (for `wijkhub plugins` and the API)."""

from typing import Any

from wijkhub.hub.plugin_api.manager import PluginRegistry


def describe(registry: PluginRegistry) -> list[dict[str, Any]]:
    out = []
    for name, pt in sorted(registry.partner_types.items()):
        out.append(
            {
                "partner_type": name,
                "title": pt.title_nl,
                "plugin": registry.owners[name],
                "request_format": f"{pt.request_format.name} {pt.request_format.version}",
                "status_format": f"{pt.status_format.name} {pt.status_format.version}",
                "advice_types": [
                    {
                        "name": a.name,
                        "title": a.title_nl,
                        "required_categories": sorted(a.required_categories),
                        "optional_categories": sorted(a.optional_categories),
                        "motivation_category": a.motivation_category.value,
                        "deadline": _deadline(a.deadline.days, a.deadline.working_days),
                        "urgent_deadline": _deadline(
                            a.urgent_deadline.days, a.urgent_deadline.working_days
                        )
                        if a.urgent_deadline
                        else None,
                    }
                    for a in pt.advice_types
                ],
            }
        )
    return out


def _deadline(days: int, working: bool) -> str:
    return f"{days} {'werkdagen' if working else 'kalenderdagen'}"
