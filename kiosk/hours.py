"""Whether a service takes tickets now: opening hours, lunch break, pause, quota."""

from __future__ import annotations

from datetime import datetime

from kiosk.config import Hours

# Machine keys of closed reasons; the kiosk shows them in the citizen's language.
CLOSED_REASONS = {
    "paused": ("暂停取号", "Temporarily paused"),
    "lunch": ("午休时间", "Lunch break"),
    "not_today": ("今日不办理", "Not available today"),
    "before_hours": ("尚未开始办理", "Not open yet"),
    "after_hours": ("今日已结束办理", "Closed for today"),
    "quota": ("今日号已取完", "Today's tickets are all taken"),
}


def hours_reason(hours: Hours, when: datetime) -> str | None:
    """Why ``hours`` are closed at ``when`` (a key of CLOSED_REASONS), or None when open."""
    if when.isoweekday() not in hours.weekdays:
        return "not_today"
    now = when.time()
    if now < hours.open:
        return "before_hours"
    if now >= hours.close:
        return "after_hours"
    if hours.lunch_start and hours.lunch_start <= now < hours.lunch_end:
        return "lunch"
    return None
