"""``kiosk setup-role ROLE``: make an installed machine a hall server or one screen role.

Writes the role's configuration into ``/etc/hall-kiosk`` (the hall file and ``server.env`` for
the server; ``ROLE.toml`` and ``ROLE.env`` for a screen), makes its data folder under
``/var/lib/hall-kiosk``, for a new server the first admin token (printed once), and enables the
role's systemd unit (packaging/systemd/). ``--root DIR`` does all of it under DIR instead of
``/`` and only writes files (tests, image builds). Files already there are kept, except the
keys this command sets (the screen's [link], the server's listen address), so running it again
with a new token or URL updates just those.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

from app.cli.common import PROJECT_CONFIG_DIR
from app.cli.common import fail as _fail

SCREENS = ("kiosk", "board", "window", "counter", "rate")
WINDOW_ROLES = ("window", "counter", "rate")
ROLES = ("server", *SCREENS)
ETC = Path("etc/hall-kiosk")
DATA = Path("var/lib/hall-kiosk")
TOKEN_ROLE = {"kiosk": "kiosk", "board": "display", "window": "display", "counter": "counter", "rate": "rater"}
"""The device-token role (``kiosk tokens add --role …``) each screen role uses."""


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``setup-role``."""
    p = sub.add_parser("setup-role", help="make this machine the hall server or one screen (installed package)")
    p.add_argument("role", choices=ROLES, help="server, or the screen: kiosk, board, window, counter, rate")
    p.add_argument("--server", metavar="URL", help="a screen's hall server, e.g. https://hall.example:8600")
    p.add_argument("--token", help="a screen's device token (made on the server with 'kiosk tokens add')")
    p.add_argument("--window", type=int, help="window, counter, rate: the window's number")
    p.add_argument("--kiosk-id", help="kiosk: its id in the hall (the [kiosk] id its token is bound to)")
    p.add_argument("--ca", type=Path, metavar="FILE", help="a screen: the hall CA (ca.crt of 'kiosk tls init') "
                                                           "for an https:// server")
    p.add_argument("--host", default="0.0.0.0", help="server: the address to listen on (default all)")
    p.add_argument("--port", type=int, default=8600, help="server: the port (default 8600)")
    p.add_argument("--root", type=Path, default=Path("/"),
                   help="write under this folder instead of / and enable nothing (image builds, tests)")
    p.add_argument("--no-enable", action="store_true", help="write the files but do not enable the unit")
    p.set_defaults(handler=run_setup_role)


def unit_name(role: str) -> str:
    """The systemd unit of a role."""
    return "hall-server.service" if role == "server" else f"hall-screen-{role}.service"


def run_setup_role(args: argparse.Namespace) -> int:
    """Write the role's files, then enable its unit (not under --root)."""
    problem = _argument_problem(args)
    if problem:
        return _fail(problem)
    root = args.root.resolve()
    installed = root == Path("/")
    try:
        if args.role == "server":
            written = _setup_server(args, root)
        else:
            written = _setup_screen(args, root)
    except (OSError, ValueError) as exc:
        return _fail(f"setup-role {args.role} stopped: {exc}")
    for line in written:
        print(line)
    if installed and not args.no_enable:
        return _enable(unit_name(args.role))
    print(f"not enabled (--root or --no-enable): systemctl enable --now {unit_name(args.role)}")
    return 0


def _argument_problem(args: argparse.Namespace) -> str | None:
    if args.role == "server":
        return None
    if not args.server or not args.token:
        how = f"kiosk tokens add --role {TOKEN_ROLE[args.role]}"
        how += " --window N" if args.role in WINDOW_ROLES else (" --device K01" if args.role == "kiosk" else " --device board")
        return (f"a {args.role} screen needs the hall server's URL (--server https://…:8600) and its device "
                f"token (--token); make the token on the server with '{how}'")
    if not args.server.startswith(("http://", "https://")):
        return f"--server must be an http:// or https:// URL, not {args.server!r}"
    if args.role in WINDOW_ROLES and (args.window is None or args.window < 1):
        return f"a {args.role} screen shows one window: give its number with --window N"
    if args.ca is not None and not args.ca.is_file():
        return f"--ca {args.ca}: no such file; give the ca.crt that 'kiosk tls init' wrote"
    return None


def _setup_server(args: argparse.Namespace, root: Path) -> list[str]:
    etc, data = root / ETC, root / DATA
    lines = []
    hall_file = etc / "hall.toml"
    if hall_file.exists():
        lines.append(f"kept {hall_file}")
    else:
        _write(hall_file, _sample_hall(), mode=0o640)
        lines.append(f"wrote {hall_file} (the sample hall: set its name, services and windows)")
    _write(etc / "server.env", _env({"HALL_SERVE_ARGS": f"--host {args.host} --port {args.port}"}), mode=0o640)
    lines.append(f"wrote {etc / 'server.env'}")
    server_data = data / "server"
    for folder, mode in ((data, 0o750), (server_data, 0o750), (data / "keys", 0o700)):
        _folder(folder, mode)
    lines.append(f"data in {server_data}, ID keys in {data / 'keys'}")
    token = _first_admin_token(server_data)
    _hand_to_hall(root, [server_data, data / "keys"], [hall_file, etc / "server.env"])
    if token:
        lines.append(f"first admin token (shown this once; sign in to the console with it): {token}")
    else:
        lines.append("an admin token exists already: make another with 'kiosk tokens add --role admin'")
    return lines


def _sample_hall() -> str:
    """The sample hall file; its development secrets (if a later sample has any) replaced."""
    import tomlkit

    doc = tomlkit.parse((PROJECT_CONFIG_DIR / "hall.toml").read_text("utf-8"))
    _replace_sample_secrets(doc)
    return tomlkit.dumps(doc)


def _replace_sample_secrets(table) -> None:  # noqa: ANN001 - a tomlkit container
    from kiosk.devsecrets import SAMPLE_VALUES

    for key, value in list(table.items()):
        if hasattr(value, "items"):
            _replace_sample_secrets(value)
        elif isinstance(value, str) and any(w in key for w in ("key", "secret", "password")) and (
                value.startswith("dev-") or value.lower() in SAMPLE_VALUES):
            table[key] = secrets.token_hex(32)


def _first_admin_token(server_data: Path) -> str | None:
    """A new admin token when the hall has none yet (shown once, only its hash kept)."""
    from kiosk.store import Store
    from kiosk.tokens import add_token, list_tokens

    store = Store(server_data / "hall.db")
    try:
        if any(t.role == "admin" and t.revoked_at is None for t in list_tokens(store)):
            return None
        token = secrets.token_urlsafe(24)
        add_token(store, token, "admin", "setup", time.time(), actor="kiosk setup-role")
        return token
    finally:
        store.close()


def _setup_screen(args: argparse.Namespace, root: Path) -> list[str]:
    etc, data = root / ETC, root / DATA
    role_file = etc / f"{args.role}.toml"
    lines = []
    link = {"mode": "server", "url": args.server.rstrip("/"), "token": args.token}
    if args.ca is not None:
        _write(etc / "hall-ca.crt", args.ca.read_text("utf-8"), mode=0o644)
        link["ca_file"] = "hall-ca.crt"
        lines.append(f"wrote {etc / 'hall-ca.crt'}")
    text = _screen_file(role_file, args, link)
    _check_kiosk_file(text, role_file)
    _write(role_file, text, mode=0o640)
    lines.append(f"wrote {role_file}")
    env = {"HALL_SERVER": link["url"], "HALL_TOKEN": args.token}
    if args.role in WINDOW_ROLES:
        env["HALL_WINDOW"] = str(args.window)
    _write(etc / f"{args.role}.env", _env(env), mode=0o640)
    lines.append(f"wrote {etc / (args.role + '.env')}")
    role_data = data / args.role
    _folder(data, 0o750)
    _folder(role_data, 0o750)
    _hand_to_hall(root, [role_data], [role_file, etc / f"{args.role}.env"])
    lines.append(f"data in {role_data}")
    lines.extend(_left_to_do(text, role_file, refused=args.role == "kiosk"))
    return lines


def _screen_file(role_file: Path, args: argparse.Namespace, link: dict) -> str:
    """The role's kiosk-format file: the existing one or the sample, with [link] (and the kiosk's
    id and data folder) set, comments kept."""
    import tomlkit

    source = role_file if role_file.exists() else PROJECT_CONFIG_DIR / "kiosk.toml"
    doc = tomlkit.parse(source.read_text("utf-8"))
    for key, value in link.items():
        doc["link"][key] = value
    if not role_file.exists():
        doc["kiosk"]["hall_config"] = "hall.toml"  # read only when present; a screen asks the server
    doc["kiosk"]["data_dir"] = f"/{DATA}/{args.role}"
    if args.kiosk_id:
        doc["kiosk"]["id"] = args.kiosk_id
    return tomlkit.dumps(doc)


def _check_kiosk_file(text: str, path: Path) -> None:
    """Refuse to write a file the programs would refuse to read (ValueError: every problem)."""
    from kiosk.config import ConfigError, load_kiosk_config

    trial = path.with_name(path.name + ".new")
    _write(trial, text, mode=0o600)
    try:
        load_kiosk_config(trial)
    except ConfigError as exc:
        raise ValueError(str(exc)) from None
    finally:
        trial.unlink()


def _left_to_do(text: str, path: Path, *, refused: bool) -> list[str]:
    """The file's development secrets: what it still needs before ``kiosk run`` starts on it
    (``refused``), a warning for the other screens."""
    import tomllib

    from kiosk.config import KioskConfig
    from kiosk.devsecrets import dev_secrets

    found = dev_secrets(KioskConfig.model_validate(tomllib.loads(text)))
    lead = "before it starts" if refused else "warning"
    return [f"{lead}, in {path}: {secret}" for secret in found]


def _env(values: dict[str, str]) -> str:
    """An environment file systemd and sh both read (values quoted)."""
    lines = ["# written by kiosk setup-role; read by the role's systemd unit"]
    lines += [f"{key}={shlex.quote(value)}" for key, value in values.items()]
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str, *, mode: int) -> None:
    """Write ``text`` atomically (a crash leaves the old file or the new one, never half)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    part.write_text(text, "utf-8")
    os.chmod(part, mode)
    os.replace(part, path)


def _folder(path: Path, mode: int) -> None:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, mode)


def _hand_to_hall(root: Path, folders: list[Path], files: list[Path]) -> None:
    """On the real system: the data folders to the hall user, the configuration files to root
    with the hall group (they hold tokens). Under --root nothing is chowned."""
    if root != Path("/") or os.geteuid() != 0:
        return
    import grp
    import pwd

    try:
        user = pwd.getpwnam("hall")
        group = grp.getgrnam("hall").gr_gid
    except KeyError:
        raise ValueError("there is no 'hall' user: install the hall-kiosk package first") from None
    for folder in folders:
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, user.pw_uid, group)
    for file in files:
        os.chown(file, 0, group)


def _enable(unit: str) -> int:
    if shutil.which("systemctl") is None:
        return _fail(f"systemctl not found: enable {unit} with your init system")
    result = subprocess.run(["systemctl", "enable", "--now", unit], capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stderr.strip(), file=sys.stderr)
        return _fail(f"could not enable {unit}; see 'systemctl status {unit}'")
    print(f"enabled and started {unit}")
    return 0
