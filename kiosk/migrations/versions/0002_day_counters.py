"""Per-service day counters and the indexes that keep issue, call-next and listings from
reading the whole day (issue 19: kiosk.day_stats, kiosk.queue_places, the paged ticket list).

Revision ID: 0002
Revises: 0001

Written out here, not taken from kiosk.store's tables: a revision must make what it made when
it was written, whatever store.py says later. ``day_service_stats`` starts empty: the first
write of a day rebuilds its missing rows from the tickets (kiosk.day_stats), so an upgraded
database needs no back-fill.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# A partial index's WHERE, written as kiosk.queue_places' query writes it (SQLite uses a partial
# index only for a query that repeats its terms).
_SPECIAL_SQLITE = "state = 'waiting' AND (in_slot IS 1 OR priority != 'normal')"
_SPECIAL_POSTGRES = "state = 'waiting' AND (in_slot IS true OR priority != 'normal')"


def upgrade() -> None:
    """The day_service_stats table and five indexes of tickets."""
    op.create_table(
        "day_service_stats",
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("service", sa.String(32), primary_key=True),
        sa.Column("issued", sa.Integer, nullable=False, default=0),
        sa.Column("waiting", sa.Integer, nullable=False, default=0),
    )
    op.create_index("ix_ticket_order", "tickets", ["day", "issued_at", "number"])
    op.create_index("ix_ticket_card", "tickets", ["day", "id_hash"])
    op.create_index("ix_ticket_arrival", "tickets",
                    ["day", "service", "state", "arrival_at", "priority", "in_slot", "overtaken"])
    op.create_index("ix_ticket_special", "tickets", ["service", "state", "day", "arrival_at"],
                    sqlite_where=sa.text(_SPECIAL_SQLITE), postgresql_where=sa.text(_SPECIAL_POSTGRES))
    op.create_index("ix_ticket_finished", "tickets", ["day", "finished_at"],
                    sqlite_where=sa.text("finished_at IS NOT NULL"),
                    postgresql_where=sa.text("finished_at IS NOT NULL"))


def downgrade() -> None:
    """Never: a hall database is not taken back; restore a backup instead."""
    raise NotImplementedError("a hall database is never downgraded: restore a backup instead")
