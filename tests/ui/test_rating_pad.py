"""The window's evaluator (kiosk rate) against a real hall server on loopback: a ticket finished
at its window brings the five levels, a bad level the hall's reasons and the keyboard, the rating
is stored once with its reasons and comment, thanks show, and the pad goes back to idle; a
ticket nobody rates stays unrated. Every page fits 800×480 and 1280×800 in both languages. The
idle page names the clerk signed in at the window, and follows sign-outs and sign-ins, also
those made while its link was down; it shows the clerk's photo, and drops it on sign-out."""

from __future__ import annotations

import pytest
import requests
from PySide6.QtWidgets import QApplication

from kiosk.clerk_models import NewClerk
from kiosk.client import HallClient
from kiosk.tokens import add_token
from tests.ui.fit import fit_problems
from tests.ui.readable import small_targets
from ui.rating.pad import PAGES, RatingPad

SIZES = [(800, 480), (1280, 800)]


def post(server, path: str, token: str, body: dict | None = None, key: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}", **({"Idempotency-Key": key} if key else {})}
    response = requests.post(f"{server.url}/api/v1{path}", json=body, headers=headers, timeout=5)
    assert response.status_code in (200, 201), response.text
    return response.json()


def finish_one(server, key: str, window: int = 18) -> dict:
    """A GC01 ticket issued, called and finished at window 18 (its counter's token)."""
    ticket = post(server, "/tickets", "test-kiosk", {"service": "GC01"}, key)
    post(server, f"/tickets/{ticket['id']}/call", "test-counter", {"window": window})
    post(server, f"/tickets/{ticket['id']}/finish", "test-counter")
    return ticket


def sign_in(server, engine, code: str, name: str, window: int = 18) -> None:  # noqa: ANN001
    """Register clerk ``code`` and sign them in at ``window`` with its counter's token."""
    engine.add_clerk(NewClerk(code=code, name=name, pin="135790"), actor="test")
    post(server, f"/windows/{window}/sign-in", "test-counter", {"code": code, "pin": "135790"})


@pytest.fixture
def pad(qtbot, engine, live_server):
    add_token(engine.store, "r18", "rater", "", 0, window=18)
    client = HallClient(live_server.url, "r18", timeout=3.0)
    widget = RatingPad(client, 18, idle_s=30, thanks_s=0.5)
    qtbot.addWidget(widget)
    widget.resize(800, 480)
    widget.show()
    widget.start()
    qtbot.waitUntil(lambda: widget.linked and widget.catalog is not None, timeout=10000)
    yield widget
    widget.stop()
    client.close()


def test_a_pad_shown_on_the_small_evaluator_screen_keeps_its_size(qtbot, engine, live_server):
    """Shown at 800×480 the pad stays 800×480: restyling it for its size must not make it ask
    for more room than the screen has (it once grew to 856 pixels, off the screen's edge)."""
    add_token(engine.store, "r18", "rater", "", 0, window=18)
    client = HallClient(live_server.url, "r18", timeout=3.0)
    widget = RatingPad(client, 18, idle_s=30, thanks_s=0.5)
    qtbot.addWidget(widget)
    widget.resize(800, 480)
    widget.show()
    qtbot.wait(50)
    assert widget.size().toTuple() == (800, 480)
    client.close()


def test_a_bad_rating_with_reasons_and_a_comment(qtbot, pad, engine, live_server):
    assert pad.page() == "idle" and pad.window_name.text() == engine.config.window(18).name.zh
    ticket = finish_one(live_server, "a")
    qtbot.waitUntil(lambda: pad.page() == "levels", timeout=5000)
    name = engine.config.service("GC01").name.zh
    assert ticket["number"] in pad.service_label.text() and name in pad.service_label.text()
    assert [b.text() for b in pad.level_buttons.values()] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    pad.level_buttons[1].click()
    assert pad.page() == "reasons" and set(pad.reason_buttons) == {r.code for r in engine.config.rating_reasons}
    pad.reason_buttons["slow"].click()
    pad.comment_button.click()
    assert pad.page() == "comment"
    for char in "TOO SLOW":
        (pad.keyboard.space if char == " " else pad.keyboard.findChild(type(pad.submit_button), f"key-{char}")).click()
    pad.keyboard.delete.click()
    pad.comment_done.click()
    pad.submit_button.click()
    qtbot.waitUntil(lambda: pad.page() == "thanks", timeout=5000)
    assert pad.outcome == "thanks" and pad.thanks_note.text()  # a bad rating is followed up
    (rating,) = engine.ratings()
    assert (rating.ticket_id, rating.level, rating.reasons, rating.comment, rating.channel, rating.window) == \
        (ticket["id"], 1, ["slow"], "too slo", "window", 18)
    qtbot.waitUntil(lambda: pad.page() == "idle", timeout=5000)


def test_a_good_rating_goes_straight_to_thanks_and_another_windows_ticket_is_ignored(qtbot, pad, engine, live_server):
    other = post(live_server, "/tickets", "test-kiosk", {"service": "GC02"}, "o")
    add_token(engine.store, "w20", "counter", "", 0, window=20)
    post(live_server, f"/tickets/{other['id']}/call", "w20", {"window": 20})
    post(live_server, f"/tickets/{other['id']}/finish", "w20")
    ticket = finish_one(live_server, "g")
    qtbot.waitUntil(lambda: pad.page() == "levels", timeout=5000)
    assert pad.ticket["id"] == ticket["id"]
    pad.level_buttons[5].click()
    qtbot.waitUntil(lambda: pad.page() == "thanks", timeout=5000)
    assert [(r.ticket_id, r.level, r.reasons) for r in engine.ratings()] == [(ticket["id"], 5, [])]
    qtbot.waitUntil(lambda: pad.page() == "idle", timeout=5000)


def test_no_rating_within_the_time_leaves_the_ticket_unrated(qtbot, pad, engine, live_server):
    pad._idle_ms = 300
    finish_one(live_server, "n")
    qtbot.waitUntil(lambda: pad.page() == "levels", timeout=5000)
    qtbot.waitUntil(lambda: pad.page() == "idle", timeout=5000)
    assert engine.ratings() == []


def test_a_ticket_rated_elsewhere_says_so(qtbot, pad, engine, live_server):
    ticket = finish_one(live_server, "e")
    qtbot.waitUntil(lambda: pad.page() == "levels", timeout=5000)
    page = "/p/" + ticket["status_url"].rsplit("/p/", 1)[1]  # the citizen's phone page
    requests.post(f"{live_server.url}{page}/rating", json={"level": 4}, timeout=5)
    pad.level_buttons[3].click()
    qtbot.waitUntil(lambda: pad.page() == "thanks", timeout=5000)
    assert pad.outcome == "already" and [r.channel for r in engine.ratings()] == ["qr"]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_page_fits_in_both_languages(qtbot, pad, engine, live_server, size):
    pad.resize(*size)
    sign_in(live_server, engine, "A0123", "欧阳娜娜")  # the idle page names them
    qtbot.waitUntil(lambda: pad.clerk is not None, timeout=5000)
    finish_one(live_server, "f")
    qtbot.waitUntil(lambda: pad.page() == "levels", timeout=5000)
    pad.comment.setText("TOO SLOW, WAITED 40 MIN")  # a longer one scrolls in its line, the end in view
    found = []
    for lang in ("zh", "en"):
        pad.set_language(lang)
        for page in PAGES:
            if page == "thanks":
                pad.level = 1
                pad.show_thanks("thanks")
            else:
                pad.show_page(page)
            QApplication.processEvents()
            assert pad.size().toTuple() == size
            found += [f"{size} {lang} {page}: {p}" for p in fit_problems(pad)]
            found += [f"{size} {lang} {page}: small target {t}" for t in small_targets(pad)]
    assert not found, "\n".join(found)
    assert pad.level_buttons[1].text() == "Very dissatisfied" and pad.switch.text() == "中文"


def test_the_pad_follows_on_after_a_rating_and_across_a_server_restart(qtbot, pad, engine, live_server):
    from kiosk.server import create_app
    from tests.conftest import LiveServer

    first = finish_one(live_server, "1")
    qtbot.waitUntil(lambda: pad.page() == "levels", timeout=5000)
    pad.level_buttons[4].click()
    qtbot.waitUntil(lambda: pad.page() == "idle", timeout=5000)  # the rating event did not break the stream
    live_server.stop()
    qtbot.waitUntil(lambda: not pad.linked, timeout=10000)
    restarted = LiveServer(create_app(engine, heartbeat_s=0.5), live_server.port).start()
    try:
        qtbot.waitUntil(lambda: pad.linked, timeout=15000)
        second = finish_one(restarted, "2")
        qtbot.waitUntil(lambda: pad.page() == "levels" and pad.ticket["id"] == second["id"], timeout=10000)
        pad.level_buttons[5].click()
        qtbot.waitUntil(lambda: len(engine.ratings()) == 2, timeout=5000)
        assert [r.ticket_id for r in engine.ratings()] == [first["id"], second["id"]]
    finally:
        restarted.stop()


def test_the_idle_page_names_the_clerk_signed_in_and_follows_sign_outs(qtbot, pad, engine, live_server):
    from kiosk.server import create_app
    from tests.conftest import LiveServer

    assert pad.clerk_label.text() == ""  # nobody signed in at window 18
    sign_in(live_server, engine, "0815", "李华")
    qtbot.waitUntil(lambda: pad.clerk_label.text() == "为您服务：李华（工号 0815）", timeout=5000)
    pad.set_language("en")
    assert pad.clerk_label.text() == "Serving you: 李华 (Staff No. 0815)"
    post(live_server, "/windows/18/sign-out", "test-counter")
    qtbot.waitUntil(lambda: pad.clerk_label.text() == "", timeout=5000)
    sign_in(live_server, engine, "0816", "王芳")
    qtbot.waitUntil(lambda: pad.clerk_label.text() == "Serving you: 王芳 (Staff No. 0816)", timeout=5000)
    # A pad that starts now reads the clerk from the catalog's window.
    late = RatingPad(HallClient(live_server.url, "r18", timeout=3.0), 18, lang="zh")
    qtbot.addWidget(late)
    late.start()
    try:
        qtbot.waitUntil(lambda: late.clerk_label.text() == "为您服务：王芳（工号 0816）", timeout=10000)
    finally:
        late.stop()
    # Signed out while the pad's link is down (a guide, at the hall): the pad learns it on return.
    live_server.stop()
    qtbot.waitUntil(lambda: not pad.linked, timeout=10000)
    engine.sign_out(18, actor="guide desk-1")
    restarted = LiveServer(create_app(engine, heartbeat_s=0.5), live_server.port).start()
    try:
        qtbot.waitUntil(lambda: pad.linked and pad.clerk is None and pad.clerk_label.text() == "", timeout=15000)
    finally:
        restarted.stop()


def portrait_png(path, width: int = 300, height: int = 400) -> None:
    """A real PNG file (the pad decodes it): a plain coloured rectangle."""
    from PySide6.QtGui import QColor, QImage

    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#3a6ea5"))
    assert image.save(str(path), "PNG")


def test_the_idle_page_shows_the_clerks_photo_and_drops_it_on_sign_out(qtbot, pad, engine, live_server, tmp_path):
    (tmp_path / "clerk-photos").mkdir()
    portrait_png(tmp_path / "clerk-photos" / "0815.png")  # tmp_path is the hall's data folder
    engine.add_clerk(NewClerk(code="0815", name="李华", pin="135790", photo="clerk-photos/0815.png"), actor="test")
    assert pad.photo.isHidden()
    post(live_server, "/windows/18/sign-in", "test-counter", {"code": "0815", "pin": "135790"})
    qtbot.waitUntil(lambda: pad.photo.isVisible() and not pad.photo.pixmap().isNull(), timeout=5000)
    box = pad.photo.size()
    shown = pad.photo.pixmap().size()  # scaled into the box, the portrait's shape kept
    assert shown.width() <= box.width() and shown.height() <= box.height() and shown.height() == box.height()
    assert pad.clerk_label.text() == "为您服务：李华（工号 0815）"
    for size in SIZES:  # with the photo the idle page still fits both screens, in both languages
        pad.resize(*size)
        for lang in ("zh", "en"):
            pad.set_language(lang)
            QApplication.processEvents()
            assert pad.size().toTuple() == size and not fit_problems(pad), (size, lang, fit_problems(pad))
    post(live_server, "/windows/18/sign-out", "test-counter")
    qtbot.waitUntil(lambda: pad.photo.isHidden() and pad.photo.pixmap().isNull(), timeout=5000)
    # A clerk without a photo: just the name, no box.
    sign_in(live_server, engine, "0816", "王芳")
    qtbot.waitUntil(lambda: "0816" in pad.clerk_label.text(), timeout=5000)
    qtbot.waitUntil(lambda: pad.lane.pending == 0, timeout=5000)  # the photo's answer (404) is in
    assert pad.photo.isHidden() and pad.portrait is None


def test_a_photo_that_is_no_picture_leaves_just_the_name(qtbot, pad, engine, live_server, tmp_path):
    (tmp_path / "clerk-photos").mkdir(exist_ok=True)
    (tmp_path / "clerk-photos" / "0817.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage, not a PNG body")  # passes the server's check
    engine.add_clerk(NewClerk(code="0817", name="赵敏", pin="135790", photo="clerk-photos/0817.png"), actor="test")
    post(live_server, "/windows/18/sign-in", "test-counter", {"code": "0817", "pin": "135790"})
    qtbot.waitUntil(lambda: "0817" in pad.clerk_label.text(), timeout=5000)
    qtbot.waitUntil(lambda: pad.lane.pending == 0, timeout=5000)  # the photo came and was not decoded
    assert pad.photo.isHidden() and pad.portrait is None
