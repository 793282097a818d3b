"""Read-side helpers of the engine: per-day service state, window pauses, API views."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, bindparam, insert, select, update

from kiosk import day_stats, estimators
from kiosk import store as db
from kiosk.config import HallConfig
from kiosk.models import Catalog, QueueEntry, ServiceChange, Ticket, page_url

SLOW_STATE_TTL = 1.0
"""Seconds a process keeps staff overrides, window pauses and service-time means."""


_t = db.tickets
BUSY_WINDOWS = select(_t.c.window, _t.c.service, _t.c.called_at, _t.c.started_at).where(
    _t.c.day == bindparam("day"), _t.c.service.in_(bindparam("services", expanding=True)),
    _t.c.state.in_(("called", "serving")), _t.c.window.is_not(None))
"""The day's called and serving tickets (the queue index, a point per service and state): what the
windows are doing. Built once: building a statement costs more than running it."""


class ViewBuilder:
    """Turns stored rows and the hall config into the API's objects."""

    def __init__(self, config: HallConfig, tz: ZoneInfo, now: Callable[[], float] | None = None):
        """``now``: the engine's clock (the estimates count the service under way from it); None
        (the offline catalog) estimates from the figures' latest time."""
        self.config = config
        self.tz = tz
        self.now = now
        self._slow_cache: tuple[str, float, dict] | None = None
        self._window_cache: tuple[str, float, dict] | None = None

    def day_state(self, conn: Connection, day: str, service: str | None = None) -> dict:
        """What decides whether a service is open and how long it takes, for ``day``.

        Issued and waiting counts are always read fresh (quotas must be exact), from the
        counters ``kiosk.day_stats`` keeps (one short row per service, never a count of the
        day's tickets): of every service, or of ``service`` alone (an issue needs one). Staff
        overrides, paused windows and mean service times change rarely: they are kept up to
        ``SLOW_STATE_TTL`` seconds, and this process's own changes drop them at once, so only
        another process's change can take that long to show.
        """
        if service is None:
            counts = day_stats.read_day(conn, day, [s.code for s in self.config.services])
        elif conn.info.get("write"):  # an issue: the row is made here if the day has none yet
            counts = {service: day_stats.ensure(conn, day, service)}
        else:
            counts = {service: day_stats.read(conn, day, service)}
        state = {**self._slow_state(conn, day), "issued": {k: c.issued for k, c in counts.items()},
                 "waiting": {k: c.waiting for k, c in counts.items()}}
        state["figures"] = self._with_windows(conn, day, state)
        return state

    def _with_windows(self, conn: Connection, day: str, state: dict) -> estimators.Figures:
        """The cached figures with what each window is doing now: the estimate of a ticket with
        few ahead is mostly the time until a window frees. A copy: the cached one is shared."""
        busy = self._busy_windows(conn, day)
        # A window with no citizen is free when its clerk is signed in; in a hall where nobody
        # signs in, every window without a citizen is.
        staffed = set(state.get("clerks") or ()) or {w.number for w in self.config.windows}
        idle = staffed - set(busy) - set(state["paused_windows"])
        return replace(state["figures"], busy=busy, idle=idle)

    def _busy_windows(self, conn: Connection, day: str) -> dict[int, tuple[str, float, float | None]]:
        """The windows with a citizen called or served (one short query on the queue index),
        kept like the slow state: a call, start or finish of this process drops it
        (``forget_windows``), another process's shows within ``SLOW_STATE_TTL``. Issues change
        no window: a burst of them reads it once."""
        now = time.monotonic()
        cached = self._window_cache
        if cached and cached[0] == day and now - cached[1] < SLOW_STATE_TTL:
            return cached[2]
        rows = conn.execute(BUSY_WINDOWS, {"day": day, "services": [s.code for s in self.config.services]}).all()
        busy = {r.window: (r.service, r.called_at or 0.0, r.started_at) for r in rows}
        self._window_cache = (day, now, busy)
        return busy

    def forget_windows(self) -> None:
        """Drop what the windows were doing (a ticket was called, started, finished or left)."""
        self._window_cache = None

    def _slow_state(self, conn: Connection, day: str) -> dict:
        now = time.monotonic()
        cached = self._slow_cache
        if cached and cached[0] == day and now - cached[1] < SLOW_STATE_TTL:
            return cached[2]
        s = db.service_days
        overrides = {
            r.service: {"paused": bool(r.paused), "quota": r.quota, "reason": r.reason}
            for r in conn.execute(select(s).where(s.c.day == day))
        }
        figures = estimators.hall_figures(conn, self.config, day)
        state = {"services": overrides, "paused_windows": self.paused_windows(conn),
                 "mean_minutes": figures.means(), "clerks": self.window_clerks(conn), "figures": figures}
        self._slow_cache = (day, now, state)
        return state

    def forget(self) -> None:
        """Drop the cached slow state (after a change made by this process)."""
        self._slow_cache = None
        self._window_cache = None

    def mean_minutes(self, conn: Connection, day: str) -> dict[str, float]:
        """Per service, the mean of its most recent service times today (the estimate's basis)."""
        t = db.tickets
        samples = self.config.policy.recent_service_samples
        rows = conn.execute(
            select(t.c.service, t.c.finished_at - t.c.started_at)
            .where(t.c.day == day, t.c.finished_at.is_not(None), t.c.started_at.is_not(None))
            .order_by(t.c.finished_at.desc())
            .limit(samples * len(self.config.services))
        ).all()
        recent: dict[str, list[float]] = {}
        for service, seconds in rows:
            if len(recent.setdefault(service, [])) < samples:
                recent[service].append(seconds)
        return {s: max(sum(v) / len(v) / 60, 0.5) for s, v in recent.items()}

    def paused_windows(self, conn: Connection) -> set[int]:
        """Numbers of the windows a clerk has paused."""
        w = db.window_states
        return set(conn.execute(select(w.c.number).where(w.c.paused.is_(True))).scalars())

    @staticmethod
    def window_clerks(conn: Connection) -> dict[int, dict]:
        """The clerk signed in at each window: {window: {"code", "name"}}."""
        c = db.clerks
        rows = conn.execute(select(c.c.window, c.c.code, c.c.name).where(c.c.window.is_not(None)))
        return {r.window: {"code": r.code, "name": r.name} for r in rows}

    def window_paused(self, conn: Connection, number: int) -> bool:
        """Whether window ``number`` is paused."""
        return number in self.paused_windows(conn)

    def open_windows(self, state: dict, service: str) -> list[int]:
        """Windows serving ``service`` that are not paused, per a day state."""
        return [n for n in self.config.windows_for(service) if n not in state["paused_windows"]]

    def eta(self, state: dict, service: str, ahead: int) -> int | None:
        """Minutes until a ticket with ``ahead`` tickets before it is called (kiosk.estimators)."""
        found = self.estimate(state, service, ahead)
        return None if found is None else found.shown

    def estimate(self, state: dict, service: str, ahead: int) -> estimators.Estimate | None:
        """The wait with its range, by the hall's estimator (``estimators.BEST``)."""
        figures = state.get("figures") or estimators.Figures(  # a state made without the figures (offline)
            {w.number: list(w.services) for w in self.config.windows},
            {s.code: state.get("mean_minutes", {}).get(s.code, s.service_minutes) for s in self.config.services})
        now = self.now() if self.now is not None else None
        return estimators.estimate(figures, service, ahead, self.open_windows(state, service), now)

    def set_service_day(self, conn: Connection, day: str, code: str, change: ServiceChange) -> None:
        """Store a pause, resume or quota change of one service for one day."""
        self.forget()
        s = db.service_days
        values = {k: v for k, v in {"paused": change.paused, "quota": change.quota}.items() if v is not None}
        values["reason"] = change.reason
        where = (s.c.day == day, s.c.service == code)
        if conn.execute(select(s.c.day).where(*where)).first():
            conn.execute(update(s).where(*where).values(**values))
        else:
            conn.execute(insert(s).values(day=day, service=code, **{"paused": False, **values}))

    def set_window_paused(self, conn: Connection, number: int, paused: bool) -> None:
        """Pause or resume one window."""
        self.forget()
        w = db.window_states
        if conn.execute(select(w.c.number).where(w.c.number == number)).first():
            conn.execute(update(w).where(w.c.number == number).values(paused=paused))
        else:
            conn.execute(insert(w).values(number=number, paused=paused))

    def ticket(self, row: dict, ahead: int | None, eta: int | None) -> Ticket:
        """The API view of a stored ticket."""
        return Ticket(
            id=row["id"],
            number=row["number"],
            service=row["service"],
            priority=row["priority"],
            state=row["state"],
            issued_at=datetime.fromtimestamp(row["issued_at"], self.tz),
            ahead=ahead,
            eta_minutes=eta,
            windows=self.config.windows_for(row["service"]),
            status_url=page_url(self.config.hall.public_url, row.get("page_token")),
            offline=bool(row["offline"]),
            window=row["window"],
            recalls=row["recalls"],
            id_mask=row["id_mask"],
            name_mask=row["name_mask"],
            appointment=row["appointment"],
            device=row["device"] or "",
            clerk=row.get("clerk"),
        )

    def catalog(self, entries: dict[str, QueueEntry], state: dict, day: str) -> Catalog:
        """The catalog, with each service's live state from ``entries``."""
        cfg = self.config
        services = []
        for s in cfg.services:
            entry = entries[s.code]
            override = state["services"].get(s.code, {})
            services.append({
                "code": s.code, "name": s.name.model_dump(), "zone": s.zone, "prefix": s.prefix,
                "kind": s.kind, "id_required": s.id_required, "priorities": s.priorities,
                "materials": s.materials.model_dump(), "bundle_items": s.bundle_items.model_dump(),
                "open": entry.open, "closed_reason": entry.closed_reason, "waiting": entry.waiting,
                "eta_minutes": entry.eta_minutes, "windows": cfg.windows_for(s.code),
                "quota": s.daily_quota if override.get("quota") is None else override["quota"],
                "issued": state["issued"].get(s.code, 0), "paused": bool(override.get("paused")),
                "remote": cfg.remote.enabled and s.remote,
            })
        return Catalog.model_validate({
            "hall": {"code": cfg.hall.code, "name": cfg.hall.name.model_dump(), "day": day,
                     "timezone": cfg.hall.timezone,
                     "notice": cfg.hall.notice.model_dump() if cfg.hall.notice else None},
            "zones": [z.model_dump() for z in cfg.zones],
            "services": services,
            "priorities": [p.model_dump() for p in cfg.priorities],
            "windows": [{**w.model_dump(), "paused": w.number in state["paused_windows"],
                         "clerk": state.get("clerks", {}).get(w.number)} for w in cfg.windows],
            "ratings": {"kiosk_self_service": cfg.ratings.kiosk_self_service,
                        "reasons": [r.model_dump() for r in cfg.rating_reasons]},
            "notify": {"enabled": cfg.notify.enabled, "ahead": cfg.notify.ahead},
        })
