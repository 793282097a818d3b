#!/usr/bin/env bash
# One set-up for every entry point (demo, tests, benchmarks): installs the Debian packages the
# app needs where they are missing, then keeps the project's virtual environment in .venv up to
# date with pyproject.toml. Safe to run again: it does only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Fonts for Chinese text (Noto Sans CJK for the kiosk: its 1.44 line height is what elderly
# mode needs; WenQuanYi as the fallback) and the LED look, audio tools for announcements, Xvfb
# for a real X screen (x11-utils: xwininfo and xprop, with which the real-X tests read the
# programs' windows), the shared libraries Qt's offscreen and xcb platforms load, and headless
# Chromium with its driver, in which the tests drive the hall's web console. PostgreSQL's server
# (initdb, pg_ctl in /usr/lib/postgresql/<version>/bin): the tests start a throwaway cluster of
# their own (tests/pg.py) to run the storage tests on PostgreSQL too; no service is enabled.
# Packaging tests (tests/packaging): xinit and x11-xserver-utils run the screens' session script
# on Xvfb, mmdebstrap makes the clean Debian root the built packages are installed into; udev's
# udevadm runs the package's rules (`udevadm test`) over recorded devices that umockdev fakes.
SYSTEM_PACKAGES=(
  fonts-noto-cjk fonts-wqy-microhei fonts-unifont espeak-ng sox xvfb xauth x11-utils
  xinit x11-xserver-utils mmdebstrap udev umockdev
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0
  libxcb-randr0 libxcb-render-util0 libxcb-image0 chromium chromium-driver postgresql
)

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    > /tmp/hall-kiosk-apt.log 2>&1 || { tail -20 /tmp/hall-kiosk-apt.log; exit 1; }
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [ ! -f "$stamp" ]; then
  echo "setup: installing Python packages into .venv (log in .venv/pip.log)"
  if ! { .venv/bin/python -m pip install --upgrade pip && .venv/bin/python -m pip install -e ".[test]"; } \
      > .venv/pip.log 2>&1; then
    tail -30 .venv/pip.log
    echo "setup: installing Python packages failed; the whole log is in .venv/pip.log" >&2
    exit 1
  fi
  rm -f .venv/.installed-* && touch "$stamp"
fi

# Build artefacts that are generated, never committed: compiled translations and placeholder
# voice clips. Each step skips itself when its output is up to date.
.venv/bin/python -m app.buildassets
