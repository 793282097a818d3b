"""ReaderWorker: card events once per placement, polling on/off, unplug and replug recovery."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from drivers.idcard import EventKind, ReaderEvent, ReaderWorker, Timeouts
from drivers.idcard.simulator import (
    PtyReaderSimulator,
    SimCardDevice,
    build_card_text,
    forget_sim,
    sample_card_text,
    sim_device,
)

TODAY = date(2024, 6, 1)
WAIT = 10.0  # generous: a loaded 2-core machine may be slow, a working worker is fast


def fast_worker(uri: str, on_event=None, **kwargs) -> ReaderWorker:
    options = {"poll_interval": 0.02, "reopen_interval": 0.05, "health_interval": 0.05,
               "timeouts": Timeouts(find=0.3, select=0.3, read=1.0, sam=0.3)}
    options.update(kwargs)
    return ReaderWorker(uri, on_event, today=lambda: TODAY, **options)


def next_event(worker: ReaderWorker, *kinds: str, timeout: float = WAIT) -> ReaderEvent:
    """The next event of one of ``kinds``, skipping others (e.g. transient errors)."""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"no {kinds} event within {timeout} s")
        try:
            event = worker.events.get(timeout=remaining)
        except queue.Empty:
            continue
        if event.kind in kinds:
            return event


def wait_for_finds(device: SimCardDevice, count: int) -> None:
    """Block until the worker has sent ``count`` more find commands (progress, not time)."""
    start = device.requests.count((0x20, 0x01))
    deadline = time.monotonic() + WAIT
    while device.requests.count((0x20, 0x01)) < start + count:
        assert time.monotonic() < deadline, "the worker stopped polling"
        time.sleep(0.01)


def kinds_so_far(worker: ReaderWorker) -> list[str]:
    kinds = []
    while not worker.events.empty():
        kinds.append(worker.events.get_nowait().kind)
    return kinds


@pytest.fixture
def sim_uri(request: pytest.FixtureRequest) -> Iterator[str]:
    uri = f"sim:resident?instance={request.node.name}"
    yield uri
    forget_sim(uri)


@pytest.fixture
def worker(sim_uri: str) -> Iterator[ReaderWorker]:
    w = fast_worker(sim_uri)
    w.start()
    yield w
    w.stop()


def test_a_card_left_on_the_reader_is_reported_once(worker: ReaderWorker, sim_uri: str) -> None:
    device = sim_device(sim_uri)
    worker.start_polling()
    event = next_event(worker, EventKind.CARD_READ)
    assert event.card is not None and event.card.name == "张伟明" and event.card.read_on == TODAY
    wait_for_finds(device, 10)
    assert EventKind.CARD_READ not in kinds_so_far(worker)
    device.remove()
    next_event(worker, EventKind.CARD_REMOVED)
    device.place(sample_card_text("permit"))
    event = next_event(worker, EventKind.CARD_READ)
    assert event.card is not None and event.card.card_type == "hmt_permit"


def test_a_card_swapped_between_two_polls_is_reported(worker: ReaderWorker, sim_uri: str) -> None:
    device = sim_device(sim_uri)
    worker.start_polling()
    first = next_event(worker, EventKind.CARD_READ)
    wait_for_finds(device, 3)
    device.set_fault("no_card", 1)  # one poll finds nothing: too short to count as a removal
    device.place(sample_card_text("permit"))  # and another card lies there at the next one
    assert next_event(worker, EventKind.CARD_REMOVED, EventKind.CARD_READ).kind == EventKind.CARD_REMOVED
    second = next_event(worker, EventKind.CARD_READ)
    assert first.card.card_type == "resident" and second.card.card_type == "hmt_permit"
    wait_for_finds(device, 5)
    assert kinds_so_far(worker) == []  # the new card is reported once too


def test_a_flicker_of_the_same_card_reports_nothing(worker: ReaderWorker, sim_uri: str) -> None:
    device = sim_device(sim_uri)
    worker.start_polling()
    next_event(worker, EventKind.CARD_READ)
    reads = device.requests.count((0x30, 0x01))
    device.set_fault("no_card", 1)
    wait_for_finds(device, 5)
    assert kinds_so_far(worker) == []
    assert device.requests.count((0x30, 0x01)) == reads + 1  # one read to compare, then quiet


def test_rearmed_polling_reports_a_card_still_on_the_reader_again(worker: ReaderWorker, sim_uri: str) -> None:
    device = sim_device(sim_uri)
    worker.start_polling()
    next_event(worker, EventKind.CARD_READ)
    worker.stop_polling()
    worker.start_polling()  # same visit: the card lying there is not reported twice
    wait_for_finds(device, 5)
    assert EventKind.CARD_READ not in kinds_so_far(worker)
    worker.stop_polling()
    worker.start_polling(rearm=True)  # a new visit: it is
    event = next_event(worker, EventKind.CARD_READ)
    assert event.card is not None and event.card.name == "张伟明"


def test_nothing_is_read_unless_polling(worker: ReaderWorker, sim_uri: str) -> None:
    device = sim_device(sim_uri)
    deadline = time.monotonic() + WAIT
    while device.requests.count((0x11, 0xFF)) < 3:  # idle health checks go on
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert (0x20, 0x01) not in device.requests
    worker.start_polling()
    assert worker.polling
    next_event(worker, EventKind.CARD_READ)
    worker.stop_polling()
    device.remove()  # taken away while no one polls: noticed when polling resumes
    worker.start_polling()
    next_event(worker, EventKind.CARD_REMOVED)
    device.place()
    next_event(worker, EventKind.CARD_READ)


def test_unplug_and_replug_in_process(worker: ReaderWorker, sim_uri: str) -> None:
    device = sim_device(sim_uri)
    worker.start_polling()
    next_event(worker, EventKind.CARD_READ)
    device.unplug()
    lost = next_event(worker, EventKind.READER_LOST)
    assert "disconnected" in lost.reason and not worker.reader_ok
    device.plug()
    next_event(worker, EventKind.READER_BACK)
    assert next_event(worker, EventKind.CARD_READ).card is not None


def test_unplug_and_replug_over_a_pty_at_a_stable_path(tmp_path: Path) -> None:
    device = SimCardDevice(sample_card_text("foreign2023"))
    link = tmp_path / "ttyIDCARD"
    with PtyReaderSimulator(device, link=link) as sim:
        worker = fast_worker(str(link))
        worker.start()
        try:
            worker.start_polling()
            assert next_event(worker, EventKind.CARD_READ).card.card_type == "foreign_permanent_2023"
            sim.unplug()
            next_event(worker, EventKind.READER_LOST)
            sim.plug()
            next_event(worker, EventKind.READER_BACK)
            assert next_event(worker, EventKind.CARD_READ).card is not None
        finally:
            worker.stop()


def test_unplug_is_noticed_while_idle(worker: ReaderWorker, sim_uri: str) -> None:
    device = sim_device(sim_uri)
    device.requests.clear()
    deadline = time.monotonic() + WAIT
    while not device.requests:  # the worker has opened the port
        assert time.monotonic() < deadline
        time.sleep(0.01)
    device.unplug()
    next_event(worker, EventKind.READER_LOST)


def test_a_reader_missing_at_start_is_reported_lost_then_back(sim_uri: str) -> None:
    device = sim_device(sim_uri)
    device.unplug()
    worker = fast_worker(sim_uri)
    worker.start()
    try:
        assert "unplugged" in next_event(worker, EventKind.READER_LOST).reason
        device.plug()
        next_event(worker, EventKind.READER_BACK)
    finally:
        worker.stop()


def test_a_silent_reader_is_reported_lost(tmp_path: Path) -> None:
    device = SimCardDevice(sample_card_text("resident"))
    with PtyReaderSimulator(device) as sim:
        worker = fast_worker(sim.path, timeouts=Timeouts(find=0.3, sam=0.3))
        worker.start()
        try:
            worker.start_polling()
            next_event(worker, EventKind.CARD_READ)
            device.unplug()  # powered off behind a live tty: no answers at all
            assert "no answer" in next_event(worker, EventKind.READER_LOST).reason
            device.plug()
            next_event(worker, EventKind.READER_BACK)
        finally:
            worker.stop()


def test_an_unreadable_card_is_tried_a_few_times_then_left_alone(worker: ReaderWorker,
                                                                  sim_uri: str) -> None:
    device = sim_device(sim_uri)
    device.remove()
    worker.start_polling()
    wait_for_finds(device, 2)
    device.place(build_card_text("resident", name="坏卡", sex="5"))  # nonsense sex code
    assert "sex" in next_event(worker, EventKind.ERROR).reason
    wait_for_finds(device, 10)
    assert device.requests.count((0x30, 0x01)) == worker.max_attempts
    device.remove()
    next_event(worker, EventKind.CARD_REMOVED)
    device.place(sample_card_text("resident"))
    next_event(worker, EventKind.CARD_READ)


def test_a_noisy_line_is_reported_once_and_recovers(worker: ReaderWorker, sim_uri: str) -> None:
    device = sim_device(sim_uri)
    device.set_fault("checksum")
    worker.start_polling()
    assert "checksum" in next_event(worker, EventKind.ERROR).reason
    wait_for_finds(device, 10)
    assert kinds_so_far(worker) == []  # the same failure is not repeated every poll
    device.clear_faults()
    next_event(worker, EventKind.CARD_READ)


def test_a_failing_listener_does_not_stop_the_worker(sim_uri: str) -> None:
    seen: list[ReaderEvent] = []
    got_card, got_removal = threading.Event(), threading.Event()

    def listener(event: ReaderEvent) -> None:
        seen.append(event)
        {EventKind.CARD_READ: got_card, EventKind.CARD_REMOVED: got_removal}[event.kind].set()
        raise RuntimeError("listener bug")

    device = sim_device(sim_uri)
    worker = fast_worker(sim_uri, listener)
    worker.start()
    try:
        worker.start_polling()
        assert got_card.wait(WAIT)
        got_card.clear()
        device.remove()
        assert got_removal.wait(WAIT)
        device.place(sample_card_text("foreign"))
        assert got_card.wait(WAIT)
        assert [e.kind for e in seen].count(EventKind.CARD_READ) == 2
    finally:
        worker.stop()


def test_worker_logs_no_identity(worker: ReaderWorker, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="drivers.idcard")
    worker.start_polling()
    card = next_event(worker, EventKind.CARD_READ).card
    assert card is not None and card.masked_name in caplog.text
    for secret in (card.id_number, card.name, card.address):
        assert secret not in caplog.text


def test_a_stopped_worker_can_start_again(worker: ReaderWorker, sim_uri: str) -> None:
    worker.start_polling()
    next_event(worker, EventKind.CARD_READ)
    worker.stop()
    sim_device(sim_uri).remove()
    worker.start()
    next_event(worker, EventKind.CARD_REMOVED)
