"""A creating request sent twice changes the data once: idempotency keys.

A coach whose request timed out sends it again; a browser posts a form twice. The caller
names the request with a key (the `Idempotency-Key` header, a web form's submit token).
`once` runs the change with the key inserted in the very same write transaction
(`db.FIRST_WRITE`), so either both commit or neither. The unique (caller, key) lets only one
of two concurrent duplicates commit; the other one's transaction fails as a whole and is
re-run (`conflicts.retry_on_conflict`), finding the first one's row. The answer is stored
right after the change; a repeat gets it back (`Answer.replayed`), a repeat that arrives
before it is stored waits a moment, then gets a 409. The same key with another request is
refused (422): the key was meant for something else, and guessing which is unsafe. Keys are
remembered for `idempotency_hours` (a periodic job forgets older ones and their answers).
"""

import asyncio
import hashlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.db import FIRST_WRITE
from wijkhub.hub.core.errors import ApiError, FieldError
from wijkhub.hub.i18n import gettext
from wijkhub.hub.store.tables import IDEMPOTENCY

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
MAX_KEY = 255
# A repeat that arrives while the first request is still being answered waits this long
# (in steps) for the first answer before it is told to try again.
WAIT_STEPS = 20
WAIT_STEP = 0.05
# A key still without an answer this long after its change committed lost its answer: the
# process stopped (kill -9, power) between the change's commit and the answer's. The change
# is there, once; the answer cannot be rebuilt in general, so the caller is told to look.
ANSWER_LOST_AFTER = timedelta(seconds=30)

MSG_BAD_KEY = gettext(
    "The Idempotency-Key is invalid: use 1 to 255 visible characters, for example a UUID."
)
MSG_OTHER_REQUEST = gettext(
    "This Idempotency-Key has already been used for another request. Send the same request "
    "again with the same key, or a new request with a new key."
)
MSG_ANSWER_LOST = gettext(
    "A request with this Idempotency-Key was already carried out earlier, but the answer "
    "was lost because the hub was interrupted. It has not been carried out again; look up "
    "the result in Wijkhub (for example at the client)."
)
MSG_IN_FLIGHT = gettext(
    "A request with this Idempotency-Key is still being processed. Try again in a few "
    "seconds with the same key; it will not be carried out twice."
)


@dataclass(frozen=True)
class Answer:
    """What the first request answered: status, body and its content type (or, for a web
    form, the location of the redirect)."""

    status: int
    body: bytes
    content_type: str
    replayed: bool = False


def valid_key(value: str) -> str:
    """The key as given, or a 400 that names the header."""
    if not 0 < len(value) <= MAX_KEY or not all(33 <= ord(c) <= 126 for c in value):
        raise ApiError(
            400, "invalid_idempotency_key", MSG_BAD_KEY, [FieldError(HEADER, MSG_BAD_KEY)]
        )
    return value


def fingerprint(method: str, path: str, caller: str, body: bytes) -> str:
    """SHA-256 of what makes a request the same request."""
    h = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), caller.encode(), body):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


@dataclass
class _Claim:
    id: str
    caller: str
    key: str
    request_hash: str
    inserted: bool = False

    async def insert(self, ctx: HubContext, conn: AsyncConnection) -> None:
        if self.inserted:  # only the first write transaction carries the key
            return
        self.inserted = True
        await conn.execute(
            IDEMPOTENCY.insert().values(
                id=self.id,
                caller=self.caller,
                key=self.key,
                request_hash=self.request_hash,
                created_at=ctx.clock.now(),
            )
        )


def _aad(row_id: str) -> str:
    return f"idempotency_key.response.{row_id}"


async def _find(ctx: HubContext, caller: str, key: str) -> Any:
    async with ctx.db.read() as conn:
        return (
            await conn.execute(
                select(IDEMPOTENCY).where(IDEMPOTENCY.c.caller == caller, IDEMPOTENCY.c.key == key)
            )
        ).first()


async def _replay(ctx: HubContext, caller: str, key: str, request_hash: str) -> Answer | None:
    """The first answer for this key, None if there is no such key yet."""
    row = await _find(ctx, caller, key)
    for _ in range(WAIT_STEPS):
        if row is None:
            return None
        if row.request_hash != request_hash:
            raise ApiError(
                422,
                "idempotency_key_reused",
                MSG_OTHER_REQUEST,
                [FieldError(HEADER, MSG_OTHER_REQUEST)],
            )
        if row.answered_at is not None:
            body = ctx.unseal_bytes(row.response, _aad(row.id)) if row.response else b""
            return Answer(row.status, body, row.content_type or "", replayed=True)
        if ctx.clock.now() - row.created_at > ANSWER_LOST_AFTER:
            raise ApiError(409, "idempotency_answer_lost", MSG_ANSWER_LOST)
        await asyncio.sleep(WAIT_STEP)
        row = await _find(ctx, caller, key)
    raise ApiError(409, "idempotency_in_flight", MSG_IN_FLIGHT)


async def _store(ctx: HubContext, claim: _Claim, answer: Answer) -> None:
    try:
        await _write_answer(ctx, claim, answer)
    except Exception:
        # The change itself is committed: answer it. A repeat finds the key without an
        # answer and is told to wait (409), which is safe; a second change is not possible.
        log.warning("could not store the answer of idempotency key %s", claim.id, exc_info=True)


async def _write_answer(ctx: HubContext, claim: _Claim, answer: Answer) -> None:
    async with ctx.db.write() as conn:
        await conn.execute(
            update(IDEMPOTENCY)
            .where(IDEMPOTENCY.c.id == claim.id, IDEMPOTENCY.c.answered_at.is_(None))
            .values(
                status=answer.status,
                response=ctx.seal_bytes(answer.body, _aad(claim.id)) if answer.body else None,
                content_type=answer.content_type,
                answered_at=ctx.clock.now(),
            )
        )


async def forget_expired(ctx: HubContext) -> int:
    """Delete keys older than `idempotency_hours` with their answers (a periodic job)."""
    cutoff = ctx.clock.now() - timedelta(hours=ctx.settings.idempotency_hours)
    async with ctx.db.write() as conn:
        res = await conn.execute(delete(IDEMPOTENCY).where(IDEMPOTENCY.c.created_at < cutoff))
        return int(res.rowcount)


async def once(
    ctx: HubContext,
    *,
    caller: str,
    key: str,
    request_hash: str,
    run: Callable[[], Awaitable[Answer]],
    error_answer: Callable[[ApiError], Answer] | None = None,
) -> Answer:
    """`run` at most once per (caller, key); a repeat gets the first answer back.

    A refusal before anything was written (bad input, no access) stores nothing: the same
    key may be sent again once the cause is fixed. A refusal after the change was written is
    stored as the answer (with `error_answer`), like a success.
    """
    first = await _replay(ctx, caller, key, request_hash)
    if first is not None:
        return first
    claim = _Claim(uuid.uuid4().hex, caller, key, request_hash)

    async def hook(conn: AsyncConnection) -> None:
        await claim.insert(ctx, conn)

    token = FIRST_WRITE.set(hook)
    try:
        answer = await run()
    except ApiError as exc:
        if claim.inserted and error_answer is not None:
            await _store(ctx, claim, error_answer(exc))
        raise
    finally:
        FIRST_WRITE.reset(token)
    if claim.inserted:
        await _store(ctx, claim, answer)
    return replace(answer, replayed=False)
