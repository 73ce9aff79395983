#!/usr/bin/python3
"""Signs requests with botocore's own signers, for tst_sigv4_botocore and tst_ec2_unit.

Reads a JSON list of requests (argv[1]) and prints a JSON list with, for each, the Authorization
header botocore.auth.S3SigV4Auth (or SigV4Auth for a case whose "service" is not s3) computes and the URL botocore.auth.S3SigV4QueryAuth presigns, both
at the request's fixed timestamp. Exit code 3 when botocore is not importable.
"""
import base64
import datetime
import json
import sys

try:
    import botocore
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError as exc:  # pragma: no cover
    print("botocore is not available: %s" % exc, file=sys.stderr)
    sys.exit(3)


class FixedClock(datetime.datetime):
    """botocore reads datetime.datetime.utcnow() (and now() in newer releases) in add_auth."""
    fixed = None

    @classmethod
    def utcnow(cls):
        return cls.fixed

    @classmethod
    def now(cls, tz=None):
        return cls.fixed if tz is None else cls.fixed.replace(tzinfo=tz)


botocore.auth.datetime.datetime = FixedClock


def sign(case):
    FixedClock.fixed = datetime.datetime.strptime(case["timestamp"], "%Y%m%dT%H%M%SZ")
    creds = Credentials(case["access_key"], case["secret"], case.get("token") or None)
    body = base64.b64decode(case.get("body_b64", ""))
    headers = {}
    for name, value in case.get("headers", []):
        headers[name] = value
    request = AWSRequest(method=case["method"], url=case["url"], headers=headers, data=body)
    service = case.get("service", "s3")
    if service == "s3":
        botocore.auth.S3SigV4Auth(creds, "s3", case["region"]).add_auth(request)
    else:  # EC2 and the other Query/JSON services: the plain signer (payload always hashed)
        botocore.auth.SigV4Auth(creds, service, case["region"]).add_auth(request)
    out = {"authorization": request.headers["Authorization"]}
    if case.get("expires"):
        presign = AWSRequest(method="GET", url=case["presign_url"], headers={}, data=b"")
        botocore.auth.S3SigV4QueryAuth(creds, "s3", case["region"], expires=case["expires"]).add_auth(presign)
        out["presigned_url"] = presign.url
    return out


def main():
    with open(sys.argv[1], "rb") as f:
        cases = json.load(f)
    json.dump({"botocore": botocore.__version__, "results": [sign(c) for c in cases]}, sys.stdout)


if __name__ == "__main__":
    main()
