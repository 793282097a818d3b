"""Log files a long-running kiosk or hall server keeps, for technicians and the support bundle.

``log_to_file(data_dir, name)`` adds a rotating file (``data_dir/logs/<name>.log``, 1 MB, five
old files) to the root logger, so months of running never fill the disk. Every record passes
``scrub`` first (kiosk.support): an ID number that slipped into a message is masked before it
reaches any handler, the file or stderr. Qt-free.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path

from kiosk.support import scrub

LOG_DIR = "logs"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class ScrubPersonalData(logging.Filter):
    """Masks ID numbers and bearer tokens in a record's message (it rewrites the record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = scrub(message)
        if clean != message:
            record.msg, record.args = clean, ()
        # A traceback carries the exception's message too: format it once, scrubbed; handlers'
        # formatters use ``exc_text`` as it is.
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        return True


def log_dir(data_dir: Path | str) -> Path:
    """Where the log files of a data folder live."""
    return Path(data_dir) / LOG_DIR


def log_to_file(data_dir: Path | str, name: str, *, max_bytes: int = 1_000_000,
                backups: int = 5) -> Path:
    """Send the root logger's records to ``data_dir/logs/<name>.log`` too; returns that path."""
    folder = log_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.log"
    handler = RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    # On the handler, and on the handlers already installed (stderr): filters on a logger do not
    # see records propagated from child loggers.
    root = logging.getLogger()
    for existing in [*root.handlers, handler]:
        if not any(isinstance(f, ScrubPersonalData) for f in existing.filters):
            existing.addFilter(ScrubPersonalData())
    root.addHandler(handler)
    return path


def log_files(folder: Path | str | None) -> list[Path]:
    """The log files in ``folder`` (current and rotated), oldest name last; [] without one."""
    if folder is None or not Path(folder).is_dir():
        return []
    return sorted(Path(folder).glob("*.log*"))


@contextlib.contextmanager
def lifetime(program: str, detail: str = "") -> Iterator[None]:
    """Log the start and the stop of a long-running ``program`` (how it ended included), so
    the log file shows every restart and crash.

    A service manager stops a program with SIGTERM, whose default action ends the process
    without running any clean-up; where nobody handles it yet, it becomes SystemExit here, so
    the stop is logged (uvicorn re-raises the signal after its own graceful shutdown)."""
    log = logging.getLogger("kiosk.lifetime")
    _exit_on_sigterm()
    log.info("%s started%s", program, f": {detail}" if detail else "")
    try:
        yield
    except Exception:
        log.error("%s stopped by an error", program, exc_info=True)
        raise
    except (KeyboardInterrupt, SystemExit) as exc:  # Ctrl+C, SIGTERM: an ordinary stop
        log.info("%s stopped (%s)", program, "SIGTERM" if isinstance(exc, SystemExit) else "Ctrl+C")
        raise
    log.info("%s stopped", program)


def _exit_on_sigterm() -> None:
    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may set signal handlers
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, _sigterm)


def _sigterm(_signum, _frame) -> None:  # noqa: ANN001
    raise SystemExit(0)
