#!/usr/bin/env bash
# SFTP throughput on loopback: 1 GiB download and upload with OpenSSH's sftp and scp and with
# `skydeck cp` against the same sshd (the ssh peer of scripts/peers.sh). Writes
# bench/results/sftp-latest.md. Usage: bench/sftp_bench.sh [BUILD_DIR] [SIZE_MIB]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
SIZE_MIB=${2:-1024}
SKYDECK=$BUILD/app/skydeck
[ -x "$SKYDECK" ] || { echo "no $SKYDECK (build the skydeck target)"; exit 1; }
WORK=$(mktemp -d); chmod 755 "$WORK"   # sshd reads authorized_keys as the test user
P=$WORK/peers
# The test user's home is shared by every peer on the machine: names of our own, removed on exit.
SRC_NAME=bench-$$-src.bin UP_NAME=bench-$$-up.bin
cleanup() {
  [ -f "$P/peers.env" ] && ssh -F "$WORK/home/.ssh/config" peer "rm -f $SRC_NAME $UP_NAME .$UP_NAME.skydeck-*.part" >/dev/null 2>&1 || true
  "$ROOT/scripts/peers.sh" stop "$P" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
# The peers (sshd, ssh-agent) outlive this call: they must not hold our stdout/stderr, or a
# caller reading them through a pipe waits for ever.
"$ROOT/scripts/peers.sh" start "$P" ssh >"$WORK/peers.log" 2>&1 </dev/null || { cat "$WORK/peers.log"; exit 1; }
# shellcheck disable=SC1091
source "$P/peers.env"
export HOME=$WORK/home SSH_AUTH_SOCK=
mkdir -p "$HOME/.ssh"
cat >"$HOME/.ssh/config" <<CONF
Host peer
  HostName $SKYDECK_TEST_SSH_HOST
  Port $SKYDECK_TEST_SSH_PORT
  User $SKYDECK_TEST_SSH_USER
  IdentityFile $SKYDECK_TEST_SSH_KEY
  StrictHostKeyChecking accept-new
  UserKnownHostsFile $HOME/.ssh/known_hosts
CONF
chmod 600 "$HOME/.ssh/config"
SRC=$WORK/src.bin
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom >"$SRC"
REMOTE_HOME=$(ssh -F "$HOME/.ssh/config" peer pwd)
ssh -F "$HOME/.ssh/config" peer "head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > $SRC_NAME"
"$SKYDECK" ls --accept-new-host-key sftp://peer/~/ >/dev/null   # trust the host key once

secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
best() { local b=999999 t; for _ in 1 2 3; do rm -f "$WORK"/down.bin; ssh -F "$HOME/.ssh/config" peer "rm -f $UP_NAME"; t=$(secs "$@"); b=$(echo "if ($t < $b) $t else $b" | bc -l); done; echo "$b"; }

declare -A T
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
T[sftp_down]=$(best sftp -q -F "$HOME/.ssh/config" "peer:$SRC_NAME" "$WORK/down.bin")
T[scp_down]=$(best scp -q -F "$HOME/.ssh/config" "peer:$SRC_NAME" "$WORK/down.bin")
# OpenSSH with the cipher and MAC libssh2 1.10 negotiates: the fair floor for the crypto.
SAME=(-c aes128-ctr -o MACs=hmac-sha2-256)
T[same_down]=$(best sftp -q -F "$HOME/.ssh/config" "${SAME[@]}" "peer:$SRC_NAME" "$WORK/down.bin")
T[sky_down]=$(best "$SKYDECK" cp -q "sftp://peer/~/$SRC_NAME" "$WORK/down.bin")
cmp "$WORK/down.bin" <(ssh -F "$HOME/.ssh/config" peer cat "$SRC_NAME") || { echo "skydeck download differs"; exit 1; }
T[sftp_up]=$(best sh -c "echo 'put $SRC $UP_NAME' | sftp -q -b - -F '$HOME/.ssh/config' peer")
T[scp_up]=$(best scp -q -F "$HOME/.ssh/config" "$SRC" "peer:$UP_NAME")
T[same_up]=$(best sh -c "echo 'put $SRC $UP_NAME' | sftp -q -b - -F '$HOME/.ssh/config' -c aes128-ctr -o MACs=hmac-sha2-256 peer")
T[sky_up]=$(best "$SKYDECK" cp -q "$SRC" "sftp://peer/~/$UP_NAME")
cmp "$SRC" "$REMOTE_HOME/$UP_NAME" 2>/dev/null || cmp "$SRC" <(ssh -F "$HOME/.ssh/config" peer cat "$UP_NAME") || { echo "skydeck upload differs"; exit 1; }

mibs() { echo "scale=0; $SIZE_MIB / $1" | bc -l; }
ratio() { echo "scale=2; $2 / $1" | bc -l; }   # skydeck time $1 vs reference time $2: >1 = faster
CIPHER=$(ssh -F "$HOME/.ssh/config" -v peer true 2>&1 | sed -n 's/.*kex: server->client cipher: \([^ ]*\) MAC: \([^ ]*\).*/\1 \2/p' | head -1)
OUT=$ROOT/bench/results/sftp-latest.md
mkdir -p "$(dirname "$OUT")"
{
  echo "# SFTP throughput, $SIZE_MIB MiB over loopback ($(date -u +%Y-%m-%d))"
  echo
  echo "Same sshd (OpenSSH $(sshd -V 2>&1 | head -1 | cut -d, -f1 || true), internal-sftp), best of 3 runs, wall-clock including connection setup."
  echo "OpenSSH's own cipher here: $CIPHER; Skydeck uses libssh2 $(pkg-config --modversion libssh2) (no chacha20/GCM in 1.10: aes-ctr + hmac-sha2)."
  echo "Machine: $(nproc) cores, $(uname -r); load average before the runs: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg) (the loopback server shares the cores)."
  echo "Skydeck: ${SKYDECK_SFTP_CONNECTIONS:-4 (the default)} SSH connections for transfers (SKYDECK_SFTP_CONNECTIONS)."
  echo
  echo "| Direction | tool | seconds | MiB/s | Skydeck ÷ tool (throughput) |"
  echo "|---|---|---:|---:|---:|"
  for d in down up; do
    name=$([ $d = down ] && echo download || echo upload)
    for tool in sftp same scp sky; do
      t=${T[${tool}_$d]}
      r=$([ $tool = sky ] && echo "—" || ratio "${T[sky_$d]}" "$t")
      case $tool in
        sky) label="skydeck cp" ;;
        same) label="OpenSSH sftp, aes128-ctr + hmac-sha2-256" ;;
        *) label="OpenSSH $tool" ;;
      esac
      printf '| %s | %s | %.2f | %s | %s |\n' "$name" "$label" "$t" "$(mibs "$t")" "$r"
    done
  done
} >"$OUT"
cat "$OUT"
