#!/usr/bin/env python3
"""A loopback Azure Resource Manager (virtual machines, network interfaces, public IP addresses) and
Microsoft identity platform token endpoint, for Skydeck's tests and sandbox. Standard library only.

    arm_server.py --port P --tenant T --client-id C --client-secret S --subscription SUB [--demo]
                  [--transition-seconds 1.5] [--retry-after 1] [--page-size 50] [--token-lifetime 3599]
                  [--user NAME --user-password-env VAR] [--client-cert PEM]
                  [--tls-port P2 --tls-cert CERT --tls-key KEY]

Prints "PORT <n>" on stdout once listening (then "TLS_PORT <n>" with --tls-cert: the same server over
https, for clients such as MSAL that refuse an http authority). One server plays both hosts: AZURE_AUTHORITY_HOST
(login.microsoftonline.com) and the Resource Manager endpoint (management.azure.com).

What each handler follows (learn.microsoft.com):
  - /rest/api/compute/virtual-machines/list-all        GET /subscriptions/{s}/providers/Microsoft.Compute/virtualMachines
        (statusOnly=true adds properties.instanceView; paged through nextLink with $skiptoken)
  - /rest/api/compute/virtual-machines/list             GET .../resourceGroups/{g}/providers/Microsoft.Compute/virtualMachines
  - /rest/api/compute/virtual-machines/get              GET .../virtualMachines/{vm}[?$expand=instanceView]
  - /rest/api/compute/virtual-machines/instance-view    GET .../virtualMachines/{vm}/instanceView
  - /rest/api/compute/virtual-machines/start|power-off|deallocate|restart
                                                        POST .../virtualMachines/{vm}/start|powerOff|deallocate|restart
  - /rest/api/compute/virtual-machines/delete           DELETE .../virtualMachines/{vm}
        (all five: 202 Accepted with Azure-AsyncOperation, Location and Retry-After)
  - /rest/api/network/network-interfaces/list-all, /get GET .../providers/Microsoft.Network/networkInterfaces[/{nic}]
  - /rest/api/network/public-ip-addresses/list-all, /get GET .../providers/Microsoft.Network/publicIPAddresses[/{ip}]
  - Launching (what `az vm create` makes, each a PUT answered 201 with Azure-AsyncOperation, then listed and
    read back like the rest; see each handler for its checks and error codes):
      /rest/api/resources/resource-groups/create-or-update, /get  PUT|GET /subscriptions/{s}/resourcegroups/{g}
      /rest/api/virtualnetwork/virtual-networks/create-or-update, /get, /subnets/get, /delete
      /rest/api/virtualnetwork/network-security-groups/create-or-update, /get, /list-all, /delete
      /rest/api/virtualnetwork/public-ip-addresses/create-or-update, /delete (Static: an address at once)
      /rest/api/virtualnetwork/network-interfaces/create-or-update, /delete
      /rest/api/compute/virtual-machines/create-or-update  PUT .../virtualMachines/{vm}: size, image and its
        Hyper-V generation, osProfile SSH keys, NICs, Spot priority/evictionPolicy/billingProfile; the
        operation ends Succeeded (running) or Failed (/_control/fail-next-operation) with the VM left in
        ProvisioningState/failed/<code>; deleting it deletes the NICs and public IPs whose deleteOption
        says Delete
  - /azure/azure-resource-manager/management/async-operations ("Track asynchronous Azure operations"):
        Azure-AsyncOperation answers 200 {"status": InProgress|Succeeded|Failed|Canceled, "error"?} with
        Retry-After while in progress; Location (monitor=true) answers 202 until done, then 200 or the
        operation's error document.
  - /azure/azure-resource-manager/management/request-limits-and-throttling: 429 with Retry-After and
        x-ms-ratelimit-remaining-subscription-reads/-writes (and x-ms-ratelimit-remaining-resource).
  - /azure/azure-resource-manager/troubleshooting/common-deployment-errors, /rest/api/azure/ (common
        error document {"error": {"code", "message"}}; 401 with WWW-Authenticate for a missing,
        invalid or expired token: AuthenticationFailed, InvalidAuthenticationToken,
        ExpiredAuthenticationToken, InvalidAuthenticationTokenAudience; MissingApiVersionParameter,
        NoRegisteredProviderFound for an unknown api-version; SubscriptionNotFound,
        ResourceGroupNotFound, ResourceNotFound; OperationNotAllowed (409) for an action the VM's
        state refuses; OperationPreempted for an operation a newer one replaced).
  - The Microsoft identity platform (token endpoint: client secret, certificate, password and refresh
        token grants; tenant and user realm discovery; the VM metadata service's managed identity
        tokens): see aad.py beside this file, which also says what was proven with the Azure CLI.
  - /rest/api/resources/subscriptions/list, /rest/api/resources/tenants/list: GET /subscriptions and
        GET /tenants (what `az login` reads after signing in).
  - /azure/virtual-machines/states-billing: power states starting, running, stopping, stopped,
        deallocating, deallocated; provisioning states Updating, Succeeded, Failed, Deleting. A
        dynamic public IP is released on deallocation and a new one assigned at start.

Control API for tests and the sandbox (no auth; loopback only), all JSON:
  POST /_control/reset                    forget every subscription, operation and token
  POST /_control/seed                     {"subscription", "vms": [{name, resourceGroup, location, zones,
                                           vmSize, priority, power, publicIp, publicIpAllocation, publicIpAddress, privateIp, adminUsername,
                                           tags}], "count": N, "pageSize", "transitionSeconds", "retryAfter",
                                           "asyncHeader": "both|location", "nextLinkBase"}  -> {"vms": [ids]}
  POST /_control/fail-next-operation      {"subscription"?, "code", "message"}
  POST /_control/throttle-next            {"count", "retryAfter", "method"?, "pathContains"?}
  POST /_control/expire-tokens            every token issued so far is expired
  POST /_control/config                   {"tokenLifetime", "refreshTokenLifetime" (seconds),
                                           "clientCertificatePem" (the app registration's certificate),
                                           "managedIdentities": {"system": client id|null, "userAssigned": [ids]}}
  POST /_control/revoke-refresh-tokens    every refresh token handed out so far is revoked (AADSTS50173)
  GET  /_control/grants                   [{"grant_type", "client_id", "tenant", "time"}] at the token endpoints
  GET  /_control/requests[?contains=S]    [{"time", "method", "path", "status"}] (monotonic seconds)
  GET  /_control/tokens                   {"issued": n}
"""
import argparse
import base64
import datetime
import hashlib
import hmac
import ipaddress
import json
import os
import re
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import aad

COMPUTE_API_VERSIONS = {"2021-03-01", "2021-04-01", "2021-07-01", "2021-11-01", "2022-03-01", "2022-08-01",
                        "2022-11-01", "2023-03-01", "2023-07-01", "2023-09-01", "2024-03-01", "2024-07-01", "2024-11-01"}
NETWORK_API_VERSIONS = {"2021-02-01", "2021-05-01", "2021-08-01", "2022-01-01", "2022-05-01", "2022-07-01",
                        "2022-09-01", "2023-04-01", "2023-09-01", "2023-11-01", "2024-01-01", "2024-03-01", "2024-05-01"}
RESOURCES_API_VERSIONS = {"2019-10-01", "2020-06-01", "2021-04-01", "2022-09-01", "2023-07-01", "2024-03-01"}
# VM sizes this server offers in every region, with the Hyper-V generations they boot
# (/azure/virtual-machines/generation-2; the NC A100 v4 and ND A100 v4 pages: Generation 2 only).
VM_SIZES = {"standard_d2s_v5": {"V1", "V2"}, "standard_d4s_v5": {"V1", "V2"}, "standard_d8s_v5": {"V1", "V2"},
            "standard_e8s_v5": {"V1", "V2"}, "standard_b2s": {"V1", "V2"},
            "standard_nc4as_t4_v3": {"V1", "V2"}, "standard_nc8as_t4_v3": {"V1", "V2"},
            "standard_nc64as_t4_v3": {"V1", "V2"}, "standard_nc6s_v3": {"V1", "V2"}, "standard_nc24s_v3": {"V1", "V2"},
            "standard_nc24ads_a100_v4": {"V2"}, "standard_nc48ads_a100_v4": {"V2"}, "standard_nd96asr_v4": {"V2"},
            "standard_nd96isr_h100_v5": {"V2"}, "standard_nv36ads_a10_v5": {"V1", "V2"}}
# Platform images (publisher:offer:sku, as `az vm image list` shows them) and their Hyper-V generation.
IMAGES = {"canonical:0001-com-ubuntu-server-jammy:22_04-lts": "V1",
          "canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2": "V2",
          "canonical:ubuntu-24_04-lts:server": "V2", "canonical:ubuntu-24_04-lts:server-gen1": "V1",
          "microsoft-dsvm:ubuntu-hpc:2204": "V2", "microsoft-dsvm:ubuntu-2204:2204-gen2": "V2",
          "debian:debian-12:12": "V1", "debian:debian-12:12-gen2": "V2"}
# osProfile.adminUsername: the disallowed values listed in /rest/api/compute/virtual-machines/create-or-update.
RESERVED_ADMIN_NAMES = {"administrator", "admin", "user", "user1", "test", "user2", "test1", "user3", "admin1", "1",
                        "123", "a", "actuser", "adm", "admin2", "aspnet", "backup", "console", "david", "guest", "john",
                        "owner", "root", "server", "sql", "support", "support_388945a0", "sys", "test2", "test3",
                        "user4", "user5"}
AUDIENCES = ("https://management.azure.com/", "https://management.core.windows.net/",
             "https://management.azure.com", "https://management.core.windows.net")


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def arm_time(t):
    """ARM's timestamps: seven fractional digits and an explicit offset."""
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%07d" % (t.microsecond * 10) + "+00:00"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class ArmError(Exception):
    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


class Vm:
    def __init__(self, sub, rg, name, spec, index):
        self.sub, self.rg, self.name = sub, rg, name
        self.location = spec.get("location", "eastus")
        self.zones = spec.get("zones", [])
        self.vm_size = spec.get("vmSize", "Standard_NC4as_T4_v3")
        self.priority = spec.get("priority", "Regular")
        self.vm_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{sub}/{rg}/{name}"))
        self.admin = spec.get("adminUsername", "azureuser")
        self.tags = spec.get("tags", {})
        self.image = spec.get("image", {"publisher": "microsoft-dsvm", "offer": "ubuntu-hpc", "sku": "2204",
                                        "version": "latest", "exactVersion": "22.04.2024102301"})
        self.power = spec.get("power", "running")
        self.provisioning = "Succeeded"
        self.failure_code = None
        self.status_time = utcnow() - datetime.timedelta(hours=1 + index % 7)
        self.time_created = self.status_time - datetime.timedelta(days=3)
        self.nic_id = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/networkInterfaces/{name}-nic"
        self.private_ip = spec.get("privateIp", f"10.{index // 250 % 250}.{index // 250 // 250}.{index % 250 + 4}")
        self.pip_id = None
        if spec.get("publicIp", True):
            self.pip_id = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/publicIPAddresses/{name}-ip"
        self.pip_allocation = spec.get("publicIpAllocation", "Static")
        self.public_ip = spec.get("publicIpAddress", f"20.{index // 250 % 250}.{index % 250}.{(index * 7) % 250 + 1}") \
            if self.pip_id else None
        if self.pip_allocation == "Dynamic" and self.power == "deallocated":
            self.public_ip = None
        self.index = index
        self.op = None  # the running Operation, if any
        # A VM created through PUT (launch) uses network resources made through PUT too (sub.net);
        # a seeded VM has a NIC and public IP of its own, rendered from its fields.
        self.external_net = spec.get("externalNet", False)
        self.nic_refs = spec.get("nicRefs") or [{"id": self.nic_id, "properties": {"primary": True}}]
        if self.external_net:
            self.nic_id = self.nic_refs[0]["id"]
            self.pip_id = None
            self.public_ip = None
        self.ssh_keys = spec.get("sshKeys") or [
            {"path": f"/home/{self.admin}/.ssh/authorized_keys",
             "keyData": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDemoDemoDemoDemoDemoDemoDemoDemoDemoDemoDemo"}]
        self.computer_name = spec.get("computerName", name)
        self.os_disk_gb = spec.get("osDiskGb", 128)
        self.os_disk_delete = spec.get("osDiskDeleteOption", "Delete")
        self.eviction = spec.get("evictionPolicy", "Deallocate")
        self.max_price = spec.get("maxPrice", -1)

    @property
    def id(self):
        return f"/subscriptions/{self.sub}/resourceGroups/{self.rg}/providers/Microsoft.Compute/virtualMachines/{self.name}"

    def statuses(self):
        if self.failure_code:
            prov = {"code": f"ProvisioningState/failed/{self.failure_code}", "level": "Error",
                    "displayStatus": "Provisioning failed", "message": self.failure_message,
                    "time": arm_time(self.status_time)}
        else:
            word = self.provisioning.lower()
            prov = {"code": f"ProvisioningState/{word}", "level": "Info",
                    "displayStatus": {"succeeded": "Provisioning succeeded", "updating": "Updating",
                                      "deleting": "Deleting", "creating": "Creating"}.get(word, self.provisioning)}
            if word == "succeeded":
                prov["time"] = arm_time(self.status_time)
        power = {"code": f"PowerState/{self.power}", "level": "Info",
                 "displayStatus": "VM " + self.power}
        return [prov, power]

    def instance_view(self, full=True):
        view = {"statuses": self.statuses()}
        if full:
            view.update({"computerName": self.name, "osName": "ubuntu", "osVersion": "22.04",
                         "hyperVGeneration": "V2",
                         "vmAgent": {"vmAgentVersion": "2.11.1.12", "statuses": [
                             {"code": "ProvisioningState/succeeded", "level": "Info", "displayStatus": "Ready",
                              "message": "Guest Agent is running", "time": arm_time(self.status_time)}]},
                         "disks": [{"name": f"{self.name}_OsDisk_1", "statuses": [
                             {"code": "ProvisioningState/succeeded", "level": "Info",
                              "displayStatus": "Provisioning succeeded", "time": arm_time(self.time_created)}]}]})
        return view

    def model(self, instance_view=None):
        props = {
            "vmId": self.vm_id,
            "hardwareProfile": {"vmSize": self.vm_size},
            "storageProfile": {
                "imageReference": dict(self.image),
                "osDisk": {"osType": "Linux", "name": f"{self.name}_OsDisk_1", "createOption": "FromImage",
                           "caching": "ReadWrite", "deleteOption": self.os_disk_delete, "diskSizeGB": self.os_disk_gb,
                           "managedDisk": {"storageAccountType": "Premium_LRS", "id":
                                           f"/subscriptions/{self.sub}/resourceGroups/{self.rg}/providers/"
                                           f"Microsoft.Compute/disks/{self.name}_OsDisk_1"}},
                "dataDisks": []},
            "osProfile": {"computerName": self.computer_name, "adminUsername": self.admin,
                          "linuxConfiguration": {"disablePasswordAuthentication": True,
                                                 "ssh": {"publicKeys": [dict(k) for k in self.ssh_keys]},
                                                 "provisionVMAgent": True},
                          "secrets": [], "allowExtensionOperations": True},
            "networkProfile": {"networkInterfaces": [dict(n) for n in self.nic_refs]},
            "diagnosticsProfile": {"bootDiagnostics": {"enabled": True}},
            "provisioningState": self.provisioning if not self.failure_code else "Failed",
            "timeCreated": arm_time(self.time_created),
        }
        if self.priority != "Regular":
            props["priority"] = self.priority
            props["evictionPolicy"] = self.eviction
            props["billingProfile"] = {"maxPrice": self.max_price}
        if instance_view is not None:
            props["instanceView"] = instance_view
        out = {"name": self.name, "id": self.id, "type": "Microsoft.Compute/virtualMachines",
               "location": self.location, "tags": self.tags, "properties": props}
        if self.zones:
            out["zones"] = list(self.zones)
        return out

    def nic(self):
        ipconf = {"privateIPAddress": self.private_ip, "privateIPAllocationMethod": "Dynamic",
                  "privateIPAddressVersion": "IPv4", "primary": True, "provisioningState": "Succeeded",
                  "subnet": {"id": f"/subscriptions/{self.sub}/resourceGroups/{self.rg}/providers/"
                                   f"Microsoft.Network/virtualNetworks/{self.rg}-vnet/subnets/default"}}
        if self.pip_id:
            ipconf["publicIPAddress"] = {"id": self.pip_id}
        props = {"provisioningState": "Succeeded", "resourceGuid": str(uuid.uuid5(uuid.NAMESPACE_URL, self.nic_id)),
                 "ipConfigurations": [{"name": "ipconfig1", "id": self.nic_id + "/ipConfigurations/ipconfig1",
                                       "type": "Microsoft.Network/networkInterfaces/ipConfigurations",
                                       "properties": ipconf}],
                 "enableAcceleratedNetworking": True, "primary": True, "nicType": "Standard"}
        if not getattr(self, "deleted", False):
            props["virtualMachine"] = {"id": self.id}
        if self.power in ("running", "starting", "stopping", "stopped"):
            props["macAddress"] = "00-0D-3A-%02X-%02X-%02X" % (self.index >> 16 & 255, self.index >> 8 & 255, self.index & 255)
        return {"name": self.name + "-nic", "id": self.nic_id, "type": "Microsoft.Network/networkInterfaces",
                "location": self.location, "properties": props}

    def pip(self):
        props = {"provisioningState": "Succeeded", "publicIPAddressVersion": "IPv4",
                 "publicIPAllocationMethod": self.pip_allocation, "idleTimeoutInMinutes": 4,
                 "ipConfiguration": {"id": self.nic_id + "/ipConfigurations/ipconfig1"}}
        if self.public_ip:
            props["ipAddress"] = self.public_ip
        out = {"name": self.name + "-ip", "id": self.pip_id, "type": "Microsoft.Network/publicIPAddresses",
               "location": self.location, "sku": {"name": "Standard" if self.pip_allocation == "Static" else "Basic",
                                                  "tier": "Regional"}, "properties": props}
        if self.zones:
            out["zones"] = list(self.zones)
        return out


# What each action does: the state it passes through, where it ends, and the states it is refused in.
ACTIONS = {
    "start": {"during": "starting", "final": "running", "refused": {}},
    "poweroff": {"during": "stopping", "final": "stopped",
                 "refused": {"deallocated": "Operation 'powerOff' is not allowed on VM '{vm}' since the VM is "
                                            "deallocated or marked to be deallocated."}},
    "deallocate": {"during": "deallocating", "final": "deallocated", "refused": {}},
    "restart": {"during": "starting", "final": "running",
                "refused": {"deallocated": "Operation 'restart' is not allowed on VM '{vm}' since the VM is "
                                           "deallocated or marked to be deallocated.",
                            "stopped": "Operation 'restart' is not allowed on VM '{vm}' since the VM is not "
                                       "running. Please start the VM first."}},
    "delete": {"during": "deallocating", "final": None, "refused": {}},
    "create": {"during": "starting", "final": "running", "refused": {}},
}
ACTION_NAMES = {"start": "start", "poweroff": "powerOff", "deallocate": "deallocate", "restart": "restart",
                "delete": "delete", "create": "createOrUpdate"}


class Operation:
    def __init__(self, vm, action, seconds, failure):
        self.id = str(uuid.uuid4())
        self.vm, self.action = vm, action
        self.start = utcnow()
        self.end_at = time.monotonic() + seconds
        self.status = "InProgress"
        self.end = None
        self.error = None
        self.failure = failure  # {"code", "message"} to end with, or None
        self.before = vm.power
        self.sub_id, self.location, self.namespace = vm.sub, vm.location, "Microsoft.Compute"

    def body(self):
        out = {"startTime": arm_time(self.start), "status": self.status, "name": self.id}
        if self.end:
            out["endTime"] = arm_time(self.end)
        if self.error:
            out["error"] = dict(self.error)
        return out


class NetworkOperation:
    """A Microsoft.Network create or update: InProgress for a moment, then Succeeded (network resources
    are provisioned in seconds; /rest/api/virtualnetwork/... create-or-update answer 201 with
    Azure-AsyncOperation pointing at .../providers/Microsoft.Network/locations/{l}/operations/{id})."""

    def __init__(self, sub_id, location, doc, seconds):
        self.id = str(uuid.uuid4())
        self.sub_id, self.location, self.namespace = sub_id, location, "Microsoft.Network"
        self.doc = doc
        self.start = utcnow()
        self.end_at = time.monotonic() + seconds
        self.status = "InProgress"
        self.end = None
        self.error = None

    def body(self):
        out = {"status": self.status}
        if self.error:
            out["error"] = dict(self.error)
        return out


class Subscription:
    def __init__(self, sub_id):
        self.id = sub_id
        self.groups = set()
        self.vms = {}           # lower-case id -> Vm
        self.page_size = 50
        self.transition = 1.5
        self.retry_after = 1
        self.async_header = "both"
        self.next_link_base = None  # another host for nextLink (a client must not follow it with its token)
        self.fail_next = None
        self.writes_left = 1199
        self.reads_left = 11999
        self.group_docs = {}    # lower-case name -> resource group document (PUT)
        self.net = {}           # lower-case id -> network resource document made by PUT (NSG, VNet, IP, NIC)
        self.orphans = []       # seeded VMs deleted: their NIC and IP stay listed

    def sorted_vms(self):
        return [self.vms[k] for k in sorted(self.vms)]


class State:
    def __init__(self, args):
        self.lock = threading.RLock()
        self.tenant = args.tenant
        self.client_id = args.client_id
        self.client_secret = args.client_secret
        self.token_lifetime = args.token_lifetime
        self.directory = aad.Directory(args)
        self.key = uuid.uuid4().bytes
        self.defaults = {"pageSize": args.page_size, "transitionSeconds": args.transition_seconds,
                         "retryAfter": args.retry_after}
        self.reset()

    def reset(self):
        self.subs = {}
        self.operations = {}
        self.tokens_expired_before = 0.0
        self.issued = 0
        self.directory.reset()
        self.throttles = []
        self.requests = []

    def subscription(self, sub_id, create=False):
        s = self.subs.get(sub_id.lower())
        if s is None and create:
            s = Subscription(sub_id)
            s.page_size = self.defaults["pageSize"]
            s.transition = self.defaults["transitionSeconds"]
            s.retry_after = self.defaults["retryAfter"]
            self.subs[sub_id.lower()] = s
        return s

    first_subscription = None

    def seed(self, body):
        sub = self.subscription(body.get("subscription") or str(uuid.uuid4()), create=True)
        for key, attr in (("pageSize", "page_size"), ("transitionSeconds", "transition"),
                          ("retryAfter", "retry_after"), ("asyncHeader", "async_header"),
                          ("nextLinkBase", "next_link_base")):
            if key in body:
                setattr(sub, attr, body[key])
        specs = list(body.get("vms", []))
        regions = ["eastus", "westeurope", "southcentralus", "westus2", "northeurope", "japaneast",
                   "australiaeast", "uksouth", "centralindia", "canadacentral"]
        sizes = ["Standard_NC4as_T4_v3", "Standard_NC6s_v3", "Standard_NC24ads_A100_v4", "Standard_D4s_v5"]
        for i in range(int(body.get("count", 0))):
            specs.append({"name": "vm-%04d" % i, "resourceGroup": "rg-%d" % (i % 3), "location": regions[i % 10],
                          "vmSize": sizes[i % 4], "power": ["running", "deallocated", "stopped"][i % 3],
                          "priority": "Spot" if i % 5 == 0 else "Regular",
                          "zones": [str(i % 3 + 1)] if i % 2 == 0 else []})
        created = []
        for spec in specs:
            rg = spec.get("resourceGroup", "skydeck-rg")
            sub.groups.add(rg.lower())
            vm = Vm(sub.id, rg, spec["name"], spec, len(sub.vms) + 1)
            sub.vms[vm.id.lower()] = vm
            created.append(vm.id)
        return {"subscription": sub.id, "vms": created}

    def advance(self):
        """Ends every operation whose time has come (lazily, on each request)."""
        now = time.monotonic()
        for op in list(self.operations.values()):
            if op.status == "InProgress" and now >= op.end_at:
                if isinstance(op, NetworkOperation):
                    op.status = "Succeeded"
                    op.end = utcnow()
                    op.doc["properties"]["provisioningState"] = "Succeeded"
                else:
                    self.finish(op)

    def release_network(self, sub, vm):
        """A launched VM was deleted: each NIC with deleteOption Delete goes, and with it its public
        IP when that says deleteOption Delete (/rest/api/compute/virtual-machines/create-or-update:
        NetworkInterfaceReference.properties.deleteOption; /rest/api/virtualnetwork/public-ip-addresses:
        properties.deleteOption); other NICs are only detached."""
        for ref in vm.nic_refs:
            nic = sub.net.get(ref["id"].lower())
            if nic is None:
                continue
            nic["properties"].pop("virtualMachine", None)
            if (ref.get("properties") or {}).get("deleteOption") != "Delete":
                continue
            sub.net.pop(ref["id"].lower(), None)
            for conf in nic["properties"].get("ipConfigurations", []):
                cp = conf["properties"]
                subnet = self.net_lookup(sub, (cp.get("subnet") or {}).get("id"))
                if subnet is not None:
                    subnet["properties"]["ipConfigurations"] = [
                        c for c in subnet["properties"].get("ipConfigurations", []) if c["id"].lower() != conf["id"].lower()]
                pip_id = (cp.get("publicIPAddress") or {}).get("id")
                pip = sub.net.get((pip_id or "").lower())
                if pip is not None:
                    pip["properties"].pop("ipConfiguration", None)
                    if pip["properties"].get("deleteOption") == "Delete":
                        sub.net.pop(pip_id.lower(), None)
            nsg = sub.net.get(((nic["properties"].get("networkSecurityGroup") or {}).get("id") or "").lower())
            if nsg is not None:
                nsg["properties"]["networkInterfaces"] = [
                    n for n in nsg["properties"].get("networkInterfaces", []) if n["id"].lower() != ref["id"].lower()]

    def net_lookup(self, sub, rid):
        """A stored network resource (or a virtual network's subnet) by id, None when absent."""
        if not rid:
            return None
        rid = rid.lower()
        if "/subnets/" in rid:
            vnet = sub.net.get(rid.split("/subnets/")[0])
            if vnet is None:
                return None
            for subnet in vnet["properties"].get("subnets", []):
                if subnet["id"].lower() == rid:
                    return subnet
            return None
        return sub.net.get(rid)

    def finish(self, op, preempted_by=None):
        vm = op.vm
        op.end = utcnow()
        if preempted_by is not None:
            op.status = "Failed"
            op.error = {"code": "OperationPreempted",
                        "message": "Operation execution has been preempted by a more recent operation."}
            return
        vm.op = None
        if op.failure:
            op.status = "Failed"
            op.error = dict(op.failure)
            vm.power = op.before
            vm.provisioning = "Failed"
            vm.failure_code = op.failure["code"]
            vm.failure_message = op.failure["message"]
            vm.status_time = op.end
            if getattr(vm, "deleting", False):
                vm.deleting = False
            return
        op.status = "Succeeded"
        final = ACTIONS[op.action]["final"]
        if final is None:  # delete: the VM is gone, its NIC and IP stay (as with deleteOption Detach)
            sub = self.subscription(vm.sub)
            sub.vms.pop(vm.id.lower(), None)
            vm.deleted = True
            if vm.external_net:
                self.release_network(sub, vm)
            else:
                sub.orphans.append(vm)
            return
        vm.power = final
        vm.provisioning = "Succeeded"
        vm.failure_code = None
        vm.status_time = op.end
        if vm.pip_id and vm.pip_allocation == "Dynamic":
            if final == "deallocated":
                vm.public_ip = None
            elif final == "running" and not vm.public_ip:
                vm.public_ip = "52.%d.%d.%d" % (vm.index % 250, int(time.time()) % 250, vm.index * 3 % 250 + 1)

    def act(self, sub, vm, action):
        rule = ACTIONS[action]
        if vm.op is None and vm.power in rule["refused"]:
            raise ArmError(409, "OperationNotAllowed", rule["refused"][vm.power].format(vm=vm.name))
        if vm.op is not None:
            self.finish(vm.op, preempted_by=action)
        failure, sub.fail_next = sub.fail_next, None
        # A no-op (start on a running VM, deallocate on a deallocated one) still runs as an operation.
        seconds = sub.transition if vm.power != rule["final"] else min(sub.transition, 0.2)
        op = Operation(vm, action, seconds, failure)
        self.operations[op.id] = op
        vm.op = op
        vm.failure_code = None
        vm.power = rule["during"] if vm.power != rule["final"] else vm.power
        vm.provisioning = "Deleting" if action == "delete" else "Updating"
        return op

    def issue_token(self, tenant, client_id, scope, extra=None):
        now = int(time.time())
        aud = scope[: -len("/.default")]  # the resource: "https://management.core.windows.net//.default" -> ".../"
        claims = {"aud": aud, "iss": f"https://sts.windows.net/{tenant}/", "iat": now, "nbf": now,
                  "exp": now + self.token_lifetime, "appid": client_id, "tid": tenant,
                  "oid": str(uuid.uuid5(uuid.NAMESPACE_DNS, client_id)), "idtyp": "app", "ver": "1.0",
                  "jti": uuid.uuid4().hex, "issued_at_ms": int(time.time() * 1000), **(extra or {})}
        header = b64url(json.dumps({"typ": "JWT", "alg": "HS256", "kid": "skydeck-test"}).encode())
        payload = b64url(json.dumps(claims).encode())
        sig = b64url(hmac.new(self.key, f"{header}.{payload}".encode(), hashlib.sha256).digest())
        self.issued += 1
        return f"{header}.{payload}.{sig}"

    def check_token(self, token):
        """The token's claims, or an ArmError as Resource Manager answers a bad bearer token."""
        def invalid(code, message, description):
            return ArmError(401, code, message, {"WWW-Authenticate":
                f'Bearer authorization_uri="https://login.windows.net/{self.tenant}", error="invalid_token", '
                f'error_description="{description}"'})
        parts = token.split(".")
        if len(parts) != 3:
            raise invalid("InvalidAuthenticationToken", "The access token is invalid.", "The access token is invalid.")
        expected = b64url(hmac.new(self.key, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(expected, parts[2]):
            raise invalid("InvalidAuthenticationToken", "The access token is invalid.",
                          "The access token signature is invalid.")
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        if claims["aud"] not in AUDIENCES:
            raise invalid("InvalidAuthenticationTokenAudience",
                          f"The access token has been obtained for wrong audience or resource '{claims['aud']}'. It "
                          "should exactly match with one of the allowed audiences 'https://management.core.windows.net/',"
                          "'https://management.core.windows.net','https://management.azure.com/',"
                          "'https://management.azure.com'.", "The access token has an invalid audience.")
        expired = claims["exp"] <= time.time() or claims["issued_at_ms"] / 1000.0 <= self.tokens_expired_before
        if expired:
            exp = datetime.datetime.fromtimestamp(claims["exp"], datetime.timezone.utc)
            fmt = "%m/%d/%Y %I:%M:%S %p"
            raise invalid("ExpiredAuthenticationToken",
                          f"The access token expiry UTC time '{exp.strftime(fmt)}' is earlier than current UTC time "
                          f"'{utcnow().strftime(fmt)}'.", "The access token has expired.")
        return claims


VM_PATH = re.compile(r"^/subscriptions/([^/]+)/resourcegroups/([^/]+)/providers/microsoft\.compute/"
                     r"virtualmachines/([^/]+)(?:/([^/]+))?$", re.I)
VM_LIST_ALL = re.compile(r"^/subscriptions/([^/]+)/providers/microsoft\.compute/virtualmachines$", re.I)
VM_LIST_RG = re.compile(r"^/subscriptions/([^/]+)/resourcegroups/([^/]+)/providers/microsoft\.compute/virtualmachines$", re.I)
OPERATION = re.compile(r"^/subscriptions/([^/]+)/providers/microsoft\.(?:compute|network)/locations/([^/]+)/operations/([^/]+)$",
                       re.I)
NET_LIST_ALL = re.compile(r"^/subscriptions/([^/]+)/providers/microsoft\.network/"
                          r"(networkinterfaces|publicipaddresses|networksecuritygroups|virtualnetworks)$", re.I)
RG_PATH = re.compile(r"^/subscriptions/([^/]+)/resourcegroups/([^/]+)$", re.I)
NET_RESOURCE = re.compile(r"^/subscriptions/([^/]+)/resourcegroups/([^/]+)/providers/microsoft\.network/"
                          r"(networksecuritygroups|publicipaddresses|networkinterfaces|virtualnetworks)/([^/]+)"
                          r"(?:/subnets/([^/]+))?$", re.I)
# Path segment -> (type name, what a PUT of it must say).
NET_KINDS = {"networksecuritygroups": ("networkSecurityGroups",), "publicipaddresses": ("publicIPAddresses",),
             "networkinterfaces": ("networkInterfaces",), "virtualnetworks": ("virtualNetworks",)}
NET_GET = re.compile(r"^/subscriptions/([^/]+)/resourcegroups/([^/]+)/providers/microsoft\.network/"
                     r"(networkinterfaces|publicipaddresses)/([^/]+)$", re.I)
TOKEN = re.compile(r"^/([^/]+)/oauth2/v2\.0/token$")
OPENID = re.compile(r"^/([^/]+)/v2\.0/\.well-known/openid-configuration$")
USER_REALM = re.compile(r"^/common/userrealm/([^/]+)$")
IMDS_TOKEN = "/metadata/identity/oauth2/token"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "arm-test-server"
    state: State = None
    scheme = "http"

    def log_message(self, fmt, *args):
        pass

    # -- plumbing -------------------------------------------------------------------------------
    def base(self):
        return f"{self.scheme}://{self.headers.get('Host', '127.0.0.1')}"

    def send_json(self, status, body, headers=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-ms-request-id", str(uuid.uuid4()))
        self.send_header("x-ms-correlation-request-id", self.headers.get("x-ms-correlation-request-id") or str(uuid.uuid4()))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if data:
            self.wfile.write(data)
        self.status_sent = status

    def send_error_doc(self, e):
        self.send_json(e.status, {"error": {"code": e.code, "message": e.message}}, e.headers)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def record(self, method, path):
        with self.state.lock:
            self.state.requests.append({"time": time.monotonic(), "method": method, "path": path,
                                        "status": getattr(self, "status_sent", 0)})
            del self.state.requests[:-5000]

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_HEAD(self):
        self.dispatch("HEAD")

    def dispatch(self, method):
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        body = self.read_body()
        try:
            if path.startswith("/_control/"):
                self.control(method, path, query, body)
            elif TOKEN.match(path):
                if method != "POST":
                    self.send_json(400, aad.OAuthError(400, "invalid_request", 900561,
                                                       "The endpoint only accepts POST requests.").body())
                else:
                    aad.token_endpoint(self, self.state, TOKEN.match(path).group(1), body, self.scheme)
            elif OPENID.match(path) and method == "GET":
                aad.openid_configuration(self, self.state, OPENID.match(path).group(1), self.scheme)
            elif USER_REALM.match(path) and method == "GET":
                aad.user_realm(self, self.state, USER_REALM.match(path).group(1))
            elif path == IMDS_TOKEN and method == "GET":
                aad.imds_token(self, self.state, query)
            else:
                with self.state.lock:
                    self.state.advance()
                    self.arm(method, path, query, body)
        except ArmError as e:
            self.send_error_doc(e)
        except (ValueError, KeyError) as e:
            self.send_json(400, {"error": {"code": "InvalidRequestContent", "message": f"The request content was invalid: {e}"}})
        if not path.startswith("/_control/"):
            self.record(method, url.path + ("?" + url.query if url.query else ""))

    # -- Resource Manager -----------------------------------------------------------------------
    def arm(self, method, path, query, body=b""):
        st = self.state
        auth = self.headers.get("Authorization") or ""
        if not auth:
            raise ArmError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.",
                           {"WWW-Authenticate": f'Bearer authorization_uri="https://login.windows.net/{st.tenant}", '
                                                'error="invalid_token", error_description="The authentication failed '
                                                'because of missing \'Authorization\' header."'})
        if not auth.startswith("Bearer "):
            raise ArmError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is provided "
                                                       "in an invalid format.",
                           {"WWW-Authenticate": f'Bearer authorization_uri="https://login.windows.net/{st.tenant}", '
                                                'error="invalid_token", error_description="The authentication '
                                                'scheme of Basic is not supported."'})
        claims = st.check_token(auth[7:].strip())
        write = method != "GET"
        self.throttle(method, path, claims)
        if path.rstrip("/").lower() in ("/subscriptions", "/tenants") and method == "GET":
            return self.list_subscriptions_or_tenants(path.rstrip("/").lower(), claims)
        m = re.match(r"^/subscriptions/([^/]+)", path, re.I)
        if not m:
            raise ArmError(404, "InvalidResourceType", f"The resource type could not be found in the namespace for path '{path}'.")
        sub = st.subscription(m.group(1))
        if sub is None:
            raise ArmError(404, "SubscriptionNotFound", f"The subscription '{m.group(1)}' could not be found.")
        if claims["tid"].lower() != st.tenant.lower():
            raise ArmError(401, "InvalidAuthenticationTokenTenant",
                           f"The access token is from the wrong issuer '{claims['iss']}'.")
        network = "/microsoft.network/" in path.lower()
        if RG_PATH.match(path):
            self.check_api_version(query, RESOURCES_API_VERSIONS, "Microsoft.Resources", path)
        else:
            self.check_api_version(query, NETWORK_API_VERSIONS if network else COMPUTE_API_VERSIONS,
                                   "Microsoft.Network" if network else "Microsoft.Compute", path)
        if write:
            sub.writes_left = max(0, sub.writes_left - 1)
        else:
            sub.reads_left = max(0, sub.reads_left - 1)
        self.limits = {f"x-ms-ratelimit-remaining-subscription-{'writes' if write else 'reads'}":
                       sub.writes_left if write else sub.reads_left}

        if (mm := VM_LIST_ALL.match(path)) and method == "GET":
            status_only = query.get("statusOnly", "").lower() == "true"
            return self.page(sub.sorted_vms(), query, lambda vm: vm.model(vm.instance_view(False) if status_only else None))
        if (mm := VM_LIST_RG.match(path)) and method == "GET":
            self.group(sub, mm.group(2))
            vms = [vm for vm in sub.sorted_vms() if vm.rg.lower() == mm.group(2).lower()]
            return self.page(vms, query, lambda vm: vm.model())
        if (mm := RG_PATH.match(path)) and method in ("GET", "PUT", "HEAD"):
            return self.resource_group(sub, mm.group(2), method, body)
        if (mm := NET_RESOURCE.match(path)) and method == "PUT" and not mm.group(5):
            return self.put_network(sub, mm.group(2), mm.group(3).lower(), mm.group(4), body)
        if (mm := NET_RESOURCE.match(path)) and method == "DELETE" and not mm.group(5):
            return self.delete_network(sub, mm.group(2), mm.group(3).lower(), mm.group(4))
        if (mm := NET_RESOURCE.match(path)) and method == "GET":
            doc = st.net_lookup(sub, path)
            if doc is not None:
                self.group(sub, mm.group(2))
                return self.send_json(200, doc, self.limits)
            if mm.group(3).lower() in ("networksecuritygroups", "virtualnetworks") or mm.group(5):
                self.group(sub, mm.group(2))
                kind = NET_KINDS[mm.group(3).lower()][0]
                raise ArmError(404, "ResourceNotFound", f"The Resource 'Microsoft.Network/{kind}/{mm.group(4)}' under "
                               f"resource group '{mm.group(2)}' was not found. For more details please go to "
                               "https://aka.ms/ARMResourceNotFoundFix")
        if (mm := VM_PATH.match(path)) and method == "PUT" and not mm.group(4):
            return self.create_vm(sub, mm.group(2), mm.group(3), body)
        if mm := VM_PATH.match(path):
            vm = self.find_vm(sub, mm.group(2), mm.group(3))
            verb = (mm.group(4) or "").lower()
            if method == "GET" and verb == "":
                expand = query.get("$expand")
                if expand not in (None, "instanceView", "userData"):
                    raise ArmError(400, "InvalidParameter", f"The value '{expand}' of parameter '$expand' is not valid.")
                return self.send_json(200, vm.model(vm.instance_view() if expand == "instanceView" else None), self.limits)
            if method == "GET" and verb == "instanceview":
                return self.send_json(200, vm.instance_view(), self.limits)
            if method == "POST" and verb in ("start", "poweroff", "deallocate", "restart"):
                return self.accepted(sub, st.act(sub, vm, verb))
            if method == "DELETE" and verb == "":
                return self.accepted(sub, st.act(sub, vm, "delete"))
            raise ArmError(405, "MethodNotAllowed", f"The requested resource does not support http method '{method}'.")
        if (mm := OPERATION.match(path)) and method == "GET":
            op = st.operations.get(mm.group(3))
            if op is None or op.sub_id.lower() != sub.id.lower():
                raise ArmError(404, "NotFound", f"The operation '{mm.group(3)}' could not be found.")
            if query.get("monitor", "").lower() == "true":  # the Location header's URL
                if op.status == "InProgress":
                    return self.send_json(202, None, {**self.limits, "Location": self.op_url(op, monitor=True),
                                                      "Retry-After": sub.retry_after})
                if op.status == "Succeeded":
                    return self.send_json(200, None, self.limits)
                raise ArmError(409, op.error["code"], op.error["message"])
            headers = dict(self.limits)
            if op.status == "InProgress":
                headers["Retry-After"] = sub.retry_after
            return self.send_json(200, op.body(), headers)
        if (mm := NET_LIST_ALL.match(path)) and method == "GET":
            vms = [vm for vm in sub.sorted_vms() + sub.orphans if not vm.external_net]
            kind = NET_KINDS[mm.group(2).lower()][0]
            stored = [sub.net[k] for k in sorted(sub.net) if sub.net[k]["type"] == f"Microsoft.Network/{kind}"]
            if kind == "networkInterfaces":
                return self.page([("vm", vm) for vm in vms] + [("doc", d) for d in stored], query,
                                 lambda x: x[1].nic() if x[0] == "vm" else x[1])
            if kind == "publicIPAddresses":
                return self.page([("vm", vm) for vm in vms if vm.pip_id] + [("doc", d) for d in stored], query,
                                 lambda x: x[1].pip() if x[0] == "vm" else x[1])
            return self.page(stored, query, lambda d: d)
        if (mm := NET_GET.match(path)) and method == "GET":
            self.group(sub, mm.group(2))
            want = f"{path}".lower()
            for vm in sub.sorted_vms() + sub.orphans:
                if vm.nic_id.lower() == want:
                    return self.send_json(200, vm.nic(), self.limits)
                if vm.pip_id and vm.pip_id.lower() == want:
                    return self.send_json(200, vm.pip(), self.limits)
            kind = "networkInterfaces" if mm.group(3).lower() == "networkinterfaces" else "publicIPAddresses"
            raise ArmError(404, "ResourceNotFound", f"The Resource 'Microsoft.Network/{kind}/{mm.group(4)}' under "
                           f"resource group '{mm.group(2)}' was not found. For more details please go to "
                           "https://aka.ms/ARMResourceNotFoundFix")
        raise ArmError(404, "InvalidResourceType", f"The resource type could not be found for path '{path}'.")

    # -- creating: resource groups, network resources, VMs ------------------------------------
    def list_subscriptions_or_tenants(self, path, claims):
        """/rest/api/resources/subscriptions/list and /rest/api/resources/tenants/list: what `az login` reads."""
        st = self.state
        tenant = claims["tid"]
        if path == "/tenants":
            return self.send_json(200, {"value": [{"id": f"/tenants/{tenant}", "tenantId": tenant,
                                                   "countryCode": "GB", "displayName": "Skydeck Test",
                                                   "domains": ["contoso.example"], "tenantCategory": "Home",
                                                   "tenantType": "AAD"}]})
        subs = [{"id": f"/subscriptions/{s}", "subscriptionId": s, "tenantId": tenant,
                 "displayName": f"Skydeck test {s[:8]}", "state": "Enabled",
                 "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01",
                                          "spendingLimit": "Off"},
                 "authorizationSource": "RoleBased", "managedByTenants": []}
                for s in sorted(st.subs) if tenant.lower() == st.tenant.lower()]
        # The first subscription the peer was started with comes first (az makes the first one the default).
        subs.sort(key=lambda d: d["subscriptionId"] != st.first_subscription)
        return self.send_json(200, {"value": subs, "count": {"type": "Total", "value": len(subs)}})

    def resource_group(self, sub, rg, method, body):
        """/rest/api/resources/resource-groups/create-or-update (PUT: 201 when created, 200 when it was
        there; a group in another location is InvalidResourceGroupLocation), /get (404
        ResourceGroupNotFound) and /check-existence (HEAD: 204 or 404)."""
        key = rg.lower()
        if method == "HEAD":  # /rest/api/resources/resource-groups/check-existence: 204 or 404, no body
            return self.send_json(204 if key in sub.groups else 404, None, self.limits)
        if method == "GET":
            self.group(sub, rg)
            return self.send_json(200, self.group_doc(sub, rg), self.limits)
        data = self.json_body(body)
        location = (data.get("location") or "").replace(" ", "").lower()
        if not location:
            raise ArmError(400, "LocationRequired", "The location property is required for this definition.")
        known = sub.group_docs.get(key)
        if known is not None and known["location"] != location:
            raise ArmError(409, "InvalidResourceGroupLocation",
                           f"Invalid resource group location '{location}'. The Resource group already exists in "
                           f"location '{known['location']}'.")
        created = key not in sub.groups
        sub.groups.add(key)
        if known is None:
            sub.group_docs[key] = {"id": f"/subscriptions/{sub.id}/resourceGroups/{rg}", "name": rg,
                                   "type": "Microsoft.Resources/resourceGroups", "location": location,
                                   "tags": data.get("tags") or {}, "properties": {"provisioningState": "Succeeded"}}
        return self.send_json(201 if created else 200, sub.group_docs[key], self.limits)

    def group_doc(self, sub, rg):
        doc = sub.group_docs.get(rg.lower())
        if doc is None:  # a group made by seeding: where its first VM is
            where = next((vm.location for vm in sub.sorted_vms() if vm.rg.lower() == rg.lower()), "eastus")
            doc = {"id": f"/subscriptions/{sub.id}/resourceGroups/{rg}", "name": rg,
                   "type": "Microsoft.Resources/resourceGroups", "location": where,
                   "properties": {"provisioningState": "Succeeded"}}
        return doc

    @staticmethod
    def json_body(body):
        try:
            data = json.loads(body or b"{}")
        except ValueError as e:
            raise ArmError(400, "InvalidRequestContent", f"The request content was invalid and could not be deserialized: {e}")
        if not isinstance(data, dict):
            raise ArmError(400, "InvalidRequestContent", "The request content was invalid: not a JSON object.")
        return data

    def net_operation_url(self, op):
        return (f"{self.base()}/subscriptions/{op.sub_id}/providers/Microsoft.Network/locations/{op.location}"
                f"/operations/{op.id}?api-version=2024-05-01")

    def reference(self, sub, referrer, rid, location, kind):
        """A resource another one points at: it must exist, be of its kind and be in the same region
        (InvalidResourceReference, /azure/azure-resource-manager/troubleshooting/common-deployment-errors)."""
        doc = self.state.net_lookup(sub, rid)
        owner = self.state.net_lookup(sub, rid.split("/subnets/")[0]) if doc is not None and "/subnets/" in rid.lower() else doc
        if doc is None or owner["type"] != f"Microsoft.Network/{kind}" or owner["location"] != location:
            raise ArmError(400, "InvalidResourceReference",
                           f"Resource {rid} referenced by resource {referrer} was not found. Please make sure that the "
                           "referenced resource exists, and that both resources are in the same region.")
        return doc

    def delete_network(self, sub, rg, segment, name):
        """/rest/api/virtualnetwork/{network-interfaces,public-ip-addresses,network-security-groups,
        virtual-networks}/delete: 200 when deleted, 204 when there was nothing; a resource still in use
        is refused (NicInUse, PublicIPAddressInUse, InUseNetworkSecurityGroupCannotBeDeleted,
        InUseSubnetCannotBeDeleted)."""
        self.group(sub, rg)
        kind = NET_KINDS[segment][0]
        rid = f"/subscriptions/{sub.id}/resourceGroups/{rg}/providers/Microsoft.Network/{kind}/{name}"
        doc = sub.net.get(rid.lower())
        if doc is None:
            return self.send_json(204, None, self.limits)
        p = doc["properties"]
        if kind == "networkInterfaces" and p.get("virtualMachine"):
            raise ArmError(400, "NicInUse", f"Network Interface {doc['id']} is used by existing resource "
                           f"{p['virtualMachine']['id']}. In order to delete the network interface, it must be "
                           "dissociated from the resource. To learn more, see aka.ms/deletenic.")
        if kind == "publicIPAddresses" and p.get("ipConfiguration"):
            raise ArmError(400, "PublicIPAddressInUse", f"Public IP address {doc['id']} can not be deleted since it is "
                           f"still allocated to resource {p['ipConfiguration']['id']}.")
        if kind == "networkSecurityGroups" and p.get("networkInterfaces"):
            raise ArmError(400, "InUseNetworkSecurityGroupCannotBeDeleted", f"Network security group {doc['id']} cannot "
                           f"be deleted because it is in use by the following resources: {p['networkInterfaces'][0]['id']}.")
        if kind == "virtualNetworks":
            for subnet in p.get("subnets", []):
                if subnet["properties"].get("ipConfigurations"):
                    raise ArmError(400, "InUseSubnetCannotBeDeleted", f"Subnet {subnet['name']} is in use by "
                                   f"{subnet['properties']['ipConfigurations'][0]['id']} and cannot be deleted.")
        if kind == "networkInterfaces":
            for conf in p.get("ipConfigurations", []):
                subnet = self.state.net_lookup(sub, conf["properties"]["subnet"]["id"])
                if subnet is not None:
                    subnet["properties"]["ipConfigurations"] = [
                        c for c in subnet["properties"]["ipConfigurations"] if c["id"].lower() != conf["id"].lower()]
                pip = self.state.net_lookup(sub, (conf["properties"].get("publicIPAddress") or {}).get("id"))
                if pip is not None:
                    pip["properties"].pop("ipConfiguration", None)
            nsg = self.state.net_lookup(sub, (p.get("networkSecurityGroup") or {}).get("id"))
            if nsg is not None:
                nsg["properties"]["networkInterfaces"] = [
                    n for n in nsg["properties"]["networkInterfaces"] if n["id"].lower() != rid.lower()]
        del sub.net[rid.lower()]
        self.send_json(200, None, self.limits)

    def put_network(self, sub, rg, segment, name, body):
        """Create or update a network resource (201 Created or 200 OK with the document in
        provisioningState Updating and Azure-AsyncOperation to follow):
          /rest/api/virtualnetwork/virtual-networks/create-or-update (addressSpace, subnets),
          /rest/api/virtualnetwork/network-security-groups/create-or-update (securityRules; the six
              defaultSecurityRules of /azure/virtual-network/network-security-groups-overview),
          /rest/api/virtualnetwork/public-ip-addresses/create-or-update (sku, allocation, deleteOption;
              a Static address is assigned at once),
          /rest/api/virtualnetwork/network-interfaces/create-or-update (ipConfigurations with subnet and
              publicIPAddress, networkSecurityGroup; a private address from the subnet, the first four
              being Azure's)."""
        st = self.state
        self.group(sub, rg)
        data = self.json_body(body)
        location = (data.get("location") or "").replace(" ", "").lower()
        if not location:
            raise ArmError(400, "LocationRequired", "The location property is required for this definition.")
        kind = NET_KINDS[segment][0]
        rid = f"/subscriptions/{sub.id}/resourceGroups/{rg}/providers/Microsoft.Network/{kind}/{name}"
        existed = rid.lower() in sub.net
        props = data.get("properties") or {}
        doc = {"name": name, "id": rid, "etag": f'W/"{uuid.uuid4()}"', "type": f"Microsoft.Network/{kind}",
               "location": location, "tags": data.get("tags") or {}}
        out = {"provisioningState": "Updating",
               "resourceGuid": str(uuid.uuid5(uuid.NAMESPACE_URL, rid.lower()))}
        if kind == "virtualNetworks":
            prefixes = (props.get("addressSpace") or {}).get("addressPrefixes") or []
            if not prefixes:
                raise ArmError(400, "InvalidRequestFormat", "Cannot parse the request: addressSpace.addressPrefixes is missing.")
            out["addressSpace"] = {"addressPrefixes": list(prefixes)}
            out["subnets"] = []
            for sn in props.get("subnets") or []:
                prefix = (sn.get("properties") or {}).get("addressPrefix")
                if not sn.get("name") or not self.cidr(prefix):
                    raise ArmError(400, "InvalidAddressPrefixFormat",
                                   f"Address prefix {prefix} of resource {rid}/subnets/{sn.get('name')} is not formatted correctly.")
                out["subnets"].append({"name": sn["name"], "id": f"{rid}/subnets/{sn['name']}",
                                       "type": "Microsoft.Network/virtualNetworks/subnets",
                                       "properties": {"addressPrefix": prefix, "provisioningState": "Succeeded",
                                                      "ipConfigurations": []}})
        elif kind == "networkSecurityGroups":
            out["securityRules"] = [self.security_rule(rid, r) for r in props.get("securityRules") or []]
            out["defaultSecurityRules"] = [
                self.default_rule(rid, *r) for r in (
                    ("AllowVnetInBound", "VirtualNetwork", "VirtualNetwork", "Allow", 65000, "Inbound"),
                    ("AllowAzureLoadBalancerInBound", "AzureLoadBalancer", "*", "Allow", 65001, "Inbound"),
                    ("DenyAllInBound", "*", "*", "Deny", 65500, "Inbound"),
                    ("AllowVnetOutBound", "VirtualNetwork", "VirtualNetwork", "Allow", 65000, "Outbound"),
                    ("AllowInternetOutBound", "*", "Internet", "Allow", 65001, "Outbound"),
                    ("DenyAllOutBound", "*", "*", "Deny", 65500, "Outbound"))]
            out["networkInterfaces"] = (sub.net.get(rid.lower()) or {}).get("properties", {}).get("networkInterfaces", [])
        elif kind == "publicIPAddresses":
            sku = (data.get("sku") or {}).get("name", "Basic")
            method = props.get("publicIPAllocationMethod", "Dynamic")
            doc["sku"] = {"name": sku, "tier": "Regional"}
            if data.get("zones"):
                doc["zones"] = list(data["zones"])
            out.update({"publicIPAddressVersion": props.get("publicIPAddressVersion", "IPv4"),
                        "publicIPAllocationMethod": method, "idleTimeoutInMinutes": props.get("idleTimeoutInMinutes", 4)})
            if props.get("deleteOption"):
                out["deleteOption"] = props["deleteOption"]
            old = (sub.net.get(rid.lower()) or {}).get("properties", {})
            if old.get("ipAddress") or method == "Static":
                out["ipAddress"] = old.get("ipAddress") or "52.%d.%d.%d" % (len(sub.net) % 250, int(time.time()) % 250,
                                                                             (len(st.operations) * 7) % 250 + 1)
            if old.get("ipConfiguration"):
                out["ipConfiguration"] = old["ipConfiguration"]
        else:  # networkInterfaces
            confs = props.get("ipConfigurations") or []
            if not confs:
                raise ArmError(400, "InvalidRequestFormat", "Cannot parse the request: ipConfigurations is missing.")
            nsg_ref = (props.get("networkSecurityGroup") or {}).get("id")
            nsg = self.reference(sub, rid, nsg_ref, location, "networkSecurityGroups") if nsg_ref else None
            out["ipConfigurations"] = []
            for i, conf in enumerate(confs):
                cp = conf.get("properties") or {}
                cname = conf.get("name") or f"ipconfig{i + 1}"
                cid = f"{rid}/ipConfigurations/{cname}"
                subnet_id = (cp.get("subnet") or {}).get("id")
                subnet = self.reference(sub, rid, subnet_id, location, "virtualNetworks")
                prefix = subnet["properties"]["addressPrefix"]
                taken = len(subnet["properties"]["ipConfigurations"])
                base = prefix.split("/")[0].rsplit(".", 1)[0]
                private = cp.get("privateIPAddress") if cp.get("privateIPAllocationMethod") == "Static" \
                    else f"{base}.{4 + taken}"
                conf_out = {"privateIPAddress": private, "privateIPAllocationMethod": cp.get("privateIPAllocationMethod", "Dynamic"),
                            "privateIPAddressVersion": "IPv4", "primary": i == 0, "provisioningState": "Succeeded",
                            "subnet": {"id": subnet["id"]}}
                pip_id = (cp.get("publicIPAddress") or {}).get("id")
                if pip_id:
                    pip = self.reference(sub, rid, pip_id, location, "publicIPAddresses")
                    conf_out["publicIPAddress"] = {"id": pip["id"]}
                    pip["properties"]["ipConfiguration"] = {"id": cid}
                out["ipConfigurations"].append({"name": cname, "id": cid,
                                                "type": "Microsoft.Network/networkInterfaces/ipConfigurations",
                                                "properties": conf_out})
                if not any(c["id"].lower() == cid.lower() for c in subnet["properties"]["ipConfigurations"]):
                    subnet["properties"]["ipConfigurations"].append({"id": cid})
            if nsg is not None:
                out["networkSecurityGroup"] = {"id": nsg["id"]}
                if not any(n["id"].lower() == rid.lower() for n in nsg["properties"]["networkInterfaces"]):
                    nsg["properties"]["networkInterfaces"].append({"id": rid})
            old_vm = (sub.net.get(rid.lower()) or {}).get("properties", {}).get("virtualMachine")
            if old_vm:
                out["virtualMachine"] = old_vm
            out.update({"enableAcceleratedNetworking": bool(props.get("enableAcceleratedNetworking", False)),
                        "primary": True, "nicType": "Standard"})
        doc["properties"] = out
        sub.net[rid.lower()] = doc
        op = NetworkOperation(sub.id, location, doc, min(sub.transition, 0.3))
        st.operations[op.id] = op
        self.send_json(200 if existed else 201, doc, {**self.limits, "Azure-AsyncOperation": self.net_operation_url(op),
                                                      "Retry-After": sub.retry_after})

    @staticmethod
    def cidr(text):
        """An IPv4 or IPv6 address or prefix."""
        try:
            ipaddress.ip_network(text or "", strict=False)
            return True
        except ValueError:
            return False

    def security_rule(self, nsg_id, rule):
        """/rest/api/virtualnetwork/security-rules/create-or-update: what a rule must say."""
        name = rule.get("name")
        rp = rule.get("properties") or {}
        rid = f"{nsg_id}/securityRules/{name}"
        if not name:
            raise ArmError(400, "InvalidRequestFormat", "Cannot parse the request: a security rule has no name.")
        if rp.get("protocol") not in ("Tcp", "Udp", "Icmp", "Esp", "Ah", "*"):
            raise ArmError(400, "SecurityRuleInvalidProtocol",
                           f"Security rule {name} has invalid Protocol. Value provided: {rp.get('protocol')}.")
        if rp.get("access") not in ("Allow", "Deny") or rp.get("direction") not in ("Inbound", "Outbound"):
            raise ArmError(400, "InvalidRequestFormat", f"Security rule {name}: access and direction are required.")
        priority = rp.get("priority")
        if not isinstance(priority, int) or not 100 <= priority <= 4096:
            raise ArmError(400, "SecurityRuleInvalidPriority",
                           f"Security rule {name} has invalid Priority. Value provided: {priority}. Allowed range 100-4096.")
        prefixes = [rp["sourceAddressPrefix"]] if rp.get("sourceAddressPrefix") else list(rp.get("sourceAddressPrefixes") or [])
        prefixes += [rp["destinationAddressPrefix"]] if rp.get("destinationAddressPrefix") else list(
            rp.get("destinationAddressPrefixes") or [])
        for prefix in prefixes:
            if prefix not in ("*", "Internet", "VirtualNetwork", "AzureLoadBalancer") and not self.cidr(prefix):
                raise ArmError(400, "SecurityRuleInvalidAddressPrefix",
                               f"Security rule {name} has invalid Address prefix. Value provided: {prefix}.")
        out = {k: v for k, v in rp.items()}
        out["provisioningState"] = "Succeeded"
        return {"name": name, "id": rid, "type": "Microsoft.Network/networkSecurityGroups/securityRules", "properties": out}

    @staticmethod
    def default_rule(nsg_id, name, source, destination, access, priority, direction):
        return {"name": name, "id": f"{nsg_id}/defaultSecurityRules/{name}",
                "type": "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
                "properties": {"description": name, "protocol": "*", "sourcePortRange": "*", "destinationPortRange": "*",
                               "sourceAddressPrefix": source, "destinationAddressPrefix": destination, "access": access,
                               "priority": priority, "direction": direction, "provisioningState": "Succeeded"}}

    def create_vm(self, sub, rg, name, body):
        """/rest/api/compute/virtual-machines/create-or-update, creating: 201 Created with the VM in
        provisioningState Creating and Azure-AsyncOperation; the operation ends Succeeded (the VM
        running) or Failed with its error, the VM then in ProvisioningState/failed/<code>. What is
        checked before anything is made, with Azure's codes: the size in the region (SkuNotAvailable,
        /azure/azure-resource-manager/troubleshooting/error-sku-not-available), the platform image
        (PlatformImageNotFound) and its Hyper-V generation against the size's (BadRequest "cannot boot
        Hypervisor Generation", /azure/virtual-machines/generation-2), osProfile (a reserved admin
        name, no SSH key with password authentication off, a key path other than
        /home/<user>/.ssh/authorized_keys, keyData that is not an OpenSSH public key: InvalidParameter),
        the network interfaces (existing, same region, not another VM's), Spot's evictionPolicy and
        billingProfile.maxPrice (-1 or a price)."""
        st = self.state
        self.group(sub, rg)
        vm_id = f"/subscriptions/{sub.id}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{name}"
        if vm_id.lower() in sub.vms:
            raise ArmError(409, "OperationNotAllowed", "This test server creates VMs; it does not update an existing "
                           f"VM's model ('{name}' exists).")
        data = self.json_body(body)
        props = data.get("properties") or {}
        location = (data.get("location") or "").replace(" ", "").lower()
        if not location:
            raise ArmError(400, "LocationRequired", "The location property is required for this definition.")

        size = (props.get("hardwareProfile") or {}).get("vmSize", "")
        gens = VM_SIZES.get(size.lower())
        if gens is None:
            zones = ",".join(data.get("zones") or []) or "''"
            raise ArmError(409, "SkuNotAvailable",
                           f"The requested VM size for resource '{vm_id}' is currently not available in location "
                           f"'{location}' zones '{zones}' for subscription '{sub.id}'. Please try another size or deploy "
                           "to a different location or zones. See https://aka.ms/azureskunotavailable for details.")
        storage = props.get("storageProfile") or {}
        image = storage.get("imageReference") or {}
        urn = ":".join(image.get(k, "") for k in ("publisher", "offer", "sku", "version"))
        gen = IMAGES.get(":".join(image.get(k, "") for k in ("publisher", "offer", "sku")).lower())
        if gen is None or image.get("version", "") != "latest" and not re.match(r"^\d+(\.\d+)*$", image.get("version", "")):
            raise ArmError(404, "PlatformImageNotFound",
                           f"The platform image '{urn}' is not available. Verify that all fields in the storage profile "
                           "are correct. For more details about storage profile information, please refer to "
                           "https://aka.ms/storageprofile")
        if gen not in gens:
            raise ArmError(400, "BadRequest",
                           f"The selected VM size '{size}' cannot boot Hypervisor Generation '{gen[1:]}'. If this was a "
                           "Create operation please check that the Hypervisor Generation of the Image matches the "
                           "Hypervisor Generation of the selected VM Size. If this was an Update operation please select "
                           f"a Hypervisor Generation '{gen[1:]}' VM Size. For more information, see "
                           "https://aka.ms/azuregen2vm")
        os_profile = props.get("osProfile") or {}
        admin = os_profile.get("adminUsername", "")
        if not admin or admin.lower() in RESERVED_ADMIN_NAMES or not re.match(r"^[a-z_][a-z0-9_.-]{0,63}$", admin, re.I):
            raise ArmError(400, "InvalidParameter", "The Admin Username specified is not allowed.")
        linux = os_profile.get("linuxConfiguration") or {}
        keys = ((linux.get("ssh") or {}).get("publicKeys")) or []
        if linux.get("disablePasswordAuthentication") and not keys:
            raise ArmError(400, "InvalidParameter",
                           "Authentication using either SSH or by user name and password must be enabled in Linux profile.")
        for k in keys:
            if k.get("path") != f"/home/{admin}/.ssh/authorized_keys":
                raise ArmError(400, "InvalidParameter",
                               "Destination path for SSH public keys is currently limited to its default value "
                               f"/home/{admin}/.ssh/authorized_keys  due to a known issue in Linux provisioning agent.")
            if not re.match(r"^(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp256) [A-Za-z0-9+/]+={0,2}( .*)?$", k.get("keyData") or ""):
                raise ArmError(400, "InvalidParameter", "The value of parameter linuxConfiguration.ssh.publicKeys.keyData is invalid.")
        refs = (props.get("networkProfile") or {}).get("networkInterfaces") or []
        if not refs:
            raise ArmError(400, "InvalidParameter", "Required parameter 'networkProfile' is missing (null).")
        for ref in refs:
            nic = st.net_lookup(sub, ref.get("id"))
            if nic is None or nic["type"] != "Microsoft.Network/networkInterfaces":
                raise ArmError(400, "InvalidResourceReference",
                               f"Resource {ref.get('id')} referenced by resource {vm_id} was not found. Please make sure "
                               "that the referenced resource exists, and that both resources are in the same region.")
            if nic["location"] != location:
                raise ArmError(400, "NicLocationMismatch",
                               f"The network interface {ref.get('id')} is in location {nic['location']}, not {location}.")
            if nic["properties"].get("virtualMachine"):
                raise ArmError(409, "NicInUse", f"Network Interface {ref.get('id')} is used by existing resource "
                               f"{nic['properties']['virtualMachine']['id']}.")
        priority = props.get("priority", "Regular")
        if priority not in ("Regular", "Low", "Spot"):
            raise ArmError(400, "InvalidParameter", f"The value '{priority}' of parameter 'priority' is not valid.")
        max_price = (props.get("billingProfile") or {}).get("maxPrice", -1)
        if priority == "Spot" and not (max_price == -1 or (isinstance(max_price, (int, float)) and max_price > 0)):
            raise ArmError(400, "InvalidParameter", "The value of parameter billingProfile.maxPrice is invalid: -1 or "
                           "a price greater than zero.")
        os_disk = storage.get("osDisk") or {}
        spec = {"location": location, "zones": data.get("zones") or [], "vmSize": size, "priority": priority,
                "adminUsername": admin, "tags": data.get("tags") or {},
                "image": {k: image[k] for k in ("publisher", "offer", "sku", "version") if k in image},
                "power": "starting", "publicIp": False, "externalNet": True,
                "nicRefs": [{"id": st.net_lookup(sub, r["id"])["id"], "properties": dict(r.get("properties") or {})}
                            for r in refs],
                "sshKeys": [{"path": k["path"], "keyData": k["keyData"]} for k in keys],
                "computerName": os_profile.get("computerName", name), "osDiskGb": os_disk.get("diskSizeGB", 30),
                "osDiskDeleteOption": os_disk.get("deleteOption", "Detach"),
                "evictionPolicy": props.get("evictionPolicy", "Deallocate"), "maxPrice": max_price}
        vm = Vm(sub.id, rg, name, spec, len(sub.vms) + 1)
        vm.image["exactVersion"] = "1.0.0" if image.get("version") == "latest" else image.get("version")
        vm.provisioning = "Creating"
        vm.status_time = vm.time_created = utcnow()
        sub.vms[vm.id.lower()] = vm
        for ref in vm.nic_refs:
            st.net_lookup(sub, ref["id"])["properties"]["virtualMachine"] = {"id": vm.id}
        failure, sub.fail_next = sub.fail_next, None
        op = Operation(vm, "create", sub.transition, failure)
        op.before = "deallocated"  # a create that fails leaves the VM allocated nowhere
        st.operations[op.id] = op
        vm.op = op
        self.send_json(201, vm.model(), {**self.limits, "Azure-AsyncOperation": self.op_url(op),
                                         "Retry-After": sub.retry_after})

    def check_api_version(self, query, supported, namespace, path):
        version = query.get("api-version")
        if not version:
            raise ArmError(400, "MissingApiVersionParameter",
                           "The api-version query parameter (?api-version=) is required for all requests.")
        if version not in supported:
            kind = path.rstrip("/").split("/providers/")[-1].split("/")[1] if "/providers/" in path else "resource"
            raise ArmError(400, "NoRegisteredProviderFound",
                           f"No registered resource provider found for location 'eastus' and API version '{version}' "
                           f"for type '{kind}'. The supported api-versions are '{', '.join(sorted(supported))}'. The "
                           "supported locations are 'eastus, westeurope, southcentralus, westus2'.")

    def throttle(self, method, path, claims):
        st = self.state
        for rule in st.throttles:
            if rule["count"] <= 0:
                continue
            if rule.get("method") and rule["method"].upper() != method:
                continue
            if rule.get("pathContains") and rule["pathContains"].lower() not in path.lower():
                continue
            rule["count"] -= 1
            kind = "read" if method == "GET" else "write"
            sub = path.split("/")[2] if path.lower().startswith("/subscriptions/") else ""
            raise ArmError(429, "SubscriptionRequestsThrottled",
                           f"Number of '{kind}' requests for subscription '{sub}' actor '{claims['oid']}' exceeded. "
                           f"Please try again after '{rule['retryAfter']}' seconds after additional tokens are "
                           "available. Refer to https://aka.ms/arm-throttling",
                           {"Retry-After": rule["retryAfter"], f"x-ms-ratelimit-remaining-subscription-{kind}s": 0,
                            "x-ms-ratelimit-remaining-resource":
                                "Microsoft.Compute/HighCostGet3Min;0,Microsoft.Compute/HighCostGet30Min;0"
                                if kind == "read" else "Microsoft.Compute/UpdateVM3Min;0,Microsoft.Compute/UpdateVM30Min;0"})
        st.throttles = [r for r in st.throttles if r["count"] > 0]

    def group(self, sub, rg):
        if rg.lower() not in sub.groups:
            raise ArmError(404, "ResourceGroupNotFound", f"Resource group '{rg}' could not be found.")

    def find_vm(self, sub, rg, name):
        self.group(sub, rg)
        vm_id = f"/subscriptions/{sub.id}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{name}"
        vm = sub.vms.get(vm_id.lower())
        if vm is None:
            raise ArmError(404, "ResourceNotFound", f"The Resource 'Microsoft.Compute/virtualMachines/{name}' under "
                           f"resource group '{rg}' was not found. For more details please go to "
                           "https://aka.ms/ARMResourceNotFoundFix")
        return vm

    def page(self, items, query, render):
        sub_size = None
        base = self.base()
        m = re.match(r"^/subscriptions/([^/?]+)", self.path, re.I)
        if m and (sub := self.state.subscription(urllib.parse.unquote(m.group(1)))):
            sub_size = sub.page_size
            base = sub.next_link_base or base
        size = max(1, int(sub_size or 50))
        token = query.get("$skiptoken")
        start = 0
        if token:
            try:
                start = int(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().split(":")[1])
            except (ValueError, IndexError):
                raise ArmError(400, "InvalidSkipToken", "The provided skip token is not valid.")
        chunk = items[start:start + size]
        out = {"value": [render(x) for x in chunk]}
        if start + size < len(items):
            q = {k: v for k, v in query.items() if k != "$skiptoken"}
            q["$skiptoken"] = b64url(f"skip:{start + size}".encode())
            path = urllib.parse.urlsplit(self.path).path
            out["nextLink"] = base + path + "?" + urllib.parse.urlencode(q, safe="$")
        self.send_json(200, out, self.limits)

    def op_url(self, op, monitor=False):
        q = {"p": str(uuid.uuid5(uuid.NAMESPACE_URL, op.id)), "api-version": "2024-07-01"}
        if monitor:
            q["monitor"] = "true"
        return (f"{self.base()}/subscriptions/{op.vm.sub}/providers/Microsoft.Compute/locations/{op.vm.location}"
                f"/operations/{op.id}?" + urllib.parse.urlencode(q))

    def accepted(self, sub, op):
        headers = {**self.limits, "Location": self.op_url(op, monitor=True), "Retry-After": sub.retry_after,
                   "x-ms-ratelimit-remaining-resource":
                       "Microsoft.Compute/UpdateVM3Min;239,Microsoft.Compute/UpdateVM30Min;1199"}
        if sub.async_header != "location":
            headers["Azure-AsyncOperation"] = self.op_url(op)
        self.send_json(202, None, headers)

    # -- control ----------------------------------------------------------------------------------
    def control(self, method, path, query, body):
        st = self.state
        data = json.loads(body or b"{}")
        with st.lock:
            if path == "/_control/reset" and method == "POST":
                st.reset()
                return self.send_json(200, {})
            if path == "/_control/seed" and method == "POST":
                return self.send_json(200, st.seed(data))
            if path == "/_control/fail-next-operation" and method == "POST":
                subs = [st.subscription(data["subscription"])] if data.get("subscription") else list(st.subs.values())
                for s in subs:
                    if s is None:
                        raise ArmError(404, "SubscriptionNotFound", "no such subscription")
                    s.fail_next = {"code": data.get("code", "AllocationFailed"), "message": data.get("message",
                                   "Allocation failed. We do not have sufficient capacity for the requested VM size in "
                                   "this region. Read more about improving likelihood of allocation success at "
                                   "http://aka.ms/allocation-guidance")}
                return self.send_json(200, {})
            if path == "/_control/throttle-next" and method == "POST":
                st.throttles.append({"count": int(data.get("count", 1)), "retryAfter": int(data.get("retryAfter", 1)),
                                     "method": data.get("method"), "pathContains": data.get("pathContains")})
                return self.send_json(200, {})
            if path == "/_control/expire-tokens" and method == "POST":
                st.tokens_expired_before = time.time()
                return self.send_json(200, {})
            if path == "/_control/config" and method == "POST":
                if "tokenLifetime" in data:
                    st.token_lifetime = int(data["tokenLifetime"])
                if "clientCertificatePem" in data:
                    st.directory.register_certificate(data["clientCertificatePem"].encode())
                if "managedIdentities" in data:
                    st.directory.managed_identities = {"system": data["managedIdentities"].get("system"),
                                                       "userAssigned": data["managedIdentities"].get("userAssigned", [])}
                if "refreshTokenLifetime" in data:
                    st.directory.refresh_lifetime = float(data["refreshTokenLifetime"])
                return self.send_json(200, {})
            if path == "/_control/revoke-refresh-tokens" and method == "POST":
                for rt in st.directory.refresh_tokens.values():
                    rt["revoked"] = True
                return self.send_json(200, {})
            if path == "/_control/grants" and method == "GET":
                return self.send_json(200, st.directory.grants)
            if path == "/_control/requests" and method == "GET":
                contains = query.get("contains", "").lower()
                return self.send_json(200, [r for r in st.requests if contains in r["path"].lower()])
            if path == "/_control/tokens" and method == "GET":
                return self.send_json(200, {"issued": st.issued})
        raise ArmError(404, "NotFound", f"no control endpoint {method} {path}")


DEMO = [
    {"name": "train-a100", "resourceGroup": "ml-training", "location": "eastus", "zones": ["1"],
     "vmSize": "Standard_NC24ads_A100_v4", "power": "running", "tags": {"team": "vision"}},
    {"name": "notebook-t4", "resourceGroup": "ml-notebooks", "location": "westeurope", "zones": [],
     "vmSize": "Standard_NC4as_T4_v3", "power": "deallocated", "publicIpAllocation": "Dynamic"},
    {"name": "spot-v100", "resourceGroup": "ml-training", "location": "southcentralus", "zones": ["2"],
     "vmSize": "Standard_NC6s_v3", "power": "stopped", "priority": "Spot"},
    {"name": "build-box", "resourceGroup": "ci", "location": "westus2", "vmSize": "Standard_D4s_v5",
     "power": "running", "publicIp": False},
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--tenant", default="0a1b2c3d-4e5f-4a6b-8c7d-5e6f7a8b9c0d")
    ap.add_argument("--client-id", default="00000000-0000-0000-0000-00000000c11e")
    ap.add_argument("--client-secret", default=os.environ.get("ARM_SERVER_CLIENT_SECRET", "skydeck-test-secret"),
                    help="default: $ARM_SERVER_CLIENT_SECRET (kept off the command line)")
    ap.add_argument("--subscription", default=None, help="a subscription to create at start")
    ap.add_argument("--demo", action="store_true", help="seed --subscription with a few GPU VMs")
    ap.add_argument("--transition-seconds", type=float, default=1.5)
    ap.add_argument("--retry-after", type=int, default=1)
    ap.add_argument("--page-size", type=int, default=50)
    ap.add_argument("--token-lifetime", type=int, default=3599)
    ap.add_argument("--user", default=None, help="the directory's one user (default ada@contoso.example)")
    ap.add_argument("--user-password-env", default=None, help="the variable holding that user's password")
    ap.add_argument("--client-cert", default=None, help="a PEM certificate registered on the app")
    ap.add_argument("--tls-port", type=int, default=0)
    ap.add_argument("--tls-cert", default=None)
    ap.add_argument("--tls-key", default=None)
    args = ap.parse_args()
    args.user_password = os.environ.get(args.user_password_env) if args.user_password_env else None
    state = State(args)
    state.first_subscription = args.subscription
    if args.subscription:
        state.seed({"subscription": args.subscription, "vms": DEMO if args.demo else []})
    Handler.state = state
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    if args.tls_cert:
        import ssl
        tls_handler = type("TlsHandler", (Handler,), {"scheme": "https"})
        tls = ThreadingHTTPServer((args.host, args.tls_port), tls_handler)
        tls.daemon_threads = True
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
        threading.Thread(target=tls.serve_forever, daemon=True).start()
        print(f"TLS_PORT {tls.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
