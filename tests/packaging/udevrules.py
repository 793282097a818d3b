"""A small interpreter of the udev rule syntax our rules use, run over recorded device
properties (the ``E:`` lines of ``udevadm info``), for hosts where ``udevadm test`` cannot run
(a container: no udevd, no real USB devices in /sys).

Supported: ``KEY=="pattern"`` / ``!=`` on SUBSYSTEM, ACTION, KERNEL, DEVTYPE and ENV{NAME}
(patterns: ``*``, ``?``, ``[…]``, alternatives with ``|``); assignments ENV{NAME}=, GROUP=, MODE=,
OWNER=, SYMLINK+= (with ``$env{NAME}`` / ``%E{NAME}``); GOTO and LABEL. Anything else is an
error, so a rule this matcher does not understand fails the test instead of passing silently.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path

TOKEN = re.compile(r'\s*([A-Z_]+(?:\{[^}]*\})?)\s*(==|!=|\+=|:=|=)\s*"([^"]*)"\s*(?:,|$)')
MATCH_KEYS = {"SUBSYSTEM", "ACTION", "KERNEL", "DEVTYPE"}
ASSIGN_KEYS = {"GROUP", "MODE", "OWNER", "SYMLINK", "GOTO", "LABEL"}


@dataclass
class Device:
    """One device: its properties and what the rules gave it."""

    env: dict[str, str]
    name: str = ""
    group: str = "root"
    mode: str = "0600"
    owner: str = "root"
    symlinks: list[str] = field(default_factory=list)


def read_info(path: Path) -> Device:
    """A device from a ``udevadm info`` dump (its ``E:`` and ``N:`` lines)."""
    env, name = {}, ""
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("E: "):
            key, _, value = line[3:].partition("=")
            env[key] = value
        elif line.startswith("N: "):
            name = line[3:]
    return Device(env=env, name=name)


def parse_rule(line: str) -> list[tuple[str, str, str]]:
    """The (key, operator, value) parts of one rule line."""
    parts, pos = [], 0
    while pos < len(line):
        m = TOKEN.match(line, pos)
        if not m:
            raise ValueError(f"cannot read udev rule at {line[pos:]!r}")
        parts.append(m.groups())
        pos = m.end()
    return parts


def _matches(pattern: str, value: str) -> bool:
    return any(fnmatch.fnmatchcase(value, alt) for alt in pattern.split("|"))


def _value(dev: Device, key: str) -> str:
    if key.startswith("ENV{"):
        return dev.env.get(key[4:-1], "")
    if key == "KERNEL":
        return dev.env.get("DEVNAME", "").rsplit("/", 1)[-1]
    if key in MATCH_KEYS:
        return dev.env.get(key, "")
    raise ValueError(f"unsupported match key {key}")


def _substitute(dev: Device, text: str) -> str:
    return re.sub(r"(?:\$env|%E)\{([^}]*)\}", lambda m: dev.env.get(m.group(1), ""), text)


def apply(rules: list[Path], dev: Device) -> Device:
    """Run the rule files in udev's order (by file name) over ``dev``; returns it."""
    lines = []
    for path in sorted(rules, key=lambda p: p.name):
        for raw in path.read_text("utf-8").splitlines():
            raw = raw.strip()
            if raw and not raw.startswith("#"):
                lines.append(parse_rule(raw))
    goto = None
    for parts in lines:
        if goto is not None:
            if ("LABEL", "=", goto) in parts:
                goto = None
            continue
        if all(_part_matches(dev, key, op, value) for key, op, value in parts if op in ("==", "!=")):
            for key, op, value in parts:
                if op not in ("==", "!="):
                    goto = _assign(dev, key, op, value) or goto
    return dev


def _part_matches(dev: Device, key: str, op: str, value: str) -> bool:
    hit = _matches(value, _value(dev, key))
    return hit if op == "==" else not hit


def _assign(dev: Device, key: str, op: str, value: str) -> str | None:
    value = _substitute(dev, value)
    if key.startswith("ENV{"):
        dev.env[key[4:-1]] = value
    elif key == "SYMLINK":
        dev.symlinks = (dev.symlinks if op == "+=" else []) + value.split()
    elif key in ("GROUP", "MODE", "OWNER"):
        setattr(dev, key.lower(), value)
    elif key == "GOTO":
        return value
    elif key != "LABEL":
        raise ValueError(f"unsupported assignment {key}")
    return None
