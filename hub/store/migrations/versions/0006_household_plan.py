"""household plan and consent per member

Households group clients with their roles; a plan holds goals per member and life domain, and
links advice items to a member and goal, with what the item waits for before it is sent.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import wijkhub.hub.store.tables

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString
TS = wijkhub.hub.store.tables.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "household",
        sa.Column("id", S(), nullable=False),
        sa.Column("team", S(), nullable=False),
        sa.Column("created_at", TS(timezone=True), nullable=False),
        sa.Column("created_by", S(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.create_index("ix_household_team", ["team"], unique=False)
    op.create_table(
        "household_member",
        sa.Column("id", S(), nullable=False),
        sa.Column("household_id", S(), nullable=False),
        sa.Column("client_id", S(), nullable=False),
        sa.Column("role", S(), nullable=False),
        sa.Column("added_at", TS(timezone=True), nullable=False),
        sa.Column("added_by", S(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"]),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("household_id", "client_id"),
    )
    with op.batch_alter_table("household_member", schema=None) as batch_op:
        batch_op.create_index("ix_household_member_client_id", ["client_id"], unique=False)
        batch_op.create_index("ix_household_member_household_id", ["household_id"], unique=False)
    op.create_table(
        "plan_goal",
        sa.Column("id", S(), nullable=False),
        sa.Column("household_id", S(), nullable=False),
        sa.Column("member_id", S(), nullable=False),
        sa.Column("domain", S(), nullable=False),
        sa.Column("text", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", TS(timezone=True), nullable=False),
        sa.Column("created_by", S(), nullable=False),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["household_member.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("plan_goal", schema=None) as batch_op:
        batch_op.create_index("ix_plan_goal_household_id", ["household_id"], unique=False)
    op.create_table(
        "plan_item",
        sa.Column("item_id", S(), nullable=False),
        sa.Column("household_id", S(), nullable=True),
        sa.Column("member_id", S(), nullable=True),
        sa.Column("goal_id", S(), nullable=True),
        sa.Column("wait_item_id", S(), nullable=True),
        sa.Column("wait_status", S(), nullable=True),
        sa.Column("wait_until", sa.Date(), nullable=True),
        sa.Column("wait_state", S(), nullable=True),
        sa.Column("wait_reason", S(), nullable=True),
        sa.Column("created_at", TS(timezone=True), nullable=False),
        sa.Column("settled_at", TS(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["advice_item.id"]),
        sa.PrimaryKeyConstraint("item_id"),
    )
    with op.batch_alter_table("plan_item", schema=None) as batch_op:
        batch_op.create_index("ix_plan_item_household_id", ["household_id"], unique=False)
        batch_op.create_index("ix_plan_item_wait", ["wait_state", "wait_until"], unique=False)
        batch_op.create_index("ix_plan_item_wait_item_id", ["wait_item_id"], unique=False)


def downgrade() -> None:
    op.drop_table("plan_item")
    op.drop_table("plan_goal")
    op.drop_table("household_member")
    op.drop_table("household")
