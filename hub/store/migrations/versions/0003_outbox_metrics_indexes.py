"""outbox metrics indexes

Queue depth and dead letters per partner, and policy refusals per partner and reason code,
are counted at every Prometheus scrape: these indexes make those counts index-only scans.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_status_partner', ['status', 'partner_id'], unique=False)
    with op.batch_alter_table('advice_item', schema=None) as batch_op:
        batch_op.create_index(
            'ix_advice_item_refusals', ['allowed', 'partner_id', 'decision_code'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('advice_item', schema=None) as batch_op:
        batch_op.drop_index('ix_advice_item_refusals')
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_status_partner')
