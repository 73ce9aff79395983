#include "GceJson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace skydeck::gcp {

InstanceState stateFromGce(const QString &status)
{
    if (status == QLatin1String("RUNNING"))
        return InstanceState::Running;
    if (status == QLatin1String("PROVISIONING") || status == QLatin1String("STAGING")
        || status == QLatin1String("REPAIRING"))
        return InstanceState::Pending;
    if (status == QLatin1String("STOPPING") || status == QLatin1String("SUSPENDING")
        || status == QLatin1String("PENDING_STOP") || status == QLatin1String("DEPROVISIONING"))
        return InstanceState::Stopping;
    if (status == QLatin1String("TERMINATED") || status == QLatin1String("SUSPENDED")
        || status == QLatin1String("STOPPED"))
        return InstanceState::Stopped;
    return InstanceState::Unknown;
}

QString gpuModelFromAcceleratorType(const QString &acceleratorType)
{
    static const QHash<QString, QString> models{
        {QStringLiteral("nvidia-tesla-t4"), QStringLiteral("T4")},
        {QStringLiteral("nvidia-tesla-t4-vws"), QStringLiteral("T4")},
        {QStringLiteral("nvidia-tesla-v100"), QStringLiteral("V100")},
        {QStringLiteral("nvidia-tesla-p100"), QStringLiteral("P100")},
        {QStringLiteral("nvidia-tesla-p100-vws"), QStringLiteral("P100")},
        {QStringLiteral("nvidia-tesla-p4"), QStringLiteral("P4")},
        {QStringLiteral("nvidia-tesla-p4-vws"), QStringLiteral("P4")},
        {QStringLiteral("nvidia-tesla-k80"), QStringLiteral("K80")},
        {QStringLiteral("nvidia-tesla-a100"), QStringLiteral("A100 40GB")},
        {QStringLiteral("nvidia-a100-80gb"), QStringLiteral("A100 80GB")},
        {QStringLiteral("nvidia-l4"), QStringLiteral("L4")},
        {QStringLiteral("nvidia-l4-vws"), QStringLiteral("L4")},
        {QStringLiteral("nvidia-h100-80gb"), QStringLiteral("H100 80GB")},
        {QStringLiteral("nvidia-h100-mega-80gb"), QStringLiteral("H100 80GB")},
        {QStringLiteral("nvidia-h200-141gb"), QStringLiteral("H200 141GB")},
        {QStringLiteral("nvidia-b200"), QStringLiteral("B200")},
    };
    const QString type = lastSegment(acceleratorType);
    return models.value(type, type);
}

bool machineTypeHasBuiltInGpus(const QString &machineType)
{
    const QString t = lastSegment(machineType);
    return t.startsWith(QLatin1String("a2-")) || t.startsWith(QLatin1String("a3-")) || t.startsWith(QLatin1String("a4-"))
        || t.startsWith(QLatin1String("g2-"));
}

QString lastSegment(const QString &url)
{
    const qsizetype slash = url.lastIndexOf(QLatin1Char('/'));
    return slash < 0 ? url : url.mid(slash + 1);
}

namespace {

QString regionOfZone(const QString &zone)
{
    const qsizetype dash = zone.lastIndexOf(QLatin1Char('-'));
    return dash > 0 ? zone.left(dash) : zone;
}

QDateTime parseTimestamp(const QString &s)
{
    if (s.isEmpty())
        return {};
    QDateTime t = QDateTime::fromString(s, Qt::ISODateWithMs);
    if (!t.isValid())
        t = QDateTime::fromString(s, Qt::ISODate);
    return t.isValid() ? t.toUTC() : QDateTime();
}

// The user of the first "user:key" line in the ssh-keys metadata (what `gcloud compute ssh` writes).
QString sshUserFromMetadata(const QJsonObject &metadata)
{
    const QJsonArray items = metadata.value(QLatin1String("items")).toArray();
    for (const QJsonValue &v : items) {
        const QJsonObject item = v.toObject();
        if (item.value(QLatin1String("key")).toString() != QLatin1String("ssh-keys"))
            continue;
        const QStringList lines = item.value(QLatin1String("value")).toString().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        for (const QString &line : lines) {
            const qsizetype colon = line.indexOf(QLatin1Char(':'));
            if (colon > 0)
                return line.left(colon).trimmed();
        }
    }
    return {};
}

Error::Category categoryForStatus(int status, const QString &reason)
{
    if (reason == QLatin1String("rateLimitExceeded") || reason == QLatin1String("userRateLimitExceeded"))
        return Error::Category::Throttled;
    if (reason == QLatin1String("resourceNotReady") || reason == QLatin1String("resourceInUseByAnotherResource"))
        return Error::Category::Conflict;
    switch (status) {
    case 400: return Error::Category::InvalidInput;
    case 401: return Error::Category::Auth;
    case 403: return Error::Category::Permission;
    case 404: return Error::Category::NotFound;
    case 409:
    case 412: return Error::Category::Conflict;
    case 429: return Error::Category::Throttled;
    default: break;
    }
    if (status >= 500)
        return Error::Category::Server;
    return Error::Category::Server;
}

} // namespace

Instance instanceFromJson(const QJsonObject &o, const QString &accountId, const QString &project)
{
    Instance in;
    in.provider = QStringLiteral("gcp");
    in.accountId = accountId;
    in.zone = lastSegment(o.value(QLatin1String("zone")).toString());
    in.region = regionOfZone(in.zone);
    in.id = o.value(QLatin1String("id")).toString();
    in.name = o.value(QLatin1String("name")).toString();
    const QString selfLink = o.value(QLatin1String("selfLink")).toString();
    const qsizetype p = selfLink.indexOf(QLatin1String("/projects/"));
    in.resource = p >= 0 ? selfLink.mid(p + 1)
                         : QStringLiteral("projects/%1/zones/%2/instances/%3").arg(project, in.zone, in.name);
    in.providerState = o.value(QLatin1String("status")).toString();
    in.state = stateFromGce(in.providerState);
    in.machineType = lastSegment(o.value(QLatin1String("machineType")).toString());

    const QJsonArray accels = o.value(QLatin1String("guestAccelerators")).toArray();
    for (const QJsonValue &v : accels) {
        const QJsonObject a = v.toObject();
        in.gpu.addCount(a.value(QLatin1String("acceleratorCount")).toInteger());
        if (in.gpu.model.isEmpty())
            in.gpu.model = gpuModelFromAcceleratorType(a.value(QLatin1String("acceleratorType")).toString());
    }
    if (in.gpu.count == 0)
        in.gpu.model.clear();  // a2/g2/a3 without accelerators listed: the price catalog knows the type

    const QJsonArray nics = o.value(QLatin1String("networkInterfaces")).toArray();
    for (const QJsonValue &v : nics) {
        const QJsonObject nic = v.toObject();
        if (in.privateIp.isEmpty())
            in.privateIp = nic.value(QLatin1String("networkIP")).toString();
        const QJsonArray acs = nic.value(QLatin1String("accessConfigs")).toArray();
        for (const QJsonValue &ac : acs) {
            const QString nat = ac.toObject().value(QLatin1String("natIP")).toString();
            if (in.publicIp.isEmpty() && !nat.isEmpty())
                in.publicIp = nat;
        }
    }
    in.launched = parseTimestamp(o.value(QLatin1String("lastStartTimestamp")).toString());
    if (!in.launched.isValid())
        in.launched = parseTimestamp(o.value(QLatin1String("creationTimestamp")).toString());
    const QJsonObject sched = o.value(QLatin1String("scheduling")).toObject();
    in.spot = sched.value(QLatin1String("provisioningModel")).toString() == QLatin1String("SPOT")
        || sched.value(QLatin1String("preemptible")).toBool();
    in.sshUser = sshUserFromMetadata(o.value(QLatin1String("metadata")).toObject());
    const QJsonObject labels = o.value(QLatin1String("labels")).toObject();
    for (auto it = labels.begin(); it != labels.end(); ++it)
        in.tags.insert(it.key(), it.value().toString());
    const QJsonArray disks = o.value(QLatin1String("disks")).toArray();
    for (const QJsonValue &v : disks) {
        const QJsonObject d = v.toObject();
        if (d.value(QLatin1String("boot")).toBool()) {
            const QJsonArray licenses = d.value(QLatin1String("licenses")).toArray();
            in.image = licenses.isEmpty() ? lastSegment(d.value(QLatin1String("source")).toString())
                                          : lastSegment(licenses.first().toString());
            break;
        }
    }
    return in;
}

QString errorReason(const QByteArray &body)
{
    const QJsonObject err = QJsonDocument::fromJson(body).object().value(QLatin1String("error")).toObject();
    const QJsonArray errors = err.value(QLatin1String("errors")).toArray();
    if (!errors.isEmpty())
        return errors.first().toObject().value(QLatin1String("reason")).toString();
    // Newer documents carry details[].reason (google.rpc.ErrorInfo) instead.
    const QJsonArray details = err.value(QLatin1String("details")).toArray();
    for (const QJsonValue &d : details) {
        const QString r = d.toObject().value(QLatin1String("reason")).toString();
        if (!r.isEmpty())
            return r;
    }
    return {};
}

Error errorFromResponse(int httpStatus, const QByteArray &body)
{
    const QJsonObject err = QJsonDocument::fromJson(body).object().value(QLatin1String("error")).toObject();
    QString message = err.value(QLatin1String("message")).toString();
    QString reason = errorReason(body);
    if (reason.isEmpty())
        reason = err.value(QLatin1String("status")).toString();
    if (message.isEmpty())
        message = QStringLiteral("Compute Engine answered HTTP %1").arg(httpStatus);
    return Error(categoryForStatus(httpStatus, reason), message, reason, httpStatus);
}

Error operationError(const QJsonObject &operation)
{
    const QJsonArray errors = operation.value(QLatin1String("error")).toObject().value(QLatin1String("errors")).toArray();
    if (errors.isEmpty())
        return {};
    QStringList messages;
    for (const QJsonValue &v : errors)
        messages << v.toObject().value(QLatin1String("message")).toString();
    const QString code = errors.first().toObject().value(QLatin1String("code")).toString();
    const int status = operation.value(QLatin1String("httpErrorStatusCode")).toInt();
    Error::Category cat = categoryForStatus(status, {});
    if (code.startsWith(QLatin1String("ZONE_RESOURCE_POOL_EXHAUSTED")) || code == QLatin1String("QUOTA_EXCEEDED"))
        cat = Error::Category::Conflict;  // no capacity / quota: trying the same again will not help soon
    Error e(cat, messages.join(QStringLiteral("; ")), code, status);
    e.setRetryable(false);  // the operation ended: the user decides
    return e;
}

QString resolveImage(const QString &image)
{
    const QString i = image.trimmed();
    if (i.isEmpty())
        return QStringLiteral("projects/deeplearning-platform-release/global/images/family/")
            + QLatin1String(kDefaultDeepLearningFamily);
    if (i.contains(QLatin1Char('/')))
        return i;
    return QStringLiteral("projects/deeplearning-platform-release/global/images/family/") + i;
}

Result<QJsonObject> insertBody(const LaunchRequest &r)
{
    static const QRegularExpression nameRe(QStringLiteral("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$"));
    if (!nameRe.match(r.name).hasMatch())
        return Error(Error::Category::InvalidInput,
                     QStringLiteral("an instance name is 1-63 lowercase letters, digits or dashes, starting with a letter: \"%1\"")
                         .arg(r.name),
                     QStringLiteral("BadName"));
    if (r.zone.isEmpty() || r.machineType.isEmpty())
        return Error(Error::Category::InvalidInput, QStringLiteral("a Compute Engine launch needs a zone and a machine type"),
                     QStringLiteral("MissingField"));
    if (!r.sshPublicKey.isEmpty() && r.sshUser.isEmpty())
        return Error(Error::Category::InvalidInput, QStringLiteral("an SSH key needs the user it logs in as"),
                     QStringLiteral("MissingField"));
    if (r.accelerators.count > 0 && r.accelerators.model.isEmpty())
        return Error(Error::Category::InvalidInput, QStringLiteral("accelerators need a type (e.g. nvidia-tesla-t4)"),
                     QStringLiteral("MissingField"));
    const QString zonePath = QStringLiteral("zones/") + r.zone;
    const QString image = resolveImage(r.image);
    const bool gpus = r.accelerators.count > 0 || machineTypeHasBuiltInGpus(r.machineType);

    QJsonObject disk{{QStringLiteral("boot"), true},
                     {QStringLiteral("autoDelete"), true},
                     {QStringLiteral("type"), QStringLiteral("PERSISTENT")},
                     {QStringLiteral("initializeParams"),
                      QJsonObject{{QStringLiteral("sourceImage"), image},
                                  {QStringLiteral("diskSizeGb"), QString::number(r.diskGb)},
                                  {QStringLiteral("diskType"), QString(zonePath + QStringLiteral("/diskTypes/pd-balanced"))}}}};
    QJsonObject nic{{QStringLiteral("network"), QStringLiteral("global/networks/default")},
                    {QStringLiteral("accessConfigs"),
                     QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("ONE_TO_ONE_NAT")},
                                            {QStringLiteral("name"), QStringLiteral("External NAT")}}}}};
    QJsonObject scheduling;
    if (r.spot) {
        scheduling = {{QStringLiteral("provisioningModel"), QStringLiteral("SPOT")},
                      {QStringLiteral("instanceTerminationAction"), QStringLiteral("STOP")},
                      {QStringLiteral("onHostMaintenance"), QStringLiteral("TERMINATE")},
                      {QStringLiteral("automaticRestart"), false}};
    } else {
        // VMs with GPUs cannot live-migrate: Compute Engine refuses MIGRATE for them.
        scheduling = {{QStringLiteral("provisioningModel"), QStringLiteral("STANDARD")},
                      {QStringLiteral("onHostMaintenance"), gpus ? QStringLiteral("TERMINATE") : QStringLiteral("MIGRATE")},
                      {QStringLiteral("automaticRestart"), true}};
    }
    QJsonArray metadata;
    if (!r.sshPublicKey.isEmpty())
        metadata.append(QJsonObject{{QStringLiteral("key"), QStringLiteral("ssh-keys")},
                                    {QStringLiteral("value"), QString(r.sshUser + QLatin1Char(':') + r.sshPublicKey.trimmed())}});
    if (gpus && image.contains(QLatin1String("deeplearning-platform-release")))
        // Deep Learning VM images install the NVIDIA driver on first boot when asked.
        metadata.append(QJsonObject{{QStringLiteral("key"), QStringLiteral("install-nvidia-driver")},
                                    {QStringLiteral("value"), QStringLiteral("True")}});

    QJsonObject body{{QStringLiteral("name"), r.name},
                     {QStringLiteral("machineType"), QString(zonePath + QStringLiteral("/machineTypes/") + r.machineType)},
                     {QStringLiteral("disks"), QJsonArray{disk}},
                     {QStringLiteral("networkInterfaces"), QJsonArray{nic}},
                     {QStringLiteral("scheduling"), scheduling}};
    if (!metadata.isEmpty())
        body.insert(QStringLiteral("metadata"), QJsonObject{{QStringLiteral("items"), metadata}});
    if (r.accelerators.count > 0) {
        const QString type = r.accelerators.model.contains(QLatin1Char('/'))
            ? r.accelerators.model
            : zonePath + QStringLiteral("/acceleratorTypes/") + r.accelerators.model;
        body.insert(QStringLiteral("guestAccelerators"),
                    QJsonArray{QJsonObject{{QStringLiteral("acceleratorType"), type},
                                           {QStringLiteral("acceleratorCount"), r.accelerators.count}}});
    }
    return body;
}

} // namespace skydeck::gcp
