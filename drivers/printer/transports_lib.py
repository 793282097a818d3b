"""Transports that lean on python-escpos: USB (pyusb) and CUPS (pycups).

Both libraries are optional. When one is missing, opening raises ``PrinterUnavailable``
saying which package to install, so a kiosk without it still starts.
"""

from __future__ import annotations

from drivers.printer.errors import PrinterUnavailable, PrintTimeout
from drivers.printer.transports import Transport


class UsbTransport(Transport):
    """A USB printer found by vendor/product id, through ``escpos.printer.Usb``."""

    can_answer = True

    def __init__(self, options: dict[str, object]) -> None:
        vendor, product = int(options["vendor"]), int(options["product"])  # type: ignore[arg-type]
        super().__init__(f"usb {vendor:04x}:{product:04x}")
        self.vendor, self.product = vendor, product
        self.in_ep = int(options.get("in_ep", 0x82))  # type: ignore[arg-type]
        self.out_ep = int(options.get("out_ep", 0x01))  # type: ignore[arg-type]
        self._escpos = None
        self._dev = None

    def _open(self, timeout: float) -> None:
        from escpos.exceptions import DeviceNotFoundError
        from escpos.printer import Usb

        if not Usb.is_usable():
            raise PrinterUnavailable("USB printing needs the pyusb package (pip install pyusb)")
        # Keywords only: old positional calls to Usb() silently swap the endpoints.
        printer = Usb(
            idVendor=self.vendor,
            idProduct=self.product,
            timeout=int(timeout * 1000),
            in_ep=self.in_ep,
            out_ep=self.out_ep,
        )
        try:
            printer.open()
        except (DeviceNotFoundError, OSError) as exc:
            raise PrinterUnavailable(
                f"{self.description} not found, busy (usblp/CUPS) or no permission: {exc}"
            ) from exc
        self._escpos, self._dev = printer, printer.device

    def _write_chunk(self, chunk: bytes, timeout: float) -> int:
        import usb.core

        try:
            return int(self._dev.write(self.out_ep, chunk, max(1, int(timeout * 1000))))
        except usb.core.USBTimeoutError as exc:
            raise PrintTimeout(f"{self.description}: write timed out") from exc
        except usb.core.USBError as exc:
            raise PrinterUnavailable(f"{self.description} lost: {exc}") from exc

    def query(self, request: bytes, timeout: float) -> bytes | None:
        import usb.core

        ms = max(1, int(timeout * 1000))
        try:
            self._dev.write(self.out_ep, request, ms)
            answer = bytes(self._dev.read(self.in_ep, 16, ms))
        except usb.core.USBTimeoutError:
            return None
        except usb.core.USBError as exc:
            raise PrinterUnavailable(f"{self.description} lost: {exc}") from exc
        # Some bridges prefix their own bytes: the printer's answer is the last one.
        return answer[-1:] or None

    def _close(self) -> None:
        import usb.util

        if self._dev is not None:
            usb.util.dispose_resources(self._dev)
        self._escpos = self._dev = None


class CupsTransport(Transport):
    """A CUPS queue receiving raw jobs, through ``escpos.printer.CupsPrinter``.

    CUPS cannot carry a status byte back, so this transport never answers queries.
    """

    def __init__(self, queue: str) -> None:
        super().__init__(f"cups queue {queue}")
        self.queue = queue

    def _open(self, timeout: float) -> None:
        from escpos.printer import CupsPrinter

        if not CupsPrinter.is_usable():
            raise PrinterUnavailable("CUPS printing needs the pycups package (pip install pycups)")

    def write(self, data: bytes, timeout: float) -> int:
        """Submit one raw job; CUPS queues it and prints in the background."""
        from escpos.exceptions import DeviceNotFoundError
        from escpos.printer import CupsPrinter

        printer = CupsPrinter(printer_name=self.queue)
        try:
            printer.open(job_name="kiosk ticket")
            printer._raw(data)
            printer.send()
        except (DeviceNotFoundError, RuntimeError, OSError) as exc:
            raise PrinterUnavailable(f"{self.description}: {exc}") from exc
        except Exception as exc:  # cups.IPPError and friends: the module may not be importable
            raise PrinterUnavailable(f"{self.description}: job refused: {exc}") from exc
        return len(data)
