"""``kiosk setup-role`` in a temporary root: the files each role's unit reads, the data folders,
the server's first admin token (accepted by the real token check), and plain refusals."""

from __future__ import annotations

import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from app.cli import main
from kiosk.config import load_hall_config, load_kiosk_config

ETC, DATA = Path("etc/hall-kiosk"), Path("var/lib/hall-kiosk")


def setup_role(root: Path, *args: str) -> int:
    return main(["setup-role", *args, "--root", str(root)])


def env_file(path: Path) -> dict[str, str]:
    """The environment file as sh reads it (the session script sources it)."""
    out = subprocess.run(["env", "-i", "sh", "-c", f'set -a; . "{path}"; env'], capture_output=True, text=True, check=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if line.startswith("HALL_"))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_server_writes_the_hall_file_env_folders_and_a_first_admin_token(tmp_path, capsys):
    assert setup_role(tmp_path, "server", "--port", "8700") == 0
    out = capsys.readouterr().out
    hall = load_hall_config(tmp_path / ETC / "hall.toml")  # a valid hall file
    assert hall.services
    assert env_file(tmp_path / ETC / "server.env") == {"HALL_SERVE_ARGS": "--host 0.0.0.0 --port 8700"}
    assert mode(tmp_path / DATA / "keys") == 0o700 and mode(tmp_path / ETC / "server.env") == 0o640
    token = next(line.rsplit(" ", 1)[1] for line in out.splitlines() if "first admin token" in line)
    from kiosk.store import Store
    from kiosk.tokens import identify

    store = Store(tmp_path / DATA / "server" / "hall.db")
    try:
        assert identify(store, token, dev=False).role == "admin"
    finally:
        store.close()
    assert "not enabled" in out  # --root: files only


def test_server_again_keeps_the_hall_file_and_makes_no_second_token(tmp_path, capsys):
    setup_role(tmp_path, "server")
    hall_file = tmp_path / ETC / "hall.toml"
    hall_file.write_text(hall_file.read_text().replace("[hall]", "# edited by the hall's IT\n[hall]", 1))
    capsys.readouterr()
    assert setup_role(tmp_path, "server") == 0
    out = capsys.readouterr().out
    assert "# edited by the hall's IT" in hall_file.read_text()
    assert "kept" in out and "admin token exists already" in out and "first admin token" not in out


@pytest.mark.parametrize("role,window", [("kiosk", None), ("board", None), ("window", 3), ("counter", 3), ("rate", 5)])
def test_screen_writes_its_file_env_and_data_folder(tmp_path, capsys, role, window):
    extra = ["--window", str(window)] if window else []
    assert setup_role(tmp_path, role, "--server", "https://hall.example:8600/", "--token", "t0k3n", *extra) == 0
    config = load_kiosk_config(tmp_path / ETC / f"{role}.toml")  # what the program will read
    assert (config.link.mode, config.link.url, config.link.token) == ("server", "https://hall.example:8600", "t0k3n")
    assert config.kiosk.data_dir == f"/var/lib/hall-kiosk/{role}"
    env = env_file(tmp_path / ETC / f"{role}.env")
    assert env["HALL_SERVER"] == "https://hall.example:8600" and env["HALL_TOKEN"] == "t0k3n"
    assert env.get("HALL_WINDOW") == (str(window) if window else None)
    assert (tmp_path / DATA / role).is_dir()
    assert mode(tmp_path / ETC / f"{role}.toml") == 0o640  # it holds the token
    out = capsys.readouterr().out
    if role == "kiosk":  # kiosk run refuses the sample's development PINs: say so now
        assert "before it starts" in out and "staff.pin_hash" in out


def test_again_with_a_new_token_changes_only_the_link(tmp_path):
    setup_role(tmp_path, "kiosk", "--server", "http://10.0.0.2:8600", "--token", "old", "--kiosk-id", "K07")
    path = tmp_path / ETC / "kiosk.toml"
    path.write_text(path.read_text().replace("idle_timeout_s = 60", "idle_timeout_s = 90"))
    assert setup_role(tmp_path, "kiosk", "--server", "http://10.0.0.2:8600", "--token", "new") == 0
    doc = tomllib.loads(path.read_text())
    assert doc["link"]["token"] == "new" and doc["kiosk"]["idle_timeout_s"] == 90 and doc["kiosk"]["id"] == "K07"


def test_ca_file_is_copied_and_referenced(tmp_path):
    ca = tmp_path / "ca.crt"
    ca.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    root = tmp_path / "root"
    assert setup_role(root, "board", "--server", "https://h:8600", "--token", "t", "--ca", str(ca)) == 0
    assert (root / ETC / "hall-ca.crt").read_text() == ca.read_text()
    assert load_kiosk_config(root / ETC / "board.toml").link.ca_file == "hall-ca.crt"


@pytest.mark.parametrize("args,says", [
    (["kiosk"], "kiosk tokens add --role kiosk --device K01"),
    (["counter", "--server", "http://h:8600", "--token", "t"], "--window N"),
    (["rate", "--server", "http://h:8600", "--token", "t", "--window", "0"], "--window N"),
    (["board", "--server", "hall:8600", "--token", "t"], "http:// or https://"),
    (["board", "--server", "http://h:8600", "--token", "t", "--ca", "/nonexistent/ca.crt"], "no such file"),
])
def test_refusals_say_what_to_do_and_write_nothing(tmp_path, capsys, args, says):
    assert setup_role(tmp_path, *args) == 1
    assert says in capsys.readouterr().err
    assert not (tmp_path / "etc").exists()


def test_the_command_runs_as_installed(tmp_path):
    out = subprocess.run([sys.executable, "-m", "app.cli", "setup-role", "window", "--server", "http://h:8600",
                          "--token", "t", "--window", "2", "--root", str(tmp_path)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "systemctl enable --now hall-screen-window.service" in out.stdout
