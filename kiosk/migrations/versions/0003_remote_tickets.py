"""线上取号: places taken from a phone, in the queue only after check-in (issue 17: kiosk.remote).

Revision ID: 0003
Revises: 0002

Written out here, not taken from kiosk.store's tables: a revision must make what it made when
it was written, whatever store.py says later.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The remote_tickets table, one place a day per holder."""
    op.create_table(
        "remote_tickets",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("service", sa.String(32), nullable=False),
        sa.Column("holder", sa.String(64), nullable=False),
        sa.Column("slot_start", sa.Float, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("ticket_id", sa.String(40)),
    )
    op.create_index("ix_remote_holder", "remote_tickets", ["day", "holder"], unique=True)


def downgrade() -> None:
    """Never: a hall database is not taken back; restore a backup instead."""
    raise NotImplementedError("a hall database is never downgraded: restore a backup instead")
