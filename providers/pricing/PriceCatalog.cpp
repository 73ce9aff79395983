#include "PriceCatalog.h"

#include "PricingLogging.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <algorithm>

namespace skydeck {

namespace {

QString lastSegment(const QString &s)
{
    const qsizetype slash = s.lastIndexOf(QLatin1Char('/'));
    return slash < 0 ? s : s.mid(slash + 1);
}

} // namespace

const PriceCatalog &PriceCatalog::shipped()
{
    static const PriceCatalog catalog = [] {
        QFile f(QStringLiteral(":/prices/compute.json"));
        if (!f.open(QIODevice::ReadOnly)) {
            qCWarning(lcPricing) << "price catalog resource missing:" << f.errorString();
            return PriceCatalog();
        }
        QString error;
        std::optional<PriceCatalog> c = fromJson(f.readAll(), &error);
        if (!c) {
            qCWarning(lcPricing) << "price catalog unreadable:" << error;
            return PriceCatalog();
        }
        return *c;
    }();
    return catalog;
}

QString PriceCatalog::normalise(const QString &provider, const QString &machineType)
{
    QString t = lastSegment(machineType.trimmed()).toLower();
    if (provider == QLatin1String("azure") && t.startsWith(QLatin1String("standard_")))
        t = t.mid(9);
    return t;
}

QString PriceCatalog::regionOf(const QString &provider, const QString &regionOrZone)
{
    QString r = regionOrZone.trimmed().toLower();
    if (provider == QLatin1String("aws")) {
        // us-east-1a → us-east-1 (a region ends with a digit, a zone with a letter after it)
        static const QRegularExpression zone(QStringLiteral("^([a-z]{2}(-gov)?-[a-z]+-\\d+)[a-z]$"));
        const auto m = zone.match(r);
        if (m.hasMatch())
            return m.captured(1);
    } else if (provider == QLatin1String("gcp")) {
        static const QRegularExpression zone(QStringLiteral("^([a-z]+-[a-z]+\\d+)-[a-z]$"));
        const auto m = zone.match(r);
        if (m.hasMatch())
            return m.captured(1);
    } else if (provider == QLatin1String("azure")) {
        r.remove(QLatin1Char(' '));  // "East US" → "eastus"
    }
    return r;
}

std::optional<PriceCatalog> PriceCatalog::fromJson(const QByteArray &json, QString *error)
{
    auto fail = [error](const QString &why) -> std::optional<PriceCatalog> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (!doc.isObject())
        return fail(pe.error != QJsonParseError::NoError ? pe.errorString() : QStringLiteral("not a JSON object"));
    const QJsonObject root = doc.object();
    PriceCatalog c;
    c.m_asOf = QDate::fromString(root.value(QLatin1String("asOf")).toString(), Qt::ISODate);
    if (!c.m_asOf.isValid())
        return fail(QStringLiteral("asOf is not a date"));
    if (root.value(QLatin1String("currency")).toString(QStringLiteral("USD")) != QLatin1String("USD"))
        return fail(QStringLiteral("only USD catalogs are read"));
    c.m_note = root.value(QLatin1String("note")).toString();
    const QJsonObject providers = root.value(QLatin1String("providers")).toObject();
    for (auto pit = providers.begin(); pit != providers.end(); ++pit) {
        const QString name = pit.key();
        const QJsonObject po = pit.value().toObject();
        Provider p;
        p.source = po.value(QLatin1String("source")).toString();
        const QJsonObject machines = po.value(QLatin1String("machines")).toObject();
        // QJsonObject iterates in key order; keep the file's order (first mention) for the launch form.
        QStringList order = machines.keys();
        std::stable_sort(order.begin(), order.end(), [&json](const QString &a, const QString &b) {
            return json.indexOf(('"' + a + '"').toUtf8()) < json.indexOf(('"' + b + '"').toUtf8());
        });
        for (const QString &type : order) {
            const QJsonObject mo = machines.value(type).toObject();
            Machine m;
            m.type = type;
            m.vcpus = mo.value(QLatin1String("vcpus")).toInt();
            m.memoryGb = mo.value(QLatin1String("memoryGb")).toDouble();
            m.gpu.count = mo.value(QLatin1String("gpus")).toInt();
            m.gpu.model = m.gpu.count > 0 ? mo.value(QLatin1String("gpu")).toString() : QString();
            if (m.gpu.count < 0 || (m.gpu.count > 0 && m.gpu.model.isEmpty()))
                return fail(QStringLiteral("%1 %2: a GPU count needs a model").arg(name, type));
            p.machineIndex.insert(normalise(name, type), int(p.machines.size()));
            p.machines.append(m);
        }
        const QJsonObject accels = po.value(QLatin1String("accelerators")).toObject();
        for (auto ait = accels.begin(); ait != accels.end(); ++ait) {
            p.accelerators.insert(ait.key().toLower(), ait.value().toObject().value(QLatin1String("gpu")).toString());
            p.acceleratorOrder << ait.key();
        }
        for (const QJsonValue &gv : po.value(QLatin1String("prices")).toArray()) {
            const QJsonObject go = gv.toObject();
            RegionPrices rp;
            auto readTable = [&](const char *key, QHash<QString, double> &into) -> bool {
                const QJsonObject t = go.value(QLatin1String(key)).toObject();
                for (auto it = t.begin(); it != t.end(); ++it) {
                    const double v = it.value().toDouble(-1);
                    if (!(v >= 0))
                        return false;
                    const QString k = it.key().toLower();
                    if (!p.machineIndex.contains(normalise(name, k)) && !p.accelerators.contains(k))
                        return false;
                    into.insert(normalise(name, k), v);
                }
                return true;
            };
            if (!readTable("onDemand", rp.onDemand) || !readTable("spot", rp.spot))
                return fail(QStringLiteral("%1: a price for an unknown type or not a number").arg(name));
            for (const QJsonValue &r : go.value(QLatin1String("regions")).toArray()) {
                const QString region = r.toString().toLower();
                if (p.regions.contains(region))
                    return fail(QStringLiteral("%1: region %2 listed twice").arg(name, region));
                p.regions.insert(region, rp);
                p.regionOrder << region;
            }
        }
        c.m_providers.insert(name, p);
    }
    return c;
}

std::optional<double> PriceCatalog::lookup(const Provider &p, const QString &region, const QString &key, bool spot) const
{
    const auto rit = p.regions.constFind(region);
    if (rit == p.regions.constEnd())
        return std::nullopt;
    const QHash<QString, double> &table = spot ? rit->spot : rit->onDemand;
    const auto it = table.constFind(key);
    if (it == table.constEnd())
        return std::nullopt;
    return *it;
}

std::optional<double> PriceCatalog::price(const QString &provider, const QString &region, const QString &machineType,
                                          bool spot, const GpuInfo &accelerators) const
{
    const auto pit = m_providers.constFind(provider);
    if (pit == m_providers.constEnd() || machineType.isEmpty())
        return std::nullopt;
    const QString r = regionOf(provider, region);
    const QString type = normalise(provider, machineType);
    std::optional<double> base = lookup(*pit, r, type, spot);
    if (!base)
        return std::nullopt;
    const auto mit = pit->machineIndex.constFind(type);
    const bool builtInGpus = mit != pit->machineIndex.constEnd() && pit->machines.at(*mit).gpu.count > 0;
    if (accelerators.count <= 0 || builtInGpus || pit->accelerators.isEmpty())
        return base;
    // Compute Engine N1 (and other) types with GPUs attached: priced per GPU.
    QString accel = lastSegment(accelerators.model).toLower();
    if (!pit->accelerators.contains(accel)) {
        accel.clear();
        for (auto it = pit->accelerators.constBegin(); it != pit->accelerators.constEnd(); ++it)
            if (it.value().compare(accelerators.model, Qt::CaseInsensitive) == 0)
                accel = it.key();
    }
    if (accel.isEmpty())
        return std::nullopt;
    const std::optional<double> perGpu = lookup(*pit, r, accel, spot);
    if (!perGpu)
        return std::nullopt;
    return *base + accelerators.count * *perGpu;
}

GpuInfo PriceCatalog::gpu(const QString &provider, const QString &machineType) const
{
    const auto pit = m_providers.constFind(provider);
    if (pit == m_providers.constEnd())
        return {};
    const auto mit = pit->machineIndex.constFind(normalise(provider, machineType));
    if (mit == pit->machineIndex.constEnd())
        return {};
    return pit->machines.at(*mit).gpu;
}

QString PriceCatalog::acceleratorModel(const QString &provider, const QString &acceleratorType) const
{
    return m_providers.value(provider).accelerators.value(lastSegment(acceleratorType).toLower());
}

QList<PriceCatalog::Machine> PriceCatalog::machines(const QString &provider) const
{
    return m_providers.value(provider).machines;
}

QStringList PriceCatalog::acceleratorTypes(const QString &provider) const
{
    return m_providers.value(provider).acceleratorOrder;
}

QStringList PriceCatalog::regions(const QString &provider) const
{
    return m_providers.value(provider).regionOrder;
}

} // namespace skydeck
