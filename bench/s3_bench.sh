#!/usr/bin/env bash
# S3 benchmarks against s3rver on loopback, Skydeck side by side with rclone and `aws s3`, in one run.
#   bench/s3_bench.sh [--quick]      (--quick: 10,000 keys, 256 MiB, 200 small files)
#   CASES="down sdown" bench/s3_bench.sh   only some rows (list up down sup sdown; default all)
# Prints a Markdown table and writes it to bench/results/s3-latest.md. Each listing is the best of
# 3 runs; each transfer is one run (they are long); all tools talk to the same s3rver.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SKYDECK=${SKYDECK:-$ROOT/build/app/skydeck}
AWS=${AWS:-/usr/bin/aws}  # Debian's AWS CLI v2 (the `aws` first on PATH may be the image's pip awscli v1)
OUT=${OUT:-$ROOT/bench/results/s3-latest.md}
KEYS=100000 BIG_MIB=1024 SMALL=1000
CASES=${CASES:-list up down sup sdown}
want() { [[ " $CASES " == *" $1 "* ]]; }
if [ "${1:-}" = --quick ]; then KEYS=10000 BIG_MIB=256 SMALL=200; fi
for tool in "$SKYDECK" "$AWS" rclone python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool not found (run scripts/setup.sh)" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/skydeck-bench.XXXXXX)
cleanup() { "$ROOT/scripts/peers.sh" stop "$WORK/peers" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT

echo "bench: generating $KEYS keys, a $BIG_MIB MiB file and $SMALL x 100 KiB files in $WORK" >&2
if want list; then python3 "$ROOT/bench/make_s3rver_objects.py" "$WORK/peers/s3rver-data" list "$KEYS"; fi
mkdir -p "$WORK/peers/s3rver-data"/{up-skydeck,up-rclone,up-aws,src}
head -c "$((BIG_MIB * 1024 * 1024))" /dev/urandom >"$WORK/big.bin"
mkdir -p "$WORK/small"
for i in $(seq 1 "$SMALL"); do head -c 102400 /dev/urandom >"$WORK/small/f$i.bin"; done
"$ROOT/scripts/peers.sh" start "$WORK/peers" s3 >/dev/null
# shellcheck disable=SC1091
source "$WORK/peers/peers.env"
EP=$SKYDECK_TEST_S3_ENDPOINT
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_DEFAULT_REGION=us-east-1 AWS_ENDPOINT_URL=$EP
export HOME=$WORK/home && mkdir -p "$HOME"
unset AWS_CA_BUNDLE AWS_PROFILE  # AWS_CA_BUNDLE makes rclone fail to start
export RCLONE_CONFIG_BENCH_TYPE=s3 RCLONE_CONFIG_BENCH_PROVIDER=Other RCLONE_CONFIG_BENCH_ENDPOINT=$EP \
  RCLONE_CONFIG_BENCH_ACCESS_KEY_ID=S3RVER RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY=S3RVER \
  RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE=true RCLONE_CONFIG_BENCH_REGION=us-east-1 RCLONE_CONFIG=/dev/null

# The download sources, uploaded once by aws (neutral).
"$AWS" --endpoint-url "$EP" s3 cp --quiet "$WORK/big.bin" s3://src/big.bin
"$AWS" --endpoint-url "$EP" s3 cp --quiet --recursive "$WORK/small" s3://src/small/

seconds() { # runs "$@", prints elapsed seconds; a failure aborts the benchmark
  # Dirty pages of the previous step (the upload of the sources, another tool's download) are
  # flushed first: otherwise whichever tool runs next pays for their writeback.
  sync
  local t0 t1; t0=$(date +%s.%N)
  if ! "$@" >"$WORK/out.txt" 2>"$WORK/err.txt"; then
    echo "bench: FAILED: $*" >&2; tail -5 "$WORK/err.txt" >&2; exit 1
  fi
  t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l
}
best_of_3() { local b=""; for _ in 1 2 3; do local s; s=$(seconds "$@"); if [ -z "$b" ] || (( $(echo "$s < $b" | bc -l) )); then b=$s; fi; done; echo "$b"; }
count_lines() { wc -l <"$WORK/out.txt" | tr -d ' '; }

declare -A R
if want list; then
echo "bench: listing $KEYS keys" >&2
R[list_skydeck]=$(best_of_3 "$SKYDECK" ls -r s3://list/); n_sky=$(count_lines)
R[list_rclone]=$(best_of_3 rclone lsf -R --files-only bench:list); n_rc=$(count_lines)
R[list_aws]=$(best_of_3 "$AWS" --endpoint-url "$EP" s3 ls --recursive s3://list/); n_aws=$(count_lines)
R[list_floor]=$(best_of_3 python3 "$ROOT/bench/list_floor.py" "$EP" list)
for n in "$n_sky" "$n_rc" "$n_aws" "$(cat "$WORK/out.txt")"; do
  [ "$n" = "$KEYS" ] || { echo "bench: a listing returned $n lines, expected $KEYS (skydeck $n_sky, rclone $n_rc, aws $n_aws)" >&2; exit 1; }
done
fi

if want up; then
echo "bench: upload $BIG_MIB MiB" >&2
R[up_skydeck]=$(seconds "$SKYDECK" cp "$WORK/big.bin" s3://up-skydeck/big.bin)
R[up_rclone]=$(seconds rclone copyto "$WORK/big.bin" bench:up-rclone/big.bin)
R[up_aws]=$(seconds "$AWS" --endpoint-url "$EP" s3 cp --quiet "$WORK/big.bin" s3://up-aws/big.bin)
fi
if want down; then
echo "bench: download $BIG_MIB MiB" >&2
R[down_skydeck]=$(seconds "$SKYDECK" cp s3://src/big.bin "$WORK/d-skydeck.bin")
R[down_rclone]=$(seconds rclone copyto bench:src/big.bin "$WORK/d-rclone.bin")
R[down_aws]=$(seconds "$AWS" --endpoint-url "$EP" s3 cp --quiet s3://src/big.bin "$WORK/d-aws.bin")
want=$(sha256sum <"$WORK/big.bin")
for f in d-skydeck d-rclone d-aws; do
  [ "$(sha256sum <"$WORK/$f.bin")" = "$want" ] || { echo "bench: $f.bin differs from the source" >&2; exit 1; }
  rm -f "$WORK/$f.bin"
done
fi
echo "bench: $SMALL x 100 KiB up and down" >&2
if want sup; then
R[sup_skydeck]=$(seconds "$SKYDECK" cp -r "$WORK/small" s3://up-skydeck/small/)
R[sup_rclone]=$(seconds rclone copy "$WORK/small" bench:up-rclone/small)
R[sup_aws]=$(seconds "$AWS" --endpoint-url "$EP" s3 cp --quiet --recursive "$WORK/small" s3://up-aws/small/)
fi
if want sdown; then
R[sdown_skydeck]=$(seconds "$SKYDECK" cp -r s3://src/small/ "$WORK/ds-skydeck")
R[sdown_rclone]=$(seconds rclone copy bench:src/small "$WORK/ds-rclone")
R[sdown_aws]=$(seconds "$AWS" --endpoint-url "$EP" s3 cp --quiet --recursive s3://src/small/ "$WORK/ds-aws")
for d in ds-skydeck ds-rclone ds-aws; do
  got=$(find "$WORK/$d" -type f | wc -l); [ "$got" = "$SMALL" ] || { echo "bench: $d has $got files" >&2; exit 1; }
done
fi

fmt() { printf '%.2f' "$1"; }
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }
mbps() { printf '%.0f' "$(echo "$1 / $2" | bc -l)"; }
BIG=$BIG_MIB SMALLMIB=$(echo "$SMALL * 100 / 1024" | bc -l)
{
  echo "| benchmark (s3rver on loopback) | Skydeck | rclone | aws s3 | Skydeck vs rclone |"
  echo "|---|---|---|---|---|"
  if want list; then
    echo "| list $KEYS keys recursively (s, best of 3) | $(fmt "${R[list_skydeck]}") | $(fmt "${R[list_rclone]}") | $(fmt "${R[list_aws]}") | time ×$(ratio "${R[list_skydeck]}" "${R[list_rclone]}") |"
  fi
  for op in up down; do
    want $op || continue
    name=$([ $op = up ] && echo upload || echo download)
    echo "| $name 1 file of $BIG_MIB MiB (MiB/s) | $(mbps $BIG "${R[${op}_skydeck]}") | $(mbps $BIG "${R[${op}_rclone]}") | $(mbps $BIG "${R[${op}_aws]}") | throughput ×$(ratio "${R[${op}_rclone]}" "${R[${op}_skydeck]}") |"
  done
  for op in sup sdown; do
    want $op || continue
    name=$([ $op = sup ] && echo upload || echo download)
    echo "| $name $SMALL × 100 KiB (files/s) | $(mbps "$SMALL" "${R[${op}_skydeck]}") | $(mbps "$SMALL" "${R[${op}_rclone]}") | $(mbps "$SMALL" "${R[${op}_aws]}") | throughput ×$(ratio "${R[${op}_rclone]}" "${R[${op}_skydeck]}") |"
  done
  echo
  want list && echo "Listing floor on this server (the same pages over one keep-alive connection, nothing parsed or printed, bench/list_floor.py): $(fmt "${R[list_floor]}") s."
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores; rclone $(rclone version | head -1 | awk '{print $2}'), $("$AWS" --version 2>&1 | awk '{print $1}'), each tool with its default settings."
} >"$WORK/table.md"
mkdir -p "$(dirname "$OUT")"
cat "$WORK/table.md" | tee "$OUT"
