"""Dates as people write them in Dutch ("3 december 2026", "november 2026"), from Babel's
locale data, so no page keeps its own list of month names."""

from datetime import date

from babel.dates import format_date

LOCALE = "nl_NL"


def day(value: date) -> str:
    """3 december 2026."""
    return format_date(value, "d MMMM y", locale=LOCALE)


def month(year: int, number: int) -> str:
    """november 2026."""
    return format_date(date(year, number, 1), "MMMM y", locale=LOCALE)
