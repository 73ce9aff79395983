#!/usr/bin/env bash
# Installs every Debian and npm package Skydeck needs (idempotent: fast when all is there), then
# configures and builds. Environment:
#   SKYDECK_BUILD_DIR  build directory (default: build)
#   SKYDECK_SANITIZE=1 AddressSanitizer + UBSan build
#   CI=true            warnings are errors
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${SKYDECK_BUILD_DIR:-$ROOT/build}

DEB_PACKAGES=(
  # build
  cmake ninja-build g++ ccache pkg-config qt6-base-dev qt6-base-dev-tools qt6-svg-dev qt6-l10n-tools
  libqt6sql6-sqlite qtkeychain-qt6-dev libssh2-1-dev libvterm-dev libssl-dev libgl-dev
  # run and look at the window
  qt6-qpa-plugins xvfb xauth imagemagick fonts-dejavu-core xterm
  # test peers and real clients to compare with
  openssh-server openssh-client gnome-keyring dbus dbus-x11 libsecret-tools
  awscli rclone python3-botocore python3 curl bc openssl
  # Microsoft's Python SDK and the Azure CLI, to check the Resource Manager and identity platform test
  # server (tests/servers/arm_sdk_check.py, aad_az_check.sh) and to sign in as users do
  python3-azure python3-cryptography azure-cli
)
# Installed without what they recommend: the Jupyter "host" of the Open Jupyter tests, Debian 12's
# classic Notebook 6.4 and Jupyter Server 1.23 (JupyterLab has no Debian package). About 113 MB
# with their dependencies; their recommends (matplotlib, Tk, ipywidgets, ...) would add 560 MB
# that no test uses.
DEB_PACKAGES_NO_RECOMMENDS=(
  jupyter-notebook jupyter-server
)

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=() lean=()
for p in "${DEB_PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
for p in "${DEB_PACKAGES_NO_RECOMMENDS[@]}"; do installed "$p" || lean+=("$p"); done
# Node.js and npm (s3rver, azurite): the machine's own if it has them (they may not come from Debian).
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ] || [ ${#lean[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]} ${lean[*]}" >&2
  as_root apt-get update -qq
  [ ${#missing[@]} -eq 0 ] || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  [ ${#lean[@]} -eq 0 ] || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${lean[@]}" >/dev/null
fi

# npm peers (s3rver, azurite), pinned by package-lock.json, installed inside the tree.
NODE_DIR=$ROOT/scripts/peers-node
if [ ! -x "$NODE_DIR/node_modules/.bin/s3rver" ] || [ "$NODE_DIR/package-lock.json" -nt "$NODE_DIR/node_modules/.stamp" ]; then
  echo "setup: installing npm peers" >&2
  (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null && touch node_modules/.stamp)
fi

# moto (the EC2 peer): Debian has no package of it. Many machines' python3 already has it; otherwise
# pip installs it for the user, as the AWS tooling is usually installed. Without a reachable package
# index the EC2 peer is left out (scripts/peers.sh says so; its tests skip, or fail under CI=true).
if ! python3 -c 'import moto.server' 2>/dev/null; then
  echo "setup: installing moto[server] with pip (the EC2 test peer)" >&2
  python3 -m pip install --quiet --user 'moto[server]' >&2 \
    || echo "setup: could not install moto; the EC2 peer will be missing" >&2
fi

CMAKE_ARGS=(-G Ninja -DCMAKE_BUILD_TYPE=${SKYDECK_BUILD_TYPE:-RelWithDebInfo})
case "${CI:-}" in true|1|yes) CMAKE_ARGS+=(-DSKYDECK_WERROR=ON) ;; esac
[ "${SKYDECK_SANITIZE:-0}" = 1 ] && CMAKE_ARGS+=(-DSKYDECK_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
cmake -S "$ROOT" -B "$BUILD" "${CMAKE_ARGS[@]}" >/dev/null
cmake --build "$BUILD" --parallel "$(nproc)"
