"""Sealing an ID number to the hall server's public key (DESIGN.md §4 Identity and privacy).

A kiosk never holds the key that hashes ID numbers: it seals the number to the server's X25519
public key and only the server, holding the private key outside its data folder, can open it.
The sealed form is an ephemeral X25519 key agreement, HKDF-SHA256 and AES-256-GCM (the pattern
of an ECIES "sealed box"): ``base64(version | ephemeral public key | nonce | ciphertext+tag)``.
Each seal uses a fresh ephemeral key and nonce, so two seals of one number differ and a sealed
form says nothing about the number to anyone without the private key.

``cryptography`` is imported on first use: a kiosk's start does not pay for it.
"""

from __future__ import annotations

import base64
import binascii
import os

VERSION = b"\x01"
_INFO = b"hall-kiosk sealed id v1"
_KEY_LEN = 32
_NONCE_LEN = 12
_TAG_LEN = 16
MAX_SEALED_CHARS = 200
"""A sealed ID number is about 110 base64 characters; longer input is refused unread."""


class SealError(ValueError):
    """A sealed value that cannot be opened or a public key that cannot be used."""


def _derive(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    # Both public keys go into the derivation so a sealed value is bound to its recipient.
    return HKDF(algorithm=hashes.SHA256(), length=_KEY_LEN, salt=ephemeral + recipient,
                info=_INFO).derive(shared)


def public_key_bytes(text: str) -> bytes:
    """The 32 raw bytes of a base64 X25519 public key; SealError when it is not one."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise SealError("the hall's ID sealing key is not base64") from None
    if len(raw) != _KEY_LEN:
        raise SealError("the hall's ID sealing key is not a 32-byte X25519 public key")
    return raw


def seal(text: str, public_key: str) -> str:
    """``text`` sealed to ``public_key`` (base64 X25519), as base64."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    recipient = public_key_bytes(public_key)
    ephemeral = X25519PrivateKey.generate()
    ephemeral_pub = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient))
    nonce = os.urandom(_NONCE_LEN)
    body = AESGCM(_derive(shared, ephemeral_pub, recipient)).encrypt(nonce, text.encode("utf-8"), VERSION)
    return base64.b64encode(VERSION + ephemeral_pub + nonce + body).decode("ascii")


def unseal(sealed: str, private_key: bytes) -> str:
    """The text inside ``sealed``, opened with the raw X25519 ``private_key``.

    SealError (a plain sentence) when the value is not a sealed ID of this version or was sealed
    to another key (a kiosk holding an old hall's key, a damaged outbox entry).
    """
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not isinstance(sealed, str) or len(sealed) > MAX_SEALED_CHARS:
        raise SealError("the sealed ID number is too long to be one")
    try:
        raw = base64.b64decode(sealed, validate=True)
    except (binascii.Error, ValueError):
        raise SealError("the sealed ID number is not base64") from None
    head = 1 + _KEY_LEN + _NONCE_LEN
    if len(raw) < head + _TAG_LEN or raw[:1] != VERSION:
        raise SealError("the sealed ID number is not in the hall's sealed format (version 1)")
    ephemeral_pub, nonce, body = raw[1:1 + _KEY_LEN], raw[1 + _KEY_LEN:head], raw[head:]
    own = X25519PrivateKey.from_private_bytes(private_key)
    recipient = own.public_key().public_bytes_raw()
    try:
        shared = own.exchange(X25519PublicKey.from_public_bytes(ephemeral_pub))
        text = AESGCM(_derive(shared, ephemeral_pub, recipient)).decrypt(nonce, body, VERSION)
    except (InvalidTag, ValueError):
        raise SealError("the sealed ID number was not sealed to this hall's key (the kiosk may "
                        "hold an old key: let it fetch the catalog again)") from None
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError:
        raise SealError("the sealed ID number does not hold text") from None


def new_private_key() -> bytes:
    """32 raw bytes of a fresh X25519 private key."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    return X25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def public_key_of(private_key: bytes) -> str:
    """The base64 public key that seals to ``private_key``."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    raw = X25519PrivateKey.from_private_bytes(private_key).public_key().public_bytes_raw()
    return base64.b64encode(raw).decode("ascii")
