#!/usr/bin/python3
"""A stand-in for `jupyter-lab` where JupyterLab cannot be installed (Debian 12 has no package of
it): at the process level it does what jupyter_server 2.x under JupyterLab 4 does when "Open
Jupyter" starts it, so the Lab path is tested end to end against the real sshd.

- Options as Jupyter reads them: --ip=, --port=, --port-retries= (the next free port when taken),
  --no-browser, --allow-root, --ServerApp.*= (accepted, ignored).
- The token from JUPYTER_TOKEN (else a new one), as jupyter_server's IdentityProvider takes it.
- The runtime file jpserver-PID.json in $JUPYTER_RUNTIME_DIR (else ~/.local/share/jupyter/runtime),
  removed on SIGTERM, as `jupyter server list` reads it.
- Its log in jupyter_server 2's words: "[I ...] Jupyter Server 2.14.2 is running at:", the [C]
  block with "To access the server..." and the URLs, the token elided ("?token=...").
- HTTP: /api/status answers 200 with `Authorization: token T` (or ?token=T) and 403 without; /lab
  and / answer 200 with the token, else a redirect to /login.
- When FAKE_JUPYTER_RECORD names a file, writes there what it was started with (argv, cwd, whether
  the token came from the environment) for the test to check.

Where each behaviour is documented (jupyter_server 2.x, https://github.com/jupyter-server/jupyter_server):
- the options: `jupyter server --help-all`, the jupyter-server(1) man page (--ip "Default:
  'localhost'", --port "Default: 8888", --port-retries "The number of additional ports to try if
  the specified port is not available. Default: 50", --no-browser, --allow-root);
- the token: IdentityProvider.token in jupyter_server/auth/identity.py ("The token can be read from
  the file referenced by JUPYTER_TOKEN_FILE or set directly with the JUPYTER_TOKEN environment
  variable. When no password is enabled, the default is to generate a new, random token.");
- where the token is accepted: docs/source/operators/security.rst ("in the Authorization header,
  e.g.: Authorization: token abcdef... / In a URL parameter, e.g.: https://my-server/tree/?token=abcdef...
  / In the password field of the login form that will be shown to you if you are not logged in");
  an API handler answers 403 where a page redirects to the login form (APIHandler.get_login_url in
  jupyter_server/base/handlers.py: "instead of redirecting, raise 403 instead");
- the runtime file: ServerApp.info_file, "jpserver-{pid}.json" in the runtime dir, the fields
  ServerApp.server_info() writes, read by `jupyter server list` (list_running_servers);
- the log: ServerApp.start_app / _get_urlparts (the token shown as "..." when it was not generated,
  i.e. given by the user or JUPYTER_TOKEN), and the "could not be started because no available port
  could be found" critical record of ServerApp.init_httpserver.
"""
import datetime
import errno
import http.server
import json
import os
import secrets
import signal
import sys
import urllib.parse


def log(level, text):
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    sys.stderr.write(f"[{level} {stamp} ServerApp] {text}\n")
    sys.stderr.flush()


def main():
    opts = {}
    for a in sys.argv[1:]:
        if a.startswith("--") and "=" in a:
            k, v = a[2:].split("=", 1)
            opts[k] = v
    token_from_env = bool(os.environ.get("JUPYTER_TOKEN"))
    token = os.environ.get("JUPYTER_TOKEN") or secrets.token_hex(24)
    ip = opts.get("ip", "localhost")
    port = int(opts.get("port", "8888"))
    retries = int(opts.get("port-retries", "50"))
    record = os.environ.get("FAKE_JUPYTER_RECORD")
    if record:
        with open(record, "w") as f:
            json.dump({"argv": sys.argv, "cwd": os.getcwd(), "token_from_env": token_from_env}, f)

    class Handler(http.server.BaseHTTPRequestHandler):
        def authorized(self):
            if self.headers.get("Authorization", "") == "token " + token:
                return True
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            return query.get("token", [""])[0] == token

        def answer(self, code, body, headers=()):
            data = body.encode()
            self.send_response(code)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            path = urllib.parse.urlsplit(self.path).path
            if path == "/api/status":
                if self.authorized():
                    self.answer(200, json.dumps({"connections": 0, "kernels": 0}), [("Content-Type", "application/json")])
                else:
                    self.answer(403, json.dumps({"message": "Forbidden", "reason": None}))
            elif path in ("/", "/lab"):
                if self.authorized():
                    self.answer(200, "<html><title>JupyterLab</title>fake lab</html>", [("Content-Type", "text/html")])
                else:
                    self.answer(302, "", [("Location", "/login?next=%2Flab")])
            else:
                self.answer(404, "not found")

        def log_message(self, fmt, *args):
            log("I", "%s %s" % (self.command, self.path.split("?")[0]))

    server = None
    for p in range(port, port + retries + 1):
        try:
            server = http.server.HTTPServer((ip, p), Handler)
            break
        except OSError as e:
            if e.errno != errno.EADDRINUSE:
                raise
            log("I", f"The port {p} is already in use, trying another port.")
    if server is None:
        log("C", "ERROR: the Jupyter server could not be started because no available port could be found.")
        sys.exit(1)
    port = server.server_address[1]

    runtime = os.environ.get("JUPYTER_RUNTIME_DIR") or os.path.expanduser("~/.local/share/jupyter/runtime")
    os.makedirs(runtime, mode=0o700, exist_ok=True)
    info_file = os.path.join(runtime, f"jpserver-{os.getpid()}.json")
    url = f"http://{ip}:{port}/"
    with open(info_file, "w") as f:
        json.dump({"base_url": "/", "hostname": ip, "password": False, "pid": os.getpid(), "port": port,
                   "root_dir": os.getcwd(), "secure": False, "sock": "", "token": token, "url": url,
                   "version": "2.14.2"}, f, indent=2, sort_keys=True)

    def stop(*_):
        try:
            os.remove(info_file)
        except OSError:
            pass
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    log("I", "Extension package jupyterlab took 0.1000s to import")
    log("I", f"Serving notebooks from local directory: {os.getcwd()}")
    log("I", "Jupyter Server 2.14.2 is running at:")
    log("I", f"{url}lab?token=...")
    log("I", f"    {url}lab?token=...")
    log("I", "Use Control-C to stop this server and shut down all kernels (twice to skip confirmation).")
    log("C", f"\n\n    To access the server, open this file in a browser:\n        file://{runtime}/jpserver-{os.getpid()}-open.html\n"
             f"    Or copy and paste one of these URLs:\n        {url}lab?token=...\n        {url}lab?token=...")
    server.serve_forever()


if __name__ == "__main__":
    main()
