"""``kiosk serve``, ``kiosk config check``, ``kiosk tokens add``, ``kiosk appointments import``."""

from __future__ import annotations

import argparse
import gc
import secrets
import sys
import time
from pathlib import Path

from kiosk.config import PROJECT_CONFIG_DIR, ConfigError, load_any, load_hall_config
from kiosk.domain import HallError
from kiosk.logfile import log_to_file


def default_data_dir(kind: str) -> Path:
    """Where a program keeps its database when ``--data`` is not given."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("hall-kiosk")) / kind


KEYS_HELP = ("folder of the hall's ID keys, outside the data folder (default: the user's config "
             "folder, hall-kiosk/keys); made at the first start of a new hall: back it up")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the core subcommands."""
    serve = sub.add_parser("serve", help="run the hall server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8600)
    serve.add_argument("--data", type=Path, help="folder of the hall database")
    serve.add_argument("--config", type=Path, help="hall file (default with --dev: config/hall.toml)")
    serve.add_argument("--dev", action="store_true", help="sample hall, development tokens, always open")
    serve.add_argument("--keys", type=Path, help=KEYS_HELP)
    serve.add_argument("--sync", choices=["full", "normal"], default="full",
                       help="full: every ticket on disk before it is acknowledged (default); normal: "
                            "survives a crash of the server, not a power cut, about twice as fast")
    serve.set_defaults(handler=run_serve)

    config = sub.add_parser("config", help="check configuration files")
    config_sub = config.add_subparsers(dest="config_command", required=True)
    check = config_sub.add_parser("check", help="validate hall and kiosk files, listing every problem")
    check.add_argument("paths", nargs="*", type=Path, help="files (default: the sample hall and kiosk)")
    check.set_defaults(handler=run_config_check)

    tokens = sub.add_parser("tokens", help="manage device tokens of the hall server")
    tokens_sub = tokens.add_subparsers(dest="tokens_command", required=True)
    add = tokens_sub.add_parser("add", help="create a token and print it once")
    add.add_argument("--role", required=True, choices=["kiosk", "counter", "display", "guide", "admin"])
    add.add_argument("--device", required=True)
    add.add_argument("--data", type=Path)
    add.set_defaults(handler=run_tokens_add)

    appointments = sub.add_parser("appointments", help="booked appointments")
    appointments_sub = appointments.add_subparsers(dest="appointments_command", required=True)
    imp = appointments_sub.add_parser("import", help="import a CSV or JSON file of appointments")
    imp.add_argument("file", type=Path)
    imp.add_argument("--data", type=Path)
    imp.add_argument("--config", type=Path, default=PROJECT_CONFIG_DIR / "hall.toml")
    imp.add_argument("--keys", type=Path, help=KEYS_HELP)
    imp.set_defaults(handler=run_appointments_import)


def _fail(message: str) -> int:
    print(f"kiosk: {message}", file=sys.stderr)
    return 1


def run_config_check(args: argparse.Namespace) -> int:
    """Validate each file; print every problem with its key path; exit 1 if any."""
    paths = args.paths or [PROJECT_CONFIG_DIR / "hall.toml", PROJECT_CONFIG_DIR / "kiosk.toml"]
    bad = 0
    for path in paths:
        try:
            load_any(path)
            print(f"{path}: ok")
        except ConfigError as exc:
            bad += 1
            print(exc, file=sys.stderr)
    return 1 if bad else 0


def run_serve(args: argparse.Namespace) -> int:
    """Start the hall server (blocks until interrupted)."""
    import uvicorn

    from kiosk.hall import open_engine
    from kiosk.server import create_app

    config_path = args.config or (PROJECT_CONFIG_DIR / "hall.toml" if args.dev else None)
    if config_path is None:
        return _fail("give the hall file with --config (or use --dev for the sample hall)")
    try:
        hall = load_hall_config(config_path)
    except ConfigError as exc:
        return _fail(str(exc))
    data = args.data or default_data_dir("server")
    try:
        engine = open_engine(hall, data, dev=args.dev, sync=args.sync, keys=args.keys)
    except HallError as exc:  # an emptied, damaged or foreign hall.db: never a fresh start
        return _fail(f"cannot start: {exc.detail}")
    log_to_file(data, "hall-server")
    print(f"hall server: {hall.hall.name.zh} on http://{args.host}:{args.port} (data in {data})", flush=True)
    app = create_app(engine, dev=args.dev)
    # Everything built so far lives as long as the server: keep it out of the collector's full
    # scans, which otherwise add pauses to the slowest requests.
    gc.freeze()
    # Open event streams never end by themselves: give them 3 s at shutdown, then close them.
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning",
                access_log=False, timeout_graceful_shutdown=3)
    return 0


def run_tokens_add(args: argparse.Namespace) -> int:
    """Create a device token; only its hash is stored."""
    from kiosk.server import add_token
    from kiosk.store import Store

    token = secrets.token_urlsafe(24)
    data = args.data or default_data_dir("server")
    add_token(Store(Path(data) / "hall.db"), token, args.role, args.device, time.time())
    print(token)
    return 0


def run_appointments_import(args: argparse.Namespace) -> int:
    """Import appointments into the hall database."""
    from kiosk.hall import open_engine

    try:
        engine = open_engine(args.config, args.data or default_data_dir("server"), keys=args.keys)
        print(f"imported {engine.import_appointments(args.file)} appointments")
        return 0
    except (ConfigError, HallError, OSError) as exc:
        return _fail(str(exc))
