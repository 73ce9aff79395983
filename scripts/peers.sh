#!/usr/bin/env bash
# Starts and stops the loopback test peers. Each listens on 127.0.0.1 on a free port; their
# addresses go to DIR/peers.env (source it), their PIDs to DIR/*.pid.
#   scripts/peers.sh start DIR [peer...]   (default: all peers)
#   scripts/peers.sh stop DIR
# Peers: s3 (s3rver), ssh (OpenSSH sshd + ssh-agent; creates the throwaway user skydecktest),
# gce (Compute Engine + OAuth 2.0 test server), arm (Azure Resource Manager + identity platform test server),
# ec2 (moto's server: EC2's Query API, and S3 and STS).
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

SSH_TEST_USER=skydecktest
SSH_TEST_PASSWORD=Skydeck-test-pw1
SSH_KEY_PASSPHRASE=skydeck-passphrase
start_ssh() {
  local port d; port=$(free_port); d=$DIR/ssh
  mkdir -p "$d" /run/sshd
  # sshd reads authorized_keys as the test user: DIR (often a 0700 mktemp dir) must be traversable.
  chmod o+x "$DIR"
  # A throwaway account with a known password (we run as root); created once, never reused for anything else.
  if ! id "$SSH_TEST_USER" >/dev/null 2>&1; then
    useradd -m -s /bin/bash "$SSH_TEST_USER"
    echo "$SSH_TEST_USER:$SSH_TEST_PASSWORD" | chpasswd
  fi
  ssh-keygen -q -t ed25519 -N '' -C skydeck-host -f "$d/host_ed25519"
  ssh-keygen -q -t ed25519 -N '' -C skydeck-other-host -f "$d/other_host_ed25519"   # a "changed" key
  ssh-keygen -q -t ed25519 -N '' -C skydeck-user -f "$d/id_ed25519"
  ssh-keygen -q -t ed25519 -N "$SSH_KEY_PASSPHRASE" -C skydeck-user-enc -f "$d/id_ed25519_enc"
  ssh-keygen -q -t rsa -b 3072 -N '' -C skydeck-user-rsa -m PEM -f "$d/id_rsa"
  ssh-keygen -q -t ed25519 -N '' -C skydeck-agent-only -f "$d/id_agent"
  cat "$d"/id_ed25519.pub "$d"/id_ed25519_enc.pub "$d"/id_rsa.pub "$d"/id_agent.pub >"$d/authorized_keys"
  chmod 644 "$d/authorized_keys"; chmod 755 "$d"
  # sshd's own PubkeyAcceptedAlgorithms (no ssh-rsa since OpenSSH 8.8), as on a stock server: a
  # "+ssh-rsa" here once hid that RSA keys did not log in (issue 12).
  cat >"$d/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $d/host_ed25519
AuthorizedKeysFile $d/authorized_keys
PidFile $d/sshd.pidfile
StrictModes no
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AllowUsers $SSH_TEST_USER
Subsystem sftp internal-sftp
AllowTcpForwarding yes
AllowStreamLocalForwarding yes
MaxSessions 64
MaxStartups 64:30:128
LogLevel VERBOSE
CONF
  setsid /usr/sbin/sshd -D -f "$d/sshd_config" -E "$DIR/ssh.log" </dev/null >>"$DIR/ssh.log" 2>&1 &
  echo $! >"$DIR/ssh.pid"
  wait_port "$port" ssh "$!"
  # An agent holding a key that is on no disk path the client tries: proves agent authentication.
  setsid ssh-agent -D -a "$d/agent.sock" >"$DIR/ssh-agent.log" 2>&1 &
  echo $! >"$DIR/ssh-agent.pid"
  for _ in $(seq 1 100); do [ -S "$d/agent.sock" ] && break; sleep 0.05; done
  SSH_AUTH_SOCK="$d/agent.sock" ssh-add -q "$d/id_agent"
  {
    echo "export SKYDECK_TEST_SSH_HOST=127.0.0.1"
    echo "export SKYDECK_TEST_SSH_PORT=$port"
    echo "export SKYDECK_TEST_SSH_USER=$SSH_TEST_USER"
    echo "export SKYDECK_TEST_SSH_PASSWORD=$SSH_TEST_PASSWORD"
    echo "export SKYDECK_TEST_SSH_KEY=$d/id_ed25519"
    echo "export SKYDECK_TEST_SSH_KEY_RSA=$d/id_rsa"
    echo "export SKYDECK_TEST_SSH_KEY_ENCRYPTED=$d/id_ed25519_enc"
    echo "export SKYDECK_TEST_SSH_KEY_PASSPHRASE=$SSH_KEY_PASSPHRASE"
    echo "export SKYDECK_TEST_SSH_AGENT_SOCK=$d/agent.sock"
    echo "export SKYDECK_TEST_SSH_HOST_KEY_PUB=$d/host_ed25519.pub"
    echo "export SKYDECK_TEST_SSH_OTHER_HOST_KEY_PUB=$d/other_host_ed25519.pub"
  } >>"$DIR/peers.env"
}

# Compute Engine + Google OAuth 2.0 (tests/servers/gce_server.py). The service account's RSA key is
# made here, never kept in the repo; the server writes a key JSON whose token_uri is itself, and
# authorized_user application default credentials for the refresh-token flow.
start_gce() {
  local port d; port=$(free_port); d=$DIR/gce
  mkdir -p "$d"; chmod 700 "$d"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$d/sa.pem" 2>/dev/null
  openssl pkey -in "$d/sa.pem" -pubout -out "$d/sa.pub.pem"
  setsid python3 "$ROOT/tests/servers/gce_server.py" --port "$port" --project skydeck-test \
    --public-key "$d/sa.pub.pem" --private-key "$d/sa.pem" --key-file-out "$d/sa-key.json" \
    --adc-out "$d/adc.json" --demo </dev/null >"$DIR/gce.log" 2>&1 &
  echo $! >"$DIR/gce.pid"
  wait_port "$port" gce "$!"
  {
    echo "export SKYDECK_TEST_GCE_ENDPOINT=http://127.0.0.1:$port/compute/v1/"
    echo "export SKYDECK_TEST_GCE_CONTROL=http://127.0.0.1:$port/_control"
    echo "export SKYDECK_TEST_GCE_KEY=$d/sa-key.json"
    echo "export SKYDECK_TEST_GCE_ADC=$d/adc.json"
    echo "export SKYDECK_TEST_GCE_PROJECT=skydeck-test"
  } >>"$DIR/peers.env"
}

# Azure Resource Manager + the identity platform's token endpoint (tests/servers/arm_server.py), one
# loopback port for both; a made-up tenant, service principal, user and subscription with a few demo
# VMs. The same server also listens over https (a certificate made here) for the Azure CLI, whose MSAL
# refuses an http authority: the Azure CLI tests sign in there and Skydeck reads what az wrote.
ARM_TENANT=0a1b2c3d-4e5f-4a6b-8c7d-5e6f7a8b9c0d
ARM_CLIENT_ID=5f1c2a1e-0b7d-4c55-9a43-6a0f3b1d2c4e
ARM_CLIENT_SECRET=skydeck-arm-test-secret
ARM_SUBSCRIPTION=3c9b1a52-8d2e-4f6a-b1c0-7e5d4a3f2b10
ARM_USER=ada@contoso.example
ARM_USER_PASSWORD=skydeck-arm-user-password
start_arm() {
  local port tls_port d; port=$(free_port); tls_port=$(free_port); d=$DIR/arm
  mkdir -p "$d"; chmod 700 "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/tls.key" -out "$d/tls.pem" -days 30 -subj /CN=127.0.0.1 \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2>/dev/null
  ARM_SERVER_CLIENT_SECRET=$ARM_CLIENT_SECRET ARM_SERVER_USER_PASSWORD=$ARM_USER_PASSWORD \
  setsid python3 "$ROOT/tests/servers/arm_server.py" --port "$port" --tenant "$ARM_TENANT" \
    --client-id "$ARM_CLIENT_ID" --subscription "$ARM_SUBSCRIPTION" --demo \
    --user "$ARM_USER" --user-password-env ARM_SERVER_USER_PASSWORD \
    --tls-port "$tls_port" --tls-cert "$d/tls.pem" --tls-key "$d/tls.key" \
    </dev/null >"$DIR/arm.log" 2>&1 &
  echo $! >"$DIR/arm.pid"
  wait_port "$port" arm "$!"
  wait_port "$tls_port" arm "$!"
  {
    echo "export SKYDECK_TEST_ARM_ENDPOINT=http://127.0.0.1:$port"   # Resource Manager and the authority host
    echo "export SKYDECK_TEST_ARM_CONTROL=http://127.0.0.1:$port/_control"
    echo "export SKYDECK_TEST_ARM_TLS_ENDPOINT=https://127.0.0.1:$tls_port"  # the same server over https
    echo "export SKYDECK_TEST_ARM_TLS_CA=$d/tls.pem"
    echo "export SKYDECK_TEST_ARM_TENANT=$ARM_TENANT"
    echo "export SKYDECK_TEST_ARM_CLIENT_ID=$ARM_CLIENT_ID"
    echo "export SKYDECK_TEST_ARM_CLIENT_SECRET=$ARM_CLIENT_SECRET"
    echo "export SKYDECK_TEST_ARM_SUBSCRIPTION=$ARM_SUBSCRIPTION"
    echo "export SKYDECK_TEST_ARM_USER=$ARM_USER"
    echo "export SKYDECK_TEST_ARM_USER_PASSWORD=$ARM_USER_PASSWORD"
  } >>"$DIR/peers.env"
}

# EC2 (and another S3) from moto's server (scripts/setup.sh installs it when python3 lacks it). moto
# checks no signature by default; its instances change state at once (stop: stopped). Without moto the
# peer is left out with a warning: its tests then skip, or fail under CI=true.
start_ec2() {
  local port py=
  for c in python3 /usr/bin/python3; do
    if command -v "$c" >/dev/null && "$c" -c 'import moto.server' 2>/dev/null; then py=$c; break; fi
  done
  if [ -z "$py" ]; then
    echo "peers: ec2 left out: moto is not installed for python3 (scripts/setup.sh installs it with pip)" >&2
    return 0
  fi
  port=$(free_port)
  setsid "$py" -m moto.server -H 127.0.0.1 -p "$port" </dev/null >"$DIR/ec2.log" 2>&1 &
  echo $! >"$DIR/ec2.pid"
  wait_port "$port" ec2 "$!"
  {
    echo "export SKYDECK_TEST_EC2_ENDPOINT=http://127.0.0.1:$port"
    echo "export SKYDECK_TEST_EC2_ACCESS_KEY=testing"
    echo "export SKYDECK_TEST_EC2_SECRET_KEY=testing"
    # The same moto serves S3 (what LocalStack serves): the S3 tests run against it too.
    echo "export SKYDECK_TEST_MOTO_S3_ENDPOINT=http://127.0.0.1:$port"
    echo "export SKYDECK_TEST_MOTO_S3_ACCESS_KEY=testing"
    echo "export SKYDECK_TEST_MOTO_S3_SECRET_KEY=testing"
    # And STS (AssumeRole, AssumeRoleWithWebIdentity, GetCallerIdentity): the credential tests.
    echo "export SKYDECK_TEST_MOTO_STS_ENDPOINT=http://127.0.0.1:$port"
  } >>"$DIR/peers.env"
  # A second moto that checks IAM and SigV4 after its first six calls, which make an all-allowed user
  # and an ec2:Describe*-only user (tests/servers/moto_auth_setup.py prints their keys).
  port=$(free_port)
  INITIAL_NO_AUTH_ACTION_COUNT=6 setsid "$py" -m moto.server -H 127.0.0.1 -p "$port" </dev/null >"$DIR/ec2auth.log" 2>&1 &
  echo $! >"$DIR/ec2auth.pid"
  wait_port "$port" ec2auth "$!"
  "$py" "$ROOT/tests/servers/moto_auth_setup.py" "http://127.0.0.1:$port" >>"$DIR/peers.env"
  echo "export SKYDECK_TEST_EC2_AUTH_ENDPOINT=http://127.0.0.1:$port" >>"$DIR/peers.env"
}

case "$cmd" in
  start)
    mkdir -p "$DIR"; : >"$DIR/peers.env"
    peers=("$@"); [ ${#peers[@]} -gt 0 ] || peers=(s3 ssh gce arm ec2)
    for p in "${peers[@]}"; do "start_$p"; done
    echo "peers: started ${peers[*]} ($DIR/peers.env)" >&2 ;;
  stop)
    for f in "$DIR"/*.pid; do
      [ -e "$f" ] || continue
      pid=$(cat "$f"); kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; rm -f "$f"
    done ;;
  *) echo "usage: peers.sh start|stop DIR [peer...]" >&2; exit 2 ;;
esac
