#pragma once

#include "ComputeTypes.h"
#include "Result.h"

#include <QJsonObject>
#include <QString>

namespace skydeck::azure {

// The documents a launch PUTs to Resource Manager, as `az vm create` makes them: pure functions,
// no network (ArmClient::launch sends them in order and follows each operation).
//  - a network security group (Microsoft.Network/networkSecurityGroups, /rest/api/virtualnetwork/
//    network-security-groups/create-or-update) with one inbound rule allowing TCP 22 from the given
//    address prefix only, or no rule at all (Azure's default rules then deny SSH from the internet);
//  - a Standard static public IP (publicIPAddresses) deleted with the VM (deleteOption Delete);
//  - a network interface (networkInterfaces) in the subnet, with the IP and the security group;
//  - the VM (Microsoft.Compute/virtualMachines, /rest/api/compute/virtual-machines/create-or-update):
//    hardwareProfile.vmSize, storageProfile.imageReference and an OS disk of diskGb deleted with the
//    VM, osProfile.linuxConfiguration with the SSH key and password authentication disabled, the NIC
//    (deleteOption Delete), and for Spot priority "Spot", evictionPolicy "Deallocate" and
//    billingProfile.maxPrice -1 (pay up to the on-demand price, never evicted for price).
namespace launchdoc {

// publisher:offer:sku:version (the Azure CLI's URN) or an image resource id -> imageReference.
Result<QJsonObject> imageReference(const QString &image);
// Azure's rules for a Linux VM name (1-64 letters, digits, '-', '_', '.'; not ending in '-' or '.'),
// with the names derived from it (NAME-nsg, -ip, -nic) then valid too. Empty when fine.
QString checkVmName(const QString &name);

QJsonObject resourceGroup(const QString &location);
QJsonObject virtualNetwork(const QString &location);  // 10.0.0.0/16 with subnet "default" 10.0.0.0/24
QJsonObject securityGroup(const QString &location, const QString &sshFrom);
QJsonObject publicIp(const QString &location, const QString &zone);
QJsonObject networkInterface(const QString &location, const QString &subnetId, const QString &publicIpId,
                             const QString &securityGroupId);
QJsonObject virtualMachine(const LaunchRequest &request, const QString &location, const QString &nicId,
                           const QJsonObject &imageReference);

} // namespace launchdoc
} // namespace skydeck::azure
