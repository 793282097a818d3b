"""The hall's ID secrets, kept in a key folder apart from the data (DESIGN.md §4).

Two secrets, in one file ``id.keys`` of mode 0600 in a folder of mode 0700 (one file, so it is
made at once: two servers starting together on a new hall find both keys or none), each a line
``name base64``:

``hash``  32 random bytes: the HMAC-SHA256 key of the ID hashes the real-name rule and the
          appointment check-in compare.
``seal``  32 raw bytes of an X25519 private key: kiosks seal ID numbers to its public key
          (``kiosk.sealing``), which the catalog carries as ``id_seal_key``.

Only the hall engine (the server, or a standalone kiosk's in-process hall) reads them. The folder
must not lie inside the hall's data folder: with the hash key beside ``hall.db``, the masked
number and the age band in it narrow a number down to a search any laptop finishes.
``hall.db`` keeps a fingerprint of the hash key, so a hall started with another key folder (whose
hashes would match nothing stored) stops with a sentence instead of silently losing every
duplicate check.

Staff cards in a kiosk file are scrypt entries of the card's number (``staff_card_entry``), not
hashes under the hall's key: a kiosk holds no key of the hall.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kiosk.privacy import age_on, birth_date_from_id, id_checksum_ok, id_hash, mask_id, normalise_id
from kiosk.sealing import SealError, new_private_key, public_key_of, unseal

KEY_FILE = "id.keys"
_KEY_LEN = 32
AGE_BAND = 10
"""Ages are stored as the first year of a ten-year band (40 = 40–49): the exact age, with the
mask, would leave a few thousand candidate numbers per ticket."""


class IdKeysError(Exception):
    """The key folder cannot be used; the message says what is wrong and what to do."""


def default_keys_dir() -> Path:
    """Where the hall keeps its ID keys unless told otherwise: the user's config folder."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("hall-kiosk")) / "keys"


@dataclass(frozen=True)
class Identity:
    """What the hall stores of a card holder: keyed hash, mask and age band, never the number."""

    id_hash: str
    id_mask: str
    age_band: int | None


@dataclass(frozen=True)
class IdKeys:
    """The hall's hash key and sealing key, in memory."""

    hash_key: bytes = field(repr=False)
    seal_private: bytes = field(repr=False)

    @classmethod
    def generate(cls) -> IdKeys:
        """New random keys (kept only in memory unless ``save``d)."""
        return cls(os.urandom(_KEY_LEN), new_private_key())

    @property
    def public_key(self) -> str:
        """The base64 X25519 public key kiosks seal ID numbers to."""
        return public_key_of(self.seal_private)

    @property
    def fingerprint(self) -> str:
        """A short tag of the hash key, stored in hall.db to notice a swapped key folder; it
        reveals nothing of the key (an HMAC of a fixed text under it)."""
        return hmac.new(self.hash_key, b"hall-kiosk id key fingerprint", hashlib.sha256).hexdigest()[:16]

    def number(self, sealed: str) -> str:
        """The ID number inside ``sealed``, checked; SealError (a plain sentence) when it is not
        a sealed ID number of this hall or holds no valid one."""
        value = normalise_id(unseal(sealed, self.seal_private))
        if not 8 <= len(value) <= 18 or not value.isascii() or not value.isalnum():
            raise SealError("the sealed value is not an ID number (8 to 18 letters and digits)")
        if len(value) == 18 and value[:17].isdigit() and not id_checksum_ok(value):
            raise SealError("the ID number read from the card fails its check digit; "
                            "ask the citizen to place the card again or go to the help desk")
        return value

    def hash_of(self, sealed: str) -> str:
        """The keyed hash of the number inside ``sealed`` (the number is not kept)."""
        return id_hash(self.number(sealed), self.hash_key)

    def age(self, sealed: str, today: date) -> int | None:
        """The card holder's age in whole years on ``today`` (None when the number has no birth
        date), for rules such as the senior priority; used, never stored."""
        born = birth_date_from_id(self.number(sealed))
        return age_on(born, today) if born else None

    def identity(self, sealed: str, today: date) -> Identity:
        """Hash, mask and age band of the number inside ``sealed``, computed here: the kiosk's
        own mask and age are not trusted."""
        value = self.number(sealed)
        born = birth_date_from_id(value)
        age = age_on(born, today) if born else None
        band = age // AGE_BAND * AGE_BAND if age is not None and age >= 0 else None
        return Identity(id_hash(value, self.hash_key), mask_id(value), band)

    def save(self, folder: Path) -> bool:
        """Write the keys into ``folder`` (made 0700) as one 0600 file, complete before it
        appears (written aside, fsync'd, then linked into place). False when the file exists
        already (another process made it first): the caller loads that one."""
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(folder, 0o700)
        text = "".join(f"{name} {base64.b64encode(data).decode()}\n"
                       for name, data in (("hash", self.hash_key), ("seal", self.seal_private)))
        aside = folder / f".{KEY_FILE}.{os.getpid()}.{os.urandom(4).hex()}"
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.link(aside, folder / KEY_FILE)  # never replaces an existing key file
        except FileExistsError:
            return False
        finally:
            aside.unlink(missing_ok=True)
        return True

    @classmethod
    def load(cls, folder: Path) -> IdKeys:
        """The keys in ``folder``; IdKeysError naming the file when it is damaged."""
        path = folder / KEY_FILE
        try:
            lines = path.read_text(encoding="ascii").split()
        except OSError as exc:
            raise IdKeysError(f"cannot read the ID key file {path}: {exc.strerror or exc}") from None
        except ValueError:
            lines = []
        found = dict(zip(lines[::2], lines[1::2], strict=False))
        try:
            hash_key, seal = (base64.b64decode(found[name], validate=True) for name in ("hash", "seal"))
        except (KeyError, ValueError):
            hash_key = seal = b""
        if len(hash_key) != _KEY_LEN or len(seal) != _KEY_LEN:
            raise IdKeysError(f"the ID key file {path} is damaged; restore the key folder from "
                              "its backup")
        return cls(hash_key, seal)


def _inside(inner: Path, outer: Path) -> bool:
    try:
        inner.resolve().relative_to(outer.resolve())
    except ValueError:
        return False
    return True


def open_keys(folder: Path, data_dir: Path, *, fingerprint: str | None, holds_ids: bool) -> IdKeys:
    """The hall's keys from ``folder``, made there when the hall is new.

    ``fingerprint`` is what hall.db recorded of its key (None: nothing yet); ``holds_ids`` says
    whether hall.db already holds ID hashes. A missing folder for such a hall, or a folder holding
    another key than the one recorded, is an IdKeysError: a new key would match none of the
    stored hashes and silently let every citizen take a second ticket.
    """
    folder = Path(folder)
    if _inside(folder, Path(data_dir)):
        raise IdKeysError(f"the ID key folder {folder} lies inside the data folder {data_dir}: "
                          "keep it apart (--keys DIR elsewhere), so a copy of the data holds no key")
    if not (folder / KEY_FILE).exists():
        if fingerprint or holds_ids:
            raise IdKeysError(
                f"the ID key folder {folder} is missing, but the hall database already holds ID "
                "hashes made with its key: restore the folder from its backup, or give its place "
                "with --keys DIR (a new key would let every citizen queue twice)")
        keys = IdKeys.generate()
        try:
            if keys.save(folder):
                return keys
        except OSError as exc:
            raise IdKeysError(f"cannot create the ID key folder {folder}: {exc.strerror or exc}") from None
    keys = IdKeys.load(folder)
    if fingerprint and not hmac.compare_digest(fingerprint, keys.fingerprint):
        raise IdKeysError(f"the ID key folder {folder} holds another key than the one this hall "
                          "database was made with: give the right folder with --keys DIR")
    return keys


# ----- staff cards ----------------------------------------------------------------------------

_STAFF_N, _STAFF_R, _STAFF_P = 2**14, 8, 1


def _staff_derive(number: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(normalise_id(number).encode("ascii", "replace"), salt=salt, n=n, r=r, p=p,
                          dklen=32, maxmem=128 * r * (n + p + 2) + 1024 * 1024)


def staff_card_entry(id_number: str) -> str:
    """A ``[staff] staff_cards`` entry for the card with ``id_number``: a salted scrypt hash in
    the PINs' format (``scrypt$n$r$p$salt$hash``), slow to guess and unlike any hall hash."""
    salt = os.urandom(16)
    digest = _staff_derive(id_number, salt, _STAFF_N, _STAFF_R, _STAFF_P)
    b64 = base64.b64encode
    return f"scrypt${_STAFF_N}${_STAFF_R}${_STAFF_P}${b64(salt).decode()}${b64(digest).decode()}"


def is_staff_card(entries: list[str], id_number: str) -> bool:
    """Whether ``id_number`` is one of the staff cards ``entries`` (malformed entries match
    nothing; the config check refuses them)."""
    from kiosk.pins import PinHashError, parse_pin_hash

    for entry in entries:
        try:
            n, r, p, salt, digest = parse_pin_hash(entry)
        except PinHashError:
            continue
        if hmac.compare_digest(_staff_derive(id_number, salt, n, r, p), digest):
            return True
    return False
