"""Text reminders from the done screen: a citizen who does not scan QR codes types a mobile number
for the "N people ahead" and "your turn" messages (issue 17; the hall sends them, kiosk.notify).

The number goes to the hall on the hall lane (``HallClient.leave_phone``, never on the GUI
thread); it lives in this screen's keypad only until it is sent, the screen is left or the kiosk
goes home on its idle timeout, and is never logged. The done screen shows it back masked.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QSizePolicy, QVBoxLayout

from kiosk.client import HallUnreachable, page_token
from kiosk.domain import HallError
from kiosk.models import Ticket, mobile_number
from ui.kiosk.screen import Screen
from ui.kiosk.widgets import PhoneKeypad, TouchButton, grouped_phone, label

KEYPAD_WIDTH = 560
KEYPAD_HEIGHT = 560
"""The telephone keypad's largest: a phone-like block, not keys a hand apart or a forearm tall."""


def sms_possible(kiosk, ticket: Ticket) -> bool:  # noqa: ANN001 - a KioskWindow
    """Whether the done screen offers text reminders for ``ticket``: the hall sends texts, the
    kiosk speaks to a hall server (a standalone kiosk's hall sends nothing), and the ticket is
    on the hall (not an offline one still in the outbox), has a page and is waiting."""
    catalog = kiosk.catalog
    return (catalog is not None and catalog.notify.enabled
            and callable(getattr(kiosk.services.hall, "leave_phone", None))
            and not ticket.offline and ticket.state == "waiting"
            and page_token(ticket.status_url) is not None)


def valid_phone(digits: str) -> bool:
    """Whether ``digits`` is a mobile number the hall takes (the hall's own rule)."""
    try:
        mobile_number(digits)
    except ValueError:
        return False
    return True


class SmsScreen(Screen):
    """The telephone keypad for a mobile number, what the texts are, Back and Confirm."""

    name = "sms"

    def __init__(self, kiosk):
        super().__init__(kiosk)
        self.ticket: Ticket | None = None
        self.sending = False
        self.error = ""  # the last refusal or failure, in plain words
        self._asked = 0  # which request the answer belongs to: a left screen ignores old answers
        self.title = label("", "title")
        self.explain = label("", "bigText")
        self.number = label("", "codeEntry", wrap=False, center=True)
        self.problem = label("", "problem", center=True)
        self.keypad = PhoneKeypad()
        self.keypad.setMaximumSize(KEYPAD_WIDTH, KEYPAD_HEIGHT)
        self.keypad.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.keypad.changed.connect(self._typed)
        self.body.addWidget(self.title)
        # What it is and the number beside the keypad on a landscape screen (a short one shows
        # the whole keypad without scrolling), above it on a portrait one (resizeEvent turns it).
        self.middle = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.middle.setSpacing(24)
        self.texts = QVBoxLayout()
        for widget in (self.explain, self.number, self.problem):
            self.texts.addWidget(widget)
        self.texts.addStretch(1)
        pad = QHBoxLayout()  # the keypad centred, as wide as it may be
        pad.addStretch(1)
        pad.addWidget(self.keypad, 20)
        pad.addStretch(1)
        self.middle.addLayout(self.texts, 3)
        self.middle.addLayout(pad, 2)
        self.body.addLayout(self.middle, 1)
        self.body.addStretch(0)  # in portrait the room left goes below the keypad
        self.back = TouchButton("", "secondary")
        self.confirm = TouchButton("", "primary")
        self.back.clicked.connect(self.go_back)
        self.confirm.clicked.connect(self.send)
        self.button_row(self.back, self.confirm)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a keyboard's digits come here too

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().resizeEvent(event)
        portrait = self.kiosk.height() > self.kiosk.width()
        self.middle.setDirection(QBoxLayout.Direction.TopToBottom if portrait
                                 else QBoxLayout.Direction.LeftToRight)
        self.texts.setStretch(self.texts.count() - 1, 0 if portrait else 1)
        self.body.setStretchFactor(self.middle, 0 if portrait else 1)
        self.body.setStretch(self.body.count() - 1, 1 if portrait else 0)
        # Portrait has room to spare: keys a finger's width high instead of the smallest the style allows.
        self.keypad.setMinimumHeight(min(KEYPAD_HEIGHT, self.kiosk.height() // 4) if portrait else 0)

    def offer(self, ticket: Ticket) -> None:
        """The ticket the texts are for (the done screen's)."""
        self.ticket = ticket

    def entered(self) -> None:
        self._forget()
        self.setFocus()
        super().entered()

    def left(self) -> None:
        self._forget()  # Back, Home or the idle timeout: the number typed is dropped

    def _forget(self) -> None:
        self.keypad.clear()
        self.error, self.sending = "", False
        self._asked += 1

    def go_back(self) -> None:
        """Back to the done screen, its countdown home starting again."""
        self.kiosk.screens["done"].restart_countdown()
        self.kiosk.show_screen("done")

    def _typed(self, _value: str) -> None:
        self.error = ""
        self.render()

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        """A keyboard's digits, backspace, and Enter to confirm."""
        key, text = event.key(), event.text()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.send()
        elif self.sending:
            return  # the number is on its way: it stays as sent
        elif not self.keypad.type_key(key, text):
            super().keyPressEvent(event)

    # -- the hall ------------------------------------------------------------------------------
    def send(self) -> None:
        """Send the number on the hall lane; the answer comes back on the GUI thread."""
        ticket, phone = self.ticket, self.keypad.value
        if ticket is None or self.sending or not valid_phone(phone):
            return
        token, hall = page_token(ticket.status_url), self.kiosk.services.hall
        self.sending, self.error = True, ""
        self._asked += 1
        asked = self._asked
        self.render()
        self.kiosk.services.hall_lane.run(lambda: hall.leave_phone(token, phone),
                                          lambda masked: self._saved(asked, ticket, masked),
                                          lambda exc: self._failed(asked, exc))

    def _saved(self, asked: int, ticket: Ticket, masked: str) -> None:
        done = self.kiosk.screens["done"]
        done.sms_saved(ticket, masked)  # the hall has it, whatever the citizen did meanwhile
        if asked == self._asked and self.kiosk.screen_name() == self.name:
            self.go_back()

    def _failed(self, asked: int, exc: BaseException) -> None:
        if asked != self._asked:
            return  # the citizen left the screen meanwhile
        self.sending = False
        self.error = self._failure_text(exc)
        if isinstance(exc, HallError) and exc.code == "validation_error":
            self.kiosk.refresh_catalog()  # perhaps the hall stopped sending texts: the offer goes
        self.render()

    def _failure_text(self, exc: BaseException) -> str:
        """Why the number was not taken, in plain words (never the number itself)."""
        if isinstance(exc, HallUnreachable) or not isinstance(exc, HallError):
            return self.tr("Text reminders cannot be set up right now. Please scan the QR code on "
                           "your ticket and set them up on your phone.")
        if exc.code == "invalid_transition":
            return self.tr("This ticket is finished: there is nothing left to send you.")
        if exc.code == "not_found":
            return self.tr("The hall does not know this ticket yet. Please scan the QR code on your "
                           "ticket and set the texts up on your phone later.")
        return self.tr("The hall did not take the number: {reason}").format(reason=exc.detail)

    # -- what it shows -------------------------------------------------------------------------
    def render(self) -> None:
        value = self.keypad.value
        ahead = self.kiosk.catalog.notify.ahead if self.kiosk.catalog else 3
        self.title.setText(self.tr("Your mobile number for text reminders"))
        self.explain.setText(self.tr("You get one text when {n} people are ahead of you and one when "
                                     "it is your turn; the number is deleted when your visit is "
                                     "over.").format(n=ahead))
        self.number.setText(grouped_phone(value) if value else "—")
        complete, valid = len(value) == self.keypad.max_length, valid_phone(value)
        problem = self.error or (self.tr("A mobile number has 11 digits and starts with 13 to 19. "
                                         "Please check it.") if complete and not valid else "")
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        for button in (*self.keypad.keys.values(), self.keypad.backspace):
            button.setEnabled(not self.sending)
        self.confirm.setEnabled(valid and not self.sending)
        self.back.setText(self.tr("Back"))
        self.confirm.setText(self.tr("Sending…") if self.sending else self.tr("Confirm"))
