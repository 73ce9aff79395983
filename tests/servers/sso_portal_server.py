#!/usr/bin/env python3
"""A loopback IAM Identity Center (SSO) portal for Skydeck's credential tests: GetRoleCredentials.

    sso_portal_server.py [--port N] --token ACCESS_TOKEN --account 123456789012 --role ROLE
                         [--lifetime SECONDS]

Python 3 standard library only. Follows the AWS SSO Portal API reference (API version 2019-06-10):
https://docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_GetRoleCredentials.html
and its common errors (restJson1: the error type in the x-amzn-ErrorType header, a JSON body with
"message"). Checked against the AWS CLI's own SSO provider (botocore's SSOCredentialFetcher): with
AWS_ENDPOINT_URL_SSO pointing here, `aws configure list --profile P` and `aws sts get-caller-identity
--profile P` take the credentials this server gives (see the test's README section).

  GET /federation/credentials?role_name=R&account_id=A     header x-amz-sso_bearer_token: TOKEN
      200 {"roleCredentials": {"accessKeyId", "secretAccessKey", "sessionToken",
                               "expiration": <epoch milliseconds>}}
      401 UnauthorizedException      the token is missing, unknown or revoked
      403 ForbiddenException         the role is not assigned to the user in that account
      400 InvalidRequestException    role_name or account_id missing

Control API for tests (no auth, loopback only):
  GET  /_control/stats               {"getRoleCredentials": n, "unauthorized": n, "issued": [accessKeyId, ...]}
  POST /_control/config              {"lifetime": seconds}
  POST /_control/revoke              every token is refused from now on (a signed-out session)
Prints "PORT n" once it listens.
"""
import argparse
import json
import secrets
import string
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"getRoleCredentials": 0, "unauthorized": 0, "issued": [], "revoked": False}


def random_id(prefix, n):
    return prefix + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(n))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sso-portal-test"

    def log_message(self, fmt, *args):
        if self.server.verbose:
            super().log_message(fmt, *args)

    def reply(self, status, body, error_type=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("x-amzn-RequestId", secrets.token_hex(16))
        if error_type:
            self.send_header("x-amzn-ErrorType", error_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, error_type, message):
        self.reply(status, {"message": message}, error_type)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(n) or b"{}") if n else {}

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/_control/stats":
            with LOCK:
                return self.reply(200, {k: v for k, v in STATE.items() if k != "revoked"})
        if url.path != "/federation/credentials":
            return self.error(404, "ResourceNotFoundException", "No such operation: " + url.path)
        q = urllib.parse.parse_qs(url.query)
        role, account = q.get("role_name", [""])[0], q.get("account_id", [""])[0]
        token = self.headers.get("x-amz-sso_bearer_token", "")
        with LOCK:
            STATE["getRoleCredentials"] += 1
            if not token or token != self.server.token or STATE["revoked"]:
                STATE["unauthorized"] += 1
                return self.error(401, "UnauthorizedException", "Session token not found or invalid")
        if not role or not account:
            return self.error(400, "InvalidRequestException", "role_name and account_id are required")
        if role != self.server.role or account != self.server.account:
            return self.error(403, "ForbiddenException", "No access")
        key = random_id("ASIA", 16)
        with LOCK:
            STATE["issued"].append(key)
            lifetime = self.server.lifetime
        self.reply(200, {"roleCredentials": {
            "accessKeyId": key,
            "secretAccessKey": secrets.token_urlsafe(30),
            "sessionToken": secrets.token_urlsafe(64),
            "expiration": int((time.time() + lifetime) * 1000),
        }})

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        body = self.body()
        with LOCK:
            if url.path == "/_control/config":
                if "lifetime" in body:
                    self.server.lifetime = float(body["lifetime"])
                return self.reply(200, {"lifetime": self.server.lifetime})
            if url.path == "/_control/revoke":
                STATE["revoked"] = True
                return self.reply(200, {})
        self.error(404, "ResourceNotFoundException", "No such operation: " + url.path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--token", required=True, help="the access token `aws sso login` would have cached")
    ap.add_argument("--account", default="123456789012")
    ap.add_argument("--role", default="SkydeckTestRole")
    ap.add_argument("--lifetime", type=float, default=3600.0, help="seconds the role credentials last")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    httpd = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    httpd.token, httpd.account, httpd.role = args.token, args.account, args.role
    httpd.lifetime, httpd.verbose = args.lifetime, args.verbose
    print(f"PORT {httpd.server_address[1]}", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
