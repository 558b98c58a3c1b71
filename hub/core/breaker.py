"""A circuit breaker per partner, so one dead partner does not slow the others.

Closed: sends go out. After `threshold` consecutive failed sends (5xx, timeout, connection
error: the kinds worth retrying) the breaker opens for `cooldown` seconds: the worker stops
claiming that partner's rows, and rows it already holds are put back without counting an
attempt. After the cool-down it is half-open: one probe goes out; success closes it, failure
opens it for another cool-down. A 4xx answer means the partner is up and counts as success
here (the row itself is wrong, which the retry/dead-letter logic handles).

State is per process and in memory: each worker finds out about a dead partner by itself
within `threshold` sends, which costs less than sharing the state through the database.
Time comes from the injected clock, so tests move a FakeClock instead of waiting.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from wijkhub.hub.core.clock import Clock

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


@dataclass
class _State:
    failures: int = 0
    open_until: datetime | None = None
    probing: bool = False
    opened: int = 0  # how often it opened (for metrics and tests)


class Breakers:
    def __init__(self, clock: Clock, threshold: int, cooldown: float) -> None:
        self.clock = clock
        self.threshold = threshold
        self.cooldown = timedelta(seconds=cooldown)
        self._s: dict[str, _State] = {}

    def _get(self, partner: str) -> _State:
        return self._s.setdefault(partner, _State())

    def state(self, partner: str) -> str:
        s = self._s.get(partner)
        if s is None or s.open_until is None:
            return CLOSED
        return OPEN if self.clock.now() < s.open_until else HALF_OPEN

    def opened(self, partner: str) -> int:
        s = self._s.get(partner)
        return s.opened if s else 0

    def blocked(self) -> set[str]:
        """Partners whose rows must not be claimed now (open, or half-open with a probe out)."""
        return {
            p
            for p, s in self._s.items()
            if (st := self.state(p)) == OPEN or (st == HALF_OPEN and s.probing)
        }

    def retry_at(self, partner: str) -> datetime:
        """When a row put back because of this breaker should be due again."""
        s = self._get(partner)
        now = self.clock.now()
        return s.open_until if s.open_until and s.open_until > now else now + self.cooldown

    def acquire(self, partner: str) -> bool:
        """May a send to this partner go out now? In half-open state only one at a time."""
        st = self.state(partner)
        if st == CLOSED:
            return True
        if st == OPEN:
            return False
        s = self._get(partner)
        if s.probing:
            return False
        s.probing = True
        return True

    def release(self, partner: str) -> None:
        """The send that acquired the probe ended without an outcome (e.g. policy refusal)."""
        s = self._s.get(partner)
        if s is not None:
            s.probing = False

    def suspect(self, partner: str) -> None:
        """Treat a partner as just past an open breaker: its next send is a probe, and its
        success counts as recovery (a process that starts with dead letters of a partner)."""
        s = self._get(partner)
        if s.open_until is None:
            s.failures = max(s.failures, self.threshold)
            s.open_until = self.clock.now()

    def waiting_for_probe(self) -> set[str]:
        """Partners past their cool-down with no probe out: the next send to them is one."""
        return {p for p, s in self._s.items() if self.state(p) == HALF_OPEN and not s.probing}

    def record(self, partner: str, ok: bool) -> bool:
        """Count one send's outcome; True when this success closes a breaker that was open
        (the partner is back: its dead letters may go again)."""
        s = self._get(partner)
        s.probing = False
        if ok:
            recovered = s.open_until is not None
            s.failures, s.open_until = 0, None
            return recovered
        s.failures += 1
        if s.failures >= self.threshold:
            if s.open_until is None or self.clock.now() >= s.open_until:
                s.opened += 1
            s.open_until = self.clock.now() + self.cooldown
        return False
