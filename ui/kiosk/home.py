"""The home screen: every service as a big tile with its queue, paged, greyed when closed."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QWidget

from kiosk.models import CatalogService
from ui.kiosk.screen import Screen
from ui.kiosk.texts import closed_reason, waiting_text
from ui.kiosk.widgets import ServiceTile, TouchButton, label


class HomeScreen(Screen):
    """Zones and services as tiles; touching an open one starts a visit."""

    name = "home"

    def __init__(self, kiosk):
        super().__init__(kiosk)
        self.title = label("", "title")
        self.notice = label("", "notice")
        # Only the printer is out of order: the kiosk still gives numbers, on screen (§6, §7).
        self.printer_note = label("", "notice")  # a banner like the hall's notice: short, above the tiles
        self.body.addWidget(self.title)
        self.body.addWidget(self.notice)
        self.body.addWidget(self.printer_note)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setSpacing(18)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.body.addWidget(self.grid_host, 1)
        self.tiles: dict[str, ServiceTile] = {}
        self._probe = ServiceTile("", self.grid_host)  # never shown: measures a tile's height
        self._probe.hide()
        self.page = 0
        self.prev_button = TouchButton("", "secondary")
        self.next_button = TouchButton("", "secondary")
        self.page_label = label("", "pageLabel", wrap=False, center=True)
        self.elderly_button = TouchButton("", "accent")
        self.prev_button.clicked.connect(lambda: self.turn(-1))
        self.next_button.clicked.connect(lambda: self.turn(1))
        self.elderly_button.clicked.connect(kiosk.toggle_elderly)
        foot = QHBoxLayout()
        foot.setSpacing(24)
        foot.addWidget(self.elderly_button, 2)
        foot.addStretch(1)
        foot.addWidget(self.prev_button, 1)
        foot.addWidget(self.page_label)
        foot.addWidget(self.next_button, 1)
        self.footer.addLayout(foot)

    # -- paging -------------------------------------------------------------------------------
    def services(self) -> list[CatalogService]:
        """The catalog's services, grouped by zone in the catalog's zone order."""
        catalog = self.kiosk.catalog
        if catalog is None:
            return []
        order = {z.code: i for i, z in enumerate(catalog.zones)}
        return sorted(catalog.services, key=lambda s: order.get(s.zone, 99))

    def per_page(self) -> tuple[int, int]:
        """(columns, rows) of tiles: columns by the window's shape and the mode, rows as many as
        the room below the title holds at the tiles' own text sizes (fewer on a short screen, so
        no tile is squeezed: the rest go to the next page)."""
        portrait = self.kiosk.height() > self.kiosk.width()
        if self.kiosk.elderly:
            cols, most = (2, 4) if portrait else (3, 3)
        else:
            cols, most = (2, 6) if portrait else (4, 4)
        room = self._grid_room()
        if room <= 0:  # not laid out yet: the shape's usual count
            return cols, most // 2 + 1
        spacing = self.grid.spacing()
        rows = (room + spacing) // (self._tile_height() + spacing)
        return cols, max(1, min(most, rows))

    def _grid_room(self) -> int:
        """The height left for the tiles: the scrolled body's height less title (or the printer
        note in its place) and notice."""
        width = self.scroll.viewport().width()
        used = 0
        for part in (self.title, self.notice, self.printer_note):
            if part.isVisibleTo(self):
                used += part.heightForWidth(width) + self.body.spacing()
        return self.scroll.viewport().height() - used

    def _tile_height(self) -> int:
        """A tile's height with a name on two lines, at the tile fonts the style sheet sets."""
        probe = self._probe
        for part in (probe, probe.zone, probe.name, probe.status):
            part.ensurePolished()
        lines = (probe.zone.fontMetrics().lineSpacing() + 2 * probe.name.fontMetrics().lineSpacing()
                 + probe.status.fontMetrics().lineSpacing())
        margins = probe.layout().contentsMargins()
        return lines + 2 * probe.layout().spacing() + margins.top() + margins.bottom() + 8  # border

    def pages(self) -> int:
        """How many pages the services take."""
        cols, rows = self.per_page()
        return max(1, -(-len(self.services()) // (cols * rows)))

    def turn(self, step: int) -> None:
        """Show the next (1) or previous (-1) page."""
        self.page = max(0, min(self.pages() - 1, self.page + step))
        self.render()

    # -- drawing ------------------------------------------------------------------------------
    def entered(self) -> None:
        self.page = min(self.page, self.pages() - 1)
        self.render()

    def render(self) -> None:
        catalog = self.kiosk.catalog
        self.title.setText(self.tr("Please choose a service"))
        notice = catalog.hall.notice if catalog else None
        self.notice.setText(getattr(notice, self.lang) if notice else "")
        self.notice.setVisible(bool(notice))
        trouble = self.kiosk.printer_trouble()
        self.printer_note.setVisible(trouble)
        # The note takes the title's place: the tiles keep their room on the smallest screens.
        self.title.setVisible(not trouble)
        if trouble:
            self.printer_note.setText(self.tr(
                "Printer being fixed: your number is shown on screen, please photograph it."))
        self.elderly_button.setText(self.tr("Standard mode") if self.kiosk.elderly
                                    else self.tr("Elderly mode: large text"))
        self.prev_button.setText(self.tr("Previous"))
        self.next_button.setText(self.tr("Next"))
        self._lay_tiles()

    def _lay_tiles(self) -> None:
        cols, rows = self.per_page()
        services = self.services()
        self.page = max(0, min(self.page, self.pages() - 1))
        shown = services[self.page * cols * rows:(self.page + 1) * cols * rows]
        for tile in self.tiles.values():
            self.grid.removeWidget(tile)
            tile.hide()
        for i, service in enumerate(shown):
            tile = self.tiles.get(service.code)
            if tile is None:
                tile = ServiceTile(service.code)
                tile.clicked.connect(lambda _=False, c=service.code: self.kiosk.choose_service(c))
                self.tiles[service.code] = tile
            self._fill(tile, service)
            self.grid.addWidget(tile, i // cols, i % cols)
            tile.show()
        for r in range(max(rows, self.grid.rowCount())):
            self.grid.setRowStretch(r, 1 if r < rows else 0)
        for c in range(max(cols, self.grid.columnCount())):
            self.grid.setColumnStretch(c, 1 if c < cols else 0)
        many = self.pages() > 1
        for widget in (self.prev_button, self.next_button, self.page_label):
            widget.setVisible(many)
        self.prev_button.setEnabled(self.page > 0)
        self.next_button.setEnabled(self.page < self.pages() - 1)
        self.page_label.setText(f"{self.page + 1} / {self.pages()}")

    def _fill(self, tile: ServiceTile, service: CatalogService) -> None:
        zone = next((z for z in self.kiosk.catalog.zones if z.code == service.zone), None)
        if service.open:
            status = waiting_text(service.waiting, service.eta_minutes)
        else:
            status = closed_reason(service.closed_reason, self.lang)
        tile.show_service(getattr(zone.name, self.lang) if zone else "",
                          getattr(service.name, self.lang), status, service.open)

    def tile(self, code: str) -> ServiceTile | None:
        """The tile of ``code`` when it is on the current page (for tests and the demo)."""
        tile = self.tiles.get(code)
        return tile if tile is not None and not tile.isHidden() else None

    def show_service_page(self, code: str) -> None:
        """Turn to the page holding ``code``."""
        cols, rows = self.per_page()
        codes = [s.code for s in self.services()]
        if code in codes:
            self.page = codes.index(code) // (cols * rows)
            self.render()


