"""Calling devices: how fast a call becomes sound and sign frames.

Figures: generating the placeholder clip set from nothing; rendering one call's WAV from the clip
cache; the announcer's delay from ``announce()`` to the sound device starting; the sign bus's
delay from ``show()`` to the frame reaching the (simulated) bus, and how long ``show()`` holds the
caller. Uses the real espeak-ng clips when espeak-ng and sox are installed, else synthetic tones.
"""

from __future__ import annotations

import array
import shutil
import statistics
import tempfile
import time
import wave
from pathlib import Path

from bench import Figure
from drivers.sign import open_sign_bus, window_sign_text
from drivers.voice import (
    ALL_CLIPS,
    Announcer,
    AnnouncerSettings,
    ClipLibrary,
    ClipsBackend,
    RecordingSink,
    Utterance,
)


def run(quick: bool) -> list[Figure]:
    """Measure and return the figures."""
    n = 30 if quick else 300
    with tempfile.TemporaryDirectory(prefix="bench-voice-") as tmp:
        figures, folder = _clip_set(Path(tmp))
        library = ClipLibrary([folder])
        figures += _render(library, n)
        figures.append(_announce_latency(library, max(10, n // 10)))
    figures += _sign(max(10, n // 10))
    return figures


def _clip_set(tmp: Path) -> tuple[list[Figure], Path]:
    if shutil.which("espeak-ng") and shutil.which("sox"):
        from drivers.voice.generate import ensure_clips

        start = time.perf_counter()
        folder = ensure_clips(tmp / "generated")
        cold = time.perf_counter() - start
        start = time.perf_counter()
        ensure_clips(folder)
        warm = time.perf_counter() - start
        return [
            Figure("voice: generate placeholder clip set (cold)", cold, "s", "<= 10 s", cold <= 10),
            Figure("voice: ensure clip set (already there)", warm * 1000, "ms", "<= 500 ms",
                   warm <= 0.5),
        ], folder
    folder = tmp / "tones"
    folder.mkdir()
    for name in ALL_CLIPS:  # about as long as spoken clips, so render figures stay comparable
        with wave.open(str(folder / f"{name}.wav"), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(16000)
            wav.writeframes(array.array("h", [100] * 8000).tobytes())
    return [], folder


def _render(library: ClipLibrary, n: int) -> list[Figure]:
    backend = ClipsBackend(library)
    figures = []
    for lang in ("zh", "both"):
        utterance = Utterance("A012", 12, lang)
        backend.render_wav(utterance)  # load the clips once, as a running hall has
        times = []
        for _ in range(n):
            start = time.perf_counter()
            backend.render_wav(utterance)
            times.append(time.perf_counter() - start)
        p50 = statistics.median(times) * 1000
        figures.append(Figure(f"voice: render one call's WAV ({lang}), p50", p50, "ms",
                              "<= 20 ms", p50 <= 20))
    return figures


def _announce_latency(library: ClipLibrary, n: int) -> Figure:
    sink = RecordingSink(time_scale=0.0)
    settings = AnnouncerSettings(repeat=1, repeat_gap=0, call_gap=0)
    delays = []
    with Announcer(ClipsBackend(library, sink), settings) as announcer:
        for i in range(n):
            start = time.monotonic()
            announcer.announce(Utterance(f"A{i:03d}", 3))
            announcer.wait_idle(30)
            delays.append(sink.playbacks[-1].started - start)
    p50 = statistics.median(delays) * 1000
    return Figure("voice: announce() -> sound device starts, p50", p50, "ms", "<= 50 ms",
                  p50 <= 50)


def _sign(n: int) -> list[Figure]:
    bus = open_sign_bus("sim:?gap_ms=0")
    delays, holds = [], []
    try:
        for i in range(n):
            start = time.monotonic()
            bus.show(i % 200 + 1, window_sign_text(f"A{i:03d}"))
            holds.append(time.monotonic() - start)
            bus.wait_idle(5)
            delays.append(bus.transport.frames[-1].at - start)
    finally:
        bus.close()
    p50 = statistics.median(delays) * 1000
    hold = max(holds) * 1000
    return [
        Figure("sign: show() -> frame on the bus (no gap), p50", p50, "ms", "<= 10 ms", p50 <= 10),
        Figure("sign: show() holds the caller, max", hold, "ms", "<= 5 ms", hold <= 5),
    ]
