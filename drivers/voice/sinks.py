"""Audio sinks: where a rendered WAV goes — a player program, a folder, or a test recorder.

A sink's ``play`` blocks until the sound has finished; ``cancel`` (from another thread) stops it
where the sink can. :class:`RecordingSink` is the fake edge for tests: it records when each
playback started and ended, and can act like a device that fails or hangs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import wave
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from drivers.voice.backend import PlaybackError

#: Player programs tried in order, with the arguments that make them quiet.
PLAYERS = (("aplay", ["-q"]), ("paplay", []), ("play", ["-q"]))


class AudioSink(ABC):
    """Plays one WAV at a time."""

    @abstractmethod
    def play(self, wav: bytes, label: str) -> None:
        """Play ``wav`` and return when it has finished; raise :class:`PlaybackError`."""

    def cancel(self) -> None:
        """Stop the current playback if possible; never raises."""
        return None  # optional: most backends have nothing to do

    def describe(self) -> str:
        """A short name for status lines."""
        return type(self).__name__


def wav_seconds(wav: bytes) -> float:
    """Length of a WAV file in seconds."""
    with wave.open(BytesIO(wav), "rb") as reader:
        return reader.getnframes() / reader.getframerate()


class CommandSink(AudioSink):
    """Plays through a player program (``aplay``, ``paplay`` or sox's ``play``)."""

    def __init__(self, command: list[str]) -> None:
        self.command = list(command)
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None

    @classmethod
    def detect(cls) -> CommandSink | None:
        """A sink for the first player program found on PATH, or None."""
        for program, args in PLAYERS:
            path = shutil.which(program)
            if path:
                return cls([path, *args])
        return None

    def play(self, wav: bytes, label: str) -> None:
        """Write ``wav`` to a temporary file and run the player on it."""
        fd, name = tempfile.mkstemp(prefix="kiosk-voice-", suffix=".wav")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(wav)
            self._run(name)
        finally:
            os.unlink(name)

    def _run(self, path: str) -> None:
        try:
            proc = subprocess.Popen(
                [*self.command, path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
        except OSError as exc:
            raise PlaybackError(f"cannot start {self.command[0]}: {exc}") from exc
        with self._lock:
            self._proc = proc
        try:
            _, err = proc.communicate()
        finally:
            with self._lock:
                self._proc = None
        if proc.returncode != 0:
            lines = err.decode("utf-8", "replace").strip().splitlines()
            detail = lines[-1] if lines else f"exit status {proc.returncode}"
            raise PlaybackError(f"{Path(self.command[0]).name} failed: {detail}")

    def cancel(self) -> None:
        """Kill the player process, if one is running."""
        with self._lock:
            proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.kill()

    def describe(self) -> str:
        return f"player {Path(self.command[0]).name}"


class WavFileSink(AudioSink):
    """Writes each announcement to a numbered WAV file (headless halls, the demo's audio)."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self._lock = threading.Lock()
        self._count = 0
        self.written: list[Path] = []

    def play(self, wav: bytes, label: str) -> None:
        """Write ``wav`` as ``NNNN-<label>.wav`` in the folder."""
        with self._lock:
            self._count += 1
            slug = re.sub(r"[^0-9A-Za-z]+", "-", label).strip("-")[:40] or "call"
            path = self.folder / f"{self._count:04d}-{slug}.wav"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(wav)
        except OSError as exc:
            raise PlaybackError(f"cannot write {path}: {exc}") from exc
        with self._lock:
            self.written.append(path)

    def describe(self) -> str:
        return f"WAV files in {self.folder}"


@dataclass
class Playback:
    """One playback seen by a :class:`RecordingSink`."""

    label: str
    seconds: float
    started: float
    ended: float | None = None
    outcome: str = "playing"


class RecordingSink(AudioSink):
    """A fake sound device for tests: records each playback's start and end times.

    It 'plays' for the WAV's length times ``time_scale``. ``fail_on(label)`` true makes a playback
    raise; ``hang_on(label)`` true makes it block, ignoring :meth:`cancel` as a stuck driver
    does, until :meth:`release`.
    """

    def __init__(
        self,
        time_scale: float = 0.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        fail_on: Callable[[str], bool] | None = None,
        hang_on: Callable[[str], bool] | None = None,
    ) -> None:
        self.time_scale = time_scale
        self._clock = clock
        self._fail_on = fail_on
        self._hang_on = hang_on
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._playbacks: list[Playback] = []
        self.cancels = 0

    def play(self, wav: bytes, label: str) -> None:
        record = Playback(label, wav_seconds(wav), self._clock())
        with self._lock:
            self._playbacks.append(record)
        if self._fail_on is not None and self._fail_on(label):
            self._finish(record, "failed")
            raise PlaybackError("simulated sound device failure")
        if self._hang_on is not None and self._hang_on(label):
            self._released.wait()
            self._finish(record, "hung")
            return
        time.sleep(record.seconds * self.time_scale)
        self._finish(record, "played")

    def _finish(self, record: Playback, outcome: str) -> None:
        with self._lock:
            record.ended, record.outcome = self._clock(), outcome

    def cancel(self) -> None:
        with self._lock:
            self.cancels += 1

    def release(self) -> None:
        """End every hung playback."""
        self._released.set()

    @property
    def playbacks(self) -> list[Playback]:
        """Copies of the playbacks so far, in start order."""
        with self._lock:
            return [Playback(**vars(p)) for p in self._playbacks]
