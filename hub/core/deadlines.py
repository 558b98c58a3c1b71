"""Response deadlines in working days (weekends and Dutch public holidays skipped)."""

from datetime import date, timedelta
from functools import cache

import holidays

from wijkhub.hub.plugin_api.types import DeadlineRule


@cache
def _dutch_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("NL", years=year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _dutch_holidays(day.year)


def due_date(start: date, rule: DeadlineRule) -> date:
    """The last day on which the answer is in time, counting from the day after `start`."""
    if not rule.working_days:
        return start + timedelta(days=rule.days)
    day, left = start, rule.days
    while left:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day
