"""``kiosk devices read-card``: output, masking, exit codes 0 / 2 / 1."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from app.cli import main
from drivers.idcard.simulator import PtyReaderSimulator, SimCardDevice, sample_card_text


@pytest.fixture
def pty_path() -> Iterator[str]:
    with PtyReaderSimulator(SimCardDevice(sample_card_text("resident"))) as sim:
        yield sim.path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["devices", "read-card", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_is_masked_by_default(capsys: pytest.CaptureFixture[str], pty_path: str) -> None:
    code, out, _ = run(capsys, "--port", pty_path, "--json", "--timeout", "3")
    assert code == 0
    fields = json.loads(out)
    assert fields["card_type"] == "resident" and fields["name"] == "张*明"
    assert fields["id_number"].startswith("31**************") and fields["id_valid"] is True
    assert "中山东一路" not in fields["address"]
    assert set(fields) == {"card_type", "name", "sex", "nation", "birth_date", "address",
                           "id_number", "authority", "valid_from", "valid_to", "age",
                           "id_valid", "expired"}


def test_reveal_shows_the_full_fields(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--port", "sim:elderly?instance=cli-reveal", "--json", "--reveal")
    fields = json.loads(out)
    assert code == 0
    assert fields["name"] == "张伟明" and fields["birth_date"] == "1950-03-07"
    assert fields["id_number"][6:14] == "19500307" and fields["valid_to"] == "长期"
    assert fields["address"] == "上海市黄浦区中山东一路100号"


def test_plain_output_lists_the_fields_masked(capsys: pytest.CaptureFixture[str],
                                              pty_path: str) -> None:
    code, out, _ = run(capsys, "--port", pty_path)
    assert code == 0
    assert "张*明" in out and "张伟明" not in out and "31**************" in out
    assert out.splitlines()[0].split() == ["card", "type", "resident"]


def test_no_card_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--port", "sim:empty?instance=cli-empty", "--timeout", "0.2")
    assert (code, out) == (2, "")
    assert "no card" in err


@pytest.mark.parametrize("port", [
    "/dev/no-such-reader", "sim:resident?fault=unplug&instance=cli-unplugged", "sim:bogus",
    "serial:///dev/no-such-reader?baudrate=fast", "loop://",
])
def test_device_or_protocol_errors_exit_1_with_one_line(capsys: pytest.CaptureFixture[str],
                                                        port: str) -> None:
    code, out, err = run(capsys, "--port", port, "--timeout", "0.5")
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("read-card: ")


def test_bad_timeout_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["devices", "read-card", "--port", "sim:resident", "--timeout", "-1"])
    assert "timeout" in capsys.readouterr().err
