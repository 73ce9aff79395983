#!/usr/bin/env bash
# UI-thread stalls of the main window against s3rver on loopback: the bucket browser lists a folder
# of KEYS keys while the TransferEngine uploads a BIG_MIB MiB file and downloads it back
# (bench_ui_stall, built with -DSKYDECK_BUILD_BENCH=ON), then ObjectListModel's memory for
# 1,000,000 listed objects (bench_object_model).
#   bench/ui_stall.sh [KEYS [BIG_MIB]]     (default 100000 keys, 1024 MiB)
# s3rver lists one big folder slowly (it stats the folder's files for every page), so the listing
# takes minutes; the transfers run during its first part.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
KEYS=${1:-100000} BIG_MIB=${2:-1024}
for exe in "$BUILD/bench/bench_ui_stall" "$BUILD/bench/bench_object_model"; do
  [ -x "$exe" ] || { echo "bench: $exe missing (configure with -DSKYDECK_BUILD_BENCH=ON)" >&2; exit 1; }
done
WORK=$(mktemp -d /tmp/skydeck-stall.XXXXXX)
cleanup() { "$ROOT/scripts/peers.sh" stop "$WORK/peers" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
echo "bench: generating $KEYS keys in one folder and a $BIG_MIB MiB file in $WORK" >&2
python3 "$ROOT/bench/make_s3rver_objects.py" "$WORK/peers/s3rver-data" flat "$KEYS" 1
mkdir -p "$WORK/peers/s3rver-data/stall"
head -c "$((BIG_MIB * 1024 * 1024))" /dev/urandom >"$WORK/big.bin"
"$ROOT/scripts/peers.sh" start "$WORK/peers" s3 >/dev/null
# shellcheck disable=SC1091
source "$WORK/peers/peers.env"
export QT_QPA_PLATFORM=offscreen
"$BUILD/bench/bench_ui_stall" flat shard-000/ updown "$WORK/big.bin" stall big.bin
"$BUILD/bench/bench_object_model" 1000000 table
