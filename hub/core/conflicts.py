"""Unique-constraint races: re-run the request once, then answer 409 instead of 500.

On SQLite the hub's writers are serial, so a check-then-insert (a client's BSN hash, a
partner's message id) cannot race. On PostgreSQL several processes write at once: two
requests may both find nothing and both insert, and the second commit fails with a unique
violation. Each API handler is one transaction that rolled back as a whole, so running it
again is safe, and the second run sees the first one's row and answers as the handler
normally does for a repeat (409 `client_exists`, a partner message counted as duplicate).
"""

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from wijkhub.hub.core.errors import ApiError

log = logging.getLogger(__name__)

T = TypeVar("T")
ATTEMPTS = 3


def conflict() -> ApiError:
    return ApiError(
        409, "conflict", "Gelijktijdige wijziging van hetzelfde gegeven; probeer het opnieuw."
    )


async def retry_on_conflict(fn: Callable[..., Awaitable[T]], *args: Any) -> T:
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await fn(*args)
        except IntegrityError as exc:
            # The constraint name is enough to diagnose; the statement's values may be personal.
            log.info("unique-constraint race (try %d): %s", attempt, type(exc.orig).__name__)
            if attempt == ATTEMPTS:
                raise conflict() from None
    raise AssertionError("unreachable")
