#!/usr/bin/env bash
# Sets up (packages, build), starts the loopback peers, runs every test, stops the peers.
#   scripts/test.sh [ctest args...]      e.g. scripts/test.sh -L unit
# Environment: CI=true (warnings are errors; a missing peer fails), SKYDECK_SANITIZE=1.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ "${SKYDECK_SANITIZE:-0}" = 1 ]; then
  export SKYDECK_BUILD_DIR=${SKYDECK_BUILD_DIR:-$ROOT/build-asan}
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fi
BUILD=${SKYDECK_BUILD_DIR:-$ROOT/build}
"$ROOT/scripts/setup.sh"

PEERS=$(mktemp -d /tmp/skydeck-peers.XXXXXX)
cleanup() { "$ROOT/scripts/peers.sh" stop "$PEERS" || true; rm -rf "$PEERS"; }
trap cleanup EXIT
"$ROOT/scripts/peers.sh" start "$PEERS"
# shellcheck disable=SC1091
source "$PEERS/peers.env"

# The keychain peer: gnome-keyring in a private D-Bus session, with a throwaway keyring.
export XDG_DATA_HOME=$PEERS/xdg-data XDG_RUNTIME_DIR=$PEERS/xdg-run
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
export SKYDECK_CTEST_ARGS="$*"
cd "$BUILD"
dbus-run-session -- bash -c '
  echo -n skydeck-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  export SKYDECK_TEST_KEYRING=1
  ctest --output-on-failure --no-tests=error $SKYDECK_CTEST_ARGS'
