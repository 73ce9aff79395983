// Compute Engine JSON documents for tst_gce_json (kept out of the moc-parsed test file: moc
// misreads some raw string literals).
#include "gce_samples.h"

QByteArray gceSample(int i)
{
    static const char *const samples[] = {
        R"({
 "kind": "compute#instance",
 "id": "7052816218342359913",
 "creationTimestamp": "2024-03-01T09:15:02.117-08:00",
 "name": "train-t4",
 "machineType": "https://www.googleapis.com/compute/v1/projects/my-proj/zones/us-central1-a/machineTypes/n1-standard-8",
 "status": "RUNNING",
 "zone": "https://www.googleapis.com/compute/v1/projects/my-proj/zones/us-central1-a",
 "networkInterfaces": [{
   "network": "https://www.googleapis.com/compute/v1/projects/my-proj/global/networks/default",
   "networkIP": "10.128.0.7", "name": "nic0",
   "accessConfigs": [{"type": "ONE_TO_ONE_NAT", "name": "External NAT", "natIP": "34.70.12.9", "networkTier": "PREMIUM"}]
 }],
 "disks": [{"type": "PERSISTENT", "boot": true, "source": "https://www.googleapis.com/compute/v1/projects/my-proj/zones/us-central1-a/disks/train-t4",
            "licenses": ["https://www.googleapis.com/compute/v1/projects/debian-cloud/global/licenses/debian-11-bullseye"]}],
 "metadata": {"items": [{"key": "install-nvidia-driver", "value": "True"},
                        {"key": "ssh-keys", "value": "alice:ssh-ed25519 AAAAC3Nza alice@laptop\nbob:ssh-rsa AAAAB3 bob"}]},
 "selfLink": "https://www.googleapis.com/compute/v1/projects/my-proj/zones/us-central1-a/instances/train-t4",
 "scheduling": {"onHostMaintenance": "TERMINATE", "automaticRestart": false, "preemptible": false, "provisioningModel": "SPOT"},
 "guestAccelerators": [{"acceleratorType": "https://www.googleapis.com/compute/v1/projects/my-proj/zones/us-central1-a/acceleratorTypes/nvidia-tesla-t4", "acceleratorCount": 2}],
 "labels": {"team": "vision"},
 "lastStartTimestamp": "2024-03-02T10:00:00.000-08:00"
})",
        R"({"id": "1", "name": "a", "status": "TERMINATED",
            "zone": "https://x/compute/v1/projects/p/zones/europe-west4-a",
            "machineType": "https://x/compute/v1/projects/p/zones/europe-west4-a/machineTypes/a2-highgpu-1g",
            "creationTimestamp": "2024-01-01T00:00:00.000+00:00",
            "networkInterfaces": [{"networkIP": "10.0.0.2", "accessConfigs": [{"type": "ONE_TO_ONE_NAT"}]}],
            "scheduling": {"preemptible": true}})",
        R"({"error": {"code": 404, "message": "The resource 'projects/p/zones/z/instances/x' was not found",
            "errors": [{"message": "The resource 'projects/p/zones/z/instances/x' was not found", "domain": "global", "reason": "notFound"}]}})",
        R"({"error": {"code": 403, "message": "Rate Limit Exceeded",
            "errors": [{"message": "Rate Limit Exceeded", "domain": "usageLimits", "reason": "rateLimitExceeded"}]}})",
        R"({"error": {"code": 403, "message": "Required 'compute.instances.start' permission",
            "errors": [{"reason": "forbidden"}]}})",
        R"({"error": {"code": 400, "message": "not ready", "errors": [{"reason": "resourceNotReady"}]}})",
        R"({"error": {"code": 409, "message": "exists", "errors": [{"reason": "alreadyExists"}]}})",
        R"({"status": "DONE", "operationType": "start"})",
        R"({"status": "DONE", "operationType": "start",
            "error": {"errors": [{"code": "ZONE_RESOURCE_POOL_EXHAUSTED", "message": "The zone 'projects/p/zones/z' does not have enough resources available to fulfill the request."},
                                 {"code": "OTHER", "message": "second"}]},
            "httpErrorStatusCode": 503, "httpErrorMessage": "SERVICE UNAVAILABLE"})",
    };
    return QByteArray(samples[i]);
}
