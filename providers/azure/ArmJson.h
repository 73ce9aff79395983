#pragma once

#include "ComputeTypes.h"
#include "Error.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>

namespace skydeck::azure {

// What Resource Manager's documents mean for Skydeck: VMs (Microsoft.Compute/virtualMachines with
// properties.instanceView when listed with statusOnly=true or read with $expand=instanceView),
// network interfaces and public IP addresses joined by resource id, error documents and the
// Azure-AsyncOperation status document. Pure functions: no network.

// Private and public addresses by resource id (ids compared case-insensitively, as ARM does).
struct ArmNetwork {
    QHash<QString, QString> privateIpByNic;   // lower-case NIC id -> primary ipConfiguration's private IP
    QHash<QString, QString> publicIpIdByNic;  // lower-case NIC id -> lower-case public IP id
    QHash<QString, QString> ipByPublicIpId;   // lower-case public IP id -> ipAddress (absent while unassigned)

    void addNetworkInterface(const QJsonObject &nic);
    void addPublicIp(const QJsonObject &publicIp);
    bool isEmpty() const { return privateIpByNic.isEmpty() && ipByPublicIpId.isEmpty(); }
};

// The instance view's "PowerState/<word>" word ("running", "deallocated", ...), empty when absent.
QString powerStateWord(const QJsonArray &statuses);
// The "ProvisioningState/<word>[/<code>]" word ("succeeded", "updating", "failed", "deleting").
QString provisioningStateWord(const QJsonArray &statuses);
// When the last operation ended: the ProvisioningState status's time (invalid when absent).
QDateTime provisioningTime(const QJsonArray &statuses);
// starting -> Pending, running -> Running, stopping/deallocating -> Stopping, stopped ->
// StoppedBilled (still billed), deallocated -> Stopped; a VM being deleted is Terminating.
InstanceState mapPowerState(const QString &powerWord, const QString &provisioningWord);

// GPUs of the common N-series sizes (NC, ND, NV: T4, V100, A100, H100, A10, M60); count 0 otherwise.
GpuInfo gpuForVmSize(const QString &vmSize);

// One VM as an Instance: region = location, zone = zones[0], spot = priority Spot, machine type =
// hardwareProfile.vmSize, image = publisher:offer:sku:version, sshUser = osProfile.adminUsername,
// launched = the provisioning status's time while it runs, addresses from `network` through the
// primary NIC. Without an instance view the state is Unknown.
Instance instanceFromVm(const QJsonObject &vm, const QString &accountId, const ArmNetwork &network);

// The primary (else first) network interface id of a VM.
QString primaryNicId(const QJsonObject &vm);

// A Resource Manager error document {"error": {"code", "message"}} (or any body) as an Error whose
// category follows the HTTP status.
Error armError(int httpStatus, const QByteArray &body);
// An operation's {"code", "message"} (a failed or cancelled async operation) as an Error.
Error operationError(const QJsonObject &error, const QString &status);

} // namespace skydeck::azure
