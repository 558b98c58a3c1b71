"""processing log: the caller's operation

A nullable `foreign_operation` on the processing log: the W3C `traceparent` a caller sent,
validated, kept as Logboek Dataverwerkingen's `foreign_operation`. Existing entries have none.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("processing_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("foreign_operation", _str(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("processing_log", schema=None) as batch_op:
        batch_op.drop_column("foreign_operation")
