#!/usr/bin/env bash
# The README's first command: installs what is missing and builds (scripts/setup.sh), then opens
# the Skydeck window. With no cloud account configured the app opens the local sandbox (s3rver on
# loopback with demo buckets) by itself; arguments are passed through, e.g.
#   scripts/run.sh --sandbox          the sandbox even when you have cloud accounts
#   scripts/run.sh ls s3://bucket     the command line, on the freshly built binary
# Environment: SKYDECK_BUILD_DIR (default: build).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${SKYDECK_BUILD_DIR:-$ROOT/build}
export SKYDECK_BUILD_DIR=$BUILD

"$ROOT/scripts/setup.sh"

BIN=$BUILD/app/skydeck
if [ ! -x "$BIN" ]; then
  echo "run: $BIN was not built; see the output of scripts/setup.sh above" >&2
  exit 1
fi

# The command line needs no display.
case "${1:-}" in
  ls|cp|rm|mb|rb|-h|--help|-V|--version) exec "$BIN" "$@" ;;
esac

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  cat >&2 <<MSG
run: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are not set).
  On a desktop, run scripts/run.sh from a terminal of that session.
  On a headless machine, use a virtual display:  xvfb-run -a scripts/run.sh $*
  The command line needs no display:  $BIN --help
MSG
  exit 1
fi

# The sandbox keeps its s3rver data under the app data directory (~/.local/share/...), across runs.
exec "$BIN" "$@"
