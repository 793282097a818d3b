"""What a kiosk needs to issue tickets while the hall server is unreachable (DESIGN.md §7).

``OfflinePlan`` is read from the hall file next to the kiosk config: the kiosk's reserved number
range (``[[offline_ranges]]``), each service's prefix, digits and opening hours, and the hall's
time zone. With the last catalog the kiosk saw (cached on disk by the outbox) it builds the
offline catalog (estimates unknown, open per the cached hours) and the offline ticket itself.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.clock import hall_day, local
from kiosk.config import ConfigError, HallConfig, KioskConfig, OfflineRange, load_hall_config
from kiosk.domain import HallError, format_number
from kiosk.hours import hours_reason
from kiosk.models import Catalog, IssueRequest, Ticket, page_url
from kiosk.trust import check_kiosk_priority

log = logging.getLogger(__name__)


class OfflineUnavailable(HallError):
    """The kiosk cannot issue offline (no hall file, no range, range used up, no catalog)."""

    def __init__(self, detail: str):
        super().__init__("offline_unavailable", detail)


class OfflinePlan:
    """The hall rules a kiosk applies on its own while the server is away.

    ``hall`` may be None when the kiosk has no hall file: then ``problem`` says why and every
    offline issue is refused with that reason. ``ignore_hours`` mirrors ``kiosk serve --dev``,
    which treats the hall as open at any hour.
    """

    def __init__(self, hall: HallConfig | None, kiosk_id: str, *, ignore_hours: bool = False,
                 problem: str = ""):
        self.hall = hall
        self.kiosk_id = kiosk_id
        self.ignore_hours = ignore_hours
        self.problem = problem or ("" if hall else "no hall file")
        self.tz = ZoneInfo(hall.hall.timezone) if hall else ZoneInfo("Asia/Shanghai")
        self.ranges: list[OfflineRange] = [r for r in hall.offline_ranges if r.kiosk == kiosk_id] if hall else []

    @property
    def range(self) -> tuple[int, int] | None:
        """(first, last) sequence number reserved for this kiosk, or None."""
        if not self.ranges:
            return None
        return self.ranges[0].start, self.ranges[0].end

    def day(self, ts: float) -> str:
        """The hall day of ``ts`` (offline numbers restart with it, as online ones do)."""
        return hall_day(ts, self.tz)

    def require(self) -> tuple[int, int]:
        """The range, or an ``OfflineUnavailable`` naming why offline issuing is impossible."""
        if self.hall is None:
            raise OfflineUnavailable(f"cannot issue offline: {self.problem}")
        if self.range is None:
            raise OfflineUnavailable(
                f"cannot issue offline: the hall file reserves no [[offline_ranges]] for kiosk {self.kiosk_id}")
        return self.range

    def check(self, req: IssueRequest, ts: float) -> None:
        """Refuse what the server would refuse without looking at its queue: unknown service or
        priority, or a service closed by its hours."""
        self.require()
        service = self.hall.service(req.service)
        if service is None:
            raise HallError("unknown_service", f"no service with code {req.service!r}")
        if req.priority != "normal" and req.priority not in service.priorities:
            raise HallError("validation_error", f"service {service.code} does not take priority {req.priority!r}")
        check_kiosk_priority(req, self.hall)  # what the kiosk's token may issue, as the server rules
        reason = self.closed_reason(req.service, ts)
        if reason:
            raise HallError("service_closed", f"service {service.code} is not taking tickets now ({reason})",
                            {"closed_reason": reason})

    def closed_reason(self, code: str, ts: float) -> str | None:
        """Why ``code`` is closed at ``ts`` by its hours (None: open, or hours ignored)."""
        service = self.hall.service(code) if self.hall else None
        if service is None or self.ignore_hours:
            return None
        return hours_reason(service.hours or self.hall.hall.hours, local(ts, self.tz))

    def number(self, code: str, seq: int) -> str:
        """The printed number of sequence ``seq`` in service ``code``."""
        service = self.hall.service(code)
        return format_number(service.prefix, seq, service.digits)

    def ticket(self, req: IssueRequest, number: str, issued_at: float, catalog: Catalog | None) -> Ticket:
        """The offline ticket as the server will show it once synced (same id and status URL)."""
        day = self.day(issued_at)
        ticket_id = f"{day.replace('-', '')}-{number}"
        windows = self.hall.windows_for(req.service)
        if catalog is not None and catalog.service(req.service) is not None:
            windows = catalog.service(req.service).windows
        citizen = req.citizen
        return Ticket(
            id=ticket_id, number=number, service=req.service, priority=req.priority, state="waiting",
            issued_at=datetime.fromtimestamp(issued_at, self.tz), ahead=None, eta_minutes=None,
            windows=windows, status_url=page_url(self.hall.hall.public_url, req.page_token),
            offline=True, id_mask=citizen.id_mask if citizen else None,
            name_mask=citizen.name_mask if citizen else None, appointment=req.appointment,
            device=req.device,
        )

    def catalog(self, cached: Catalog | None, ts: float) -> Catalog:
        """The offline catalog: the cached one (else one built from the hall file) with every
        estimate unknown and each service open per its hours; a paused service stays closed."""
        base = cached or self._catalog_from_config(ts)
        if base is None:
            raise OfflineUnavailable(f"no catalog: the hall server was never reached and {self.problem}")
        services = []
        for s in base.services:
            reason = "paused" if s.paused else self.closed_reason(s.code, ts)
            services.append(s.model_copy(update={"eta_minutes": None, "open": reason is None,
                                                 "closed_reason": reason}))
        hall = base.hall.model_copy(update={"day": self.day(ts)})
        return base.model_copy(update={"services": services, "hall": hall})

    def _catalog_from_config(self, ts: float) -> Catalog | None:
        if self.hall is None:
            return None
        from kiosk.engine_views import ViewBuilder
        from kiosk.models import QueueEntry

        views = ViewBuilder(self.hall, self.tz)
        state = {"services": {}, "issued": {}, "paused_windows": set(), "mean_minutes": {}}
        entries = {s.code: QueueEntry(service=s.code, waiting=0, eta_minutes=None,
                                      open_windows=self.hall.windows_for(s.code), open=True)
                   for s in self.hall.services}
        return views.catalog(entries, state, self.day(ts))


def load_plan(config: KioskConfig, config_dir: Path | None, *, ignore_hours: bool = False,
              hall: HallConfig | None = None) -> OfflinePlan:
    """The offline plan of a kiosk: its hall file (``kiosk.hall_config`` relative to the kiosk
    config's folder) read now; a missing or broken file leaves a plan that refuses with why."""
    if hall is not None:
        return OfflinePlan(hall, config.kiosk.id, ignore_hours=ignore_hours)
    path = Path(config.kiosk.hall_config)
    if not path.is_absolute() and config_dir is not None:
        path = Path(config_dir) / path
    try:
        return OfflinePlan(load_hall_config(path), config.kiosk.id, ignore_hours=ignore_hours)
    except ConfigError as exc:
        log.warning("offline issuing disabled: %s", exc)
        return OfflinePlan(None, config.kiosk.id, ignore_hours=ignore_hours,
                           problem=f"the hall file {path} cannot be used ({exc.problems[0][1]})")
