"""Dates read as Dutch people write them, whatever the month or year."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from wijkhub.hub.i18n import dates

MONTHS = "januari februari maart april mei juni juli augustus september oktober november december"


def test_a_day_and_a_month_in_words() -> None:
    assert dates.day(date(2026, 12, 3)) == "3 december 2026"
    assert dates.day(date(2027, 3, 1)) == "1 maart 2027"
    assert dates.month(2026, 11) == "november 2026"


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)))
def test_every_day_names_its_month_in_dutch(value: date) -> None:
    assert dates.day(value) == f"{value.day} {MONTHS.split()[value.month - 1]} {value.year}"
