"""Devices report their own state to a real hall server; the hall lists them, says which are
offline, raises alerts, and sends one ``devstate`` event per change, none per heartbeat."""

from __future__ import annotations

import requests

from kiosk import __version__, device_status
from kiosk.client import HallClient
from kiosk.device_models import DeviceReport
from tests.test_server import assert_problem, h

OK_KIOSK = {"version": __version__, "program": "kiosk", "printer": {"state": "ok"}, "reader": {"state": "ok"},
            "outbox_pending": 0, "uptime_s": 12.5}


def report(server, role: str, body: dict) -> requests.Response:  # noqa: ANN001
    return requests.post(f"{server.url}/api/v1/devices/status", json=body, headers=h(role), timeout=5)


def listed(server, role: str = "guide") -> dict[str, dict]:  # noqa: ANN001
    response = requests.get(f"{server.url}/api/v1/devices", headers=h(role), timeout=5)
    assert response.status_code == 200, response.text
    return {d["key"]: d for d in response.json()}


def devstates(engine) -> list[dict]:  # noqa: ANN001
    return [e.data for e in engine.events_after(0, 1000) if e.type == "devstate"]


def test_a_report_is_stored_under_the_tokens_device_whatever_the_body_says(live_server, engine):
    # A body that tries to name another device (or role, or window) is refused outright.
    for extra in ({"device": "K99"}, {"role": "admin"}, {"window": 3}):
        assert_problem(report(live_server, "kiosk", {**OK_KIOSK, **extra}), 422, "validation_error")
    response = report(live_server, "kiosk", OK_KIOSK)
    assert response.status_code == 204, response.text
    kiosk = listed(live_server)["kiosk:kiosk-1"]
    assert kiosk["name"] == "kiosk kiosk-1" and kiosk["seen"] and not kiosk["offline"] and kiosk["status"] == "online"
    assert kiosk["version"] == __version__ and kiosk["program"] == "kiosk"
    assert kiosk["parts"]["printer"] == {"state": "ok", "detail": "", "since": "2026-11-23T10:00:00+08:00"}
    assert kiosk["address"] == "127.0.0.1" and kiosk["uptime_s"] == 12.5
    # A kiosk token claiming to be a counter program is still the kiosk kiosk-1.
    assert report(live_server, "kiosk", {**OK_KIOSK, "program": "counter"}).status_code == 204
    assert listed(live_server)["kiosk:kiosk-1"]["program"] == "counter"
    assert not any(key.startswith("counter:") and d["seen"] for key, d in listed(live_server).items())


def test_devices_with_a_token_that_never_reported_are_listed_as_never_seen(live_server, engine):
    from kiosk.tokens import add_token, revoke_token

    add_token(engine.store, "test-rater", "rater", "", 0, window=8)
    gone = add_token(engine.store, "old-kiosk", "kiosk", "K07", 0)
    revoke_token(engine.store, gone, 1)
    devices = listed(live_server)
    # The live_server fixture's device tokens (kiosk-1, display-1, window 18's counter) and the
    # rater; a guide's or admin's token is a person's or a script's, and a revoked one no device.
    assert set(devices) == {"kiosk:kiosk-1", "display:display-1", "counter:w18", "rater:w8"}
    assert all(not d["seen"] and d["offline"] and d["last_seen"] is None and d["status"] == "never_seen"
               for d in devices.values())
    assert devices["counter:w18"]["name"] == "counter window 18"


def test_offline_after_three_intervals_and_back_with_one_event(live_server, engine, clock):
    assert engine.config.policy.device_report_s == 30
    assert report(live_server, "guide", {"version": "1.0", "program": "kiosk"}).status_code == 204  # any token
    assert report(live_server, "kiosk", OK_KIOSK).status_code == 204
    clock.advance(90)  # three intervals exactly: not yet
    assert not listed(live_server)["kiosk:kiosk-1"]["offline"]
    assert device_status.device_alerts(engine) == []
    clock.advance(1)
    assert listed(live_server)["kiosk:kiosk-1"]["offline"]
    assert listed(live_server)["kiosk:kiosk-1"]["status"] == "offline"
    alerts = device_status.device_alerts(engine)
    assert [(a.kind, a.level, a.device) for a in alerts] == [("offline", "error", "kiosk:kiosk-1")]
    assert "kiosk kiosk-1 has not reported since 10:00" in alerts[0].message
    events = len(devstates(engine))
    assert report(live_server, "kiosk", OK_KIOSK).status_code == 204  # back: one event saying so
    assert not listed(live_server)["kiosk:kiosk-1"]["offline"]
    assert devstates(engine)[events:] == [devstates(engine)[-1]] and devstates(engine)[-1]["back"] is True
    assert device_status.device_alerts(engine) == []
    clock.advance(86400)  # a day later the message says which day
    [alert] = device_status.device_alerts(engine)
    assert "has not reported since 2026-11-23 10:01" in alert.message


def test_a_state_change_is_one_event_and_a_heartbeat_none(live_server, engine, clock):
    assert report(live_server, "kiosk", OK_KIOSK).status_code == 204
    first = devstates(engine)
    assert len(first) == 1 and first[0]["changed"] == ["printer", "reader"]  # first report: its parts appear
    for _ in range(3):  # heartbeats, also with new uptimes and details
        clock.advance(30)
        body = {**OK_KIOSK, "uptime_s": 99.0, "printer": {"state": "ok", "detail": "fine"}}
        assert report(live_server, "kiosk", body).status_code == 204
    assert len(devstates(engine)) == 1
    paper_out = {**OK_KIOSK, "printer": {"state": "paper_out", "detail": "roll empty"}}
    assert report(live_server, "kiosk", paper_out).status_code == 204
    assert report(live_server, "kiosk", paper_out).status_code == 204
    events = devstates(engine)
    assert len(events) == 2
    assert events[1]["key"] == "kiosk:kiosk-1" and events[1]["changed"] == ["printer"]
    assert events[1]["parts"]["printer"] == {"state": "paper_out", "detail": "roll empty"}
    alerts = device_status.device_alerts(engine)
    assert [(a.kind, a.level) for a in alerts] == [("paper_out", "error")]
    assert alerts[0].message == "kiosk kiosk-1 is out of paper: put in a new roll (roll empty)"
    assert alerts[0].since.timestamp() == clock.now()  # since the paper ran out, not since the first report
    clock.advance(30)
    assert report(live_server, "kiosk", paper_out).status_code == 204
    assert device_status.device_alerts(engine)[0].since.timestamp() == clock.now() - 30
    response = requests.get(f"{live_server.url}/api/v1/devices/alerts", headers=h("admin"), timeout=5)
    assert [a["kind"] for a in response.json()] == ["paper_out"]


def test_bad_bodies_are_refused_with_what_is_wrong(live_server, engine):
    bad = [
        {**OK_KIOSK, "printer": {"state": "smoking"}},
        {**OK_KIOSK, "reader": {"state": "paper_out"}},  # a printer's state is no reader's
        {**OK_KIOSK, "printer": {"state": "ok", "detail": "x" * 161}},
        {**OK_KIOSK, "version": "1.0; rm -rf"},
        {**OK_KIOSK, "version": "v" * 40},
        {**OK_KIOSK, "program": "toaster"},
        {**OK_KIOSK, "outbox_pending": -1},
        {**OK_KIOSK, "outbox_pending": "3"},  # strict: a number, not a text
        {**OK_KIOSK, "uptime_s": 1e12},
        {"program": "kiosk"},
        [OK_KIOSK],
    ]
    for body in bad:
        assert_problem(report(live_server, "kiosk", body), 422, "validation_error")
    assert_problem(requests.post(f"{live_server.url}/api/v1/devices/status", data=b"{not json",
                                 headers={**h("kiosk"), "Content-Type": "application/json"}, timeout=5),
                   422, "validation_error")
    assert devstates(engine) == [] and all(not d["seen"] for d in listed(live_server).values())


def test_a_display_token_reports_but_may_not_list(live_server, engine):
    body = {"version": __version__, "program": "display", "sign": {"state": "offline", "detail": "no answer"}}
    assert report(live_server, "display", body).status_code == 204
    assert_problem(requests.get(f"{live_server.url}/api/v1/devices", headers=h("display"), timeout=5),
                   403, "forbidden")
    assert_problem(requests.get(f"{live_server.url}/api/v1/devices/alerts", headers=h("kiosk"), timeout=5),
                   403, "forbidden")
    assert_problem(report(live_server, None, body), 401, "unauthorized")
    display = listed(live_server, "admin")["display:display-1"]
    assert display["parts"]["sign"]["state"] == "offline" and display["parts"]["sign"]["detail"] == "no answer"
    assert [a.kind for a in device_status.device_alerts(engine)] == ["sign"]


def test_the_hall_client_reports_and_a_detail_never_carries_an_id_number(live_server, engine):
    client = HallClient(live_server.url, "test-counter", timeout=5)
    detail = "card 110101199003074514 stuck"
    client.report_status(DeviceReport(version=__version__, program="counter",
                                      reader={"state": "error", "detail": detail}), device="K99", window=3)
    counter = listed(live_server)["counter:w18"]  # the token's window, not the one given
    assert counter["parts"]["reader"]["state"] == "error"
    assert "110101199003074514" not in counter["parts"]["reader"]["detail"]
    assert "110101199003074514" not in str(devstates(engine))


def wait_for(check, timeout: float = 10.0):  # noqa: ANN001, ANN201
    """``check()``'s first truthy answer, polled: the reporter runs on its own thread."""
    import time

    end = time.monotonic() + timeout
    while True:
        found = check()
        if found or time.monotonic() > end:
            return found
        time.sleep(0.05)


def test_the_kiosk_reports_at_start_and_its_printers_paper_out_at_once(live_server, engine, tmp_path):
    from app.kiosk_app import build_terminal
    from kiosk.config import load_kiosk_config
    from tests.kiosk_files import kiosk_file

    path = kiosk_file(tmp_path, printer="sim:", server=live_server.url, token="test-kiosk", kiosk_id="kiosk-1")
    terminal = build_terminal(load_kiosk_config(path), path, tmp_path / "data")  # started, as kiosk run does
    try:
        at_start = wait_for(lambda: listed(live_server)["kiosk:kiosk-1"]["seen"] and listed(live_server)["kiosk:kiosk-1"])
        assert at_start["version"] == __version__ and at_start["program"] == "kiosk"
        assert at_start["parts"]["printer"]["state"] == "ok"  # its status query, before any ticket
        assert set(at_start["parts"]) == {"printer"}  # no reader: not configured
        terminal.printer.transport.paper = "out"  # the simulated roll runs out
        outcome = terminal.issue("TX01")
        assert not outcome.printed and outcome.ticket.number  # the citizen gets an e-ticket
        out = wait_for(lambda: listed(live_server)["kiosk:kiosk-1"]["parts"]["printer"]["state"] == "paper_out")
        assert out, "the paper-out was not reported at once"
        events = devstates(engine)
        assert [e["changed"] for e in events] == [["printer"], ["printer"]]
        assert events[-1]["parts"]["printer"]["state"] == "paper_out"
        assert [a.kind for a in device_status.device_alerts(engine)] == ["paper_out"]
    finally:
        terminal.close()


def test_a_hall_that_does_not_answer_never_puts_the_kiosk_out_of_service(tmp_path):
    from app.kiosk_app import build_terminal
    from kiosk.config import load_kiosk_config
    from tests.conftest import free_port
    from tests.kiosk_files import kiosk_file

    path = kiosk_file(tmp_path, printer="sim:", server=f"http://127.0.0.1:{free_port()}", timeout_s=0.5)
    terminal = build_terminal(load_kiosk_config(path), path, tmp_path / "data", start=False)
    try:
        assert terminal.reporter.report_now() is False  # quietly: logged, tried again next round
        assert "unreachable" in terminal.reporter.last_error and terminal.reporter.sent == 0
        assert terminal.link.online  # the link (and the kiosk's service) is the outbox sender's business
    finally:
        terminal.close()


def test_the_calling_programs_report_as_their_tokens_say(live_server, engine, tmp_path):
    # The builders kiosk counter / display / rate run (app.calling): the counter's report lands on
    # its token's window, the board's with its LED sign bus read by the probe.
    from app.calling import setup, status_reporter
    from drivers.sign import open_sign_bus
    from tests.kiosk_files import kiosk_file

    path = kiosk_file(tmp_path)
    counter = setup(path, tmp_path / "data", server=live_server.url, token="test-counter", dev=False, role="counter")
    assert status_reporter(counter, "counter", window=18).report_now()
    board = setup(path, tmp_path / "data", server=live_server.url, token="test-display", dev=False, role="display")
    bus = open_sign_bus("sim:")
    try:
        assert status_reporter(board, "display", sign_buses=[bus]).report_now()
    finally:
        bus.close()
    devices = listed(live_server)
    assert devices["counter:w18"]["program"] == "counter" and devices["counter:w18"]["version"] == __version__
    assert devices["counter:w18"]["parts"] == {}
    assert devices["display:display-1"]["parts"]["sign"]["state"] == "ok"


def test_a_standalone_kiosk_records_its_state_in_its_own_hall(tmp_path):
    from app.kiosk_app import build_terminal
    from kiosk.config import load_kiosk_config
    from tests.kiosk_files import kiosk_file

    path = kiosk_file(tmp_path / "kiosk", printer="sim:?paper=near_end")
    terminal = build_terminal(load_kiosk_config(path), path, tmp_path / "kiosk" / "data", dev=True, start=False,
                              keys=tmp_path / "keys")
    try:
        assert terminal.reporter.report_now()
        [kiosk] = device_status.devices(terminal.hall.engine)
        assert (kiosk.key, kiosk.seen, kiosk.offline) == ("kiosk:K01", True, False)
        assert kiosk.parts["printer"].state == "paper_low"
        assert [a.kind for a in device_status.device_alerts(terminal.hall.engine)] == ["paper_low"]
    finally:
        terminal.close()


def test_a_change_reaches_an_event_stream_as_it_happens(live_server, engine):
    # The console's Live page follows the hall stream: a paper-out shows there, a heartbeat does not.
    import json

    stream = requests.get(f"{live_server.url}/api/v1/events", headers=h("guide"), stream=True, timeout=5)
    try:
        assert report(live_server, "kiosk", OK_KIOSK).status_code == 204
        assert report(live_server, "kiosk", OK_KIOSK).status_code == 204
        assert report(live_server, "kiosk", {**OK_KIOSK, "printer": {"state": "paper_out"}}).status_code == 204
        import time

        seen, kind, end = [], "", time.monotonic() + 10
        for line in stream.iter_lines(decode_unicode=True):
            if time.monotonic() > end:  # heartbeats every 0.5 s keep the loop turning
                break
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: ") and kind == "devstate":
                seen.append(json.loads(line[6:])["parts"]["printer"]["state"])
                if len(seen) == 2:
                    break
        assert seen == ["ok", "paper_out"]
    finally:
        stream.close()


def test_a_long_outage_is_logged_once_and_the_return_too(live_server, engine, caplog):
    import logging

    from kiosk.device_reporter import StatusReporter
    from tests.conftest import free_port

    reporter = StatusReporter(HallClient(f"http://127.0.0.1:{free_port()}", "test-kiosk", timeout=0.5), "kiosk")
    with caplog.at_level(logging.INFO, logger="kiosk.device_reporter"):
        assert [reporter.report_now() for _ in range(3)] == [False, False, False]
        reporter.hall = HallClient(live_server.url, "test-kiosk", timeout=5)
        assert reporter.report_now() and reporter.sent == 1 and reporter.last_error == ""
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert len(lines) == 2 and lines[0].startswith("status report not sent") and "again" in lines[1]
