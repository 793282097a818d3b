"""CardReader over a real pty against the simulator: every card type, every fault mode."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from drivers.idcard import (
    CardReader,
    FrameError,
    ReaderStatusError,
    ReaderUnavailable,
    ReadTimeout,
    Timeouts,
)
from drivers.idcard.simulator import PtyReaderSimulator, SimCardDevice, sample_card_text

TODAY = date(2024, 6, 1)


@pytest.fixture
def device() -> SimCardDevice:
    return SimCardDevice(sample_card_text("resident"), delay=0.2)


@pytest.fixture
def pty_sim(device: SimCardDevice) -> Iterator[PtyReaderSimulator]:
    with PtyReaderSimulator(device) as sim:
        yield sim


@pytest.fixture
def reader(pty_sim: PtyReaderSimulator) -> Iterator[CardReader]:
    with CardReader(pty_sim.path, today=lambda: TODAY, poll_interval=0.02) as card_reader:
        yield card_reader


@pytest.mark.parametrize(("kind", "card_type", "name"), [
    ("resident", "resident", "张伟明"),
    ("permit", "hmt_permit", "陈家豪"),
    ("foreign", "foreign_permanent", "史约翰"),
    ("foreign2023", "foreign_permanent_2023", "李安娜"),
])
def test_each_card_type_reads_over_a_pty(device: SimCardDevice, reader: CardReader, kind: str,
                                         card_type: str, name: str) -> None:
    device.place(sample_card_text(kind))
    card = reader.read_once(2.0)
    assert card is not None
    assert (card.card_type, card.name, card.read_on) == (card_type, name, TODAY)
    assert card.id_valid and not card.expired
    assert device.requests[-3:] == [(0x20, 0x01), (0x20, 0x02), (0x30, 0x01)]


def test_elderly_citizen_of_a_chosen_birth_date(device: SimCardDevice, reader: CardReader) -> None:
    device.place(sample_card_text("resident", born=date(1950, 3, 7), name="王秀英", sex="2"))
    card = reader.read_once(2.0)
    assert card is not None
    assert (card.name, card.sex, card.age, card.valid_to) == ("王秀英", "女", 74, "长期")
    assert card.is_elderly(60) and card.id_valid
    assert int(card.id_number[16]) % 2 == 0  # the sex digit follows the chosen sex


def test_sam_commands(reader: CardReader) -> None:
    reader.sam_status()
    reader.reset_sam()
    assert reader.sam_id() == bytes(range(16))


def test_no_card_gives_none_after_the_timeout(device: SimCardDevice, reader: CardReader) -> None:
    device.set_fault("no_card")
    assert reader.read_once(0.3) is None
    device.clear_faults()
    device.remove()
    assert reader.read_once(0.2) is None
    assert not reader.find_card()


def test_checksum_errors_are_retried_then_reported(device: SimCardDevice,
                                                   reader: CardReader) -> None:
    device.set_fault("checksum", count=1)  # one bad reply: the retry reads the card
    assert reader.read_once(2.0) is not None
    device.set_fault("checksum")  # every reply bad: a typed error, not a hang
    with pytest.raises(FrameError) as caught:
        reader.read_once(2.0)
    assert caught.value.kind == "checksum" and "find card" in str(caught.value)


def test_line_noise_is_skipped(device: SimCardDevice, reader: CardReader) -> None:
    device.set_fault("noise")
    for _ in range(5):
        card = reader.read_once(2.0)
        assert card is not None and card.name == "张伟明"


def test_a_slow_reader_within_the_timeouts_still_reads(device: SimCardDevice,
                                                       reader: CardReader) -> None:
    device.delay = 0.1
    device.set_fault("slow")
    card = reader.read_once(5.0)
    assert card is not None and card.card_type == "resident"


def test_a_reader_slower_than_the_timeout_raises_read_timeout(
        device: SimCardDevice, pty_sim: PtyReaderSimulator) -> None:
    with CardReader(pty_sim.path, Timeouts(find=0.1, sam=2.0)) as reader:
        device.delay = 0.6
        device.set_fault("slow")
        with pytest.raises(ReadTimeout, match="find card"):
            reader.read_once(1.0)


def test_a_silent_reader_raises_read_timeout(device: SimCardDevice,
                                             pty_sim: PtyReaderSimulator) -> None:
    device.unplug()  # the tty stays, the reader behind it does not answer
    with pytest.raises(ReadTimeout, match="SAM status"):
        CardReader(pty_sim.path, Timeouts(sam=0.2)).open()


def test_unplugged_pty_fails_with_reader_unavailable(pty_sim: PtyReaderSimulator,
                                                     reader: CardReader) -> None:
    assert reader.read_once(1.0) is not None
    pty_sim.unplug()
    with pytest.raises(ReaderUnavailable):
        reader.read_once(1.0)
    assert not reader.is_open
    with pytest.raises(ReaderUnavailable):
        CardReader(pty_sim.path).open()


def test_failure_statuses_are_reported_with_their_message(device: SimCardDevice,
                                                          reader: CardReader) -> None:
    device.remove()
    with pytest.raises(ReaderStatusError) as caught:
        reader.read_text()  # read without a card: the reader says 0x41
    assert caught.value.code == 0x41 and "read" in caught.value.message


def test_symlink_path_survives_replug(tmp_path, device: SimCardDevice) -> None:
    link = tmp_path / "ttyIDCARD"
    with PtyReaderSimulator(device, link=link) as sim:
        with CardReader(str(link)) as reader:
            assert reader.read_once(1.0) is not None
        sim.unplug()
        assert not link.exists()
        sim.plug()
        with CardReader(str(link)) as reader:
            assert reader.read_once(1.0) is not None
