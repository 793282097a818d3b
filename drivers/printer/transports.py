"""The printer's own transports, byte pipes for schemes only a printer has: ``dummy:``,
``usb://VVVV:PPPP``, ``cups://Queue`` and ``sim:`` (``drivers.printer.simpipe``). They register
with the one scheme registry (``drivers.pipe``) under the device name ``printer``; serial, TCP
and file lines are shared.

USB and CUPS lean on python-escpos and optional libraries (pyusb, pycups). When one is missing,
opening raises ``PipeUnavailable`` saying which package to install, so a kiosk without it starts.
"""

from __future__ import annotations

import threading

from drivers.pipe import BytePipe, Options, PipeTimeout, PipeUnavailable, PipeUri, register

DEVICE = "printer"


class DummyTransport(BytePipe):
    """Keeps every byte in memory: ``output`` (all) and ``jobs`` (one entry per write)."""

    can_answer = False

    def __init__(self) -> None:
        super().__init__("dummy printer")
        self.output = bytearray()
        self.jobs: list[bytes] = []
        self._lock = threading.Lock()  # tests read output from another thread

    def write(self, data: bytes, timeout: float) -> int:
        """Keep ``data`` as one job."""
        self._require_open()
        with self._lock:
            self.output += data
            self.jobs.append(bytes(data))
        return len(data)

    def _open(self, timeout: float) -> None:
        pass

    def _write_some(self, chunk: bytes, timeout: float) -> int:
        return self.write(chunk, timeout)  # not reached: write keeps whole jobs


class UsbTransport(BytePipe):
    """A USB printer found by vendor/product id, opened through ``escpos.printer.Usb``."""

    def __init__(self, vendor: int, product: int, in_ep: int = 0x82, out_ep: int = 0x01) -> None:
        super().__init__(f"usb {vendor:04x}:{product:04x}")
        self.vendor, self.product = vendor, product
        self.in_ep, self.out_ep = in_ep, out_ep
        self._dev = None
        self._pending = b""  # the rest of a packet longer than a read asked for

    def _open(self, timeout: float) -> None:
        from escpos.exceptions import DeviceNotFoundError
        from escpos.printer import Usb

        if not Usb.is_usable():
            raise PipeUnavailable("USB printing needs the pyusb package (pip install pyusb)")
        # Keywords only: old positional calls to Usb() silently swap the endpoints.
        printer = Usb(idVendor=self.vendor, idProduct=self.product, timeout=int(timeout * 1000),
                      in_ep=self.in_ep, out_ep=self.out_ep)
        try:
            printer.open()
        except (DeviceNotFoundError, OSError) as exc:
            raise PipeUnavailable(
                f"{self.description} not found, busy (usblp/CUPS) or no permission: {exc}"
            ) from exc
        self._dev, self._pending = printer.device, b""

    def _write_some(self, chunk: bytes, timeout: float) -> int:
        import usb.core

        try:
            return int(self._dev.write(self.out_ep, chunk, _ms(timeout)))
        except usb.core.USBTimeoutError as exc:
            raise PipeTimeout(f"{self.description}: write timed out") from exc
        except usb.core.USBError as exc:
            raise PipeUnavailable(f"{self.description} lost: {exc}") from exc

    def _read(self, size: int, timeout: float) -> bytes:
        import usb.core

        if not self._pending:
            try:  # a whole packet: asking for less overflows on some printers
                self._pending = bytes(self._dev.read(self.in_ep, max(size, 64), _ms(timeout)))
            except usb.core.USBTimeoutError:
                return b""
            except usb.core.USBError as exc:
                raise PipeUnavailable(f"{self.description} lost: {exc}") from exc
        data, self._pending = self._pending[:size], self._pending[size:]
        return data

    def _discard(self) -> None:
        self._pending = b""

    def _close(self) -> None:
        import usb.util

        dev, self._dev = self._dev, None
        if dev is not None:
            usb.util.dispose_resources(dev)


class CupsTransport(BytePipe):
    """A CUPS queue taking raw jobs, through ``escpos.printer.CupsPrinter``.

    CUPS cannot carry a status byte back, so this transport never answers.
    """

    can_answer = False

    def __init__(self, queue: str) -> None:
        super().__init__(f"cups queue {queue}")
        self.queue = queue

    def write(self, data: bytes, timeout: float) -> int:
        """Submit ``data`` as one raw job; CUPS queues it and prints in the background."""
        from escpos.exceptions import DeviceNotFoundError
        from escpos.printer import CupsPrinter

        self._require_open()
        printer = CupsPrinter(printer_name=self.queue)
        try:
            printer.open(job_name="kiosk ticket")
            printer._raw(data)
            printer.send()
        except (DeviceNotFoundError, RuntimeError, OSError) as exc:
            raise PipeUnavailable(f"{self.description}: {exc}") from exc
        except Exception as exc:  # cups.IPPError and friends: the module may not be importable
            raise PipeUnavailable(f"{self.description}: job refused: {exc}") from exc
        return len(data)

    def _open(self, timeout: float) -> None:
        from escpos.printer import CupsPrinter

        if not CupsPrinter.is_usable():
            raise PipeUnavailable("CUPS printing needs the pycups package (pip install pycups)")

    def _write_some(self, chunk: bytes, timeout: float) -> int:
        return self.write(chunk, timeout)  # not reached: write sends whole jobs


def dummy_pipe(uri: PipeUri, options: Options) -> DummyTransport:
    """Handler of ``dummy:``."""
    if uri.target:
        raise uri.error("dummy: takes no name", "write dummy:")
    return DummyTransport()


def usb_pipe(uri: PipeUri, options: Options) -> UsbTransport:
    """Handler of ``usb://VVVV:PPPP?in_ep=0x81&out_ep=0x03`` (hex ids, endpoints optional)."""
    ids = uri.target.split(":")
    if len(ids) != 2:
        raise uri.error("expected usb://VVVV:PPPP (hex ids)", "find them with lsusb")
    try:
        vendor, product = (int(x, 16) for x in ids)
    except ValueError:
        raise uri.error("vendor/product ids must be hex", "write usb://0416:5011") from None
    return UsbTransport(vendor, product, options.integer("in_ep", 0x82, 0x81, 0x8F, base=0),
                        options.integer("out_ep", 0x01, 0x01, 0x0F, base=0))


def cups_pipe(uri: PipeUri, options: Options) -> CupsTransport:
    """Handler of ``cups://QueueName``."""
    name = uri.target.lstrip("/")
    if not name or any(c in name for c in " /#\t"):
        raise uri.error("expected cups://QueueName", "see lpstat -p for the queue names")
    return CupsTransport(name)


def _ms(timeout: float) -> int:
    """A timeout in whole milliseconds, at least 1 (0 means "for ever" to libusb)."""
    return max(1, int(timeout * 1000))


register("usb", usb_pipe, example="usb://VVVV:PPPP", device=DEVICE)
register("cups", cups_pipe, example="cups://Queue", device=DEVICE, answers=False)
register("dummy", dummy_pipe, example="dummy:", device=DEVICE, answers=False)
register("sim", "drivers.printer.simpipe:sim_pipe", example="sim:", device=DEVICE)
