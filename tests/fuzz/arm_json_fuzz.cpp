// Azure Resource Manager's JSON (providers/azure/ArmJson.h) as ArmClient reads it: a list page
// ({"value": [...]}) whose network interfaces and public IPs are joined into an ArmNetwork and whose
// VMs become Instances through it, one VM (GET with the instance view), an async operation's status
// document and an error document; every reading runs on every input. Items are told apart by their
// "type", as ARM names them. Properties: a VM's state is what its power and provisioning words map
// to; an address is only ever one the network documents gave for the VM's primary NIC; errors are
// errors with the status they came with.
#include "FuzzSupport.h"

#include "ArmJson.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace skydeck;
using namespace skydeck::azure;
using skydeck::fuzz::bytes;

namespace {

void checkVm(const QJsonObject &vm, const ArmNetwork &network)
{
    const Instance in = instanceFromVm(vm, QStringLiteral("azure:fuzz"), network);
    FUZZ_CHECK(in.provider == QLatin1String("azure"));
    const QJsonArray statuses = vm.value(QStringLiteral("properties")).toObject()
                                    .value(QStringLiteral("instanceView")).toObject()
                                    .value(QStringLiteral("statuses")).toArray();
    QString provisioning = provisioningStateWord(statuses);
    if (provisioning.isEmpty())
        provisioning = vm.value(QStringLiteral("properties")).toObject().value(QStringLiteral("provisioningState")).toString().toLower();
    FUZZ_CHECK(in.state == mapPowerState(powerStateWord(statuses), provisioning));
    FUZZ_CHECK(in.gpu.count >= 0);
    const QString nic = primaryNicId(vm).toLower();
    if (!in.privateIp.isEmpty())
        FUZZ_CHECK(network.privateIpByNic.value(nic) == in.privateIp);
    if (!in.publicIp.isEmpty())
        FUZZ_CHECK(network.ipByPublicIpId.value(network.publicIpIdByNic.value(nic)) == in.publicIp);
    (void)provisioningTime(statuses);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    skydeck::fuzz::quietLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray body = bytes(data, size);
    const QJsonObject o = QJsonDocument::fromJson(body).object();

    // ArmClient::loadNetwork, then the VM list joined with it
    const QJsonArray items = o.value(QStringLiteral("value")).toArray();
    ArmNetwork network;
    for (const QJsonValue &v : items) {
        const QString type = v.toObject().value(QStringLiteral("type")).toString().toLower();
        if (type == QLatin1String("microsoft.network/networkinterfaces"))
            network.addNetworkInterface(v.toObject());
        else if (type == QLatin1String("microsoft.network/publicipaddresses"))
            network.addPublicIp(v.toObject());
    }
    for (const QJsonValue &v : items)
        if (v.toObject().value(QStringLiteral("type")).toString().toLower() == QLatin1String("microsoft.compute/virtualmachines"))
            checkVm(v.toObject(), network);
    // ArmClient::fetchInstance: one VM, its NIC and public IP read one by one
    ArmNetwork one;
    one.addNetworkInterface(o);
    one.addPublicIp(o);
    checkVm(o, one);
    checkVm(o, network);

    // an async operation's end: {"status": "Failed", "error": {...}}
    const QString status = o.value(QStringLiteral("status")).toString();
    const Error op = operationError(o.value(QStringLiteral("error")).toObject(), status);
    FUZZ_CHECK(op.isError());
    for (const int code : {400, 404, 409, 429, 500}) {
        const Error e = armError(code, body);
        FUZZ_CHECK(e.isError() && e.httpStatus() == code && !e.code().isEmpty());
    }
    return 0;
}
