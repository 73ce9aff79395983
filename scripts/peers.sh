#!/usr/bin/env bash
# Starts and stops the loopback test peers. Each listens on 127.0.0.1 on a free port; their
# addresses go to DIR/peers.env (source it), their PIDs to DIR/*.pid.
#   scripts/peers.sh start DIR [peer...]   (default: all peers)
#   scripts/peers.sh stop DIR
# Peers: s3 (s3rver).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NODE_BIN=$ROOT/scripts/peers-node/node_modules/.bin
cmd=${1:?usage: peers.sh start|stop DIR [peer...]}
DIR=${2:?usage: peers.sh start|stop DIR [peer...]}
shift 2 || true

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

wait_port() { # port name pid
  for _ in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$3" 2>/dev/null || { echo "peers: $2 exited; see $DIR/$2.log" >&2; tail -20 "$DIR/$2.log" >&2; return 1; }
    sleep 0.05
  done
  echo "peers: $2 did not listen on $1" >&2; return 1
}

start_s3() {
  local port; port=$(free_port)
  mkdir -p "$DIR/s3rver-data"
  # s3rver encrypts continuation tokens with DES, which Node 20's OpenSSL refuses without this.
  NODE_OPTIONS=--openssl-legacy-provider setsid "$NODE_BIN/s3rver" -d "$DIR/s3rver-data" -a 127.0.0.1 -p "$port" \
    --silent >"$DIR/s3.log" 2>&1 &
  echo $! >"$DIR/s3.pid"
  wait_port "$port" s3 "$!"
  {
    echo "export SKYDECK_TEST_S3_ENDPOINT=http://127.0.0.1:$port"
    echo "export SKYDECK_TEST_S3_ACCESS_KEY=S3RVER"
    echo "export SKYDECK_TEST_S3_SECRET_KEY=S3RVER"
  } >>"$DIR/peers.env"
}

case "$cmd" in
  start)
    mkdir -p "$DIR"; : >"$DIR/peers.env"
    peers=("$@"); [ ${#peers[@]} -gt 0 ] || peers=(s3)
    for p in "${peers[@]}"; do "start_$p"; done
    echo "peers: started ${peers[*]} ($DIR/peers.env)" >&2 ;;
  stop)
    for f in "$DIR"/*.pid; do
      [ -e "$f" ] || continue
      pid=$(cat "$f"); kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; rm -f "$f"
    done ;;
  *) echo "usage: peers.sh start|stop DIR [peer...]" >&2; exit 2 ;;
esac
