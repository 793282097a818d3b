"""The end of a visit: printing, the ticket (printed or as an e-ticket), errors, unavailable."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QBoxLayout, QProgressBar, QVBoxLayout

from kiosk.estimators import shown_range
from kiosk.terminal import IssueOutcome
from ui.kiosk.rating_row import RatingRow
from ui.kiosk.screen import Screen
from ui.kiosk.sms import sms_possible
from ui.kiosk.texts import error_text, error_title, remote_kind
from ui.kiosk.widgets import QrLabel, TouchButton, label


class PrintingScreen(Screen):
    """Progress while the hall gives a number and the printer prints it."""

    name = "printing"

    def __init__(self, kiosk):
        super().__init__(kiosk)
        self.stage = "issuing"
        self.title = label("", "title", center=True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy: Qt animates it while the lanes work
        self.bar.setTextVisible(False)
        self.hint = label("", "hint", center=True)
        self.body.addStretch(1)
        self.body.addWidget(self.title)
        self.body.addWidget(self.bar)
        self.body.addWidget(self.hint)
        self.body.addStretch(2)

    def set_stage(self, stage: str) -> None:
        """``issuing`` (asking the hall) or ``printing`` (the printer is busy)."""
        self.stage = stage
        self.render()

    def render(self) -> None:
        self.title.setText(self.tr("Getting your number…") if self.stage == "issuing"
                           else self.tr("Printing your ticket…"))
        self.hint.setText(self.tr("Please wait a moment."))


class DoneScreen(Screen):
    """The big number, where to go, how many are ahead, the QR code, and a countdown home.

    Without paper the same screen is the e-ticket: the QR code is the ticket to photograph.
    """

    name = "done"

    def __init__(self, kiosk):
        super().__init__(kiosk)
        self.outcome: IssueOutcome | None = None
        self.remaining = 0
        self.headline = label("", "title", center=True)
        self.problem = label("", "problem", center=True)
        self.number = label("", "bigNumber", wrap=False, center=True)
        self.service = label("", "subtitle", center=True)
        self.windows = label("", "bigText")
        self.ahead = label("", "bigText")
        self.eta = label("", "bigText")
        self.note = label("", "hint")
        self.sms_note = label("", "bigText")  # 将发短信到 138****8000, once the hall has the number
        self.sms_phone = ""  # the number left for this ticket, masked as the hall stored it
        self.qr = QrLabel(220)
        self.qr_hint = label("", "hint", center=True)
        self.body.addWidget(self.headline)
        self.body.addWidget(self.problem)
        self.body.addWidget(self.service)  # the whole width: long names stay on one or two lines
        # Number, facts and QR code side by side on a landscape screen, one above the other on
        # a portrait one (resizeEvent turns the box), so the whole ticket shows without scrolling.
        self.middle = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        ticket = QVBoxLayout()
        ticket.addWidget(self.number)
        ticket.addStretch(1)
        facts = QVBoxLayout()
        for widget in (self.windows, self.ahead, self.eta, self.note, self.sms_note):
            facts.addWidget(widget)
        facts.addStretch(1)
        qr_box = QVBoxLayout()
        qr_box.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignHCenter)
        qr_box.addWidget(self.qr_hint)
        qr_box.addStretch(1)
        self.middle.addLayout(ticket, 2)
        self.middle.addLayout(facts, 4)
        self.middle.addLayout(qr_box, 2)
        self.body.addLayout(self.middle, 1)
        self.body.addStretch(0)  # in portrait the room left goes below, not between the facts
        self.rating = RatingRow(kiosk)  # the optional 好差评 of the self-service, above the buttons
        self.footer.addWidget(self.rating)
        self.sms = TouchButton("", "secondary")  # 短信提醒, for citizens who do not scan QR codes
        self.sms.clicked.connect(self.ask_sms)
        self.finish = TouchButton("", "primary")
        self.finish.clicked.connect(kiosk.go_home)
        self.button_row(self.sms, self.finish)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)

    @property
    def eticket(self) -> bool:
        """True when the ticket did not come out of the printer."""
        return self.outcome is not None and self.outcome.needs_eticket

    def show_outcome(self, outcome: IssueOutcome) -> None:
        """Show ``outcome`` and start the countdown home."""
        self.outcome = outcome
        self.sms_phone = ""
        self.rating.offer(outcome.ticket, wanted=not outcome.needs_eticket)
        self.restart_countdown()

    def restart_countdown(self) -> None:
        """The whole time again (back from typing a mobile number: time to read what it says)."""
        self.remaining = max(1, round(self.kiosk.done_ms() / 1000))
        self.timer.setInterval(max(1, self.kiosk.done_ms() // self.remaining))

    def ask_sms(self) -> None:
        """The 短信提醒 button: the keypad for a mobile number (this screen's countdown stops)."""
        if self.outcome is not None:
            self.kiosk.screens["sms"].offer(self.outcome.ticket)
            self.kiosk.show_screen("sms")

    def sms_saved(self, ticket, masked: str) -> None:  # noqa: ANN001 - a Ticket
        """The hall took a number for ``ticket``: shown masked, the offer gone."""
        if self.outcome is not None and self.outcome.ticket.id == ticket.id:
            self.sms_phone = masked
            self.render()

    def entered(self) -> None:
        self.timer.start()
        super().entered()

    def left(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        self.remaining -= 1
        if self.remaining <= 0:
            self.timer.stop()
            self.kiosk.go_home()
        else:
            self._countdown()

    def _countdown(self) -> None:
        # The countdown sits in the button: one row less, and the button says what happens.
        self.finish.setText(self.tr("Done (back to the start in {s} s)").format(s=self.remaining))

    def render(self) -> None:
        if self.outcome is None:
            return
        ticket = self.outcome.ticket
        catalog = self.kiosk.catalog
        service = catalog.service(ticket.service) if catalog else None
        names = [getattr(w.name, self.lang) for w in (catalog.window(n) for n in ticket.windows) if w]
        if self.eticket:
            self.headline.setText(self.tr("Please photograph this e-ticket"))
            error = self.outcome.print_error
            self.problem.setText((error.citizen_message(self.lang) if error else
                                  self.tr("The ticket could not be printed.")) + " " +
                                 self.tr("Your number is valid; staff have been told."))
        else:
            self.headline.setText(self.tr("Your number has been reprinted") if self.outcome.reprint
                                  else self.tr("Please take your ticket"))
        self.problem.setVisible(self.eticket)
        self.number.setText(ticket.number)
        self.service.setText(getattr(service.name, self.lang) if service else ticket.service)
        self.windows.setText(self.tr("Go to: {windows}").format(windows=", ".join(names)))
        self.ahead.setText(self.tr("People ahead of you: {n}").format(
            n=ticket.ahead if ticket.ahead is not None else "—"))
        self.eta.setText(self._eta_text(ticket))
        self.note.setText(self._note(ticket))
        self.note.setVisible(bool(self.note.text()))
        self._sms_render(ticket)
        self.rating.render()
        self.qr.show_code(ticket.status_url, self._qr_size())
        self.qr_hint.setText(self.tr("This QR code is your ticket") if self.eticket
                             else self.tr("Scan to follow your place in the queue"))
        self._countdown()

    def _sms_render(self, ticket) -> None:  # noqa: ANN001 - a Ticket
        self.sms_note.setText(self.tr("Texts will be sent to {phone}").format(phone=self.sms_phone)
                              if self.sms_phone else "")
        self.sms_note.setVisible(bool(self.sms_phone))
        self.sms.setVisible(not self.sms_phone and sms_possible(self.kiosk, ticket))
        self.sms.setText(self.tr("Text me before my turn"))

    def _qr_size(self) -> int:
        """The QR code's side: as an e-ticket it is the ticket and gets more room, but never so
        much that it pushes below the fold of a short screen (160 px is still easy for a phone)."""
        tall = self.kiosk.height() >= 1000
        if self.eticket:
            return 300 if tall else 180
        return 220 if tall else 160

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().resizeEvent(event)
        portrait = self.kiosk.height() > self.kiosk.width()
        self.middle.setDirection(QBoxLayout.Direction.TopToBottom if portrait
                                 else QBoxLayout.Direction.LeftToRight)
        align = Qt.AlignmentFlag.AlignHCenter if portrait else Qt.AlignmentFlag.AlignLeft
        for fact in (self.windows, self.ahead, self.eta, self.note, self.sms_note):
            fact.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
        self.body.setStretchFactor(self.middle, 0 if portrait else 1)
        self.body.setStretch(self.body.count() - 1, 1 if portrait else 0)

    def _eta_text(self, ticket) -> str:  # noqa: ANN001 - a Ticket
        """"now" when a window is free for the ticket (never "about 0 min"), else a range such as
        "about 10–15 min" (nobody ahead while every window is busy is still a wait)."""
        if ticket.eta_minutes is None:
            return self.tr("Estimated wait: not known")
        if ticket.eta_minutes == 0:
            return self.tr("Estimated wait: now")
        low, high = shown_range(ticket.eta_minutes, ticket.ahead)
        return self.tr("Estimated wait: about {m} min").format(m=str(low) if low == high else f"{low}–{high}")

    def _note(self, ticket) -> str:  # noqa: ANN001 - a Ticket
        if ticket.device == "remote":
            return self.tr("Phone ticket checked in: you keep the place of your booked time.")
        if ticket.appointment:
            return self.tr("Appointment checked in: you will be called first.")
        if ticket.priority != "normal":
            priority = next((p for p in self.kiosk.catalog.priorities if p.code == ticket.priority), None)
            return self.tr("Priority: {name}").format(
                name=getattr(priority.name, self.lang) if priority else ticket.priority)
        return ""


class MessageScreen(Screen):
    """A refusal or a failure in plain words, with what the citizen can do next.

    ``kind`` is ``error`` (a hall refusal; a duplicate offers a reprint) or ``unavailable`` (the
    hall cannot be reached; the kiosk retries by itself and comes back when it answers).
    """

    name = "error"

    def __init__(self, kiosk):
        super().__init__(kiosk)
        self.kind = "error"
        self.error: BaseException | None = None
        self.title = label("", "title", center=True)
        self.text = label("", "bigText", center=True)
        self.body.addStretch(1)
        self.body.addWidget(self.title)
        self.body.addWidget(self.text)
        self.body.addStretch(2)
        self.home = TouchButton("", "secondary")
        self.retry = TouchButton("", "primary")
        self.reprint = TouchButton("", "primary")
        self.ordinary = TouchButton("", "primary")  # a phone place that cannot be checked in
        self.home.clicked.connect(kiosk.go_home)
        self.retry.clicked.connect(kiosk.retry_hall)
        self.reprint.clicked.connect(kiosk.reprint_existing)
        self.ordinary.clicked.connect(kiosk.ordinary_ticket)
        self.button_row(self.home, self.retry, self.reprint, self.ordinary)

    def show_error(self, kind: str, error: BaseException | None) -> None:
        """Remember what to show; ``render`` words it in the current language."""
        self.kind, self.error = kind, error

    @property
    def existing_ticket(self) -> dict | None:
        """The ticket a duplicate refusal carries (the real-name rule), if any."""
        extra = getattr(self.error, "extra", None) or {}
        return extra.get("ticket") if getattr(self.error, "code", "") == "duplicate_active" else None

    def render(self) -> None:
        if self.kind == "unavailable":
            self.title.setText(self.tr("Service temporarily unavailable"))
            self.text.setText(self.tr("The kiosk cannot reach the queue system right now. It will "
                                      "come back by itself in a moment; you can also ask the staff "
                                      "at the help desk."))
        else:
            self.title.setText(error_title(self.error) if self.error else "")
            self.text.setText(error_text(self.error, self.lang) if self.error else "")
        self.retry.setVisible(self.kind == "unavailable")
        self.reprint.setVisible(self.existing_ticket is not None)
        kind = remote_kind(self.error) if self.error is not None else ""
        self.ordinary.setVisible(self.kind == "error" and kind in ("offline", "lapsed", "not_today", "unknown"))
        self.home.setText(self.tr("Back to the start"))
        self.retry.setText(self.tr("Try again"))
        self.reprint.setText(self.tr("Print my ticket again"))
        self.ordinary.setText(self.tr("Take a new ticket") if kind in ("lapsed", "not_today")
                              else self.tr("Take an ordinary ticket"))


