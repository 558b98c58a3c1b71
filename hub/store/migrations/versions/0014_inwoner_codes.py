"""inwoner codes

One-time sign-in codes for the inwoner's own pages (stored as a keyed hash, single use,
short-lived), refused attempts for the rate limit, and the client an inwoner's web session is
bound to.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import wijkhub.hub.store.tables

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString
TS = wijkhub.hub.store.tables.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "inwoner_code",
        sa.Column("id", S(), nullable=False),
        sa.Column("code_hash", S(), nullable=False),
        sa.Column("client_id", S(), nullable=False),
        sa.Column("created_by", S(), nullable=False),
        sa.Column("created_at", TS(timezone=True), nullable=False),
        sa.Column("expires_at", TS(timezone=True), nullable=False),
        sa.Column("used_at", TS(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_hash"),
    )
    with op.batch_alter_table("inwoner_code", schema=None) as batch_op:
        batch_op.create_index("ix_inwoner_code_client_id", ["client_id"], unique=False)
    op.create_table(
        "inwoner_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_hash", S(), nullable=False),
        sa.Column("at", TS(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("inwoner_attempt", schema=None) as batch_op:
        batch_op.create_index("ix_inwoner_attempt_source_at", ["source_hash", "at"], unique=False)
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_id", S(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_column("client_id")
    with op.batch_alter_table("inwoner_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_inwoner_attempt_source_at")
    op.drop_table("inwoner_attempt")
    with op.batch_alter_table("inwoner_code", schema=None) as batch_op:
        batch_op.drop_index("ix_inwoner_code_client_id")
    op.drop_table("inwoner_code")
