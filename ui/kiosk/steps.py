"""The steps between home and the ticket: materials, identify, booking code, priority offer."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.kiosk.screen import Screen
from ui.kiosk.widgets import Keypad, TouchButton, label


class MaterialsScreen(Screen):
    """一次性告知: everything to bring, shown before a number is taken."""

    name = "materials"

    def __init__(self, kiosk):
        super().__init__(kiosk)
        self.title = label("", "title")
        self.service = label("", "subtitle")
        self.intro = label("", "hint")
        self.items = label("", "listText")
        self.bundle_intro = label("", "hint")
        self.bundle = label("", "listText")
        for widget in (self.title, self.service, self.intro, self.items, self.bundle_intro,
                       self.bundle):
            self.body.addWidget(widget)
        self.body.addStretch(1)
        self.back = TouchButton("", "secondary")
        self.next = TouchButton("", "primary")
        self.back.clicked.connect(kiosk.go_home)
        self.next.clicked.connect(kiosk.materials_done)
        self.button_row(self.back, self.next)

    def render(self) -> None:
        visit = self.kiosk.visit
        if visit is None:
            return
        service = visit.service
        self.title.setText(self.tr("Please have these materials ready"))
        self.service.setText(getattr(service.name, self.lang))
        materials = service.materials.get(self.lang) or service.materials.get("zh", [])
        self.intro.setText(self.tr("To finish in one visit, bring:") if materials
                           else self.tr("No documents are needed for this service."))
        self.items.setText("\n".join(f"{i}. {m}" for i, m in enumerate(materials, 1)))
        self.items.setVisible(bool(materials))
        items = service.bundle_items.get(self.lang) or service.bundle_items.get("zh", [])
        self.bundle_intro.setText(self.tr("Handled together at one window:"))
        self.bundle.setText("\n".join(f"• {m}" for m in items))
        self.bundle_intro.setVisible(bool(items))
        self.bundle.setVisible(bool(items))
        self.back.setText(self.tr("Back"))
        self.next.setText(self.tr("I have them, continue"))


class CardPrompt(QWidget):
    """A drawn reader with a card sliding onto it, over and over: "place your card here"."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("cardPrompt")
        self.setMinimumSize(260, 200)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.phase = 0
        self.timer = QTimer(self)
        self.timer.setInterval(60)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        self.phase = (self.phase + 1) % 40
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt naming)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        reader = QRectF(w / 2 - 110, h - 70, 220, 56)
        painter.setPen(QPen(QColor("#0b3d91"), 4))
        painter.setBrush(QColor("#dfe8f7"))
        painter.drawRoundedRect(reader, 10, 10)
        drop = min(self.phase, 25) / 25.0
        card = QRectF(w / 2 - 80, 10 + drop * (h - 130), 160, 100)
        painter.setPen(QPen(QColor("#b0451a"), 3))
        painter.setBrush(QColor("#fff4d6"))
        painter.drawRoundedRect(card, 8, 8)
        painter.end()


class IdentifyScreen(Screen):
    """Place the ID card; skip where the service allows; or enter a booking code."""

    name = "identify"

    def __init__(self, kiosk):
        super().__init__(kiosk)
        self.title = label("", "title")
        self.service = label("", "subtitle")
        self.prompt = CardPrompt()
        self.hint = label("", "hint", center=True)
        self.problem = label("", "problem", center=True)
        for widget in (self.title, self.service):
            self.body.addWidget(widget)
        self.body.addStretch(1)
        self.body.addWidget(self.prompt, 0, Qt.AlignmentFlag.AlignHCenter)
        self.body.addWidget(self.hint)
        self.body.addWidget(self.problem)
        self.body.addStretch(1)
        self.back = TouchButton("", "secondary")
        self.booking = TouchButton("", "secondary")
        self.skip = TouchButton("", "primary")
        self.back.clicked.connect(kiosk.go_home)
        self.booking.clicked.connect(lambda: kiosk.show_screen("booking"))
        self.skip.clicked.connect(kiosk.skip_identify)
        self.button_row(self.back, self.booking, self.skip)  # wraps where three do not fit

    def entered(self) -> None:
        self.prompt.timer.start()
        super().entered()

    def left(self) -> None:
        self.prompt.timer.stop()

    def render(self) -> None:
        visit = self.kiosk.visit
        if visit is None:
            return
        service = visit.service
        reader_ok = self.kiosk.reader_available()
        self.title.setText(self.tr("Please place your ID card on the reader"))
        self.service.setText(getattr(service.name, self.lang))
        if service.id_required:
            self.hint.setText(self.tr("This service needs your ID card (real-name ticket)."))
        else:
            self.hint.setText(self.tr("Your ID card is optional here: with it, an appointment is "
                                      "checked in and senior citizens may queue with priority."))
        if service.remote:  # 线上取号: the card, or the code the phone shows, checks the place in
            self.hint.setText(self.hint.text() + " " + self.tr(
                "Took a number on your phone? Place your ID card, or enter the check-in code."))
        missing = not reader_ok
        self.problem.setVisible(missing)
        self.prompt.setVisible(not missing)
        if missing:
            self.problem.setText(self._reader_problem(service))
        self.booking.setVisible(service.remote or not service.id_required and "appointment" in service.priorities)
        self.skip.setVisible(not service.id_required)
        self.back.setText(self.tr("Back"))
        self.booking.setText(self.tr("I have a code from my phone") if service.remote
                             else self.tr("I have a booking code"))
        self.skip.setText(self.tr("Get a ticket without ID card"))


    def _reader_problem(self, service) -> str:  # noqa: ANN001 - a CatalogService
        """What a citizen is told while the reader is out of order (or the kiosk has none): what
        they can still do."""
        if service.id_required:
            return self.tr("The ID card reader cannot be used now. Please ask the staff at the help "
                           "desk, who can give you a ticket.")
        if "appointment" in service.priorities:
            return self.tr("The ID card reader cannot be used now. Please use your booking code, or "
                           "take a number without the card.")
        return self.tr("The ID card reader cannot be used now. You can still take a number without it.")


class BookingScreen(Screen):
    """Check-in by code, typed on a touch keypad or scanned from a phone's screen (a scanner
    that types like a keyboard): an appointment's booking code or a phone place's check-in code
    (线上取号); ``CitizenFlow.check_in`` tells them apart."""

    name = "booking"

    def __init__(self, kiosk):
        super().__init__(kiosk)
        self.title = label("", "title")
        self.code = label("", "codeEntry", wrap=False, center=True)
        self.keypad = Keypad()
        self.keypad.changed.connect(self._show_code)
        self.body.addWidget(self.title)
        self.body.addWidget(self.code)
        self.body.addWidget(self.keypad, 1)
        self.back = TouchButton("", "secondary")
        self.confirm = TouchButton("", "primary")
        self.back.clicked.connect(lambda: kiosk.show_screen("identify"))
        self.confirm.clicked.connect(lambda: kiosk.check_in(self.keypad.value))
        self.button_row(self.back, self.confirm)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a scanner types into this screen

    def entered(self) -> None:
        self.keypad.clear()
        self._columns()
        self.setFocus()  # a scanner's keys come here
        super().entered()

    def _columns(self) -> None:
        portrait = self.kiosk.height() > self.kiosk.width()
        self.keypad.set_columns(6 if portrait else 12)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().resizeEvent(event)
        self._columns()  # the screen turned (or was first laid out) while showing

    def _show_code(self, value: str) -> None:
        self.code.setText(value or "—")
        self.confirm.setEnabled(len(value) >= 3)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        """A scanner's or a keyboard's keys: the code's characters, backspace, Enter to confirm."""
        key, text = event.key(), event.text().upper()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.confirm.isEnabled():
                self.kiosk.check_in(self.keypad.value)
        elif not self.keypad.type_key(key, text):
            super().keyPressEvent(event)

    def render(self) -> None:
        visit = self.kiosk.visit
        remote = visit is not None and visit.service.remote
        self.title.setText(self.tr("Enter the check-in code from your phone, or your booking code")
                           if remote else self.tr("Enter your booking code"))
        self._show_code(self.keypad.value)
        self.back.setText(self.tr("Back"))
        self.confirm.setText(self.tr("Check in with this code") if remote else self.tr("Check in"))


class PriorityScreen(Screen):
    """The offer of the senior citizens' priority line, when the card says the citizen may."""

    name = "priority"

    def __init__(self, kiosk):
        super().__init__(kiosk)
        self.title = label("", "title")
        self.text = label("", "bigText")
        self.body.addWidget(self.title)
        self.body.addWidget(self.text)
        self.body.addStretch(1)
        self.decline = TouchButton("", "secondary")
        self.accept = TouchButton("", "primary")
        self.decline.clicked.connect(lambda: kiosk.choose_priority("normal"))
        self.accept.clicked.connect(lambda: kiosk.choose_priority("elderly"))
        self.button_row(self.decline, self.accept)

    def render(self) -> None:
        age = self.kiosk.config.kiosk.elderly_age
        self.title.setText(self.tr("Priority for senior citizens"))
        self.text.setText(self.tr("You are {age} or older, so you may queue in the priority "
                                  "line for senior citizens.").format(age=age))
        self.decline.setText(self.tr("No, normal queue"))
        self.accept.setText(self.tr("Yes, use priority"))
