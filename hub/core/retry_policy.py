"""The retry policy of the outbox as numbers: the wait after each failed try, and the total
time a delivery keeps trying before it becomes a dead letter (its budget).

One definition for the worker (`delivery.py` waits with `wait`) and for the operator
(`wijkhub deliveries policy` prints `schedule` and `budget`), so the figure printed is the
figure the worker uses. Waits grow exponentially (`backoff_initial` · 2^(n-1)), capped at
`backoff_max`, plus a random jitter of up to `backoff_jitter` seconds each. The budget counts
the waits only (not the tries themselves): it is the least time between a first try and the
last one. While a partner's breaker is open its rows are put back without counting a try,
so with a partner down the rows keep trying longer than this, never shorter.
"""

from dataclasses import dataclass
from datetime import timedelta

from tenacity import RetryCallState
from tenacity.wait import wait_exponential_jitter

from wijkhub.hub.core.settings import WorkerSettings


def wait(cfg: WorkerSettings) -> wait_exponential_jitter:
    return wait_exponential_jitter(
        multiplier=cfg.backoff_initial, max=cfg.backoff_max, jitter=cfg.backoff_jitter
    )


def _state(attempt: int) -> RetryCallState:
    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
    state.attempt_number = attempt
    return state


def backoff(strategy: wait_exponential_jitter, attempt: int) -> float:
    """Seconds to wait after failed try number `attempt` (with its jitter)."""
    return float(strategy(_state(attempt)))


@dataclass(frozen=True)
class Wait:
    after_attempt: int
    seconds: float  # without jitter
    at: float  # seconds since the first try, without jitter


def schedule(cfg: WorkerSettings) -> list[Wait]:
    """Every wait between two tries, without jitter: `max_attempts - 1` of them."""
    strategy = wait_exponential_jitter(
        multiplier=cfg.backoff_initial, max=cfg.backoff_max, jitter=0
    )
    out, at = [], 0.0
    for n in range(1, cfg.max_attempts):
        seconds = backoff(strategy, n)
        at += seconds
        out.append(Wait(n, seconds, at))
    return out


def budget(cfg: WorkerSettings) -> tuple[timedelta, timedelta]:
    """The least and the most time from the first try to the last (jitter 0 and full)."""
    waits = schedule(cfg)
    least = sum(w.seconds for w in waits)
    most = sum(min(w.seconds + cfg.backoff_jitter, cfg.backoff_max) for w in waits)
    return timedelta(seconds=least), timedelta(seconds=most)


def dutch_duration(d: timedelta) -> str:
    """E.g. '3 dagen, 1 uur en 8 minuten' (rounded down to whole seconds)."""
    total = int(d.total_seconds())
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [
        f"{n} {one if n == 1 else many}"
        for n, one, many in (
            (days, "dag", "dagen"),
            (hours, "uur", "uur"),
            (minutes, "minuut", "minuten"),
            (seconds, "seconde", "seconden"),
        )
        if n
    ]
    if not parts:
        return "0 seconden"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]
