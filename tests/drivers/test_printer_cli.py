"""``kiosk devices list | print-sample | printer-status`` run through the real CLI parser."""

from __future__ import annotations

import pytest
from PIL import Image

from app.cli import main
from app.cli.devices_printer import SAMPLE_URL
from drivers.printer.simulator import SerialPrinterSimulator
from tests.drivers.escpos_decode import decode


@pytest.mark.parametrize("mode", ["text", "raster"])
@pytest.mark.parametrize("width", ["58", "80"])
def test_print_sample_to_a_file(tmp_path, capsys, mode, width) -> None:
    out_file, preview = tmp_path / "t.bin", tmp_path / "t.png"
    code = main(["devices", "print-sample", "--printer", f"file://{out_file}", "--mode", mode,
                 "--width", width, "--preview", str(preview)])
    assert code == 0
    assert "printed" in capsys.readouterr().out
    out = decode(out_file.read_bytes())
    if mode == "text":
        assert "A012" in out.text
        service = "".join(line.text for line in out.lines if line.width == 2)
        assert service == "社会保障卡申领（测试）"  # wrapped on 58 mm, whole on 80 mm
        assert out.qr_payloads == [SAMPLE_URL]
    else:
        assert out.image_qr_texts() == [SAMPLE_URL]
        assert out.images[0].width == (384 if width == "58" else 576)
    assert Image.open(preview).width == (384 if width == "58" else 576)


def test_print_sample_on_a_serial_printer_out_of_paper(capsys) -> None:
    with SerialPrinterSimulator(paper="out") as sim:
        code = main(["devices", "print-sample", "--printer", sim.uri])
    assert code == 1
    assert "PaperOut" in capsys.readouterr().err


def test_printer_status_over_serial(capsys) -> None:
    with SerialPrinterSimulator(paper="near_end") as sim:
        assert main(["devices", "printer-status", "--printer", sim.uri, "--timeout", "2"]) == 0
        assert capsys.readouterr().out.startswith("paper_near_end")
        sim.paper = "cover_open"
        assert main(["devices", "printer-status", "--printer", sim.uri, "--timeout", "2"]) == 1
        assert "cover_open" in capsys.readouterr().out
        sim.paper = "silent"
        assert main(["devices", "printer-status", "--printer", sim.uri, "--timeout", "0.1"]) == 1
        assert capsys.readouterr().out.startswith("unknown")


def test_bad_uri_exit_code_two(capsys) -> None:
    assert main(["devices", "printer-status", "--printer", "lpt://1"]) == 2
    assert "lpt" in capsys.readouterr().err


def test_list_names_serial_ports_and_usb(capsys) -> None:
    assert main(["devices", "list"]) == 0
    out = capsys.readouterr().out
    assert "serial ports" in out and "USB printers" in out
