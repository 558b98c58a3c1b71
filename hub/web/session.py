"""Server-side sessions of the web UI and one-time sign-in links.

The browser holds a random session id in an HttpOnly cookie; the database holds only its
SHA-256 (like API tokens), so a copy of the database opens no session. A signed-in person is a
`Principal` like an API caller: the same role checks, team scope and author check apply.
Its `token_id` is a stable id per person (not per session), so signing in again does not make
the author of an item someone else who may approve it.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update

from wijkhub.hub.core.auth import TEAM, TEAM_ROLES, Principal, person_id_for
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.processing_log import STATUS_OK, LogEntry, append, new_trace_id
from wijkhub.hub.store.tables import LINK, SESSION
from wijkhub.hub.web import config

# Roles that see one team's clients only: signing in without a team is refused.
TEAM_BOUND = (*TEAM_ROLES, "team_leader")


class SigninError(Exception):
    """Signing in failed; the message is Dutch and safe to show."""


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class WebSession:
    id: str  # the cookie value (never stored)
    user_id: str
    role: str
    team: str | None
    label: str
    via: str
    expires_at: datetime

    @property
    def principal(self) -> Principal:
        return Principal(self.user_id, self.role, None, self.label, self.team, self.user_id)


def _check_role(role: str, team: str | None) -> None:
    if role not in config.HUB_ROLES:
        raise SigninError("Uw account heeft geen rol in Wijkhub.")
    if role in TEAM_BOUND and not (team and TEAM.match(team)):
        raise SigninError("Uw account hoort bij geen (geldig) team; vraag uw beheerder.")
    if role not in TEAM_BOUND and team is not None:
        team = None


async def start(
    ctx: HubContext, *, user_id: str, role: str, team: str | None, label: str, via: str
) -> WebSession:
    """A new session (a new id at every sign-in: no session fixation)."""
    _check_role(role, team)
    if role not in TEAM_BOUND:
        team = None
    now = ctx.clock.now()
    sid = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=config.load(ctx.settings.config_path).session_hours)
    id_hash = sha256(sid)
    async with ctx.db.write() as conn:
        # Ended and expired sessions are of no use: clean up on the way.
        await conn.execute(delete(SESSION).where(SESSION.c.expires_at < now))
        await conn.execute(
            insert(SESSION).values(
                id_hash=id_hash,
                user_id=user_id,
                role=role,
                team=team,
                label=ctx.seal(label, f"web_session.label:{id_hash}"),
                via=via,
                created_at=now,
                expires_at=expires,
            )
        )
        await append(
            conn,
            [
                LogEntry(
                    name="web.signin",
                    actor=f"{role}/{user_id[:8]}",
                    outcome=via,
                    trace_id=new_trace_id(),
                    status_code=STATUS_OK,
                )
            ],
            now,
        )
    return WebSession(sid, user_id, role, team, label, via, expires)


async def load(ctx: HubContext, sid: str) -> WebSession | None:
    if not sid or len(sid) > 100:
        return None
    id_hash = sha256(sid)
    async with ctx.db.read() as conn:
        row = (
            await conn.execute(
                select(SESSION).where(
                    SESSION.c.id_hash == id_hash,
                    SESSION.c.ended_at.is_(None),
                    SESSION.c.expires_at > ctx.clock.now(),
                )
            )
        ).first()
    if row is None:
        return None
    label = ctx.unseal(row.label, f"web_session.label:{id_hash}")
    return WebSession(sid, row.user_id, row.role, row.team, label, row.via, row.expires_at)


async def end(ctx: HubContext, sid: str) -> None:
    async with ctx.db.write() as conn:
        await conn.execute(
            update(SESSION)
            .where(SESSION.c.id_hash == sha256(sid), SESSION.c.ended_at.is_(None))
            .values(ended_at=ctx.clock.now())
        )


# --- one-time sign-in links (demo and tests) ---------------------------------------------------

LINK_PATH = "/aanmelden/link/"


async def create_signin_link(
    ctx: HubContext,
    role: str,
    team: str | None,
    label: str,
    base_url: str = "",
    *,
    ttl: timedelta | None = None,
) -> str:
    """A URL that signs one browser in as `label` with `role` (and `team`), once, within
    `ttl` (default: web.toml `signin_link_minutes`). The same label is the same person."""
    _check_role(role, team)
    now = ctx.clock.now()
    ttl = ttl or timedelta(minutes=config.load(ctx.settings.config_path).signin_link_minutes)
    token = secrets.token_urlsafe(32)
    token_hash = sha256(token)
    async with ctx.db.write() as conn:
        # Used or expired links are of no use; their (sealed) names go with them.
        await conn.execute(
            delete(LINK).where((LINK.c.expires_at < now) | LINK.c.used_at.is_not(None))
        )
        await conn.execute(
            insert(LINK).values(
                token_hash=token_hash,
                user_id=person_id_for(label),  # the same label is the same person
                role=role,
                team=team if role in TEAM_BOUND else None,
                label=ctx.seal(label, f"web_signin_link.label:{token_hash}"),
                created_at=now,
                expires_at=now + ttl,
            )
        )
    return f"{base_url}{LINK_PATH}{token}"


async def use_signin_link(ctx: HubContext, token: str) -> WebSession:
    """Exchange a sign-in link for a session: single use, refused once expired."""
    now = ctx.clock.now()
    token_hash = sha256(token)
    async with ctx.db.write() as conn:
        claimed = await conn.execute(
            update(LINK)
            .where(
                LINK.c.token_hash == token_hash, LINK.c.used_at.is_(None), LINK.c.expires_at > now
            )
            .values(used_at=now)
        )
        row = (
            (await conn.execute(select(LINK).where(LINK.c.token_hash == token_hash))).first()
            if claimed.rowcount == 1
            else None
        )
    if row is None:
        raise SigninError("Deze aanmeldlink is ongeldig, al gebruikt of verlopen.")
    label = ctx.unseal(row.label, f"web_signin_link.label:{token_hash}")
    return await start(
        ctx, user_id=row.user_id, role=row.role, team=row.team, label=label, via="link"
    )
