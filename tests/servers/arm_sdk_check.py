#!/usr/bin/env python3
"""Checks arm_server.py against Microsoft's own Python SDK (azure-mgmt-compute, azure-mgmt-network,
azure-core's ARM pollers and pagers), as an interop test of the test server itself.

    arm_sdk_check.py ENDPOINT TENANT CLIENT_ID CLIENT_SECRET

(the values scripts/peers.sh exports as SKYDECK_TEST_ARM_*). Needs Debian's python3-azure
(/usr/bin/python3); exits 77 when it is not installed. Seeds its own subscription through the
control API. What it shows: the SDK deserializes the server's VMs (instance view, zones, priority),
NICs and public IPs; follows nextLink pages; runs begin_start/begin_power_off/begin_deallocate/
begin_restart/begin_delete pollers (Azure-AsyncOperation) to the end; raises the failed
operation's code; raises 409 OperationNotAllowed and 404 ResourceNotFound as HttpResponseError.
The token comes from the server's client-credentials endpoint (azure-identity refuses plain http
authorities, so the request is made here with urllib, as the identity platform documents it).
"""
import json
import sys
import time
import urllib.parse
import urllib.request
import uuid

try:
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
    from azure.core.pipeline.policies import SansIOHTTPPolicy
    from azure.mgmt.compute import ComputeManagementClient
    from azure.mgmt.network import NetworkManagementClient
except ImportError:
    print("skipped: python3-azure is not installed")
    sys.exit(77)


def post_json(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def token(endpoint, tenant, client_id, secret):
    form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": client_id,
                                   "client_secret": secret, "scope": "https://management.azure.com/.default"}).encode()
    req = urllib.request.Request(f"{endpoint}/{tenant}/oauth2/v2.0/token", data=form,
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["access_token"]


class Bearer(SansIOHTTPPolicy):
    """Sets the bearer token (the SDK's own policy insists on https)."""

    def __init__(self, access_token):
        self.access_token = access_token

    def on_request(self, request):
        request.http_request.headers["Authorization"] = "Bearer " + self.access_token


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        check.failed += 1


check.failed = 0


def main():
    endpoint, tenant, client_id, secret = sys.argv[1:5]
    sub = str(uuid.uuid4())
    vms = [{"name": "sdk-running", "resourceGroup": "sdk-rg", "location": "eastus", "zones": ["1"],
            "vmSize": "Standard_NC24ads_A100_v4", "priority": "Spot", "power": "running"},
           {"name": "sdk-dealloc", "resourceGroup": "sdk-rg", "location": "westeurope",
            "vmSize": "Standard_NC4as_T4_v3", "power": "deallocated", "publicIpAllocation": "Dynamic"}]
    vms += [{"name": f"sdk-fill-{i}", "resourceGroup": "sdk-rg", "power": "running"} for i in range(5)]
    post_json(f"{endpoint}/_control/seed", {"subscription": sub, "vms": vms, "pageSize": 2,
                                            "transitionSeconds": 1, "retryAfter": 1})
    auth = Bearer(token(endpoint, tenant, client_id, secret))
    kw = {"base_url": endpoint, "authentication_policy": auth, "polling_interval": 1}
    compute = ComputeManagementClient(credential=object(), subscription_id=sub, **kw)
    network = NetworkManagementClient(credential=object(), subscription_id=sub, **kw)

    listed = list(compute.virtual_machines.list_all(status_only="true"))
    check(len(listed) == 7, f"list_all follows nextLink pages of 2: {len(listed)} VMs")
    running = next(v for v in listed if v.name == "sdk-running")
    codes = [s.code for s in running.instance_view.statuses] if running.instance_view else []
    check("PowerState/running" in codes, f"statusOnly instance view: {codes}")
    check(running.zones == ["1"] and running.priority == "Spot", "zones and priority")
    check(running.hardware_profile.vm_size == "Standard_NC24ads_A100_v4", "hardwareProfile.vmSize")

    nics = list(network.network_interfaces.list_all())
    pips = list(network.public_ip_addresses.list_all())
    check(len(nics) == 7 and len(pips) == 7, f"network list_all: {len(nics)} NICs, {len(pips)} public IPs")
    nic = next(n for n in nics if n.virtual_machine and n.virtual_machine.id.lower() == running.id.lower())
    check(bool(nic.ip_configurations[0].private_ip_address), "NIC private address")

    t0 = time.monotonic()
    compute.virtual_machines.begin_start("sdk-rg", "sdk-dealloc").result()
    vm = compute.virtual_machines.get("sdk-rg", "sdk-dealloc", expand="instanceView")
    check("PowerState/running" in [s.code for s in vm.instance_view.statuses],
          f"begin_start poller to the end ({time.monotonic() - t0:.1f} s), then running")
    compute.virtual_machines.begin_power_off("sdk-rg", "sdk-dealloc").result()
    view = compute.virtual_machines.instance_view("sdk-rg", "sdk-dealloc")
    check("PowerState/stopped" in [s.code for s in view.statuses], "begin_power_off -> stopped (instance_view)")
    compute.virtual_machines.begin_restart("sdk-rg", "sdk-running").result()
    compute.virtual_machines.begin_deallocate("sdk-rg", "sdk-dealloc").result()
    view = compute.virtual_machines.instance_view("sdk-rg", "sdk-dealloc")
    check("PowerState/deallocated" in [s.code for s in view.statuses], "begin_restart, begin_deallocate -> deallocated")

    try:
        compute.virtual_machines.begin_restart("sdk-rg", "sdk-dealloc").result()
        check(False, "restart of a deallocated VM refused")
    except HttpResponseError as e:
        check(e.status_code == 409 and e.error.code == "OperationNotAllowed", f"409 {e.error.code}")

    post_json(f"{endpoint}/_control/fail-next-operation", {"subscription": sub, "code": "AllocationFailed",
                                                          "message": "Allocation failed."})
    try:
        compute.virtual_machines.begin_start("sdk-rg", "sdk-dealloc").result()
        check(False, "failed operation raises")
    except HttpResponseError as e:
        check("AllocationFailed" in str(e), f"failed operation raised: {str(e).splitlines()[0]}")

    compute.virtual_machines.begin_delete("sdk-rg", "sdk-running").result()
    try:
        compute.virtual_machines.get("sdk-rg", "sdk-running")
        check(False, "deleted VM is gone")
    except ResourceNotFoundError as e:
        check(e.error.code == "ResourceNotFound", "begin_delete, then get raises ResourceNotFound")
    print(f"{12 - check.failed} passed, {check.failed} failed")
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main())
