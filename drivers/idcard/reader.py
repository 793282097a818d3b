"""``CardReader``: one blocking conversation with a SAM ID card reader (find → select → read).

Not thread-safe by design: one owner at a time (the CLI, or the ``ReaderWorker`` thread).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from drivers.idcard import protocol as p
from drivers.idcard.card import IdCard, parse_text
from drivers.idcard.errors import (
    CardDataError,
    FrameError,
    ReaderStatusError,
    ReaderUnavailable,
    ReadTimeout,
)
from drivers.idcard.uri import reader_pipe
from drivers.pipe import BytePipe, PipeError, one_line

log = logging.getLogger(__name__)
#: Bounds on connecting (a TCP bridge; a serial port opens at once) and on sending one command.
OPEN_TIMEOUT = 2.0
WRITE_TIMEOUT = 1.0


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for each command's answer, and ``settle``: how long to keep listening for
    a good frame after a bad one before the bad one is reported."""

    find: float = 0.5
    select: float = 0.5
    read: float = 3.0
    sam: float = 1.0
    settle: float = 0.1

    def __post_init__(self) -> None:
        for name in ("find", "select", "read", "sam", "settle"):
            if not getattr(self, name) > 0:
                raise ValueError(f"timeout {name} must be a positive number of seconds")


class CardReader:
    """A SAM ID card reader on the line named by ``uri`` (see ``drivers.idcard.uri``).

    ``today`` gives the date stored in each card as ``read_on`` (age and expiry are derived from
    it); tests inject a fixed day. ``retries`` is how many protocol failures ``read_once``
    tolerates before it raises. The port opens lazily and stays open until ``close``.
    """

    def __init__(self, uri: str, timeouts: Timeouts | None = None, *, poll_interval: float = 0.2,
                 retries: int = 2, today: Callable[[], date] = date.today) -> None:
        self.uri = uri
        self.timeouts = timeouts or Timeouts()
        self.poll_interval = poll_interval
        self.retries = retries
        self._today = today
        self._pipe: BytePipe | None = None

    # -- port -------------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        """True while the port is open."""
        return self._pipe is not None

    def open(self) -> None:
        """Open the port and check that the SAM module answers; raises CardReaderError."""
        if self._pipe is not None:
            return
        pipe = reader_pipe(self.uri)  # checked at each open: a bad URI is reported like a lost reader
        try:
            pipe.open(OPEN_TIMEOUT)
        except PipeError as exc:
            raise ReaderUnavailable(str(exc)) from None
        self._pipe = pipe
        try:
            self.sam_status()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Close the port; never raises."""
        pipe, self._pipe = self._pipe, None
        if pipe is not None:
            pipe.close()

    def __enter__(self) -> CardReader:
        self.open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- commands ---------------------------------------------------------------------------
    def transact(self, command: p.Command, timeout: float) -> p.Response:
        """Send one command and return the first well-formed response frame."""
        pipe = self._require_pipe()
        try:
            pipe.discard_input()  # stale bytes from an earlier timeout must not be taken as the answer
            pipe.write(command.frame(), WRITE_TIMEOUT)
            return self._receive(pipe, command, timeout)
        except PipeError as exc:
            self.close()
            raise ReaderUnavailable(f"{self.uri}: {command.name} failed: {one_line(exc)}") from None

    def sam_status(self) -> None:
        """Ask the SAM module for its status; raise unless it reports success."""
        self._expect(self.transact(p.SAM_STATUS, self.timeouts.sam), p.SAM_STATUS)

    def sam_id(self) -> bytes:
        """The SAM module's identity (16 bytes)."""
        response = self.transact(p.SAM_ID, self.timeouts.sam)
        self._expect(response, p.SAM_ID)
        if len(response.data) != 16:
            raise FrameError("length", f"SAM id has {len(response.data)} bytes, expected 16")
        return response.data

    def reset_sam(self) -> None:
        """Reset the SAM module."""
        self._expect(self.transact(p.RESET_SAM, self.timeouts.sam), p.RESET_SAM)

    def find_card(self) -> bool:
        """True when a card is in the field; False when the reader sees none."""
        response = self.transact(p.FIND_CARD, self.timeouts.find)
        if response.sw3 == p.SW3_NO_CARD:
            return False
        self._expect(response, p.FIND_CARD)
        return True

    def select_card(self) -> bool:
        """Select the found card; False when it left the field in between."""
        response = self.transact(p.SELECT_CARD, self.timeouts.select)
        if response.sw3 == p.SW3_SELECT_FAILED:
            return False
        self._expect(response, p.SELECT_CARD)
        return True

    def read_text(self) -> bytes:
        """Read the base message of the selected card and return its 256-byte text block."""
        response = self.transact(p.READ_BASE, self.timeouts.read)
        self._expect(response, p.READ_BASE)
        return split_read_data(response.data)[0]

    # -- cards ------------------------------------------------------------------------------
    def poll(self) -> IdCard | None:
        """One find → select → read cycle: the card on the reader, or None when there is none."""
        if not self.find_card() or not self.select_card():
            return None
        return self.read_card()

    def read_card(self) -> IdCard:
        """Read and parse the card selected by ``select_card``."""
        return parse_text(self.read_text(), self._today())

    def read_once(self, timeout: float) -> IdCard | None:
        """Wait up to ``timeout`` seconds for a card and return it (None if none came).

        Opens the port if needed. Protocol failures (bad frames, failure statuses, nonsense
        fields) are retried ``retries`` times, then raised; ``ReaderUnavailable`` and
        ``ReadTimeout`` (the reader itself is silent) are raised at once.
        """
        deadline = time.monotonic() + timeout
        self.open()
        failures = 0
        while True:
            try:
                card = self.poll()
            except (FrameError, ReaderStatusError, CardDataError) as exc:
                failures += 1
                log.info("card read attempt failed (%d/%d): %s", failures, self.retries + 1, exc)
                if failures > self.retries:
                    raise
            else:
                if card is not None:
                    log.debug("card read: %r", card)
                    return card
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            time.sleep(min(self.poll_interval, remaining))

    # -- internals --------------------------------------------------------------------------
    def _require_pipe(self) -> BytePipe:
        if self._pipe is None:
            raise ReaderUnavailable(f"{self.uri}: the port is not open")
        return self._pipe

    def _receive(self, pipe: BytePipe, command: p.Command, timeout: float) -> p.Response:
        """Read until a valid response frame arrives, resynchronising over noise."""
        decoder = p.FrameDecoder(accept=p.plausible_response)
        deadline = time.monotonic() + timeout
        error: FrameError | None = None
        while True:
            # Ask for what the frame still lacks; the read returns as soon as some bytes are there.
            chunk = pipe.read(decoder.wanted(), deadline - time.monotonic())
            for body in decoder.feed(chunk) if chunk else ():
                try:
                    return p.response_from_body(body)
                except FrameError as exc:
                    decoder.errors.append(exc)
            if decoder.errors:
                # Keep listening a little: noise may hold a false frame just before the real one.
                error = decoder.errors[-1]
                decoder.errors.clear()
                deadline = min(deadline, time.monotonic() + self.timeouts.settle)
            if time.monotonic() >= deadline:
                failure = error or decoder.truncated_error()
                if failure is not None:
                    raise FrameError(failure.kind, f"reply to {command.name}: {failure.detail}")
                raise ReadTimeout(f"{self.uri}: no answer to {command.name} within {timeout:g} s")

    @staticmethod
    def _expect(response: p.Response, command: p.Command) -> None:
        if response.sw3 != command.ok_status:
            raise ReaderStatusError(response.sw3, response.message, command.name)


def split_read_data(data: bytes) -> tuple[bytes, bytes]:
    """Split a read reply's data into (text block, photo): two big-endian lengths, then both."""
    if len(data) < 4:
        raise FrameError("length", f"read reply data of {len(data)} bytes has no length fields")
    text_len = int.from_bytes(data[0:2], "big")
    photo_len = int.from_bytes(data[2:4], "big")
    if len(data) != 4 + text_len + photo_len:
        raise FrameError("length", f"read reply lengths {text_len}+{photo_len} do not match "
                                   f"{len(data) - 4} data bytes")
    return data[4 : 4 + text_len], data[4 + text_len :]
