"""An in-process hall server over the four-kiosk hall, for faults that are not process faults."""

from __future__ import annotations

import pytest

from kiosk.hall import open_engine
from kiosk.server import create_app
from tests.conftest import LiveServer
from tests.faults.harness import write_configs


class InProcessHall:
    """The hall server in a thread over a real engine with the test's fake clock; stop/start
    keep the port and the database."""

    def __init__(self, config_dir, data, clock):
        self.config_dir = config_dir
        self.engine = open_engine(config_dir / "hall.toml", data, clock=clock)
        self.server = LiveServer(create_app(self.engine, dev=True)).start()
        self.port, self.url = self.server.port, self.server.url

    def stop(self):
        self.server.stop()

    def start(self):
        self.server = LiveServer(create_app(self.engine, dev=True), port=self.port).start()

    def tickets(self):
        return self.engine.tickets()


@pytest.fixture
def hall(tmp_path, clock):
    h = InProcessHall(write_configs(tmp_path / "config"), tmp_path / "server", clock)
    yield h
    h.stop()
