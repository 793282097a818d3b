"""Technician settings and diagnostics through the real panels, on a copy of config/kiosk.toml."""

import shutil
import zipfile

import pytest
from PySide6.QtCore import Qt

from app.kiosk_app import build_kiosk
from kiosk.config import PROJECT_CONFIG_DIR, load_kiosk_config
from ui.staff.diagnostics_page import DiagnosticsPage
from ui.staff.settings_page import SettingsPage


@pytest.fixture
def tech(tmp_path, qtbot):
    """The technician session of a kiosk built as ``kiosk run --dev`` builds it, from a copy of
    config/kiosk.toml."""
    for name in ("kiosk.toml", "hall.toml"):
        shutil.copy(PROJECT_CONFIG_DIR / name, tmp_path / name)
    kiosk = build_kiosk(tmp_path / "kiosk.toml", data_dir=tmp_path / "data", dev=True)
    kiosk.window.set_language("en")  # the English the assertions read (the language button)
    controller = kiosk.staff.controller
    controller.open("tech", "tech")
    yield controller
    kiosk.close()


@pytest.fixture
def page(tech, qtbot):
    widget = SettingsPage(tech)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: bool(widget.loaded))
    return widget


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def field(page, key):
    return page.editors[key].widget


def saved(qtbot, page):
    qtbot.waitUntil(lambda: page.save_button.isEnabled() and page.lane.pending == 0)


def test_fields_show_the_file(page):
    assert field(page, "printer.uri").text() == "dummy:"
    assert field(page, "printer.width_mm").currentData() == 80
    assert field(page, "kiosk.elderly_age").value() == 65
    assert field(page, "link.token").text() == "dev-kiosk"
    signs = page.editors["signs"].value()
    assert signs[0]["uri"] == "sim:" and signs[0]["addresses"]["8"] == 8


def test_round_trip_keeps_comments_and_applies(qtbot, page, tech):
    path = tech.services.config_path
    original = path.read_text()
    width = field(page, "printer.width_mm")
    width.setCurrentIndex(width.findData(58))
    field(page, "kiosk.elderly_age").setValue(70)
    field(page, "link.url").setText("http://10.0.0.5:8600")
    with qtbot.waitSignal(tech.configChanged) as got:
        click(qtbot, page.save_button)
    saved(qtbot, page)
    text = path.read_text()
    assert "width_mm = 58" in text and "elderly_age = 70" in text
    assert 'url = "http://10.0.0.5:8600"' in text
    for comment in (line for line in original.splitlines() if line.lstrip().startswith("#")):
        assert comment in text
    assert path.with_name("kiosk.toml.bak").read_text() == original
    config = got.args[0]
    assert config.kiosk.elderly_age == 70 and tech.services.config is config
    assert "Server URL" in page.status.text()  # needs a restart, and says so
    assert "Elderly age" not in page.status.text()  # applies live
    entry = tech.audit.entries()[-1]
    assert entry["action"] == "settings"
    assert entry["detail"]["changed"] == ["kiosk.elderly_age", "link.url", "printer.width_mm"]
    click(qtbot, page.save_button)
    assert page.status.text() == "Nothing changed."


def test_list_and_display_settings_round_trip(qtbot, page, tech):
    languages = field(page, "voice.languages")
    assert page.editors["voice.languages"].value() == ["zh", "en"]  # as the file says
    assert languages.currentText() == "中文 + English"
    languages.setCurrentIndex(languages.findData("zh"))
    field(page, "display.recent_calls").setValue(12)
    field(page, "display.blink_seconds").setValue(3)
    click(qtbot, page.save_button)
    saved(qtbot, page)
    text = tech.services.config_path.read_text()
    assert 'languages = ["zh"]' in text and "recent_calls = 12" in text and "blink_seconds = 3" in text
    config = tech.services.config
    assert config.voice.languages == ["zh"] and config.display.recent_calls == 12
    assert "Announcement languages" in page.status.text()  # the calling screen picks it up on restart


def test_invalid_value_is_marked_and_nothing_written(qtbot, page, tech):
    path = tech.services.config_path
    before = path.read_bytes()
    field(page, "printer.uri").setText("bogus://printer")
    field(page, "kiosk.id").setText("has space")
    click(qtbot, page.save_button)
    saved(qtbot, page)
    assert field(page, "printer.uri").property("invalid") is True
    assert field(page, "kiosk.id").property("invalid") is True
    assert field(page, "kiosk.elderly_age").property("invalid") is False
    assert page.errors["printer.uri"].text()
    assert page.status.property("error") is True
    assert path.read_bytes() == before
    assert not path.with_name("kiosk.toml.bak").exists()
    assert tech.audit.entries() == []
    field(page, "printer.uri").setText("dummy:")  # fixing both clears the marks on the next save
    field(page, "kiosk.id").setText("K02")
    click(qtbot, page.save_button)
    saved(qtbot, page)
    assert field(page, "printer.uri").property("invalid") is False
    assert 'id = "K02"' in path.read_text()


def test_server_mode_without_token_is_refused(qtbot, page, tech):
    before = tech.services.config_path.read_bytes()
    mode = field(page, "link.mode")
    mode.setCurrentIndex(mode.findData("server"))
    field(page, "link.token").setText("")
    click(qtbot, page.save_button)
    saved(qtbot, page)
    assert field(page, "link.token").property("invalid") is True
    assert tech.services.config_path.read_bytes() == before


def test_bad_sign_address_map_is_marked(qtbot, page, tech):
    before = tech.services.config_path.read_bytes()
    table = page.editors["signs"].widget.table
    table.item(0, 2).setText("1=1, 2=x")
    click(qtbot, page.save_button)
    assert table.property("invalid") is True and "2=x" in page.errors["signs"].text()
    assert tech.services.config_path.read_bytes() == before


def test_sign_rows_added_with_a_protocol(qtbot, page, tech):
    editor = page.editors["signs"].widget
    click(qtbot, editor.add_button)
    editor.table.item(1, 0).setText("tcp://192.168.1.60:5005")
    editor.table.item(1, 2).setText("12=4")
    click(qtbot, page.save_button)
    saved(qtbot, page)
    config = load_kiosk_config(tech.services.config_path)
    assert config.signs[1].uri == "tcp://192.168.1.60:5005" and config.signs[1].addresses == {"12": 4}


def test_test_print_uses_the_kiosk_printer(qtbot, page, tech):
    printer = tech.services.terminal.printer
    before = len(printer.output)
    click(qtbot, page.tool_buttons["test_print_printer"])
    qtbot.waitUntil(lambda: "printed" in page.results["printer"].text())
    assert len(printer.output) > before and b"T000" in printer.output


def test_reader_signs_and_voice_tests(qtbot, page):
    click(qtbot, page.tool_buttons["test_read_reader"])
    qtbot.waitUntil(lambda: "card read" in page.results["reader"].text(), timeout=10000)
    assert "*" in page.results["reader"].text()
    click(qtbot, page.tool_buttons["test_signs_signs"])
    qtbot.waitUntil(lambda: "frame" in page.results["signs"].text(), timeout=10000)
    assert "sim:: 7 frame(s), ok" in page.results["signs"].text()  # the sample maps 7 signs
    backend = field(page, "voice.backend")
    backend.setCurrentIndex(backend.findData("silent"))
    click(qtbot, page.tool_buttons["test_voice_voice"])
    qtbot.waitUntil(lambda: page.results["voice"].text() == "announced", timeout=10000)


def test_server_connection_test(qtbot, page, live_server):
    field(page, "link.url").setText(live_server.url)
    field(page, "link.token").setText("test-kiosk")
    click(qtbot, page.tool_buttons["test_server_server"])
    qtbot.waitUntil(lambda: " ms" in page.results["server"].text(), timeout=10000)
    assert page.results["server"].text().startswith("ok")
    field(page, "link.url").setText("http://127.0.0.1:9")
    click(qtbot, page.tool_buttons["test_server_server"])
    qtbot.waitUntil(lambda: page.results["server"].text().startswith("Failed"), timeout=10000)


def test_diagnostics_and_support_bundle(qtbot, tech, tmp_path):
    log = tmp_path / "kiosk.log"
    log.write_text("issued for 11010519491231002X\n")
    tech.services.last_errors["printer"] = "paper out"
    page = DiagnosticsPage(tech, log_files=[log], bundle_dir=tmp_path / "out")
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.rows["latency"][1].text().endswith(" ms"))
    qtbot.waitUntil(lambda: page.rows["outbox"][1].text() != "")
    assert page.rows["outbox"][1].text() == "0"  # nothing waits to be sent
    assert "PySide6" in page.rows["versions"][1].text()
    from kiosk import __version__  # the version every status report carries to the hall
    assert f"kiosk {__version__}" in page.rows["versions"][1].text()
    # the real state of the kiosk's printer: opened, no ticket printed yet
    assert "Ticket printer: configured, not used yet — paper out" in page.rows["devices"][1].text()
    click(qtbot, page.export_button)
    qtbot.waitUntil(lambda: page.last_bundle is not None)
    with zipfile.ZipFile(page.last_bundle) as zf:
        text = "".join(zf.read(n).decode() for n in zf.namelist())
    assert "11010519491231002X" not in text and "1101**********002X" in text
    assert "scrypt$" not in text and "paper out" in text


def test_support_bundle_takes_the_programs_log_files(qtbot, tech, tmp_path):
    logs = tmp_path / "data" / "logs"
    logs.mkdir(parents=True)
    (logs / "kiosk.log").write_text("printer back\n")
    (logs / "kiosk.log.1").write_text("issued for 11010519491231002X\n")
    tech.services.data_dir = tmp_path / "data"
    page = DiagnosticsPage(tech, bundle_dir=tmp_path / "out")
    qtbot.addWidget(page)
    click(qtbot, page.export_button)
    qtbot.waitUntil(lambda: page.last_bundle is not None)
    with zipfile.ZipFile(page.last_bundle) as zf:
        assert {"logs/kiosk.log", "logs/kiosk.log.1"} <= set(zf.namelist())
        assert zf.read("logs/kiosk.log.1").decode() == "issued for 1101**********002X\n"


def test_the_audit_log_lives_in_the_kiosks_data_folder(tech, tmp_path):
    from ui.staff.controller import default_audit_path

    tech.services.data_dir = tmp_path / "run-data"  # as kiosk run --data sets it
    assert default_audit_path(tech.services) == tmp_path / "run-data" / "audit.jsonl"


def test_diagnostics_shows_the_audit_log_intact_then_tampered(qtbot, tech):
    tech.audit.append(actor="staff", action="void", ticket="A001", reason="citizen_left")
    tech.audit.append(actor="staff", action="void", ticket="A002", reason="citizen_left")
    page = DiagnosticsPage(tech)
    qtbot.addWidget(page)
    page.show()
    audit = page.rows["audit"][1]
    qtbot.waitUntil(lambda: audit.text() != "")
    assert audit.text() == "intact, 2 entries" and not audit.property("alert")
    lines = tech.audit.path.read_text().splitlines()
    tech.audit.path.write_text(lines[0] + "\n")  # the last entry cut off
    click(qtbot, page.refresh_button)
    qtbot.waitUntil(lambda: audit.text().startswith("TAMPERED"))
    assert "line 2" in audit.text() and audit.property("alert")


def test_outbox_dash_when_the_terminal_cannot_tell():
    from ui.staff.diagnostics_page import outbox_length

    assert outbox_length(object()) == "—"
