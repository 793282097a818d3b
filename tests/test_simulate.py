"""``kiosk simulate`` (kiosk.simulate): a small simulated day through the real engine on a real
SQLite file, deterministic with a seed; the profile fitted back from its log; the command's output."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from app.cli import main
from kiosk import store as db
from kiosk.config import PROJECT_CONFIG_DIR, load_hall_config
from kiosk.estimators import ESTIMATORS
from kiosk.hallday_plan import HOURLY_CURVE, Profile
from kiosk.simulate import error_rows, fairness, simulate
from kiosk.simulate_profile import fit_profile, hall_profile
from kiosk.store import Store

TICKETS = 160


@pytest.fixture(scope="module")
def config():
    return load_hall_config(PROJECT_CONFIG_DIR / "hall.toml")


@pytest.fixture(scope="module")
def run(config, tmp_path_factory):
    """One day in this process; its store stays in the day's folder of ``data_dir``."""
    folder = tmp_path_factory.mktemp("simulate") / "data"
    result = simulate(config, 1, tickets_per_day=TICKETS, seed=5, data_dir=folder, jobs=1)
    return result, folder / result.summaries[0].day


def waits(result):
    return [(s.ticket, s.ahead, s.wait_s, {k: v and v.minutes for k, v in s.estimates.items()})
            for s in result.samples]


def test_every_online_ticket_gets_every_estimate_and_most_a_wait(run):
    result, _ = run
    assert result.tickets == result.summaries[0].issued > 0.9 * TICKETS
    assert len(result.samples) > 0.8 * TICKETS
    assert all(set(s.estimates) == set(ESTIMATORS) for s in result.samples)
    called = [s for s in result.samples if s.wait_s is not None]
    assert len(called) > 0.8 * len(result.samples) and all(s.wait_s >= 0 for s in called)
    rows = error_rows(result.samples)
    assert {r.estimator for r in rows} == {*ESTIMATORS, "published"}
    # What the engine published through its own views agrees with the simulator's mix over
    # the same moment for most tickets (its figures are read from the store, a moment older).
    same = [s for s in called if s.published is not None and s.estimates["mix"] is not None]
    assert sum(abs(s.published - s.estimates["mix"].shown) <= 1 for s in same) > 0.8 * len(same)
    # Tickets issued while all their windows were paused have no estimate to compare (None).
    assert all(0.8 * len(called) < r.n <= len(called) for r in rows if r.service == "*")


def test_the_estimate_days_sign_clerks_in_for_real_at_a_cheap_pin_cost_and_nobody_rates(run):
    from sqlalchemy import select

    from kiosk import store as db

    result, folder = run
    summary = result.summaries[0]
    assert summary.sign_ins > 0 and not summary.ratings  # the real sign-in check passed each time
    store = Store(folder / "hall.db", data_dir=folder)
    try:
        with store.read() as conn:
            hashes = conn.execute(select(db.clerks.c.pin_hash)).scalars().all()
            e = db.ticket_events
            failed = conn.execute(select(e.c.action).where(e.c.action == "sign-in-failed")).all()
    finally:
        store.close()
    assert hashes and all(h.startswith("scrypt$16$") for h in hashes)  # n = 16, not 2**14
    assert failed  # the morning's mistyped PIN is still refused by the same check


def test_the_same_seed_plays_the_same_day(config, run):
    again = simulate(config, 1, tickets_per_day=TICKETS, seed=5, jobs=1)
    assert waits(again) == waits(run[0])


def summaries(result):
    return [{k: v for k, v in s.as_dict().items() if k != "seconds"} for s in result.summaries]


def replayable(result):
    """The samples without the estimate the engine published: the engine keeps its slow state
    (the figures it estimates from) up to a second of real time, so what it publishes between
    two of its own changes depends on how fast the machine ran, in one process as in two."""
    return [replace(s, published=None) for s in result.samples]


def test_days_spread_over_processes_give_the_same_run_as_in_one(config, tmp_path):
    """Each day has a store of its own, so two worker processes play the same days, sample for
    sample, as this process does alone; each day's store stays in its own folder."""
    alone = simulate(config, 3, tickets_per_day=60, seed=3, jobs=1)
    spread = simulate(config, 3, tickets_per_day=60, seed=3, jobs=2, data_dir=tmp_path)
    assert (alone.jobs, spread.jobs) == (1, 2)
    assert [s.day for s in spread.summaries] == ["2026-11-23", "2026-11-24", "2026-11-25"]
    assert summaries(spread) == summaries(alone) and alone.tickets > 150
    assert replayable(spread) == replayable(alone) and len(alone.samples) > 100
    assert error_rows(spread.samples) == error_rows(alone.samples)
    assert spread.overtakes == alone.overtakes == 0
    assert spread.cpu_seconds > 0 and spread.seconds > 0
    for summary in spread.summaries:  # each day's own store, holding that day only
        store = Store(tmp_path / summary.day / "hall.db", data_dir=tmp_path / summary.day)
        try:
            with store.read() as conn:
                days = set(conn.execute(select(db.tickets.c.day).distinct()).scalars())
        finally:
            store.close()
        assert days == {summary.day}


def test_priority_goes_first_and_never_past_an_overdue_normal_ticket(config, run):
    result, _ = run
    fair = fairness(result.samples, result.config)
    assert fair.priority_median_min <= fair.normal_median_min
    assert result.overtakes == 0


def test_a_profile_fitted_from_the_log_and_the_hall_files(config, run):
    _, folder = run
    store = Store(folder / "hall.db", data_dir=folder)
    try:
        profile = fit_profile(store, config)
    finally:
        store.close()
    assert sum(profile.shares.values()) == pytest.approx(TICKETS, rel=0.1)
    assert set(profile.hourly) <= set(HOURLY_CURVE)  # only opening hours have arrivals
    busiest = max(profile.hourly, key=profile.hourly.get)
    assert busiest in (9, 10, 14, 15)  # the morning or afternoon peak
    assert profile.service_time  # lognormals of the services with enough served tickets
    assert hall_profile(config) == Profile()  # the sample hall file has no [demand]


def test_an_empty_log_is_refused_with_a_sentence(config, tmp_path):
    store = Store(tmp_path / "hall.db", data_dir=tmp_path)
    try:
        with pytest.raises(ValueError, match="no tickets"):
            fit_profile(store, config)
    finally:
        store.close()


def test_the_command_prints_the_tables_and_writes_the_chart(tmp_path, capsys):
    assert main(["simulate", "--days", "1", "--tickets", "60", "--seed", "2", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "tickets/s" in out and "Estimator mix  (the engine's)" in out and "Estimator blend" in out and "Estimator today" in out
    svg = ET.parse(tmp_path / "estimates.svg").getroot()
    assert svg.tag.endswith("svg") and len(svg.findall(".//{http://www.w3.org/2000/svg}circle")) > 20
    assert (tmp_path / "samples.json").stat().st_size > 0


@pytest.mark.parametrize("argv, words", [
    (["--days", "0"], "--days 0 is not between"),
    (["--from-data", "/nonexistent"], "holds no hall.db"),
    (["--jobs", "0"], "--jobs 0 is not between 1 and 256"),
    (["--load", "1.5"], "--load 1.5 is not between 0.3 and 1.0"),
])
def test_bad_arguments_are_refused(argv, words, capsys):
    assert main(["simulate", *argv]) == 1
    assert words in capsys.readouterr().err


def test_a_busier_load_staffs_fewer_windows_and_waits_grow(config):
    from kiosk.hallday_plan import busy_hall

    assert len(busy_hall(config, 1500, 0.95).windows) < len(busy_hall(config, 1500).windows)
    calm, busy = (simulate(config, 1, tickets_per_day=600, seed=3, load=load, jobs=1) for load in (0.6, 0.95))
    assert fairness(busy.samples, busy.config).normal_median_min > fairness(calm.samples, calm.config).normal_median_min


def test_days_are_working_days(config):
    result = simulate(config, 1, tickets_per_day=20, seed=1, first_day=date(2026, 11, 28))  # a Saturday
    assert result.summaries[0].day == "2026-11-30"


def test_the_hall_files_demand(tmp_path):
    text = (PROJECT_CONFIG_DIR / "hall.toml").read_text(encoding="utf-8")
    path = tmp_path / "hall.toml"
    path.write_text(text + '\n[demand]\nhourly = { "9" = 3, "14" = 1.5 }\nshares = { GC01 = 1, TX01 = 3 }\n',
                    encoding="utf-8")
    profile = hall_profile(load_hall_config(path))
    assert profile.hourly == {9: 3.0, 14: 1.5} and profile.shares == {"GC01": 1.0, "TX01": 3.0}
    path.write_text(text + '\n[demand]\nhourly = { "25" = 1 }\n', encoding="utf-8")
    from kiosk.config import ConfigError

    with pytest.raises(ConfigError):
        load_hall_config(path)


def _overdue_morning(engine, clock, call_priority_first: bool) -> int:
    from kiosk.models import ActionRequest, IssueRequest
    from kiosk.simulate import overdue_overtakes

    normal = engine.issue(IssueRequest(service="GC01"), "n")
    clock.advance(46 * 60)  # past the sample hall's max_wait_minutes (45)
    green = engine.issue(IssueRequest(service="GC01", priority="green", channel="staff"), "g")
    if call_priority_first:  # a clerk calling the priority ticket by hand, around the order
        engine.act(green.id, "call", ActionRequest(window=18))
    else:
        assert engine.call_next(18).ticket == normal.id  # the overdue normal ticket goes first
    with engine.store.read() as conn:
        return overdue_overtakes(conn, engine.config, engine.today())


def test_the_overdue_check_sees_a_priority_call_before_an_overdue_normal_ticket(engine, clock):
    assert _overdue_morning(engine, clock, call_priority_first=True) == 1


def test_the_ordering_calls_the_overdue_normal_ticket_first(engine, clock):
    assert _overdue_morning(engine, clock, call_priority_first=False) == 0


def test_the_overdue_check_counts_a_ticket_in_the_service_it_was_in_at_the_call(engine, clock):
    from kiosk.models import ActionRequest, IssueRequest
    from kiosk.simulate import overdue_overtakes

    normal = engine.issue(IssueRequest(service="GC02"), "n")  # window 20's, not window 18's
    clock.advance(46 * 60)
    green = engine.issue(IssueRequest(service="GC01", priority="green", channel="staff"), "g")
    assert engine.call_next(18).ticket == green.id  # window 18 serves GC01 only: nobody overdue there
    assert engine.call_next(20).ticket == normal.id
    engine.act(normal.id, "start", ActionRequest(window=20))
    engine.act(normal.id, "transfer", ActionRequest(window=20, service="GC01"))  # it ends in GC01
    with engine.store.read() as conn:
        assert overdue_overtakes(conn, engine.config, engine.today()) == 0
