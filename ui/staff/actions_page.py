"""Staff actions: priority tickets, ticket actions (reprint, void, transfer, requeue), services.

Every action needs a reason picked from a list; it runs on the hall lane (ui.staff.ops), is
written to the audit log there, and its outcome is shown in the result line.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kiosk.domain import HallError
from ui.staff import ops
from ui.staff.lang import current_language
from ui.staff.layouts import Reflow, room_beside_scroll_bar, scrolling
from ui.staff.reasons import REASONS, reason_label
from ui.staff.style import mark_invalid

STAFF_PRIORITIES = ("green", "disabled", "elderly", "military", "pregnant")
TICKET_ACTIONS = ("reprint", "void", "transfer", "requeue")
SERVICE_ACTIONS = ("pause", "resume", "quota")


def _combo(name: str) -> QComboBox:
    """A combo box never narrower than its longest item: no reason or service name is ever cut."""
    combo = QComboBox(objectName=name)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    combo.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
    return combo


def _form(box: QGroupBox) -> QFormLayout:
    """A form with each label above its field: narrow enough for three groups side by side."""
    form = QFormLayout(box)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
    return form


def select_data(combo: QComboBox, value) -> bool:
    """Select the item whose data is ``value``; False when there is none."""
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)
    return index >= 0


class ActionsPage(QWidget):
    """The guide's tools, in three groups side by side."""

    def __init__(self, controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.services = controller.services
        self.catalog = None
        self.ticket = None
        self.busy = False
        layout = QVBoxLayout(self)
        self.heading = QLabel(objectName="title")
        layout.addWidget(self.heading)
        self.groups = Reflow([self._issue_group(), self._ticket_group(), self._service_group()])
        self.scroll = scrolling(self.groups)
        layout.addWidget(self.scroll, 1)
        self.result = QLabel(objectName="status", wordWrap=True)
        layout.addWidget(self.result)
        controller.cardForLookup.connect(self.lookup_card)
        self.retranslate()

    # -- building ------------------------------------------------------------------------------
    def _issue_group(self) -> QGroupBox:
        self.issue_box = QGroupBox()
        form = _form(self.issue_box)
        self.issue_service = _combo("issueService")
        self.issue_service.currentIndexChanged.connect(self._fill_priorities)
        self.issue_priority = _combo("issuePriority")
        self.issue_reason = _combo("issueReason")
        self.citizen = None  # from the last card read in staff mode
        self.citizen_label = QLabel(objectName="help", wordWrap=True)
        self.issue_button = QPushButton(objectName="issueButton")
        self.issue_button.clicked.connect(self.issue)
        self.issue_labels = [QLabel(), QLabel(), QLabel()]
        for label, widget in zip(self.issue_labels, (self.issue_service, self.issue_priority,
                                                     self.issue_reason), strict=True):
            form.addRow(label, widget)
        form.addRow(self.citizen_label)
        form.addRow(self.issue_button)
        return self.issue_box

    def _ticket_group(self) -> QGroupBox:
        self.ticket_box = QGroupBox()
        form = _form(self.ticket_box)
        find_row = QHBoxLayout()
        self.ticket_number = QLineEdit(objectName="ticketNumber")
        self.ticket_number.returnPressed.connect(self.find)
        self.find_button = QPushButton(objectName="findButton")
        self.find_button.clicked.connect(self.find)
        find_row.addWidget(self.ticket_number)
        find_row.addWidget(self.find_button)
        self.card_hint = QLabel(objectName="help", wordWrap=True)
        self.matches = QListWidget(objectName="matches")
        self.matches.setMaximumHeight(110)
        self.matches.setVisible(False)
        self.matches.itemClicked.connect(lambda item: self._show_ticket(item.data(Qt.ItemDataRole.UserRole)))
        self.ticket_info = QLabel(objectName="ticketInfo", wordWrap=True)
        self.ticket_action = _combo("ticketAction")
        self.ticket_action.currentIndexChanged.connect(self._ticket_action_changed)
        self.transfer_service = _combo("transferService")
        self.ticket_reason = _combo("ticketReason")
        self.ticket_apply = QPushButton(objectName="ticketApply")
        self.ticket_apply.clicked.connect(self.apply_ticket_action)
        self.ticket_labels = [QLabel(), QLabel(), QLabel(), QLabel()]
        form.addRow(self.ticket_labels[0], find_row)
        form.addRow(self.card_hint)
        form.addRow(self.matches)
        form.addRow(self.ticket_info)
        for label, widget in zip(self.ticket_labels[1:], (self.ticket_action, self.transfer_service,
                                                          self.ticket_reason), strict=True):
            form.addRow(label, widget)
        form.addRow(self.ticket_apply)
        return self.ticket_box

    def _service_group(self) -> QGroupBox:
        self.service_box = QGroupBox()
        form = _form(self.service_box)
        self.service_code = _combo("serviceCode")
        self.service_action = _combo("serviceAction")
        self.service_action.currentIndexChanged.connect(self._service_action_changed)
        self.quota = QSpinBox(objectName="quotaSpin", minimum=0, maximum=100000)
        self.service_reason = _combo("serviceReason")
        self.service_apply = QPushButton(objectName="serviceApply")
        self.service_apply.clicked.connect(self.apply_service_action)
        self.service_labels = [QLabel(), QLabel(), QLabel(), QLabel()]
        for label, widget in zip(self.service_labels, (self.service_code, self.service_action,
                                                       self.quota, self.service_reason), strict=True):
            form.addRow(label, widget)
        form.addRow(self.service_apply)
        return self.service_box

    # -- language ------------------------------------------------------------------------------
    def retranslate(self) -> None:
        """Set every text in the current language."""
        self.heading.setText(self.tr("Staff actions"))
        self.issue_box.setTitle(self.tr("Priority ticket"))
        for label, text in zip(self.issue_labels, (self.tr("Service"), self.tr("Priority"),
                                                   self.tr("Reason")), strict=True):
            label.setText(text)
        self.issue_button.setText(self.tr("Issue and print"))
        self._show_citizen()
        self.ticket_box.setTitle(self.tr("Ticket"))
        for label, text in zip(self.ticket_labels, (self.tr("Number"), self.tr("Action"),
                                                    self.tr("Transfer to"), self.tr("Reason")),
                               strict=True):
            label.setText(text)
        self.find_button.setText(self.tr("Find"))
        self.card_hint.setText(self.tr("Or place the citizen's ID card on the reader."))
        self.ticket_apply.setText(self.tr("Apply"))
        self.service_box.setTitle(self.tr("Service"))
        for label, text in zip(self.service_labels, (self.tr("Service"), self.tr("Action"),
                                                     self.tr("Today's quota"), self.tr("Reason")),
                               strict=True):
            label.setText(text)
        self.service_apply.setText(self.tr("Apply"))
        names = {"reprint": self.tr("Reprint"), "void": self.tr("Void"),
                 "transfer": self.tr("Transfer to another service"),
                 "requeue": self.tr("Requeue (missing materials)"), "pause": self.tr("Pause"),
                 "resume": self.tr("Resume"), "quota": self.tr("Change today's quota")}
        self._fill_combo(self.ticket_action, [(a, names[a]) for a in TICKET_ACTIONS])
        self._fill_combo(self.service_action, [(a, names[a]) for a in SERVICE_ACTIONS])
        self._fill_catalog_combos()
        self._fill_reasons(self.issue_reason, "issue")
        self._ticket_action_changed()
        self._service_action_changed()
        if self.ticket is not None:
            self._show_ticket(self.ticket)
        self._reflow()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802
        self.load_catalog()
        super().showEvent(event)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._reflow()

    def _reflow(self) -> None:
        """As many groups side by side as fit (texts and catalog names change their widths)."""
        self.groups.fit_to(room_beside_scroll_bar(self.scroll))

    @staticmethod
    def _fill_combo(combo: QComboBox, items: list[tuple[object, str]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for data, text in items:
            combo.addItem(text, data)
        if current is None or not select_data(combo, current):
            combo.setCurrentIndex(0 if items else -1)
        combo.blockSignals(False)

    def _fill_reasons(self, combo: QComboBox, action: str) -> None:
        items = [(None, self.tr("Choose a reason…"))]
        items += [(code, reason_label(action, code)) for code, _ in REASONS[action]]
        combo.clear()
        for data, text in items:
            combo.addItem(text, data)
        mark_invalid(combo, False)

    # -- catalog -------------------------------------------------------------------------------
    def load_catalog(self) -> None:
        """Fetch the catalog (services, priorities) on the hall lane."""
        self.services.hall_lane.run(self.services.hall.catalog, self._catalog_loaded, self._failed)

    def _catalog_loaded(self, catalog) -> None:
        self.catalog = catalog
        self._fill_catalog_combos()
        self._reflow()

    def _fill_catalog_combos(self) -> None:
        if self.catalog is None:
            return
        lang = current_language()
        items = [(s.code, f"{s.code} {getattr(s.name, lang)}") for s in self.catalog.services]
        for combo in (self.issue_service, self.transfer_service, self.service_code):
            self._fill_combo(combo, items)
        self._fill_priorities()

    def _fill_priorities(self) -> None:
        if self.catalog is None:
            return
        service = self.catalog.service(self.issue_service.currentData())
        allowed = service.priorities if service else []
        lang = current_language()
        items = [(p.code, getattr(p.name, lang)) for p in self.catalog.priorities
                 if p.code in STAFF_PRIORITIES and p.code in allowed]
        self._fill_combo(self.issue_priority, items)

    def _ticket_action_changed(self) -> None:
        action = self.ticket_action.currentData() or "reprint"
        self.transfer_service.setEnabled(action == "transfer")
        self._fill_reasons(self.ticket_reason, action)

    def _service_action_changed(self) -> None:
        action = self.service_action.currentData() or "pause"
        self.quota.setEnabled(action == "quota")
        self._fill_reasons(self.service_reason, action)

    # -- running -------------------------------------------------------------------------------
    def _reason(self, combo: QComboBox) -> str | None:
        code = combo.currentData()
        mark_invalid(combo, code is None)
        if code is None:
            self._say(self.tr("Choose a reason first."), error=True)
        return code

    def _run(self, job, done) -> None:
        self.controller.touch()
        actor = self.controller.actor
        if actor is None:
            self._say(self.tr("Staff mode is locked."), error=True)
            return
        self.busy = True
        self._say(self.tr("Working…"))

        def finished(value):
            self.busy = False
            done(value)

        def failed(exc):
            self.busy = False
            self._failed(exc)

        self.services.hall_lane.run(lambda: job(actor), finished, failed)

    def _say(self, text: str, error: bool = False) -> None:
        self.result.setText(text)
        mark_invalid(self.result, False)
        self.result.setProperty("error", error)
        self.result.style().unpolish(self.result)
        self.result.style().polish(self.result)

    def _failed(self, exc: BaseException) -> None:
        detail = exc.detail if isinstance(exc, HallError) else str(exc)
        self._say(self.tr("Refused: %1").replace("%1", detail), error=True)

    def issue(self) -> None:
        """Issue a priority ticket for the chosen service."""
        reason = self._reason(self.issue_reason)
        service, priority = self.issue_service.currentData(), self.issue_priority.currentData()
        if reason is None or not service or not priority:
            return
        lang, citizen = current_language(), self.citizen
        self._run(lambda actor: ops.issue_priority(self.services, self.controller.audit, actor,
                                                   service, priority, reason, lang, citizen),
                  self._issued)

    def _show_citizen(self) -> None:
        if self.citizen is None:
            self.citizen_label.setText(self.tr("No card read: for services that need an ID card, "
                                               "place the citizen's card first."))
        else:
            self.citizen_label.setText(self.tr("For the card holder %1").replace(
                "%1", self.citizen.id_mask))

    def _issued(self, outcome) -> None:
        self.citizen = None  # one ticket per card read
        self._show_citizen()
        number = outcome.ticket.number
        if outcome.printed:
            self._say(self.tr("Ticket %1 issued and printed.").replace("%1", number))
        else:
            self._say(self.tr("Ticket %1 issued but NOT printed: write the number down for the citizen.")
                      .replace("%1", number), error=True)

    def find(self) -> None:
        """Look up today's ticket with the typed number."""
        number = self.ticket_number.text().strip()
        mark_invalid(self.ticket_number, not number)
        if not number:
            return
        self.matches.setVisible(False)
        self.services.hall_lane.run(lambda: ops.find_ticket(self.services.hall, number),
                                    self._show_ticket, self._not_found)

    def lookup_card(self, card) -> None:
        """A citizen's card was placed: find their active tickets today."""
        self.citizen = self.services.terminal.citizen(card)  # sealed to the hall's key, or None
        self._show_citizen()
        citizen = self.citizen
        self.services.hall_lane.run(lambda: ops.find_by_card(self.services.hall, citizen),
                                    self._card_matches, self._failed)

    def _card_matches(self, tickets) -> None:
        if not tickets:
            self._say(self.tr("No active ticket today for this card."))
            return
        self.matches.clear()
        for ticket in tickets:
            item = QListWidgetItem(f"{ticket.number}  {ticket.service}  {ticket.state}")
            item.setData(Qt.ItemDataRole.UserRole, ticket)
            self.matches.addItem(item)
        self.matches.setVisible(len(tickets) > 1)
        self._show_ticket(tickets[0])

    def _not_found(self, exc: BaseException) -> None:
        self.ticket = None
        self.ticket_info.setText("")
        mark_invalid(self.ticket_number, True)
        self._failed(exc)

    def _show_ticket(self, ticket) -> None:
        self.ticket = ticket
        mark_invalid(self.ticket_number, False)
        self.ticket_number.setText(ticket.number)
        text = self.tr("%1 — service %2, %3, issued %4").replace("%1", ticket.number)
        text = text.replace("%2", ticket.service).replace("%3", ticket.state)
        text = text.replace("%4", ticket.issued_at.strftime("%H:%M"))
        if ticket.id_mask:
            text += f" — {ticket.id_mask}"
        self.ticket_info.setText(text)

    def apply_ticket_action(self) -> None:
        """Reprint, void, transfer or requeue the ticket shown."""
        if self.ticket is None:
            self._say(self.tr("Find a ticket first."), error=True)
            mark_invalid(self.ticket_number, True)
            return
        reason = self._reason(self.ticket_reason)
        if reason is None:
            return
        ticket, action = self.ticket, self.ticket_action.currentData()
        audit, lang = self.controller.audit, current_language()
        if action == "reprint":
            self._run(lambda a: ops.reprint(self.services, audit, a, ticket, reason, lang),
                      lambda outcome: self._acted(outcome.ticket, action))
            return
        target = self.transfer_service.currentData() if action == "transfer" else None
        self._run(lambda a: ops.act(self.services, audit, a, ticket, action, reason, target),
                  lambda after: self._acted(after, action))

    def _acted(self, ticket, action: str) -> None:
        self._show_ticket(ticket)
        self._say(self.tr("Done: %1 %2.").replace("%1", self.ticket_action.itemText(
            self.ticket_action.findData(action))).replace("%2", ticket.number))

    def apply_service_action(self) -> None:
        """Pause, resume or change today's quota of the chosen service."""
        reason = self._reason(self.service_reason)
        code, action = self.service_code.currentData(), self.service_action.currentData()
        if reason is None or not code:
            return
        kwargs = {"quota": self.quota.value()} if action == "quota" else {"paused": action == "pause"}
        audit = self.controller.audit
        self._run(lambda a: ops.change_service(self.services, audit, a, code, reason, **kwargs),
                  lambda catalog: self._service_changed(catalog, code))

    def _service_changed(self, catalog, code: str) -> None:
        self.catalog = catalog
        svc = catalog.service(code)
        state = self.tr("paused") if svc.paused else self.tr("running")
        self._say(self.tr("Service %1 is %2, quota %3.").replace("%1", code).replace("%2", state)
                  .replace("%3", str(svc.quota)))
