"""A scripted slice of a hall day, free of Qt: the headless demo's first act.

Citizens arrive at two kiosks through a morning (on a fake clock, so estimates and waiting times
look real), some with ID cards read by the simulated reader, some elderly, one with an
appointment; clerks call, serve, mark a no-show, send a citizen back for missing materials and
transfer one to another service. Citizens rate the service (one badly: a rectification case
opens by itself), and the 办不成事 window registers what one citizen could not get done, which a
guide assigns. Every ticket is printed through the real printer driver to a ``dummy:`` printer
and kept as bytes and a PNG preview. ``summary.json`` says what happened.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from app.demo.files import kiosk_file
from app.kiosk_app import build_terminal
from drivers.idcard import CardReader
from drivers.printer import render_preview
from kiosk.clock import FakeClock
from kiosk.config import PROJECT_CONFIG_DIR, load_hall_config, load_kiosk_config
from kiosk.engine import HallEngine
from kiosk.hall import LocalHall, open_engine
from kiosk.models import ActionRequest, Appointment, Ticket
from kiosk.terminal import KioskTerminal, ticket_data

# (minute of the morning, service, priority, card simulator URI or None)
ARRIVALS = [
    (0, "GC01", "normal", None), (1, "SS01", "normal", "sim:resident?instance=d1"),
    (2, "TX01", "normal", None), (3, "SS01", "elderly", "sim:elderly?born=1950-03-07&instance=d2"),
    (4, "AP01", "normal", None), (5, "GC01", "normal", None), (6, "SS02", "normal", "sim:resident?instance=d3&born=1975-06-01"),
    (7, "AP02", "normal", None), (8, "GC02", "normal", None), (9, "GC01", "disabled", None),
    (10, "PS02", "normal", "sim:permit?instance=d4"), (11, "RE01", "elderly", "sim:elderly?born=1948-11-02&instance=d5"),
    (12, "TX02", "normal", "sim:resident?instance=d6&born=1990-01-15"), (13, "GC01", "normal", None),
    (14, "SS01", "appointment", "sim:resident?instance=d7&born=1982-04-20"), (15, "TX01", "normal", None),
    (16, "AP01", "green", None), (17, "GC01", "normal", None), (18, "PS01", "normal", "sim:resident?instance=d8&born=1969-09-09"),
    (19, "SS02", "elderly", "sim:elderly?born=1944-02-29&instance=d9"), (20, "GC01", "normal", None),
    (21, "TX01", "normal", None), (22, "AP02", "normal", None), (23, "GC02", "normal", None),
]


@dataclass
class DemoDay:
    """What the scripted day produced, for the summary and for the screenshots after it."""

    out: Path
    engine: HallEngine
    hall: LocalHall
    terminal: KioskTerminal
    clock: FakeClock
    tickets: list[Ticket] = field(default_factory=list)
    log: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        """Record one line of what happened."""
        self.log.append(f"{datetime.fromtimestamp(self.clock.now(), self.engine.tz):%H:%M} {text}")


def open_demo_hall(data_dir: Path, start: datetime | None = None) -> tuple[HallEngine, FakeClock]:
    """The sample hall in dev mode on a fake clock at 09:00 today (hall time)."""
    hall_config = load_hall_config(PROJECT_CONFIG_DIR / "hall.toml")
    tz = ZoneInfo(hall_config.hall.timezone)
    start = start or datetime.now(tz).replace(hour=9, minute=0, second=0, microsecond=0)
    clock = FakeClock(start)
    data_dir.mkdir(parents=True, exist_ok=True)
    # The hall's ID keys beside the data folder, not in it (DESIGN.md §4), kept for a second run.
    return open_engine(hall_config, data_dir, dev=True, clock=clock, keys=data_dir.parent / "keys"), clock


def _read_card(uri: str):
    with CardReader(uri) as reader:
        return reader.read_once(timeout=3.0)


def _issue_arrivals(day: DemoDay) -> None:
    for minute, service, priority, card_uri in ARRIVALS:
        day.clock.advance(60)
        citizen = None
        if card_uri:
            card = _read_card(card_uri)
            citizen = day.terminal.citizen(card)  # sealed to the hall's key
            if priority == "appointment":
                slot = datetime.fromtimestamp(day.clock.now(), day.engine.tz)
                day.hall.add_appointments([Appointment(
                    booking_code="BK-2026-0001", service=service, id_sealed=citizen.id_sealed,
                    slot_start=slot, slot_end=slot + timedelta(minutes=30))])
                priority = "normal"  # the check-in itself gives the appointment priority
        printed_before = len(day.terminal.printer.output)
        outcome = day.terminal.issue(service, priority=priority, citizen=citizen,
                                     language="en" if minute % 7 == 6 else "zh",
                                     idempotency_key=uuid.uuid4().hex)
        day.tickets.append(outcome.ticket)
        day.note(f"issued {outcome.ticket.number} {service} {outcome.ticket.priority}"
                 f"{' ' + citizen.id_mask if citizen else ''} printed={outcome.printed}")
        stream = day.terminal.printer.output[printed_before:]
        _keep_ticket(day, outcome.ticket, "en" if minute % 7 == 6 else "zh", stream)


def _keep_ticket(day: DemoDay, ticket: Ticket, language: str, stream: bytes) -> None:
    """The bytes the printer received for ``ticket`` and a PNG preview of the same layout."""
    printer = day.terminal.printer
    folder = day.out / "tickets"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"ticket-{ticket.number}.bin").write_bytes(stream)
    data = ticket_data(ticket, day.hall.catalog(), language)
    render_preview(data, printer.settings).save(folder / f"ticket-{ticket.number}.png")


def _serve(day: DemoDay) -> None:
    hall = day.hall
    for window in (1, 2, 3, 5, 6, 8, 11, 15, 18, 20):
        day.clock.advance(45)
        call = hall.call_next(window, actor=f"clerk-{window}")
        if call is None:
            continue
        day.note(f"window {window} called {call.number}: {call.text.zh}")
        if window == 20:
            hall.act(call.ticket, "no-show", ActionRequest(actor="clerk-20", reason="did not come"))
            day.note(f"{call.number} no-show")
        elif window == 1:
            hall.act(call.ticket, "start", ActionRequest(actor="clerk-1"))
            hall.act(call.ticket, "requeue", ActionRequest(actor="clerk-1", reason="missing photo"))
            day.note(f"{call.number} sent back for a missing photo; it keeps its place in the queue")
        elif window == 18:
            hall.act(call.ticket, "start", ActionRequest(actor="clerk-18"))
            hall.act(call.ticket, "transfer", ActionRequest(service="TX01", actor="clerk-18", reason="tax question"))
            day.note(f"{call.number} transferred to TX01")
        else:
            hall.act(call.ticket, "start", ActionRequest(actor=f"clerk-{window}"))
            day.clock.advance(240)
            hall.act(call.ticket, "finish", ActionRequest(actor=f"clerk-{window}"))
            day.note(f"{call.number} served at window {window}")
            _rate(day, call.ticket, window)
    day.clock.advance(120)
    later = hall.call_next(1, actor="clerk-1")
    if later:
        day.note(f"window 1 called {later.number}")
        hall.act(later.ticket, "finish", ActionRequest(actor="clerk-1"))
        day.clock.advance(3600)
        _rate(day, later.ticket, None)  # an hour later, from the ticket's QR page


# 好差评 of the served tickets, in the order they are finished: (level, reasons, comment)
RATINGS = [(5, [], ""), (4, [], ""), (5, [], ""), (1, ["slow", "unclear"], "WAITED 40 MIN, NOBODY EXPLAINED"),
           (3, [], ""), (5, [], "")]
LATE_RATING = (4, [], "")
"""The rating given later from the ticket's QR page."""


def _rate(day: DemoDay, ticket_id: str, window: int | None) -> None:
    """The citizen of a ticket just finished rates it: at the window's evaluator (``window``),
    or later from the ticket's QR page (None). The levels come from RATINGS in turn."""
    from kiosk.ratings import QR_RATER, RatingRequest

    done = len(day.engine.ratings())
    if window is not None and done >= len(RATINGS):
        return  # the other citizens did not rate
    level, reasons, comment = RATINGS[done] if window is not None else LATE_RATING
    request = RatingRequest(level=level, reasons=reasons, comment=comment)
    rating = (day.hall.rate(ticket_id, request, window=window) if window is not None
              else day.engine.rate(ticket_id, request, QR_RATER))
    number = day.hall.ticket(ticket_id).number
    day.note(f"{number} rated {level} at the {rating.channel}{' (' + ', '.join(reasons) + ')' if reasons else ''}")
    case = next((c for c in day.engine.list_cases(kind="rectify") if c.ticket_id == ticket_id), None)
    if case is not None:
        day.note(f"rectification case #{case.id} opened for {number}, due {last_day(case.deadline)}")


# The 办不成事 case of the morning: what the citizen came for, why it could not be done here, the
# service concerned, a contact phone (sealed by the hall, shown by its last 4 digits), and who
# the guide hands it to. Made-up, as every citizen of the demo.
UNRESOLVED = {"request": "开餐馆：申请食品经营许可", "reason": "消防安全检查意见书需区消防救援大队出具，大厅当场无法办理",
              "services": ["AP02"], "phone": "13800138000"}
UNRESOLVED_OWNER = "行政审批科"


def last_day(deadline: datetime) -> str:
    """A case's last working day (its deadline is that day's end, the next midnight)."""
    return (deadline - timedelta(seconds=1)).date().isoformat()


def register_unresolved(day: DemoDay) -> None:
    """The 办不成事 window registers a case through the demo's hall, as its counter token would
    (``[cases] unresolved_window``), and a guide assigns it: the first step of its way."""
    from kiosk.case_models import CaseActionBody, CaseCreate

    window = day.engine.config.cases.unresolved_window
    if window is None:
        day.note("this hall has no 办不成事 window: no case registered")
        return
    day.clock.advance(300)
    case = day.hall.register_case(CaseCreate(**UNRESOLVED), f"window {window}", window)
    day.note(f"window {window} registered 办不成事 case #{case.id} ({', '.join(case.services)}), phone "
             f"…{case.phone_tail}, due {last_day(case.deadline)}")
    day.clock.advance(600)
    case = day.hall.case_step(case.id, "assign", CaseActionBody(owner=UNRESOLVED_OWNER), "guide desk-1")
    day.note(f"case #{case.id} assigned to {case.owner}")


CASE_FIELDS = {"id", "kind", "state", "opened_by", "deadline", "window", "service", "services", "level",
               "reasons", "channel", "owner", "overdue", "phone_tail"}
"""What summary.json keeps of a case: no request, reason or comment (a citizen's own words)."""


def case_summaries(engine: HallEngine) -> list[dict]:
    """The hall's cases for summary.json, each with the steps of its history."""
    return [{**c.model_dump(mode="json", include=CASE_FIELDS),
             "steps": [s.action for s in engine.case(c.id).history]} for c in engine.list_cases()]


def _rate_kiosk(day: DemoDay) -> None:
    """A citizen still waiting rated the kiosk's self-service on its done screen."""
    waiting = next(iter(day.hall.tickets(state="waiting")), None)
    if waiting is not None and day.terminal.rate_self_service(waiting.id, 5):
        day.note(f"{waiting.number} rated the kiosk's self-service 5")


def summarise(day: DemoDay) -> dict:
    """The day in numbers, with the checks a hall manager would make."""
    tickets = day.hall.tickets()
    numbers = [t.number for t in tickets]
    return {
        "hall": day.engine.config.hall.name.zh,
        "day": day.engine.today(),
        "tickets": len(tickets),
        "numbers_unique": len(numbers) == len(set(numbers)),
        "by_service": dict(Counter(t.service for t in tickets)),
        "by_priority": dict(Counter(t.priority for t in tickets)),
        "by_state": dict(Counter(t.state for t in tickets)),
        "calls": [c.model_dump(mode="json") for c in day.hall.calls(0, 500)],
        "events": len(day.engine.events_after(0, 10000)),
        "ratings": [r.model_dump(mode="json", include={"ticket_id", "window", "level", "reasons", "channel"})
                    for r in day.engine.ratings()],
        "cases": case_summaries(day.engine),
        "log": day.log,
    }


def run_day(out: Path) -> DemoDay:
    """Play the scripted morning into ``out``; returns the day for the screenshots that follow."""
    out.mkdir(parents=True, exist_ok=True)
    engine, clock = open_demo_hall(out / "data")
    hall = LocalHall(engine)
    # The kiosk's pipeline as `kiosk run` builds it, from a kiosk file with a dummy printer.
    work = out / "data" / "kiosk-day"
    path = kiosk_file(work, printer="dummy:")
    terminal = build_terminal(load_kiosk_config(path), path, work, dev=True, clock=clock, hall=hall,
                              start=False)
    day = DemoDay(out, engine, hall, terminal, clock)
    terminal.catalog()  # as a kiosk starts: the catalog brings the hall's key for sealing cards
    _issue_arrivals(day)
    _serve(day)
    _rate_kiosk(day)
    register_unresolved(day)
    (out / "summary.json").write_text(json.dumps(summarise(day), ensure_ascii=False, indent=2), "utf-8")
    terminal.close()
    return day
