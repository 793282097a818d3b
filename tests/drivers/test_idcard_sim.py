"""Simulator URIs and transports: sim: options, shared devices, serial:// and socket:// ports."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.idcard import CardReader, ReaderUnavailable
from drivers.idcard.simulator import (
    PtyReaderSimulator,
    SimCardDevice,
    SimulatedReader,
    forget_sim,
    sample_card_text,
    sim_device,
)
from drivers.pipe import PipeUnavailable

TODAY = date(2024, 6, 1)


@pytest.fixture(autouse=True)
def fresh_registry() -> Iterator[None]:
    yield
    forget_sim()


def read(uri: str, timeout: float = 1.0):
    with CardReader(uri, today=lambda: TODAY, poll_interval=0.02) as reader:
        return reader.read_once(timeout)


def test_sim_uri_chooses_the_card_holder() -> None:
    card = read("sim:resident?born=1950-05-01&name=刘桂兰&sex=2")
    assert card is not None
    assert (card.name, card.sex, card.birth_date, card.age) == ("刘桂兰", "女", date(1950, 5, 1), 74)
    assert card.id_valid and card.id_number[6:14] == "19500501"


@pytest.mark.parametrize(("uri", "card_type"), [
    ("sim:resident", "resident"), ("sim:permit", "hmt_permit"), ("sim:foreign", "foreign_permanent"),
    ("sim:foreign2023", "foreign_permanent_2023"), ("sim:elderly", "resident"),
])
def test_sim_kinds(uri: str, card_type: str) -> None:
    card = read(uri)
    assert card is not None and card.card_type == card_type


def test_a_sim_uri_names_one_shared_device_for_place_and_remove() -> None:
    uri = "sim:permit?present=0"
    assert read(uri, 0.1) is None
    sim_device(uri).place()
    assert read(uri).card_type == "hmt_permit"
    sim_device(uri).remove()
    assert read(uri, 0.1) is None
    sim_device("sim:empty?instance=x").place(sample_card_text("foreign"))
    assert read("sim:empty?instance=x").card_type == "foreign_permanent"


@pytest.mark.parametrize(("uri", "words"), [
    ("sim:martian", "unknown kind"),
    ("sim:resident?colour=red", "colour"),
    ("sim:resident?fault=fire", "fire"),
    ("sim:resident?born=yesterday", "born"),
    ("sim:resident?delay=soon", "delay"),
    ("sim:resident?sex=m", "sex"),
    ("sim:resident?present=maybe", "present"),
    ("file:///tmp/reader.bin", "cannot carry the ID card reader's answers back"),
])
def test_bad_sim_uris_name_the_problem(uri: str, words: str) -> None:
    with pytest.raises(ReaderUnavailable, match=words):
        CardReader(uri).open()


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_reads_succeed_through_noise_whatever_the_seed(seed: int) -> None:
    uri = f"sim:resident?fault=noise&seed={seed}"
    try:
        card = read(uri)
        assert card is not None and card.name == "张伟明"
    finally:
        forget_sim(uri)


def test_an_unplugged_simulated_port_fails_like_a_vanished_tty() -> None:
    device = SimCardDevice(sample_card_text("resident"))
    port = SimulatedReader(device)
    port.open(1.0)
    device.unplug()
    with pytest.raises(PipeUnavailable):
        port.write(b"\x00", 1.0)
    with pytest.raises(PipeUnavailable, match="unplugged"):
        SimulatedReader(device).open(1.0)
    device.plug()
    with pytest.raises(PipeUnavailable):  # the old handle stays dead after replug
        port.read(1, 0.0)
    fresh = SimulatedReader(device)
    fresh.open(1.0)
    assert fresh.read(1, 0.0) == b""


def test_serial_scheme_with_baudrate_opens_a_tty() -> None:
    with PtyReaderSimulator() as sim:
        assert read(f"serial://{sim.path}?baudrate=9600").card_type == "resident"
        with pytest.raises(ReaderUnavailable, match="parity"):
            CardReader(f"serial://{sim.path}?parity=Q").open()
        with pytest.raises(ReaderUnavailable, match="unknown option 'speed'"):
            CardReader(f"serial://{sim.path}?speed=9600").open()


def test_socket_url_reaches_a_reader_behind_a_tcp_bridge() -> None:
    device = SimCardDevice(sample_card_text("foreign2023"))
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def bridge() -> None:  # a serial-to-TCP converter in front of the reader
        conn, _ = server.accept()
        with conn:
            while data := conn.recv(4096):
                for chunk in device.respond(data):
                    conn.sendall(chunk.data)

    thread = threading.Thread(target=bridge, daemon=True)
    thread.start()
    try:
        card = read(f"socket://127.0.0.1:{port}")
        assert card is not None and card.card_type == "foreign_permanent_2023"
    finally:
        server.close()
        thread.join(2)
