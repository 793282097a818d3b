"""A throwaway PostgreSQL cluster for the tests: ``initdb`` into a temporary folder, ``pg_ctl
start`` on a free loopback port with its socket in that folder, stopped and removed at the end.

Debian's server binaries (package ``postgresql``, installed by scripts/setup.sh) live in
/usr/lib/postgresql/<version>/bin, off the PATH. initdb refuses to run as root, so as root the
cluster belongs to the ``postgres`` user (made by the package) and its folder is handed to it.
No Docker: the server is a child process of the test run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path


def server_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl (the newest installed version), or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if found:
        return found[-1].parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path and shutil.which("pg_ctl") else None


def missing_reason() -> str | None:
    """Why no cluster can be started here (a skip reason), or None when one can."""
    if server_binaries() is None:
        return ("PostgreSQL's server binaries (initdb, pg_ctl) are not installed: run scripts/setup.sh, "
                "which installs Debian's postgresql package")
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run initdb as (initdb refuses root)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """One PostgreSQL server in a temporary folder; ``database()`` makes a fresh, empty database."""

    def __init__(self, durable: bool = False) -> None:
        """``durable``: fsync as a production server does (benchmarks); the tests' cluster
        does not."""
        self.durable = durable
        self.bin = server_binaries()
        self.folder = Path(tempfile.mkdtemp(prefix="hall-kiosk-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.user = "postgres"
        self._as_root = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self._as_root:  # initdb and postgres refuse root: run them as the postgres user
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(f"{args[0]} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")

    def start(self) -> Cluster:
        """initdb (C collation: strings sort by code point, as SQLite sorts them) and start."""
        if self._as_root:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", self.user, "--auth=trust", "--no-locale",
                  "-E", "UTF8", "--no-sync")
        self._start_server()
        return self

    def _start_server(self) -> None:
        # fsync off: no machine crash is simulated, and the 2-core test machine needs no I/O
        # waits; a killed server still keeps every commit, whose WAL was written to the OS
        # (synchronous_commit stays on: off, a restart loses the last commits, which a test
        # checks). max_connections: every test's engine keeps a pool until its database is dropped.
        fast = "" if self.durable else "-c fsync=off -c full_page_writes=off "
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 {fast}-c max_connections=300"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "server.log"),
                  "-w", "-t", "60", "start")

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL of ``database`` over the cluster's socket."""
        return f"postgresql+psycopg://{self.user}@/{database}?host={self.folder}&port={self.port}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(host=str(self.folder), port=self.port, user=self.user, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(sql)

    def database(self) -> str:
        """A new empty database; its URL."""
        name = f"hall_{uuid.uuid4().hex[:12]}"
        self._admin(f"CREATE DATABASE {name}")
        return self.url(name)

    def drop(self, url: str) -> None:
        """Drop a database made by ``database()``, ending the sessions still connected to it."""
        from sqlalchemy.engine import make_url

        name = make_url(url).database
        self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def restart(self) -> None:
        """Stop the server at once (as a crash would) and start it again on the same port."""
        self.halt()
        self._start_server()

    def halt(self) -> None:
        """Stop the server at once, as a crash would (``resume`` starts it again)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def resume(self) -> None:
        """Start the halted server again, on the same port and socket."""
        self._start_server()

    def stop(self) -> None:
        """Stop the server and remove its folder."""
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            deadline = time.monotonic() + 5
            while True:
                try:
                    shutil.rmtree(self.folder)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
