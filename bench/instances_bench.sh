#!/usr/bin/env bash
# The VMs listing bench (issue 4): 1,000 instances over 10 regions in a moto of its own, listed by
# bench_instances (each region alone, then the InstanceModel's whole refresh in a shown table).
# Usage: bench/instances_bench.sh BUILD_DIR   (configure BUILD_DIR with -DSKYDECK_BUILD_BENCH=ON)
set -euo pipefail
BUILD=${1:?build dir}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
cleanup() { [ -f "$TMP/moto.pid" ] && kill "$(cat "$TMP/moto.pid")" 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m moto.server -H 127.0.0.1 -p "$PORT" >"$TMP/moto.log" 2>&1 &
echo $! >"$TMP/moto.pid"
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break; sleep 0.1; done
REGIONS=us-east-1,us-east-2,us-west-1,us-west-2,eu-west-1,eu-west-2,eu-central-1,eu-north-1,ap-southeast-1,ap-northeast-1
python3 - "$PORT" "$REGIONS" <<'PY'
import sys, boto3
port, regions = sys.argv[1], sys.argv[2].split(",")
for r in regions:
    ec2 = boto3.client("ec2", region_name=r, endpoint_url=f"http://127.0.0.1:{port}",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    types = ["g4dn.xlarge", "g5.xlarge", "p3.2xlarge", "t3.medium"]
    for i, t in enumerate(types):
        n = 25
        res = ec2.run_instances(ImageId="ami-12c6146b", MinCount=n, MaxCount=n, InstanceType=t,
                                TagSpecifications=[{"ResourceType": "instance",
                                                    "Tags": [{"Key": "Name", "Value": f"bench-{r}-{t}"}]}])
        if i % 2:
            ec2.stop_instances(InstanceIds=[x["InstanceId"] for x in res["Instances"]])
print("seeded", len(regions) * 100, "instances", file=sys.stderr)
PY
QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen} "$BUILD/bench/bench_instances" --endpoint "http://127.0.0.1:$PORT" --regions "$REGIONS" --runs "${RUNS:-5}"
