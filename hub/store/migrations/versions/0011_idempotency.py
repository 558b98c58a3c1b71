"""idempotency keys and the readiness write probe

`idempotency_key`: per caller and key the hash of the request and the first answer, so a
creating request sent again (a timed-out coach, a double-clicked form) changes nothing twice.
`health_probe`: one row that `/health/ready` rewrites, to know the database still commits.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import wijkhub.hub.store.tables

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString
TS = wijkhub.hub.store.tables.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "idempotency_key",
        sa.Column("id", S(), nullable=False),
        sa.Column("caller", S(), nullable=False),
        sa.Column("key", S(), nullable=False),
        sa.Column("request_hash", S(), nullable=False),
        sa.Column("created_at", TS(timezone=True), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("response", sa.LargeBinary(), nullable=True),
        sa.Column("content_type", S(), nullable=True),
        sa.Column("answered_at", TS(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("caller", "key"),
    )
    with op.batch_alter_table("idempotency_key", schema=None) as batch_op:
        batch_op.create_index("ix_idempotency_key_created_at", ["created_at"], unique=False)
    op.create_table(
        "health_probe",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checked_at", TS(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("health_probe")
    with op.batch_alter_table("idempotency_key", schema=None) as batch_op:
        batch_op.drop_index("ix_idempotency_key_created_at")
    op.drop_table("idempotency_key")
