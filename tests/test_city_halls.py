"""Many halls in one PostgreSQL database (kiosk.store's ``hall``, kiosk.city), on the run's real
throwaway cluster: two halls, each with its own ``kiosk serve --hall`` process, see nothing of
each other (tokens, tickets, numbers, events, statistics, clerks, cases), and a write held open
in one hall does not hold up the other's."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from datetime import datetime

import pytest
import requests

from kiosk.city import City, hall_codes
from kiosk.client import wait_for_server
from kiosk.config import PROJECT_CONFIG_DIR, load_hall_config
from kiosk.domain import HallError
from kiosk.store import Store, hall_schema, write_lock_key
from tests.conftest import SHANGHAI, free_port
from tests.faults.harness import ROOT
from tests.kiosk_files import cli_args, hall_file


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture
def city_url(pg_cluster):
    """A fresh database of the run's cluster (the city), dropped afterwards."""
    url = pg_cluster.database()
    yield url
    pg_cluster.drop(url)


def _named(zh: str, en: str, url: str):  # noqa: ANN202 - an edit of a hall file's TOML document
    def edit(doc) -> None:  # noqa: ANN001
        doc["hall"]["name"]["zh"], doc["hall"]["name"]["en"], doc["hall"]["public_url"] = zh, en, url
    return edit


def _serve(url: str, code: str, folder, *extra: str) -> tuple[subprocess.Popen, str]:  # noqa: ANN001 - a Path
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    config = hall_file(folder / "config", _named(f"{code}区大厅", f"{code.title()} Hall", base))
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--dev", "--data", str(folder / "data"),
                             "--config", str(config), "--db", _plain(url), "--hall", code, "--port", str(port),
                             *extra], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_server(base, timeout=60)
    except Exception:
        proc.kill()
        raise
    return proc, base


def _token(url: str, code: str, capsys) -> str:  # noqa: ANN001
    from app.cli import main

    assert main(["tokens", "add", "--role", "admin", "--device", f"admin-{code}", "--db", _plain(url),
                 "--hall", code]) == 0
    return capsys.readouterr().out.strip().splitlines()[-1]


def _events(base: str, headers: dict) -> list[dict]:
    """Every event the hall's stream replays from the start (read until it goes quiet)."""
    found = []
    try:
        with requests.get(f"{base}/api/v1/events", headers={**headers, "Last-Event-ID": "0"}, stream=True,
                          timeout=(5, 1.5)) as r:
            for line in r.iter_lines(decode_unicode=True):
                if line.startswith("data:"):
                    found.append(json.loads(line[5:]))
    except requests.exceptions.ConnectionError:  # the read timed out: the replay is over
        pass
    return found


def test_two_halls_each_with_its_own_server_see_nothing_of_each_other(city_url, tmp_path, capsys):
    (east_proc, east), (west_proc, west) = _serve(city_url, "east", tmp_path / "east", "--city"), \
        _serve(city_url, "west", tmp_path / "west")
    try:
        # East serves the city view (to city accounts only); west, started without --city, does not.
        assert requests.get(f"{east}/api/v1/city/stats", timeout=10).status_code == 401
        assert requests.get(f"{west}/api/v1/city/stats", timeout=10).status_code == 404
        assert hall_codes(_plain(city_url)) == ["east", "west"]
        city = City(city_url, load_hall_config(PROJECT_CONFIG_DIR / "hall.toml"))
        try:  # each server recorded its hall's name and address for the city view
            assert [(h.code, h.name["en"], h.public_url) for h in city.halls()] == [
                ("east", "East Hall", east), ("west", "West Hall", west)]
        finally:
            city.close()
        east_token, west_token = _token(city_url, "east", capsys), _token(city_url, "west", capsys)
        auth = {"east": {"Authorization": f"Bearer {east_token}"}, "west": {"Authorization": f"Bearer {west_token}"}}
        # A token of one hall is unknown in the other.
        assert requests.get(f"{east}/api/v1/tickets", headers=auth["east"], timeout=10).status_code == 200
        refused = requests.get(f"{west}/api/v1/tickets", headers=auth["east"], timeout=10)
        assert refused.status_code == 401 and refused.json()["code"] == "unauthorized"
        assert requests.get(f"{east}/api/v1/tickets", headers=auth["west"], timeout=10).status_code == 401

        def issue(base: str, service: str, key: str) -> str:
            r = requests.post(f"{base}/api/v1/tickets", json={"service": service}, timeout=10,
                              headers={"Authorization": "Bearer dev-kiosk", "Idempotency-Key": key})
            assert r.status_code == 201, r.text
            return r.json()["number"]

        # Numbers start at 1 in both halls and run on their own; the same key is another ticket.
        east_numbers = [issue(east, "GC01", "k1"), issue(east, "GC01", "k2"), issue(east, "AP01", "k3")]
        west_numbers = [issue(west, "GC01", "k1")]
        assert east_numbers[:2] == ["K001", "K002"] and east_numbers[2].endswith("001")
        assert west_numbers == ["K001"]
        assert len(requests.get(f"{west}/api/v1/tickets", headers=auth["west"], timeout=10).json()) == 1
        assert len(requests.get(f"{east}/api/v1/tickets", headers=auth["east"], timeout=10).json()) == 3

        # Clerks and cases made in the east are not in the west.
        clerk = requests.post(f"{east}/api/v1/clerks", headers=auth["east"], timeout=10,
                              json={"code": "0105", "name": "东职员", "pin": "2580"})
        assert clerk.status_code == 201, clerk.text
        case = requests.post(f"{east}/api/v1/cases", headers={"Authorization": "Bearer dev-guide"}, timeout=10,
                             json={"request": "营业执照变更", "reason": "材料不全", "services": ["GC01"]})
        assert case.status_code == 201, case.text
        assert [c["code"] for c in requests.get(f"{east}/api/v1/clerks", headers=auth["east"], timeout=10).json()] \
            == ["0105"]
        assert requests.get(f"{west}/api/v1/clerks", headers=auth["west"], timeout=10).json() == []
        assert requests.get(f"{west}/api/v1/cases", headers=auth["west"], timeout=10).json() == []
        assert len(requests.get(f"{east}/api/v1/cases", headers=auth["east"], timeout=10).json()) == 1

        # Events: the west's stream replays its one ticket only.
        west_events = _events(west, auth["west"])
        numbers = {e.get("number") for e in west_events if e.get("number")}
        assert numbers == {"K001"}, west_events
        assert {e.get("number") for e in _events(east, auth["east"]) if e.get("number")} == set(east_numbers)

        # Statistics of today: each hall counts its own.
        today = datetime.now(SHANGHAI).date().isoformat()
        for base, who, issued in ((east, "east", 3), (west, "west", 1)):
            report = requests.get(f"{base}/api/v1/stats", params={"from": today, "to": today}, headers=auth[who],
                                  timeout=20).json()
            assert report["totals"]["issued"] == issued, report
    finally:
        for proc in (east_proc, west_proc):
            proc.terminate()
            proc.wait(20)


def test_a_write_held_open_in_one_hall_does_not_hold_up_the_other(city_url):
    """Hall east holds a write transaction open; a write in west commits at once, while a second
    writer of east (another process's store, as it were) waits for the first."""
    east, west, east_again = Store(city_url, hall="east"), Store(city_url, hall="west"), Store(city_url, hall="east")
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with east.write() as conn:
            conn.exec_driver_sql("SELECT 1")
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        start = time.monotonic()
        with west.write() as conn:
            conn.exec_driver_sql("INSERT INTO meta (key, value) VALUES ('west', '1')")
        assert time.monotonic() - start < 2.0  # would wait the 30 s with one lock for the database

        waited = threading.Event()

        def second_east() -> None:
            with east_again.write() as conn:
                conn.exec_driver_sql("SELECT 1")
            waited.set()

        other = threading.Thread(target=second_east)
        other.start()
        assert not waited.wait(1.0)  # the same hall's writers still take turns
        release.set()
        assert waited.wait(10)
        other.join(10)
    finally:
        release.set()
        holder.join(10)
        for store in (east, west, east_again):
            store.close()


def test_each_hall_keeps_its_tables_in_its_own_schema(city_url):
    east = Store(city_url, hall="east")
    plain = Store(city_url)  # no hall: the public schema, as before
    try:
        assert east.schema == "hall_east" and plain.schema is None
        with east.read() as conn:
            assert conn.exec_driver_sql("SELECT current_schema()").scalar() == "hall_east"
            tables = set(conn.exec_driver_sql("SELECT table_name FROM information_schema.tables "
                                              "WHERE table_schema = 'hall_east'").scalars())
        assert {"tickets", "tokens", "hall_events", "accounts", "counters"} <= tables
        assert write_lock_key("hall_east") != write_lock_key("hall_west") != write_lock_key(None)
        assert all(0 < write_lock_key(s) < 2**63 for s in ("hall_east", "city", None))
    finally:
        east.close()
        plain.close()


@pytest.mark.parametrize("code", ["East", "east-1", "", "x" * 25, "hall;drop", "中"])
def test_a_hall_code_is_checked_in_a_sentence(code):
    with pytest.raises(ValueError, match="is not a hall code"):
        hall_schema(code)
    with pytest.raises(HallError) as err:
        Store("postgresql://nobody@127.0.0.1:9/none", hall=code)
    assert err.value.code == "validation_error"


def test_a_sqlite_hall_refuses_a_hall_code(tmp_path):
    with pytest.raises(HallError) as err:
        Store(tmp_path / "hall.db", hall="east")
    assert "needs a PostgreSQL database" in err.value.detail and not (tmp_path / "hall.db").exists()


def test_serve_with_hall_but_no_db_is_refused_in_a_sentence(tmp_path, capsys):
    from app.cli.core import run_serve

    for option in ("--hall", "--city"):
        words = [option, "east"] if option == "--hall" else [option]
        assert run_serve(cli_args("serve", "--dev", "--data", tmp_path, *words, "--port", "9")) == 1
        err = capsys.readouterr().err
        assert "needs the city's PostgreSQL database" in err and "Traceback" not in err


def test_admin_commands_take_hall_and_refuse_an_unknown_one(city_url, capsys):
    from app.cli import main

    url = _plain(city_url)
    Store(city_url, hall="east").close()
    assert main(["tokens", "add", "--role", "kiosk", "--device", "K01", "--db", url, "--hall", "east"]) == 0
    capsys.readouterr()
    assert main(["tokens", "list", "--db", url, "--hall", "east"]) == 0
    assert "K01" in capsys.readouterr().out
    assert main(["tokens", "list", "--db", url]) == 0  # the public schema: another hall
    assert "K01" not in capsys.readouterr().out
    assert main(["tokens", "list", "--db", url, "--hall", "esat"]) == 1
    err = capsys.readouterr().err
    assert "no hall 'esat'" in err and "east" in err and "Traceback" not in err
    assert main(["tokens", "add", "--role", "kiosk", "--device", "K02", "--db", url, "--hall", "esat"]) == 1
    assert "start kiosk serve --hall esat first" in capsys.readouterr().err
    assert hall_codes(url) == ["east"]  # the typo made no hall
    assert main(["accounts", "list", "--hall", "east"]) == 1
    assert "needs the city's PostgreSQL database" in capsys.readouterr().err


def test_halls_on_one_machine_get_data_folders_of_their_own(tmp_path):
    """Clerk photos, logs and export files of two halls never share a folder by default."""
    from app.cli.common import server_data_dir

    east, west = server_data_dir(None, "east"), server_data_dir(None, "west")
    assert east != west and east.parent == west.parent and east.name == "hall_east"
    assert server_data_dir(tmp_path, "east") == tmp_path  # a folder given is used as it is
    assert server_data_dir(None) == east.parent
