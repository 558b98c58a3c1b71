"""staff people

Who is behind a pseudonymous actor: person id, sealed name, role, team, first and last seen.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import wijkhub.hub.store.tables

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString
TS = wijkhub.hub.store.tables.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "staff_person",
        sa.Column("person_id", S(), nullable=False),
        sa.Column("name", sa.LargeBinary(), nullable=False),
        sa.Column("role", S(), nullable=False),
        sa.Column("team", S(), nullable=True),
        sa.Column("first_seen", TS(timezone=True), nullable=False),
        sa.Column("last_seen", TS(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("person_id"),
    )


def downgrade() -> None:
    op.drop_table("staff_person")
