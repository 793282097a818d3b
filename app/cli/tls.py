"""``kiosk tls init``: the hall's CA and the hall server's certificate, for HTTPS on the LAN."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``tls`` subcommands."""
    tls = sub.add_parser("tls", help="certificates for HTTPS between the hall server and its devices")
    tls_sub = tls.add_subparsers(dest="tls_command", required=True)
    init = tls_sub.add_parser(
        "init", help="make the hall CA (or reuse the one in --out) and a server certificate signed by it",
        description="Writes ca.crt (give it to every kiosk, screen and counter: [link] ca_file), ca.key "
                    "(keep it on the server, and a copy offline), server.crt and server.key (for "
                    "kiosk serve --tls-cert --tls-key). Keys are written readable by their owner only.")
    init.add_argument("--out", type=Path, required=True, help="folder for the four files")
    init.add_argument("--host", action="append", default=[], metavar="NAME",
                      help="a name the devices use for the server, e.g. hall-server (repeatable)")
    init.add_argument("--ip", action="append", default=[], metavar="A.B.C.D",
                      help="an address the devices use for the server, e.g. 192.168.1.10 (repeatable)")
    init.add_argument("--days", type=int, default=None, help="how long the server certificate is valid (default 5 years)")
    init.add_argument("--force", action="store_true", help="replace an existing server certificate (the CA is kept)")
    init.set_defaults(handler=run_tls_init)


def run_tls_init(args: argparse.Namespace) -> int:
    """Write the hall's certificate files and say where each goes."""
    from kiosk.tls import SERVER_DAYS, TlsError, describe, write_hall_tls

    try:
        files = write_hall_tls(args.out, args.host, args.ip, days=args.days or SERVER_DAYS, force=args.force)
    except TlsError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 1
    ca_note = "kept (the devices' ca.crt stays valid)" if files.ca_reused else "made"
    print(f"hall CA {ca_note}: {files.ca_cert} (key {files.ca_key}, keep it secret and a copy offline)")
    print(f"server certificate: {files.server_cert} for {describe(files.server_cert)}")
    print(f"server key: {files.server_key}")
    print(f"start the server:  kiosk serve --tls-cert {files.server_cert} --tls-key {files.server_key} ...")
    print(f"on each kiosk, screen and counter: copy {files.ca_cert.name} beside kiosk.toml and set in [link]:")
    print('  url = "https://<one of the names above>:8600"')
    print(f'  ca_file = "{files.ca_cert.name}"')
    return 0
