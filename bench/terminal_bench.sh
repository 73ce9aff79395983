#!/bin/sh
# Terminal pane benchmark: time to consume 100 MB of vtebench-like ANSI output (plain text,
# colours, scrolling regions, alternate-screen random writes, wide characters) through a local pty,
# Skydeck's TerminalWidget vs xterm, both 80x24 under the same Xvfb; then keystroke-to-echo latency
# over a local pty and over SSH to a loopback sshd (the ssh peer of scripts/peers.sh, started here).
# Results go to bench/results/terminal-latest.md.
# Usage: bench/terminal_bench.sh [BUILD_DIR] [MEGABYTES=100] [RUNS=3]
# Needs: xvfb-run, xterm, bc; a build with -DSKYDECK_BUILD_BENCH=ON (target bench_terminal).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
MB=${2:-100}
RUNS=${3:-3}
BIN=$BUILD/bench/bench_terminal
OUT=$ROOT/bench/results/terminal-latest.md
[ -x "$BIN" ] || { echo "build bench_terminal first (-DSKYDECK_BUILD_BENCH=ON)" >&2; exit 1; }
command -v xterm >/dev/null || { echo "xterm is missing (scripts/setup.sh installs it)" >&2; exit 1; }
WORK=$(mktemp -d); chmod 755 "$WORK"   # sshd reads authorized_keys as the test user
trap '"$ROOT/scripts/peers.sh" stop "$WORK/peers" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
# The peers outlive this call: they must not hold our stdout/stderr (a caller's pipe would wait).
"$ROOT/scripts/peers.sh" start "$WORK/peers" ssh >"$WORK/peers.log" 2>&1 </dev/null || { cat "$WORK/peers.log" >&2; exit 1; }
# shellcheck disable=SC1091
. "$WORK/peers/peers.env"
python3 "$ROOT/bench/gen_vtebench.py" "$WORK/vte.bin" "$MB" >&2

# One X server for everything; each run is timed inside it.
cat > "$WORK/runs.sh" <<INNER
#!/bin/sh
set -eu
for i in \$(seq 1 $RUNS); do
  s=\$(date +%s.%N); xterm -geometry 80x24 -e cat "$WORK/vte.bin"; e=\$(date +%s.%N)
  echo "xterm \$(echo "\$e - \$s" | bc)"
  "$BIN" throughput "$WORK/vte.bin" 80 24 2>/dev/null | sed 's/^/skydeck /'
done
"$BIN" latency 300 2>/dev/null
"$BIN" latency-ssh 300 2>/dev/null
INNER
chmod +x "$WORK/runs.sh"
xvfb-run -a -s "-screen 0 1280x800x24" "$WORK/runs.sh" | tee "$WORK/raw.txt" >&2
QT_QPA_PLATFORM=offscreen "$BIN" parse "$WORK/vte.bin" 2>/dev/null | tee -a "$WORK/raw.txt" >&2

best() { sort -n | head -1; }
XT=$(awk '/^xterm /{print $2}' "$WORK/raw.txt" | best)
SK=$(awk '/^skydeck throughput:/{print $3}' "$WORK/raw.txt" | best)
RATIO=$(echo "scale=2; $XT / $SK" | bc)
{
  echo "# Terminal benchmark ($(date -u +%Y-%m-%d), $(nproc) cores, $(uname -r))"
  echo
  echo "Input: ${MB} MB from bench/gen_vtebench.py (plain, colours, scrolling region, alternate-screen"
  echo "random writes, wide characters), \`cat\` through a local pty into an 80x24 terminal under Xvfb."
  echo "Best of $RUNS runs, wall clock until every byte is parsed and painted."
  echo
  echo "| terminal | seconds | MB/s |"
  echo "|---|---|---|"
  echo "| xterm $(xterm -version 2>/dev/null | head -1 | tr -d '()') | $XT | $(echo "scale=1; $MB / $XT" | bc) |"
  echo "| Skydeck TerminalWidget | $SK | $(echo "scale=1; $MB / $SK" | bc) |"
  echo
  echo "Skydeck is **${RATIO}x** xterm (aim: 5x)."
  echo
  echo '```'
  cat "$WORK/raw.txt"
  echo '```'
  echo
  echo "Latency: keystroke event to the painted frame showing the tty's echo, 300 keys spaced 25 ms,"
  echo "over a local pty (\`cat\`) and over SSH to a loopback sshd (a ShellChannel, the remote tty echoing;"
  echo "aim: under 10 ms):"
  echo
  grep '^latency' "$WORK/raw.txt" | sed 's/^/    /'
  echo
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores."
} > "$OUT"
echo "wrote $OUT" >&2
