#!/usr/bin/env python3
"""A loopback HTTP/1.1 proxy that forwards to an S3 endpoint (s3rver) and injects faults.

    faultproxy.py --upstream http://127.0.0.1:PORT --seed N [--slowdowns 4] [--window 14]
                  [--upload-resets 2] [--download-resets 2] [--stats FILE]

Prints "PORT <n>" on stdout once listening. Faults are bounded and deterministic for a seed and a
request order. The seed picks:
  - which request numbers (1-based, within the first --window requests) get a "503 SlowDown" error
    document instead of being forwarded;
  - which uploads (PUTs with a body, counted 1, 2, ... among the first 5) are reset halfway
    through their body, before anything reaches the upstream;
  - which downloads (GETs, counted among the first 5) are reset halfway through the response body.
Counts of what was really done go to --stats as JSON after every request. Standard library only.

--stall-uploads-after N: once N PUTs with a body have been answered by the upstream, every later
one is read and never answered (a connection that hangs mid-upload: what a client killed then
leaves behind). The stats count "puts_forwarded" and "puts_stalled".

--credential-lifetime S: S3's own check of temporary credentials, sped up: a set of credentials
(its X-Amz-Security-Token, else the Credential= key of the Authorization header) is good for S
seconds from the first request the proxy saw signed with it; later requests signed with it are
answered "400 ExpiredToken" (the error document
of https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html: "The provided token has
expired."), without reaching the upstream. The stats count "expired_refusals" and "credentials_seen".

In front of EC2's Query API (moto's server) use --error-doc ec2: the injected throttling is then
EC2's "503 RequestLimitExceeded" document (<Response><Errors><Error>...). --ec2-state-rules adds
what moto leaves out: Start/Stop/RebootInstances on a terminated or shutting-down instance answer
"400 IncorrectInstanceState", as EC2 does (the proxy asks the upstream's DescribeInstances first).
"""
import argparse
import http.client
import http.server
import json
import os
import random
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}


class Faults:
    def __init__(self, seed, slowdowns, window, upload_resets, download_resets, stats_path):
        rng = random.Random(seed)
        self.slowdown_at = set(rng.sample(range(1, window + 1), slowdowns))
        self.upload_reset_at = set(rng.sample(range(1, 6), upload_resets))
        self.download_reset_at = set(rng.sample(range(1, 6), download_resets))
        self.lock = threading.Lock()
        self.requests = self.uploads = self.downloads = 0
        self.stats = {"requests": 0, "slowdowns": 0, "upload_resets": 0, "download_resets": 0,
                      "incorrect_state": 0, "puts_forwarded": 0, "puts_stalled": 0,
                      "expired_refusals": 0, "credentials_seen": 0}
        self.stats_path = stats_path
        self.stall_after = -1
        self.admitted_puts = 0
        self.key_lifetime = 0.0
        self.key_first_seen = {}

    def key_expired(self, headers):
        """True when the request is signed with credentials older than --credential-lifetime."""
        if self.key_lifetime <= 0:
            return False
        m = re.search(r"Credential=([^/,\s]+)/", headers.get("Authorization") or "")
        who = headers.get("X-Amz-Security-Token") or (m.group(1) if m else None)
        if not who:
            return False
        with self.lock:
            first = self.key_first_seen.setdefault(who, time.monotonic())
            self.stats["credentials_seen"] = len(self.key_first_seen)
            expired = time.monotonic() - first > self.key_lifetime
            if expired:
                self.stats["expired_refusals"] += 1
            self._save()
            return expired

    def pick(self, method, has_body):
        """Returns None, 'slowdown' or 'reset' for the next request."""
        with self.lock:
            self.requests += 1
            self.stats["requests"] = self.requests
            fault = None
            if self.requests in self.slowdown_at:
                fault = "slowdown"
                self.stats["slowdowns"] += 1
            elif method == "PUT" and has_body:
                self.uploads += 1
                if self.uploads in self.upload_reset_at:
                    fault = "reset"
                    self.stats["upload_resets"] += 1
            elif method == "GET":
                self.downloads += 1
                if self.downloads in self.download_reset_at:
                    fault = "reset"
                    self.stats["download_resets"] += 1
            self._save()
            return fault

    def admit_put(self):
        """False when this PUT with a body must stall (--stall-uploads-after)."""
        with self.lock:
            if self.stall_after >= 0 and self.admitted_puts >= self.stall_after:
                self.stats["puts_stalled"] += 1
                self._save()
                return False
            self.admitted_puts += 1
            return True

    def count(self, what):
        with self.lock:
            self.stats[what] += 1
            self._save()

    def _save(self):
        if not self.stats_path:
            return
        tmp = self.stats_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.stats, f)
        os.replace(tmp, self.stats_path)


S3_SLOWDOWN = (503, "Slow Down", b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
               b"<Message>Please reduce your request rate.</Message></Error>")
S3_EXPIRED_TOKEN = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>ExpiredToken</Code>'
                    b"<Message>The provided token has expired.</Message><RequestId>faultproxy-expired</RequestId></Error>")
EC2_THROTTLE = (503, "Service Unavailable", b'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
                b"<Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors>"
                b"<RequestID>faultproxy-throttle</RequestID></Response>")
EC2_STATE_ACTIONS = {"StartInstances": "started", "StopInstances": "stopped", "RebootInstances": "rebooted"}


def ec2_incorrect_state(up, headers, body):
    """EC2's IncorrectInstanceState document when the request acts on a terminated instance, else None."""
    form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
    action = form.get("Action", [""])[0]
    if action not in EC2_STATE_ACTIONS:
        return None
    ids = [v[0] for k, v in sorted(form.items()) if k.startswith("InstanceId.")]
    if not ids:
        return None
    query = {"Action": "DescribeInstances", "Version": form.get("Version", ["2016-11-15"])[0]}
    for i, iid in enumerate(ids, 1):
        query["InstanceId.%d" % i] = iid
    # The same Authorization header: moto picks the region from its credential scope.
    fwd = {k: v for k, v in headers.items() if k.lower() in ("authorization", "x-amz-date", "content-type")}
    conn = http.client.HTTPConnection(up.hostname, up.port, timeout=120)
    try:
        conn.request("POST", "/", body=urllib.parse.urlencode(query).encode(), headers=fwd)
        doc = conn.getresponse().read().decode("utf-8", "replace")
    finally:
        conn.close()
    for iid in ids:
        m = re.search(r"<instanceId>%s</instanceId>.*?<instanceState><code>\d+</code><name>([a-z-]+)</name>"
                      % re.escape(iid), doc, re.S)
        if m and m.group(1) in ("terminated", "shutting-down"):
            msg = "The instance '%s' is not in a state from which it can be %s." % (iid, EC2_STATE_ACTIONS[action])
            return (400, "Bad Request", ('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
                    "<Code>IncorrectInstanceState</Code><Message>%s</Message></Error></Errors>"
                    "<RequestID>faultproxy-state</RequestID></Response>" % msg).encode())
    return None


def make_handler(upstream, faults, error_doc="s3", ec2_state_rules=False):
    up = urllib.parse.urlsplit(upstream)
    throttle = EC2_THROTTLE if error_doc == "ec2" else S3_SLOWDOWN

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        reset_done = False

        def log_message(self, fmt, *args):  # quiet
            pass

        def reset(self):
            # SO_LINGER 0: close() sends a TCP RST, like a middlebox dropping the connection.
            try:
                self.wfile.flush()
            except OSError:
                pass
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.reset_done = True
            self.close_connection = True

        def finish(self):
            if self.reset_done:
                return
            try:
                super().finish()
            except OSError:
                pass

        def forward(self):
            length = int(self.headers.get("Content-Length") or 0)
            if faults.key_expired(self.headers):
                if length:
                    self.rfile.read(length)
                self.send_response(400, "Bad Request")
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(S3_EXPIRED_TOKEN)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(S3_EXPIRED_TOKEN)
                return
            fault = faults.pick(self.command, length > 0)
            if fault == "reset" and self.command == "PUT":
                self.rfile.read(length // 2)
                return self.reset()
            body = self.rfile.read(length) if length else b""
            is_put = self.command == "PUT" and length > 0
            if is_put and fault is None and not faults.admit_put():
                threading.Event().wait(3600)  # never answered: the client is killed meanwhile
                return self.reset()
            answer = throttle if fault == "slowdown" else None
            if answer is None and ec2_state_rules and self.command == "POST":
                answer = ec2_incorrect_state(up, self.headers, body)
                if answer:
                    faults.count("incorrect_state")
            if answer:
                status, reason, doc = answer
                self.send_response(status, reason)
                self.send_header("Content-Type", "application/xml" if error_doc == "s3" else "text/xml")
                self.send_header("Content-Length", str(len(doc)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(doc)
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            conn = http.client.HTTPConnection(up.hostname, up.port, timeout=120)
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
            finally:
                conn.close()
            self.send_response(resp.status, resp.reason)
            for k, v in resp.getheaders():
                if k.lower() not in HOP_BY_HOP and k.lower() not in ("content-length", "date", "server"):
                    self.send_header(k, v)
            self.send_header("Content-Length", resp.getheader("Content-Length") or str(len(data)))
            self.end_headers()
            if self.command == "HEAD":
                return
            if fault == "reset" and len(data) > 1:
                self.wfile.write(data[: len(data) // 2])
                return self.reset()
            self.wfile.write(data)
            if is_put:
                faults.count("puts_forwarded")

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = forward

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--slowdowns", type=int, default=4)
    ap.add_argument("--window", type=int, default=14)
    ap.add_argument("--upload-resets", type=int, default=2)
    ap.add_argument("--download-resets", type=int, default=2)
    ap.add_argument("--stats", default="")
    ap.add_argument("--error-doc", choices=("s3", "ec2"), default="s3")
    ap.add_argument("--ec2-state-rules", action="store_true")
    ap.add_argument("--stall-uploads-after", type=int, default=-1)
    ap.add_argument("--credential-lifetime", type=float, default=0.0)
    args = ap.parse_args()
    faults = Faults(args.seed, args.slowdowns, args.window, args.upload_resets, args.download_resets, args.stats)
    faults.stall_after = args.stall_uploads_after
    faults.key_lifetime = args.credential_lifetime
    faults._save()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(args.upstream, faults, args.error_doc, args.ec2_state_rules))
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
