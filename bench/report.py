"""The bench's figures: every measurement repeated, reported as its median with the spread
(min–max) over the repeats, in a Dutch table (labels from the catalogue) and as JSON."""

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.table import Table

from wijkhub.hub.i18n import gettext

# The table's own words (msgids; Dutch in the catalogue).
COLUMNS = ("measurement", "median", "spread (min–max)", "repeats", "goal", "met")
YES, NO = "goal met", "goal missed"


def number(value: float) -> str:
    """Dutch notation: a decimal comma, a dot between thousands; fewer decimals for big
    figures."""
    if value != value:  # NaN
        return "—"
    big = abs(value) >= 100 or (abs(value) >= 1 and float(value).is_integer())
    digits = 0 if big else 1 if abs(value) >= 10 else 2 if abs(value) >= 1 else 3
    text = f"{value:,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


@dataclass
class Figure:
    label: str  # already in Dutch
    unit: str
    goal: str = ""
    ok: Callable[[float], bool] | None = None
    values: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        v = self.values
        return {
            "median": statistics.median(v),
            "min": min(v),
            "max": max(v),
            "values": [round(x, 4) for x in v],
            "unit": self.unit,
            "label": self.label,
            "goal": self.goal,
            "met": None if self.ok is None else bool(self.ok(statistics.median(v))),
        }


class Results:
    """Figures in the order they were first measured."""

    def __init__(self) -> None:
        self.figures: dict[str, Figure] = {}

    def add(
        self,
        key: str,
        value: float,
        label: str,
        unit: str = "",
        goal: str = "",
        ok: Callable[[float], bool] | None = None,
    ) -> None:
        fig = self.figures.setdefault(key, Figure(label, unit, goal, ok))
        fig.values.append(float(value))

    def values(self, key: str) -> list[float]:
        return self.figures[key].values

    def median(self, key: str) -> float:
        return statistics.median(self.figures[key].values)

    def as_json(self) -> dict[str, dict[str, Any]]:
        return {k: f.summary() for k, f in self.figures.items()}


def spread(values: list[float]) -> float:
    """(max − min) / min: how far apart figures are that should be equal."""
    return (max(values) - min(values)) / min(values) if min(values) > 0 else float("inf")


def table(result: dict[str, Any]) -> Table:
    m = result["machine"]
    load = result["load_average"]
    t = Table(
        title=gettext("Wijkhub bench ({mode}), {cores} cores, {memory} GiB, {date}").format(
            mode=result["mode"],
            cores=m["cores"],
            memory=number(m["memory_gib"]),
            date=result["date"],
        ),
        caption=gettext("Load average during the run: {low} to {high}").format(
            low=number(load["min"]), high=number(load["max"])
        ),
    )
    for col in COLUMNS:
        t.add_column(gettext(col))
    for fig in result["figures"].values():
        lo, hi = number(fig["min"]), number(fig["max"])
        verdict = (
            ""
            if fig["met"] is None
            else f"[green]{gettext(YES)}[/green]"
            if fig["met"]
            else f"[red]{gettext(NO)}[/red]"
        )
        t.add_row(
            fig["label"],
            f"{number(fig['median'])} {fig['unit']}".strip(),
            f"{lo}–{hi}" if len(fig["values"]) > 1 else "",
            str(len(fig["values"])),
            fig["goal"],
            verdict,
        )
    return t
