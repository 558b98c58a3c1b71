"""cache versions and wake-ups

A version per cached thing, set to a new random number by triggers in the transaction of every
change (random: a rolled-back change can never leave a number a later change reuses):
`consent:<client id>` for any insert, update or delete of a consent row, `token` for any
change to a bearer token. A process keeps consents and token look-ups in memory and checks
the version (one indexed read) before it uses them, so a withdrawal or a revocation made by
any process applies to the very next request in every other.

On PostgreSQL, triggers also NOTIFY `wijkhub_delivery` when a push delivery is queued and
`wijkhub_log` when log entries are appended: the delivery workers and the log's sequencer of
every process wake up at the commit instead of polling.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString

_SQLITE_BUMP = (
    "INSERT INTO cache_version (key, version) VALUES ({key}, random()) "
    "ON CONFLICT (key) DO UPDATE SET version = random();"
)
_SQLITE_TRIGGERS = {
    "cache_version_consent_ins": ("INSERT ON consent", ["'consent:' || NEW.client_id"]),
    "cache_version_consent_upd": (
        "UPDATE ON consent",
        ["'consent:' || NEW.client_id", "'consent:' || OLD.client_id"],
    ),
    "cache_version_consent_del": ("DELETE ON consent", ["'consent:' || OLD.client_id"]),
    "cache_version_token_ins": ("INSERT ON api_token", ["'token'"]),
    "cache_version_token_upd": ("UPDATE ON api_token", ["'token'"]),
    "cache_version_token_del": ("DELETE ON api_token", ["'token'"]),
}

_PG_FUNCTIONS = [
    """
CREATE FUNCTION wijkhub_bump_version(k text) RETURNS void AS $$
BEGIN
  INSERT INTO cache_version (key, version) VALUES (k, floor(random() * 9e18)::bigint + 1)
  ON CONFLICT (key) DO UPDATE SET version = floor(random() * 9e18)::bigint + 1;
END $$ LANGUAGE plpgsql""",
    """
CREATE FUNCTION wijkhub_consent_changed() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    PERFORM wijkhub_bump_version('consent:' || NEW.client_id);
  END IF;
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.client_id IS DISTINCT FROM NEW.client_id) THEN
    PERFORM wijkhub_bump_version('consent:' || OLD.client_id);
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    """
CREATE FUNCTION wijkhub_token_changed() RETURNS trigger AS $$
BEGIN
  PERFORM wijkhub_bump_version('token');
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    """
CREATE TRIGGER cache_version_consent AFTER INSERT OR UPDATE OR DELETE ON consent
  FOR EACH ROW EXECUTE FUNCTION wijkhub_consent_changed()""",
    """
CREATE TRIGGER cache_version_token AFTER INSERT OR UPDATE OR DELETE ON api_token
  FOR EACH STATEMENT EXECUTE FUNCTION wijkhub_token_changed()""",
    # Wake-ups (PostgreSQL only): delivered to listeners at commit, once per transaction.
    """
CREATE FUNCTION wijkhub_notify() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify(TG_ARGV[0], '');
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    """
CREATE TRIGGER notify_delivery_queued AFTER INSERT ON delivery FOR EACH ROW
  WHEN (NEW.status = 'queued' AND NEW.transport = 'push')
  EXECUTE FUNCTION wijkhub_notify('wijkhub_delivery')""",
    """
CREATE TRIGGER notify_delivery_requeued AFTER UPDATE OF status ON delivery FOR EACH ROW
  WHEN (NEW.status = 'queued' AND OLD.status IS DISTINCT FROM NEW.status
        AND NEW.transport = 'push')
  EXECUTE FUNCTION wijkhub_notify('wijkhub_delivery')""",
    """
CREATE TRIGGER notify_log_appended AFTER INSERT ON processing_log FOR EACH STATEMENT
  EXECUTE FUNCTION wijkhub_notify('wijkhub_log')""",
]


def upgrade() -> None:
    op.create_table(
        "cache_version",
        sa.Column("key", S(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    if op.get_bind().dialect.name == "postgresql":
        for statement in _PG_FUNCTIONS:  # asyncpg takes one statement at a time
            op.execute(statement)
    else:
        for name, (on, keys) in _SQLITE_TRIGGERS.items():
            body = " ".join(_SQLITE_BUMP.format(key=k) for k in keys)
            op.execute(f"CREATE TRIGGER {name} AFTER {on} BEGIN {body} END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER notify_delivery_queued ON delivery")
        op.execute("DROP TRIGGER notify_delivery_requeued ON delivery")
        op.execute("DROP TRIGGER notify_log_appended ON processing_log")
        op.execute("DROP FUNCTION wijkhub_notify()")
        op.execute("DROP TRIGGER cache_version_consent ON consent")
        op.execute("DROP TRIGGER cache_version_token ON api_token")
        op.execute("DROP FUNCTION wijkhub_consent_changed()")
        op.execute("DROP FUNCTION wijkhub_token_changed()")
        op.execute("DROP FUNCTION wijkhub_bump_version(text)")
    else:
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("cache_version")
