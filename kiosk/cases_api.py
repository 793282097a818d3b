"""The cases API (DESIGN.md §5 Cases) and the server's case worker.

``install(app, engine)`` adds the router and starts, with the server, one background thread
that raises the cases' reminder and overdue alerts and sends the export outbox. Who acts is the
caller's token: guides and administrators handle every case; the counter token of the hall's
办不成事 window (``[cases] unresolved_window``) registers 办不成事 cases and records their call
backs and the citizen's rating of the outcome.
"""

from __future__ import annotations

import logging
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request

from kiosk.background import BackgroundThread
from kiosk.case_models import Case, CaseActionBody, CaseContact, CaseCreate, CaseState
from kiosk.domain import HallError
from kiosk.engine import HallEngine
from kiosk.exporter import Exporter, sinks_for
from kiosk.lifespan import while_serving
from kiosk.server import caller
from kiosk.tokens import Identity

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])
CaseStaff = Annotated[Identity, Depends(caller("guide", "counter"))]
Guide = Annotated[Identity, Depends(caller("guide"))]
CaseId = Annotated[int, Path(ge=1, le=2**63 - 1, description="the case's number")]  # SQLite's INTEGER range
COUNTER_ACTIONS = ("rate", "callback")
"""What the 办不成事 window's counter may do to a 办不成事 case besides registering it."""


def _engine(request: Request) -> HallEngine:
    return request.app.state.engine


def _unresolved_counter(who: Identity, engine: HallEngine) -> None:
    """A counter token passes only as the 办不成事 window's (a development one for any window)."""
    if who.role != "counter":
        return
    window = engine.config.cases.unresolved_window
    if window is None:
        raise HallError("forbidden", "this hall has no 办不成事 window ([cases] unresolved_window); "
                        "cases are registered by a guide")
    if not who.any_device and who.window != window:
        raise HallError("forbidden", f"only window {window} (办不成事) registers cases from a counter; "
                        "ask a guide or go to that window")


@router.post("", status_code=201, response_model=Case, summary="Register a 办不成事 case")
def register(request: Request, who: CaseStaff, body: CaseCreate) -> Case:
    """A guide, an administrator or the 办不成事 window's counter registers what a citizen could
    not get done; the reply is due in ``[cases] unresolved_days`` working days."""
    engine = _engine(request)
    _unresolved_counter(who, engine)
    window = (who.window or engine.config.cases.unresolved_window) if who.role == "counter" else None
    return engine.register_case(body, who.actor, window)


@router.get("", response_model=list[Case], summary="List cases")
def list_cases(request: Request, who: CaseStaff,
               state: CaseState | None = None,
               kind: Literal["rectify", "unresolved"] | None = None,
               overdue: Annotated[bool | None, Query(description="true: past their deadline unanswered")] = None,
               ) -> list[Case]:
    """Cases by deadline (without their history); the 办不成事 window sees its kind only."""
    engine = _engine(request)
    _unresolved_counter(who, engine)
    if who.role == "counter":
        kind = "unresolved"
    return engine.list_cases(state, kind, overdue)


@router.get("/{case_id}", response_model=Case, summary="One case with its history")
def get_case(request: Request, who: CaseStaff, case_id: CaseId) -> Case:
    """A case and every recorded step of it."""
    engine = _engine(request)
    _check_counter_case(who, engine, case_id)
    return engine.case(case_id)


@router.get("/{case_id}/contact", response_model=CaseContact, summary="The contact phone, for a call back")
def contact(request: Request, who: Guide, case_id: CaseId) -> CaseContact:
    """The citizen's phone in full (stored sealed); each reading is a step of the case's history."""
    return _engine(request).case_contact(case_id, who.actor)


@router.post("/{case_id}/{action}", response_model=Case, summary="One step of a case")
def step(request: Request, who: CaseStaff, case_id: CaseId,
         action: Literal["assign", "reply", "rectify", "rerate", "callback", "close", "rate"],
         body: CaseActionBody | None = None) -> Case:
    """``assign`` (owner), ``reply`` (note), ``rectify`` (note), ``rerate`` (level), ``rate``
    (level, a 办不成事 outcome), ``callback`` (date, outcome), ``close`` (note). The state
    machine of DESIGN.md §4 Cases refuses a step out of order (409 invalid_transition)."""
    engine = _engine(request)
    if who.role == "counter":
        _check_counter_case(who, engine, case_id)
        if action not in COUNTER_ACTIONS:
            raise HallError("forbidden", f"the 办不成事 window may {' or '.join(COUNTER_ACTIONS)} a case; "
                            f"to {action} it ask a guide")
    return engine.case_step(case_id, action, body or CaseActionBody(), who.actor)


def _check_counter_case(who: Identity, engine: HallEngine, case_id: int) -> None:
    if who.role != "counter":
        return
    _unresolved_counter(who, engine)
    if engine.case_kind(case_id) != "unresolved":
        raise HallError("forbidden", "a counter token sees 办不成事 cases only; rectification cases are a guide's")


class CaseWorker(BackgroundThread):
    """One background thread of the server: the cases' deadline alerts every
    ``[cases] check_interval_s``, the export outbox every ``[export] interval_s``. Both are a
    cheap indexed query when there is nothing to do."""

    def __init__(self, engine: HallEngine, exporter: Exporter | None = None):
        self.engine = engine
        export = engine.config.export
        data_dir = engine.store.data_dir
        self.exporter = exporter or Exporter(engine.store, sinks_for(export, data_dir), export.max_backoff_s)
        super().__init__("case-worker", join_s=30)

    def run_once(self, alerts: bool = True, export: bool = True) -> None:
        """One round: alerts now due, then the export items now due; a failure is logged, not raised."""
        jobs = ([self.engine.check_cases] if alerts else []) + \
            ([lambda: self.exporter.send_due(self.engine.clock.now())] if export else [])
        for job in jobs:
            try:
                job()
            except Exception:  # the worker must outlive a locked database or a bad sink
                log.exception("case worker round failed; retried next round")

    def _run(self) -> None:
        import time

        cfg = self.engine.config
        periods = {"alerts": cfg.cases.check_interval_s,
                   "export": cfg.export.interval_s if self.exporter.sinks else None}
        due = {name: 0.0 for name, period in periods.items() if period}
        while not self._stop.is_set():
            now = time.monotonic()
            ready = {name for name, at in due.items() if at <= now}
            self.run_once(alerts="alerts" in ready, export="export" in ready)
            for name in ready:
                due[name] = now + periods[name]
            self._stop.wait(max(0.0, min(due.values()) - time.monotonic()))


def install(app: FastAPI, engine: HallEngine) -> None:
    """Add the cases API to ``app`` and run the case worker while the server runs."""
    app.include_router(router)
    worker = app.state.case_worker = CaseWorker(engine)
    while_serving(app, worker.start, worker.stop)
