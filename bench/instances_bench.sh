#!/usr/bin/env bash
# The VMs listing bench (issue 4): 1,000 instances over 10 regions, one moto per region (as AWS has
# one EC2 endpoint per region, each served on its own) plus one for the other regions, behind
# bench/region_proxy.py (routes by the SigV4 credential scope's region), so Skydeck's one EC2
# endpoint override still applies. Measures:
#  - the proxy's own cost: one region's DescribeInstances direct vs through the proxy (curl),
#  - bench_instances: each region alone, then the InstanceModel's whole refresh in a shown table,
#  - `skydeck vm list --json`: every region, and each region alone (--region), with the motos' CPU.
# Usage: bench/instances_bench.sh BUILD_DIR   (configure BUILD_DIR with -DSKYDECK_BUILD_BENCH=ON)
set -euo pipefail
BUILD=${1:?build dir}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT
REGIONS=us-east-1,us-east-2,us-west-1,us-west-2,eu-west-1,eu-west-2,eu-central-1,eu-north-1,ap-southeast-1,ap-northeast-1
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; echo "bench: port $1 never opened" >&2; exit 1; }
declare -A PORT
ROUTES=()
for r in ${REGIONS//,/ } other; do
  PORT[$r]=$(free_port)
  python3 -m moto.server -H 127.0.0.1 -p "${PORT[$r]}" >"$TMP/moto-$r.log" 2>&1 &
  PIDS+=($!)
  [ "$r" = other ] || ROUTES+=("$r=http://127.0.0.1:${PORT[$r]}")
done
MOTO_PIDS=("${PIDS[@]}")
PROXY=$(free_port)
python3 "$HERE/region_proxy.py" "$PROXY" "http://127.0.0.1:${PORT[other]}" "${ROUTES[@]}" &
PIDS+=($!)
for r in ${REGIONS//,/ } other; do wait_port "${PORT[$r]}"; done
wait_port "$PROXY"
ENDPOINT=http://127.0.0.1:$PROXY
python3 - "$ENDPOINT" "$REGIONS" <<'PY'
import sys, boto3
endpoint, regions = sys.argv[1], sys.argv[2].split(",")
for r in regions:
    ec2 = boto3.client("ec2", region_name=r, endpoint_url=endpoint,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    types = ["g4dn.xlarge", "g5.xlarge", "p3.2xlarge", "t3.medium"]
    for i, t in enumerate(types):
        n = 25
        res = ec2.run_instances(ImageId="ami-12c6146b", MinCount=n, MaxCount=n, InstanceType=t,
                                TagSpecifications=[{"ResourceType": "instance",
                                                    "Tags": [{"Key": "Name", "Value": f"bench-{r}-{t}"}]}])
        if i % 2:
            ec2.stop_instances(InstanceIds=[x["InstanceId"] for x in res["Instances"]])
print("seeded", len(regions) * 100, "instances, one moto per region", file=sys.stderr)
PY
# Each moto holds only its own region's instances.
for r in ${REGIONS//,/ }; do
  grep -q 'POST / ' "$TMP/moto-$r.log" || { echo "bench: moto for $r received nothing" >&2; exit 1; }
done

# 1. The proxy's cost: DescribeInstances (100 instances) of us-east-1, direct vs proxied, median of 9.
AUTH="AWS4-HMAC-SHA256 Credential=testing/$(date -u +%Y%m%d)/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0"
describe_ms() {
  for _ in $(seq 9); do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: $AUTH" \
      --data 'Action=DescribeInstances&Version=2016-11-15' "$1"
  done | sort -n | sed -n 5p | awk '{printf "%.1f", $1 * 1000}'
}
echo "proxy check, us-east-1 DescribeInstances (median of 9): direct $(describe_ms "http://127.0.0.1:${PORT[us-east-1]}/") ms, through the proxy $(describe_ms "$ENDPOINT/") ms"
# The servers' floor: every region's DescribeInstances at once (curl, one connection each), direct
# and through the proxy; best of 3.
all_at_once_ms() { # 1: direct|proxy
  local best=999999 t0 t1 r url cp
  for _ in 1 2 3; do
    cp=(); t0=$(date +%s%N)
    for r in ${REGIONS//,/ }; do
      url=$ENDPOINT/; [ "$1" = direct ] && url=http://127.0.0.1:${PORT[$r]}/
      curl -s -o /dev/null -H "Authorization: ${AUTH/us-east-1/$r}" --data 'Action=DescribeInstances&Version=2016-11-15' "$url" &
      cp+=($!)
    done
    wait "${cp[@]}"
    t1=$(( ($(date +%s%N) - t0) / 1000000 )); [ "$t1" -lt "$best" ] && best=$t1
  done
  echo "$best"
}
echo "servers' floor, the 10 regions' DescribeInstances at once (best of 3): direct $(all_at_once_ms direct) ms, through the proxy $(all_at_once_ms proxy) ms"

# 2. The InstanceModel.
QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen} "$BUILD/bench/bench_instances" --endpoint "$ENDPOINT" --regions "$REGIONS" --runs "${RUNS:-5}"

# 3. skydeck vm list, with the CPU the motos spent (utime+stime, clock ticks -> ms).
export HOME=$TMP/home AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
export AWS_ENDPOINT_URL_EC2=$ENDPOINT
unset GOOGLE_APPLICATION_CREDENTIALS AZURE_TENANT_ID AZURE_CLIENT_ID AZURE_CLIENT_SECRET
mkdir -p "$HOME"
TICK=$(getconf CLK_TCK)
moto_cpu() { local t=0 p; for p in "${MOTO_PIDS[@]}"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $((t * 1000 / TICK)); }
ms() { echo $(( $(date +%s%N) / 1000000 )); }
list_ms() { # args...: prints "wall_ms moto_cpu_ms count"
  local c0 c1 t0 t1
  c0=$(moto_cpu); t0=$(ms); "$BUILD/app/skydeck" vm list --json "$@" >"$TMP/list.json"; t1=$(ms); c1=$(moto_cpu)
  echo "$((t1 - t0)) $((c1 - c0)) $(/usr/bin/python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$TMP/list.json")"
}
list_ms >/dev/null  # warm-up
read -r all_ms all_cpu all_n < <(list_ms)
slowest=0; slowest_region=; sum=0; cpu_sum=0
for r in ${REGIONS//,/ }; do
  read -r t c _ < <(list_ms --region "$r")
  sum=$((sum + t)); cpu_sum=$((cpu_sum + c)); [ "$t" -gt "$slowest" ] && slowest=$t && slowest_region=$r
done
echo "vm list --json, every region: $all_ms ms ($all_n instances; motos' CPU $all_cpu ms)"
echo "vm list --region R, slowest: $slowest ms ($slowest_region); the 10 one after another: $sum ms (motos' CPU $cpu_sum ms)"
awk -v a="$all_ms" -v s="$slowest" 'BEGIN { printf "vm list ratio: %.2fx the slowest region alone\n", a / s }'
echo "cores $(nproc), load average $(cut -d' ' -f1-3 /proc/loadavg)"
