"""Statistics (kiosk.stats): a hand-made morning on the real engine with a fake clock, where
every figure is known beforehand."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from kiosk.case_models import CaseActionBody, CaseCreate
from kiosk.clerk_models import NewClerk
from kiosk.domain import HallError
from kiosk.models import ActionRequest, IssueRequest, WindowChange
from kiosk.rating_models import Rater, RatingRequest
from kiosk.stats import compute

pytestmark = pytest.mark.both_stores  # storage tests: on SQLite and on PostgreSQL (tests/pg.py)

DAY = date(2026, 11, 23)
RATER = Rater("window", "rater window 18", 18)


def at(clock, hhmm: str) -> None:
    """Set the fake clock to ``hhmm`` on the test's Monday."""
    from datetime import datetime

    from tests.conftest import SHANGHAI

    hour, minute = map(int, hhmm.split(":"))
    clock.set(datetime(2026, 11, 23, hour, minute, tzinfo=SHANGHAI))


@pytest.fixture
def morning(engine, clock):
    """Window 18's morning: tickets A, B, C, D issued at 10:00 (D by staff, moved to GC02 at
    10:05); clerk 0123 signs in at 10:00, pauses 10:30-10:35, signs out at 11:10.

    A: called 10:10 (wait 10), started 10:12 (walk 2), finished 10:20 (service 8), rated 5.
    B: called 10:20 (wait 20), no-show 10:30.
    C: called 10:40 (wait 40), started 10:43 (walk 3), requeued (补正) 10:50, called again 11:00,
       started 11:01 (walk 1), finished 11:05 (service 4), rated 2 (a rectification case).
    """
    engine.add_clerk(NewClerk(code="0123", name="王芳", pin="2580"))
    at(clock, "10:00")
    engine.sign_in(18, "0123", "2580", actor="window 18")
    a, b, c = (engine.issue(IssueRequest(service="GC01"), f"key-{n}") for n in "abc")
    d = engine.issue(IssueRequest(service="GC01", channel="staff"), "key-d")
    at(clock, "10:05")
    engine.act(d.id, "transfer", ActionRequest(service="GC02"))
    counter = ActionRequest(window=18)

    def step(hhmm: str, do) -> None:  # noqa: ANN001 - the change to make at hhmm
        at(clock, hhmm)
        do()

    step("10:10", lambda: engine.call_next(18))
    step("10:12", lambda: engine.act(a.id, "start", counter))
    step("10:20", lambda: engine.act(a.id, "finish", counter))
    engine.rate(a.id, RatingRequest(level=5), RATER)
    engine.call_next(18)
    step("10:30", lambda: engine.act(b.id, "no-show", counter))
    engine.change_window(18, WindowChange(paused=True))
    step("10:35", lambda: engine.change_window(18, WindowChange(paused=False)))
    step("10:40", lambda: engine.call_next(18))
    step("10:43", lambda: engine.act(c.id, "start", counter))
    step("10:50", lambda: engine.act(c.id, "requeue", counter))
    step("11:00", lambda: engine.act(c.id, "call", counter))
    step("11:01", lambda: engine.act(c.id, "start", counter))
    step("11:05", lambda: engine.act(c.id, "finish", counter))
    engine.rate(c.id, RatingRequest(level=2), RATER)
    at(clock, "11:10")
    engine.sign_out(18)
    return engine, {"a": a, "b": b, "c": c, "d": d}



def report(engine, by: str = "service", *, days: int = 0, **options):
    """The report of the test's Monday (and ``days`` after it)."""
    options.setdefault("now", engine.clock.now())
    return compute(engine.store, engine.config, DAY, DAY + timedelta(days=days), by, **options)


def figures(f) -> tuple:  # noqa: ANN001 - a Figures
    return (f.n, f.mean, f.median, f.p90, f.over)


def test_counts_waits_service_and_walk_times_of_a_known_morning(morning):
    engine, _ = morning
    rows = {row.key: row for row in report(engine).rows}
    assert list(rows) == ["GC01", "GC02"]  # the hall file's order
    gc01, gc02 = rows["GC01"], rows["GC02"]
    assert gc01.label == {"zh": "综合咨询", "en": "Quick Enquiries"}
    assert (gc01.issued, gc01.served, gc01.no_show, gc01.transferred, gc01.requeued) == (3, 2, 1, 0, 1)
    assert (gc02.issued, gc02.transferred, gc02.channels["staff"]) == (1, 1, 1)  # D, in its final service
    assert gc01.channels == {"kiosk": 3, "staff": 0, "appointment": 0, "offline": 0, "remote": 0}
    # Waits 10, 20, 40 min (C's requeue does not restart its wait): p90 by nearest rank is 40.
    assert figures(gc01.wait) == (3, 23.33, 20.0, 40.0, 0.3333)
    assert figures(gc01.service)[:4] == (2, 6.0, 6.0, 8.0)  # A 8 min, C 4 min (from its last start)
    assert figures(gc01.walk)[:4] == (3, 2.0, 2.0, 3.0)  # A 2, C 3 then 1
    assert gc02.wait.n == 0 and gc02.wait.mean is None


def test_the_estimate_shown_at_issue_is_compared_with_the_wait(morning):
    engine, t = morning
    # Two windows serve GC01 at 2 min a ticket and the walk-up's half a minute, and only window 18
    # has a clerk, free (kiosk.estimators' mix): A was told 0 min (ahead 0, a window free); B 3
    # (blend 1.5 / 0.8 a minute = 1.875, flow: window 18 takes A, then B at 2.5 + 0.3; 2.15
    # rounded up); C 4 (blend 3.125, flow 5.3: 3.78).
    assert (t["a"].eta_minutes, t["b"].eta_minutes, t["c"].eta_minutes) == (0, 3, 4)
    totals = report(engine).totals
    assert (totals.estimate.n, totals.estimate.mae, totals.estimate.bias) == (3, 21.0, 21.0)  # (10+17+36)/3


def test_a_ticket_issued_before_estimates_were_recorded_is_left_out_of_their_error(morning):
    import json

    from sqlalchemy import update

    from kiosk import store as db

    engine, t = morning
    e = db.ticket_events
    with engine.store.write() as conn:  # as an older version wrote it: no estimate in the detail
        conn.execute(update(e).where(e.c.ticket_id == t["c"].id, e.c.action == "issue")
                     .values(detail=json.dumps({"channel": "kiosk", "device": "", "priority": "normal"})))
    estimate = report(engine).totals.estimate
    assert (estimate.n, estimate.mae, estimate.bias) == (2, 13.5, 13.5)  # (10 + 17) / 2
    assert report(engine).totals.wait.n == 3  # its wait still counts


def test_windows_open_and_idle_time(morning):
    engine, _ = morning
    by_window = {row.key: row for row in report(engine, "window").rows}
    # Open 10:00-10:30 and 10:35-11:10 (65 min); busy 10:10-10:30, 10:40-10:50, 11:00-11:05.
    assert (by_window["18"].open_min, by_window["18"].idle_min) == (65.0, 30.0)
    assert by_window["18"].label == {"zh": "18号咨询台", "en": "Help desk 18"}
    assert by_window[""].issued == 1 and by_window[""].label["en"] == "(none)"  # D was never called
    by_clerk = {row.key: row for row in report(engine, "clerk").rows}
    assert by_clerk["0123"].label == {"zh": "王芳（0123）", "en": "王芳 (0123)"}
    assert (by_clerk["0123"].open_min, by_clerk["0123"].served) == (65.0, 2)
    by_hour = {row.key: row for row in report(engine, "hour").rows}
    assert (by_hour["10"].open_min, by_hour["10"].idle_min, by_hour["10"].issued) == (55.0, 25.0, 4)
    assert (by_hour["11"].open_min, by_hour["11"].idle_min, by_hour["11"].issued) == (10.0, 5.0, 0)
    assert by_hour["10"].label["en"] == "10:00–11:00"
    assert report(engine, "service").rows[0].open_min is None  # a service has no open time


def test_a_window_still_open_counts_until_now(morning, clock):
    engine, _ = morning
    at(clock, "11:20")
    engine.sign_in(18, "0123", "2580")
    at(clock, "11:30")
    assert report(engine, "window").rows[0].open_min == 75.0


def test_ratings_satisfaction_and_cases(morning, clock):
    engine, t = morning
    totals = report(engine).totals
    assert totals.ratings == {"5": 1, "4": 0, "3": 0, "2": 1, "1": 0}
    assert (totals.rated, totals.satisfaction) == (2, 0.5)  # levels 3-5 are 好评
    assert (totals.cases_opened, totals.cases_in_time, totals.cases_overdue) == (1, 0, 0)  # C's bad rating
    case = engine.register_case(CaseCreate(request="a permit", reason="a missing stamp", ticket_id=t["d"].id,
                                           owner="guide"), "guide desk")
    at(clock, "11:30")
    engine.case_step(case.id, "reply", CaseActionBody(note="done another way"), "guide desk")
    later = engine.clock.now() + 40 * 86400  # past every deadline
    totals = report(engine, now=later).totals
    assert (totals.cases_opened, totals.cases_in_time, totals.cases_overdue) == (2, 1, 1)


def test_groupings_by_day_priority_and_channel(morning):
    engine, _ = morning
    by_day = report(engine, "day", days=6).rows
    assert [(r.key, r.issued, r.open_min) for r in by_day] == [("2026-11-23", 4, 65.0)]
    assert [(r.key, r.issued) for r in report(engine, "priority").rows] == [("normal", 4)]
    assert [(r.key, r.issued, r.label["zh"]) for r in report(engine, "channel").rows] == [
        ("kiosk", 3, "自助机"), ("staff", 1, "人工取号")]
    assert report(engine, days=1).totals.issued == 4
    assert compute(engine.store, engine.config, DAY + timedelta(days=1), DAY + timedelta(days=1)).totals.issued == 0


@pytest.mark.parametrize(("start", "end", "by", "words"), [
    (DAY, DAY - timedelta(days=1), "service", "give from on or before to"),
    (DAY, DAY + timedelta(days=366), "service", "a year or less"),
    (DAY, DAY, "zone", "one of service, window, clerk, hour, day, priority, channel"),
])
def test_impossible_reports_are_refused_with_the_fix(engine, start, end, by, words):
    with pytest.raises(HallError) as refused:
        compute(engine.store, engine.config, start, end, by)
    assert refused.value.status == 422 and words in refused.value.detail


def test_a_whole_year_is_accepted(engine):
    assert compute(engine.store, engine.config, DAY, DAY + timedelta(days=365)).totals.issued == 0


def test_the_stats_command_writes_each_format_and_a_table(morning, hall_db, tmp_path, capsys):
    import json

    from openpyxl import load_workbook

    from app.cli import main
    from kiosk.config import PROJECT_CONFIG_DIR
    from tests.kiosk_files import cli_args

    hall = PROJECT_CONFIG_DIR / "hall.toml"
    db = [] if isinstance(hall_db, Path) else ["--db", hall_db]  # the PostgreSQL database of --db
    words = ["stats", "--data", tmp_path, *db, "--config", hall, "--from", "2026-11-23", "--to", "2026-11-23"]
    args = cli_args(*words)
    assert (args.by, args.threshold, args.lang, args.out) == ("service", "30", "zh", None)
    assert main([str(w) for w in words]) == 0
    shown = capsys.readouterr().out
    assert "综合咨询" in shown and "合计" in shown and "23.3" in shown and "33.3%" in shown
    for suffix in ("csv", "xlsx", "json"):
        out = tmp_path / f"report.{suffix}"
        assert main([str(w) for w in [*words, "--by", "window", "--lang", "en", "--out", out]]) == 0
    report = json.loads((tmp_path / "report.json").read_text("utf-8"))
    assert (report["rows"][0]["key"], report["rows"][0]["open_min"]) == ("18", 65.0)
    assert (tmp_path / "report.csv").read_bytes().startswith("\ufeffWindow,Code,Issued".encode())
    sheet = load_workbook(tmp_path / "report.xlsx")["Statistics"]
    assert (sheet["A2"].value, sheet["C2"].value) == ("Help desk 18", 3)


@pytest.mark.parametrize(("more", "words"), [
    (["--from", "2026-11-30"], "give from on or before to"),
    (["--to", "30.11.2026"], "--to '30.11.2026' is not a date; write it as YYYY-MM-DD"),
    (["--by", "zone"], "use one of service"),
    (["--threshold", "x"], "--threshold 'x' is not a number of minutes"),
    (["--out", "report.pdf"], "name it .csv, .xlsx or .json"),
    (["--out", "/nonexistent/folder/report.csv"], "cannot write /nonexistent/folder/report.csv"),
    (["--config", "missing.toml"], "the hall file missing.toml cannot be used"),
    (["--data", "/nonexistent"], "no hall database at /nonexistent/hall.db"),
])
@pytest.mark.sqlite_only  # refusals of the arguments, the same for --db
def test_the_stats_command_refuses_in_one_sentence(engine, tmp_path, capsys, more, words):
    from app.cli import main
    from kiosk.config import PROJECT_CONFIG_DIR

    base = {"--data": str(tmp_path), "--config": str(PROJECT_CONFIG_DIR / "hall.toml"), "--from": "2026-11-01",
            "--to": "2026-11-23"}
    base.update(dict(zip(more[::2], more[1::2], strict=True)))
    assert main(["stats", *(w for pair in base.items() for w in pair)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kiosk: ") and words in err and err.count("\n") == 1, err


def test_a_pause_from_an_earlier_day_keeps_the_window_closed(engine, clock):
    engine.add_clerk(NewClerk(code="0123", name="王芳", pin="2580"))
    at(clock, "17:00")
    engine.change_window(18, WindowChange(paused=True))
    clock.advance(86400)  # Tuesday: signed in at 17:00, the window still paused until 17:30
    engine.sign_in(18, "0123", "2580")
    clock.advance(1800)
    engine.change_window(18, WindowChange(paused=False))
    clock.advance(600)
    engine.sign_out(18)
    tuesday = DAY + timedelta(days=1)
    row = compute(engine.store, engine.config, tuesday, tuesday, "window", now=engine.clock.now()).rows[0]
    assert (row.key, row.open_min, row.idle_min) == ("18", 10.0, 10.0)


def test_channels_offline_remote_and_appointment(engine, clock):
    from datetime import datetime

    from kiosk.models import Appointment
    from tests.conftest import SHANGHAI

    engine.issue(IssueRequest(service="GC01", channel="api"), "remote")
    engine.issue(IssueRequest(service="GC01", channel="offline", device="K01", number="K900",
                              issued_at=datetime(2026, 11, 23, 9, 50, tzinfo=SHANGHAI)), "paper")
    engine.add_appointments([Appointment(booking_code="BK1", service="GC01",
                                         slot_start=datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI),
                                         slot_end=datetime(2026, 11, 23, 10, 30, tzinfo=SHANGHAI))])
    engine.issue(IssueRequest(service="GC01", appointment="BK1"), "booked")
    totals = compute(engine.store, engine.config, DAY, DAY, "channel", now=clock.now()).totals
    assert totals.channels == {"kiosk": 0, "staff": 0, "appointment": 1, "offline": 1, "remote": 1}
    at(clock, "10:20")
    for _ in range(3):
        assert engine.call_next(18) is not None
    totals = compute(engine.store, engine.config, DAY, DAY, "channel", now=clock.now()).totals
    assert (totals.wait.n, totals.estimate.n) == (3, 2)  # an offline paper showed no estimate
