"""Loaded by every Python process of a `.ci/moved-date` run (PYTHONPATH): the calendar moves by
WIJKHUB_CLOCK_OFFSET seconds, the same constant in the test process and in every hub, bench or
simulator process it starts, and keeps running. The monotonic clock and sleeps stay real."""

import os

offset = os.environ.get("WIJKHUB_CLOCK_OFFSET")
if offset:
    from datetime import UTC, datetime, timedelta

    import time_machine

    moved = datetime.now(UTC) + timedelta(seconds=float(offset))
    time_machine.travel(moved, tick=True).start()
