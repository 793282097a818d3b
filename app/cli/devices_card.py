"""``kiosk devices read-card``: the technician's check that the ID card reader works.

Exit codes: 0 a card was read, 2 no card came within the timeout, 1 a device or protocol error
(with a one-line reason on stderr). Name, ID number and address are masked unless ``--reveal``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the handler imports the reader (pyserial): the parser alone loads no driver
    from drivers.idcard import IdCard

_LABELS = {
    "card_type": "card type", "name": "name", "sex": "sex", "nation": "nation",
    "birth_date": "birth date", "address": "address", "id_number": "ID number",
    "authority": "authority", "valid_from": "valid from", "valid_to": "valid to", "age": "age",
    "id_valid": "ID checksum ok", "expired": "expired",
}


def register(group: argparse._SubParsersAction) -> None:
    """Add ``read-card`` to the ``kiosk devices`` group."""
    parser = group.add_parser(
        "read-card", help="wait for an ID card and print its fields",
        description="Wait for an ID card on the reader and print its fields. Name, ID number "
                    "and address are masked unless --reveal.",
        epilog="exit codes: 0 a card was read, 2 no card within the timeout, "
               "1 a device or protocol error")
    parser.add_argument("--port", required=True, metavar="URI",
                        help="reader URI: serial:///dev/ttyUSB1?baudrate=115200, /dev/ttyUSB1, "
                             "socket://host:port, sim:resident …")
    parser.add_argument("--timeout", type=_positive, default=10.0, metavar="S",
                        help="seconds to wait for a card (default 10)")
    parser.add_argument("--json", action="store_true", help="print the fields as one JSON object")
    parser.add_argument("--reveal", action="store_true",
                        help="show the full name, ID number and address (do not paste them anywhere)")
    parser.set_defaults(handler=read_card)


def read_card(args: argparse.Namespace) -> int:
    """Handler of ``read-card``: read one card and print it."""
    from drivers.idcard import CardReader, CardReaderError

    try:
        with CardReader(args.port) as reader:
            card = reader.read_once(args.timeout)
    except CardReaderError as exc:
        print(f"read-card: {exc}", file=sys.stderr)
        return 1
    if card is None:
        print(f"read-card: no card within {args.timeout:g} s", file=sys.stderr)
        return 2
    print(format_card(card, json_output=args.json, reveal=args.reveal))
    return 0


def format_card(card: IdCard, json_output: bool = False, reveal: bool = False) -> str:
    """The card as aligned ``label  value`` lines, or as JSON."""
    fields = card.to_dict(reveal=reveal)
    if json_output:
        return json.dumps(fields, ensure_ascii=False)
    return "\n".join(f"{_LABELS[key]:<15} {_text(value)}" for key, value in fields.items())


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value) if value != "" else "-"


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("the timeout must be more than 0 seconds")
    return value
