#!/bin/sh
# Install the Debian packages vmxsim needs to build and test, if missing.
# Idempotent: does nothing (and no apt-get update) when all are present.
# usage: tools/install-deps.sh [--sdl]
set -eu

packages="gcc make cmake pkg-config binutils libzydis-dev libzycore-dev libelf-dev check libedit-dev gdb python3"
if [ "${1:-}" = "--sdl" ]; then
    packages="$packages libsdl2-dev"
fi

missing=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO=sudo
    else
        echo "install-deps: missing Debian packages:$missing" >&2
        echo "install-deps: run as root, or: sudo apt-get install$missing" >&2
        exit 1
    fi
else
    SUDO=
fi

echo "install-deps: installing$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
