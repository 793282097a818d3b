"""`make deb`'s packages installed with apt into a clean Debian root (bookworm, minbase, made by
mmdebstrap from Debian's archive), which resolves their Depends; then, inside it (chroot):
``kiosk --version``, ``kiosk config check``, pyusb and pycups importable, ``kiosk setup-role
server`` and the installed server answering as the ``hall`` user; a reinstall and a purge keep
configuration and data, a purge answered yes deletes them.

Slow (about 3.5 minutes here: building the packages 80 s, apt installing them with about
150 MB of Debian packages 85 s), so
marked ``slow``; skipped with the reason when not root, when mmdebstrap or dpkg-deb is missing
or Debian's archive cannot be reached. $HALL_KIOSK_DEBS names a folder of packages already built
(by make deb) to install instead of building them here. The minbase root is cached as a tarball in
~/.cache/hall-kiosk/ (made once, 30 s), the pip downloads of the build there too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path.home() / ".cache" / "hall-kiosk"
BASE = CACHE / "debian-bookworm-minbase.tar"
MIRROR = "http://deb.debian.org/debian"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


def _skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "installing into a chroot needs root"
    if shutil.which("dpkg-deb") is None:
        return "dpkg-deb is not installed"
    if not BASE.exists() and shutil.which("mmdebstrap") is None:
        return "mmdebstrap is not installed (apt-get install mmdebstrap) and no cached Debian root"
    try:
        requests.head(MIRROR + "/dists/bookworm/Release", timeout=10).raise_for_status()
    except requests.RequestException as exc:
        return f"Debian's archive cannot be reached ({exc.__class__.__name__})"
    return None


@pytest.fixture(scope="module")
def debs(tmp_path_factory) -> dict[str, Path]:
    """The packages, built by make deb's script into a folder of the test."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    if prebuilt := os.environ.get("HALL_KIOSK_DEBS"):  # a folder of packages just built by make deb
        return {p.name.split("_")[0]: p for p in Path(prebuilt).glob("*.deb")}
    out = tmp_path_factory.mktemp("dist")
    env = {**os.environ, "HALL_KIOSK_DIST": str(out), "KIOSK_VENV": sys.prefix}
    started = time.monotonic()
    result = subprocess.run(["bash", str(ROOT / "packaging/build-deb.sh")], capture_output=True, text=True,
                            env=env, timeout=1500)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    print(f"make deb: {time.monotonic() - started:.0f} s")
    return {p.name.split("_")[0]: p for p in out.glob("*.deb")}


def _base_tarball() -> Path:
    if not BASE.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        part = BASE.with_name(BASE.name + ".part.tar")
        subprocess.run(["mmdebstrap", "--variant=minbase", "--quiet", "bookworm", str(part), MIRROR],
                       check=True, timeout=900)
        part.rename(BASE)
    return BASE


def chroot(root: Path, command: str, check: bool = True, timeout: int = 900) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND": "noninteractive", "LANG": "C.UTF-8",
           "HOME": "/root"}
    result = subprocess.run(["chroot", str(root), "/bin/sh", "-c", command], capture_output=True, text=True,
                            env=env, timeout=timeout)
    if check:
        assert result.returncode == 0, f"{command}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    return result


@pytest.fixture(scope="module")
def installed(debs, tmp_path_factory) -> Path:
    """A fresh minbase root with both packages installed by apt."""
    root = tmp_path_factory.mktemp("debian")
    with tarfile.open(_base_tarball()) as tar:
        tar.extractall(root, filter="fully_trusted")  # our own mmdebstrap output: devices, owners
    shutil.copy("/etc/resolv.conf", root / "etc/resolv.conf")
    for deb in debs.values():
        shutil.copy(deb, root / "tmp" / deb.name)
    started = time.monotonic()
    chroot(root, "apt-get update -qq")
    names = " ".join(f"/tmp/{deb.name}" for deb in debs.values())
    chroot(root, f"apt-get install -y -qq --no-install-recommends {names}", timeout=1500)
    print(f"apt install: {time.monotonic() - started:.0f} s")
    return root


def test_both_packages_were_built(debs):
    assert set(debs) == {"hall-kiosk", "hall-kiosk-screen"}


def test_kiosk_version_and_config_check_run_inside(installed):
    version = chroot(installed, "kiosk --version").stdout.split()
    assert version[0] == "kiosk" and version[1].startswith("0.")
    check = chroot(installed, "kiosk config check")
    assert "site-packages/config/hall.toml: ok" in check.stdout and "kiosk.toml: ok" in check.stdout
    assert check.stdout.count("/opt/hall-kiosk/") == 2  # the installed samples, nothing of the build host
    # this checkout's code, not a wheel of an earlier build (no /sys in the chroot: nothing plugged in)
    assert "stable names: no USB-serial port" in chroot(installed, "kiosk devices list").stdout


def test_the_programs_python_and_printer_libraries_are_debians(installed):
    out = chroot(installed, "/opt/hall-kiosk/bin/python -c 'import sys, usb.core, cups, PySide6; print(sys.version)'")
    assert out.stdout.startswith("3.11")
    assert os.readlink(installed / "opt/hall-kiosk/bin/python3").endswith("/usr/bin/python3") or \
        os.readlink(installed / "opt/hall-kiosk/bin/python3") == "python3"
    assert (installed / "opt/hall-kiosk/bin/kiosk").read_text().startswith("#!/opt/hall-kiosk/bin/python")


def test_user_folders_units_and_rules_are_in_place(installed):
    assert "hall:" in (installed / "etc/passwd").read_text()
    groups = (installed / "etc/group").read_text()
    assert any(line.startswith("dialout:") and "hall" in line for line in groups.splitlines())
    assert (installed / "var/lib/hall-kiosk/keys").is_dir() and (installed / "etc/hall-kiosk").is_dir()
    for unit in ("hall-server", "hall-screen-kiosk", "hall-screen-rate"):
        assert (installed / f"usr/lib/systemd/system/{unit}.service").is_file() or \
            (installed / f"lib/systemd/system/{unit}.service").is_file()
    assert (installed / "usr/lib/udev/rules.d/99-hall-kiosk.rules").is_file()
    conffiles = chroot(installed, "cat /var/lib/dpkg/info/hall-kiosk.conffiles").stdout
    assert "/etc/udev/rules.d/98-hall-kiosk-local.rules" in conffiles


def test_setup_role_server_then_the_installed_server_answers_as_hall(installed):
    out = chroot(installed, "kiosk setup-role server --no-enable").stdout
    assert "first admin token" in out
    port = free_port()  # the chroot shares the host's network
    server = subprocess.Popen(
        ["chroot", "--userspec=hall:hall", str(installed), "/usr/bin/env", "HOME=/var/lib/hall-kiosk",
         "/opt/hall-kiosk/bin/kiosk", "serve", "--config", "/etc/hall-kiosk/hall.toml", "--data",
         "/var/lib/hall-kiosk/server", "--keys", "/var/lib/hall-kiosk/keys", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(600):
            try:
                if requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if server.poll() is not None:
                pytest.fail(server.stdout.read()[-3000:])
            time.sleep(0.1)
        else:
            pytest.fail("the installed kiosk serve did not answer")
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert (installed / "var/lib/hall-kiosk/server/hall.db").stat().st_uid != 0  # the hall user's


def test_reinstall_keeps_configuration_and_data(installed, debs):
    hall_file = installed / "etc/hall-kiosk/hall.toml"
    before = hall_file.read_text()
    chroot(installed, f"dpkg -i /tmp/{debs['hall-kiosk'].name}", timeout=1500)  # as an upgrade does
    assert hall_file.read_text() == before
    assert (installed / "var/lib/hall-kiosk/server/hall.db").is_file()


def test_purge_keeps_the_data_unless_told(installed):
    purge = chroot(installed, "apt-get purge -y -qq hall-kiosk-screen hall-kiosk")
    assert "kept /var/lib/hall-kiosk and /etc/hall-kiosk" in purge.stdout + purge.stderr
    assert not (installed / "opt/hall-kiosk/bin").exists()
    assert (installed / "var/lib/hall-kiosk/server/hall.db").is_file()
    assert (installed / "etc/hall-kiosk/hall.toml").is_file()
    assert not (installed / "etc/udev/rules.d/98-hall-kiosk-local.rules").exists()  # a conffile: purged


def test_purge_deletes_the_data_when_the_question_is_answered_yes(installed, debs):
    names = " ".join(f"/tmp/{deb.name}" for deb in debs.values())
    chroot(installed, f"apt-get install -y -qq --no-install-recommends {names}", timeout=1500)
    chroot(installed, "echo 'hall-kiosk hall-kiosk/purge-data boolean true' | debconf-set-selections")
    chroot(installed, "apt-get purge -y -qq hall-kiosk-screen hall-kiosk")
    assert not (installed / "var/lib/hall-kiosk").exists() and not (installed / "etc/hall-kiosk").exists()
