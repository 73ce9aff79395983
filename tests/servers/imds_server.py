#!/usr/bin/env python3
"""A loopback EC2 instance metadata service (IMDSv2 only) for Skydeck's credential tests.

    imds_server.py [--port N] [--role ROLE] [--lifetime SECONDS] [--no-role]

Python 3 standard library only. Follows the EC2 User Guide:
  - https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html
    (IMDSv2: a session token from PUT /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds
    1..21600; a PUT carrying X-Forwarded-For is refused; with http-tokens "required", as here, a GET
    without a valid token answers 401 Unauthorized);
  - https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
  - https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html#instance-metadata-security-credentials
    (GET /latest/meta-data/iam/security-credentials/ names the role; .../ROLE answers
    {"Code": "Success", "LastUpdated", "Type": "AWS-HMAC", "AccessKeyId", "SecretAccessKey",
    "Token", "Expiration"} with times as 2026-01-02T03:04:05Z).
Checked against the AWS CLI (botocore's InstanceMetadataFetcher): with
AWS_EC2_METADATA_SERVICE_ENDPOINT pointing here and no other credentials, `aws configure list`
shows the keys this server gives (type iam-role).

Control API for tests (no auth, loopback only):
  GET  /_control/stats     {"tokens": n, "unauthorized": n, "credentials": n, "issued": [AccessKeyId, ...]}
  POST /_control/config    {"lifetime": seconds}
Prints "PORT n" once it listens.
"""
import argparse
import json
import secrets
import string
import threading
import time
import urllib.parse
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"tokens": 0, "unauthorized": 0, "credentials": 0, "issued": []}
TOKENS = {}  # token -> expiry (epoch seconds)
CREDS_PATH = "/latest/meta-data/iam/security-credentials/"


def iso(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "EC2ws"

    def log_message(self, fmt, *args):
        if self.server.verbose:
            super().log_message(fmt, *args)

    def reply(self, status, text, content_type="text/plain", headers=()):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        if urllib.parse.urlsplit(self.path).path != "/latest/api/token":
            return self.reply(405, "")
        if self.headers.get("X-Forwarded-For") is not None:
            return self.reply(403, "")
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds", "")
        if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return self.reply(400, "")
        token = secrets.token_urlsafe(40)
        with LOCK:
            TOKENS[token] = time.time() + int(ttl)
            STATE["tokens"] += 1
        self.reply(200, token, headers=[("X-aws-ec2-metadata-token-ttl-seconds", ttl)])

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        n = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(n) or b"{}") if n else {}
        if url.path == "/_control/config":
            with LOCK:
                if "lifetime" in body:
                    self.server.lifetime = float(body["lifetime"])
                return self.reply(200, json.dumps({"lifetime": self.server.lifetime}), "application/json")
        self.reply(405, "")

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        if path == "/_control/stats":
            with LOCK:
                return self.reply(200, json.dumps(STATE), "application/json")
        token = self.headers.get("X-aws-ec2-metadata-token", "")
        with LOCK:
            if TOKENS.get(token, 0) < time.time():
                STATE["unauthorized"] += 1
                return self.reply(401, "")
        role = self.server.role
        if path == CREDS_PATH:
            return self.reply(200, role) if role else self.reply(404, "")
        if role and path == CREDS_PATH + role:
            now = time.time()
            key = "ASIA" + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(16))
            with LOCK:
                STATE["credentials"] += 1
                STATE["issued"].append(key)
                lifetime = self.server.lifetime
            return self.reply(200, json.dumps({
                "Code": "Success",
                "LastUpdated": iso(now),
                "Type": "AWS-HMAC",
                "AccessKeyId": key,
                "SecretAccessKey": secrets.token_urlsafe(30),
                "Token": secrets.token_urlsafe(64),
                "Expiration": iso(now + lifetime),
            }, indent=2))
        self.reply(404, "")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--role", default="skydeck-instance-role")
    ap.add_argument("--no-role", action="store_true", help="an instance without an instance profile")
    ap.add_argument("--lifetime", type=float, default=6 * 3600.0, help="seconds the role credentials last")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    httpd = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    httpd.role = "" if args.no_role else args.role
    httpd.lifetime, httpd.verbose = args.lifetime, args.verbose
    print(f"PORT {httpd.server_address[1]}", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
