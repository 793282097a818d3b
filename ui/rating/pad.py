"""``kiosk rate``: the evaluator (评价器) of one window, a full-screen touch pad facing the citizen.

Idle, it shows the window and the clerk signed in there, by name and 工号, and their photo
(``GET /windows/{n}/clerk/photo``, fetched on the hall lane at each change of clerk, in a fixed
box; none when the clerk has none or it cannot be read): from the catalog's
window (at start), the ``clerk`` hall events (sign-in, sign-out, another clerk), and the
window's clerk read again whenever the stream reconnects (a change made while the link was down
is not missed). When the window finishes a ticket (a ``ticket`` event of the hall stream, state
``done``, at this window) it shows that service and the five levels; a bad level (1 or 2) brings
the hall's reasons and an optional comment from an on-screen keyboard; then thanks, and back to
idle. A citizen who does not rate within ``idle_s`` leaves the ticket unrated.

The stream is followed by ``ui.calling.feed.HallFeed`` on its own thread (it resumes after a
server restart); the catalog and the rating itself go through the pad's hall lane. No network
call ever runs on the GUI thread.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.domain import HallError
from kiosk.models import Catalog, WindowClerk
from kiosk.rating_models import BAD_LEVEL, RatingRequest
from ui.calling.feed import HallFeed
from ui.ops import Lane
from ui.rating.keyboard import DELETE, Keyboard
from ui.rating.words import level_name, word

log = logging.getLogger(__name__)

PAGES = ("idle", "levels", "reasons", "comment", "thanks")
LEVEL_COLOURS = {5: "#17692f", 4: "#2f6f1f", 3: "#7a5c00", 2: "#a63f00", 1: "#a31515"}
"""Green to red, each dark enough for white text (WCAG 3:1 and more)."""
MAX_COMMENT = 200


def pad_font_px(width: int, height: int) -> int:
    """The pad's text size for a screen of ``width`` × ``height`` pixels."""
    return max(20, min(44, height // 17, width // 26))


def pad_style(px: int) -> str:
    """The pad's style sheet at text size ``px``: large, high-contrast, elderly-friendly."""
    key = max(18, px * 4 // 5)
    return (f"QWidget {{ font-size: {px}px; color: #111; background: #fdfdf8; }}"
            f" QLabel#title {{ font-size: {px * 3 // 2}px; font-weight: bold; }}"
            f" QLabel#big {{ font-size: {px * 2}px; font-weight: bold; color: #0b3d91; }}"
            f" QLabel#note {{ color: #333; }}"
            f" QLabel#service {{ font-weight: bold; color: #0b3d91; }}"
            f" QLabel#status {{ color: #a31515; }}"
            f" QPushButton {{ min-height: 56px; min-width: 56px; border: 2px solid #555; border-radius: 8px;"
            f" background: #eef1f6; padding: 0 {px // 3}px; }}"
            f" QPushButton:checked {{ background: #0b3d91; color: white; border-color: #0b3d91; }}"
            f" QPushButton#level {{ font-size: {px * 5 // 4}px; font-weight: bold; color: white; border: none; }}"
            f" QPushButton#submit {{ background: #0b3d91; color: white; font-weight: bold; }}"
            f" Keyboard QPushButton {{ font-size: {key}px; padding: 0; }}"
            f" QLineEdit {{ min-height: 56px; border: 2px solid #555; background: white; }}")


def _button(text: str, parent: QWidget, name: str = "") -> QPushButton:
    button = QPushButton(text, parent)
    button.setObjectName(name)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return button


def _label(parent: QWidget, name: str = "", wrap: bool = True) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(wrap)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


class RatingPad(QWidget):
    """The evaluator of window ``window`` over ``hall`` (a Hall: the server's client with a
    ``rater`` token, or in-process); ``lang`` ``zh`` or ``en``; ``idle_s``: how long a citizen
    may take before the pad goes back to idle unrated; ``thanks_s``: how long thanks show."""

    def __init__(self, hall, window: int, *, lang: str = "zh", idle_s: float = 60.0,  # noqa: ANN001
                 thanks_s: float = 6.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Styled for the smallest evaluator screen from the start, so the first layout never
        # asks for more room than 800×480 (resizeEvent restyles for a bigger screen).
        self._font_px = pad_font_px(800, 480)
        self.setStyleSheet(pad_style(self._font_px))
        self.hall = hall
        self.window = window
        self.lang = lang
        self.catalog: Catalog | None = None
        self.ticket: dict | None = None  # the finished ticket being rated
        self.clerk: WindowClerk | None = None  # who is signed in at the window
        self.portrait: QImage | None = None  # the clerk's photo, decoded on the hall lane
        self.level: int | None = None
        self.linked = False  # the hall's event stream is connected
        self.outcome = ""  # the thanks page's message key, or a failure sentence
        self._rated: set[str] = set()  # tickets this pad offered already: a repeated event is no new offer
        self.lane = Lane(f"rate-{window}", self)
        self.feed = HallFeed(hall, 1, self)
        self.feed.event.connect(self.on_event)
        self.feed.status.connect(self._on_link)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.to_idle)
        self._idle_ms, self._thanks_ms = int(idle_s * 1000), int(thanks_s * 1000)
        self._build()
        self.retranslate()

    # ----- building ------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 4, 10, 4)
        outer.setSpacing(4)
        top = QHBoxLayout()
        self.place = _label(self, "note", wrap=False)
        self.place.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.switch = QPushButton(self)
        self.switch.setObjectName("switch")
        self.switch.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.switch.clicked.connect(lambda: self.set_language("en" if self.lang == "zh" else "zh"))
        top.addWidget(self.place, 1)
        top.addWidget(self.switch)
        outer.addLayout(top)
        self.pages = QStackedWidget(self)
        outer.addWidget(self.pages, 1)
        for name in PAGES:
            page = QWidget(self.pages)
            page.setObjectName(name)
            self.pages.addWidget(page)
            getattr(self, f"_build_{name}")(page)

    def _build_idle(self, page: QWidget) -> None:
        row = QHBoxLayout(page)
        # The clerk's photo, left of the words in a fixed box (photo_box); hidden while there is
        # none, so a clerk without one leaves the page as it was.
        self.photo = QLabel(page)
        self.photo.setObjectName("photo")
        self.photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo.hide()
        row.addWidget(self.photo, 0, Qt.AlignmentFlag.AlignVCenter)
        box = QVBoxLayout()
        row.addLayout(box, 1)
        self.idle_title = _label(page, "title")
        self.window_name = _label(page, "big")
        self.clerk_label = _label(page)
        self.idle_hint = _label(page, "note")
        self.status = _label(page, "status")
        for widget in (self.idle_title, self.window_name, self.clerk_label, self.idle_hint, self.status):
            box.addWidget(widget)

    def _build_levels(self, page: QWidget) -> None:
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(4)
        self.service_label = _label(page, "service", wrap=False)
        box.addWidget(self.service_label)
        self.level_buttons: dict[int, QPushButton] = {}
        for level in (5, 4, 3, 2, 1):
            button = _button("", page, "level")
            button.setStyleSheet(f"background: {LEVEL_COLOURS[level]};")
            button.clicked.connect(lambda _=False, lv=level: self.choose(lv))
            self.level_buttons[level] = button
            box.addWidget(button, 1)

    def _build_reasons(self, page: QWidget) -> None:
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        self.reasons_title = _label(page, "title")
        box.addWidget(self.reasons_title)
        self.reason_grid = QGridLayout()
        box.addLayout(self.reason_grid, 1)
        self.reason_buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        self.comment_button = _button("", page)
        self.comment_button.clicked.connect(lambda: self.show_page("comment"))
        self.submit_button = _button("", page, "submit")
        self.submit_button.clicked.connect(self.submit)
        row.addWidget(self.comment_button)
        row.addWidget(self.submit_button)
        box.addLayout(row)

    def _build_comment(self, page: QWidget) -> None:
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.comment = QLineEdit(page)
        self.comment.setMaxLength(MAX_COMMENT)
        self.comment.setReadOnly(True)  # typed on the pad's own keys: no system keyboard pops up
        self.comment_done = _button("", page, "submit")
        self.comment_done.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.comment_done.clicked.connect(lambda: self.show_page("reasons"))
        row.addWidget(self.comment, 1)
        row.addWidget(self.comment_done)
        box.addLayout(row)
        self.keyboard = Keyboard(page)
        self.keyboard.typed.connect(self._type)
        box.addWidget(self.keyboard, 1)

    def _build_thanks(self, page: QWidget) -> None:
        box = QVBoxLayout(page)
        self.thanks_title = _label(page, "big")
        self.thanks_note = _label(page)
        box.addWidget(self.thanks_title, 1)
        box.addWidget(self.thanks_note, 1)

    # ----- running -------------------------------------------------------------------------

    def start(self) -> None:
        """Load the catalog (window name, service names, reasons) and follow the hall."""
        self.lane.run(self.hall.catalog, self.set_catalog, self._on_failure)
        self.feed.start()

    def stop(self) -> None:
        """Stop following and drop queued work."""
        self.timer.stop()
        self.feed.stop()
        self.lane.shutdown()

    def page(self) -> str:
        """The page shown: one of PAGES."""
        return self.pages.currentWidget().objectName()

    def on_event(self, kind: str, data: object) -> None:
        """A hall event: a ticket this window finished brings the levels; a ``clerk`` event of
        this window says who is signed in now (nobody after a sign-out)."""
        if kind not in ("ticket", "clerk") or not isinstance(data, dict) or data.get("window") != self.window:
            return
        if kind == "clerk":
            self.set_clerk(_clerk_of(data.get("clerk")))
        elif data.get("state") == "done" and data.get("id") not in self._rated:
            self.offer(data)

    def set_clerk(self, clerk: WindowClerk | None) -> None:
        """Show ``clerk`` on the idle page (None: nobody is signed in) and fetch their photo on
        the hall lane; until it comes, and if it never does, the name stands alone."""
        same = clerk is not None and self.clerk is not None and clerk.code == self.clerk.code
        self.clerk = clerk
        self._show_clerk()
        if not same:  # the same clerk read again (a reconnection) keeps their photo meanwhile
            self._set_portrait(None)
        if clerk is not None:
            hall, window, code = self.hall, self.window, clerk.code
            self.lane.run(lambda: _decode(hall.window_clerk_photo(window)),
                          lambda image: self._photo_came(code, image),
                          lambda exc: self._photo_failed(code, exc))

    def offer(self, ticket: dict) -> None:
        """Show the levels for ``ticket`` (a finished ticket's event data)."""
        self._rated.add(ticket.get("id"))
        self.ticket, self.level = ticket, None
        self.comment.clear()
        for button in self.reason_buttons.values():
            button.setChecked(False)
        self._show_service()
        self.show_page("levels")

    def choose(self, level: int) -> None:
        """The citizen's level: a bad one asks for reasons first (when the hall has any)."""
        self.level = level
        if level <= BAD_LEVEL and self.reason_buttons:
            self.show_page("reasons")
        else:
            self.submit()

    def submit(self) -> None:
        """Send the rating on the hall lane; thanks whatever the answer (a failure says why)."""
        if self.ticket is None or self.level is None:
            return
        bad = self.level <= BAD_LEVEL
        reasons = [code for code, b in self.reason_buttons.items() if b.isChecked()] if bad else []
        request = RatingRequest(level=self.level, reasons=reasons, comment=self.comment.text().strip() if bad else "")
        ticket_id, window = self.ticket["id"], self.window
        self.ticket = None  # sent: a second tap sends nothing
        self.lane.run(lambda: self._rate(ticket_id, request, window), lambda _r: self.show_thanks("thanks"),
                      self._rate_failed)
        self.timer.stop()

    def _rate(self, ticket_id: str, request: RatingRequest, window: int) -> object:
        from kiosk.hall import LocalHall

        if isinstance(self.hall, LocalHall):  # in-process: the pad speaks for its window itself
            return self.hall.rate(ticket_id, request, window=window)
        return self.hall.rate(ticket_id, request)

    def to_idle(self) -> None:
        """Back to idle; an offer nobody answered stays unrated."""
        self.ticket, self.level = None, None
        self.show_page("idle")

    def set_language(self, lang: str) -> None:
        """Switch the pad's words to ``lang`` (``zh`` or ``en``)."""
        self.lang = lang
        self.retranslate()

    # ----- internals -----------------------------------------------------------------------

    def show_page(self, name: str) -> None:
        """Show page ``name`` (one of PAGES); any page but idle goes back to idle after its time."""
        self.pages.setCurrentIndex(PAGES.index(name))
        if name == "idle":
            self.timer.stop()
        else:
            self.timer.start(self._thanks_ms if name == "thanks" else self._idle_ms)

    def show_thanks(self, key: str, detail: str = "") -> None:
        """The last page: ``thanks`` (a bad rating adds that it is followed up), ``already``
        (rated elsewhere), or ``failed`` with the hall's plain ``detail``."""
        self.outcome = key
        self.thanks_title.setText(word(key, self.lang, detail=detail) if key == "failed" else word(
            "already" if key == "already" else "thanks", self.lang))
        bad = key == "thanks" and self.level is not None and self.level <= BAD_LEVEL
        self.thanks_note.setText(word("thanks.bad", self.lang) if bad else "")
        self.show_page("thanks")

    def _rate_failed(self, exc: BaseException) -> None:
        if isinstance(exc, HallError) and exc.code == "already_rated":
            self.show_thanks("already")
            return
        detail = exc.detail if isinstance(exc, HallError) else str(exc)
        log.warning("rating of window %s not sent: %s", self.window, detail)
        self.show_thanks("failed", detail)

    def _type(self, char: str) -> None:
        text = self.comment.text()
        self.comment.setText(text[:-1] if char == DELETE else (text + char)[:MAX_COMMENT])
        self.timer.start(self._idle_ms)  # typing is no idleness

    def set_catalog(self, catalog: Catalog) -> None:
        """The hall's names (window, services) and rating reasons, from its catalog."""
        self.catalog = catalog
        self.status.clear()
        window = catalog.window(self.window)
        self.set_clerk(window.clerk if window is not None else None)
        for button in self.reason_buttons.values():
            button.deleteLater()
        self.reason_buttons = {}
        reasons = catalog.ratings.reasons
        columns = 2 if len(reasons) > 3 else 1
        for i, reason in enumerate(reasons):
            button = _button("", self.pages.widget(PAGES.index("reasons")))
            button.setCheckable(True)
            button.clicked.connect(lambda _=False: self.timer.start(self._idle_ms))
            button.toggled.connect(lambda _=False: self._mark_reasons())
            self.reason_buttons[reason.code] = button
            self.reason_grid.addWidget(button, i // columns, i % columns)
        self.retranslate()

    def _on_failure(self, exc: BaseException) -> None:
        log.warning("evaluator of window %s: %s", self.window, exc)
        self.status.setText(word("linking", self.lang))
        QTimer.singleShot(3000, lambda: self.lane.run(self.hall.catalog, self.set_catalog, self._on_failure))

    def _on_link(self, status: str) -> None:
        self.linked = status == "connected"
        self.status.setText("" if status == "connected" else word("linking", self.lang))
        if status == "connected" and self.catalog is None:
            self.lane.run(self.hall.catalog, self.set_catalog, self._on_failure)
        elif status == "connected":  # a clerk may have signed in or out while the link was down
            hall, window = self.hall, self.window
            self.lane.run(lambda: hall.window_clerk(window), self.set_clerk,
                          lambda exc: log.warning("evaluator of window %s: clerk not read: %s", window, exc))

    def _mark_reasons(self) -> None:
        """A ticked reason says so in words too (✓), not by its colour alone."""
        for button in self.reason_buttons.values():
            name = button.property("name") or ""
            button.setText(f"✓ {name}" if button.isChecked() else name)

    def _window_title(self) -> str:
        window = self.catalog.window(self.window) if self.catalog else None
        if window is None:
            return f"{self.window}号窗口" if self.lang == "zh" else f"Window {self.window}"
        return window.name.en if self.lang == "en" else window.name.zh

    def _photo_came(self, code: str, image: QImage | None) -> None:
        # A photo asked for a clerk who has left since is not theirs to show.
        if self.clerk is not None and self.clerk.code == code:
            self._set_portrait(image)

    def _photo_failed(self, code: str, exc: BaseException) -> None:
        log.warning("evaluator of window %s: photo of clerk %s not read: %s", self.window, code, exc)
        if self.clerk is not None and self.clerk.code == code:
            self._set_portrait(None)

    def _set_portrait(self, image: QImage | None) -> None:
        """Show ``image`` in the photo box (None: no photo, the box hidden)."""
        self.portrait = image
        self._show_portrait()

    def _show_portrait(self) -> None:
        if self.portrait is None:
            self.photo.clear()
            self.photo.hide()
            return
        width, height = photo_box(self._font_px)
        self.photo.setFixedSize(width, height)
        self.photo.setPixmap(QPixmap.fromImage(self.portrait.scaled(
            width, height, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)))
        self.photo.show()

    def _show_clerk(self) -> None:
        clerk = self.clerk
        self.clerk_label.setText(word("clerk", self.lang, name=clerk.name, code=clerk.code) if clerk else "")

    def _show_service(self) -> None:
        code = (self.ticket or {}).get("service", "")
        service = self.catalog.service(code) if self.catalog else None
        name = (service.name.en if self.lang == "en" else service.name.zh) if service else code
        number = (self.ticket or {}).get("number", "")
        self.service_label.setText(f"{word('levels.title', self.lang)}  {number} {name}".strip())

    def retranslate(self) -> None:
        """Every text in the pad's language."""
        lang = self.lang
        self.switch.setText(word("switch", lang))
        self.place.setText(self._window_title())
        self.idle_title.setText(word("idle.title", lang))
        self.window_name.setText(self._window_title())
        self.idle_hint.setText(word("idle.hint", lang))
        self._show_clerk()
        for level, button in self.level_buttons.items():
            button.setText(level_name(level, lang))
        self.reasons_title.setText(word("reasons.title", lang))
        names = {r.code: r.name for r in self.catalog.ratings.reasons} if self.catalog else {}
        for code, button in self.reason_buttons.items():
            button.setProperty("name", names[code].en if lang == "en" else names[code].zh)
        self._mark_reasons()
        self.comment_button.setText(word("comment", lang))
        self.submit_button.setText(word("submit", lang))
        self.comment.setPlaceholderText(word("comment.title", lang))
        self.comment_done.setText(word("done", lang))
        self.keyboard.set_words(word("space", lang), word("delete", lang))
        if self.ticket is not None:
            self._show_service()
        if self.page() == "thanks" and self.outcome in ("thanks", "already"):
            self.show_thanks(self.outcome)

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt's name
        """Text sizes follow the screen: the same pad fits 800×480 and 1280×800. Restyled only
        when the size class changes: a new style sheet re-polishes every child, and a minimum
        size computed midway would make the window grow past its screen."""
        px = pad_font_px(self.width(), self.height())
        if px != self._font_px:
            self._font_px = px
            self.setStyleSheet(pad_style(px))
            self._show_portrait()  # the photo box grows and shrinks with the text
        super().resizeEvent(event)

    def changeEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt's name
        """The pad's words are its own (``set_language``); Qt's language change is not its business."""
        if event.type() != QEvent.Type.LanguageChange:
            super().changeEvent(event)


def photo_box(px: int) -> tuple[int, int]:
    """The clerk's photo box at text size ``px``: a portrait's 4:5, about five lines high."""
    return px * 4, px * 5


PORTRAIT_MAX = (480, 600)
"""A decoded photo is kept no larger: the box is at most 176 × 220 pixels."""


def _decode(data: bytes | None) -> QImage | None:
    """The photo ``data`` as an image no larger than PORTRAIT_MAX (on the hall lane: QImage,
    unlike QPixmap, may be used off the GUI thread); None for no data or data Qt cannot read."""
    if not data:
        return None
    image = QImage.fromData(data)
    if image.isNull():
        return None
    if image.width() > PORTRAIT_MAX[0] or image.height() > PORTRAIT_MAX[1]:
        image = image.scaled(*PORTRAIT_MAX, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    return image


def _clerk_of(data: object) -> WindowClerk | None:
    """The clerk of a ``clerk`` event's data (None: nobody, or data that cannot be read)."""
    if not isinstance(data, dict):
        return None
    try:
        return WindowClerk.model_validate(data)
    except ValueError:
        return None
