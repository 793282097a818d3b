"""Baseline: the hall's tables as they were when migrations began (kiosk.migrations.baseline).

Revision ID: 0001
Revises: none
"""

from alembic import op

from kiosk.migrations.baseline import schema

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Make every table and index of the baseline (a new database: none of them exists)."""
    schema.create_all(op.get_bind())


def downgrade() -> None:
    """Never: a hall database is not taken back; restore a backup instead."""
    raise NotImplementedError("a hall database is never downgraded: restore a backup instead")
