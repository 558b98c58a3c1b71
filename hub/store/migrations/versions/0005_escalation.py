"""milestone deadlines and the escalation ladder

`item_milestone`: per delivered item and milestone the due day and when it was met.
`escalation_step`: the ladder's steps fired, unique per (item, milestone, step).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import wijkhub.hub.store.tables

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_STR = sqlmodel.sql.sqltypes.AutoString
_TS = wijkhub.hub.store.tables.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "item_milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", _STR(), nullable=False),
        sa.Column("delivery_id", _STR(), nullable=False),
        sa.Column("partner_id", _STR(), nullable=False),
        sa.Column("advice_type", _STR(), nullable=False),
        sa.Column("milestone", _STR(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("working_days", sa.Boolean(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("started_at", _TS(timezone=True), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("state", _STR(), nullable=False),
        sa.Column("met_at", _TS(timezone=True), nullable=True),
        sa.Column("met_status", _STR(), nullable=True),
        sa.Column("closed_at", _TS(timezone=True), nullable=True),
        sa.Column("closed_reason", _STR(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["advice_item.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", "milestone"),
    )
    with op.batch_alter_table("item_milestone", schema=None) as batch_op:
        batch_op.create_index("ix_item_milestone_item_id", ["item_id"], unique=False)
        batch_op.create_index("ix_item_milestone_state_due", ["state", "due_on"], unique=False)
        batch_op.create_index(
            "ix_item_milestone_partner", ["partner_id", "advice_type", "started_on"], unique=False
        )
    op.create_table(
        "escalation_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", _STR(), nullable=False),
        sa.Column("delivery_id", _STR(), nullable=False),
        sa.Column("partner_id", _STR(), nullable=False),
        sa.Column("advice_type", _STR(), nullable=False),
        sa.Column("milestone", _STR(), nullable=False),
        sa.Column("step", _STR(), nullable=False),
        sa.Column("team", _STR(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("fired_at", _TS(timezone=True), nullable=False),
        sa.Column("message_delivery_id", _STR(), nullable=True),
        sa.Column("read_at", _TS(timezone=True), nullable=True),
        sa.Column("read_by", _STR(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["advice_item.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", "milestone", "step"),
    )
    with op.batch_alter_table("escalation_step", schema=None) as batch_op:
        batch_op.create_index("ix_escalation_step_item_id", ["item_id"], unique=False)
        batch_op.create_index("ix_escalation_step_team", ["step", "team", "fired_at"], unique=False)
        batch_op.create_index(
            "ix_escalation_step_partner", ["partner_id", "advice_type", "fired_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("escalation_step", schema=None) as batch_op:
        batch_op.drop_index("ix_escalation_step_partner")
        batch_op.drop_index("ix_escalation_step_team")
        batch_op.drop_index("ix_escalation_step_item_id")
    op.drop_table("escalation_step")
    with op.batch_alter_table("item_milestone", schema=None) as batch_op:
        batch_op.drop_index("ix_item_milestone_partner")
        batch_op.drop_index("ix_item_milestone_state_due")
        batch_op.drop_index("ix_item_milestone_item_id")
    op.drop_table("item_milestone")
