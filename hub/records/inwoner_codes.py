"""One-time sign-in codes for the inwoner: a coach makes one for a client and hands it over
(printed letter or text message); the inwoner signs in with it once, within a short time.

Only a keyed hash (HMAC with the hub's look-up key) of a code is stored, so a copy of the
database signs nobody in. A code is 12 characters from an alphabet without look-alikes
(about 60 bits): guessing one is hopeless, and refused attempts are rate limited per source
anyway. A new code for a client replaces that client's unused one. Settings: `inwoner.toml`
in the configuration directory (read again when it changes).
"""

import secrets
import tomllib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete, func, insert, select, update

from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.errors import ApiError, not_found
from wijkhub.hub.core.processing_log import STATUS_ERROR, STATUS_OK, LogEntry, append, new_trace_id
from wijkhub.hub.i18n import gettext
from wijkhub.hub.records import clients
from wijkhub.hub.records.inwoner_access import viewable
from wijkhub.hub.store.tables import INWONER_ATTEMPT, INWONER_CODE

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
LENGTH = 12
CONFIG_FILE = "inwoner.toml"

REFUSED_NL = gettext(
    "This code is not correct, has already been used or has expired. Ask your neighbourhood "
    "coach for a new one."
)
TOO_MANY_NL = gettext(
    "You entered a wrong code too often. Wait {minutes} minutes and then try again."
)
NO_PAGE_NL = gettext(
    "This client is younger than 16 and has no page of their own. Give the code to a parent "
    "with authority: they see the child's page."
)


class InwonerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # How long a code can be used after the coach made it.
    code_minutes: float = Field(60.0, gt=0, le=7 * 24 * 60)
    # How long an inwoner stays signed in.
    session_minutes: float = Field(30.0, gt=0, le=24 * 60)
    # Refused attempts per source within the window before sign-in is paused for it.
    max_attempts: int = Field(5, ge=1, le=100)
    attempt_window_minutes: float = Field(15.0, gt=0, le=24 * 60)
    # The address inwoners reach the hub at, printed in the letter (default: the address the
    # coach's request came in on).
    public_url: str | None = None


_cache: dict[Path, tuple[float, InwonerSettings]] = {}


def settings(ctx: HubContext) -> InwonerSettings:
    path = ctx.settings.config_path / CONFIG_FILE
    mtime = path.stat().st_mtime if path.exists() else -1.0
    hit = _cache.get(path)
    if hit is None or hit[0] != mtime:
        data = tomllib.loads(path.read_text()) if mtime >= 0 else {}
        hit = (mtime, InwonerSettings.model_validate(data))
        _cache[path] = hit
    return hit[1]


class CodeRefused(Exception):
    """The code did not sign anyone in; the message is Dutch and safe to show."""

    status = 403


class TooManyAttempts(CodeRefused):
    status = 429


@dataclass(frozen=True)
class IssuedCode:
    code: str  # as printed: ABCD-EFGH-JKLM
    client_id: str
    expires_at: datetime


def normalise(text: str) -> str:
    """What the inwoner typed, as stored: capitals, without spaces and dashes."""
    return "".join(c for c in text.upper() if c.isalnum())[:64]


def printed(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def code_hash(ctx: HubContext, code: str) -> str:
    return ctx.keyring.lookup_hash("inwoner-code|" + normalise(code))


async def issue(
    ctx: HubContext, client_id: str, actor: str, *, team: str | None = None
) -> IssuedCode:
    """A new code for `client_id` (within the coach's team); the client's unused code, if any,
    stops working."""
    now = ctx.clock.now()
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    expires = now + timedelta(minutes=settings(ctx).code_minutes)
    async with ctx.db.write() as conn:
        if not await clients.in_scope(conn, client_id, team):
            raise not_found("Cliënt")
        if not await viewable(ctx, conn, client_id):
            raise ApiError(409, "no_inwoner_page", NO_PAGE_NL)
        # Used and expired codes are of no use; an unused one of this client is replaced.
        await conn.execute(
            delete(INWONER_CODE).where(
                (INWONER_CODE.c.expires_at < now)
                | INWONER_CODE.c.used_at.is_not(None)
                | (INWONER_CODE.c.client_id == client_id)
            )
        )
        await conn.execute(
            insert(INWONER_CODE).values(
                id=uuid.uuid4().hex,
                code_hash=code_hash(ctx, code),
                client_id=client_id,
                created_by=actor,
                created_at=now,
                expires_at=expires,
            )
        )
        await append(
            conn,
            [
                LogEntry(
                    name="inwoner.code_issue",
                    actor=actor,
                    outcome="issued",
                    trace_id=new_trace_id(),
                    data_subject_id=client_id,
                    detail=f"geldig tot {expires.isoformat()}",
                )
            ],
            now,
        )
    return IssuedCode(printed(code), client_id, expires)


async def redeem(ctx: HubContext, typed: str, source: str) -> str:
    """The client id the code belongs to, once. `source` identifies where the attempt came
    from (the address); too many refused attempts from one source within the window pause
    sign-in for it. Refusals are logged (`access.refused`) without the code."""
    conf = settings(ctx)
    now = ctx.clock.now()
    source_hash = ctx.keyring.lookup_hash("inwoner-source|" + source)
    window_start = now - timedelta(minutes=conf.attempt_window_minutes)
    code = normalise(typed)
    outcome: str
    client_id: str | None = None
    async with ctx.db.write() as conn:
        await conn.execute(delete(INWONER_ATTEMPT).where(INWONER_ATTEMPT.c.at < window_start))
        failures = await conn.scalar(
            select(func.count())
            .select_from(INWONER_ATTEMPT)
            .where(INWONER_ATTEMPT.c.source_hash == source_hash)
        )
        if (failures or 0) >= conf.max_attempts:
            outcome = "inwoner_code_rate_limited"
        else:
            row = None
            if len(code) == LENGTH:
                h = code_hash(ctx, code)
                claimed = await conn.execute(
                    update(INWONER_CODE)
                    .where(
                        INWONER_CODE.c.code_hash == h,
                        INWONER_CODE.c.used_at.is_(None),
                        INWONER_CODE.c.expires_at > now,
                    )
                    .values(used_at=now)
                )
                if claimed.rowcount == 1:
                    row = (
                        await conn.execute(
                            select(INWONER_CODE.c.client_id).where(INWONER_CODE.c.code_hash == h)
                        )
                    ).first()
            # Still someone with a page? (A child may have left the household since.)
            if row is not None and await viewable(ctx, conn, row.client_id):
                client_id = row.client_id
                outcome = "signed_in"
            else:
                outcome = "inwoner_code_refused"
                await conn.execute(insert(INWONER_ATTEMPT).values(source_hash=source_hash, at=now))
        await append(
            conn,
            [
                LogEntry(
                    name="inwoner.code_use" if client_id else "access.refused",
                    actor=f"inwoner/{source_hash[:8]}",
                    outcome=outcome,
                    trace_id=new_trace_id(),
                    data_subject_id=client_id,
                    status_code=STATUS_OK if client_id else STATUS_ERROR,
                    detail="aanmelden met eenmalige code",
                )
            ],
            now,
        )
    if outcome == "inwoner_code_rate_limited":
        minutes = round(conf.attempt_window_minutes)
        raise TooManyAttempts(TOO_MANY_NL.format(minutes=minutes))
    if client_id is None:
        raise CodeRefused(REFUSED_NL)
    return client_id
