"""``kiosk serve``, ``kiosk config check``, ``kiosk appointments import`` (tokens: ``app.cli.tokens``)."""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from pathlib import Path

from app.cli.common import PROJECT_CONFIG_DIR, ask_pin_twice, default_data_dir, server_data_dir
from app.cli.common import fail as _fail
from kiosk.domain import HallError

# The handlers import what they run (pydantic, SQLAlchemy, the server): building the parser
# loads none of it, so `kiosk --help` and the other commands do not pay for `kiosk serve`.

KEYS_HELP = ("folder of the hall's ID keys, outside the data folder (default: the user's config "
             "folder, hall-kiosk/keys); made at the first start of a new hall: back it up")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the core subcommands."""
    serve = sub.add_parser("serve", help="run the hall server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8600)
    serve.add_argument("--data", type=Path, help="folder of the hall database (with --db: of logs and backups)")
    serve.add_argument("--db", metavar="URL",
                       help="keep the hall in this PostgreSQL database (postgresql://user@host/name) "
                            "instead of the SQLite file in the data folder (default: the hall file's "
                            "[storage] database)")
    serve.add_argument("--hall", metavar="CODE",
                       help="with --db: this hall of a city database (its schema hall_CODE; 1-24 of a-z, 0-9, _)")
    serve.add_argument("--city", action="store_true",
                       help="with --db: also serve the city view of every hall in the database (/console/city, "
                            "/api/v1/city/stats) to city accounts (kiosk accounts add --city)")
    serve.add_argument("--config", type=Path, help="hall file (default with --dev: config/hall.toml)")
    serve.add_argument("--dev", action="store_true", help="sample hall, development tokens, always open")
    serve.add_argument("--keys", type=Path, help=KEYS_HELP)
    serve.add_argument("--sync", choices=["full", "normal"], default="full",
                       help="full: every ticket on disk before it is acknowledged (default); normal: "
                            "survives a crash of the server, not a power cut, about twice as fast")
    serve.add_argument("--backup-dir", type=Path, help="where nightly backups go (default: <data>/backups)")
    serve.add_argument("--backup-hour", type=hour_arg, default=2, help="hall hour of the nightly backup (default 2)")
    serve.add_argument("--tls-cert", type=Path, metavar="FILE",
                       help="serve HTTPS with this certificate (server.crt from 'kiosk tls init')")
    serve.add_argument("--tls-key", type=Path, metavar="FILE", help="the certificate's private key (server.key)")
    serve.add_argument("--max-connections", type=_positive, default=1024, metavar="N",
                       help="open connections at most (default 1024); above half of it only requests "
                            "with a device token are served")
    serve.add_argument("--max-per-address", type=_positive, default=64, metavar="N",
                       help="open connections from one address at most (default 64)")
    serve.set_defaults(handler=run_serve)

    config = sub.add_parser("config", help="check configuration files")
    config_sub = config.add_subparsers(dest="config_command", required=True)
    check = config_sub.add_parser("check", help="validate hall and kiosk files, listing every problem")
    check.add_argument("paths", nargs="*", type=Path, help="files (default: the sample hall and kiosk)")
    check.set_defaults(handler=run_config_check)
    pin_hash = config_sub.add_parser("pin-hash", help="hash a staff or technician PIN for the kiosk file")
    pin_hash.add_argument("--key", choices=["pin_hash", "tech_pin_hash"], default="pin_hash",
                          help="which [staff] key the printed line sets")
    pin_hash.set_defaults(handler=run_pin_hash)

    appointments = sub.add_parser("appointments", help="booked appointments")
    appointments_sub = appointments.add_subparsers(dest="appointments_command", required=True)
    imp = appointments_sub.add_parser("import", help="import a CSV or JSON file of appointments")
    imp.add_argument("file", type=Path)
    imp.add_argument("--data", type=Path)
    imp.add_argument("--config", type=Path, default=PROJECT_CONFIG_DIR / "hall.toml")
    imp.add_argument("--keys", type=Path, help=KEYS_HELP)
    imp.add_argument("--db", metavar="URL", help="the hall's PostgreSQL database (postgresql://user@host/name), "
                                                 "as given to kiosk serve --db (default: the hall file's [storage])")
    imp.set_defaults(handler=run_appointments_import)


def hour_arg(text: str) -> int:
    """An hour of the day, 0-23 (argparse type)."""
    if not text.isdigit() or not 0 <= int(text) <= 23:
        raise argparse.ArgumentTypeError(f"an hour is 0 to 23, not {text!r}")
    return int(text)


def _positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


def run_config_check(args: argparse.Namespace) -> int:
    """Validate each file; print every problem with its key path; exit 1 if any."""
    from kiosk.config import ConfigError, load_any
    from kiosk.devsecrets import dev_secrets

    paths = args.paths or [PROJECT_CONFIG_DIR / "hall.toml", PROJECT_CONFIG_DIR / "kiosk.toml"]
    bad = 0
    for path in paths:
        try:
            config = load_any(path)
        except ConfigError as exc:
            bad += 1
            print(exc, file=sys.stderr)
            continue
        wrong = _public_url_checked(path, config)
        bad += wrong
        if not wrong:
            print(f"{path}: ok")
        for secret in dev_secrets(config):  # a warning: fine for development, refused by serve/run
            print(f"{path}: warning: development secret {secret}", file=sys.stderr)
    return 1 if bad else 0


def _public_url_checked(path: Path, config: object) -> int:
    """Print what is wrong with a hall file's public_url (the QR code's address); 1 if it is an error."""
    from kiosk.config import HallConfig
    from kiosk.phone_store import public_url_problem

    if not isinstance(config, HallConfig):
        return 0
    found = public_url_problem(config.hall.public_url)
    if found is None:
        return 0
    level, sentence = found
    print(f"{path}: {level}: hall.public_url: {sentence}", file=sys.stderr)
    return 1 if level == "error" else 0


def run_pin_hash(args: argparse.Namespace) -> int:
    """Ask for a PIN twice (not echoed) and print its hash line for the kiosk file's [staff]."""
    from kiosk.pins import hash_pin

    try:
        stored = hash_pin(ask_pin_twice())
    except ValueError as exc:
        return _fail(str(exc))
    print(f'{args.key} = "{stored}"')
    return 0


def run_serve(args: argparse.Namespace) -> int:
    """Start the hall server (blocks until interrupted)."""
    import asyncio

    from kiosk.backup import hold_data_dir, start_nightly_backups
    from kiosk.config import ConfigError, load_hall_config
    from kiosk.datafile import check_data_dir
    from kiosk.devsecrets import dev_secrets, refusal
    from kiosk.hall import open_engine
    from kiosk.logfile import lifetime, log_to_file
    from kiosk.sdnotify import announce_ready
    from kiosk.server import create_app
    from kiosk.serving import Limits, ServeError, TlsFiles, serve

    config_path = args.config or (PROJECT_CONFIG_DIR / "hall.toml" if args.dev else None)
    if config_path is None:
        return _fail("give the hall file with --config (or use --dev for the sample hall)")
    cert, key = args.tls_cert, args.tls_key
    most, per_address = args.max_connections, args.max_per_address
    if bool(cert) != bool(key):
        return _fail("give both --tls-cert and --tls-key (the files 'kiosk tls init' wrote), or neither")
    try:
        hall = load_hall_config(config_path)
    except ConfigError as exc:
        return _fail(str(exc))
    found = [] if args.dev else dev_secrets(hall)  # --dev: the sample secrets are expected
    if found:
        return _fail(refusal(found, "kiosk serve", config_path))
    data = server_data_dir(args.data, args.hall)
    if (args.hall or args.city) and not args.db:
        return _fail(f"{'--hall' if args.hall else '--city'} needs the city's PostgreSQL database: give --db "
                     "postgresql://… (a SQLite hall is the file of its data folder)")
    try:
        check_data_dir(data)
        engine = open_engine(hall, data, dev=args.dev, sync=args.sync, keys=args.keys, db=args.db, hall=args.hall)
        city = _open_city(engine, args)
    except HallError as exc:  # an emptied, damaged or foreign hall.db: never a fresh start
        return _fail(f"cannot start: {exc.detail}")
    except OSError as exc:  # a folder in place of hall.db or its marker, no permission
        return _fail(f"cannot start: {exc.filename or data} cannot be read ({exc.strerror}); it must be "
                     "a file the server's user may read and write")
    log_to_file(data, "hall-server")
    hold_data_dir(data)  # `kiosk backup restore` refuses while the server runs
    if engine.store.kind == "sqlite":  # PostgreSQL is backed up by its own tools (pg_dump, replicas)
        start_nightly_backups(data, out=args.backup_dir, hour=args.backup_hour, tz=engine.tz)
    tls = TlsFiles(cert, key) if cert else None

    def ready(server) -> None:
        where = f"data in {data}" if engine.store.url is None else f"database {engine.store.url}"
        print(f"hall server: {hall.hall.name.zh} on {server.scheme}://{args.host}:{server.port} "
              f"({where})", flush=True)
        # Under systemd (Type=notify, WatchdogSec): READY=1 now that the port listens, then
        # WATCHDOG=1 pings from this event loop, which stop if the loop hangs (kiosk/sdnotify.py).
        announce_ready(asyncio.get_running_loop(), status=f"serving on port {server.port}")

    # The hall file the console's settings page may write back: never the project's own sample,
    # which --dev alone serves.
    app = create_app(engine, dev=args.dev, hall_file=Path(args.config) if args.config else None)
    if city is not None:
        from kiosk.city_api import install_city

        install_city(app, city)  # /console/city and /api/v1/city/stats, for city accounts
    # Everything built so far lives as long as the server: keep it out of the collector's full
    # scans, which otherwise add pauses to the slowest requests.
    gc.freeze()
    # The guarded server (head and body timeouts, connection caps, TLS): kiosk/serving.py.
    limits = Limits(hard=most, soft=max(1, most // 2), per_address=min(per_address, most))
    with lifetime("kiosk serve", f"{args.host}:{args.port}, data in {data}"):
        try:
            serve(app, args.host, args.port, tls=tls, limits=limits, on_ready=ready)
        except ServeError as exc:  # a busy port, unusable TLS files: a sentence, not a traceback
            logging.getLogger("kiosk.lifetime").error("kiosk serve could not start: %s", exc)
            return _fail(str(exc))
    return 0


def _open_city(engine, args: argparse.Namespace):  # noqa: ANN001, ANN202 - a HallEngine; a kiosk.city.City
    """A hall of a city records what the city view shows of it; ``--city`` opens the city view."""
    from sqlalchemy.exc import DBAPIError

    from kiosk.city import City, record_profile

    try:
        if engine.store.hall is not None:
            record_profile(engine.store, engine.config)
        if not args.city:
            return None
        return City(args.db, engine.config, data_dir=engine.store.data_dir)
    except DBAPIError as exc:  # PostgreSQL gone since the hall opened
        raise HallError("data_unavailable", f"the city's database stopped answering: {str(exc.orig).strip()}; "
                        "check that PostgreSQL runs") from None


def run_appointments_import(args: argparse.Namespace) -> int:
    """Import appointments into the hall database."""
    from kiosk.config import ConfigError
    from kiosk.hall import open_engine

    try:
        engine = open_engine(args.config, args.data or default_data_dir("server"), keys=args.keys, db=args.db)
        print(f"imported {engine.import_appointments(args.file)} appointments")
        return 0
    except (ConfigError, HallError, OSError) as exc:
        return _fail(str(exc))
