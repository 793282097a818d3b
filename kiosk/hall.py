"""One interface to the hall, in-process or remote.

``LocalHall`` wraps the engine; ``HallClient`` talks to a server. Both offer the same methods
(``catalog``, ``issue``, ``ticket``, ``tickets``, ``act``, ``call_next``, ``queue``, ``calls``,
``change_service``, ``change_window``, ``add_appointments``, ``report_status``, ``follow``), so
the kiosk, the counter and the display never know which one they have.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from kiosk.config import HallConfig, KioskConfig, load_hall_config
from kiosk.device_models import DeviceReport
from kiosk.models import (
    ActionRequest,
    Appointment,
    Call,
    Catalog,
    HallEvent,
    HelpCall,
    IssueRequest,
    QueueEntry,
    ServiceChange,
    Ticket,
    WindowChange,
    WindowClerk,
)
from kiosk.rating_models import Rating, RatingRequest

if TYPE_CHECKING:  # each kiosk imports only the side it uses, in open_engine or open_hall: the
    # engine needs SQLAlchemy (14 MB and 0.15 s of a start), the client requests (6 MB, 40 ms)
    from kiosk.case_models import Case
    from kiosk.clerk_models import WindowSignIn
    from kiosk.client import HallClient
    from kiosk.engine import HallEngine
    from kiosk.models import CheckIn


class Hall(Protocol):
    """What every program needs of the hall."""

    def catalog(self) -> Catalog: ...
    def issue(self, req: IssueRequest, idempotency_key: str | None = None) -> Ticket: ...
    def remote_check_in(self, body: CheckIn, device: str = "") -> Ticket: ...
    def ticket(self, ticket_id: str) -> Ticket: ...
    def tickets(self, day: str | None = None, service: str | None = None, state: str | None = None,
                id_sealed: str | None = None) -> list[Ticket]: ...
    def act(self, ticket_id: str, action: str, req: ActionRequest | None = None) -> Ticket: ...
    def call_next(self, window: int, actor: str = "") -> Call | None: ...
    def queue(self) -> list[QueueEntry]: ...
    def calls(self, after: int = 0, limit: int = 50) -> list[Call]: ...
    def change_service(self, code: str, change: ServiceChange) -> Catalog: ...
    def change_window(self, number: int, change: WindowChange) -> None: ...
    def sign_in(self, window: int, code: str, pin: str | None = None, *, card_sealed: str | None = None,
                actor: str = "") -> WindowSignIn: ...
    def sign_out(self, window: int, actor: str = "") -> WindowSignIn: ...
    def window_clerk(self, window: int) -> WindowClerk | None: ...
    def window_clerk_photo(self, window: int) -> bytes | None: ...
    def add_appointments(self, items: list[Appointment]) -> int: ...
    def request_help(self, screen: str = "", device: str = "") -> HelpCall: ...
    def report_status(self, report: DeviceReport, device: str = "", window: int | None = None) -> None: ...
    def rate(self, ticket_id: str, req: RatingRequest) -> Rating: ...
    def list_cases(self, state: str | None = None, kind: str | None = None,
                   overdue: bool | None = None) -> list[Case]: ...
    def follow(self, after: int | None, stop: threading.Event,
               on_status: Callable[[str], None] = ...) -> Iterator[HallEvent]: ...


PROGRAM_ROLES = {"kiosk": "kiosk", "display": "display", "counter": "counter", "rate": "rater"}
"""The token role of each reporting program (kiosk.device_models.PROGRAMS)."""


class LocalHall:
    """The engine in this process, behind the Hall interface."""

    def __init__(self, engine: HallEngine):
        self.engine = engine

    def __getattr__(self, name: str):  # the read and action methods are the engine's own
        return getattr(self.engine, name)

    def issue(self, req: IssueRequest, idempotency_key: str | None = None) -> Ticket:
        """Issue in-process; a key is made up when the caller has none."""
        return self.engine.issue(req, idempotency_key or uuid.uuid4().hex)

    def remote_check_in(self, body: CheckIn, device: str = "") -> Ticket:
        """A remote place (线上取号) checked in at kiosk ``device``, in-process."""
        from kiosk.remote import RemoteDesk

        return RemoteDesk(self.engine).check_in(body, device or "kiosk", f"kiosk {device or 'kiosk'}")

    def add_appointments(self, items: list[Appointment]) -> int:
        """Store booked slots."""
        return self.engine.add_appointments(items)

    def request_help(self, screen: str = "", device: str = "") -> HelpCall:
        """A citizen at kiosk ``device`` asks for staff (in-process: the kiosk names itself)."""
        return self.engine.request_help(device or "kiosk", screen)

    def report_status(self, report: DeviceReport, device: str = "", window: int | None = None) -> None:
        """Record this device's state in-process (a standalone kiosk, the demo's programs), where
        no token says who reports: the program names its role, and ``device`` or ``window``
        its binding."""
        from kiosk import device_status
        from kiosk.tokens import Identity

        role = PROGRAM_ROLES[report.program]
        device_status.record(self.engine, Identity(role, device or role, window), report)

    def rate(self, ticket_id: str, req: RatingRequest, *, window: int | None = None) -> Rating:
        """Rate in-process, where no token says who rates: a window's evaluator names its
        ``window`` (channel ``window``); a standalone kiosk rates its own self-service when the
        hall file's ``[ratings] kiosk_self_service`` allows (channel ``kiosk``)."""
        from kiosk.domain import HallError
        from kiosk.rating_models import Rater

        if window is not None:
            return self.engine.rate(ticket_id, req, Rater("window", f"rater window {window}", window))
        if not self.engine.config.ratings.kiosk_self_service:
            raise HallError("forbidden", "this hall does not rate the kiosk's self-service "
                            "(the hall file's [ratings] kiosk_self_service is false)")
        return self.engine.rate(ticket_id, req, Rater("kiosk", "kiosk"))

    def window_clerk_photo(self, window: int) -> bytes | None:
        """The photo of the clerk signed in at ``window``, or None when there is none to show."""
        from kiosk.domain import HallError

        try:
            return self.engine.window_clerk_photo(window)
        except HallError as exc:
            if exc.code == "not_found":
                return None
            raise

    def follow(self, after: int | None, stop: threading.Event,
               on_status: Callable[[str], None] = lambda _s: None) -> Iterator[HallEvent]:
        """Hall events as they are committed, until ``stop`` is set."""
        seq = self.engine.feed.last_seq() if after is None else after
        on_status("connected")
        while not stop.is_set():
            for event in self.engine.wait_events(seq, 0.5):
                seq = event.seq
                yield event


def open_engine(hall_config: HallConfig | Path | str, data_dir: Path | str, *, dev: bool = False,
                clock=None, sync: str = "full", keys: Path | str | None = None,
                db: str | None = None, hall: str | None = None) -> HallEngine:
    """An engine over the SQLite database in ``data_dir`` (or the PostgreSQL database of the URL
    ``db``, else of the hall file's ``[storage] database``; ``data_dir`` then holds logs and the
    like only; ``hall``: the code of a hall of a city database, kiosk.city), with the ID keys of the folder
    ``keys`` (default ``kiosk.idkeys.default_keys_dir()``; made when the hall is new). A key
    folder that is missing for a hall holding ID hashes, holds another key, or lies inside
    ``data_dir`` is a HallError ``id_keys`` whose detail says what to do."""
    from kiosk.engine import HallEngine
    from kiosk.store import Store

    config = hall_config if isinstance(hall_config, HallConfig) else load_hall_config(hall_config)
    db = db or config.storage.database  # the command line's --db wins over the hall file's
    store = Store(db if db else Path(data_dir) / "hall.db", sync, data_dir=Path(data_dir), hall=hall)
    try:
        id_keys = hall_keys(store, Path(keys) if keys else None, Path(data_dir))
    except Exception:
        store.close()
        raise
    return HallEngine(config, store, clock, dev=dev, keys=id_keys)


def hall_keys(store, folder: Path | None, data_dir: Path):
    """The ID keys of the hall in ``store``, from ``folder``; hall.db records the key's
    fingerprint the first time, so another folder's key is noticed at every later start."""
    from sqlalchemy import insert, select

    from kiosk import store as db
    from kiosk.domain import HallError
    from kiosk.idkeys import IdKeysError, default_keys_dir, open_keys

    with store.read() as conn:
        recorded = conn.execute(select(db.meta.c.value).where(db.meta.c.key == "id_key")).scalar()
        holds = any(conn.execute(select(table.c.id_hash).where(table.c.id_hash.is_not(None)).limit(1)).first()
                    for table in (db.tickets, db.appointments))
    try:
        keys = open_keys(folder or default_keys_dir(), data_dir, fingerprint=recorded, holds_ids=holds)
    except IdKeysError as exc:
        raise HallError("id_keys", str(exc)) from None
    if recorded is None:  # the first start: record the key (or find what a twin process recorded)
        with store.write() as conn:
            recorded = conn.execute(select(db.meta.c.value).where(db.meta.c.key == "id_key")).scalar()
            if recorded is None:
                conn.execute(insert(db.meta).values(key="id_key", value=keys.fingerprint))
        if recorded is not None and recorded != keys.fingerprint:
            raise HallError("id_keys", f"the ID key folder {folder or default_keys_dir()} holds another "
                                       "key than the one this hall database was made with")
    return keys


def open_hall(config: KioskConfig, config_dir: Path, data_dir: Path, *, dev: bool = False,
              clock=None, keys: Path | None = None, db: str | None = None) -> LocalHall | HallClient:
    """The hall a kiosk's config points at: in-process (standalone, on ``clock``, with the ID
    keys of the folder ``keys``, in the PostgreSQL database ``db`` if given) or a server."""
    if config.link.mode == "server":
        from kiosk.client import HallClient, ca_path

        return HallClient(config.link.url, config.link.token, config.link.timeout_s,
                          ca_path(config.link.ca_file, config_dir))
    hall_path = Path(config.kiosk.hall_config)
    if not hall_path.is_absolute():
        hall_path = config_dir / hall_path
    return LocalHall(open_engine(hall_path, data_dir, dev=dev, clock=clock, keys=keys, db=db))
