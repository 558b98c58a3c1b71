"""consultation per item

Coach and partner exchange messages on an item (`consultation_message`); an accepted
counter-proposal makes a new version of the item (`advice_item_version`); a rejection's reason
code is stored in its own column so a chain report can count it without reading sealed text.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import wijkhub.hub.store.tables

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("status_update", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason_code", _str(), nullable=True))
    op.create_table(
        "consultation_message",
        sa.Column("id", _str(), nullable=False),
        sa.Column("item_id", _str(), nullable=False),
        sa.Column("partner_id", _str(), nullable=False),
        sa.Column("direction", _str(), nullable=False),
        sa.Column("kind", _str(), nullable=False),
        sa.Column("author", _str(), nullable=False),
        sa.Column("partner_message_id", _str(), nullable=True),
        sa.Column("in_reply_to", _str(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("proposal_status", _str(), nullable=True),
        sa.Column("resolved_at", wijkhub.hub.store.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", _str(), nullable=True),
        sa.Column("resolution", _str(), nullable=True),
        sa.Column("new_item_id", _str(), nullable=True),
        sa.Column("delivery_id", _str(), nullable=True),
        sa.Column("created_at", wijkhub.hub.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["advice_item.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("consultation_message", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consultation_message_item", ["item_id", "created_at"], unique=False
        )
    op.create_table(
        "advice_item_version",
        sa.Column("item_id", _str(), nullable=False),
        sa.Column("previous_item_id", _str(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("proposal_id", _str(), nullable=False),
        sa.Column("created_at", wijkhub.hub.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["advice_item.id"]),
        sa.ForeignKeyConstraint(["previous_item_id"], ["advice_item.id"]),
        sa.ForeignKeyConstraint(["proposal_id"], ["consultation_message.id"]),
        sa.PrimaryKeyConstraint("item_id"),
        sa.UniqueConstraint("previous_item_id"),
    )


def downgrade() -> None:
    op.drop_table("advice_item_version")
    with op.batch_alter_table("consultation_message", schema=None) as batch_op:
        batch_op.drop_index("ix_consultation_message_item")
    op.drop_table("consultation_message")
    with op.batch_alter_table("status_update", schema=None) as batch_op:
        batch_op.drop_column("reason_code")
