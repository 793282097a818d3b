"""The package refuses a downgrade whose programs would not know the hall database (issue 18):
hall-kiosk's preinst, rendered by the build script exactly as it goes into the package, run by
sh against a hall.db in a temporary root (``DPKG_ROOT``, which dpkg gives maintainer scripts)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from kiosk.migrations import HEAD

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("dpkg") is None, reason="dpkg (--compare-versions) is not installed")


@pytest.fixture(scope="module")
def preinst(tmp_path_factory) -> Path:
    """hall-kiosk's preinst as the build puts it into the package (version 0.1.0-1)."""
    text = subprocess.run(["bash", "packaging/build-deb.sh", "--maintainer-script", "packaging/debian/hall-kiosk.preinst"],
                          cwd=ROOT, capture_output=True, text=True, check=True,
                          env={"PATH": "/usr/bin:/bin", "DEB_VERSION": "0.1.0-1", "HOME": str(tmp_path_factory.getbasetemp())}).stdout
    script = tmp_path_factory.mktemp("preinst") / "preinst"
    script.write_text(text)
    return script


def _hall_db(root: Path, revision: str) -> None:
    path = root / "var/lib/hall-kiosk/server/hall.db"
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        db.execute("INSERT INTO alembic_version VALUES (?)", (revision,))


def _run(script: Path, root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", str(script), *args], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "DPKG_ROOT": str(root)})


def test_the_build_writes_every_revision_of_this_version_into_the_script(preinst):
    from kiosk.migrations import _known, _scripts

    line = next(x for x in preinst.read_text().splitlines() if x.startswith("KNOWN_REVISIONS="))
    assert set(line.split('"')[1].split()) == _known(_scripts())
    assert 'VERSION="0.1.0-1"' in preinst.read_text()


def test_a_downgrade_over_a_database_of_a_newer_revision_is_refused_in_words(preinst, tmp_path):
    _hall_db(tmp_path, "0999")
    result = _run(preinst, tmp_path, "upgrade", "0.2.0-1")
    assert result.returncode == 1
    assert "refusing to go back from 0.2.0-1 to 0.1.0-1" in result.stderr and "revision 0999" in result.stderr
    assert "restore a backup" in result.stderr


@pytest.mark.parametrize("old, revision", [("0.2.0-1", HEAD), ("0.0.9-1", "0999"), ("0.2.0-1", None)])
def test_a_downgrade_this_version_can_serve_an_upgrade_or_no_database_go_ahead(preinst, tmp_path, old, revision):
    if revision is not None:
        _hall_db(tmp_path, revision)
    assert _run(preinst, tmp_path, "upgrade", old).returncode == 0
    assert _run(preinst, tmp_path, "install").returncode == 0
