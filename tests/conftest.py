"""Test setup shared by every test: Qt runs offscreen, no display is needed.

Fixtures give a real engine on a real SQLite file with a fake clock, and a real uvicorn server
on a loopback port. Test modules marked ``both_stores`` run every test that uses ``hall_db``
(directly or through ``engine``) twice: on a SQLite file and on a fresh database of a throwaway
PostgreSQL cluster (tests/pg.py), started once per run when first needed.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The hall's ID keys default to the user's config folder (kiosk.idkeys): tests keep theirs in a
# folder of their own, never in the home of whoever runs them (child processes inherit it).
import tempfile  # noqa: E402

if "HALL_KIOSK_TEST_CONFIG" not in os.environ:  # once per run: spawned children import this too
    os.environ["HALL_KIOSK_TEST_CONFIG"] = tempfile.mkdtemp(prefix="hall-kiosk-test-config-")
os.environ["XDG_CONFIG_HOME"] = os.environ["HALL_KIOSK_TEST_CONFIG"]

import logging  # noqa: E402
import socket  # noqa: E402
from datetime import datetime  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

import pytest  # noqa: E402

from kiosk.clock import FakeClock  # noqa: E402
from kiosk.config import PROJECT_CONFIG_DIR, load_hall_config  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Monday morning inside the sample hall's opening hours.
MONDAY_10AM = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _root_logging_restored():
    """Each test leaves the root logger as it found it. A test that runs a command in-process
    (``app.cli.main`` calls ``logging.basicConfig(force=True)``) gives the root logger a handler
    on the stream pytest captured for that test, closed once it ends: every later log line then
    printed a "Logging error" traceback into whatever the next test was reading."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    for handler in handlers:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(level)


@pytest.fixture
def hall_config():
    """The sample hall."""
    return load_hall_config(PROJECT_CONFIG_DIR / "hall.toml")


@pytest.fixture
def clock():
    """A fake clock at Monday 10:00 in the hall's time zone."""
    return FakeClock(MONDAY_10AM)


STORES = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc):
    """Run the tests of modules marked ``both_stores`` on both stores (not those also marked
    ``sqlite_only``: they look at the SQLite file itself)."""
    if "hall_db" not in metafunc.fixturenames:
        return
    both = metafunc.definition.get_closest_marker("both_stores")
    if both and not metafunc.definition.get_closest_marker("sqlite_only"):
        metafunc.parametrize("hall_db", STORES, indirect=True)


@pytest.fixture(scope="session")
def pg_cluster():
    """A throwaway PostgreSQL cluster for the whole run (skips when the server is not installed)."""
    from tests.pg import Cluster, missing_reason

    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    cluster = Cluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture
def hall_db(request, tmp_path):
    """Where the hall database of a test lives: a SQLite file (path) or a fresh PostgreSQL
    database (URL), dropped at the end of the test."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield tmp_path / "hall.db"
        return
    import weakref

    from sqlalchemy import Engine, event

    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.database()
    engines = weakref.WeakSet()

    def seen(conn) -> None:  # noqa: ANN001 - every engine that connects during the test
        engines.add(conn.engine)

    event.listen(Engine, "engine_connect", seen)
    try:
        yield url
    finally:
        event.remove(Engine, "engine_connect", seen)
        # Tests leave their stores to the collector: their pooled connections are closed here,
        # rather than cut by the drop and complaining when collected at exit.
        for engine in list(engines):
            engine.dispose()
        cluster.drop(url)


@pytest.fixture
def engine(hall_config, clock, hall_db, tmp_path):
    """A real engine on a fresh database (SQLite unless the module runs on both), obeying
    opening hours; its data folder is ``tmp_path`` either way."""
    from kiosk.engine import HallEngine
    from kiosk.store import Store

    return HallEngine(hall_config, Store(hall_db, data_dir=tmp_path), clock)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """The hall server as ``kiosk serve`` builds it (kiosk.serving: guarded, TLS when given)
    over an app, on a loopback port, in a thread; stoppable and restartable."""

    def __init__(self, app, port: int | None = None, **options):
        from kiosk.serving import build_server

        self.port = port or free_port()
        self.server = build_server(app, "127.0.0.1", self.port, graceful_s=1.0, **options)
        self.url = f"{self.server.scheme}://127.0.0.1:{self.port}"
        self.thread = None

    def start(self, sockets: list | None = None) -> "LiveServer":
        from kiosk.serving import run_in_thread

        self.thread = run_in_thread(self.server, sockets=sockets)
        return self

    def stop(self) -> None:
        from kiosk.serving import stop_thread

        if self.thread is not None:
            stop_thread(self.server, self.thread)


@pytest.fixture
def live_server(engine):
    """The hall server over ``engine`` (not dev mode: tokens come from the tokens table)."""
    from kiosk.server import add_token, create_app

    for role in ("kiosk", "display", "guide", "admin"):
        add_token(engine.store, f"test-{role}", role, f"{role}-1", 0)
    add_token(engine.store, "test-counter", "counter", "", 0, window=18)  # the help desk's caller
    server = LiveServer(create_app(engine, dev=False, heartbeat_s=0.5)).start()
    yield server
    server.stop()
