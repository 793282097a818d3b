"""Hearing the hall events other server processes commit to the same PostgreSQL database.

Every write transaction that adds hall events ends with ``pg_notify(<store.event_channel>,
<newest seq>)`` (kiosk.store), which PostgreSQL delivers to every listening session after the
commit, and only if it commits. Each server process keeps ONE listening connection here, on a
thread of its own, while its event hub has subscribers; a notification only wakes the hub, which
reads the event table after the last event it read, as it always does. The table stays the
replay: a notification lost (this connection down while PostgreSQL restarts, a process that was
not listening yet) loses nothing, it only delays the events until the hub's next read, which
every (re)connection triggers and a slow safety poll backs.

This is the one module besides kiosk.store that speaks to PostgreSQL directly: LISTEN has no
SQLAlchemy form, and a pooled connection must not be held forever.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from psycopg import sql

from kiosk import store as db

log = logging.getLogger(__name__)

CHECK_S = 0.5
"""How often the listening thread looks whether it was asked to stop (no traffic: a timeout)."""
RETRY_S = (0.2, 5.0)
"""The first and the longest wait before connecting again after the connection was lost."""
CONNECT_TIMEOUT_S = 5
KEEPALIVE = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3}
"""TCP keepalives: a city link that drops silently is noticed within about 25 s, not hours."""


class EventListener:
    """A thread listening on a PostgreSQL store's event channel.

    ``on_event(seq)`` is called (on the listening thread) for every notification, with the
    sequence number it carries (0 if it carries none); ``on_connect()`` each time the LISTEN is
    in place again, since events committed while it was not were announced to nobody.
    """

    def __init__(self, store: db.Store, on_event: Callable[[int], None], on_connect: Callable[[], None]):
        self.store = store
        self.channel = store.event_channel
        self.on_event = on_event
        self.on_connect = on_connect
        self.connected = False
        """True while the LISTEN is in place (the hub then polls only as a safety net)."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"listen-{self.channel}", daemon=True)

    def start(self) -> EventListener:
        """Start listening (returns at once; the connection is made on the thread)."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening: the thread closes its connection within ``CHECK_S`` and ends."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the thread to end (after ``stop``)."""
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        """The thread runs and was not asked to stop."""
        return self._thread.is_alive() and not self._stop.is_set()

    def _connect(self) -> psycopg.Connection:
        """A new autocommit connection to the store's database (not one of its pool's)."""
        engine = self.store.engine
        args, params = engine.dialect.create_connect_args(engine.url)
        params.pop("context", None)  # SQLAlchemy's type adapters: a LISTEN needs none
        options = {**KEEPALIVE, "connect_timeout": CONNECT_TIMEOUT_S, **params}  # the URL's own win
        return psycopg.connect(*args, **options, autocommit=True)

    def _run(self) -> None:
        delay, down = RETRY_S[0], False
        while not self._stop.is_set():
            try:
                with self._connect() as conn:
                    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
                    self.connected, delay = True, RETRY_S[0]
                    if down:
                        log.info("listening for hall events again")
                        down = False
                    self.on_connect()
                    self._listen(conn)
            except psycopg.Error as exc:
                if not down:  # once per outage, not once per attempt
                    log.warning("lost the database's event notifications (%s): reconnecting; until then "
                                "events from other server processes arrive by polling", type(exc).__name__)
                    down = True
            except Exception:  # never let the listener die silently: the hub would poll for good
                log.exception("the event listener failed; it starts again")
                down = True
            finally:
                self.connected = False
            if self._stop.wait(delay):
                break
            delay = min(delay * 2, RETRY_S[1])

    def _listen(self, conn: psycopg.Connection) -> None:
        """Hand each notification on until asked to stop; raises when the connection fails."""
        while not self._stop.is_set():
            for note in conn.notifies(timeout=CHECK_S):
                self.on_event(_seq(note.payload))
                if self._stop.is_set():
                    return


def _seq(payload: str) -> int:
    """The sequence number a notification carries; 0 (read anyway) for anything else."""
    try:
        return int(payload)
    except ValueError:
        return 0
