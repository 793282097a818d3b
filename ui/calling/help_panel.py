"""The guide desk's alerts in the clerk's caller (``kiosk counter``): kiosks' calls for staff
and cases' deadlines.

At a desk (a window of kind ``desk``) the caller shows each kiosk calling for staff, oldest
first, with an "I'm going" button that clears that call on this caller only: the hall is not
told, the board and the other screens keep showing it until ``display.help_seconds`` have
passed. Calls are aged on the caller's own timer (``ui.calling.help``).

Under them it shows the cases' alerts (``ui.calling.case_alerts``): a case opened, a reminder
(with a "Seen" button) and a case past its deadline (no button: it stays until the case moves
on). Staff screens only: nothing of a case reaches the screens citizens see.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QSizePolicy, QWidget

from kiosk.case_models import Case
from kiosk.clock import Clock
from kiosk.domain import HallError
from ui.calling.case_alerts import NOTICE_SECONDS, CaseAlerts, CaseNotice
from ui.calling.help import DEFAULT_SECONDS, HelpCalls

log = logging.getLogger(__name__)

MAX_ROWS = 2  # calls listed with their own button; more are counted below them
MAX_CASE_ROWS = 3  # cases' alerts listed; more are counted below them
REFUSED = ("forbidden", "unauthorized")  # a token that may not list cases: the desk stops asking


class AlertRows(QFrame):
    """A desk's list of alerts: a text and a button per row for the first ``rows``, a count of
    the rest, aged by a one-second timer while the window is a desk. Subclasses hold the
    alerts and say how they read (``refresh``), age (``expire``) and are acknowledged."""

    def __init__(self, rows: int, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.desk = False
        self.texts: list[QLabel] = []
        self.buttons: list[QPushButton] = []
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setVerticalSpacing(4)
        for row in range(rows):
            text = QLabel(objectName=f"{name}Text", wordWrap=True)
            text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            button = QPushButton()
            button.clicked.connect(lambda _=False, r=row: self.acknowledge_row(r))
            grid.addWidget(text, row, 0)
            grid.addWidget(button, row, 1)
            self.texts.append(text)
            self.buttons.append(button)
        self.more = QLabel(wordWrap=True)
        grid.addWidget(self.more, rows, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        self._timer = QTimer(self, interval=1000, timeout=self.expire)

    def set_desk(self, desk: bool) -> None:
        """Show the alerts (``desk`` True) or never (a window that is not a desk)."""
        self.desk = desk
        if desk:
            self._timer.start()
        else:
            self._timer.stop()
        self.refresh()

    def stop(self) -> None:
        """Stop aging the alerts."""
        self._timer.stop()

    def acknowledge_row(self, row: int) -> None:
        """The button of ``row`` was pressed."""
        raise NotImplementedError

    def expire(self) -> None:
        """Drop the alerts shown long enough."""
        raise NotImplementedError

    def refresh(self) -> None:
        """Show the alerts."""
        raise NotImplementedError

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt naming
        if event.type() == QEvent.Type.LanguageChange:
            self.refresh()
        super().changeEvent(event)


class HelpPanel(AlertRows):
    """Kiosks calling for staff, each with "I'm going"; hidden while none calls (or when the
    window is not a desk)."""

    def __init__(self, seconds: float = DEFAULT_SECONDS, clock: Clock | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(MAX_ROWS, "help", parent)
        self.calls = HelpCalls(seconds, clock)
        self.refresh()

    def take(self, kind: str, data: object) -> bool:
        """Take a hall event; True when it is a new call for staff shown here."""
        if not self.desk or self.calls.take(kind, data) is None:
            return False
        self.refresh()
        return True

    def acknowledge(self, device: str) -> None:
        """The clerk goes to ``device``: its call leaves this caller."""
        if self.calls.dismiss(device):
            self.refresh()

    def acknowledge_row(self, row: int) -> None:
        """The "I'm going" button of ``row`` was pressed."""
        active = self.calls.active
        if row < len(active):
            self.acknowledge(active[row].device)

    def expire(self) -> None:
        """Drop the calls shown for long enough."""
        if self.calls.expire():
            self.refresh()

    def refresh(self) -> None:
        """Show the calls: a row each for the oldest, a count of the rest."""
        active = self.calls.active if self.desk else []
        for row, (text, button) in enumerate(zip(self.texts, self.buttons, strict=True)):
            shown = row < len(active)
            text.setText(self.tr("Kiosk %1 needs help").replace("%1", active[row].device) if shown else "")
            button.setText(self.tr("I'm going"))
            text.setVisible(shown)
            button.setVisible(shown)
        rest = len(active) - MAX_ROWS
        self.more.setText(self.tr("More kiosks need help: %1").replace("%1", str(rest)) if rest > 0 else "")
        self.more.setVisible(rest > 0)
        self.setVisible(bool(active))


class CaseAlertPanel(AlertRows):
    """Cases' alerts at a guide desk, one line each ("Case 12 overdue · window 3 · due 10-13"),
    overdue ones first; hidden while there is none (or when the window is not a desk)."""

    def __init__(self, seconds: float = NOTICE_SECONDS, clock: Clock | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(MAX_CASE_ROWS, "case", parent)
        self.setObjectName("cases")
        self.alerts = CaseAlerts(seconds, clock)
        self.listing = True  # False once the hall refused this caller's token the cases listing
        self.listed = False  # the overdue cases were read at least once
        self.refresh()

    @property
    def wants_listing(self) -> bool:
        """Whether the caller should read the overdue cases when its stream (re)connects."""
        return self.desk and self.listing

    def take(self, kind: str, data: object) -> bool:
        """Take a hall event; True when it changed the alerts shown."""
        if not self.desk or not self.alerts.take(kind, data):
            return False
        self.refresh()
        return True

    def load(self, cases: Iterable[Case]) -> None:
        """The overdue cases the hall listed (a result of the caller's hall lane)."""
        self.listed = True
        if self.desk and self.alerts.load(cases):
            self.refresh()

    def load_failed(self, exc: BaseException) -> None:
        """The listing failed: a token that may not list cases (a counter's, a display's) is
        told once and never asks again; the stream's alerts still show. Else the next
        connection asks again."""
        if isinstance(exc, HallError) and exc.code in REFUSED:
            self.listing = False
            log.info("case alerts: this token may not list cases (%s); showing the stream's alerts only",
                     exc.detail)
            return
        log.warning("case alerts: overdue cases not read: %s", exc)

    def acknowledge(self, case_id: int) -> None:
        """A clerk has seen the alert of case ``case_id`` (not an overdue one: that stays)."""
        if self.alerts.dismiss(case_id):
            self.refresh()

    def acknowledge_row(self, row: int) -> None:
        """The "Seen" button of ``row`` was pressed."""
        active = self.alerts.active
        if row < len(active):
            self.acknowledge(active[row].id)

    def expire(self) -> None:
        """Drop the opened and reminder alerts shown long enough."""
        if self.alerts.expire():
            self.refresh()

    def line(self, notice: CaseNotice) -> str:
        """One alert in words: "Case 12 overdue · window 3 · due 10-13"."""
        name = self.tr("Case %1") if notice.kind == "rectify" else self.tr("Unresolved case %1")
        alert = {"opened": self.tr("opened"), "reminder": self.tr("due soon"),
                 "overdue": self.tr("overdue")}.get(notice.alert, notice.alert)
        parts = [f"{name.replace('%1', str(notice.id))} {alert}"]
        if notice.window is not None:
            parts.append(self.tr("window %1").replace("%1", str(notice.window)))
        if notice.due:
            parts.append(self.tr("due %1").replace("%1", notice.due))
        return " · ".join(parts)

    def lines(self) -> list[str]:
        """Every alert shown now, in words (tests, the demo's notes)."""
        return [self.line(n) for n in self.alerts.active] if self.desk else []

    def refresh(self) -> None:
        """Show the alerts: a row each for the first, a count of the rest."""
        active = self.alerts.active if self.desk else []
        for row, (text, button) in enumerate(zip(self.texts, self.buttons, strict=True)):
            notice = active[row] if row < len(active) else None
            text.setText(self.line(notice) if notice else "")
            text.setProperty("overdue", notice is not None and notice.alert == "overdue")
            text.style().unpolish(text)  # the style sheet reads the property again
            text.style().polish(text)
            button.setText(self.tr("Seen"))
            text.setVisible(notice is not None)
            button.setVisible(notice is not None and notice.alert != "overdue")
        rest = len(active) - MAX_CASE_ROWS
        self.more.setText(self.tr("More case alerts: %1").replace("%1", str(rest)) if rest > 0 else "")
        self.more.setVisible(rest > 0)
        self.setVisible(bool(active))
