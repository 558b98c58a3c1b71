"""Reads of personal data, as processing-log entries (NEN 7513: who, which client, what, when).

Every function that shows personal data takes a `Reader` and writes one `dpl.core.access.read`
entry per data subject in the same write transaction as the read, so nothing is shown without
its entry: if the entry cannot be written, the read fails with it (as FSC logging asks).
A caller's W3C `traceparent` is kept, once validated, as the entry's `foreign_operation`.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.processing_log import LogEntry, append, new_trace_id

READ = "dpl.core.access.read"
OUTCOME = "read"

# What was read: the entry's `detail`, one word per kind of resource (labels in the report).
CLIENT = "client"
CONSENTS = "consents"
ADVICE = "advice"
CONSULTATION = "consultation"
HOUSEHOLD = "household"
PLAN = "plan"
PREVIEW = "preview"
ACCESS_REPORT = "access_report"
FHIR_CONSENTS = "fhir_consents"
LOG = "processing_log"
CONSENT_REGISTER = "consent_register"
APPROVALS = "approvals"

# W3C Trace Context, version 00: version-trace_id-parent_id-flags, all lowercase hex.
_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


def foreign_operation(traceparent: str | None) -> str | None:
    """The caller's `traceparent` if it is valid W3C Trace Context, else None: an invalid
    header is ignored (as the recommendation says), so nothing else reaches the log."""
    if not traceparent:
        return None
    m = _TRACEPARENT.match(traceparent.strip())
    if m is None:
        return None
    version, trace_id, parent_id, _ = m.groups()
    if version == "ff" or set(trace_id) == {"0"} or set(parent_id) == {"0"}:
        return None
    return m.group(0)


@dataclass(frozen=True)
class Reader:
    """Who reads: the actor pseudonym (as in every other entry) and the caller's operation.
    One request is one trace: each subject read within it is a span of that trace."""

    actor: str
    foreign_operation: str | None = None
    trace_id: str = field(default_factory=new_trace_id)


def entries(
    reader: Reader, resource: str, subjects: Iterable[str], categories: Sequence[str] = ()
) -> list[LogEntry]:
    """One entry per distinct data subject (the standard: a record concerns one subject)."""
    return [
        LogEntry(
            name=READ,
            actor=reader.actor,
            outcome=OUTCOME,
            trace_id=reader.trace_id,
            data_subject_id=s,
            categories=categories,
            detail=resource,
            foreign_operation=reader.foreign_operation,
        )
        for s in dict.fromkeys(subjects)
    ]


async def record(
    conn: AsyncConnection,
    reader: Reader,
    resource: str,
    subjects: Iterable[str],
    now: datetime,
    categories: Sequence[str] = (),
) -> None:
    """Within the caller's write transaction, the one that read the data."""
    await append(conn, entries(reader, resource, subjects, categories), now)


async def record_now(
    ctx: HubContext,
    reader: Reader,
    resource: str,
    subjects: Iterable[str],
    categories: Sequence[str] = (),
) -> None:
    """For reads that are not one transaction (a preview runs the whole path): written right
    after the read, before the answer is built, so the answer waits on its entries."""
    subjects = list(subjects)
    if not subjects:
        return
    async with ctx.db.write() as conn:
        await record(conn, reader, resource, subjects, ctx.clock.now(), categories)
