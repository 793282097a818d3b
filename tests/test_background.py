"""The background workers' one thread (kiosk.background): started once, woken, stopped, started again."""

from __future__ import annotations

import threading

from kiosk.background import BackgroundThread


class Counter(BackgroundThread):
    def __init__(self) -> None:
        super().__init__("counter", join_s=2)
        self.rounds = 0
        self.woken = threading.Event()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(60)  # only a wake or a stop ends the wait in this test
            self._wake.clear()
            self.rounds += 1
            self.woken.set()


def named(name: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == name]


def test_one_thread_woken_at_once_stopped_and_started_again():
    worker = Counter()
    worker.start()
    worker.start()  # a second start while running starts nothing
    assert len(named("counter")) == 1 and named("counter")[0].daemon
    worker.wake()
    assert worker.woken.wait(2) and worker.rounds == 1  # not the 60 s interval
    worker.stop()  # the stop wakes the sleeping loop: it ends at once
    assert named("counter") == []
    worker.start()  # again after a stop
    assert len(named("counter")) == 1
    worker.stop()
    assert named("counter") == []
