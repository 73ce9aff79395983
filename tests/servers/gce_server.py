#!/usr/bin/env python3
"""A loopback Compute Engine v1 + Google OAuth 2.0 token server for Skydeck's tests and sandbox.

    gce_server.py --port N --project P --client-email E (--public-key SA.pub.pem | --private-key SA.pem)
                  [--key-file-out KEY.json]                  (writes a service-account key; needs --private-key)
                  [--adc-out ADC.json]                                  (writes authorized_user ADC)
                  [--token-lifetime 3600] [--step-delay 0.3] [--demo]

Python 3 standard library only (RS256 checked by `openssl dgst`, or `cryptography` when importable).
Every handler names the reference page it follows. What it serves:

  POST /token                                  OAuth 2.0 token endpoint (JWT bearer + refresh_token)
  POST /v1/projects/-/serviceAccounts/SA:generateAccessToken   IAM Service Account Credentials API
                                               (service-account impersonation)
  GET  /compute/v1/projects/P/aggregated/instances
  GET  /compute/v1/projects/P/zones/Z/instances[/NAME]
  POST /compute/v1/projects/P/zones/Z/instances                       (insert)
  POST /compute/v1/projects/P/zones/Z/instances/NAME/{start,stop,reset,suspend,resume}
  DELETE /compute/v1/projects/P/zones/Z/instances/NAME
  GET  /compute/v1/projects/P/zones/Z/operations/OP
  POST /compute/v1/projects/P/zones/Z/operations/OP/wait

Control API for tests (no auth, loopback only), JSON bodies:
  POST /_control/seed                {"instances":[{zone,name,machineType,status,gpus:[type,n],spot}], "zones":[..]}
                                     or {"generate":N,"zones":[..],"generateZones":[..]}: N instances spread
                                     over generateZones (default: all zones)
  POST /_control/fail-next-operation {"operationType":"start","code":"ZONE_RESOURCE_POOL_EXHAUSTED",
                                      "message":"...","httpErrorStatusCode":503}
  POST /_control/throttle            {"count":2,"status":429|403,"retryAfter":1}
  POST /_control/expire-tokens       every access token issued so far answers 401 from now on
  POST /_control/config              {"tokenLifetime":s,"stepDelay":s}
  GET  /_control/stats               request counters (tokens by grant, generateAccessToken, 401s, throttled,
                                     per method) and last_principal: whom the last Compute call's token was for
  GET  /_control/instance?zone=Z&name=N   the stored resource, metadata included
  POST /_control/user                {"account":A,"refreshToken":R,"clientId":C,"clientSecret":S}: a user whose
                                     refresh token the token endpoint accepts (the ADC user is there from the start)
  POST /_control/revoke              {"refreshToken":R}: the token endpoint answers invalid_grant "Token has been
                                     expired or revoked." for it from now on
  POST /_control/iam                 {"serviceAccount":E,"tokenCreators":[principals]}: who holds
                                     roles/iam.serviceAccountTokenCreator on E (replaces the list; [] for nobody)
  POST /_control/reset               back to the start state, counters zeroed

Users and service accounts at the start: the ADC user (--adc-*, principal user@example.com), the key's
service account (--client-email), and IMPERSONATED_SA (deployer@skydeck-test.iam.gserviceaccount.com),
which both may impersonate.

Proven with Google's own client, the gcloud on the machine (google-cloud-cli 528.0.0), by
tests/integration/gce/tst_gcloud_credentials.cpp and tst_gce_gcloud.cpp:
  - `gcloud auth activate-service-account --key-file` signs the JWT bearer grant that /token accepts;
  - `gcloud auth activate-refresh-token ACCOUNT TOKEN` with auth/token_host (CLOUDSDK_AUTH_TOKEN_HOST)
    and a test OAuth client (auth/client_id, auth/client_secret) refreshes at /token, then writes its
    credentials.db row (token_uri = this server) and [core] account: what `gcloud auth login` leaves;
  - `gcloud compute instances list` with CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE lists through the
    aggregated list with that user's token;
  - with `gcloud config set auth/impersonate_service_account SA` and
    `gcloud config set api_endpoint_overrides/iamcredentials http://127.0.0.1:PORT/`, the same command
    gets SA's token from generateAccessToken here and Compute sees SA (last_principal); when the user
    may not impersonate, gcloud prints this server's 403 ("Permission 'iam.serviceAccounts.getAccessToken'
    denied on resource (or it may not exist).", ErrorInfo IAM_PERMISSION_DENIED);
  - after /_control/revoke and /_control/expire-tokens, gcloud fails refreshing on invalid_grant
    "Token has been expired or revoked." and tells the user to run `gcloud auth login`.
Not proven against Google itself (no account here): the exact wording of Google's messages is taken
from the references named at each handler and from what gcloud's own code expects of them.
"""
import argparse
import base64
import json
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:  # optional: faster than a process per signature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.exceptions import InvalidSignature
except Exception:  # noqa: BLE001 - any import problem means "use openssl"
    serialization = None

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GOOGLE_TOKEN_AUD = "https://oauth2.googleapis.com/token"
COMPUTE_SCOPES = {"https://www.googleapis.com/auth/cloud-platform", "https://www.googleapis.com/auth/compute",
                  "https://www.googleapis.com/auth/compute.readonly"}
READONLY_SCOPE = "https://www.googleapis.com/auth/compute.readonly"
DEFAULT_ZONES = ["us-central1-a", "us-central1-b", "us-east1-b", "us-west1-b", "europe-west4-a", "asia-east1-a"]
# Machine types this server knows (enough for GPU work): name -> (vCPUs, memory MB, built-in accelerators).
MACHINE_TYPES = {
    "e2-medium": (2, 4096, None), "n1-standard-4": (4, 15360, None), "n1-standard-8": (8, 30720, None),
    "n1-highmem-8": (8, 53248, None), "a2-highgpu-1g": (12, 87040, ("nvidia-tesla-a100", 1)),
    "a2-ultragpu-1g": (12, 174080, ("nvidia-a100-80gb", 1)), "g2-standard-4": (4, 16384, ("nvidia-l4", 1)),
    "a3-highgpu-8g": (208, 1916928, ("nvidia-h100-80gb", 8)),
}
ACCELERATOR_TYPES = {"nvidia-tesla-t4", "nvidia-tesla-v100", "nvidia-tesla-p100", "nvidia-tesla-p4",
                     "nvidia-tesla-a100", "nvidia-a100-80gb", "nvidia-l4", "nvidia-h100-80gb"}
# A service account that the ADC user and the key's service account may impersonate at the start.
IMPERSONATED_SA = "deployer@skydeck-test.iam.gserviceaccount.com"
IAM_SCOPES = {"https://www.googleapis.com/auth/cloud-platform", "https://www.googleapis.com/auth/iam"}
NAME_RE = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")


def now_rfc3339():
    # Compute Engine writes timestamps in RFC 3339 with milliseconds and a numeric offset.
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="milliseconds")


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


class State:
    """Projects, instances and operations. Time moves instances and operations on (see advance())."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.Condition()
        self.base = ""  # http://127.0.0.1:PORT, set once listening
        self.reset()

    def reset(self):
        with self.lock:
            self.token_lifetime = self.args.token_lifetime
            self.step_delay = self.args.step_delay
            self.zones = list(DEFAULT_ZONES)
            self.instances = {}   # (zone, name) -> resource dict
            self.pending = []     # [(when, zone, name, status)] scheduled status changes; None deletes
            self.operations = {}  # name -> op dict (plus private "_done_at", "_error")
            self.tokens = {}      # access token -> (expiry, scopes, principal)
            # refresh token -> (client_id, client_secret, principal); revoked ones answer invalid_grant.
            self.users = {self.args.adc_refresh_token: (self.args.adc_client_id, self.args.adc_client_secret,
                                                        "user@example.com")}
            self.revoked = set()
            # service account -> principals with roles/iam.serviceAccountTokenCreator on it
            self.token_creators = {IMPERSONATED_SA: {"user@example.com", self.args.client_email}}
            self.fail_next = []   # queued operation failures
            self.throttle = {"count": 0, "status": 429, "retryAfter": 1}
            self.stats = {"token_jwt": 0, "token_refresh": 0, "token_errors": 0, "unauthorized": 0,
                          "throttled": 0, "requests": 0, "list_pages": 0, "operation_polls": 0,
                          "iam_tokens": 0, "iam_denied": 0}
            self.next_id = 1000000000000000000 + random.randrange(10 ** 15)
            if self.args.demo:
                self.seed_demo()

    # ---- helpers -------------------------------------------------------------------------------
    def url(self, path):
        return f"{self.base}/compute/v1/{path}"

    def new_id(self):
        self.next_id += random.randrange(1, 10 ** 9)
        return str(self.next_id)

    def make_instance(self, zone, name, machine_type, status="RUNNING", gpus=None, spot=False, image=None,
                      disk_gb=100, metadata=None):
        region = zone.rsplit("-", 1)[0]
        p = self.args.project
        n = len(self.instances) + 1
        accel = []
        if gpus:
            accel = [{"acceleratorType": self.url(f"projects/{p}/zones/{zone}/acceleratorTypes/{gpus[0]}"),
                      "acceleratorCount": int(gpus[1])}]
        elif MACHINE_TYPES.get(machine_type, (0, 0, None))[2] and n % 2 == 0:
            # Real a2/g2/a3 instances list their built-in GPUs; every other seeded one leaves them out so
            # clients must also know them from the machine type.
            t, c = MACHINE_TYPES[machine_type][2]
            accel = [{"acceleratorType": self.url(f"projects/{p}/zones/{zone}/acceleratorTypes/{t}"),
                      "acceleratorCount": c}]
        image = image or "projects/deeplearning-platform-release/global/images/family/common-cu121-debian-11"
        inst = {
            "kind": "compute#instance",
            "id": self.new_id(),
            "creationTimestamp": now_rfc3339(),
            "name": name,
            "tags": {"fingerprint": "42WmSpB8rSM="},
            "machineType": self.url(f"projects/{p}/zones/{zone}/machineTypes/{machine_type}"),
            "status": status,
            "zone": self.url(f"projects/{p}/zones/{zone}"),
            "canIpForward": False,
            "networkInterfaces": [{
                "kind": "compute#networkInterface",
                "network": self.url(f"projects/{p}/global/networks/default"),
                "subnetwork": self.url(f"projects/{p}/regions/{region}/subnetworks/default"),
                "networkIP": f"10.{(n >> 16) % 256}.{(n >> 8) % 256}.{n % 256 or 2}",
                "name": "nic0",
                "accessConfigs": [{"kind": "compute#accessConfig", "type": "ONE_TO_ONE_NAT",
                                   "name": "External NAT", "networkTier": "PREMIUM"}],
                "fingerprint": base64.b64encode(secrets.token_bytes(8)).decode(),
                "stackType": "IPV4_ONLY",
            }],
            "disks": [{
                "kind": "compute#attachedDisk", "type": "PERSISTENT", "mode": "READ_WRITE",
                "source": self.url(f"projects/{p}/zones/{zone}/disks/{name}"), "deviceName": "persistent-disk-0",
                "index": 0, "boot": True, "autoDelete": True, "interface": "SCSI", "diskSizeGb": str(disk_gb),
                "guestOsFeatures": [{"type": "VIRTIO_SCSI_MULTIQUEUE"}, {"type": "UEFI_COMPATIBLE"}],
                "architecture": "X86_64",
            }],
            "metadata": {"kind": "compute#metadata", "fingerprint": base64.b64encode(secrets.token_bytes(8)).decode(),
                         "items": metadata or []},
            "serviceAccounts": [{"email": f"{self.args.project_number}-compute@developer.gserviceaccount.com",
                                 "scopes": ["https://www.googleapis.com/auth/cloud-platform"]}],
            "selfLink": self.url(f"projects/{p}/zones/{zone}/instances/{name}"),
            "scheduling": ({"onHostMaintenance": "TERMINATE", "automaticRestart": False, "preemptible": False,
                            "provisioningModel": "SPOT", "instanceTerminationAction": "STOP"} if spot else
                           {"onHostMaintenance": "TERMINATE" if (gpus or MACHINE_TYPES.get(machine_type, (0, 0, None))[2])
                            else "MIGRATE", "automaticRestart": True, "preemptible": False,
                            "provisioningModel": "STANDARD"}),
            "cpuPlatform": "Intel Cascade Lake" if status == "RUNNING" else "Unknown CPU Platform",
            "labelFingerprint": "42WmSpB8rSM=",
            "startRestricted": False,
            "deletionProtection": False,
            "shieldedInstanceConfig": {"enableSecureBoot": False, "enableVtpm": True, "enableIntegrityMonitoring": True},
            "fingerprint": base64.b64encode(secrets.token_bytes(8)).decode(),
            "lastStartTimestamp": now_rfc3339(),
            "satisfiesPzi": True,
            "_image": image,
        }
        if accel:
            inst["guestAccelerators"] = accel
        if status in ("TERMINATED", "SUSPENDED"):
            inst["lastStopTimestamp"] = now_rfc3339()
        self.set_nat(inst)
        return inst

    def set_nat(self, inst):
        # An ephemeral external IP exists only while the VM runs (released on stop, new on start).
        ac = inst["networkInterfaces"][0]["accessConfigs"][0]
        if inst["status"] in ("RUNNING", "STOPPING", "SUSPENDING"):
            ac.setdefault("natIP", f"34.{random.randrange(64, 200)}.{random.randrange(256)}.{random.randrange(1, 255)}")
        else:
            ac.pop("natIP", None)

    def seed_demo(self):
        demo = [("us-central1-a", "train-t4", "n1-standard-8", "RUNNING", ("nvidia-tesla-t4", 1), False),
                ("us-central1-a", "a100-notebook", "a2-highgpu-1g", "TERMINATED", None, False),
                ("europe-west4-a", "spot-l4", "g2-standard-4", "RUNNING", None, True),
                ("us-east1-b", "cpu-box", "e2-medium", "TERMINATED", None, False)]
        for zone, name, mt, st, gpus, spot in demo:
            self.instances[(zone, name)] = self.make_instance(zone, name, mt, st, gpus, spot)

    # ---- time ----------------------------------------------------------------------------------
    def schedule(self, zone, name, steps):
        """steps: [(delay multiplier, status or None for deletion)] after now."""
        t = time.time()
        for mult, status in steps:
            self.pending.append((t + mult * self.step_delay, zone, name, status))
        self.pending.sort(key=lambda x: x[0])

    def advance(self):
        """Applies every status change and operation end that is due. Call with the lock held."""
        t = time.time()
        while self.pending and self.pending[0][0] <= t:
            _, zone, name, status = self.pending.pop(0)
            inst = self.instances.get((zone, name))
            if inst is None:
                continue
            if status is None:
                del self.instances[(zone, name)]
                continue
            inst["status"] = status
            if status == "RUNNING":
                inst["lastStartTimestamp"] = now_rfc3339()
                inst["cpuPlatform"] = "Intel Cascade Lake"
            if status in ("TERMINATED", "SUSPENDED"):
                inst["lastStopTimestamp"] = now_rfc3339()
            self.set_nat(inst)
        for op in self.operations.values():
            if op["status"] == "DONE":
                continue
            if t >= op["_done_at"]:
                op["status"] = "DONE"
                op["progress"] = 100
                op["endTime"] = now_rfc3339()
                if op.get("_error"):
                    e = op["_error"]
                    op["error"] = {"errors": [{"code": e.get("code", "ZONE_RESOURCE_POOL_EXHAUSTED"),
                                               "message": e.get("message", "The zone does not have enough "
                                                                "resources available to fulfill the request.")}]}
                    op["httpErrorStatusCode"] = int(e.get("httpErrorStatusCode", 503))
                    op["httpErrorMessage"] = e.get("httpErrorMessage", "SERVICE UNAVAILABLE")
            elif t >= op["_running_at"] and op["status"] == "PENDING":
                op["status"] = "RUNNING"
                op["progress"] = 0
                op["startTime"] = now_rfc3339()
        self.lock.notify_all()

    def new_operation(self, zone, op_type, inst_name, target_id, steps_to_done, principal):
        """A zone Operation resource (https://cloud.google.com/compute/docs/reference/rest/v1/zoneOperations)."""
        p = self.args.project
        name = f"operation-{int(time.time() * 1000)}-{secrets.token_hex(6)}-{secrets.token_hex(4)}-{secrets.token_hex(4)}"
        t = time.time()
        op = {
            "kind": "compute#operation",
            "id": self.new_id(),
            "name": name,
            "zone": self.url(f"projects/{p}/zones/{zone}"),
            "operationType": op_type,
            "targetLink": self.url(f"projects/{p}/zones/{zone}/instances/{inst_name}"),
            "targetId": target_id,
            "status": "PENDING",
            "user": principal,
            "progress": 0,
            "insertTime": now_rfc3339(),
            "selfLink": self.url(f"projects/{p}/zones/{zone}/operations/{name}"),
            "_running_at": t + 0.3 * self.step_delay,
            "_done_at": t + steps_to_done * self.step_delay,
        }
        for i, f in enumerate(self.fail_next):
            if f.get("operationType") in (None, "", op_type):
                op["_error"] = self.fail_next.pop(i)
                break
        self.operations[name] = op
        return op


def public_op(op):
    return {k: v for k, v in op.items() if not k.startswith("_")}


def public_instance(inst):
    return {k: v for k, v in inst.items() if not k.startswith("_")}


class ApiError(Exception):
    """Google's JSON error document (https://cloud.google.com/compute/docs/reference/rest/v1#error-messages,
    https://cloud.google.com/apis/design/errors#http_mapping)."""

    STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
              409: "ALREADY_EXISTS", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}

    def __init__(self, code, message, reason, domain="global", headers=None, extra=None, front_end=False):
        super().__init__(message)
        self.code, self.message, self.reason, self.domain = code, message, reason, domain
        self.headers = headers or {}
        self.extra = extra or {}
        self.front_end = front_end  # answered by Google's API front end (auth, quota): carries "status"

    def document(self):
        err = {"message": self.message, "domain": self.domain, "reason": self.reason}
        err.update(self.extra)
        doc = {"code": self.code, "message": self.message, "errors": [err]}
        if self.front_end and self.code in self.STATUS:
            doc["status"] = self.STATUS[self.code]
        return {"error": doc}


def not_found(what):
    return ApiError(404, f"The resource '{what}' was not found", "notFound")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ESF"

    def log_message(self, fmt, *a):  # quiet unless asked
        if self.server.args.verbose:
            sys.stderr.write("gce_server: " + (fmt % a) + "\n")

    @property
    def st(self):
        return self.server.state

    # ---- plumbing ------------------------------------------------------------------------------
    def send_json(self, code, doc, headers=None):
        body = json.dumps(doc, indent=1).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Origin, X-Origin, Referer")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        # Read once and kept: a request answered early (401, 403) still has its body taken off the
        # keep-alive connection, or the next request would be parsed from the middle of it.
        if getattr(self, "_body", None) is None:
            n = int(self.headers.get("Content-Length") or 0)
            self._body = self.rfile.read(n) if n else b""
        return self._body

    def json_body(self):
        raw = self.read_body()
        if not raw:
            return {}
        try:
            return json.loads(raw)
        except ValueError:
            raise ApiError(400, "Invalid JSON payload received.", "parseError")

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def dispatch(self, method):
        self._body = None
        self.read_body()
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        try:
            if url.path == "/token" and method == "POST":
                return self.token()
            if url.path.startswith("/v1/projects/") and method == "POST":
                return self.generate_access_token(url.path[len("/v1/"):])
            if url.path.startswith("/_control/"):
                return self.control(method, url.path[len("/_control/"):], query)
            if url.path.startswith("/compute/v1/"):
                return self.compute(method, url.path[len("/compute/v1/"):], query)
            raise ApiError(404, "Not Found", "notFound")
        except ApiError as e:
            self.send_json(e.code, e.document(), e.headers)

    # ---- OAuth 2.0 -----------------------------------------------------------------------------
    def token_error(self, code, error, description):
        # https://datatracker.ietf.org/doc/html/rfc6749#section-5.2 as Google answers it.
        with self.st.lock:
            self.st.stats["token_errors"] += 1
        self.send_json(code, {"error": error, "error_description": description})

    def token(self):
        form = dict(urllib.parse.parse_qsl(self.read_body().decode("utf-8", "replace")))
        ctype = self.headers.get("Content-Type", "")
        if not ctype.startswith("application/x-www-form-urlencoded"):
            return self.token_error(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
        grant = form.get("grant_type")
        if grant == JWT_BEARER:
            return self.token_jwt(form.get("assertion", ""))
        if grant == "refresh_token":
            return self.token_refresh(form)
        return self.token_error(400, "unsupported_grant_type", f"Invalid grant_type: {grant}")

    def verify_rs256(self, signing_input, signature):
        args = self.server.args
        if serialization is not None:
            key = serialization.load_pem_public_key(args.public_key_pem)
            try:
                key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
                return True
            except InvalidSignature:
                return False
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "in"), "wb") as f:
                f.write(signing_input)
            with open(os.path.join(d, "sig"), "wb") as f:
                f.write(signature)
            with open(os.path.join(d, "pub.pem"), "wb") as f:
                f.write(args.public_key_pem)
            r = subprocess.run([shutil.which("openssl") or "openssl", "dgst", "-sha256", "-verify", os.path.join(d, "pub.pem"),
                                "-signature", os.path.join(d, "sig"), os.path.join(d, "in")],
                               capture_output=True)
            return r.returncode == 0

    def token_jwt(self, assertion):
        """Service-account JWT bearer grant:
        https://developers.google.com/identity/protocols/oauth2/service-account#httprest
        (header {"alg":"RS256","typ":"JWT"}, claims iss/scope/aud/exp/iat, exp at most one hour after iat)."""
        args = self.server.args
        parts = assertion.split(".")
        if len(parts) != 3:
            return self.token_error(400, "invalid_grant", "Invalid JWT: Token must be a short-lived token and in a "
                                    "reasonable timeframe")
        try:
            header = json.loads(b64url_decode(parts[0]))
            claims = json.loads(b64url_decode(parts[1]))
            signature = b64url_decode(parts[2])
        except (ValueError, TypeError):
            return self.token_error(400, "invalid_grant", "Invalid JWT: could not decode")
        if header.get("alg") != "RS256":
            return self.token_error(400, "invalid_grant", "Invalid JWT: alg must be RS256")
        if claims.get("iss") != args.client_email:
            return self.token_error(401, "invalid_client", "The OAuth client was not found.")
        if not self.verify_rs256(f"{parts[0]}.{parts[1]}".encode(), signature):
            return self.token_error(400, "invalid_grant", "Invalid JWT Signature.")
        # "aud ... When making an access token request this value is always https://oauth2.googleapis.com/token"
        # (google-auth sends exactly that whatever the key's token_uri); this server's own URL is accepted too.
        if claims.get("aud") not in (GOOGLE_TOKEN_AUD, self.st.base + "/token"):
            return self.token_error(400, "invalid_grant", "Invalid JWT: Failed audience check.")
        now = time.time()
        iat, exp = claims.get("iat"), claims.get("exp")
        if not isinstance(iat, int) or not isinstance(exp, int) or exp - iat > 3600 or exp < now or iat > now + 300:
            return self.token_error(400, "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) "
                                    "and in a reasonable timeframe. Check your iat and exp values in the JWT claim.")
        scopes = set(str(claims.get("scope", "")).split())
        if not scopes:
            return self.token_error(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        with self.st.lock:
            self.st.stats["token_jwt"] += 1
        self.issue(scopes, args.client_email)

    def token_refresh(self, form):
        """Refresh-token grant (authorized_user ADC, gcloud's user credentials):
        https://developers.google.com/identity/protocols/oauth2/web-server#offline. A revoked token answers
        invalid_grant "Token has been expired or revoked." as Google does; an unknown one "Bad Request"."""
        token = form.get("refresh_token", "")
        with self.st.lock:
            user = self.st.users.get(token)
            revoked = token in self.st.revoked
        if revoked:
            return self.token_error(400, "invalid_grant", "Token has been expired or revoked.")
        if user is None:
            return self.token_error(400, "invalid_grant", "Bad Request")
        if form.get("client_id") != user[0] or form.get("client_secret") != user[1]:
            return self.token_error(401, "invalid_client", "Unauthorized")
        with self.st.lock:
            self.st.stats["token_refresh"] += 1
        self.issue({"https://www.googleapis.com/auth/cloud-platform", "openid",
                    "https://www.googleapis.com/auth/userinfo.email"}, user[2])

    def new_token(self, scopes, principal, lifetime):
        token = "ya29.c." + secrets.token_urlsafe(48)
        with self.st.lock:
            self.st.tokens[token] = (time.time() + lifetime, scopes, principal)
        return token

    def issue(self, scopes, principal):
        with self.st.lock:
            lifetime = self.st.token_lifetime
        token = self.new_token(scopes, principal, lifetime)
        self.send_json(200, {"access_token": token, "expires_in": int(lifetime) if lifetime >= 1 else lifetime,
                             "scope": " ".join(sorted(scopes)), "token_type": "Bearer"},
                       {"Cache-Control": "no-cache, no-store, max-age=0, must-revalidate", "Pragma": "no-cache"})

    # ---- IAM Service Account Credentials -------------------------------------------------------
    def generate_access_token(self, path):
        """https://cloud.google.com/iam/docs/reference/credentials/rest/v1/projects.serviceAccounts/generateAccessToken:
        POST .../v1/projects/-/serviceAccounts/{EMAIL}:generateAccessToken with {"delegates":[..],"scope":[..],
        "lifetime":"3600s"} -> {"accessToken":..,"expireTime":"2014-10-02T15:01:23Z"}. The "-" project wildcard is
        required; the caller (a bearer token with the cloud-platform or iam scope) needs
        iam.serviceAccounts.getAccessToken (roles/iam.serviceAccountTokenCreator) on the account, and each
        delegate in the chain on the next one; the lifetime is at most 3600s. Errors as Google's API front end
        writes them (https://cloud.google.com/apis/design/errors): 401 UNAUTHENTICATED, 403 PERMISSION_DENIED with
        an ErrorInfo naming the permission (the same for an account that does not exist: "or it may not
        exist"), 400 INVALID_ARGUMENT. The token's lifetime is also capped by --token-lifetime (a test knob)."""
        m = re.match(r"^projects/([^/]+)/serviceAccounts/([^/:]+):generateAccessToken$", urllib.parse.unquote(path))
        if not m:
            raise ApiError(404, "Not Found", "notFound")
        project, target = m.group(1), m.group(2)
        auth = self.headers.get("Authorization", "")
        tok = auth[7:] if auth.startswith("Bearer ") else None
        with self.st.lock:
            entry = self.st.tokens.get(tok) if tok else None
            if not entry or entry[0] < time.time():
                self.st.stats["unauthorized"] += 1
                raise ApiError(401, "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                               "login cookie or other valid authentication credential. See "
                               "https://developers.google.com/identity/sign-in/web/devconsole-project.",
                               "authError", front_end=True,
                               headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", '
                                                            'error="invalid_token"'})
        if not entry[1] & IAM_SCOPES:
            raise ApiError(403, "Request had insufficient authentication scopes.", "insufficientPermissions",
                           front_end=True)
        body = self.json_body()
        if project != "-":
            raise ApiError(400, "The project ID in the resource name must be the wildcard '-'.", "badRequest",
                           front_end=True)
        scopes = body.get("scope") or []
        if not isinstance(scopes, list) or not scopes:
            raise ApiError(400, "Scope required.", "badRequest", front_end=True)
        lifetime = 3600.0
        if body.get("lifetime"):
            lm = re.match(r"^(\d+(?:\.\d+)?)s$", str(body["lifetime"]))
            if not lm:
                raise ApiError(400, "Invalid value at 'lifetime' (type.googleapis.com/google.protobuf.Duration), "
                               "Field 'lifetime', Illegal duration format; duration must end with 's'", "badRequest",
                               front_end=True)
            lifetime = float(lm.group(1))
            if lifetime > 3600:
                raise ApiError(400, "The lifetime requested is not allowed. Lifetime must be less than or equal to "
                               "3600s.", "badRequest", front_end=True)
        chain = [entry[2]]
        for d in body.get("delegates") or []:
            dm = re.match(r"^projects/-/serviceAccounts/(.+)$", str(d))
            if not dm:
                raise ApiError(400, f"Invalid form of delegates: {d}", "badRequest", front_end=True)
            chain.append(dm.group(1))
        chain.append(target)
        with self.st.lock:
            allowed = all(chain[i] in self.st.token_creators.get(chain[i + 1], set()) for i in range(len(chain) - 1))
            if not allowed:
                self.st.stats["iam_denied"] += 1
            lifetime = min(lifetime, self.st.token_lifetime)
        if not allowed:
            doc = {"error": {"code": 403,
                             "message": "Permission 'iam.serviceAccounts.getAccessToken' denied on resource "
                                        "(or it may not exist).",
                             "status": "PERMISSION_DENIED",
                             "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                          "reason": "IAM_PERMISSION_DENIED", "domain": "iam.googleapis.com",
                                          "metadata": {"permission": "iam.serviceAccounts.getAccessToken"}}]}}
            return self.send_json(403, doc)
        token = self.new_token(set(scopes), target, lifetime)
        with self.st.lock:
            self.st.stats["iam_tokens"] += 1
        expire = datetime.fromtimestamp(time.time() + lifetime, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.send_json(200, {"accessToken": token, "expireTime": expire})

    # ---- Compute Engine ------------------------------------------------------------------------
    def authorize(self, write):
        """Bearer token check; 401 with Google's authError document when missing, unknown or expired."""
        auth = self.headers.get("Authorization", "")
        tok = auth[7:] if auth.startswith("Bearer ") else None
        with self.st.lock:
            entry = self.st.tokens.get(tok) if tok else None
            if not entry or entry[0] < time.time():
                self.st.stats["unauthorized"] += 1
                raise ApiError(401, "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                               "login cookie or other valid authentication credential. See "
                               "https://developers.google.com/identity/sign-in/web/devconsole-project.",
                               "authError", headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", '
                                                                         'error="invalid_token"'},
                               extra={"location": "Authorization", "locationType": "header"}, front_end=True)
            scopes = entry[1]
            if not scopes & COMPUTE_SCOPES or (write and scopes & COMPUTE_SCOPES == {READONLY_SCOPE}):
                raise ApiError(403, "Request had insufficient authentication scopes.", "insufficientPermissions")
            return entry[2]

    def maybe_throttle(self):
        with self.st.lock:
            th = self.st.throttle
            if th["count"] <= 0:
                return
            th["count"] -= 1
            self.st.stats["throttled"] += 1
            status, retry_after = th["status"], th.get("retryAfter")
        msg = ("Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service "
               "'compute.googleapis.com' for consumer 'project_number:%s'." % self.server.args.project_number)
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        raise ApiError(status, msg if status == 429 else "Rate Limit Exceeded", "rateLimitExceeded",
                       domain="usageLimits", headers=headers, front_end=True)

    def compute(self, method, path, query):
        with self.st.lock:
            self.st.stats["requests"] += 1
            self.st.stats[method] = self.st.stats.get(method, 0) + 1
        principal = self.authorize(write=method != "GET")
        with self.st.lock:
            self.st.stats["last_principal"] = principal  # who the token was issued to (user, key or impersonated)
        self.maybe_throttle()
        parts = path.split("/")
        p = self.server.args.project
        if len(parts) < 2 or parts[0] != "projects":
            raise ApiError(404, "Not Found", "notFound")
        if parts[1] != p:
            raise ApiError(404, f"The resource 'projects/{parts[1]}' was not found", "notFound")
        rest = parts[2:]
        if rest == ["aggregated", "instances"] and method == "GET":
            return self.aggregated_list(query)
        if len(rest) >= 3 and rest[0] == "zones" and rest[2] == "instances":
            zone = rest[1]
            with self.st.lock:
                known = zone in self.st.zones
            if not known:
                raise ApiError(400, f"Invalid value for field 'zone': '{zone}'. Unknown zone.", "invalid")
            if len(rest) == 3 and method == "POST":
                return self.insert(zone, principal)
            if len(rest) == 3 and method == "GET":
                return self.zone_list(zone)
            if len(rest) == 4 and method == "GET":
                return self.get_instance(zone, rest[3])
            if len(rest) == 4 and method == "DELETE":
                return self.action(zone, rest[3], "delete", principal)
            if len(rest) == 5 and method == "POST" and rest[4] in ("start", "stop", "reset", "suspend", "resume"):
                self.read_body()
                return self.action(zone, rest[3], rest[4], principal)
        if len(rest) >= 4 and rest[0] == "zones" and rest[2] == "operations":
            if len(rest) == 4 and method == "GET":
                return self.get_operation(rest[1], rest[3], wait=False)
            if len(rest) == 5 and rest[4] == "wait" and method == "POST":
                self.read_body()
                return self.get_operation(rest[1], rest[3], wait=True)
        raise ApiError(404, "Not Found", "notFound")

    def aggregated_list(self, query):
        """https://cloud.google.com/compute/docs/reference/rest/v1/instances/aggregatedList:
        maxResults (0..500, default 500), pageToken/nextPageToken, items keyed "zones/ZONE" with a
        NO_RESULTS_ON_PAGE warning for every scope without results on this page."""
        p = self.server.args.project
        try:
            max_results = int(query.get("maxResults", "500"))
        except ValueError:
            raise ApiError(400, f"Invalid value for field 'maxResults': '{query.get('maxResults')}'. Must be an integer.", "invalid")
        if max_results < 0 or max_results > 500:
            raise ApiError(400, f"Invalid value for field 'maxResults': '{max_results}'. Must be less than or equal "
                           "to 500 and greater than or equal to 0.", "invalid")
        if max_results == 0:
            max_results = 500
        offset = 0
        token = query.get("pageToken")
        if token:
            try:
                doc = json.loads(b64url_decode(token))
                offset = int(doc["o"])
                if doc["p"] != p or offset < 0:
                    raise ValueError
            except (ValueError, KeyError, TypeError):
                raise ApiError(400, "Invalid value for field 'pageToken': '%s'. Invalid page token." % token, "invalid")
        with self.st.lock:
            self.st.advance()
            self.st.stats["list_pages"] += 1
            flat = sorted(self.st.instances.values(), key=lambda i: (i["zone"], i["name"]))
            zones = list(self.st.zones)
            page = [public_instance(i) for i in flat[offset:offset + max_results]]
        items = {}
        for z in zones:
            in_zone = [i for i in page if i["zone"].endswith("/zones/" + z)]
            if in_zone:
                items["zones/" + z] = {"instances": in_zone}
            else:
                items["zones/" + z] = {"warning": {"code": "NO_RESULTS_ON_PAGE",
                                                   "message": f"There are no results for scope 'zones/{z}' on this page.",
                                                   "data": [{"key": "scope", "value": f"zones/{z}"}]}}
        doc = {"kind": "compute#instanceAggregatedList", "id": f"projects/{p}/aggregated/instances", "items": items,
               "selfLink": self.st.url(f"projects/{p}/aggregated/instances")}
        if offset + max_results < len(flat):
            nt = {"p": p, "o": offset + max_results, "n": secrets.token_hex(4)}
            doc["nextPageToken"] = base64.urlsafe_b64encode(json.dumps(nt).encode()).decode().rstrip("=")
        self.send_json(200, doc)

    def zone_list(self, zone):
        """https://cloud.google.com/compute/docs/reference/rest/v1/instances/list (one page)."""
        p = self.server.args.project
        with self.st.lock:
            self.st.advance()
            items = [public_instance(i) for (z, _), i in sorted(self.st.instances.items()) if z == zone]
        doc = {"kind": "compute#instanceList", "id": f"projects/{p}/zones/{zone}/instances",
               "selfLink": self.st.url(f"projects/{p}/zones/{zone}/instances")}
        if items:
            doc["items"] = items
        self.send_json(200, doc)

    def get_instance(self, zone, name):
        """https://cloud.google.com/compute/docs/reference/rest/v1/instances/get"""
        p = self.server.args.project
        with self.st.lock:
            self.st.advance()
            inst = self.st.instances.get((zone, name))
            doc = public_instance(inst) if inst else None
        if doc is None:
            raise not_found(f"projects/{p}/zones/{zone}/instances/{name}")
        self.send_json(200, doc)

    def action(self, zone, name, verb, principal):
        """https://cloud.google.com/compute/docs/reference/rest/v1/instances/start (…/stop, …/reset,
        …/suspend, …/resume, …/delete): each answers with a zone Operation that ends after a while.
        Starting a running instance or stopping a stopped one is a no-op operation, as on Compute Engine."""
        p = self.server.args.project
        with self.st.lock:
            st = self.st
            st.advance()
            inst = st.instances.get((zone, name))
            if inst is None:
                raise not_found(f"projects/{p}/zones/{zone}/instances/{name}")
            status = inst["status"]
            busy = [x for x in st.pending if x[1] == zone and x[2] == name]
            steps, done_after = [], 1
            if verb == "start":
                if status == "SUSPENDED":
                    raise ApiError(400, f"The resource 'projects/{p}/zones/{zone}/instances/{name}' is suspended; "
                                   "use resume.", "resourceNotReady")
                if status == "TERMINATED":
                    steps, done_after = [(1, "STAGING"), (2, "RUNNING")], 2
            elif verb == "resume":
                if status != "SUSPENDED":
                    raise ApiError(400, f"The resource 'projects/{p}/zones/{zone}/instances/{name}' is not suspended.",
                                   "resourceNotReady")
                steps, done_after = [(1, "STAGING"), (2, "RUNNING")], 2
            elif verb == "stop":
                if status not in ("TERMINATED",):
                    steps, done_after = [(0, "STOPPING"), (2, "TERMINATED")], 2
            elif verb == "suspend":
                if status != "RUNNING":
                    raise ApiError(400, f"The resource 'projects/{p}/zones/{zone}/instances/{name}' is not ready",
                                   "resourceNotReady")
                steps, done_after = [(0, "SUSPENDING"), (2, "SUSPENDED")], 2
            elif verb == "reset":
                # A hard reset: the VM stays RUNNING. Only a running VM can be reset.
                if status != "RUNNING":
                    raise ApiError(400, f"The resource 'projects/{p}/zones/{zone}/instances/{name}' is not ready",
                                   "resourceNotReady")
                done_after = 1
            elif verb == "delete":
                steps, done_after = [(0, "STOPPING"), (2, "TERMINATED"), (2.5, None)], 2.5
            if busy and verb != "delete":
                # Another operation is still changing this VM.
                raise ApiError(400, f"The resource 'projects/{p}/zones/{zone}/instances/{name}' is not ready",
                               "resourceNotReady")
            op = st.new_operation(zone, verb, name, inst["id"], done_after, principal)
            if op.get("_error"):
                steps = []  # the operation fails: the VM keeps its state
            if steps:
                if steps[0][0] == 0:
                    inst["status"] = steps[0][1]
                    st.set_nat(inst)
                    steps = steps[1:]
                st.pending = [x for x in st.pending if not (x[1] == zone and x[2] == name)]
                st.schedule(zone, name, steps)
            doc = public_op(op)
        self.send_json(200, doc)

    def insert(self, zone, principal):
        """https://cloud.google.com/compute/docs/reference/rest/v1/instances/insert: validates the body as
        Compute Engine does for what Skydeck sends (name, machineType, boot disk, accelerators with
        onHostMaintenance TERMINATE, Spot scheduling) and answers with an insert Operation."""
        p = self.server.args.project
        body = self.json_body()
        name = body.get("name", "")
        if not NAME_RE.match(name):
            raise ApiError(400, f"Invalid value for field 'resource.name': '{name}'. Must be a match of regex "
                           "'(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?|[1-9][0-9]{0,19})'", "invalid")
        mt = str(body.get("machineType", "")).rsplit("/", 1)[-1]
        if mt not in MACHINE_TYPES:
            raise ApiError(400, f"Invalid value for field 'resource.machineType': '{body.get('machineType')}'. "
                           f"Machine type with name '{mt}' does not exist in zone '{zone}'.", "invalid")
        disks = body.get("disks") or []
        boot = [d for d in disks if d.get("boot")]
        if len(boot) != 1:
            raise ApiError(400, "Invalid value for field 'resource.disks': ''. Boot disk must be specified.", "invalid")
        init = boot[0].get("initializeParams") or {}
        image = init.get("sourceImage", "")
        if not re.match(r"^(https://[^/]+/compute/v1/)?projects/[a-z0-9-]+/global/images/(family/)?[a-z0-9-]+$", image):
            raise ApiError(404, f"The resource '{image}' was not found", "notFound")
        try:
            disk_gb = int(init.get("diskSizeGb", 10))
        except (TypeError, ValueError):
            raise ApiError(400, "Invalid value for field 'resource.disks[0].initializeParams.diskSizeGb'.", "invalid")
        if disk_gb < 10 or disk_gb > 65536:
            raise ApiError(400, f"Invalid value for field 'resource.disks[0].initializeParams.diskSizeGb': "
                           f"'{disk_gb}'. Disk size must be between 10 and 65536 GB.", "invalid")
        sched = body.get("scheduling") or {}
        accels = body.get("guestAccelerators") or []
        gpus = None
        for a in accels:
            t = str(a.get("acceleratorType", "")).rsplit("/", 1)[-1]
            if t not in ACCELERATOR_TYPES:
                raise ApiError(400, f"Invalid value for field 'resource.guestAccelerators[0].acceleratorType': "
                               f"'{a.get('acceleratorType')}'. Accelerator type '{t}' does not exist in zone '{zone}'.",
                               "invalid")
            if not mt.startswith("n1-"):
                raise ApiError(400, f"Accelerator type '{t}' is not supported for machine type '{mt}'.", "invalid")
            gpus = (t, int(a.get("acceleratorCount", 1)))
        if (accels or MACHINE_TYPES[mt][2]) and sched.get("onHostMaintenance", "MIGRATE") != "TERMINATE":
            raise ApiError(400, "Instances with guest accelerators do not support live migration.", "invalid")
        spot = sched.get("provisioningModel") == "SPOT" or bool(sched.get("preemptible"))
        if spot and sched.get("automaticRestart", True):
            raise ApiError(400, "Invalid value for field 'resource.scheduling.automaticRestart': 'true'. Spot or "
                           "preemptible instances must have automaticRestart set to false.", "invalid")
        meta = (body.get("metadata") or {}).get("items") or []
        with self.st.lock:
            st = self.st
            st.advance()
            if (zone, name) in st.instances:
                raise ApiError(409, f"The resource 'projects/{p}/zones/{zone}/instances/{name}' already exists",
                               "alreadyExists")
            inst = st.make_instance(zone, name, mt, "PROVISIONING", gpus, spot, image, disk_gb, meta)
            if gpus is None and MACHINE_TYPES[mt][2]:
                t, c = MACHINE_TYPES[mt][2]
                inst["guestAccelerators"] = [{"acceleratorType": st.url(f"projects/{p}/zones/{zone}/acceleratorTypes/{t}"),
                                              "acceleratorCount": c}]
            if body.get("labels"):
                inst["labels"] = body["labels"]
            op = st.new_operation(zone, "insert", name, inst["id"], 1.5, principal)
            if not op.get("_error"):
                st.instances[(zone, name)] = inst
                st.schedule(zone, name, [(1, "STAGING"), (2.5, "RUNNING")])
            doc = public_op(op)
        self.send_json(200, doc)

    def get_operation(self, zone, name, wait):
        """https://cloud.google.com/compute/docs/reference/rest/v1/zoneOperations/get and
        https://cloud.google.com/compute/docs/reference/rest/v1/zoneOperations/wait (returns once the
        operation is DONE or after about two minutes, whichever is first; the answer may not be DONE)."""
        p = self.server.args.project
        deadline = time.time() + self.server.args.wait_seconds
        with self.st.lock:
            self.st.stats["operation_polls"] += 1
            while True:
                self.st.advance()
                op = self.st.operations.get(name)
                if op is None or not op["zone"].endswith("/zones/" + zone):
                    raise not_found(f"projects/{p}/zones/{zone}/operations/{name}")
                if not wait or op["status"] == "DONE" or time.time() >= deadline:
                    doc = public_op(op)
                    break
                self.st.lock.wait(timeout=min(0.05, max(0.0, deadline - time.time())))
        self.send_json(200, doc)

    # ---- control -------------------------------------------------------------------------------
    def control(self, method, what, query):
        st = self.st
        if what == "stats" and method == "GET":
            with st.lock:
                return self.send_json(200, dict(st.stats))
        if what == "instance" and method == "GET":
            with st.lock:
                st.advance()
                inst = st.instances.get((query.get("zone"), query.get("name")))
                doc = dict(inst) if inst else None
            if doc is None:
                raise not_found(f"zones/{query.get('zone')}/instances/{query.get('name')}")
            return self.send_json(200, doc)
        if method != "POST":
            raise ApiError(405, "Method Not Allowed", "methodNotAllowed")
        body = self.json_body()
        with st.lock:
            if what == "reset":
                st.reset()  # the lock is re-entrant
            elif what == "seed":
                st.zones = list(body.get("zones") or DEFAULT_ZONES)
                st.instances.clear()
                st.pending.clear()
                if "generate" in body:
                    n = int(body["generate"])
                    types = ["n1-standard-8", "a2-highgpu-1g", "g2-standard-4", "e2-medium"]
                    into = list(body.get("generateZones") or st.zones)
                    for i in range(n):
                        zone = into[i % len(into)]
                        mt = types[i % len(types)]
                        status = ["RUNNING", "TERMINATED", "RUNNING", "SUSPENDED"][i % 4]
                        gpus = ("nvidia-tesla-t4", 1 + i % 2) if mt == "n1-standard-8" else None
                        name = f"vm-{i:05d}"
                        st.instances[(zone, name)] = st.make_instance(zone, name, mt, status, gpus, i % 3 == 0)
                for d in body.get("instances") or []:
                    zone = d["zone"]
                    if zone not in st.zones:
                        st.zones.append(zone)
                    st.instances[(zone, d["name"])] = st.make_instance(
                        zone, d["name"], d.get("machineType", "n1-standard-4"), d.get("status", "RUNNING"),
                        tuple(d["gpus"]) if d.get("gpus") else None, bool(d.get("spot")))
            elif what == "fail-next-operation":
                st.fail_next.append(body)
            elif what == "throttle":
                st.throttle = {"count": int(body.get("count", 1)), "status": int(body.get("status", 429)),
                               "retryAfter": body.get("retryAfter")}
            elif what == "user":
                st.users[body["refreshToken"]] = (body["clientId"], body["clientSecret"], body["account"])
                st.revoked.discard(body["refreshToken"])
            elif what == "revoke":
                st.users.pop(body.get("refreshToken"), None)
                st.revoked.add(body.get("refreshToken"))
            elif what == "iam":
                st.token_creators[body["serviceAccount"]] = set(body.get("tokenCreators") or [])
            elif what == "expire-tokens":
                st.tokens.clear()
            elif what == "config":
                if "tokenLifetime" in body:
                    st.token_lifetime = float(body["tokenLifetime"])
                if "stepDelay" in body:
                    st.step_delay = float(body["stepDelay"])
            else:
                raise ApiError(404, "Not Found", "notFound")
            count = len(st.instances)
        self.send_json(200, {"ok": True, "instances": count})


def write_key_files(args, base):
    token_uri = base + "/token"
    if args.key_file_out:
        with open(args.private_key) as f:
            pem = f.read()
        key = {"type": "service_account", "project_id": args.project, "private_key_id": secrets.token_hex(20),
               "private_key": pem, "client_email": args.client_email, "client_id": str(random.randrange(10 ** 20)),
               "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": token_uri,
               "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
               "universe_domain": "googleapis.com"}
        fd = os.open(args.key_file_out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(key, f, indent=2)
    if args.adc_out:
        adc = {"client_id": args.adc_client_id, "client_secret": args.adc_client_secret,
               "refresh_token": args.adc_refresh_token, "type": "authorized_user", "token_uri": token_uri,
               "quota_project_id": args.project, "universe_domain": "googleapis.com"}
        fd = os.open(args.adc_out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(adc, f, indent=2)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--project", default="skydeck-test")
    ap.add_argument("--project-number", default="123456789012")
    ap.add_argument("--client-email", default="skydeck-test@skydeck-test.iam.gserviceaccount.com")
    ap.add_argument("--public-key", help="the service account's RSA public key (PEM); default: from --private-key")
    ap.add_argument("--private-key", help="its private key, to write --key-file-out (and derive the public key)")
    ap.add_argument("--key-file-out", help="write a service-account key JSON whose token_uri is this server")
    ap.add_argument("--adc-out", help="write authorized_user application default credentials for this server")
    ap.add_argument("--adc-client-id", default="764086051850-skydeck.apps.googleusercontent.com")
    ap.add_argument("--adc-client-secret", default="d-FL95Q19q7MQmFpd7hHD0Ty")
    ap.add_argument("--adc-refresh-token", default="1//0skydeck-" + secrets.token_urlsafe(24))
    ap.add_argument("--token-lifetime", type=float, default=3600.0)
    ap.add_argument("--step-delay", type=float, default=0.3, help="seconds per state change")
    ap.add_argument("--wait-seconds", type=float, default=120.0, help="zoneOperations.wait's longest wait")
    ap.add_argument("--demo", action="store_true", help="start with a few demo instances")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    if args.key_file_out and not args.private_key:
        ap.error("--key-file-out needs --private-key")
    if args.public_key:
        with open(args.public_key, "rb") as f:
            args.public_key_pem = f.read()
    elif args.private_key:
        r = subprocess.run([shutil.which("openssl") or "openssl", "pkey", "-in", args.private_key, "-pubout"],
                           capture_output=True)
        if r.returncode != 0:
            ap.error("cannot read --private-key: " + r.stderr.decode(errors="replace"))
        args.public_key_pem = r.stdout
    else:
        ap.error("--public-key or --private-key is needed")
    if args.port:  # the files exist before the port listens (peers.sh waits for the port)
        write_key_files(args, f"http://127.0.0.1:{args.port}")
    httpd = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    httpd.daemon_threads = True
    httpd.args = args
    httpd.state = State(args)
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.state.base = base
    if args.demo:
        httpd.state.reset()  # demo resources carry the base URL in their links
    if not args.port:
        write_key_files(args, base)
    print(f"PORT {httpd.server_address[1]}", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
