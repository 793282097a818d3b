"""The ID card reader simulator: in-process (``sim:`` URIs) and over a pseudo-terminal.

``sim:<kind>[?option=value&…]`` opens a ``SimulatedReader`` directly, without an OS port. Kinds:
``resident``, ``permit``, ``foreign``, ``foreign2023``, ``elderly`` (a resident born 1950-03-07)
and ``empty`` (no card yet). Options: ``born=YYYY-MM-DD``, ``name=…``, ``sex=1|2``,
``present=0`` (card not on the reader at first), ``fault=noise,slow,…`` (see ``FAULTS``),
``delay=S`` (slow fault), ``seed=N`` (noise), ``instance=NAME``.

Every URI (or ``instance``) names one shared ``SimCardDevice``, so the demo or a test can place
and remove cards at run time: ``sim_device("sim:resident").remove()``.

``PtyReaderSimulator`` serves the same device on the master side of a pty, so the driver talks
to a real tty path (optionally a stable symlink that survives unplug and replug).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import tty
from collections import deque
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qs

import serial

from drivers.idcard.errors import ReaderUnavailable
from drivers.idcard.simcards import (
    ELDERLY_BIRTH,
    SIM_KINDS,
    build_card_text,
    make_id_number,
    sample_card_text,
)
from drivers.idcard.simdevice import FAULTS, Chunk, SimCardDevice, now

__all__ = [
    "FAULTS", "PtyReaderSimulator", "SimCardDevice", "SimulatedReader", "build_card_text",
    "forget_sim", "make_id_number", "open_sim", "sample_card_text", "sim_device",
]

T = TypeVar("T")
_OPTIONS = {"born", "name", "sex", "present", "fault", "delay", "seed", "instance"}
_registry: dict[str, SimCardDevice] = {}
_registry_lock = threading.Lock()


def sim_device(uri: str) -> SimCardDevice:
    """The shared simulated device a ``sim:`` URI names, created on first use."""
    kind, options = _parse(uri)
    key = options.get("instance", uri)
    with _registry_lock:
        if key not in _registry:
            _registry[key] = _build_device(kind, options)
        return _registry[key]


def forget_sim(uri: str | None = None) -> None:
    """Drop one shared device (by URI or instance name), or all of them."""
    with _registry_lock:
        if uri is None:
            _registry.clear()
            return
        key = _parse(uri)[1].get("instance", uri) if uri.startswith("sim:") else uri
        _registry.pop(key, None)


def open_sim(uri: str, read_timeout: float = 0.02) -> SimulatedReader:
    """Open an in-process port on the device a ``sim:`` URI names."""
    device = sim_device(uri)
    try:
        return SimulatedReader(device, read_timeout)
    except serial.SerialException as exc:
        raise ReaderUnavailable(f"cannot open {uri}: {exc}") from None


def _parse(uri: str) -> tuple[str, dict[str, str]]:
    """Kind and options of a ``sim:`` URI; ReaderUnavailable names what is wrong."""
    if not uri.startswith("sim:"):
        raise ReaderUnavailable(f"not a simulator URI: {uri!r}")
    kind, _, query = uri[4:].partition("?")
    kind = kind.strip("/") or "resident"
    if kind not in {*SIM_KINDS, "elderly", "empty"}:
        raise ReaderUnavailable(f"bad simulator URI {uri!r}: unknown kind {kind!r}")
    options = {key: values[-1] for key, values in parse_qs(query, keep_blank_values=True).items()}
    unknown = set(options) - _OPTIONS
    if unknown:
        raise ReaderUnavailable(f"bad simulator URI {uri!r}: unknown option(s) {sorted(unknown)}")
    return kind, options


def _build_device(kind: str, options: dict[str, str]) -> SimCardDevice:
    born = _option(options, "born", date.fromisoformat, None)
    if kind == "elderly":
        kind, born = "resident", born or ELDERLY_BIRTH
    text = sample_card_text("resident" if kind == "empty" else kind, born=born,
                            name=options.get("name"), sex=_option(options, "sex", _sex, None))
    device = SimCardDevice(text, present=kind != "empty" and options.get("present") != "0",
                           delay=_option(options, "delay", float, 0.3),
                           seed=_option(options, "seed", int, 0))
    for fault in filter(None, options.get("fault", "").split(",")):
        _option({"fault": fault}, "fault", device.set_fault, None)
    return device


def _option(options: dict[str, str], name: str, convert: Callable[[str], T], default: T) -> T:
    """One URI option converted, or ReaderUnavailable naming the option and its value."""
    if name not in options:
        return default
    try:
        return convert(options[name])
    except ValueError as exc:
        raise ReaderUnavailable(f"bad simulator option {name}={options[name]!r}: {exc}") from None


def _sex(code: str) -> str:
    if code not in ("0", "1", "2", "9"):
        raise ValueError("sex is a code: 0, 1, 2 or 9")
    return code


class SimulatedReader:
    """An in-process serial port wired to a ``SimCardDevice`` (the pyserial calls the driver uses).

    Replies become readable after their chunk delays, as on a wire. After the device is
    unplugged every call raises ``serial.SerialException``, like a vanished tty.
    """

    def __init__(self, device: SimCardDevice, read_timeout: float = 0.02) -> None:
        if not device.plugged:
            raise serial.SerialException("simulated reader is unplugged")
        self.device = device
        self.timeout: float | None = read_timeout
        self._generation = device.generation
        self._queue: deque[tuple[float, bytes]] = deque()  # (ready time, bytes)
        self._ready = bytearray()
        self.is_open = True

    def _check(self) -> None:
        if not self.is_open:
            raise serial.PortNotOpenError()
        if self.device.generation != self._generation or not self.device.plugged:
            raise serial.SerialException("device disconnected (simulated unplug)")

    def _collect(self) -> None:
        """Move chunks whose time has come into the readable buffer."""
        t = time.monotonic()
        while self._queue and self._queue[0][0] <= t:
            self._ready += self._queue.popleft()[1]

    def write(self, data: bytes) -> int:
        """Hand the request to the device and schedule its reply."""
        self._check()
        at = max(time.monotonic(), self._queue[-1][0] if self._queue else 0.0)
        for chunk in self.device.respond(bytes(data)):
            at += chunk.delay
            self._queue.append((at, chunk.data))
        return len(data)

    @property
    def in_waiting(self) -> int:
        """Bytes readable now."""
        self._check()
        self._collect()
        return len(self._ready)

    def read(self, size: int = 1) -> bytes:
        """Up to ``size`` bytes, waiting at most ``timeout`` for the first one."""
        self._check()
        deadline = time.monotonic() + (self.timeout or 0.0)
        self._collect()
        while not self._ready and self._queue and self._queue[0][0] <= deadline:
            time.sleep(max(0.0, self._queue[0][0] - time.monotonic()))
            self._check()
            self._collect()
        if not self._ready:
            time.sleep(max(0.0, deadline - time.monotonic()))
            self._check()
            return b""
        data = bytes(self._ready[:size])
        del self._ready[:size]
        if not self._ready and not self._queue:
            self.device.last_sent_at = now()
        return data

    def reset_input_buffer(self) -> None:
        """Drop what has arrived so far."""
        self._check()
        self._collect()
        self._ready.clear()

    def close(self) -> None:
        """Close the port."""
        self.is_open = False


class PtyReaderSimulator:
    """Serves a ``SimCardDevice`` on the master side of a pty, in a thread.

    ``path`` is what the driver opens: the pty's slave path, or ``link`` (a symlink re-pointed to
    the new pty on ``plug()``, as udev gives a stable name to a USB reader). ``unplug()`` closes
    the pty, so the host's open port fails as with a pulled cable.
    """

    def __init__(self, device: SimCardDevice | None = None, link: str | Path | None = None) -> None:
        self.device = device or SimCardDevice(sample_card_text("resident"))
        self.link = Path(link) if link is not None else None
        self._lock = threading.Lock()
        self._fds: tuple[int, int] | None = None  # (master, slave)
        self._slave_name = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def path(self) -> str:
        """The tty path to open."""
        return str(self.link) if self.link is not None else self._slave_name

    def start(self) -> str:
        """Create the pty, start serving, and return ``path``."""
        self.plug()
        self._thread = threading.Thread(target=self._serve, name="idcard-pty-sim", daemon=True)
        self._thread.start()
        return self.path

    def plug(self) -> None:
        """Create a new pty (re-pointing ``link`` to it)."""
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo or line editing, before the host even opens it
        with self._lock:
            self._fds = (master, slave)
            self._slave_name = os.ttyname(slave)
        if self.link is not None:
            tmp = self.link.with_name(self.link.name + ".new")
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            tmp.symlink_to(self._slave_name)
            os.replace(tmp, self.link)

    def unplug(self) -> None:
        """Close the pty and remove ``link``: the host's port fails and cannot be reopened."""
        with self._lock:
            fds, self._fds = self._fds, None
        if self.link is not None:
            with contextlib.suppress(FileNotFoundError):
                self.link.unlink()
        for fd in fds or ():
            with contextlib.suppress(OSError):
                os.close(fd)

    def stop(self) -> None:
        """Stop serving and close everything."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self.unplug()

    def __enter__(self) -> PtyReaderSimulator:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _serve(self) -> None:
        import select

        while not self._stop.is_set():
            master = self._fds[0] if self._fds else None
            if master is None:
                self._stop.wait(0.02)
                continue
            try:
                readable, _, _ = select.select([master], [], [], 0.05)
                data = os.read(master, 4096) if readable else b""
            except (OSError, ValueError):  # closed under us by unplug(): wait for the next pty
                self._stop.wait(0.02)
                continue
            if data:
                self._send(master, self.device.respond(data))

    def _send(self, master: int, chunks: list[Chunk]) -> None:
        for i, chunk in enumerate(chunks):
            if chunk.delay and self._stop.wait(chunk.delay):
                return
            with self._lock:
                if self._fds is None or self._fds[0] != master:
                    return  # unplugged while the reply was pending
                if i == len(chunks) - 1:
                    # stamped just before the write: the host may have the bytes before we return
                    self.device.last_sent_at = now()
                try:
                    view = memoryview(chunk.data)
                    while view:
                        view = view[os.write(master, view):]
                except OSError:
                    return
