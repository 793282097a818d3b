"""``kiosk counter``: the clerk's small always-on-top caller for one window.

Every hall call runs on the window's hall lane and its result comes back to the GUI thread; the
hall's events keep the window's current ticket, held tickets and waiting counts up to date.
Refusals are shown in plain words in the status line. At a guide desk it also lists the kiosks
calling for staff and the cases' alerts (``ui.calling.help_panel``); each time the stream
connects it reads the overdue cases on the hall lane, so a restarted desk forgets none.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.client import HallUnreachable
from kiosk.clock import Clock
from kiosk.domain import HallError
from kiosk.models import ActionRequest, Ticket, WindowChange
from ui.calling.counter_jobs import call_next, load_window
from ui.calling.counter_sign_in import SignInPanel
from ui.calling.counter_state import CounterState
from ui.calling.feed import HallFeed
from ui.calling.help import DEFAULT_SECONDS
from ui.calling.help_panel import CaseAlertPanel, HelpPanel
from ui.ops import Lane

log = logging.getLogger(__name__)

# Shortcut of each action; the button texts are translated in retranslate().
KEYS = {"call-next": "F1", "recall": "F2", "start": "F3", "finish": "F4", "no-show": "F5",
        "hold": "F6", "transfer": "F7", "pause": "F8", "call-back": "F9"}


def counter_font_px(width: int, height: int) -> int:
    """The caller's text size for a window of ``width`` × ``height`` pixels."""
    return max(13, min(26, width // 45, height // 38))


def counter_style(px: int) -> str:
    """The caller's style sheet at text size ``px``."""
    return (f"QWidget {{ font-size: {px}px; }}"
            f" QLabel#title {{ font-size: {px * 3 // 2}px; font-weight: bold; }}"
            f" QLabel#number {{ font-size: {px * 4}px; font-weight: bold; color: #c00; }}"
            f" QLabel#status {{ color: #a00; }}"
            f" QLabel#clerk {{ font-weight: bold; }}"
            f" QFrame#signIn QPushButton {{ min-height: {px * 3}px; font-size: {px * 3 // 2}px; }}"
            f" QFrame#signIn QLineEdit {{ min-height: {px * 2}px; font-size: {px * 3 // 2}px; }}"
            f" QFrame#help {{ background: #fff0d0; border: 2px solid #c00; }}"
            f" QLabel#helpText {{ color: #a00; font-weight: bold; border: none; }}"
            f" QPushButton {{ min-height: {px * 2}px; padding: 0 {px // 2}px; }}"
            f" QFrame#help QPushButton {{ min-height: {px * 3 // 2}px; }}"
            f" QFrame#cases {{ background: #fff8e0; border: 2px solid #a05a00; }}"
            f" QLabel#caseText {{ color: #7a4500; border: none; }}"
            f" QLabel#caseText[overdue=\"true\"] {{ color: #a00; font-weight: bold; }}"
            f" QFrame#cases QPushButton {{ min-height: {px * 3 // 2}px; }}")


class CounterWindow(QWidget):
    """The caller of window ``window``; ``languages`` (ui.i18n.Languages) enables the switch;
    at a desk, kiosks' calls for staff show for ``help_seconds`` (aged by ``clock``)."""

    def __init__(self, hall, window: int, *, recall_limit: int = 3, actor: str = "",  # noqa: ANN001
                 languages=None, help_seconds: float = DEFAULT_SECONDS,  # noqa: ANN001
                 clock: Clock | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hall = hall
        self.help_panel = HelpPanel(help_seconds, clock, self)
        self.case_panel = CaseAlertPanel(clock=clock, parent=self)
        self.state = CounterState(window, recall_limit)
        self.actor = actor or f"counter-{window}"
        self.languages = languages
        self.lane = Lane(f"counter-{window}", self)
        self.feed = HallFeed(hall, 1, self)
        self.feed.event.connect(self._on_event)
        self.feed.status.connect(self._on_link)
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint)
        self._build()
        self.retranslate()
        self.refresh()

    # -- layout ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.title = QLabel(objectName="title", wordWrap=True)
        self.language_button = QPushButton()
        self.language_button.clicked.connect(self.toggle_language)
        self.number = QLabel("—", objectName="number")
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail = QLabel(wordWrap=True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()
        for i, action in enumerate(KEYS):
            button = QPushButton()
            button.clicked.connect(lambda _=False, a=action: self.trigger(a))
            shortcut = QShortcut(QKeySequence(KEYS[action]), self)
            shortcut.activated.connect(lambda a=action: self.trigger(a))
            self.buttons[action] = button
            grid.addWidget(button, i // 3, i % 3)
        self.transfer_to = QComboBox()
        self.transfer_to.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.transfer_to.setMinimumContentsLength(8)  # long service names are elided in the list
        self.held_list = QListWidget()
        self.held_list.itemSelectionChanged.connect(self._enable)
        self.held_label, self.transfer_label, self.waiting = QLabel(), QLabel(), QLabel(wordWrap=True)
        self.link = QLabel()
        self.status = QLabel(objectName="status", wordWrap=True)
        self.clerk_label = QLabel(objectName="clerk", wordWrap=True)
        self.sign_button = QPushButton()
        self.sign_button.clicked.connect(self.toggle_sign_in)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.link)
        top.addWidget(self.language_button)
        who = QHBoxLayout()
        who.addWidget(self.clerk_label, 1)
        who.addWidget(self.sign_button)
        transfer = QHBoxLayout()
        transfer.addWidget(self.transfer_label)
        transfer.addWidget(self.transfer_to, 1)
        # The caller's page and the sign-in page share the room under the title.
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        for part in (self.help_panel, self.case_panel, self.number, self.detail, grid, transfer, self.held_label,
                     self.held_list, self.waiting):
            (body_layout.addLayout if isinstance(part, QHBoxLayout | QGridLayout) else body_layout.addWidget)(part)
        body_layout.setStretchFactor(self.number, 2)
        body_layout.setStretchFactor(self.held_list, 3)
        self.sign_in = SignInPanel()
        self.sign_in.submitted.connect(self._send_sign_in)
        self.sign_in.cancelled.connect(self.close_sign_in)
        self.pages = QStackedWidget()
        self.pages.addWidget(body)
        self.pages.addWidget(self.sign_in)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(who)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.status)
        # The text follows the window's size (_scale), so the window takes the size it is given:
        # the minimum of the text it had before would otherwise hold it larger than its screen.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self._font_px = 0
        self._scale()

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt naming
        self._scale()
        super().resizeEvent(event)

    def _scale(self) -> None:
        """Text and buttons grow with the window: the caller is read at arm's length, full
        screen on a clerk's monitor or small beside other programs."""
        px = counter_font_px(self.width(), self.height())
        if px != self._font_px:
            self._font_px = px
            self.setStyleSheet(counter_style(px))

    def retranslate(self) -> None:
        """Every text in the current language."""
        names = {"call-next": self.tr("Call next"), "recall": self.tr("Recall"),
                 "start": self.tr("Start"), "finish": self.tr("Finish"),
                 "no-show": self.tr("No-show"), "hold": self.tr("Hold"),
                 "transfer": self.tr("Transfer"),
                 "pause": self.tr("Resume") if self.state.paused else self.tr("Pause"),
                 "call-back": self.tr("Call back")}
        for action, button in self.buttons.items():
            button.setText(f"{names[action]} ({KEYS[action]})")
        self.language_button.setText("English" if self.lang() == "zh" else "中文")
        self.held_label.setText(self.tr("Held tickets:"))
        self.sign_button.setText(self.tr("Sign out") if self.state.clerk else self.tr("Sign in"))
        self.sign_in.retranslate()
        self.transfer_label.setText(self.tr("Transfer to:"))
        self.setWindowTitle(self.tr("Counter caller"))
        self.help_panel.refresh()
        self.case_panel.refresh()
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt naming
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def lang(self) -> str:
        """The language shown: ``zh`` or ``en``."""
        return self.languages.current if self.languages is not None else "en"

    def toggle_language(self) -> None:
        """Switch between Chinese and English."""
        if self.languages is not None:
            self.languages.set("en" if self.lang() == "zh" else "zh")
            self.retranslate()

    # -- showing the state -------------------------------------------------------------------

    def refresh(self) -> None:
        """Show the state: current ticket, held tickets, waiting counts, buttons."""
        state, lang = self.state, self.lang()
        window = state.catalog.window(state.window) if state.catalog else None
        name = (window.name.en if lang == "en" else window.name.zh) if window else str(state.window)
        paused = self.tr(" — paused") if state.paused else ""
        self.title.setText(f"{name}{paused}")
        clerk = state.clerk
        self.clerk_label.setText(self.tr("Clerk: %1 (%2)").replace("%1", clerk.name).replace("%2", clerk.code)
                                 if clerk else self.tr("Nobody is signed in at this window."))
        current = state.current
        self.number.setText(current.number if current else "—")
        self.detail.setText(self._describe(current) if current else self.tr("No ticket at this window"))
        self._fill_held()
        self._fill_services()
        counts = [f"{state.service_name(c, lang)}: {state.waiting.get(c, 0)}" for c in state.services]
        self.waiting.setText(self.tr("Waiting: %1").replace("%1", "  ".join(counts)))
        self._enable()

    def _describe(self, ticket: Ticket) -> str:
        text = {"called": self.tr("Called"), "serving": self.tr("Serving")}.get(ticket.state, ticket.state)
        service = self.state.service_name(ticket.service, self.lang())
        recalls = self.tr("recalled %1 of %2").replace("%1", str(ticket.recalls)).replace(
            "%2", str(self.state.recall_limit))
        return f"{text} · {service} · {recalls}"

    def _fill_held(self) -> None:
        selected = {i.data(Qt.ItemDataRole.UserRole) for i in self.held_list.selectedItems()}
        self.held_list.clear()
        for ticket in self.state.held.values():
            item = QListWidgetItem(f"{ticket.number}  {self.state.service_name(ticket.service, self.lang())}")
            item.setData(Qt.ItemDataRole.UserRole, ticket.id)
            self.held_list.addItem(item)
            item.setSelected(ticket.id in selected)
        if self.held_list.count() and not self.held_list.selectedItems():
            self.held_list.item(0).setSelected(True)

    def _fill_services(self) -> None:
        catalog, lang = self.state.catalog, self.lang()
        wanted = [(s.code, s.name.en if lang == "en" else s.name.zh) for s in catalog.services] if catalog else []
        current = [(self.transfer_to.itemData(i), self.transfer_to.itemText(i))
                   for i in range(self.transfer_to.count())]
        if wanted != current:
            chosen = self.transfer_to.currentData()
            self.transfer_to.clear()
            for code, text in wanted:
                self.transfer_to.addItem(text, code)
            if chosen is not None:
                self.transfer_to.setCurrentIndex(max(0, self.transfer_to.findData(chosen)))

    def _enable(self) -> None:
        for action, button in self.buttons.items():
            allowed = self.state.can(action)
            if action == "call-back":
                allowed = bool(self.held_list.selectedItems())
            button.setEnabled(allowed and self.state.catalog is not None)

    def show_status(self, text: str) -> None:
        """Put ``text`` in the status line."""
        self.status.setText(text)

    # -- hall ------------------------------------------------------------------------------

    def start(self) -> None:
        """Load the window's state and follow the hall."""
        self.lane.run(lambda: load_window(self.hall, self.state.window), self._loaded, self._failed)

    def _loaded(self, result: tuple) -> None:
        catalog, tickets = result
        self.state.set_catalog(catalog)
        window = catalog.window(self.state.window)
        desk = window is not None and window.kind == "desk"
        self.help_panel.set_desk(desk)
        self.case_panel.set_desk(desk)
        for ticket in tickets:
            self.state.apply_ticket(ticket)
        self.retranslate()
        self.feed.start(catalog.hall.day)

    def stop(self) -> None:
        """Stop following the hall."""
        self.help_panel.stop()
        self.case_panel.stop()
        self.feed.stop()
        self.lane.shutdown()

    def closeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt naming
        self.stop()
        super().closeEvent(event)

    def _on_event(self, kind: str, data: dict) -> None:
        if kind == "device":
            self.help_panel.take(kind, data)
        elif kind == "case":
            self.case_panel.take(kind, data)
        elif self.state.apply_event(kind, data):
            self.retranslate() if kind == "clerk" or (kind == "queue" and "window" in data) else self.refresh()

    def _on_link(self, status: str) -> None:
        self.link.setText("" if status == "connected" else self.tr("reconnecting…"))
        if status == "connected" and self.case_panel.wants_listing:
            hall = self.hall  # what was missed while away: the overdue cases, read off the GUI thread
            self.lane.run(lambda: hall.list_cases(overdue=True), self.case_panel.load, self.case_panel.load_failed)

    def trigger(self, action: str) -> None:
        """Run ``action`` (a button or its shortcut) on the hall lane."""
        if not self.buttons[action].isEnabled():
            return
        job = self._job(action)
        if job is not None:
            self.show_status("")
            self.lane.run(job, lambda result, a=action: self._done(a, result), self._failed)

    def _job(self, action: str) -> Callable[[], object] | None:
        hall, window, actor, current = self.hall, self.state.window, self.actor, self.state.current
        if action == "call-next":
            return lambda: call_next(hall, window, actor)
        if action == "pause":
            paused = not self.state.paused
            return lambda: (hall.change_window(window, WindowChange(paused=paused, actor=actor)), paused)
        if action == "call-back":
            items = self.held_list.selectedItems()
            ticket_id = items[0].data(Qt.ItemDataRole.UserRole)
            return lambda: hall.act(ticket_id, "call", ActionRequest(window=window, actor=actor))
        if current is None:
            return None
        request = ActionRequest(window=window, actor=actor)
        if action == "transfer":
            request = ActionRequest(service=self.transfer_to.currentData(), actor=actor)
        return lambda: hall.act(current.id, action, request)

    def _done(self, action: str, result: object) -> None:
        if action == "pause":
            self.state.paused = result[1]
            self.retranslate()
            return
        if action == "call-next":
            if result is None:
                self.show_status(self.tr("Nobody is waiting for this window."))
                return
            self.show_status(self.tr("Called %1.").replace("%1", result.number))
            result = result.ticket_now
        self.state.apply_ticket(result)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, HallError) and exc.code == "sign_in_required":
            self.open_sign_in()
            self.sign_in.show_error(self.tr("Sign in first: this hall calls only with a clerk signed in."))
            return
        self.show_status(self.plain_error(exc))

    # -- the clerk ---------------------------------------------------------------------------

    def toggle_sign_in(self) -> None:
        """The sign button: sign out the clerk at this window, or open the sign-in page."""
        if self.state.clerk is None:
            self.open_sign_in() if self.pages.currentWidget() is not self.sign_in else self.close_sign_in()
            return
        hall, window, actor = self.hall, self.state.window, self.actor
        self.lane.run(lambda: hall.sign_out(window, actor=actor), self._signed, self._failed)

    def open_sign_in(self) -> None:
        """Show the sign-in page (工号, PIN, number pad)."""
        self.sign_in.reset()
        self.pages.setCurrentWidget(self.sign_in)

    def close_sign_in(self) -> None:
        """Back to the caller's page."""
        self.pages.setCurrentIndex(0)

    def _send_sign_in(self, code: str, pin: str) -> None:
        hall, window, actor = self.hall, self.state.window, self.actor
        self.sign_in.show_error(self.tr("Signing in…"))
        self.lane.run(lambda: hall.sign_in(window, code, pin, actor=actor), self._signed, self._sign_in_failed)

    def _signed(self, result) -> None:  # noqa: ANN001 - a WindowSignIn
        self.state.clerk = result.clerk
        if result.clerk is not None:
            self.close_sign_in()
            self.show_status(self.tr("Signed in: %1 (%2).").replace("%1", result.clerk.name)
                             .replace("%2", result.clerk.code))
        else:
            self.show_status(self.tr("Signed out."))
        self.retranslate()

    def _sign_in_failed(self, exc: BaseException) -> None:
        self.sign_in.show_error(self.sign_in.refused(exc) or self.plain_error(exc))

    def plain_error(self, exc: BaseException) -> str:
        """A refusal or failure in plain words."""
        if isinstance(exc, HallUnreachable):
            return self.tr("The hall server cannot be reached. Check the network and try again.")
        if isinstance(exc, HallError):
            if exc.extra.get("state") == "paused":
                return self.tr("This window is paused. Resume it first.")
            return self.tr("Refused: %1").replace("%1", exc.detail)
        log.exception("counter: unexpected failure", exc_info=exc)
        return self.tr("Something went wrong: %1").replace("%1", str(exc))

