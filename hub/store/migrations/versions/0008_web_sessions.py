"""web UI sessions

Server-side sessions of the web UI, OIDC sign-ins in flight and one-time sign-in links. Only
hashes of session ids, link tokens and OIDC states are stored; names are sealed.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import wijkhub.hub.store.tables

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString
TS = wijkhub.hub.store.tables.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "web_session",
        sa.Column("id_hash", S(), nullable=False),
        sa.Column("user_id", S(), nullable=False),
        sa.Column("role", S(), nullable=False),
        sa.Column("team", S(), nullable=True),
        sa.Column("label", sa.LargeBinary(), nullable=False),
        sa.Column("via", S(), nullable=False),
        sa.Column("created_at", TS(timezone=True), nullable=False),
        sa.Column("expires_at", TS(timezone=True), nullable=False),
        sa.Column("ended_at", TS(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.create_index("ix_web_session_user_id", ["user_id"], unique=False)
        batch_op.create_index("ix_web_session_expires_at", ["expires_at"], unique=False)
    op.create_table(
        "web_login",
        sa.Column("state_hash", S(), nullable=False),
        sa.Column("nonce", S(), nullable=False),
        sa.Column("code_verifier", sa.LargeBinary(), nullable=False),
        sa.Column("return_to", S(), nullable=False),
        sa.Column("created_at", TS(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("state_hash"),
    )
    with op.batch_alter_table("web_login", schema=None) as batch_op:
        batch_op.create_index("ix_web_login_created_at", ["created_at"], unique=False)
    op.create_table(
        "web_signin_link",
        sa.Column("token_hash", S(), nullable=False),
        sa.Column("user_id", S(), nullable=False),
        sa.Column("role", S(), nullable=False),
        sa.Column("team", S(), nullable=True),
        sa.Column("label", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", TS(timezone=True), nullable=False),
        sa.Column("expires_at", TS(timezone=True), nullable=False),
        sa.Column("used_at", TS(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("token_hash"),
    )


def downgrade() -> None:
    op.drop_table("web_signin_link")
    with op.batch_alter_table("web_login", schema=None) as batch_op:
        batch_op.drop_index("ix_web_login_created_at")
    op.drop_table("web_login")
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_index("ix_web_session_expires_at")
        batch_op.drop_index("ix_web_session_user_id")
    op.drop_table("web_session")
