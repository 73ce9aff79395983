#include "VmFormat.h"

#include "Output.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace skydeck::cli::VmFormat {

QString stateName(InstanceState state)
{
    switch (state) {
    case InstanceState::Unknown: return QStringLiteral("unknown");
    case InstanceState::Pending: return QStringLiteral("pending");
    case InstanceState::Running: return QStringLiteral("running");
    case InstanceState::Stopping: return QStringLiteral("stopping");
    case InstanceState::Stopped: return QStringLiteral("stopped");
    case InstanceState::StoppedBilled: return QStringLiteral("stopped-billed");
    case InstanceState::Rebooting: return QStringLiteral("rebooting");
    case InstanceState::Terminating: return QStringLiteral("terminating");
    case InstanceState::Terminated: return QStringLiteral("terminated");
    }
    return QStringLiteral("unknown");
}

QString gpus(const GpuInfo &gpu)
{
    if (gpu.count <= 0)
        return QStringLiteral("-");
    return gpu.model.isEmpty() ? QString::number(gpu.count) : QStringLiteral("%1 x %2").arg(gpu.count).arg(gpu.model);
}

QString label(const Instance &in)
{
    if (in.name.isEmpty() || in.name == in.id)
        return in.id;
    return QStringLiteral("%1 (%2)").arg(in.name, in.id);
}

void sort(QList<Instance> &instances)
{
    std::sort(instances.begin(), instances.end(), [](const Instance &a, const Instance &b) {
        return std::tie(a.provider, a.accountId, a.region, a.zone, a.name, a.id)
            < std::tie(b.provider, b.accountId, b.region, b.zone, b.name, b.id);
    });
}

QStringList table(const QList<Instance> &instances)
{
    QList<QStringList> rows;
    rows.append({QStringLiteral("ACCOUNT"), QStringLiteral("REGION/ZONE"), QStringLiteral("ID"), QStringLiteral("NAME"),
                 QStringLiteral("STATE"), QStringLiteral("TYPE"), QStringLiteral("GPUS"), QStringLiteral("PUBLIC IP"),
                 QStringLiteral("PRIVATE IP"), QStringLiteral("LAUNCHED"), QStringLiteral("MARKET")});
    auto dash = [](const QString &s) { return s.isEmpty() ? QStringLiteral("-") : s; };
    for (const Instance &in : instances) {
        // us-east-1a names its region; Azure's zone "1" does not: westeurope/1.
        const QString where = in.zone.isEmpty() ? in.region
            : in.zone.startsWith(in.region) || in.region.isEmpty() ? in.zone
                                                                   : in.region + QLatin1Char('/') + in.zone;
        rows.append({in.accountId, where, in.id, dash(in.name), stateName(in.state),
                     dash(in.machineType), gpus(in.gpu), dash(in.publicIp), dash(in.privateIp),
                     in.launched.isValid() ? Output::timestamp(in.launched) : QStringLiteral("-"),
                     in.spot ? QStringLiteral("spot") : QStringLiteral("on-demand")});
    }
    QList<qsizetype> widths(rows.first().size(), 0);
    for (const QStringList &r : std::as_const(rows))
        for (qsizetype i = 0; i < r.size(); ++i)
            widths[i] = std::max(widths[i], r[i].size());
    QStringList out;
    for (const QStringList &r : std::as_const(rows)) {
        QString line;
        for (qsizetype i = 0; i < r.size(); ++i)
            line += i + 1 == r.size() ? r[i] : r[i].leftJustified(widths[i] + 2);
        out.append(line);
    }
    return out;
}

QByteArray json(const QList<Instance> &instances)
{
    QJsonArray array;
    for (const Instance &in : instances) {
        QJsonObject tags;
        for (auto it = in.tags.cbegin(); it != in.tags.cend(); ++it)
            tags.insert(it.key(), it.value());
        QJsonObject o{
            {QStringLiteral("provider"), in.provider},
            {QStringLiteral("account"), in.accountId},
            {QStringLiteral("region"), in.region},
            {QStringLiteral("zone"), in.zone},
            {QStringLiteral("id"), in.id},
            {QStringLiteral("name"), in.name},
            {QStringLiteral("resource"), in.resource},
            {QStringLiteral("state"), stateName(in.state)},
            {QStringLiteral("providerState"), in.providerState},
            {QStringLiteral("machineType"), in.machineType},
            {QStringLiteral("gpu"), QJsonObject{{QStringLiteral("count"), in.gpu.count}, {QStringLiteral("model"), in.gpu.model}}},
            {QStringLiteral("publicIp"), in.publicIp},
            {QStringLiteral("privateIp"), in.privateIp},
            {QStringLiteral("launched"), in.launched.isValid() ? in.launched.toString(Qt::ISODate) : QString()},
            {QStringLiteral("spot"), in.spot},
            {QStringLiteral("image"), in.image},
            {QStringLiteral("keyName"), in.keyName},
            {QStringLiteral("tags"), tags},
        };
        array.append(o);
    }
    return QJsonDocument(array).toJson(QJsonDocument::Indented);
}

} // namespace skydeck::cli::VmFormat
