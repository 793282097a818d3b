"""The hall's own certificate authority and the hall server's certificate (``kiosk tls init``).

A hall LAN has no public name, so no public CA can vouch for the hall server. The hall makes its
own: a CA (``ca.crt``, ``ca.key``) whose certificate every kiosk, screen and counter trusts
(``[link] ca_file``), and a server certificate (``server.crt``, ``server.key``) signed by it for
the server's names and addresses (subject alternative names), given to ``kiosk serve
--tls-cert --tls-key``. Keys are written readable by their owner only (0600); the CA key never
leaves the hall server's machine (keep a copy offline to sign a new server certificate later).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_DAYS = 20 * 365
SERVER_DAYS = 5 * 365
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")


class TlsError(Exception):
    """Bad input or files for the hall's certificates; the message says what to do."""


@dataclass(frozen=True)
class HallTlsFiles:
    """Where ``write_hall_tls`` put the four files."""

    ca_cert: Path
    ca_key: Path
    server_cert: Path
    server_key: Path
    ca_reused: bool = False

    @classmethod
    def in_folder(cls, folder: Path, ca_reused: bool = False) -> HallTlsFiles:
        """The four files' places in ``folder``."""
        folder = Path(folder)
        return cls(folder / "ca.crt", folder / "ca.key", folder / "server.crt", folder / "server.key", ca_reused)


def check_names(hosts: list[str], ips: list[str]) -> tuple[list[str], list[ipaddress.IPv4Address | ipaddress.IPv6Address]]:
    """The server's names and addresses, checked: at least one, each well formed."""
    if not hosts and not ips:
        raise TlsError("give the server's name (--host) or address (--ip), as the kiosks' link.url names it")
    bad = [h for h in hosts if not _HOSTNAME.match(h)]
    if bad:
        raise TlsError(f"--host {bad[0]!r} is not a host name: letters, digits, '-' and '.' only, "
                       f"e.g. hall-server or hall.local")
    addresses = []
    for ip in ips:
        try:
            addresses.append(ipaddress.ip_address(ip))
        except ValueError:
            raise TlsError(f"--ip {ip!r} is not an IP address; write it like 192.168.1.10") from None
    return list(hosts), addresses


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def make_ca(name: str = "Hall kiosk CA", days: int = CA_DAYS) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A new CA key and its self-signed certificate."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = _now()
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert


def make_server_cert(ca_key, ca_cert: x509.Certificate, hosts: list[str], ips: list[str],
                     days: int = SERVER_DAYS) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A new server key and its certificate for ``hosts`` and ``ips``, signed by the CA."""
    hosts, addresses = check_names(hosts, ips)
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName(h) for h in hosts] + [x509.IPAddress(a) for a in addresses]
    common = hosts[0] if hosts else str(addresses[0])
    now = _now()
    # A leaf certificate may not outlive its CA.
    not_after = min(now + dt.timedelta(days=days), ca_cert.not_valid_after_utc)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)]))
            .issuer_name(ca_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return key, cert


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _write(path: Path, data: bytes, mode: int) -> None:
    """Write ``path`` created with ``mode`` (never wider for a moment), through a temporary file
    so a reader never sees half a key."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.fchmod(fd, mode)  # the umask may have narrowed it; a key must not be wider than 0600
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def load_ca(files: HallTlsFiles):
    """The CA key and certificate already in the folder."""
    try:
        cert = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
        key = serialization.load_pem_private_key(files.ca_key.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise TlsError(f"the hall CA in {files.ca_cert.parent} cannot be read ({exc}); restore ca.crt and "
                       f"ca.key, or use another --out folder for a new CA (then every kiosk needs the "
                       f"new ca.crt)") from exc
    if cert.public_key().public_numbers() != key.public_key().public_numbers():
        raise TlsError(f"{files.ca_key} is not the key of {files.ca_cert}; restore the pair that belongs together")
    return key, cert


def write_hall_tls(out: Path, hosts: list[str], ips: list[str], *, days: int = SERVER_DAYS,
                   force: bool = False) -> HallTlsFiles:
    """Make (or reuse) the hall CA in ``out`` and a server certificate signed by it.

    A CA already in ``out`` is reused, so kiosks keep trusting the new server certificate. An
    existing server certificate is replaced only with ``force``.
    """
    check_names(hosts, ips)
    if days < 1:
        raise TlsError("--days must be at least 1")
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TlsError(f"cannot make the folder {out}: {exc.strerror}") from exc
    files = HallTlsFiles.in_folder(out)
    if (files.server_cert.exists() or files.server_key.exists()) and not force:
        raise TlsError(f"{files.server_cert} already exists; give --force to replace the server "
                       f"certificate (the CA in {out} is kept)")
    have_ca = files.ca_cert.exists() or files.ca_key.exists()
    try:
        if have_ca:
            ca_key, ca_cert = load_ca(files)
        else:
            ca_key, ca_cert = make_ca()
            _write(files.ca_key, _key_pem(ca_key), 0o600)
            _write(files.ca_cert, _cert_pem(ca_cert), 0o644)
        key, cert = make_server_cert(ca_key, ca_cert, hosts, ips, days)
        _write(files.server_key, _key_pem(key), 0o600)
        _write(files.server_cert, _cert_pem(cert), 0o644)
    except OSError as exc:
        raise TlsError(f"cannot write in {out}: {exc.strerror}") from exc
    return HallTlsFiles.in_folder(out, ca_reused=have_ca)


def describe(cert_path: Path) -> str:
    """One line about a certificate: its names, its end and its SHA-256 fingerprint."""
    cert = x509.load_pem_x509_certificate(Path(cert_path).read_bytes())
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        shown = [str(n.value) for n in names]
    except x509.ExtensionNotFound:
        shown = [cert.subject.rfc4514_string()]
    fingerprint = cert.fingerprint(hashes.SHA256()).hex(":").upper()
    return f"{', '.join(shown)}; valid until {cert.not_valid_after_utc:%Y-%m-%d}; SHA-256 {fingerprint}"
