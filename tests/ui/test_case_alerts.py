"""Cases' alerts on the guide desk's caller, over a real hall server on loopback: a case past its
deadline (fake clock, ``engine.check_cases``) shows with its text and stays until the case moves
on; a desk that starts later reads the overdue cases (guide token), and one whose token may not
list them (a counter's) skips that quietly and still shows the stream's alerts."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kiosk.case_models import CaseActionBody, CaseCreate
from kiosk.client import HallClient
from kiosk.clock import FakeClock
from tests.conftest import SHANGHAI
from tests.test_cases import SEPT_30, hook, rating
from ui.calling.case_alerts import CaseAlerts
from ui.calling.counter import CounterWindow
from ui.calling.help_panel import CaseAlertPanel
from ui.i18n import I18N_DIR, Languages

DESK = 18
AFTER_DEADLINE = datetime(2026, 10, 14, 10, 0, tzinfo=SHANGHAI)  # a rectify case of 09-30 was due by 10-13


@pytest.fixture
def clock():
    """The hall's clock on 2026-09-30 15:00, the afternoon before the National Day week."""
    return FakeClock(SEPT_30)


def desk_counter(qtbot, url: str, token: str, clock: FakeClock) -> CounterWindow:
    counter = CounterWindow(HallClient(url, token, timeout=2.0), DESK, clock=clock)
    qtbot.addWidget(counter)
    counter.show()
    counter.start()
    return counter


def shown(counter: CounterWindow) -> list[str]:
    """The alert lines the desk's panel shows now."""
    panel = counter.case_panel
    return [t.text() for t in panel.texts if t.isVisible()] if panel.isVisible() else []


def unresolved(engine) -> int:  # noqa: ANN001
    """A 办不成事 case registered at window 20, as its counter would."""
    body = CaseCreate(request="营业执照变更", reason="缺少股东会决议", services=["GC02"])
    return engine.register_case(body, "window 20", 20).id


def test_an_overdue_case_shows_on_the_desk_and_stays_until_it_moves(qtbot, engine, clock, live_server) -> None:
    rectify = hook(engine, rating(level=1))  # a bad rating at window 3: its case is due by 10-13
    clock.set(AFTER_DEADLINE)
    engine.check_cases()  # the overdue alert is raised while no desk listens
    counter = desk_counter(qtbot, live_server.url, "test-guide", clock)
    try:
        # The desk started after the alert: it reads the overdue cases when its stream connects.
        qtbot.waitUntil(lambda: shown(counter) == [f"Case {rectify} overdue · window 3 · due 10-13"], timeout=10000)
        assert not counter.case_panel.buttons[0].isVisible()  # an overdue case cannot be waved away

        other = unresolved(engine)  # live: the stream brings it
        due = engine.case(other).deadline  # midnight after its 15th working day
        last_day = (due - timedelta(seconds=1)).strftime("%m-%d")
        qtbot.waitUntil(lambda: len(shown(counter)) == 2, timeout=5000)
        assert shown(counter)[1] == f"Unresolved case {other} opened · window 20 · due {last_day}"
        assert counter.case_panel.buttons[1].isVisible()  # "Seen"

        clock.set(due.timestamp() + 3600)
        engine.check_cases()
        qtbot.waitUntil(lambda: shown(counter)[1:] and "overdue" in shown(counter)[1], timeout=5000)
        engine.case_step(other, "callback", CaseActionBody(date=due.date(), outcome="no answer"), "guide desk-1")
        engine.case_step(rectify, "assign", CaseActionBody(owner="科长"), "guide desk-1")
        # The rectify case moved on (registered → assigned): its alert goes; the call back
        # changed no state, so the 办不成事 case stays overdue.
        qtbot.waitUntil(lambda: len(shown(counter)) == 1, timeout=5000)
        assert shown(counter)[0].startswith(f"Unresolved case {other} overdue · window 20")
    finally:
        counter.stop()


def test_a_desk_whose_token_may_not_list_cases_still_shows_the_streams_alerts(qtbot, engine, clock,
                                                                           live_server) -> None:
    early = unresolved(engine)
    clock.set(engine.case(early).deadline.timestamp() + 60)
    engine.check_cases()
    counter = desk_counter(qtbot, live_server.url, "test-counter", clock)  # the desk's own token: 403
    try:
        qtbot.waitUntil(lambda: not counter.case_panel.listing, timeout=10000)
        assert shown(counter) == [] and counter.status.text() == ""  # skipped quietly
        late = unresolved(engine)
        qtbot.waitUntil(lambda: len(shown(counter)) == 1, timeout=5000)
        assert shown(counter)[0].startswith(f"Unresolved case {late} opened")
        qtbot.mouseClick(counter.case_panel.buttons[0], Qt.MouseButton.LeftButton)  # "Seen"
        assert shown(counter) == [] and not counter.case_panel.isVisible()
    finally:
        counter.stop()


def test_a_window_that_is_no_desk_shows_no_case(qtbot, engine, clock, live_server) -> None:
    counter = CounterWindow(HallClient(live_server.url, "test-guide", timeout=2.0), 3, clock=clock)
    qtbot.addWidget(counter)
    counter.start()
    try:
        qtbot.waitUntil(lambda: counter.state.catalog is not None, timeout=10000)
        unresolved(engine)
        qtbot.wait(300)
        assert not counter.case_panel.isVisible() and counter.case_panel.lines() == []
    finally:
        counter.stop()


def event(kind: str, case_id: int, state: str, **more) -> dict:
    return {"event": kind, "id": case_id, "kind": "rectify", "state": state, "deadline_day": "2026-10-13",
            "window": 3, "service": "SS01", "owner": None, **more}


def test_which_alerts_stay_and_which_go() -> None:
    clock = FakeClock(SEPT_30)
    alerts = CaseAlerts(seconds=600, clock=clock)
    assert alerts.take("case", event("opened", 1, "registered"))
    assert alerts.take("case", event("reminder", 2, "assigned"))
    assert alerts.take("case", event("overdue", 3, "registered"))
    assert [(n.id, n.alert) for n in alerts.active] == [(3, "overdue"), (1, "opened"), (2, "reminder")]
    assert not alerts.take("case", event("changed", 3, "registered", action="callback"))  # same state
    assert not alerts.take("case", event("reminder", 3, "registered"))  # overdue stays overdue
    assert not alerts.dismiss(3) and alerts.dismiss(1)
    clock.advance(601)
    assert [n.id for n in alerts.expire()] == [2]
    assert [n.id for n in alerts.active] == [3]
    assert alerts.take("case", event("changed", 3, "assigned", action="assign"))
    assert alerts.active == []
    for bad in ({"event": "overdue"}, {"event": "overdue", "id": "x", "kind": "rectify", "state": "s"},
                ["overdue"], event("closed", 4, "closed"), None):
        assert not alerts.take("case", bad)
    assert not alerts.take("device", event("overdue", 5, "registered"))
    assert alerts.active == []


def test_the_alert_reads_in_chinese(qtbot, tmp_path: Path) -> None:
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    subprocess.run([str(lrelease), str(I18N_DIR / "calling_zh_CN.ts"), "-qm", str(tmp_path / "calling_zh_CN.qm")],
                   check=True, capture_output=True)
    panel = CaseAlertPanel(clock=FakeClock(SEPT_30))
    qtbot.addWidget(panel)
    panel.set_desk(True)
    panel.take("case", event("overdue", 12, "registered"))
    panel.take("case", {**event("reminder", 13, "assigned"), "kind": "unresolved", "window": None})
    languages = Languages(QApplication.instance(), tmp_path)
    try:
        languages.set("zh")
        assert panel.lines() == ["整改案件 #12 逾期 · 窗口3 · 截止 10-13", "办不成事 #13 即将到期 · 截止 10-13"]
        qtbot.waitUntil(lambda: panel.buttons[1].text() == "知道了", timeout=2000)  # LanguageChange: live
    finally:
        languages.set("en")
    assert panel.lines()[0] == "Case 12 overdue · window 3 · due 10-13"
