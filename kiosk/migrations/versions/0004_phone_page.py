"""The citizen's phone page and text messages (issue 17: kiosk.phone, kiosk.notify): each
ticket's unguessable page token, the mobile numbers left for messages (kept only while the
ticket lives) and the messages' outbox.

Revision ID: 0004
Revises: 0003

Written out here, not taken from kiosk.store's tables: a revision must make what it made when
it was written, whatever store.py says later. Tickets issued before it have no page token (their
printed QR codes led to the old /t/<id> page, which is gone).
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """tickets.page_token (unique), notify_numbers and notify_messages."""
    op.add_column("tickets", sa.Column("page_token", sa.String(64)))
    op.create_index("ix_ticket_page_token", "tickets", ["page_token"], unique=True)
    op.create_table(
        "notify_numbers",
        sa.Column("ticket_id", sa.String(40), primary_key=True),
        sa.Column("phone", sa.String(11), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "notify_messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ticket_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("params", sa.Text, nullable=False, default="{}"),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, default=0),
        sa.Column("next_at", sa.Float, nullable=False),
        sa.Column("claimed_at", sa.Float),
        sa.Column("error", sa.String(300), nullable=False, default=""),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("sent_at", sa.Float),
        sa.UniqueConstraint("ticket_id", "kind", name="uq_notify_ticket_kind"),
    )
    op.create_index("ix_notify_due", "notify_messages", ["state", "next_at"])


def downgrade() -> None:
    """Never: a hall database is not taken back; restore a backup instead."""
    raise NotImplementedError("a hall database is never downgraded: restore a backup instead")
