"""A partner's times are believed only within a sane window.

A status update says when the partner did something (`occurred_at`). Taken as given, a late
partner could back-date an answer to before the escalation fired (or to the year 1) and show
a milestone as met. So the hub refuses a time before the day it delivered the item, or later
than its own clock (the injected one) plus the skew allowed between two clocks. The lower bound
is the Dutch calendar day of the delivery, not its minute: formats such as iWmo date a message
by its day only (a dagtekening), which reads as midnight of that day.
"""

from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.core.clock import AMSTERDAM
from wijkhub.hub.core.errors import ApiError, FieldError
from wijkhub.hub.store.tables import DELIVERY
from wijkhub.schemas.status import StatusUpdate

# How far the partner's clock may be off the hub's, either way.
CLOCK_SKEW = timedelta(minutes=5)
BEFORE_DELIVERY = (
    "tijdstip ligt vóór de levering van het verzoek door de hub; een partner kan niet eerder "
    "op een verzoek reageren dan het ontving"
)
IN_THE_FUTURE = "tijdstip ligt in de toekomst; controleer de klok van uw systeem"
OUT_OF_WINDOW = "Tijdstip van de statusmelding valt buiten het toegestane venster."


def start_of_day(moment: datetime) -> datetime:
    """Midnight in Amsterdam of the day `moment` falls on (stored times are UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    day = aware.astimezone(AMSTERDAM).date()
    return datetime.combine(day, time(0), tzinfo=AMSTERDAM)


async def check_window(
    conn: AsyncConnection, updates: list[StatusUpdate], items: dict[str, Any], now: datetime
) -> None:
    """Refuse (422, Dutch, naming `occurred_at`) the whole message if any time is outside."""
    ids = list(items)
    delivered = dict(
        (
            await conn.execute(
                select(
                    DELIVERY.c.item_id,
                    func.min(func.coalesce(DELIVERY.c.delivered_at, DELIVERY.c.created_at)),
                )
                .where(DELIVERY.c.item_id.in_(ids), DELIVERY.c.kind == "advice")
                .group_by(DELIVERY.c.item_id)
            )
        ).all()
    )
    for u in updates:
        since = delivered.get(u.item_ref.hex) if u.item_ref else None
        if since is not None and u.occurred_at < start_of_day(since) - CLOCK_SKEW:
            problem = BEFORE_DELIVERY
        elif u.occurred_at > now + CLOCK_SKEW:
            problem = IN_THE_FUTURE
        else:
            continue
        raise ApiError(
            422, "occurred_at_out_of_range", OUT_OF_WINDOW, [FieldError("occurred_at", problem)]
        )
