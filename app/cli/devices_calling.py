"""``kiosk devices announce`` and ``kiosk devices sign-test``: try the calling devices by hand."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the handlers import the drivers they try: the parser alone loads none
    from drivers.voice import ClipLibrary, Utterance

LANGS = ("zh", "en", "both")
"""``drivers.voice.LANGS``, repeated so that building the command line loads no voice driver."""


def register(group: argparse._SubParsersAction) -> None:
    """Add ``announce`` and ``sign-test`` to ``kiosk devices``."""
    announce = group.add_parser(
        "announce", help="speak one call (or write it to a WAV file)",
        description="Announce a call with the voice clips, e.g. 请A012号到3号窗口办理.",
    )
    announce.add_argument("--number", required=True, help="ticket number, e.g. A012")
    announce.add_argument("--window", required=True, type=int, help="window number, e.g. 3")
    announce.add_argument("--desk", action="store_true",
                          help="the window is a consultation desk (…到18号咨询台办理)")
    announce.add_argument("--lang", choices=LANGS, default="zh", help="language(s) to speak")
    announce.add_argument("--out", type=Path, help="write the WAV here instead of playing it")
    announce.add_argument("--clips", type=Path, help="a folder of recorded clips to use first")
    announce.add_argument("--repeat", type=int, default=1, help="times to say it (1-10)")
    announce.set_defaults(handler=run_announce)

    sign = group.add_parser(
        "sign-test", help="send one text to one LED window sign",
        description="Send one frame to an LED sign and report whether the bus took it.",
    )
    sign.add_argument("--sign", required=True, help="sign bus URI, e.g. serial:///dev/ttyUSB2")
    sign.add_argument("--address", required=True, type=int, help="sign address (0-255)")
    sign.add_argument("--text", required=True, help="text to show, e.g. 请A012号")
    sign.add_argument("--timeout", type=float, default=3.0, help="seconds to wait for the bus")
    sign.set_defaults(handler=run_sign_test)


def _fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def run_announce(args: argparse.Namespace) -> int:
    """Play one call through the first audio player found, or write it with ``--out``."""
    from drivers.voice import (
        Announcer,
        AnnouncerSettings,
        ClipsBackend,
        CommandSink,
        Utterance,
        UtteranceError,
        VoiceError,
    )

    try:
        utterance = Utterance(args.number, args.window, args.lang, desk=args.desk)
        settings = AnnouncerSettings(repeat=args.repeat, repeat_gap=0.8, call_gap=0.0)
    except (UtteranceError, ValueError) as exc:
        return _fail(str(exc), 2)
    try:
        library = _library(args.clips)
        if args.out is not None:
            return _write(ClipsBackend(library).render_wav(utterance), args.out,
                          utterance)
    except VoiceError as exc:
        return _fail(str(exc), 1)
    sink = CommandSink.detect()
    if sink is None:
        return _fail("no audio player (aplay, paplay or play) found; use --out FILE.wav", 1)
    with Announcer(ClipsBackend(library, sink), settings) as announcer:
        announcer.announce(utterance)
        announcer.wait_idle(600)
        status = announcer.status()
    if status.faults:
        return _fail(status.last_fault or "playback failed", 1)
    print(f"announced: {utterance.text}")
    return 0


def _library(recorded: Path | None) -> ClipLibrary:
    """The clip library, generating the placeholder clips first if some are missing."""
    from drivers.voice import ALL_CLIPS, ClipLibrary, default_clip_folders

    folders = ([recorded] if recorded else []) + default_clip_folders()
    library = ClipLibrary(folders)
    if library.missing(ALL_CLIPS):
        from drivers.voice.generate import ensure_clips  # needs espeak-ng and sox only here

        print(f"generating placeholder voice clips in {folders[-1]} …", file=sys.stderr)
        ensure_clips(folders[-1])
    return library


def _write(wav: bytes, out: Path, utterance: Utterance) -> int:
    from drivers.voice import wav_seconds

    try:
        out.write_bytes(wav)
    except OSError as exc:
        return _fail(f"cannot write {out}: {exc}", 1)
    print(f"wrote {out} ({wav_seconds(wav):.1f} s): {utterance.text}")
    return 0


def run_sign_test(args: argparse.Namespace) -> int:
    """Send one text to one sign; exit 0 when the bus took the frame."""
    from drivers.sign import SignProtocolError, SignUriError, open_sign_bus

    try:
        bus = open_sign_bus(args.sign, reconnect_interval=0.5)
    except SignUriError as exc:
        return _fail(str(exc), 2)
    try:
        try:
            prepared = bus.show(args.address, args.text)
        except SignProtocolError as exc:
            return _fail(str(exc), 2)
        for note in prepared.warnings:
            print(f"warning: {note}", file=sys.stderr)
        sent = bus.wait_idle(max(0.1, args.timeout))
        status = bus.status()
    finally:
        bus.close()
    if not sent or status.frames_sent == 0:
        reason = status.last_error or f"no answer from the bus within {args.timeout:g} s"
        return _fail(f"sign {args.address} not sent: {reason}", 1)
    frame = bus.protocol.encode(args.address, prepared.text)
    print(f"sent to sign {args.address} on {status.transport}: {prepared.text} [{frame.hex(' ')}]")
    return 0
