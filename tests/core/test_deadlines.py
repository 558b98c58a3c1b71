"""Working-day deadlines (weekends and Dutch public holidays skipped), and the Wgs rule."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from wijkhub.hub.core.deadlines import due_date, is_working_day
from wijkhub.hub.plugin_api.manager import load_registry
from wijkhub.hub.plugin_api.types import DeadlineRule
from wijkhub.schemas.advice import Threat


def test_three_working_days_from_the_thursday_before_easter() -> None:
    # 2026: Good Friday 3 April, Easter Monday 6 April; counted: 7, 8, 9 April.
    assert due_date(date(2026, 4, 2), DeadlineRule(3)) == date(2026, 4, 9)


def test_kings_day_and_christmas_are_skipped() -> None:
    assert due_date(date(2026, 4, 24), DeadlineRule(1)) == date(2026, 4, 28)  # Fri → Tue
    assert due_date(date(2026, 12, 24), DeadlineRule(1)) == date(2026, 12, 28)


def test_calendar_days_count_every_day() -> None:
    assert due_date(date(2026, 4, 2), DeadlineRule(28, working_days=False)) == date(2026, 4, 30)


@given(
    start=st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)),
    days=st.integers(min_value=1, max_value=30),
)
def test_a_working_day_deadline_lands_on_a_working_day(start: date, days: int) -> None:
    due = due_date(start, DeadlineRule(days))
    assert is_working_day(due)
    counted = sum(is_working_day(start + timedelta(n)) for n in range(1, (due - start).days + 1))
    assert counted == days


def test_wgs_three_working_days_when_eviction_threatens() -> None:
    stadsbank = load_registry().partner_types["stadsbank"]
    intake = stadsbank.advice_type("schuldhulpverlening_aanmelding")
    assert intake is not None
    for threat in Threat:
        assert intake.deadline_for([threat]) == DeadlineRule(3)
    assert intake.deadline_for([]) == DeadlineRule(28, working_days=False)
