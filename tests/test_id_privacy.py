"""ID numbers nobody can reverse from one machine (DESIGN.md §4 Identity and privacy).

A hall day is made through the real pipeline — a kiosk terminal built as ``kiosk issue`` builds
it, sending to a real hall server on loopback, also offline through its outbox — and then an
attacker holding every file of the hall's data folder and of the kiosk (config, outbox, hall
file) runs the attack that used to recover every number: enumerate the hidden digits consistent
with the stored mask and age, HMAC each candidate under every key the files hold, and compare
with the stored hashes. It finds nothing; run with the hall's real key (kept in its key folder,
elsewhere) the same code finds every number, so the attack itself is sound.
"""

from __future__ import annotations

import base64
import hmac
import sqlite3
import stat
import tomllib
from datetime import date, timedelta
from pathlib import Path

import pytest

from drivers.idcard import parse_text
from drivers.idcard.simcards import sample_card_text
from kiosk.config import PROJECT_CONFIG_DIR, ConfigError, load_kiosk_config
from kiosk.domain import HallError
from kiosk.idkeys import KEY_FILE, IdKeys
from kiosk.privacy import check_character
from kiosk.sealing import SealError, seal, unseal
from tests.conftest import LiveServer
from tests.kiosk_files import cli_args, kiosk_file

HALL_TOML = PROJECT_CONFIG_DIR / "hall.toml"
BIRTHS = [(date(1950, 3, 7), "1"), (date(1962, 8, 30), "2"), (date(1975, 1, 1), "1"),
          (date(1985, 6, 15), "2"), (date(1991, 12, 24), "1"), (date(2001, 5, 5), "2")]
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


def cards(today: date) -> list:
    """Six citizens of one district, as the simulated reader reads them."""
    return [parse_text(sample_card_text("resident", born=born, sex=sex), today) for born, sex in BIRTHS]


class Day:
    """A hall server (its data folder and its key folder apart) and one kiosk linked to it."""

    def __init__(self, root: Path):
        from app.kiosk_app import build_terminal
        from kiosk.hall import open_engine
        from kiosk.server import create_app

        self.root = root
        self.server_data, self.server_keys = root / "server" / "data", root / "server-keys"
        self.engine = open_engine(HALL_TOML, self.server_data, dev=True, keys=self.server_keys)
        self.live = LiveServer(create_app(self.engine, dev=True)).start()
        self.kiosk_dir = root / "kiosk"
        path = kiosk_file(self.kiosk_dir, printer=f"file://{root / 'kiosk' / 'printed.bin'}",
                          server=self.live.url, token="dev-kiosk", timeout_s=1.0)
        self.terminal = build_terminal(load_kiosk_config(path), path, self.kiosk_dir / "data", dev=True,
                                       start=False)
        self.terminal.link.retry_after = 0.0

    def restart_server(self) -> None:
        from kiosk.server import create_app

        self.live = LiveServer(create_app(self.engine, dev=True), port=self.live.port).start()

    def close(self) -> None:
        self.terminal.close()
        self.live.stop()


@pytest.fixture
def day(tmp_path):
    d = Day(tmp_path)
    yield d
    d.close()


def make_day(day: Day) -> list:
    """Four citizens online, two while the server is down (sealed in the outbox), then synced."""
    people = cards(date.today())
    day.terminal.catalog()  # the kiosk's first catalog brings the hall's sealing key
    for card in people[:4]:
        assert day.terminal.issue("SS01", citizen=day.terminal.citizen(card)).printed
    day.live.stop()
    offline = [day.terminal.issue("SS01", citizen=day.terminal.citizen(card)) for card in people[4:]]
    assert all(o.ticket.offline and o.printed for o in offline)
    outbox = b"".join(p.read_bytes() for p in (day.kiosk_dir / "data").glob("outbox.db*"))
    assert b"id_sealed" in outbox  # the offline requests wait there, sealed
    for card in people[4:]:
        assert card.id_number.encode() not in outbox
    day.restart_server()
    day.terminal.link.up()
    report = day.terminal.sync()
    assert len(report.sent) == 2 and not report.rejected, report
    return people


# ----- the attacker's side: files only ------------------------------------------------------

def every_file(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in folder.rglob("*") if p.is_file()]


def stored_rows(data_dir: Path) -> list[tuple[str, str, int, str]]:
    """(id_hash, id_mask, age, day) of every ticket holder hall.db keeps."""
    with sqlite3.connect(f"file:{data_dir / 'hall.db'}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT id_hash, id_mask, age, day FROM tickets WHERE id_hash IS NOT NULL").fetchall()


def key_candidates(files: list[Path]) -> list[bytes]:
    """Every secret an attacker would try as the hash key: each string of the TOML files that
    could be a secret (ASCII, no spaces, 8 characters or more: the kiosk file held the key so
    once) and each base64 value in any file that decodes to 32 bytes."""
    keys: set[bytes] = set()
    for path in files:
        if path.suffix == ".toml":
            def walk(node):
                if isinstance(node, dict):
                    for value in node.values():
                        walk(value)
                elif isinstance(node, list):
                    for value in node:
                        walk(value)
                elif isinstance(node, str) and len(node) >= 8 and node.isascii() and " " not in node:
                    keys.add(node.encode())
            walk(tomllib.loads(path.read_text("utf-8")))
        for word in path.read_bytes().replace(b'"', b" ").split():
            if len(word) == 44 and word.endswith(b"="):
                try:
                    raw = base64.b64decode(word, validate=True)
                except ValueError:
                    continue
                keys.update({raw, word})
    return sorted(keys)


def candidates(mask: str, age_band: int, on: date, region: str) -> list[str]:
    """The numbers consistent with a stored 2 + 2 mask and ten-year age band, for an attacker
    who even knows the full district code: every birth date of the band, every hidden sequence
    digit, filtered by the visible check character."""
    assert mask.startswith(region[:2]) and len(mask) == 18
    last_seq, check = mask[-2], mask[-1]
    out = []
    born = date(on.year - age_band - 10, on.month, min(on.day, 28)) + timedelta(days=1)
    latest = date(on.year - age_band, on.month, min(on.day, 28))
    # MOD 11-2 summed by hand: the same rule as check_character, fast enough for 365,000 tries
    tail = int(last_seq) * _WEIGHTS[16]
    while born <= latest:
        head = f"{region}{born:%Y%m%d}"
        base = sum(int(d) * w for d, w in zip(head, _WEIGHTS, strict=False)) + tail
        for hidden in range(100):
            if _CHECK_CHARS[(base + hidden // 10 * _WEIGHTS[14] + hidden % 10 * _WEIGHTS[15]) % 11] == check:
                out.append(f"{head}{hidden:02d}{last_seq}{check}")
        born += timedelta(days=1)
    assert all(check_character(n[:17]) == n[17] for n in out[:50])
    return out


def attack(rows, keys: list[bytes]) -> set[str]:
    """The numbers whose HMAC under one of ``keys`` matches a stored hash."""
    wanted = {bytes.fromhex(r[0]) for r in rows}
    numbers = set()
    for _hash, mask, age, day_text in rows:
        numbers.update(candidates(mask, age, date.fromisoformat(day_text), "310101"))
    found = set()
    for number in numbers:
        data = number.encode()
        for key in keys:
            if hmac.digest(key, data, "sha256") in wanted:
                found.add(number)
    return found


# ----- the tests --------------------------------------------------------------------------------

def test_hall_db_and_the_kiosks_files_recover_no_id_number(day):
    people = make_day(day)
    day.engine.store.close()  # everything on disk, as a copy of the folders would hold it
    rows = stored_rows(day.server_data)
    assert len(rows) == 6
    assert {r[1] for r in rows} == {c.id_number[:2] + "*" * 14 + c.id_number[-2:] for c in people}
    assert {r[2] for r in rows} <= {0, 10, 20, 30, 40, 50, 60, 70, 80}  # bands, not ages
    files = every_file(day.server_data, day.kiosk_dir) + [HALL_TOML]
    keys = key_candidates(files) + [b"dev-only-id-hash-key"]  # and the sample file's old key
    assert keys and attack(rows, keys) == set()
    # The key is in none of those files, in any form ...
    real = IdKeys.load(day.server_keys)
    blob = b"".join(p.read_bytes() for p in files)
    for secret in (real.hash_key, real.seal_private):
        assert secret not in blob and base64.b64encode(secret) not in blob and secret.hex().encode() not in blob
    for card in people:
        assert card.id_number.encode() not in blob
    # ... and it is the key that protects: with it, the very same attack finds every citizen.
    assert attack(rows, [real.hash_key]) == {c.id_number for c in people}


def test_the_key_folder_lies_apart_and_is_private(day):
    folder = day.server_keys
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / KEY_FILE).stat().st_mode) == 0o600
    assert not list(day.server_data.rglob(KEY_FILE)) and not list(day.kiosk_dir.rglob(KEY_FILE))


def test_duplicates_per_card_are_refused_online_and_after_an_offline_sync(day):
    people = make_day(day)
    terminal = day.terminal
    for card in (people[0], people[5]):  # one issued online, one offline and synced since
        with pytest.raises(HallError) as refused:
            terminal.issue("SS01", citizen=terminal.citizen(card))
        assert refused.value.code == "duplicate_active"
    # offline, the kiosk cannot know; the server refuses the second ticket when it arrives
    day.live.stop()
    terminal.link.down("test")
    again = terminal.issue("SS01", citizen=terminal.citizen(people[1]))
    assert again.ticket.offline
    day.restart_server()
    terminal.link.up()
    report = terminal.sync()
    assert len(report.rejected) == 1 and "duplicate_active" in report.rejected[0][1]


def test_reprint_by_card_works_for_the_holder_only(day):
    people = make_day(day)
    terminal = day.terminal
    mine = next(t for t in day.engine.tickets() if t.id_mask == people[2].masked_id)
    outcome = terminal.reprint(mine.id, citizen=terminal.citizen(people[2]))
    assert outcome.reprint and outcome.ticket.id == mine.id
    with pytest.raises(HallError) as refused:
        terminal.reprint(mine.id, citizen=terminal.citizen(people[3]))
    assert refused.value.code == "forbidden"


def test_a_kiosk_that_never_saw_the_hall_cannot_use_cards(tmp_path):
    from app.kiosk_app import build_terminal

    path = kiosk_file(tmp_path / "kiosk", server="http://127.0.0.1:9", token="dev-kiosk", timeout_s=0.5)
    terminal = build_terminal(load_kiosk_config(path), path, tmp_path / "kiosk" / "data", dev=True, start=False)
    try:
        terminal.catalog()  # the server is away: the hall file's catalog, which has no key
        assert terminal.seal_key is None and terminal.citizen(cards(date.today())[0]) is None
    finally:
        terminal.close()


def test_an_old_kiosk_file_with_id_hash_key_is_told_to_delete_it(tmp_path):
    path = kiosk_file(tmp_path, id_hash_key="dev-only-id-hash-key")
    with pytest.raises(ConfigError) as err:
        load_kiosk_config(path)
    text = str(err.value)
    assert "kiosk" in text and "id_hash_key is no longer a kiosk setting: delete the line" in text
    assert "only the server holds the hash key" in text


def test_old_staff_card_hashes_are_refused_and_new_entries_match(tmp_path):
    from kiosk.idkeys import staff_card_entry

    with pytest.raises(ConfigError, match="register the staff card again"):
        load_kiosk_config(kiosk_file(tmp_path, staff_cards=["ab" * 32]))
    card, other = cards(date.today())[:2]
    config = load_kiosk_config(kiosk_file(tmp_path, staff_cards=[staff_card_entry(card.id_number)]))
    assert config.staff.is_staff_card(card.id_number) and not config.staff.is_staff_card(other.id_number)
    assert card.id_number not in (tmp_path / "kiosk.toml").read_text("utf-8")


# ----- the key folder ---------------------------------------------------------------------------

def test_a_key_folder_inside_the_data_folder_is_refused(tmp_path):
    from kiosk.hall import open_engine

    with pytest.raises(HallError, match="inside the data folder") as err:
        open_engine(HALL_TOML, tmp_path / "data", keys=tmp_path / "data" / "keys")
    assert err.value.code == "id_keys"


def test_kiosk_run_takes_its_key_folder_and_refuses_one_inside_its_data(tmp_path, capsys):
    """A standalone kiosk is its own hall: `kiosk run --keys` names its key folder, and one
    inside its data folder stops the start before any window opens."""
    from app.cli import main

    folder = tmp_path / "kiosk"
    config = kiosk_file(folder)
    data = folder / "data"
    assert main(["run", "--dev", "--config", str(config), "--data", str(data), "--keys", str(data / "keys")]) == 1
    err = capsys.readouterr().err
    assert "inside the data folder" in err and "Traceback" not in err


def test_a_missing_or_other_key_folder_stops_a_hall_that_holds_id_hashes(tmp_path):
    from kiosk.hall import open_engine
    from kiosk.models import IssueRequest
    from kiosk.terminal import citizen_from_id

    data = tmp_path / "data"
    engine = open_engine(HALL_TOML, data, dev=True, keys=tmp_path / "keys")
    citizen = citizen_from_id("11010519491231002X", engine.catalog().id_seal_key)
    engine.issue(IssueRequest(service="SS01", citizen=citizen), "k1")
    engine.store.close()
    with pytest.raises(HallError, match="is missing, but the hall database already holds ID hashes"):
        open_engine(HALL_TOML, data, dev=True, keys=tmp_path / "elsewhere")
    assert not (tmp_path / "elsewhere").exists()  # never a silent new key
    IdKeys.generate().save(tmp_path / "other")
    with pytest.raises(HallError, match="holds another key"):
        open_engine(HALL_TOML, data, dev=True, keys=tmp_path / "other")
    again = open_engine(HALL_TOML, data, dev=True, keys=tmp_path / "keys")  # the right one
    with pytest.raises(HallError) as dup:
        again.issue(IssueRequest(service="SS01", citizen=citizen_from_id(
            "11010519491231002X", again.catalog().id_seal_key)), "k2")
    assert dup.value.code == "duplicate_active"


def test_a_damaged_key_file_is_named(tmp_path):
    from kiosk.hall import open_engine

    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / KEY_FILE).write_text("hash nonsense\n")
    with pytest.raises(HallError, match="is damaged; restore the key folder"):
        open_engine(HALL_TOML, tmp_path / "data", keys=tmp_path / "keys")


# ----- sealing ----------------------------------------------------------------------------------

def test_sealed_numbers_open_only_with_their_key_and_never_repeat():
    keys, other = IdKeys.generate(), IdKeys.generate()
    one, two = seal("11010519491231002X", keys.public_key), seal("11010519491231002X", keys.public_key)
    assert one != two and "11010519491231002X" not in one
    assert unseal(one, keys.seal_private) == unseal(two, keys.seal_private) == "11010519491231002X"
    with pytest.raises(SealError, match="not sealed to this hall's key"):
        unseal(one, other.seal_private)
    raw = bytearray(base64.b64decode(one))
    raw[-1] ^= 1  # one bit of the tag
    with pytest.raises(SealError):
        unseal(base64.b64encode(bytes(raw)).decode(), keys.seal_private)
    with pytest.raises(SealError, match="check digit"):
        keys.number(seal("110105194912310021", keys.public_key))
    assert keys.identity(one, date(2026, 11, 30)).age_band == 70  # 76 years old


def test_keys_never_reach_a_repr():
    keys = IdKeys.generate()
    assert base64.b64encode(keys.hash_key).decode() not in repr(keys) and keys.hash_key.hex() not in repr(keys)


def test_appointments_import_hashes_with_the_halls_key_folder(tmp_path, capsys):

    from app.cli.core import run_appointments_import
    from kiosk.hall import open_engine
    from kiosk.models import IssueRequest
    from kiosk.terminal import citizen_from_id

    number, data, keys = "11010519491231002X", tmp_path / "data", tmp_path / "keys"
    from datetime import datetime

    now = datetime.now().astimezone()
    start, end = (now - timedelta(minutes=10)).isoformat(), (now + timedelta(minutes=20)).isoformat()
    csv = tmp_path / "booked.csv"
    csv.write_text(f"booking_code,service,slot_start,slot_end,id_number\nBK-1,SS01,{start},{end},{number}\n")
    args = cli_args("appointments", "import", csv, "--data", data, "--config", HALL_TOML, "--keys", keys)
    assert run_appointments_import(args) == 0 and "imported 1" in capsys.readouterr().out
    assert number.encode() not in b"".join(p.read_bytes() for p in data.glob("hall.db*"))
    engine = open_engine(HALL_TOML, data, dev=True, keys=keys)  # the server, on the same folders
    ticket = engine.issue(IssueRequest(service="SS01", citizen=citizen_from_id(number, engine.catalog().id_seal_key)), "k")
    assert ticket.appointment == "BK-1"  # checked in by the card: the same key made both hashes
    old = tmp_path / "old.csv"
    old.write_text(f"booking_code,service,slot_start,slot_end,id_hash\nBK-2,SS01,{start},{end},{'ab' * 32}\n")
    engine.store.close()
    assert run_appointments_import(cli_args("appointments", "import", old, "--data", data, "--config", HALL_TOML,
                                            "--keys", keys)) == 1
    assert "give the holder's id_number instead" in capsys.readouterr().err


def test_an_outbox_entry_from_before_sealing_is_sent_without_its_old_hash(tmp_path):
    import json

    from kiosk.models import IssueRequest
    from kiosk.outbox import Outbox

    outbox = Outbox(tmp_path / "outbox.db")
    old_body = {"service": "SS01", "device": "K01", "channel": "offline", "number": "A901",
                "citizen": {"id_hash": "ab" * 32, "id_mask": "3101**********0014", "age": 40}}
    outbox.begin_online("old-1", IssueRequest(service="SS01", device="K01"), 1_800_000_000.0)
    with sqlite3.connect(tmp_path / "outbox.db") as db:  # the entry as the previous version wrote it
        db.execute("UPDATE entries SET body = ? WHERE id = 'old-1'", (json.dumps(old_body),))
    request = outbox.get("old-1").request
    assert request.citizen is None and request.number == "A901"  # the ticket is kept, the hash dropped
    outbox.close()
