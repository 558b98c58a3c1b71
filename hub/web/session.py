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

from wijkhub.hub.core import people, read_log
from wijkhub.hub.core.auth import TEAM, TEAM_ROLES, Principal, person_id_for
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.processing_log import STATUS_OK, LogEntry, append, new_trace_id
from wijkhub.hub.core.roles import INWONER_ROLE
from wijkhub.hub.records import clients, inwoner_codes
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
    client_id: str | None = None  # an inwoner's session: the client it signed in as

    @property
    def principal(self) -> Principal:
        return Principal(self.user_id, self.role, None, self.label, self.team, self.user_id)


def _check_role(role: str, team: str | None, client_id: str | None = None) -> None:
    if role == INWONER_ROLE:
        # Only a redeemed inwoner code makes such a session, always bound to its client.
        if not client_id or team is not None:
            raise SigninError("Aanmelden als inwoner kan alleen met een eenmalige code.")
        return
    if client_id is not None:
        raise SigninError("Uw account hoort bij geen inwoner.")
    if role not in config.HUB_ROLES:
        raise SigninError("Uw account heeft geen rol in Wijkhub.")
    if role in TEAM_BOUND and not (team and TEAM.match(team)):
        raise SigninError("Uw account hoort bij geen (geldig) team; vraag uw beheerder.")
    if role not in TEAM_BOUND and team is not None:
        team = None


async def start(
    ctx: HubContext,
    *,
    user_id: str,
    role: str,
    team: str | None,
    label: str,
    via: str,
    client_id: str | None = None,
) -> WebSession:
    """A new session (a new id at every sign-in: no session fixation)."""
    _check_role(role, team, client_id)
    if role not in TEAM_BOUND:
        team = None
    now = ctx.clock.now()
    sid = secrets.token_urlsafe(32)
    if role == INWONER_ROLE:
        ttl = timedelta(minutes=inwoner_codes.settings(ctx).session_minutes)
    else:
        ttl = timedelta(hours=config.load(ctx.settings.config_path).session_hours)
    expires = now + ttl
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
                client_id=client_id,
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
                    data_subject_id=client_id,
                )
            ],
            now,
        )
        if role != INWONER_ROLE:  # an inwoner is a client, not one of the hub's people
            await people.remember(ctx, conn, user_id, label, role, team, now)
    return WebSession(sid, user_id, role, team, label, via, expires, client_id)


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
    return WebSession(
        sid, row.user_id, row.role, row.team, label, row.via, row.expires_at, row.client_id
    )


async def end(ctx: HubContext, sid: str) -> None:
    async with ctx.db.write() as conn:
        await conn.execute(
            update(SESSION)
            .where(SESSION.c.id_hash == sha256(sid), SESSION.c.ended_at.is_(None))
            .values(ended_at=ctx.clock.now())
        )


# --- one-time sign-in links (demo and tests) ---------------------------------------------------

LINK_PATH = "/aanmelden/link/"
LINK_ISSUED = "web.signin_link.issue"
ROLE_LABELS = {
    "coach": "wijkcoach",
    "team_manager": "teammanager",
    "cluster_manager": "clustermanager",
    "team_leader": "teamleider",
    "privacy_officer": "privacyfunctionaris",
    "admin": "beheerder",
}


async def create_signin_link(
    ctx: HubContext,
    role: str,
    team: str | None,
    label: str,
    base_url: str = "",
    *,
    ttl: timedelta | None = None,
    issued_by: str = "system/web",
) -> str:
    """A URL that signs one browser in as `label` with `role` (and `team`), once, within
    `ttl` (default: web.toml `signin_link_minutes`). The same label is the same person.
    Making a link is logged (who made it, for which role), so a link that opened a session
    can be traced to whoever handed it out."""
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
        await append(
            conn,
            [
                LogEntry(
                    name=LINK_ISSUED,
                    actor=issued_by,
                    outcome=role,
                    detail=f"{ROLE_LABELS.get(role, role)} ({team or 'geen team'}), "
                    f"geldig tot {(now + ttl).isoformat(timespec='minutes')}",
                    trace_id=new_trace_id(),
                    status_code=STATUS_OK,
                )
            ],
            now,
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


# --- the inwoner: a one-time code a coach handed over -------------------------------------------


async def use_inwoner_code(ctx: HubContext, code: str, source: str) -> WebSession:
    """Exchange an inwoner code for a session bound to its client (single use; refused once
    expired; rate limited per `source`). Raises `inwoner_codes.CodeRefused`."""
    client_id = await inwoner_codes.redeem(ctx, code, source)
    # The inwoner's own name for the session label: a read by the inwoner, logged as such.
    user_id = person_id_for(f"inwoner:{client_id}")
    client = await clients.get(ctx, client_id, read_log.Reader(f"{INWONER_ROLE}/{user_id[:8]}"))
    return await start(
        ctx,
        user_id=user_id,
        role=INWONER_ROLE,
        team=None,
        label=f"{client.given_names} {client.family_name}",
        via="inwoner_code",
        client_id=client_id,
    )
