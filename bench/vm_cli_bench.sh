#!/usr/bin/env bash
# `skydeck vm list` against a moto of its own: N instances over 10 regions (moto offers ~24 enabled
# regions; the rest are empty), listed as JSON. Reports the best of 3 wall times, each region alone
# (--region) for comparison, and the requests moto received (its access log) per listing.
#   bench/vm_cli_bench.sh [BUILD_DIR] [N]      (default: build, 1000)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$ROOT/build}
N=${2:-1000}
SKYDECK=$BUILD/app/skydeck
OUT=${OUT:-$ROOT/bench/results/vm-cli-latest.md}
WORK=$(mktemp -d /tmp/skydeck-vmbench.XXXXXX)
cleanup() { "$ROOT/scripts/peers.sh" stop "$WORK/peers" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
"$ROOT/scripts/peers.sh" start "$WORK/peers" ec2 >/dev/null 2>&1
# shellcheck disable=SC1091
source "$WORK/peers/peers.env"
[ -n "${SKYDECK_TEST_EC2_ENDPOINT:-}" ] || { echo "bench: no moto (scripts/setup.sh)" >&2; exit 1; }
REGIONS=us-east-1,us-east-2,us-west-1,us-west-2,eu-west-1,eu-west-2,eu-central-1,eu-north-1,ap-southeast-1,ap-northeast-1
# Reservations of 10 (moto pages DescribeInstances by reservation, EC2 by instance).
python3 - "$SKYDECK_TEST_EC2_ENDPOINT" "$REGIONS" "$N" <<'PY'
import sys, boto3
endpoint, regions, n = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3])
per = n // len(regions)
for r in regions:
    ec2 = boto3.client("ec2", region_name=r, endpoint_url=endpoint,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    for i in range(0, per, 10):
        t = ["g5.xlarge", "p4d.24xlarge", "t3.medium"][i // 10 % 3]
        ec2.run_instances(ImageId="ami-12c6146b", MinCount=10, MaxCount=10, InstanceType=t,
                          TagSpecifications=[{"ResourceType": "instance",
                                              "Tags": [{"Key": "Name", "Value": f"bench-{r}-{i}"}]}])
PY
export HOME=$WORK/home AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
export AWS_ENDPOINT_URL_EC2=$SKYDECK_TEST_EC2_ENDPOINT
unset GOOGLE_APPLICATION_CREDENTIALS AZURE_TENANT_ID AZURE_CLIENT_ID AZURE_CLIENT_SECRET
mkdir -p "$HOME"
LOG=$WORK/peers/ec2.log
ms() { echo $(( $(date +%s%N) / 1000000 )); }  # not python: pyenv's shim alone takes seconds on a loaded machine
run_list() { # args...: prints "ms requests count"
  local before after t0 t1 count
  before=$(grep -c 'POST / ' "$LOG" || true)
  t0=$(ms); "$SKYDECK" vm list --json "$@" >"$WORK/list.json"; t1=$(ms)
  after=$(grep -c 'POST / ' "$LOG" || true)
  count=$(/usr/bin/python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$WORK/list.json")
  echo "$((t1 - t0)) $((after - before)) $count"
}
run_list >/dev/null  # moto builds each region's backend on first use
best=999999; reqs=0; count=0
for _ in 1 2 3; do
  read -r t r c < <(run_list)
  [ "$t" -lt "$best" ] && best=$t; reqs=$r; count=$c
done
slowest=0; slowest_region=; sum=0
for r in ${REGIONS//,/ }; do
  read -r t _ _ < <(run_list --region "$r")
  sum=$((sum + t)); [ "$t" -gt "$slowest" ] && slowest=$t && slowest_region=$r
done
{
  echo "# skydeck vm list against moto ($(date -u +%F))"
  echo
  echo "$count instances over 10 regions (of the ~24 moto enables), reservations of 10, default MaxResults 1000."
  echo "Wall times include the process's start and exit. $(nproc) cores, load average"
  echo "$(cut -d' ' -f1-3 /proc/loadavg) at the end (moto is one Python process: it answers one request at a time)."
  echo
  echo "| what | result |"
  echo "|---|---|"
  echo "| \`vm list --json\`, every region (best of 3) | $best ms |"
  echo "| requests moto received for it | $reqs (1 DescribeRegions, 1 DescribeInstances per region, DescribeInstanceTypes once per region with instances) |"
  echo "| each populated region alone (\`--region\`), slowest | $slowest ms ($slowest_region) |"
  echo "| the 10 regions alone, one after another | $sum ms |"
} | tee "$OUT"
