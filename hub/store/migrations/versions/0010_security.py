"""security hardening

People, not credentials: an API token names the person it belongs to (`person_id`, a
pseudonymous key), and an approval remembers the person who wrote the item
(`author_person`), so four eyes compares people.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    # Existing tokens keep NULL: the hub then takes the person from the token's label.
    with op.batch_alter_table("api_token") as batch:
        batch.add_column(sa.Column("person_id", S(), nullable=True))
    with op.batch_alter_table("item_approval") as batch:
        batch.add_column(sa.Column("author_person", S(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("item_approval") as batch:
        batch.drop_column("author_person")
    with op.batch_alter_table("api_token") as batch:
        batch.drop_column("person_id")
