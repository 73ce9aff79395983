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
Launching as `az vm create` does, through azure-mgmt-resource, -network and -compute: a resource group,
a virtual network, a network security group allowing SSH from one address, a Standard static public
IP, a NIC joining them, then a Spot GPU VM with an SSH key (begin_create_or_update pollers to the
end), all read back and listed; a Gen1 image on a Gen2-only size, a reserved admin name and a bad key
refused with Azure's codes; a failed create's code raised and the VM left Failed; deleting the VM
deletes the NIC and IP whose deleteOption says Delete and keeps the NSG.
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
    from azure.mgmt.resource import ResourceManagementClient
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
    check.count += 1
    if not cond:
        check.failed += 1


check.failed = 0
check.count = 0


def launch(endpoint, sub, kw):
    resources = ResourceManagementClient(credential=object(), subscription_id=sub, **kw)
    compute = ComputeManagementClient(credential=object(), subscription_id=sub, **kw)
    network = NetworkManagementClient(credential=object(), subscription_id=sub, **kw)
    rg = resources.resource_groups.create_or_update("sdk-launch", {"location": "eastus"})
    check(rg.location == "eastus" and rg.properties.provisioning_state == "Succeeded", "resource group created")
    check(resources.resource_groups.check_existence("sdk-launch") if hasattr(resources.resource_groups, "check_existence")
          else True, "resource group exists")
    vnet = network.virtual_networks.begin_create_or_update("sdk-launch", "sdk-vnet", {
        "location": "eastus", "address_space": {"address_prefixes": ["10.1.0.0/16"]},
        "subnets": [{"name": "default", "address_prefix": "10.1.0.0/24"}]}).result()
    check(vnet.provisioning_state == "Succeeded" and vnet.subnets[0].name == "default", "virtual network poller to the end")
    nsg = network.network_security_groups.begin_create_or_update("sdk-launch", "sdk-nsg", {
        "location": "eastus", "security_rules": [{
            "name": "SSH", "protocol": "Tcp", "source_port_range": "*", "destination_port_range": "22",
            "source_address_prefix": "203.0.113.7/32", "destination_address_prefix": "*", "access": "Allow",
            "priority": 1000, "direction": "Inbound"}]}).result()
    check(nsg.security_rules[0].source_address_prefix == "203.0.113.7/32" and len(nsg.default_security_rules) == 6,
          "NSG with the SSH rule and Azure's six default rules")
    pip = network.public_ip_addresses.begin_create_or_update("sdk-launch", "sdk-ip", {
        "location": "eastus", "sku": {"name": "Standard"}, "public_ip_allocation_method": "Static",
        "delete_option": "Delete"}).result()
    check(bool(pip.ip_address) and pip.sku.name == "Standard", f"static public IP assigned: {pip.ip_address}")
    nic = network.network_interfaces.begin_create_or_update("sdk-launch", "sdk-nic", {
        "location": "eastus", "network_security_group": {"id": nsg.id},
        "ip_configurations": [{"name": "ipconfig1", "subnet": {"id": vnet.subnets[0].id},
                               "public_ip_address": {"id": pip.id}}]}).result()
    check(nic.ip_configurations[0].private_ip_address == "10.1.0.4", "NIC with a private address from the subnet")
    vm_body = {
        "location": "eastus", "priority": "Spot", "eviction_policy": "Deallocate", "billing_profile": {"max_price": -1},
        "hardware_profile": {"vm_size": "Standard_NC24ads_A100_v4"},
        "storage_profile": {"image_reference": {"publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy",
                                                "sku": "22_04-lts-gen2", "version": "latest"},
                            "os_disk": {"create_option": "FromImage", "disk_size_gb": 100, "delete_option": "Delete",
                                        "managed_disk": {"storage_account_type": "Premium_LRS"}}},
        "os_profile": {"computer_name": "sdk-vm", "admin_username": "azureuser", "linux_configuration": {
            "disable_password_authentication": True, "ssh": {"public_keys": [{
                "path": "/home/azureuser/.ssh/authorized_keys",
                "key_data": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGxZbq3Ryc2ZRv9yD8mYg8E7nF1yk3K1m8J5R2b0F7q1 sdk"}]}}},
        "network_profile": {"network_interfaces": [{"id": nic.id, "primary": True, "delete_option": "Delete"}]}}
    vm = compute.virtual_machines.begin_create_or_update("sdk-launch", "sdk-vm", vm_body).result()
    view = compute.virtual_machines.instance_view("sdk-launch", "sdk-vm")
    check(vm.provisioning_state == "Succeeded" and "PowerState/running" in [s.code for s in view.statuses],
          "begin_create_or_update poller to the end, then running")
    check(vm.priority == "Spot" and vm.billing_profile.max_price == -1 and vm.eviction_policy == "Deallocate",
          "Spot priority, eviction policy and max price kept")
    check(any(v.name == "sdk-vm" for v in compute.virtual_machines.list("sdk-launch")), "the new VM is listed")
    check(network.network_interfaces.get("sdk-launch", "sdk-nic").virtual_machine.id.lower() == vm.id.lower(),
          "the NIC names its VM")

    def refused(change, code, what):
        body = json.loads(json.dumps(vm_body))
        change(body)
        try:
            compute.virtual_machines.begin_create_or_update("sdk-launch", "sdk-refused", body).result()
            check(False, what)
        except HttpResponseError as e:
            check(e.error.code == code, f"{what}: {e.status_code} {e.error.code}")

    def gen1(b):
        b["storage_profile"]["image_reference"]["sku"] = "22_04-lts"
    refused(gen1, "BadRequest", "a Gen1 image on a Gen2-only size")

    def root(b):
        b["os_profile"]["admin_username"] = "root"
    refused(root, "InvalidParameter", "a reserved admin name")

    def badkey(b):
        b["os_profile"]["linux_configuration"]["ssh"]["public_keys"][0]["key_data"] = "not a key"
    refused(badkey, "InvalidParameter", "keyData that is not an OpenSSH key")

    def size(b):
        b["hardware_profile"]["vm_size"] = "Standard_Imaginary_v9"
    refused(size, "SkuNotAvailable", "an unknown size")

    post_json(f"{endpoint}/_control/fail-next-operation", {"subscription": sub, "code": "AllocationFailed",
                                                          "message": "Allocation failed."})
    nic2 = network.network_interfaces.begin_create_or_update("sdk-launch", "sdk-nic2", {
        "location": "eastus", "ip_configurations": [{"name": "ipconfig1", "subnet": {"id": vnet.subnets[0].id}}]}).result()
    failing = json.loads(json.dumps(vm_body))
    failing["network_profile"]["network_interfaces"][0]["id"] = nic2.id
    try:
        compute.virtual_machines.begin_create_or_update("sdk-launch", "sdk-failed", failing).result()
        check(False, "a failed create raises")
    except HttpResponseError as e:
        failed = compute.virtual_machines.get("sdk-launch", "sdk-failed")
        check("AllocationFailed" in str(e) and failed.provisioning_state == "Failed",
              f"a failed create raised its code and left the VM Failed: {str(e).splitlines()[0]}")

    compute.virtual_machines.begin_delete("sdk-launch", "sdk-vm").result()
    gone = []
    for get in (lambda: network.network_interfaces.get("sdk-launch", "sdk-nic"),
                lambda: network.public_ip_addresses.get("sdk-launch", "sdk-ip")):
        try:
            get()
        except ResourceNotFoundError:
            gone.append(True)
    kept = network.network_security_groups.get("sdk-launch", "sdk-nsg")
    check(len(gone) == 2 and kept.name == "sdk-nsg", "deleting the VM deleted its NIC and IP (deleteOption Delete), kept the NSG")


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
    launch(endpoint, sub, kw)
    print(f"{check.count - check.failed} passed, {check.failed} failed")
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main())
