#!/usr/bin/env bash
# Runs the libFuzzer harnesses of tests/fuzz (issue 11) one after the other, each for a set time.
#   bench/fuzz.sh [seconds-per-target] [target...]     default: 600 s, every target
# Configures build-fuzz (clang-14, -DSKYDECK_FUZZ=ON, ASan+UBSan), builds the harnesses asked for,
# then for each target: fuzzes from its kept corpus (tests/fuzz/corpus/TARGET, plus
# tests/fuzz/dict/TARGET.dict when there is one); copies every crash, leak, timeout or OOM into
# tests/fuzz/crashes/TARGET/ (minimised first, named by kind and content hash: kept forever and
# replayed by ctest until fixed); merges what found new coverage into the kept corpus (a fresh
# -merge=1 of the old corpus and the new finds, so it stays minimal; over 300 files or 2 MB, minimal
# for the edges alone); and prints a table: target, seconds, executions, exec/s, cov, ft (libFuzzer's
# last status line), corpus files and crashes.
# Environment: SKYDECK_FUZZ_BUILD (default ROOT/build-fuzz), SKYDECK_FUZZ_JOBS (build jobs, 2),
# SKYDECK_FUZZ_KEEP_GOING=1 (fork mode: go on after a crash, to count them all),
# SKYDECK_FUZZ_NO_MERGE=1 (leave the kept corpus as it is), SKYDECK_FUZZ_TMPDIR (the harnesses'
# scratch files; default /dev/shm when writable). The table also lands in
# bench/results/fuzz-latest.md (with the date and the load average).
set -euo pipefail
# All in one function, read whole before it runs: editing this file during a run cannot change it.
main() {
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${SKYDECK_FUZZ_BUILD:-$ROOT/build-fuzz}
SECONDS_PER_TARGET=${1:-600}
shift || true
ALL=(s3_xml ec2_xml gce_json arm_json ssh_auth ssh_config known_hosts cloud_url aws_config gcloud_config azure_profile
     retry_after terminal terminal_paste)
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL[@]}")

# Longest input per target: whole documents for the XML/JSON readers, a config file, a URL, a header.
max_len() {
  case "$1" in
    s3_xml|ec2_xml|gce_json|arm_json) echo 16384 ;;
    cloud_url) echo 1024 ;;
    retry_after) echo 128 ;;
    *) echo 4096 ;;
  esac
}

command -v clang++-14 >/dev/null || { echo "fuzz: clang++-14 is missing (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 1; }
CC=clang-14 CXX=clang++-14 cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSKYDECK_FUZZ=ON -DSKYDECK_WERROR=OFF >/dev/null
cmake --build "$BUILD" --parallel "${SKYDECK_FUZZ_JOBS:-2}" --target "${TARGETS[@]/%/_fuzz}"

RUN=$BUILD/fuzz-runs/$(date +%Y%m%d-%H%M%S)
mkdir -p "$RUN"
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export QT_QPA_PLATFORM=offscreen
# The harnesses that read files write each input into a private directory: on tmpfs, a disk's
# truncate-and-rewrite flushes do not slow them down fourfold.
if [ -z "${SKYDECK_FUZZ_TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then SKYDECK_FUZZ_TMPDIR=/dev/shm; fi
export TMPDIR=${SKYDECK_FUZZ_TMPDIR:-${TMPDIR:-/tmp}}
ROWS=()
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for t in "${TARGETS[@]}"; do
  bin=$BUILD/tests/fuzz/${t}_fuzz
  kept=$ROOT/tests/fuzz/corpus/$t
  crashes=$ROOT/tests/fuzz/crashes/$t
  dict=$ROOT/tests/fuzz/dict/$t.dict
  work=$RUN/$t
  mkdir -p "$kept" "$work/new" "$work/artifacts"
  args=(-max_total_time="$SECONDS_PER_TARGET" -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048
        -print_final_stats=1 -artifact_prefix="$work/artifacts/")
  [ -f "$dict" ] && args+=(-dict="$dict")
  [ "${SKYDECK_FUZZ_KEEP_GOING:-0}" = 1 ] && args+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  echo "fuzz: $t for ${SECONDS_PER_TARGET} s (log: $work/fuzz.log)" >&2
  start=$(date +%s)
  "$bin" "${args[@]}" "$work/new" "$kept" >"$work/fuzz.log" 2>&1 || true
  elapsed=$(( $(date +%s) - start ))

  # Executions: the final stats, else the last status line ("#N ..." or fork mode's "#N: ...").
  status=$(grep -E '^#[0-9]+:?[[:space:]].*cov: ' "$work/fuzz.log" | tail -1 || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log" | tail -1)
  [ -n "$execs" ] || execs=$(sed -E 's/^#([0-9]+).*/\1/' <<<"$status")
  execs=${execs:-0}
  cov=$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<<"$status")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$status")

  # Every crash, leak, timeout and OOM: minimised, then kept under its kind and content hash.
  found=0
  for a in "$work"/artifacts/crash-* "$work"/artifacts/leak-* "$work"/artifacts/timeout-* "$work"/artifacts/oom-*; do
    [ -f "$a" ] || continue
    found=$((found + 1))
    kind=$(basename "$a" | cut -d- -f1)
    min=$work/min-$(basename "$a")
    "$bin" -minimize_crash=1 -max_total_time=60 -timeout=10 -rss_limit_mb=2048 -exact_artifact_path="$min" "$a" \
      >"$work/minimize-$(basename "$a").log" 2>&1 || true
    [ -s "$min" ] || min=$a
    mkdir -p "$crashes"
    cp "$min" "$crashes/$kind-$(sha1sum "$min" | cut -c1-40)"
    echo "fuzz: $t: $kind kept in tests/fuzz/crashes/$t/$kind-$(sha1sum "$min" | cut -c1-12)… (log: $work/fuzz.log)" >&2
  done

  # The kept corpus: a fresh merge of what was kept and what was found, minimal for the coverage
  # (edges and their hit counts); over 300 files or 2 MB, minimal for the edges alone
  # (-use_counters=0: every edge stays covered, in far fewer files).
  if [ "${SKYDECK_FUZZ_NO_MERGE:-0}" != 1 ] && [ -n "$(ls -A "$work/new")" ]; then
    merged=$work/merged
    mkdir -p "$merged"
    if "$bin" -merge=1 -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 "$merged" "$kept" "$work/new" \
         >"$work/merge.log" 2>&1 && [ -n "$(ls -A "$merged")" ]; then
      if [ "$(find "$merged" -type f | wc -l)" -gt 300 ] \
         || [ "$(find "$merged" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')" -gt 2097152 ]; then
        mkdir -p "$work/merged-edges"
        if "$bin" -merge=1 -use_counters=0 -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 "$work/merged-edges" \
             "$merged" >"$work/merge-edges.log" 2>&1 && [ -n "$(ls -A "$work/merged-edges")" ]; then
          merged=$work/merged-edges
        fi
      fi
      rm -f "$kept"/*
      cp "$merged"/* "$kept"/
    else
      echo "fuzz: $t: merge failed, kept corpus unchanged (log: $work/merge.log)" >&2
    fi
  fi
  files=$(find "$kept" -type f | wc -l)
  kib=$(( $(find "$kept" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }') / 1024 ))
  rate=$(( elapsed > 0 ? execs / elapsed : 0 ))
  ROWS+=("| $t | $elapsed | $execs | $rate | ${cov:-?} | ${ft:-?} | $files ($kib KiB) | $found |")
done

TABLE=$(printf '%s\n' "| target | seconds | executions | exec/s | cov | ft | corpus files | crashes |" "|---|---|---|---|---|---|---|---|" "${ROWS[@]}")
echo "$TABLE"
{
  echo "# Fuzzing (bench/fuzz.sh $SECONDS_PER_TARGET ${*:-})"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores shared with other builds; load average before $LOAD_BEFORE, after $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "clang-14 libFuzzer with ASan+UBSan, RelWithDebInfo. Logs: $RUN."
  echo
  echo "$TABLE"
} >"$ROOT/bench/results/fuzz-latest.md"
}
main "$@"
exit
