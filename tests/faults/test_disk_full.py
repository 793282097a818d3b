"""The outbox's disk fills up: the kiosk refuses to issue with a clear error rather than hand out
a ticket it could not record, and works again once space is back."""

from __future__ import annotations

import os
import subprocess

import pytest

from drivers.printer import PrinterSettings, open_printer
from kiosk.outbox import OutboxError
from tests.faults.harness import account, terminal_for


class SmallDisk:
    """A 256 KiB tmpfs when we may mount one (root), else SQLite's page cap on the outbox file."""

    def __init__(self, path, try_mount: bool = True):
        self.path = path
        path.mkdir(parents=True)
        self.mounted = try_mount and os.geteuid() == 0 and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(path)], capture_output=True).returncode == 0

    def grow(self, terminal) -> None:
        """Space is back (a technician cleared the disk)."""
        if self.mounted:
            subprocess.run(["mount", "-o", "remount,size=4m", str(self.path)], check=True)
        else:
            terminal.outbox._db.execute("PRAGMA max_page_count=1000000")

    def close(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.path)], check=False)


@pytest.fixture(params=["tmpfs", "page_cap"])
def disk(tmp_path, request):
    small = SmallDisk(tmp_path / "disk" / "K01", try_mount=request.param == "tmpfs")
    yield small
    small.close()


def test_full_outbox_disk_refuses_tickets_and_recovers(hall, tmp_path, clock, disk):
    terminal = terminal_for(hall.config_dir, "K01", hall.url, tmp_path / "disk",
                            open_printer(PrinterSettings(uri="dummy:")), clock=clock.now)
    if not disk.mounted:
        terminal.outbox._db.execute("PRAGMA max_page_count=12")
    print(f"small disk: {'tmpfs 256k' if disk.mounted else 'max_page_count'}", end=" ")
    handed = []
    with pytest.raises(OutboxError) as refused:
        for _ in range(500):
            handed.append(terminal.issue("GC01").ticket)
    assert "full" in str(refused.value) and refused.value.code == "outbox_unavailable"
    assert handed, "some tickets should fit before the disk is full"
    print(f"handed out {len(handed)} before it was full", end=" ")
    output = bytes(terminal.printer.output)
    assert all(t.number.encode() in output for t in hall.tickets())  # the server holds only handed-out tickets
    hall.stop()
    with pytest.raises(OutboxError):
        terminal.issue("GC01")  # offline too: no number handed out that was not recorded
    assert b"K900" not in bytes(terminal.printer.output)
    disk.grow(terminal)
    offline = terminal.issue("GC01").ticket  # space back: it works again without a restart
    assert offline.offline and offline.number == "K900"
    hall.start()
    assert terminal.sync().complete
    terminal.close()
    # Restarted, the kiosk resends what it could not note when the disk was full: same keys,
    # so the server answers with the tickets it already made.
    terminal = terminal_for(hall.config_dir, "K01", hall.url, tmp_path / "disk", clock=clock.now)
    assert terminal.sync().complete
    tickets = hall.tickets()
    assert len(tickets) == len(handed) + 1
    assert account([terminal.outbox], tickets, {"K01"}) == (0, 0)
    terminal.close()
