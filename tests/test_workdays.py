"""The hall's working-day calendar: weekends, public holidays and 调休 make-up days."""

from datetime import date, datetime

import pytest
from pydantic import ValidationError

from kiosk.config import PROJECT_CONFIG_DIR, load_hall_config
from kiosk.workdays import (
    CalendarSettings,
    add_working_days,
    deadline_after,
    is_working_day,
    reminder_before,
    working_days_between,
)
from tests.conftest import SHANGHAI

# The sample hall's National Day week: 10-01 to 10-07 off, Sunday 09-20 and Saturday 10-10 worked.
NATIONAL_DAY = CalendarSettings(
    holidays=[date(2026, 10, d) for d in range(1, 8)],
    workdays=[date(2026, 9, 20), date(2026, 10, 10)],
)


def test_weekdays_work_weekends_do_not():
    plain = CalendarSettings()
    assert is_working_day(date(2026, 11, 23), plain)  # Monday
    assert not is_working_day(date(2026, 11, 28), plain)  # Saturday
    assert add_working_days(date(2026, 11, 27), 1, plain) == date(2026, 11, 30)  # Friday → Monday


def test_holidays_are_skipped_and_make_up_saturdays_count():
    assert not is_working_day(date(2026, 10, 1), NATIONAL_DAY)  # a Thursday, but a holiday
    assert is_working_day(date(2026, 10, 10), NATIONAL_DAY)  # a Saturday, but worked (调休)
    # Opened Wednesday 09-30: 10-08 Thu (1), 10-09 Fri (2), 10-10 Sat 调休 (3), 10-12 Mon (4), 10-13 Tue (5).
    assert add_working_days(date(2026, 9, 30), 5, NATIONAL_DAY) == date(2026, 10, 13)
    # Without the calendar the same five days would end on 10-07, inside the holiday.
    assert add_working_days(date(2026, 9, 30), 5, CalendarSettings()) == date(2026, 10, 7)


def test_counting_backwards_and_between():
    assert add_working_days(date(2026, 10, 13), -5, NATIONAL_DAY) == date(2026, 9, 30)
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 13), NATIONAL_DAY) == 5
    assert add_working_days(date(2026, 9, 19), 1, NATIONAL_DAY) == date(2026, 9, 20)  # the 调休 Sunday


def test_deadline_is_the_end_of_the_last_working_day_in_the_halls_zone():
    opened = datetime(2026, 9, 30, 16, 0, tzinfo=SHANGHAI).timestamp()
    deadline = deadline_after(opened, 5, NATIONAL_DAY, SHANGHAI)
    assert datetime.fromtimestamp(deadline, SHANGHAI) == datetime(2026, 10, 14, 0, 0, tzinfo=SHANGHAI)
    # Reminded 2 working days before the last day (10-13): at the start of the 调休 Saturday 10-10.
    remind = reminder_before(deadline, 2, NATIONAL_DAY, SHANGHAI)
    assert datetime.fromtimestamp(remind, SHANGHAI) == datetime(2026, 10, 10, 0, 0, tzinfo=SHANGHAI)
    assert reminder_before(deadline, 0, NATIONAL_DAY, SHANGHAI) == \
        datetime(2026, 10, 13, 0, 0, tzinfo=SHANGHAI).timestamp()


def test_a_day_in_both_lists_is_refused_with_what_to_do():
    with pytest.raises(ValidationError, match="2026-10-01 is both a holiday and a make-up working day"):
        CalendarSettings(holidays=["2026-10-01"], workdays=["2026-10-01"])
    with pytest.raises(ValidationError):
        CalendarSettings(holidays=["2026-13-01"])


def test_a_calendar_without_working_days_is_refused_not_looped_on():
    with pytest.raises(ValueError, match="no working day"):
        add_working_days(date(2026, 1, 1), 1, CalendarSettings(weekend=[1, 2, 3, 4, 5, 6, 7]))


def test_the_sample_hall_declares_national_day_2026():
    calendar = load_hall_config(PROJECT_CONFIG_DIR / "hall.toml").calendar
    assert add_working_days(date(2026, 9, 30), 5, calendar) == date(2026, 10, 13)
