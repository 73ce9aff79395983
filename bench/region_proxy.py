#!/usr/bin/env python3
"""A region-routing reverse proxy for the VMs benches: one address in front of one moto per region,
the way AWS has one EC2 endpoint per region. Each request goes to the backend of the region in its
SigV4 credential scope (Authorization: ... Credential=AKID/DATE/REGION/ec2/aws4_request), or to the
default backend; the response (status, headers, body) comes back unchanged, streamed.

  region_proxy.py PORT DEFAULT_URL [REGION=URL ...]

Standard library only. One thread per client connection, one kept-alive upstream connection per
thread and backend, so regions asked together are served together.
"""
import http.client
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([a-z0-9-]+)/")
HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    backends = {}
    default = None
    local = threading.local()

    def log_message(self, *args):
        pass

    def backend(self):
        m = SCOPE.search(self.headers.get("Authorization", ""))
        return self.backends.get(m.group(1), self.default) if m else self.default

    def upstream(self, netloc):
        conns = getattr(self.local, "conns", None)
        if conns is None:
            conns = self.local.conns = {}
        if netloc not in conns:
            conns[netloc] = http.client.HTTPConnection(netloc, timeout=120)
        return conns[netloc]

    def forward(self):
        length = int(self.headers.get("Content-Length", 0) or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        netloc = self.backend()
        for attempt in (0, 1):  # a kept-alive upstream connection the backend closed: retry once
            conn = self.upstream(netloc)
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                break
            except (http.client.HTTPException, OSError):
                conn.close()
                if attempt:
                    raise
        self.send_response_only(resp.status, resp.reason)
        known = resp.getheader("Content-Length") is not None
        for k, v in resp.getheaders():
            if k.lower() not in HOP:
                self.send_header(k, v)
        if not known:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        while True:
            chunk = resp.read(65536)
            if not chunk:
                break
            self.wfile.write(chunk)
        if resp.will_close:
            conn.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = forward


def main():
    port, default = int(sys.argv[1]), sys.argv[2]
    Handler.default = urlsplit(default).netloc
    for arg in sys.argv[3:]:
        region, url = arg.split("=", 1)
        Handler.backends[region] = urlsplit(url).netloc
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
