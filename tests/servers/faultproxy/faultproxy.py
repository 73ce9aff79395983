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
"""
import argparse
import http.client
import http.server
import json
import os
import random
import socket
import struct
import sys
import threading
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
        self.stats = {"requests": 0, "slowdowns": 0, "upload_resets": 0, "download_resets": 0}
        self.stats_path = stats_path

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

    def _save(self):
        if not self.stats_path:
            return
        tmp = self.stats_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.stats, f)
        os.replace(tmp, self.stats_path)


def make_handler(upstream, faults):
    up = urllib.parse.urlsplit(upstream)

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
            fault = faults.pick(self.command, length > 0)
            if fault == "reset" and self.command == "PUT":
                self.rfile.read(length // 2)
                return self.reset()
            body = self.rfile.read(length) if length else b""
            if fault == "slowdown":
                doc = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
                       b"<Message>Please reduce your request rate.</Message></Error>")
                self.send_response(503, "Slow Down")
                self.send_header("Content-Type", "application/xml")
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
    args = ap.parse_args()
    faults = Faults(args.seed, args.slowdowns, args.window, args.upload_resets, args.download_resets, args.stats)
    faults._save()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(args.upstream, faults))
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
