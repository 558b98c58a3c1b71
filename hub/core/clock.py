"""Time as a dependency: the hub never calls `datetime.now` directly, so tests control time."""

from datetime import UTC, datetime, timedelta
from typing import Protocol

from wijkhub.schemas.common import AMSTERDAM, local_date

__all__ = ["AMSTERDAM", "Clock", "FakeClock", "SystemClock", "local_date"]


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, **kwargs: float) -> None:
        self._now += timedelta(**kwargs)
