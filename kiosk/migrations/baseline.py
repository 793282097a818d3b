"""The hall's schema as the baseline revision (0001) makes it: a frozen copy of the tables of
``kiosk/store.py`` when migrations began, which never changes again.

Later changes are revisions of their own (``versions/``) that alter these tables; this copy is
also the target the pre-migration path (``kiosk.migrations.legacy``) brings an old hall.db up
to before stamping it 0001. Names are unqualified: the tables go into whatever schema the
connection's ``search_path`` selects.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

schema = MetaData()

tickets = Table(
    "tickets",
    schema,
    Column("id", String(40), primary_key=True),
    Column("day", String(10), nullable=False),
    Column("service", String(32), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("number", String(12), nullable=False),
    Column("priority", String(32), nullable=False),
    Column("state", String(16), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("device", String(64), nullable=False, default=""),
    Column("id_hash", String(64)),
    Column("id_mask", String(40)),
    Column("name_mask", String(40)),
    Column("age", Integer),
    Column("appointment", String(32)),
    Column("in_slot", Boolean, nullable=False, default=False),
    Column("issued_at", Float, nullable=False),
    Column("arrival_at", Float, nullable=False),
    Column("called_at", Float),
    Column("started_at", Float),
    Column("finished_at", Float),
    Column("window", Integer),
    Column("recalls", Integer, nullable=False, default=0),
    Column("overtaken", Integer, nullable=False, default=0),
    Column("offline", Boolean, nullable=False, default=False),
    Column("clerk", String(32)),  # the 工号 of the clerk who called, started or finished it last
    UniqueConstraint("day", "number", name="uq_ticket_day_number"),
    Index("ix_ticket_queue", "day", "service", "state"),
    Index("ix_ticket_identity", "day", "service", "id_hash"),
)

ticket_events = Table(
    "ticket_events",
    schema,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ticket_id", String(40), nullable=False, index=True),
    Column("at", Float, nullable=False),
    Column("action", String(16), nullable=False),
    Column("from_state", String(16)),
    Column("to_state", String(16), nullable=False),
    Column("actor", String(64), nullable=False, default=""),
    Column("reason", String(200), nullable=False, default=""),
    Column("detail", Text, nullable=False, default="{}"),
)

counters = Table(
    "counters",
    schema,
    Column("day", String(10), primary_key=True),
    Column("service", String(32), primary_key=True),
    Column("last", Integer, nullable=False, default=0),
)

idempotency = Table(
    "idempotency",
    schema,
    Column("key", String(128), primary_key=True),
    Column("body_hash", String(64), nullable=False),
    Column("ticket_id", String(40), nullable=False),
    Column("created_at", Float, nullable=False),
)

calls = Table(
    "calls",
    schema,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("day", String(10), nullable=False),
    Column("ticket_id", String(40), nullable=False),
    Column("number", String(12), nullable=False),
    Column("window", Integer, nullable=False),
    Column("service", String(32), nullable=False),
    Column("called_at", Float, nullable=False),
    Column("repeat", Integer, nullable=False, default=0),
)

hall_events = Table(
    "hall_events",
    schema,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("type", String(16), nullable=False),
    Column("data", Text, nullable=False),
)

appointments = Table(
    "appointments",
    schema,
    Column("booking_code", String(32), primary_key=True),
    Column("day", String(10), nullable=False, index=True),
    Column("service", String(32), nullable=False),
    Column("slot_start", Float, nullable=False),
    Column("slot_end", Float, nullable=False),
    Column("id_hash", String(64), index=True),
    Column("id_mask", String(40)),
    Column("ticket_id", String(40)),
)

service_days = Table(
    "service_days",
    schema,
    Column("day", String(10), primary_key=True),
    Column("service", String(32), primary_key=True),
    Column("paused", Boolean, nullable=False, default=False),
    Column("quota", Integer),
    Column("reason", String(200), nullable=False, default=""),
)

window_states = Table(
    "window_states",
    schema,
    Column("number", Integer, primary_key=True),
    Column("paused", Boolean, nullable=False, default=False),
    # Wrong clerk PINs typed at this window, and the end of its lock (kiosk.clerks).
    Column("pin_failures", Integer),
    Column("locked_until", Float),
)

clerks = Table(
    "clerks",
    schema,
    Column("code", String(32), primary_key=True),  # 工号
    Column("name", String(32), nullable=False),
    Column("pin_hash", String(200), nullable=False),  # kiosk.pins.hash_pin
    Column("card_entry", String(200)),  # kiosk.idkeys.staff_card_entry of the staff card
    Column("photo", String(300)),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", Float, nullable=False),
    Column("disabled_at", Float),
    Column("failures", Integer, nullable=False, default=0),  # wrong PINs since the last good one
    Column("locked_until", Float),
    Column("window", Integer),  # where the clerk is signed in now (one clerk per window)
    Column("signed_in_at", Float),
)

meta = Table(
    "meta",
    schema,
    Column("key", String(32), primary_key=True),
    Column("value", Text, nullable=False),
)

tokens = Table(
    "tokens",
    schema,
    Column("token_hash", String(64), primary_key=True),
    Column("device", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("created_at", Float, nullable=False),
    # Added after the first release: ``Store`` adds them to an older hall.db on open (nullable,
    # as ALTER TABLE ADD COLUMN needs), and numbers the tokens found there.
    Column("id", Integer),  # the short number ``kiosk tokens list`` shows and ``revoke`` takes
    Column("window", Integer),  # a counter token's window
    Column("revoked_at", Float),
    Index("ix_tokens_id", "id", unique=True),
)

# Cases (kiosk.cases): rectification of bad ratings and 办不成事 cases, with their history.
cases = Table(
    "cases",
    schema,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # rectify | unresolved
    Column("source", String(64), unique=True),  # rating:<ticket id>[:kiosk] for a bad rating: opened once
    Column("state", String(16), nullable=False),
    Column("opened_at", Float, nullable=False),
    Column("opened_by", String(64), nullable=False, default=""),
    Column("updated_at", Float, nullable=False),
    Column("deadline_at", Float, nullable=False),
    Column("remind_at", Float, nullable=False),
    Column("reminded_at", Float),
    Column("overdue_at", Float),
    Column("ticket_id", String(40)),
    Column("service", String(32)),
    Column("services", Text, nullable=False, default="[]"),
    Column("window", Integer),
    Column("clerk", String(32)),
    Column("level", Integer),
    Column("reasons", Text, nullable=False, default="[]"),
    Column("comment", String(200), nullable=False, default=""),
    Column("channel", String(16)),
    Column("request", String(500), nullable=False, default=""),
    Column("reason", String(500), nullable=False, default=""),
    Column("id_hash", String(64)),
    Column("id_mask", String(40)),
    Column("phone_sealed", String(200)),  # sealed to the hall's key: opened only for a callback
    Column("phone_tail", String(4)),
    Column("owner", String(64)),
    Column("outcome", String(500), nullable=False, default=""),
    Column("citizen_level", Integer),
    Index("ix_cases_due", "state", "remind_at"),  # the periodic check reads open cases only
)

case_history = Table(
    "case_history",
    schema,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, nullable=False, index=True),
    Column("at", Float, nullable=False),
    Column("action", String(16), nullable=False),
    Column("from_state", String(16)),
    Column("to_state", String(16), nullable=False),
    Column("actor", String(64), nullable=False, default=""),
    Column("note", String(500), nullable=False, default=""),
    Column("detail", Text, nullable=False, default="{}"),
)

# The exporter's outbox (kiosk.exporter): each item goes out under its id as idempotency key.
export_items = Table(
    "export_items",
    schema,
    Column("id", String(64), primary_key=True),
    Column("seq", Integer, nullable=False),  # the order items were queued in (sent in that order)
    Column("kind", String(16), nullable=False),  # rating | case
    Column("day", String(10), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_at", Float, nullable=False),
    Column("sent_to", Text, nullable=False, default="[]"),  # the sinks that have it (kiosk.exporter)
    Column("delivered_at", Float),  # every configured sink has it
    Column("last_error", String(200), nullable=False, default=""),
    Index("ix_export_due", "delivered_at", "next_at"),
    Index("ix_export_seq", "seq", unique=True),
)

ratings = Table(  # 好差评: one row per rated ticket (kiosk.ratings); no citizen identity in it
    "ratings",
    schema,
    Column("ticket_id", String(40), primary_key=True),
    # What is rated: "service" (the window's, rated at its evaluator or the QR page) or "kiosk"
    # (the kiosk's self-service, on its done screen): one rating of each per ticket.
    Column("subject", String(8), primary_key=True, default="service"),
    Column("day", String(10), nullable=False, index=True),
    Column("service", String(32), nullable=False),
    Column("window", Integer),
    Column("clerk", String(32)),
    Column("level", Integer, nullable=False),
    Column("reasons", Text, nullable=False, default="[]"),  # JSON list of reason codes
    Column("comment", String(200), nullable=False, default=""),
    Column("channel", String(16), nullable=False),  # window | kiosk | qr
    Column("at", Float, nullable=False),
)


# The web console's personal accounts (kiosk.accounts) and their sessions (kiosk.console.sessions).
accounts = Table(
    "accounts",
    schema,
    Column("name", String(32), primary_key=True),  # the sign-in name: letters, digits, . _ -
    Column("display", String(64), nullable=False),  # what the top bar shows
    Column("role", String(16), nullable=False),  # director | guide | it | admin
    Column("password_hash", String(200), nullable=False),  # kiosk.pins.hash_secret
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", Float, nullable=False),
    Column("disabled_at", Float),
    Column("failures", Integer, nullable=False, default=0),  # wrong passwords since the last good one
    Column("locked_until", Float),
)

console_sessions = Table(
    "console_sessions",
    schema,
    Column("id_hash", String(64), primary_key=True),  # SHA-256 of the cookie's random id, never the id
    Column("account", String(32), nullable=False, index=True),
    Column("created_at", Float, nullable=False),
    Column("last_seen", Float, nullable=False),
)

device_status = Table(  # kiosk.device_status: one row per reporting device, its last report
    "device_status",
    schema,
    Column("key", String(48), primary_key=True),  # kiosk.device_status.device_key: role and binding
    Column("role", String(16), nullable=False),
    Column("device", String(64), nullable=False, default=""),
    Column("window", Integer),
    Column("program", String(16), nullable=False),
    Column("version", String(32), nullable=False),
    Column("parts", Text, nullable=False, default="{}"),  # JSON {"printer": {"state", "detail"}, …}
    Column("outbox_pending", Integer, nullable=False, default=0),
    Column("uptime_s", Float, nullable=False, default=0),
    Column("address", String(64), nullable=False, default=""),  # the client's IP as the server saw it
    Column("first_seen", Float, nullable=False),
    Column("last_seen", Float, nullable=False),
)
