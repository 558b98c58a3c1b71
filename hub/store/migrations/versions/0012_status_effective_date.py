"""status effective date

The date a partner's status update takes effect (the start or end of care in an iWmo 305/307),
as a field instead of inside the sealed detail text. Nullable: earlier updates and formats
that do not say it have none.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("status_update") as batch:
        batch.add_column(sa.Column("effective_date", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("status_update") as batch:
        batch.drop_column("effective_date")
