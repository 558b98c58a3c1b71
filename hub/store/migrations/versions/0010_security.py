"""security hardening

Tokens expire (`expires_at`; NULL for tokens made before). People, not credentials: an API token names the person it belongs to (`person_id`, a
pseudonymous key), and an approval remembers the person who wrote the item
(`author_person`), so four eyes compares people. Registrations refused because another
team holds the BSN are counted per person (`bsn_collision`) to rate-limit probing.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import wijkhub.hub.store.tables

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString
TS = wijkhub.hub.store.tables.UTCDateTime


def upgrade() -> None:
    # Existing tokens keep NULL: the hub then takes the person from the token's label.
    with op.batch_alter_table("api_token") as batch:
        batch.add_column(sa.Column("person_id", S(), nullable=True))
        batch.add_column(sa.Column("expires_at", TS(timezone=True), nullable=True))
    with op.batch_alter_table("item_approval") as batch:
        batch.add_column(sa.Column("author_person", S(), nullable=True))
    op.create_table(
        "bsn_collision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", S(), nullable=False),
        sa.Column("at", TS(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_bsn_collision_person_id", "bsn_collision", ["person_id"])
    op.create_index("ix_bsn_collision_at", "bsn_collision", ["at"])


def downgrade() -> None:
    op.drop_index("ix_bsn_collision_at", table_name="bsn_collision")
    op.drop_index("ix_bsn_collision_person_id", table_name="bsn_collision")
    op.drop_table("bsn_collision")
    with op.batch_alter_table("item_approval") as batch:
        batch.drop_column("author_person")
    with op.batch_alter_table("api_token") as batch:
        batch.drop_column("expires_at")
        batch.drop_column("person_id")
