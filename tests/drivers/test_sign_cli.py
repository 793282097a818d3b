"""``kiosk devices sign-test``: one frame to one sign, success or a plain error."""

from __future__ import annotations

import os
import select
import time

from app.cli import main


def test_sign_test_on_the_simulator(capsys) -> None:
    assert main(["devices", "sign-test", "--sign", "sim:", "--address", "3", "--text", "请A012号"]) == 0
    assert "01 03 c7 eb 41 30 31 32 ba c5 07" in capsys.readouterr().out


def test_sign_test_over_a_pty(capsys) -> None:
    master, slave = os.openpty()
    try:
        code = main(["devices", "sign-test", "--sign", f"serial://{os.ttyname(slave)}?baudrate=9600",
                     "--address", "12", "--text", "B005"])
        assert code == 0
        received = b""
        deadline = time.monotonic() + 5
        while not received.endswith(b"\x07") and time.monotonic() < deadline:
            if select.select([master], [], [], 0.1)[0]:
                received += os.read(master, 64)
        assert received == b"\x01\x0cB005\x07"
    finally:
        os.close(master)
        os.close(slave)


def test_sign_test_reports_a_missing_port(tmp_path, capsys) -> None:
    code = main(["devices", "sign-test", "--sign", f"serial://{tmp_path}/ttyGONE", "--address",
                 "1", "--text", "A001", "--timeout", "0.3"])
    assert code == 1
    err = capsys.readouterr().err
    assert "sign 1 not sent" in err and "ttyGONE" in err


def test_sign_test_bad_uri_and_address(capsys) -> None:
    assert main(["devices", "sign-test", "--sign", "usb://x", "--address", "1", "--text", "A"]) == 2
    assert "unknown scheme" in capsys.readouterr().err
    assert main(["devices", "sign-test", "--sign", "sim:", "--address", "256", "--text", "A"]) == 2
    assert "address 256" in capsys.readouterr().err


def test_sign_test_warns_about_substituted_characters(capsys) -> None:
    assert main(["devices", "sign-test", "--sign", "sim:", "--address", "2", "--text", "A𠀀1"]) == 0
    captured = capsys.readouterr()
    assert "U+20000" in captured.err and "A?1" in captured.out
