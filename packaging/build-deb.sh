#!/usr/bin/env bash
# make deb: the wheel (every asset inside) and the Debian packages hall-kiosk (the programs in
# /opt/hall-kiosk: a venv of Debian's python3 with the wheel and its dependencies from PyPI) and
# hall-kiosk-screen (the screen units), built with dpkg-deb. Output in dist/.
#
# Downloads are cached in ~/.cache/hall-kiosk/ (pip's cache and a wheelhouse), so a second build
# needs no network. Needs: Debian's python3 with venv, dpkg-deb, fakeroot (or root), and for the
# pycups wheel gcc and libcups2-dev (installed here when missing, as scripts/setup.sh does).
# KIOSK_VENV: the project venv that builds the generated assets (default .venv).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CACHE=${HALL_KIOSK_CACHE:-$HOME/.cache/hall-kiosk}
DIST=${HALL_KIOSK_DIST:-$ROOT/dist}
KIOSK_VENV=${KIOSK_VENV:-$ROOT/.venv}
SYSTEM_PYTHON=/usr/bin/python3   # the target's python3: the venv in /opt points at it
PREFIX=/opt/hall-kiosk
export PIP_CACHE_DIR=$CACHE/pip PIP_DISABLE_PIP_VERSION_CHECK=1

say() { echo "build-deb: $*"; }

need_build_tools() {
    local missing=()
    for pkg in libcups2-dev gcc python3-dev python3-venv; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    if ((${#missing[@]})); then
        say "installing build packages: ${missing[*]}"
        local sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

version() { sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -1; }

build_wheel() {
    say "generated assets"
    "$KIOSK_VENV/bin/python" -m app.buildassets
    say "wheel"
    rm -f "$DIST"/hall_kiosk-*.whl
    "$BUILD_VENV/bin/pip" wheel -q --no-deps -w "$DIST" "$ROOT"
    rm -rf "$ROOT/build" "$ROOT"/*.egg-info  # setuptools' leftovers in the checkout
    WHEEL=$(ls "$DIST"/hall_kiosk-"$VERSION"-*.whl)
}

fill_wheelhouse() {
    # Every dependency as a wheel (pycups is built from its source here), for the target python.
    say "dependencies (cached in $CACHE/wheels)"
    mkdir -p "$CACHE/wheels"
    "$BUILD_VENV/bin/pip" wheel -q --find-links "$CACHE/wheels" -w "$CACHE/wheels" "$WHEEL[printers]"
    # Only the dependencies stay cached: a hall_kiosk wheel there would be the one of an earlier
    # build (pip keeps a file of the same name), and could be installed instead of this one.
    rm -f "$CACHE"/wheels/hall_kiosk-*.whl
}

make_venv() {  # $1: the package's root folder
    local stage=$1 venv=$1$PREFIX
    say "venv in $PREFIX (the wheel and its dependencies)"
    "$SYSTEM_PYTHON" -m venv "$venv"
    "$venv/bin/pip" install -q --no-index --find-links "$CACHE/wheels" "$WHEEL[printers]"
    "$venv/bin/python" -m pip uninstall -q -y pip setuptools >/dev/null 2>&1 || true
    # The venv was made in the staging folder: its scripts and pyvenv.cfg must name /opt.
    grep -rlI --null -F "$venv" "$venv/bin" "$venv/pyvenv.cfg" | xargs -0 -r sed -i "s|$venv|$PREFIX|g"
    find "$venv" -name __pycache__ -type d -prune -exec rm -rf {} +  # postinst compiles in place
    rm -f "$venv"/bin/activate.csh "$venv"/bin/activate.fish "$venv"/bin/Activate.ps1
    install -d "$venv/share/doc"
    install -m 0644 docs/OPERATIONS.md README.md "$venv/share/doc/"
    install -d "$stage/usr/bin"
    ln -s "$PREFIX/bin/kiosk" "$stage/usr/bin/kiosk"
}

schema_revisions() {  # every hall database revision this version knows, space-separated
    sed -n 's/^revision = "\(.*\)"/\1/p' kiosk/migrations/versions/*.py | sort | tr '\n' ' ' | sed 's/ $//'
}

maintainer_script() {  # $1 script: its @VERSION@ and @REVISIONS@ filled in
    sed -e "s/@VERSION@/$DEB_VERSION/g" -e "s/@REVISIONS@/$(schema_revisions)/g" "$1"
}

control() {  # $1 package, $2 stage
    local size
    size=$(du -sk --exclude=DEBIAN "$2" | cut -f1)
    install -d -m 0755 "$2/DEBIAN"
    sed -e "s/@VERSION@/$DEB_VERSION/g" -e "s/@ARCH@/$ARCH/g" -e "s/@SIZE@/$size/g" \
        "packaging/debian/$1.control" > "$2/DEBIAN/control"
    for script in preinst postinst prerm postrm templates; do
        if [ -f "packaging/debian/$1.$script" ]; then
            maintainer_script "packaging/debian/$1.$script" > "$2/DEBIAN/$script"
            chmod 0755 "$2/DEBIAN/$script"
        fi
    done
    [ ! -f "$2/DEBIAN/templates" ] || chmod 0644 "$2/DEBIAN/templates"
    if [ -d "$2/etc" ]; then
        (cd "$2" && find etc -type f | sed 's|^|/|' | sort) > "$2/DEBIAN/conffiles"
    fi
}

stage_main() {
    local stage=$STAGE/hall-kiosk
    make_venv "$stage"
    install -D -m 0644 packaging/systemd/hall-server.service "$stage/lib/systemd/system/hall-server.service"
    install -D -m 0644 packaging/udev/99-hall-kiosk.rules "$stage/lib/udev/rules.d/99-hall-kiosk.rules"
    # Configuration files (conffiles): kept on upgrade when changed here.
    install -D -m 0644 packaging/udev/98-hall-kiosk-local.rules "$stage/etc/udev/rules.d/98-hall-kiosk-local.rules"
    control hall-kiosk "$stage"
}

stage_screen() {
    local stage=$STAGE/hall-kiosk-screen
    install -d "$stage$PREFIX/bin" "$stage/lib/systemd/system"
    install -m 0755 packaging/bin/hall-session packaging/bin/hall-xclient "$stage$PREFIX/bin/"
    for role in kiosk board window counter rate; do
        install -m 0644 "packaging/systemd/hall-screen-$role.service" "$stage/lib/systemd/system/"
    done
    control hall-kiosk-screen "$stage"
}

build_debs() {
    say "packages ($COMPRESS -$LEVEL)"
    local fake=""; [ "$(id -u)" -eq 0 ] || fake=fakeroot
    rm -f "$DIST"/hall-kiosk*_*.deb
    for pkg in hall-kiosk hall-kiosk-screen; do
        local arch=$ARCH; [ "$pkg" = hall-kiosk-screen ] && arch=all
        $fake dpkg-deb --root-owner-group "-Z$COMPRESS" "-z$LEVEL" --build "$STAGE/$pkg" "$DIST/${pkg}_${DEB_VERSION}_${arch}.deb" >/dev/null
        say "$DIST/${pkg}_${DEB_VERSION}_${arch}.deb ($(du -h "$DIST/${pkg}_${DEB_VERSION}_${arch}.deb" | cut -f1))"
    done
}

VERSION=$(version)
DEB_VERSION=${DEB_VERSION:-$VERSION-1}
if [ "${1:-}" = "--maintainer-script" ]; then  # one maintainer script as it goes into the package
    maintainer_script "$2"
    exit 0
fi
# gzip: fast on the 700 MB venv (xz takes ten minutes on a busy machine) and read by every dpkg,
# also the older ones of Debian 10-based systems (zstd is not).
COMPRESS=${DEB_COMPRESS:-gzip}
LEVEL=${DEB_COMPRESS_LEVEL:-3}   # dpkg-deb's default 9 triples the time for 3% less
ARCH=$(dpkg --print-architecture)
need_build_tools
mkdir -p "$DIST" "$CACHE"
BUILD_VENV=$CACHE/build-venv
[ -x "$BUILD_VENV/bin/pip" ] || "$SYSTEM_PYTHON" -m venv "$BUILD_VENV"
"$BUILD_VENV/bin/pip" install -q --upgrade "pip>=23" wheel setuptools
STAGE=$(mktemp -d "${TMPDIR:-/tmp}/hall-kiosk-deb.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
build_wheel
fill_wheelhouse
stage_main
stage_screen
build_debs
