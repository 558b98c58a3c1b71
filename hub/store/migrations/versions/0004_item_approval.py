"""item approval (four eyes)

An advice item that needs a second coach's or a manager's approval waits in this table, not in
the outbox, until it is approved (then queued) or rejected (then back to draft).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import wijkhub.hub.store.tables

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "item_approval",
        sa.Column("item_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("advice_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("team", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("required_role", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("cost_cents", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("rules_version", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("requested_at", wijkhub.hub.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", wijkhub.hub.store.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("decided_role", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("decided_token", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("reason", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["advice_item.id"]),
        sa.PrimaryKeyConstraint("item_id"),
    )
    with op.batch_alter_table("item_approval", schema=None) as batch_op:
        batch_op.create_index("ix_item_approval_advice_id", ["advice_id"], unique=False)
        batch_op.create_index("ix_item_approval_team_status", ["team", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("item_approval", schema=None) as batch_op:
        batch_op.drop_index("ix_item_approval_team_status")
        batch_op.drop_index("ix_item_approval_advice_id")
    op.drop_table("item_approval")
