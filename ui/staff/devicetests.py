"""Device tests for the technician panel: blocking, Qt-free, run on a lane.

Each test takes the values in the form (not yet saved) and returns a one-line result; a failure
raises with a message the panel shows as it is. Nothing here ever prints a full ID number.
"""

from __future__ import annotations

import time
from datetime import datetime

from kiosk.client import HallClient


def _printer_for(services, settings: dict):
    """The kiosk's own printer when the URI is unchanged (the device may allow one user only)."""
    from drivers.printer import PrinterSettings, open_printer

    wanted = PrinterSettings.model_validate(settings)
    current = getattr(services.terminal, "printer", None)
    if current is not None and current.settings == wanted:
        return current, False
    return open_printer(wanted), True


def check_print(services, settings: dict) -> str:
    """Print a sample ticket with the form's printer settings."""
    from drivers.printer import TicketData

    printer, own = _printer_for(services, settings)
    try:
        data = TicketData(hall_name="测试 TEST", number="T000", service_name="打印测试 Test print",
                          windows=["1号窗口"], ahead=0, eta_minutes=0, issued_at=datetime.now(),
                          footer="Test print / 打印测试", language="zh")
        result = printer.print_ticket(data)
        return f"printed {result.bytes_written} bytes in {result.seconds:.2f} s; status {result.status.state.value}"
    finally:
        if own:
            printer.close()


def printer_status(services, settings: dict) -> str:
    """Query the printer's status."""
    printer, own = _printer_for(services, settings)
    try:
        status = printer.status()
        answer = "" if status.answerable else " (this transport cannot answer)"
        return f"{status.state.value}{answer} {status.detail}".strip()
    finally:
        if own:
            printer.close()


def check_read(uri: str, timeout: float = 5.0) -> str:
    """Wait up to ``timeout`` for a card on the reader at ``uri``; the masked ID if one came."""
    from drivers.idcard import CardReader

    with CardReader(uri) as reader:
        card = reader.read_once(timeout)
    if card is None:
        return "reader answers; no card was placed"
    return f"card read: {card.masked_id}, {card.card_type}, checksum {'ok' if card.id_valid else 'BAD'}"


def check_signs(signs: list[dict], text: str = "TEST") -> str:
    """Show ``text`` and the window number on every configured sign, then report the buses."""
    from drivers.sign import open_sign_bus

    lines = []
    for sign in signs:
        bus = open_sign_bus(sign["uri"])
        try:
            for window, address in sign.get("addresses", {}).items():
                bus.show(int(address), f"{text} {window}")
            bus.wait_idle(5.0)
            status = bus.status()
        finally:
            bus.close()
        state = "ok" if status.ok else f"error: {status.last_error}"
        lines.append(f"{sign['uri']}: {status.frames_sent} frame(s), {state}")
    return "; ".join(lines) or "no signs configured"


def check_voice(backend: str, languages: list[str], out_dir=None) -> str:
    """Announce ``A001`` to window 1 once with the chosen backend."""
    from drivers.voice import Announcer, AnnouncerSettings, Utterance, open_voice_backend

    lang = "both" if set(languages) >= {"zh", "en"} else (languages or ["zh"])[0]
    with Announcer(open_voice_backend(backend, out_dir=out_dir),
                   AnnouncerSettings(lang=lang, repeat=1)) as announcer:
        announcer.announce(Utterance("A001", 1, lang))
        finished = announcer.wait_idle(20.0)
        status = announcer.status()
    if not finished:
        return "announcement still playing after 20 s"
    return "announced" if status.ok else f"failed: {status.last_fault}"


def check_server(url: str, token: str, timeout: float, ca_file: str = "") -> str:
    """Time a health call to the hall server (an https one checked against ``ca_file``)."""
    client = HallClient(url, token, timeout, ca_file)
    started = time.perf_counter()
    health = client.health()
    ms = (time.perf_counter() - started) * 1000
    return f"{health.get('status', '?')} (version {health.get('version', '?')}) in {ms:.0f} ms"
