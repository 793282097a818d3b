"""Staff mode through the real panels: a real engine (dev mode), a dummy printer, the audit log.

Every action is done by clicking the panel's own buttons; afterwards the hall and the audit log
are checked.
"""

from datetime import date

import pytest
from PySide6.QtCore import Qt

from drivers.idcard import parse_text
from drivers.idcard.simcards import sample_card_text
from kiosk.idkeys import staff_card_entry
from kiosk.models import IssueRequest
from kiosk.terminal import citizen_from_card
from tests.kiosk_files import built_kiosk
from ui.staff.actions_page import ActionsPage, select_data
from ui.staff.panel import StaffPanel
from ui.staff.pin import PinDialog


class Clock:
    def __init__(self):
        self.t = 5000.0

    def __call__(self):
        return self.t


@pytest.fixture
def env(tmp_path, qtbot):
    """The staff controller of a kiosk built as ``kiosk run --dev`` builds it, with no PIN hashes
    configured (the dev PINs 1234/9999 open it, warned) and a clock the test moves."""
    kiosk = built_kiosk(tmp_path, blank_pins=True)
    assert not kiosk.config.staff.pin_hash and not kiosk.config.staff.tech_pin_hash
    kiosk.window.set_language("en")  # the English the assertions read (the language button)
    controller = kiosk.staff.controller
    controller.clock = controller.gate.clock = Clock()
    yield controller
    kiosk.close()


@pytest.fixture
def page(env, qtbot):
    env.open("staff", "staff")
    widget = ActionsPage(env)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.catalog is not None and widget.issue_priority.count() > 0)
    return widget


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def done(qtbot, page):
    qtbot.waitUntil(lambda: not page.busy and page.services.hall_lane.pending == 0)


def issue(hall, service="AP01", citizen=None):
    return hall.issue(IssueRequest(service=service, citizen=citizen))


def last_audit(controller):
    result = controller.audit.verify()
    assert result.ok, result
    return controller.audit.entries()[-1]


def find(qtbot, page, number):
    page.ticket_number.setText(number)
    click(qtbot, page.find_button)
    qtbot.waitUntil(lambda: page.ticket is not None and page.ticket.number == number)


def choose(page, action, reason, target=None):
    assert select_data(page.ticket_action, action)
    if target:
        assert select_data(page.transfer_service, target)
    assert select_data(page.ticket_reason, reason)


def test_issue_priority_ticket(qtbot, page):
    hall, printer = page.services.hall, page.services.terminal.printer
    assert select_data(page.issue_service, "AP01")
    assert select_data(page.issue_priority, "green")
    assert select_data(page.issue_reason, "urgent_case")
    click(qtbot, page.issue_button)
    done(qtbot, page)
    (ticket,) = hall.tickets()
    assert ticket.priority == "green" and ticket.number in page.result.text()
    assert printer.output  # it was printed
    entry = last_audit(page.controller)
    assert (entry["actor"], entry["action"], entry["ticket"], entry["reason"]) == (
        "staff", "issue_priority", ticket.number, "urgent_case")
    assert entry["detail"] == {"service": "AP01", "priority": "green", "printed": True}


def test_priority_ticket_for_an_id_service_uses_the_card_read(qtbot, page):
    hall = page.services.hall
    assert select_data(page.issue_service, "SS01")  # needs an ID card
    assert select_data(page.issue_priority, "disabled")
    assert select_data(page.issue_reason, "disabled_citizen")
    click(qtbot, page.issue_button)
    done(qtbot, page)
    assert hall.tickets() == [] and page.result.property("error") is True
    card = parse_text(sample_card_text("resident"), date.today())
    assert page.controller.card_presented(card)
    qtbot.waitUntil(lambda: page.citizen is not None)
    done(qtbot, page)
    assert select_data(page.issue_reason, "disabled_citizen")
    click(qtbot, page.issue_button)
    done(qtbot, page)
    (ticket,) = hall.tickets()
    assert ticket.id_mask == card.masked_id and ticket.priority == "disabled"
    assert last_audit(page.controller)["detail"]["id_mask"] == card.masked_id


def test_only_staff_priorities_the_service_allows(page):
    assert select_data(page.issue_service, "PS02")  # allows normal, elderly, disabled, green
    offered = {page.issue_priority.itemData(i) for i in range(page.issue_priority.count())}
    assert offered == {"elderly", "disabled", "green"}


def test_reason_is_required(qtbot, page):
    click(qtbot, page.issue_button)
    assert page.issue_reason.property("invalid") is True
    assert page.result.property("error") is True
    done(qtbot, page)
    assert page.services.hall.tickets() == []
    assert page.controller.audit.entries() == []


def test_reprint_by_number(qtbot, page):
    ticket = issue(page.services.hall)
    printer = page.services.terminal.printer
    before = len(printer.output)
    find(qtbot, page, ticket.number)
    choose(page, "reprint", "ticket_lost")
    click(qtbot, page.ticket_apply)
    done(qtbot, page)
    assert len(printer.output) > before
    assert ticket.number.encode() in printer.output[before:]
    entry = last_audit(page.controller)
    assert (entry["action"], entry["ticket"], entry["reason"]) == ("reprint", ticket.number, "ticket_lost")


def test_unknown_number_is_marked(qtbot, page):
    page.ticket_number.setText("Z999")
    click(qtbot, page.find_button)
    qtbot.waitUntil(lambda: page.ticket_number.property("invalid") is True)
    assert "Z999" in page.result.text()


def test_reprint_by_citizen_card(qtbot, page):
    card = parse_text(sample_card_text("resident"), date.today())
    other = issue(page.services.hall, "AP02")
    mine = issue(page.services.hall, "SS01", citizen_from_card(card, page.services.hall.catalog().id_seal_key))
    assert page.controller.card_presented(card)  # staff mode is open: the card is a lookup
    qtbot.waitUntil(lambda: page.ticket is not None)
    assert page.ticket.number == mine.number != other.number
    choose(page, "reprint", "paper_jam")
    click(qtbot, page.ticket_apply)
    done(qtbot, page)
    entry = last_audit(page.controller)
    assert (entry["action"], entry["ticket"]) == ("reprint", mine.number)
    assert card.id_number not in page.controller.audit.path.read_text()


def test_void(qtbot, page):
    ticket = issue(page.services.hall)
    find(qtbot, page, ticket.number)
    choose(page, "void", "citizen_left")
    click(qtbot, page.ticket_apply)
    done(qtbot, page)
    assert page.services.hall.ticket(ticket.id).state == "void"
    entry = last_audit(page.controller)
    assert (entry["action"], entry["ticket"], entry["detail"]["state"]) == ("void", ticket.number, "void")


def test_void_twice_is_refused_and_not_audited(qtbot, page):
    ticket = issue(page.services.hall)
    find(qtbot, page, ticket.number)
    choose(page, "void", "citizen_left")
    click(qtbot, page.ticket_apply)
    done(qtbot, page)
    choose(page, "void", "duplicate")
    click(qtbot, page.ticket_apply)
    done(qtbot, page)
    assert page.result.property("error") is True and "void" in page.result.text()
    assert len(page.controller.audit.entries()) == 1


def test_transfer(qtbot, page):
    ticket = issue(page.services.hall, "AP01")
    find(qtbot, page, ticket.number)
    choose(page, "transfer", "wrong_service", target="AP02")
    click(qtbot, page.ticket_apply)
    done(qtbot, page)
    assert page.services.hall.ticket(ticket.id).service == "AP02"
    entry = last_audit(page.controller)
    assert entry["detail"]["from_service"] == "AP01" and entry["detail"]["to_service"] == "AP02"


def test_requeue_keeps_the_original_place(qtbot, page):
    hall = page.services.hall
    first, second = issue(hall), issue(hall)
    window = hall.catalog().service("AP01").windows[0]
    assert hall.call_next(window).number == first.number  # sent away: materials missing
    find(qtbot, page, first.number)
    choose(page, "requeue", "missing_materials")
    click(qtbot, page.ticket_apply)
    done(qtbot, page)
    assert hall.ticket(first.id).state == "waiting"
    assert hall.call_next(window).number == first.number  # ahead of the later ticket
    assert hall.ticket(second.id).state == "waiting"
    assert last_audit(page.controller)["action"] == "requeue"


def test_pause_resume_and_quota(qtbot, page):
    hall = page.services.hall
    assert select_data(page.service_code, "TX01")
    for action, reason in (("pause", "staff_shortage"), ("resume", "back_to_normal")):
        assert select_data(page.service_action, action)
        assert select_data(page.service_reason, reason)
        click(qtbot, page.service_apply)
        done(qtbot, page)
        assert hall.catalog().service("TX01").paused is (action == "pause")
        assert last_audit(page.controller)["action"] == action
    assert select_data(page.service_action, "quota")
    page.quota.setValue(5)
    assert select_data(page.service_reason, "high_demand")
    click(qtbot, page.service_apply)
    done(qtbot, page)
    assert hall.catalog().service("TX01").quota == 5
    entry = last_audit(page.controller)
    assert entry["action"] == "quota" and entry["detail"] == {"service": "TX01", "quota": 5}
    assert [e["action"] for e in page.controller.audit.entries()] == ["pause", "resume", "quota"]


def test_locked_session_refuses_actions(qtbot, page):
    page.controller.lock()
    assert select_data(page.issue_reason, "urgent_case")
    click(qtbot, page.issue_button)
    assert page.result.property("error") is True
    done(qtbot, page)
    assert page.services.hall.tickets() == []


# -- ways in --------------------------------------------------------------------------------------

def type_pin(qtbot, dialog, pin):
    for digit in pin:
        click(qtbot, dialog.keys[digit])
    click(qtbot, dialog.ok)


def test_dev_pin_opens_staff_mode(qtbot, env):
    dialog = PinDialog(env)
    qtbot.addWidget(dialog)
    assert not dialog.banner.isHidden()  # dev PINs active: warned
    with qtbot.waitSignal(dialog.accepted) as got:
        type_pin(qtbot, dialog, "1234")
    assert got.args == ["staff"] and env.role == "staff"


def test_configured_pin_hash_and_no_banner(qtbot, env):
    from kiosk.pins import hash_pin

    env.gate.hashes = {"staff": hash_pin("2580", n=2**10), "tech": hash_pin("7531", n=2**10)}
    dialog = PinDialog(env)
    qtbot.addWidget(dialog)
    assert dialog.banner.isHidden()
    type_pin(qtbot, dialog, "1234")
    qtbot.waitUntil(lambda: not dialog.busy)
    assert env.role is None and dialog.message.text() == "Wrong PIN"
    with qtbot.waitSignal(dialog.accepted) as got:
        type_pin(qtbot, dialog, "7531")
    assert got.args == ["tech"]


def test_five_wrong_pins_lock_the_dialog(qtbot, env):
    dialog = PinDialog(env)
    qtbot.addWidget(dialog)
    for _ in range(5):
        type_pin(qtbot, dialog, "0000")
        qtbot.waitUntil(lambda: not dialog.busy)
    type_pin(qtbot, dialog, "1234")  # right PIN, but locked
    qtbot.waitUntil(lambda: not dialog.busy)
    assert env.role is None and "5 minute" in dialog.message.text()
    env.clock.t += 301
    with qtbot.waitSignal(dialog.accepted):
        type_pin(qtbot, dialog, "1234")


def test_staff_card_opens_staff_mode(env):
    card = parse_text(sample_card_text("resident", name="王小明"), date.today())
    stranger = parse_text(sample_card_text("resident", born=date(1990, 1, 2)), date.today())
    env.services.config = env.services.config.model_copy(update={
        "staff": env.services.config.staff.model_copy(update={"staff_cards": [staff_card_entry(card.id_number)]})})
    assert not env.card_presented(stranger)  # a citizen's card is not for staff mode
    assert env.role is None
    assert env.card_presented(card)
    # named in the audit by this run's tag of the card: no hash of the hall, no number
    assert env.role == "staff" and env.actor.name == "card:" + env.services.terminal.card_tag(card.id_number)[:8]


def test_idle_lock(qtbot, env):
    env.open("staff", "staff")
    env.set_idle_lock(0.05)
    with qtbot.waitSignal(env.locked, timeout=3000):
        pass
    assert env.role is None


def test_panel_asks_technician_pin_for_settings(qtbot, env):
    env.open("staff", "staff")
    panel = StaffPanel(env)
    qtbot.addWidget(panel)
    click(qtbot, panel.nav["settings"])
    assert panel.current_page() == "tech_pin"
    type_pin(qtbot, panel.tech_pin, "1234")  # the staff PIN does not open technician pages
    qtbot.waitUntil(lambda: not panel.tech_pin.busy)
    assert panel.current_page() == "tech_pin"
    type_pin(qtbot, panel.tech_pin, "9999")
    qtbot.waitUntil(lambda: panel.current_page() == "settings")
    assert env.role == "tech"


def test_alerts_page_follows_the_alert_center(qtbot, env):
    env.open("staff", "staff")
    panel = StaffPanel(env)
    qtbot.addWidget(panel)
    alerts = env.services.alerts
    alerts.raise_alert("paper_out", "Printer out of paper", "error")
    alerts.raise_alert("reader_lost", "ID reader not answering")
    page = panel.pages["alerts"]
    assert page.list.count() == 2 and "paper" in page.list.item(0).text()
    assert "tickets are shown as e-tickets" in page.list.item(0).text()  # what it means, then detail
    assert panel.nav["alerts"].text().endswith("(2)")
    alerts.clear("paper_out")
    assert page.list.count() == 1 and panel.nav["alerts"].text().endswith("(1)")


def test_queue_page_shows_waiting_and_devices(qtbot, env):
    env.open("staff", "staff")
    issue(env.services.hall, "AP01")
    issue(env.services.hall, "AP01")
    panel = StaffPanel(env)
    qtbot.addWidget(panel)
    panel.show()
    page = panel.pages["queue"]
    qtbot.waitUntil(lambda: page.table.rowCount() > 0)
    row = next(r for r in range(page.table.rowCount()) if page.table.item(r, 0).text() == "AP01")
    assert page.table.item(row, 2).text() == "2"
    assert page.devices.rowCount() == len(env.services.device_states)


def test_languages_switch_live(qtbot, env, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    from PySide6.QtWidgets import QApplication

    from ui.i18n import I18N_DIR, Languages

    tool = Path(sys.executable).parent / "pyside6-lrelease"
    subprocess.run([str(tool), "-silent", str(I18N_DIR / "staff_zh_CN.ts"), "-qm",
                    str(tmp_path / "staff_zh_CN.qm")], check=True)
    env.open("tech", "tech")
    panel = StaffPanel(env)
    qtbot.addWidget(panel)
    languages = Languages(QApplication.instance(), tmp_path)
    try:
        languages.set("zh")
        qtbot.waitUntil(lambda: panel.title.text() == "工作人员模式")  # LanguageChange is posted
        assert panel.nav["actions"].text() == "业务操作"
        settings = panel.pages["settings"]
        assert settings.labels["kiosk.elderly_age"].text() == "长者年龄"  # from the declaration
        assert settings.labels["link.url"].text() == "服务器地址 （需重启）"
        actions = panel.pages["actions"]
        assert actions.ticket_reason.itemText(0) == "请选择原因…"
    finally:
        languages.set("en")
    qtbot.waitUntil(lambda: panel.title.text() == "Staff mode")
    assert panel.pages["settings"].labels["kiosk.elderly_age"].text() == "Elderly age"
