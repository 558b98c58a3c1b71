"""Bearer tokens bound to a role. Only a SHA-256 of each token is stored: tokens are 256-bit
random strings, so a fast hash is enough and a look-up costs one indexed query."""

import hashlib
import re
import secrets
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.core.errors import ApiError
from wijkhub.hub.core.versioned_cache import TOKEN_KEY, cache_for, versions
from wijkhub.hub.i18n import gettext
from wijkhub.hub.store.tables import TOKEN

# A token lives this long unless `tokens create --days` says otherwise: a forgotten token
# does not open the hub for ever.
DEFAULT_TOKEN_TTL = timedelta(days=90)
FIXED_ROLES = (
    "coach",
    "privacy_officer",
    "admin",
    "team_manager",
    "cluster_manager",
    "team_leader",
)
# Roles that belong to a team: they see (and approve) only their own team's clients' items;
# a team leader reads the chain report over the own team's items.
TEAM_ROLES = ("coach", "team_manager", "cluster_manager", "team_leader")
TOKEN_CACHE_SIZE = 10_000


def person_id_for(subject: str) -> str:
    """The pseudonymous id of a person: the same for every token and web session of theirs.

    `subject` is the OIDC subject of a web sign-in, the person named at `tokens create
    --person` (their OIDC subject, so token and session agree), or else the token's or sign-in
    link's label. The hub trusts one identity provider, so the subject alone names the person.
    """
    return hashlib.sha256(f"wijkhub-person\n{subject}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Principal:
    token_id: str
    role: str  # one of FIXED_ROLES, or partner
    partner_id: str | None
    label: str
    team: str | None = None  # team roles (TEAM_ROLES): the team whose clients they may see
    person: str = ""  # person_id_for(...): who is behind the credential

    @property
    def person_id(self) -> str:
        """Four eyes, "own item" and the log compare this: people, not credentials."""
        return self.person or self.token_id

    @property
    def actor(self) -> str:
        """How this caller appears in the processing log (never the token itself)."""
        who = f"partner:{self.partner_id}" if self.role == "partner" else self.role
        return f"{who}/{self.person_id[:8]}"


def team_scope(who: Principal) -> str | None:
    """The team whose clients `who` may see; None for roles that read across teams (the
    privacy officer). One rule for the API and the web pages."""
    if who.role not in TEAM_ROLES:
        return None
    if not who.team:
        # Never "all teams" by accident: a team role must name its team.
        raise ApiError(403, "no_team", "Dit account hoort bij geen team; vraag een nieuw.")
    return who.team


def parse_role(role: str) -> tuple[str, str | None]:
    if role.startswith("partner:") and len(role) > len("partner:"):
        return "partner", role.split(":", 1)[1]
    if role in FIXED_ROLES:
        return role, None
    raise ValueError(
        gettext(
            "Unknown role '{role}': use coach, team_manager, cluster_manager, team_leader, "
            "privacy_officer, admin or partner:<id>."
        ).format(role=role)
    )


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


TEAM = re.compile(r"^[a-z0-9][a-z0-9_-]{1,62}$")


async def create_token(
    conn: AsyncConnection,
    role: str,
    label: str,
    now: datetime,
    team: str | None = None,
    *,
    person: str | None = None,
    ttl: timedelta = DEFAULT_TOKEN_TTL,
    partners: Collection[str] | None = None,
) -> str:
    """A new token; `partners` (the configured partner ids), when given, must name the
    partner of a partner token."""
    kind, partner_id = parse_role(role)
    if kind == "partner" and partners is not None and partner_id not in partners:
        raise ValueError(
            gettext("Partner '{partner}' is not configured in partners.toml.").format(
                partner=partner_id
            )
        )
    if ttl <= timedelta(0):
        raise ValueError(gettext("A token must be valid for at least a moment."))
    if kind in TEAM_ROLES and not (team and TEAM.match(team)):
        raise ValueError(
            gettext("A token for this role needs a team (lower-case letters, digits, - and _).")
        )
    if kind not in TEAM_ROLES and team is not None:
        raise ValueError(
            gettext(
                "Only coach, team_manager, cluster_manager and team_leader tokens belong to a team."
            )
        )
    token = "wjk_" + secrets.token_urlsafe(32)
    await conn.execute(
        insert(TOKEN).values(
            id=uuid.uuid4().hex,
            token_hash=hash_token(token),
            role=kind,
            partner_id=partner_id,
            team=team,
            label=label,
            person_id=person_id_for(person or label),
            created_at=now,
            expires_at=now + ttl,
        )
    )
    return token


async def authenticate(
    conn: AsyncConnection, token: str, now: datetime | None = None
) -> Principal | None:
    """The token's principal; None if unknown, revoked, or expired at `now`.

    A known token is kept in memory under the tokens' version (`versioned_cache`): any change
    to any token (a revocation in any process) gives it a new one, so the next look-up
    everywhere reads the row again. Unknown tokens are not kept (guessing must not fill it)."""
    digest = hash_token(token)
    cache = cache_for(conn, "tokens", TOKEN_CACHE_SIZE)
    version = (await versions(conn, [TOKEN_KEY]))[TOKEN_KEY]
    hit: tuple[Principal, datetime | None] | None = cache.get(digest, version)
    if hit is None:
        row = (
            await conn.execute(
                select(TOKEN).where(TOKEN.c.token_hash == digest, TOKEN.c.revoked_at.is_(None))
            )
        ).first()
        if row is None:
            return None
        person = row.person_id or person_id_for(row.label)
        hit = (
            Principal(row.id, row.role, row.partner_id, row.label, row.team, person),
            row.expires_at,
        )
        cache.put(digest, version, hit)
    who, expires_at = hit
    if now is not None and expires_at is not None and expires_at <= now:
        return None
    return who


async def list_tokens(conn: AsyncConnection) -> list[dict[str, object]]:
    rows = (await conn.execute(select(TOKEN).order_by(TOKEN.c.created_at))).mappings().all()
    return [{k: v for k, v in r.items() if k != "token_hash"} for r in rows]


async def revoke_token(conn: AsyncConnection, token_id: str, now: datetime) -> bool:
    res = await conn.execute(
        update(TOKEN)
        .where(TOKEN.c.id == token_id, TOKEN.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return res.rowcount == 1
