"""The ID card reader simulator: in-process (``sim:`` URIs) and over a pseudo-terminal.

``sim:<kind>[?option=value&…]`` opens a ``SimulatedReader``, a byte pipe wired straight to a
simulated device, without an OS port. Kinds: ``resident``, ``permit``, ``foreign``,
``foreign2023``, ``elderly`` (a resident born 1950-03-07) and ``empty`` (no card yet). Options:
``born=YYYY-MM-DD``, ``name=…``, ``sex=1|2``, ``present=0`` (card not on the reader at first),
``fault=noise,slow,…`` (see ``FAULTS``), ``delay=S`` (slow fault), ``seed=N`` (noise),
``instance=NAME``.

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
from datetime import date
from pathlib import Path

from drivers.idcard.errors import ReaderUnavailable
from drivers.idcard.simcards import (
    ELDERLY_BIRTH,
    SIM_KINDS,
    build_card_text,
    make_id_number,
    sample_card_text,
)
from drivers.idcard.simdevice import FAULTS, Chunk, SimCardDevice, now
from drivers.idcard.uri import DEVICE, reader_pipe
from drivers.pipe import BytePipe, Options, PipeUnavailable, PipeUri, parse_uri

__all__ = [
    "FAULTS", "PtyReaderSimulator", "SimCardDevice", "SimulatedReader", "build_card_text",
    "forget_sim", "make_id_number", "sample_card_text", "sim_device", "sim_pipe",
]

KINDS = (*SIM_KINDS, "elderly", "empty")
_registry: dict[str, SimCardDevice] = {}
_registry_lock = threading.Lock()


def sim_device(uri: str) -> SimCardDevice:
    """The shared simulated device a ``sim:`` URI names, created on first use.

    The URI is checked as ``CardReader`` checks it; ``ReaderUnavailable`` names what is wrong.
    """
    pipe = reader_pipe(uri)
    if not isinstance(pipe, SimulatedReader):
        raise ReaderUnavailable(f"not a simulator URI: {uri!r}")
    return pipe.device


def forget_sim(uri: str | None = None) -> None:
    """Drop one shared device (by URI or instance name), or all of them."""
    with _registry_lock:
        if uri is None:
            _registry.clear()
            return
        key = uri
        if uri.startswith("sim:"):
            parsed = parse_uri(uri, DEVICE)
            key = parsed.options.get("instance", parsed.text)
        _registry.pop(key, None)


def sim_pipe(uri: PipeUri, options: Options) -> SimulatedReader:
    """Handler of the reader's ``sim:``: a pipe to the shared device the URI names."""
    kind = uri.target.strip("/") or "resident"
    if kind not in KINDS:
        raise uri.error(f"unknown kind {kind!r}", f"use one of sim:{', sim:'.join(KINDS)}")
    settings = {
        "born": options.convert("born", date.fromisoformat, None),
        "name": options.text("name"),
        "sex": options.choice("sex", {code: code for code in "1290"}, None),
        "present": options.flag("present", True),
        "faults": options.convert("fault", _faults, ()),
        "delay": options.convert("delay", float, 0.3),
        "seed": options.integer("seed", 0, 0, 2**63),
    }
    key = options.text("instance") or uri.text
    with _registry_lock:
        if key not in _registry:
            _registry[key] = _build_device(kind, **settings)
        return SimulatedReader(_registry[key], f"simulated ID card reader {uri.text}")


def _build_device(kind: str, *, born: date | None, name: str | None, sex: str | None,
                  present: bool, faults: tuple[str, ...], delay: float, seed: int) -> SimCardDevice:
    if kind == "elderly":
        kind, born = "resident", born or ELDERLY_BIRTH
    text = sample_card_text("resident" if kind == "empty" else kind, born=born, name=name, sex=sex)
    device = SimCardDevice(text, present=kind != "empty" and present, delay=delay, seed=seed)
    for fault in faults:
        device.set_fault(fault)
    return device


def _faults(text: str) -> tuple[str, ...]:
    """A comma-separated list of fault modes, each one of ``FAULTS``."""
    names = tuple(filter(None, text.split(",")))
    for name in names:
        if name not in FAULTS:
            raise ValueError(f"unknown fault {name!r}; known: {', '.join(FAULTS)}")
    return names


class SimulatedReader(BytePipe):
    """A byte pipe wired to a ``SimCardDevice``, in-process.

    Replies become readable after their chunk delays, as on a wire. After the device is
    unplugged every call fails with ``PipeUnavailable``, like a vanished tty, until the pipe is
    opened again on a device that is back.
    """

    def __init__(self, device: SimCardDevice, name: str = "simulated ID card reader") -> None:
        super().__init__(name)
        self.device = device
        self._generation = -1
        self._queue: deque[tuple[float, bytes]] = deque()  # (ready time, bytes)
        self._ready = bytearray()

    def _open(self, timeout: float) -> None:
        if not self.device.plugged:
            raise PipeUnavailable(f"cannot open {self.description}: unplugged")
        self._generation = self.device.generation
        self._queue.clear()
        self._ready.clear()

    def _check(self) -> None:
        if self.device.generation != self._generation or not self.device.plugged:
            raise PipeUnavailable(f"{self.description} lost: device disconnected (simulated unplug)")

    def _collect(self) -> None:
        """Move chunks whose time has come into the readable buffer."""
        t = time.monotonic()
        while self._queue and self._queue[0][0] <= t:
            self._ready += self._queue.popleft()[1]

    def _write_some(self, chunk: bytes, timeout: float) -> int:
        """Hand the request to the device and schedule its reply."""
        self._check()
        at = max(time.monotonic(), self._queue[-1][0] if self._queue else 0.0)
        for reply in self.device.respond(bytes(chunk)):
            at += reply.delay
            self._queue.append((at, reply.data))
        return len(chunk)

    def _read(self, size: int, timeout: float) -> bytes:
        """Up to ``size`` bytes, waiting at most ``timeout`` for the first one."""
        self._check()
        deadline = time.monotonic() + timeout
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

    def _discard(self) -> None:
        """Drop what has arrived so far."""
        self._check()
        self._collect()
        self._ready.clear()


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
