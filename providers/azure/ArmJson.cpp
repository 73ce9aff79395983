#include "ArmJson.h"

#include <QJsonDocument>
#include <QRegularExpression>

namespace skydeck::azure {

namespace {
QString key(const QString &id)
{
    return id.toLower();
}

QString statusWord(const QJsonArray &statuses, QLatin1String prefix, QJsonObject *which = nullptr)
{
    for (const QJsonValue &v : statuses) {
        const QJsonObject s = v.toObject();
        const QString code = s.value(QStringLiteral("code")).toString();
        if (code.startsWith(prefix, Qt::CaseInsensitive)) {
            if (which)
                *which = s;
            return code.mid(prefix.size()).section(QLatin1Char('/'), 0, 0).toLower();
        }
    }
    return {};
}

Error::Category categoryForStatus(int status)
{
    switch (status) {
    case 400: return Error::Category::InvalidInput;
    case 401: return Error::Category::Auth;
    case 403: return Error::Category::Permission;
    case 404: return Error::Category::NotFound;
    case 409: return Error::Category::Conflict;
    case 412: return Error::Category::Conflict;
    case 429: return Error::Category::Throttled;
    default: return Error::Category::Server;
    }
}
} // namespace

void ArmNetwork::addNetworkInterface(const QJsonObject &nic)
{
    const QString id = key(nic.value(QStringLiteral("id")).toString());
    const QJsonArray configs = nic.value(QStringLiteral("properties")).toObject()
                                   .value(QStringLiteral("ipConfigurations")).toArray();
    QJsonObject chosen;
    for (const QJsonValue &v : configs) {
        const QJsonObject p = v.toObject().value(QStringLiteral("properties")).toObject();
        if (chosen.isEmpty() || p.value(QStringLiteral("primary")).toBool())
            chosen = p;
        if (p.value(QStringLiteral("primary")).toBool())
            break;
    }
    if (id.isEmpty() || chosen.isEmpty())
        return;
    const QString priv = chosen.value(QStringLiteral("privateIPAddress")).toString();
    if (!priv.isEmpty())
        privateIpByNic.insert(id, priv);
    const QString pip = chosen.value(QStringLiteral("publicIPAddress")).toObject().value(QStringLiteral("id")).toString();
    if (!pip.isEmpty())
        publicIpIdByNic.insert(id, key(pip));
}

void ArmNetwork::addPublicIp(const QJsonObject &publicIp)
{
    const QString id = key(publicIp.value(QStringLiteral("id")).toString());
    const QString ip = publicIp.value(QStringLiteral("properties")).toObject().value(QStringLiteral("ipAddress")).toString();
    if (!id.isEmpty() && !ip.isEmpty())
        ipByPublicIpId.insert(id, ip);
}

QString powerStateWord(const QJsonArray &statuses)
{
    return statusWord(statuses, QLatin1String("PowerState/"));
}

QString provisioningStateWord(const QJsonArray &statuses)
{
    return statusWord(statuses, QLatin1String("ProvisioningState/"));
}

QDateTime provisioningTime(const QJsonArray &statuses)
{
    QJsonObject s;
    if (statusWord(statuses, QLatin1String("ProvisioningState/"), &s).isEmpty())
        return {};
    // "2024-03-20T09:49:32.0418716+00:00": seven fractional digits, which Qt's ISO parser takes up to ms.
    QString t = s.value(QStringLiteral("time")).toString();
    static const QRegularExpression frac(QStringLiteral(R"((\.\d{3})\d+)"));
    t.replace(frac, QStringLiteral("\\1"));
    QDateTime d = QDateTime::fromString(t, Qt::ISODateWithMs);
    return d.isValid() ? d.toUTC() : QDateTime();
}

InstanceState mapPowerState(const QString &power, const QString &provisioning)
{
    if (provisioning == QLatin1String("deleting"))
        return InstanceState::Terminating;
    if (power == QLatin1String("starting"))
        return InstanceState::Pending;
    if (power == QLatin1String("running"))
        return InstanceState::Running;
    if (power == QLatin1String("stopping") || power == QLatin1String("deallocating"))
        return InstanceState::Stopping;
    if (power == QLatin1String("stopped"))
        return InstanceState::StoppedBilled;
    if (power == QLatin1String("deallocated"))
        return InstanceState::Stopped;
    if (provisioning == QLatin1String("creating"))
        return InstanceState::Pending;
    return InstanceState::Unknown;
}

GpuInfo gpuForVmSize(const QString &vmSize)
{
    // Microsoft's size pages for the GPU-accelerated families (learn.microsoft.com/azure/virtual-machines/sizes/gpu-accelerated).
    struct Row {
        const char *size;
        int count;
        const char *model;
    };
    static const Row rows[] = {
        {"standard_nc4as_t4_v3", 1, "T4"},         {"standard_nc8as_t4_v3", 1, "T4"},
        {"standard_nc16as_t4_v3", 1, "T4"},        {"standard_nc64as_t4_v3", 4, "T4"},
        {"standard_nc6s_v3", 1, "V100"},           {"standard_nc12s_v3", 2, "V100"},
        {"standard_nc24s_v3", 4, "V100"},          {"standard_nc24rs_v3", 4, "V100"},
        {"standard_nc24ads_a100_v4", 1, "A100 80GB"}, {"standard_nc48ads_a100_v4", 2, "A100 80GB"},
        {"standard_nc96ads_a100_v4", 4, "A100 80GB"}, {"standard_nd96asr_v4", 8, "A100 40GB"},
        {"standard_nd96amsr_a100_v4", 8, "A100 80GB"}, {"standard_nd40rs_v2", 8, "V100 32GB"},
        {"standard_nd96isr_h100_v5", 8, "H100"},   {"standard_nc40ads_h100_v5", 1, "H100 NVL"},
        {"standard_nc80adis_h100_v5", 2, "H100 NVL"},
        {"standard_nv6ads_a10_v5", 1, "A10 (1/6)"}, {"standard_nv12ads_a10_v5", 1, "A10 (1/3)"},
        {"standard_nv18ads_a10_v5", 1, "A10 (1/2)"}, {"standard_nv36ads_a10_v5", 1, "A10"},
        {"standard_nv72ads_a10_v5", 2, "A10"},
        {"standard_nv12s_v3", 1, "M60"},           {"standard_nv24s_v3", 2, "M60"},
        {"standard_nv48s_v3", 4, "M60"},
    };
    const QString s = vmSize.toLower();
    for (const Row &r : rows)
        if (s == QLatin1String(r.size))
            return {r.count, QString::fromLatin1(r.model)};
    return {};
}

QString primaryNicId(const QJsonObject &vm)
{
    const QJsonArray nics = vm.value(QStringLiteral("properties")).toObject()
                                .value(QStringLiteral("networkProfile")).toObject()
                                .value(QStringLiteral("networkInterfaces")).toArray();
    QString first;
    for (const QJsonValue &v : nics) {
        const QJsonObject n = v.toObject();
        const QString id = n.value(QStringLiteral("id")).toString();
        if (first.isEmpty())
            first = id;
        if (n.value(QStringLiteral("properties")).toObject().value(QStringLiteral("primary")).toBool())
            return id;
    }
    return first;
}

Instance instanceFromVm(const QJsonObject &vm, const QString &accountId, const ArmNetwork &network)
{
    const QJsonObject props = vm.value(QStringLiteral("properties")).toObject();
    Instance in;
    in.provider = QStringLiteral("azure");
    in.accountId = accountId;
    in.resource = vm.value(QStringLiteral("id")).toString();
    in.name = vm.value(QStringLiteral("name")).toString();
    in.id = props.value(QStringLiteral("vmId")).toString();
    if (in.id.isEmpty())
        in.id = in.resource;
    in.region = vm.value(QStringLiteral("location")).toString();
    const QJsonArray zones = vm.value(QStringLiteral("zones")).toArray();
    if (!zones.isEmpty())
        in.zone = zones.first().toString();
    in.machineType = props.value(QStringLiteral("hardwareProfile")).toObject().value(QStringLiteral("vmSize")).toString();
    in.gpu = gpuForVmSize(in.machineType);
    in.spot = props.value(QStringLiteral("priority")).toString().compare(QLatin1String("Spot"), Qt::CaseInsensitive) == 0;
    in.sshUser = props.value(QStringLiteral("osProfile")).toObject().value(QStringLiteral("adminUsername")).toString();
    const QJsonObject image = props.value(QStringLiteral("storageProfile")).toObject()
                                  .value(QStringLiteral("imageReference")).toObject();
    if (image.contains(QStringLiteral("publisher"))) {
        in.image = QStringList{image.value(QStringLiteral("publisher")).toString(), image.value(QStringLiteral("offer")).toString(),
                               image.value(QStringLiteral("sku")).toString(), image.value(QStringLiteral("version")).toString()}
                       .join(QLatin1Char(':'));
    } else {
        in.image = image.value(QStringLiteral("id")).toString();
    }
    const QJsonObject tags = vm.value(QStringLiteral("tags")).toObject();
    for (auto it = tags.begin(); it != tags.end(); ++it)
        in.tags.insert(it.key(), it.value().toString());

    const QJsonArray statuses = props.value(QStringLiteral("instanceView")).toObject().value(QStringLiteral("statuses")).toArray();
    const QString power = powerStateWord(statuses);
    QString provisioning = provisioningStateWord(statuses);
    if (provisioning.isEmpty())
        provisioning = props.value(QStringLiteral("provisioningState")).toString().toLower();
    in.state = mapPowerState(power, provisioning);
    in.providerState = provisioning == QLatin1String("deleting") ? QStringLiteral("deleting") : power;
    if (provisioning == QLatin1String("failed") && !power.isEmpty())
        in.providerState += QStringLiteral(" (last operation failed)");
    if (in.state == InstanceState::Running || in.state == InstanceState::Pending)
        in.launched = provisioningTime(statuses);

    const QString nic = primaryNicId(vm).toLower();
    in.privateIp = network.privateIpByNic.value(nic);
    if (const QString pip = network.publicIpIdByNic.value(nic); !pip.isEmpty())
        in.publicIp = network.ipByPublicIpId.value(pip);
    return in;
}

Error armError(int httpStatus, const QByteArray &body)
{
    const QJsonObject err = QJsonDocument::fromJson(body).object().value(QStringLiteral("error")).toObject();
    QString code = err.value(QStringLiteral("code")).toString();
    QString message = err.value(QStringLiteral("message")).toString();
    if (code.isEmpty())
        code = QStringLiteral("HTTP%1").arg(httpStatus);
    if (message.isEmpty())
        message = QStringLiteral("Azure Resource Manager answered HTTP %1").arg(httpStatus);
    Error e(categoryForStatus(httpStatus), message, code, httpStatus);
    if (httpStatus == 429 || httpStatus >= 500)
        e.setRetryable(true);
    return e;
}

Error operationError(const QJsonObject &error, const QString &status)
{
    QString code = error.value(QStringLiteral("code")).toString();
    QString message = error.value(QStringLiteral("message")).toString();
    if (code.isEmpty())
        code = status;
    if (message.isEmpty())
        message = QStringLiteral("the operation ended %1").arg(status);
    Error::Category cat = Error::Category::Server;
    if (code.contains(QLatin1String("NotFound"), Qt::CaseInsensitive))
        cat = Error::Category::NotFound;
    else if (code == QLatin1String("OperationNotAllowed") || code == QLatin1String("Conflict")
             || code == QLatin1String("OperationPreempted") || status == QLatin1String("Canceled"))
        cat = Error::Category::Conflict;
    else if (code == QLatin1String("AuthorizationFailed") || code == QLatin1String("LinkedAuthorizationFailed"))
        cat = Error::Category::Permission;
    else if (code.contains(QLatin1String("Throttl"), Qt::CaseInsensitive) || code == QLatin1String("TooManyRequests"))
        cat = Error::Category::Throttled;
    return Error(cat, message, code);
}

} // namespace skydeck::azure
