"""Headless demo of the calling programs: screenshots of the board, a window's screen and the
counter at every screen shape a hall has, in Chinese and English, and the announcement audio
of the calls (``capture(ctx)``, called by ``app/demo/run.py``).

Files: ``display-board-1920x1080.png``, ``display-window-3-1080x1920.png``,
``counter-1366x768.png``, ``counter-sign-in-1366x768.png``… in Chinese, the same with ``-en``
for English. A demo clerk is signed in at window 3 first, so its screen and caller show them.

Last, the guide desk's caller (desk 18) with the cases' alerts, ``counter-desk-cases-1920x1080.png``
and the rest: on a demo hall's fake clock it looks ahead to the day the first case is overdue
and the last one's reminder is due, raises the alerts as the server's case worker would, takes
the pictures, and sets the clock back, so the screens after it see the demo's morning again.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from drivers.idcard.simcards import make_id_number
from drivers.voice import ALL_CLIPS, ClipLibrary, ClipsBackend, Utterance, default_clip_folders
from kiosk.clock import FakeClock
from kiosk.domain import HallError
from kiosk.models import Call, IssueRequest
from kiosk.terminal import citizen_from_id
from ui.calling.display import CallingDisplay
from ui.calling.voice import utterance_lang
from ui.calling.words import clerk_line
from ui.i18n import I18N_DIR, Languages

SHAPES = ((1920, 1080), (1080, 1920), (1280, 1024), (1366, 768))
LANGS = ("zh", "en")
DEMO_CALLS = ((1, "SS01"), (3, "SS02"), (8, "TX01"), (3, "SS01"), (18, "GC01"))
SCREEN_WINDOW = 3
DEMO_CLERK = ("0123", "张敏", "246810")  # 工号, name, PIN of the demo's clerk at SCREEN_WINDOW
SIGN_IN_SHAPES = ((1920, 1080), (1366, 768))
DESK = 18  # the sample hall's guide desk (咨询台)


def shot_name(what: str, lang: str, size: tuple[int, int]) -> str:
    """``display-board-1920x1080.png`` (Chinese) or ``display-board-en-1920x1080.png``."""
    return f"{what}{'' if lang == 'zh' else '-' + lang}-{size[0]}x{size[1]}.png"


def capture(ctx) -> None:  # noqa: ANN001 - the demo's context
    """Make a few calls, then write the screenshots and the announcements."""
    _sign_in_clerk(ctx)
    calls = _make_calls(ctx.hall)
    ctx.note("calls", ", ".join(f"{c.number}→{c.window}" for c in calls) or "no call could be made")
    for lang in LANGS:
        _board(ctx, None, "display-board", lang)
        _board(ctx, SCREEN_WINDOW, f"display-window-{SCREEN_WINDOW}", lang)
    _counters(ctx)
    _announcements(ctx, calls)
    desk_shots(ctx)


def _sign_in_clerk(ctx) -> None:  # noqa: ANN001
    """Register the demo clerk (in an in-process hall) and sign them in at SCREEN_WINDOW."""
    engine = getattr(ctx, "engine", None)
    if engine is None:
        return
    from kiosk.clerk_models import NewClerk

    code, name, pin = DEMO_CLERK
    try:
        engine.add_clerk(NewClerk(code=code, name=name, pin=pin), actor="demo")
    except HallError:
        pass  # registered by an earlier run on the same data
    try:
        ctx.hall.sign_in(SCREEN_WINDOW, code, pin, actor="demo")
        ctx.note("clerk", f"clerk {code} {name} signed in at window {SCREEN_WINDOW}")
    except HallError as exc:
        ctx.note("clerk", f"the demo clerk could not sign in: {exc.detail}")


def random_id_number() -> str:
    """A made-up resident ID number with a valid check digit (each demo citizen a new one)."""
    born = date(1950, 1, 1) + timedelta(days=secrets.randbelow(20000))
    return make_id_number("310101", born, secrets.randbelow(1000))


def _make_calls(hall) -> list[Call]:  # noqa: ANN001
    calls = []
    for window, service in DEMO_CALLS:
        try:
            citizen = citizen_from_id(random_id_number(), hall.catalog().id_seal_key)
            hall.issue(IssueRequest(service=service, citizen=citizen, channel="staff"))
            call = hall.call_next(window, "demo")
        except HallError:
            continue
        if call is not None:
            calls.append(call)
    return calls


def _pump(app, until: Callable[[], bool], timeout: float = 5.0) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.processEvents()
        if until():
            return True
        time.sleep(0.01)
    return until()


def _board(ctx, window: int | None, what: str, lang: str) -> None:  # noqa: ANN001
    tz = ZoneInfo(ctx.engine.config.hall.timezone) if getattr(ctx, "engine", None) else None
    display = CallingDisplay(ctx.hall, ctx.kiosk_config.display, window=window, tz=tz, lang=lang)
    display.resize(*SHAPES[0])
    display.show()
    display.start()
    try:
        ready = _pump(ctx.app, lambda: display.linked and bool(display.model.recent))
        shown = ", ".join(display.shown_numbers()) or "nothing"
        clerk = display.model.clerks.get(window) if window is not None else None
        if clerk is not None:
            shown += f"; {clerk_line(clerk, lang)}"
        for size in SHAPES:
            display.resize(*size)
            _pump(ctx.app, lambda s=size: display.matrix.size().toTuple() == s, 2.0)
            display.relayout()
            display.matrix.rewind()  # marquees at their start: whole words, as they hold
            name = shot_name(what, lang, size)
            display.snapshot().save(str(ctx.out / name))
            ctx.note(name, f"{'board' if window is None else f'window {window}'}: {shown}"
                           f"{'' if ready else ' (hall did not answer in time)'}")
    finally:
        display.stop()
        display.close()


def _languages(ctx) -> Languages:  # noqa: ANN001
    folder = I18N_DIR
    if not (folder / "calling_zh_CN.qm").is_file():
        folder = Path(tempfile.mkdtemp(prefix="demo-i18n-"))
        lrelease = Path(sys.executable).with_name("pyside6-lrelease")
        subprocess.run([str(lrelease), str(I18N_DIR / "calling_zh_CN.ts"), "-qm",
                        str(folder / "calling_zh_CN.qm")], check=False, capture_output=True)
    return Languages(ctx.app, folder)


def _counters(ctx) -> None:  # noqa: ANN001
    from ui.calling.counter import CounterWindow

    languages = _languages(ctx)
    counter = CounterWindow(ctx.hall, SCREEN_WINDOW, languages=languages)
    counter.show()
    counter.start()
    try:
        _pump(ctx.app, lambda: counter.state.catalog is not None and counter.lane.pending == 0)
        _shots(ctx, counter, languages, "counter", SHAPES,
               lambda: f"window {SCREEN_WINDOW} caller, current {counter.number.text()}")
        _sign_in_page(ctx, counter, languages)
    finally:
        counter.stop()
        counter.close()
        languages.set("en")


def _sign_in_page(ctx, counter, languages: Languages) -> None:  # noqa: ANN001
    """The caller's sign-in page with the 工号 typed and the PIN half typed, in both languages."""
    counter.open_sign_in()
    counter.sign_in.code.setText(DEMO_CLERK[0])
    counter.sign_in.pin.setText(DEMO_CLERK[2][:3])
    counter.sign_in.target = counter.sign_in.pin
    _shots(ctx, counter, languages, "counter-sign-in", SIGN_IN_SHAPES,
           lambda: f"window {SCREEN_WINDOW} caller: the sign-in page")
    counter.close_sign_in()


def _shots(ctx, counter, languages: Languages, prefix: str, shapes, note) -> None:  # noqa: ANN001
    """``<prefix>[-en]-<w>x<h>.png`` of the caller in each language at each of ``shapes``, each
    noted with what ``note()`` says of it then."""
    for lang in LANGS:
        languages.set(lang)
        counter.retranslate()
        for size in shapes:
            counter.resize(*size)
            ctx.app.processEvents()
            name = shot_name(prefix, lang, size)
            counter.grab().save(str(ctx.out / name))
            ctx.note(name, note())


def _announcements(ctx, calls: list[Call]) -> None:  # noqa: ANN001
    library = ClipLibrary(default_clip_folders())
    if library.missing(ALL_CLIPS):
        from drivers.voice.generate import ClipGenerationError, ensure_clips

        try:
            library = ClipLibrary([ensure_clips(Path(ctx.data_dir) / "voice-clips")])
        except ClipGenerationError as exc:
            ctx.note("announcements", f"not written: {exc}")
            return
    backend = ClipsBackend(library)
    lang = utterance_lang(ctx.kiosk_config.voice.languages)
    for call in calls:
        path = ctx.out / f"announce-{call.number}.wav"
        path.write_bytes(backend.render_wav(Utterance(call.number, call.window, lang)))
        ctx.note(path.name, Utterance(call.number, call.window, lang).text)


def desk_shots(ctx) -> None:  # noqa: ANN001
    """The guide desk's caller showing the cases' alerts, in both languages, at the sign-in
    shapes: ``counter-desk-cases-1920x1080.png``, ``counter-desk-cases-en-1366x768.png``…"""
    from ui.calling.counter import CounterWindow
    from ui.calling.help_panel import MAX_CASE_ROWS

    engine = getattr(ctx, "engine", None)
    clock = engine.clock if engine is not None else None
    languages = _languages(ctx)
    counter = CounterWindow(ctx.hall, DESK, languages=languages, clock=clock)
    counter.show()
    counter.start()
    back = None
    try:
        panel = counter.case_panel
        _pump(ctx.app, lambda: panel.listed or (panel.desk and not panel.listing))  # linked, overdue read
        back, ahead, raised = _ahead_to_alerts(engine)
        _pump(ctx.app, lambda: len(panel.lines()) >= min(raised, MAX_CASE_ROWS), 3.0)
        _shots(ctx, counter, languages, "counter-desk-cases", SIGN_IN_SHAPES,
               lambda: f"desk {DESK} caller{ahead}: " + (" | ".join(panel.lines()) or "no case alert"))
    finally:
        if back is not None:
            clock.set(back)
        counter.stop()
        counter.close()
        languages.set("en")


def _ahead_to_alerts(engine) -> tuple[float | None, str, int]:  # noqa: ANN001
    """On a fake clock, move to the moment the last case's reminder is due (earlier cases are
    overdue by then) and raise the alerts: the time to go back to, a note, how many alerts were
    raised; else (None, "", 0)."""
    from kiosk.cases import OPEN_STATES

    if engine is None or not isinstance(engine.clock, FakeClock):
        return None, "", 0
    owing = [c for c in engine.list_cases() if c.state in OPEN_STATES[c.kind]]
    if not owing:
        return None, "", 0
    back = engine.clock.now()
    target = max(c.remind_at for c in owing) + timedelta(hours=9)  # that morning at the desk
    engine.clock.set(target)
    raised = engine.check_cases()  # what the server's case worker does every [cases] check_interval_s
    days = (target.date() - datetime.fromtimestamp(back, target.tzinfo).date()).days
    return back, f", {days} days later ({target:%Y-%m-%d %H:%M})", len(raised)
