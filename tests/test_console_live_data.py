"""What the console's Live page shows (kiosk.console.live), read from a real engine on a real
SQLite file with the fake clock: queues with their longest wait, windows with their clerk and
ticket, alerts from overdue cases and from the alert hook."""

from __future__ import annotations

import pytest

from kiosk.case_models import CaseCreate
from kiosk.clerk_models import NewClerk
from kiosk.console import live
from kiosk.models import ActionRequest, IssueRequest, WindowChange


def _queue(snapshot: dict, code: str) -> dict:
    return next(q for q in snapshot["queues"] if q["code"] == code)


def _window(snapshot: dict, number: int) -> dict:
    return next(w for w in snapshot["windows"] if w["number"] == number)


def test_queues_show_waiting_longest_wait_and_estimate(engine, clock):
    empty = live.snapshot(engine)
    assert empty["day"] == "2026-11-23" and empty["clock"] == "10:00:00"
    assert _queue(empty, "AP01")["waiting"] == 0 and _queue(empty, "AP01")["longest_s"] is None
    engine.issue(IssueRequest(service="AP01"), "a")
    clock.advance(125)
    engine.issue(IssueRequest(service="AP01"), "b")
    clock.advance(5)
    queue = _queue(live.snapshot(engine), "AP01")
    assert queue["waiting"] == 2 and queue["longest_s"] == 130 and queue["issued"] == 2
    assert queue["eta_minutes"] is not None and queue["open"] and queue["prefix"] == "C"
    assert queue["zh"] == "企业开办" and queue["en"] == "Business Registration"


def test_windows_show_pause_clerk_and_the_ticket_at_them_for_how_long(engine, clock):
    engine.issue(IssueRequest(service="AP01"), "a")
    engine.add_clerk(NewClerk(code="0815", name="李华", pin="2468"))
    engine.sign_in(5, "0815", "2468")
    call = engine.call_next(5, actor="window 5")
    clock.advance(90)
    engine.change_window(6, WindowChange(paused=True))
    snapshot = live.snapshot(engine)
    five, six = _window(snapshot, 5), _window(snapshot, 6)
    assert five["clerk"] == {"code": "0815", "name": "李华"} and not five["paused"]
    assert five["ticket"] == {"number": call.number, "state": "called", "service": "AP01", "for_s": 90}
    assert six["paused"] and six["ticket"] is None and six["clerk"] is None
    assert _window(snapshot, 18)["kind"] == "desk"
    engine.act(call.ticket, "start", ActionRequest(window=5))
    clock.advance(30)
    assert _window(live.snapshot(engine), 5)["ticket"]["state"] == "serving"
    assert _window(live.snapshot(engine), 5)["ticket"]["for_s"] == 30  # since it started


def test_alerts_list_overdue_cases_and_the_hooks_alerts(engine, clock, monkeypatch):
    engine.register_case(CaseCreate(request="营业执照变更", reason="系统故障", services=["AP01"]), "guide desk-1")
    assert live.snapshot(engine)["alerts"] == []
    clock.advance(40 * 86400)  # past its 15 working days
    engine.check_cases()

    def printers(_engine) -> list[live.Alert]:  # noqa: ANN001
        return [live.Alert("printer", "warn", "K01 自助机缺纸", "Kiosk K01 is out of paper")]

    def broken(_engine) -> list[live.Alert]:  # noqa: ANN001
        raise RuntimeError("a bug in another module")

    monkeypatch.setattr(live, "ALERT_SOURCES", [broken, printers])
    alerts = live.snapshot(engine)["alerts"]
    assert [(a["kind"], a["level"]) for a in alerts] == [("case", "bad"), ("printer", "warn")]
    assert "超期" in alerts[0]["zh"] and "overdue" in alerts[0]["en"]


@pytest.mark.parametrize("code", ["SS01", "GC01"])
def test_every_configured_service_and_window_is_listed(engine, code):
    snapshot = live.snapshot(engine)
    assert code in {q["code"] for q in snapshot["queues"]}
    assert [w["number"] for w in snapshot["windows"]] == [w.number for w in engine.config.windows]


def test_a_window_reads_open_only_with_a_clerk_once_the_hall_signs_clerks_in(engine):
    """The demo showed "Open · Nobody signed in" on every empty window: ambiguous. A hall with
    nobody signed in anywhere (sign-in optional) cannot tell, so its windows stay open; once a
    clerk signs in, an empty window is unstaffed, and a paused one paused."""
    assert {w["staffing"] for w in live.snapshot(engine)["windows"]} == {"open"}
    engine.add_clerk(NewClerk(code="0815", name="李华", pin="2468"))
    engine.sign_in(5, "0815", "2468")
    engine.change_window(6, WindowChange(paused=True))
    snapshot = live.snapshot(engine)
    assert _window(snapshot, 5)["staffing"] == "open"
    assert _window(snapshot, 6)["staffing"] == "paused"
    others = [w["staffing"] for w in snapshot["windows"] if w["number"] not in (5, 6)]
    assert others and set(others) == {"unstaffed"}
    assert _window(snapshot, 18)["staffing"] == "unstaffed"  # the help desk too


def test_where_sign_in_is_required_a_window_nobody_signed_in_at_is_unstaffed(hall_config, clock, tmp_path):
    from kiosk.engine import HallEngine
    from kiosk.store import Store

    config = hall_config.model_copy(update={"policy": hall_config.policy.model_copy(
        update={"clerk_sign_in": "required"})})
    engine = HallEngine(config, Store(tmp_path / "hall.db"), clock)
    try:
        windows = live.snapshot(engine)["windows"]
        assert windows and {w["staffing"] for w in windows} == {"unstaffed"}
    finally:
        engine.store.close()
