#include "PriceCatalog.h"

#include "Csv.h"
#include "PricingLogging.h"
#include "PythonLiteral.h"

#include <QFile>
#include <QRegularExpression>
#include <QVariantList>
#include <QVariantMap>

namespace skydeck {

namespace {

const QStringList kProviders = {QStringLiteral("aws"), QStringLiteral("gcp"), QStringLiteral("azure")};

QString lastSegment(const QString &s)
{
    const qsizetype slash = s.lastIndexOf(QLatin1Char('/'));
    return slash < 0 ? s : s.mid(slash + 1);
}

int decimalsOf(const QString &number)
{
    const qsizetype dot = number.indexOf(QLatin1Char('.'));
    return dot < 0 ? 0 : int(number.size() - dot - 1);
}

// A price or size field: empty (nullopt, *ok true) or a finite number >= 0.
std::optional<double> readNumber(const QString &text, bool *ok)
{
    *ok = true;
    const QString t = text.trimmed();
    if (t.isEmpty())
        return std::nullopt;
    const double v = t.toDouble(ok);
    if (!*ok || !(v >= 0) || v > 1e9) {
        *ok = false;
        return std::nullopt;
    }
    return v;
}

// SOURCE.md: "| aws.csv | catalogs/v7/aws/vms.csv | 27f67dd4e1bc0d35fa0ec075180ad54b230882c4 | 96 |"
// rows of its table, and the catalog's repository (the first GitHub address in the text).
QHash<QString, PriceSource> readSourceMarkdown(const QByteArray &markdown)
{
    const QString text = QString::fromUtf8(markdown);
    static const QRegularExpression repo(QStringLiteral(R"((https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+))"));
    static const QRegularExpression row(
        QStringLiteral(R"(^\|\s*([a-z]+\.csv)\s*\|\s*([^|\s]+)\s*\|\s*([0-9a-f]{40})\s*\|\s*(\d+)\s*\|\s*$)"),
        QRegularExpression::MultilineOption);
    QString repository = repo.match(text).captured(1);
    while (repository.endsWith(QLatin1Char('.')))
        repository.chop(1);
    QHash<QString, PriceSource> out;
    for (auto it = row.globalMatch(text); it.hasNext();) {
        const auto m = it.next();
        PriceSource s;
        s.file = m.captured(1);
        s.repository = repository;
        s.path = m.captured(2);
        s.commit = m.captured(3);
        s.rows = m.captured(4).toInt();
        out.insert(s.file, s);
    }
    return out;
}

// GpuInfo: AWS and Google write a Python dict ({'Gpus': [{'Name': 'T4', 'Count': 1, 'MemoryInfo':
// {'SizeInMiB': 16384}}], ...}), Azure the accelerator's name. Only Gpus[].Name, Count and
// MemoryInfo.SizeInMiB are read, and they must agree with the row's AcceleratorName and
// AcceleratorCount. An empty error when it reads.
QString readGpuInfo(const QString &text, PriceRow &row)
{
    const QString t = text.trimmed();
    if (t.isEmpty())
        return {};
    if (!t.startsWith(QLatin1Char('{'))) {
        if (t.compare(row.gpu.model, Qt::CaseInsensitive) != 0)
            return QStringLiteral("GpuInfo '%1' is not the AcceleratorName '%2'").arg(t, row.gpu.model);
        return {};
    }
    const Result<QVariant> parsed = pricing::parsePythonLiteral(t);
    if (!parsed.ok())
        return QStringLiteral("GpuInfo is not readable (%1)").arg(parsed.error().message());
    if (parsed->typeId() != QMetaType::QVariantMap)
        return QStringLiteral("GpuInfo is not a dict");
    const QVariant gpus = parsed->toMap().value(QStringLiteral("Gpus"));
    if (gpus.typeId() != QMetaType::QVariantList || gpus.toList().isEmpty())
        return QStringLiteral("GpuInfo has no Gpus list");
    qint64 count = 0;
    bool counted = false;
    for (const QVariant &g : gpus.toList()) {
        if (g.typeId() != QMetaType::QVariantMap)
            return QStringLiteral("GpuInfo's Gpus holds something other than a dict");
        const QVariantMap m = g.toMap();
        if (m.contains(QStringLiteral("Name"))
            && m.value(QStringLiteral("Name")).toString().compare(row.gpu.model, Qt::CaseInsensitive) != 0)
            return QStringLiteral("GpuInfo names %1, the row %2").arg(m.value(QStringLiteral("Name")).toString(), row.gpu.model);
        if (m.contains(QStringLiteral("Count"))) {
            if (m.value(QStringLiteral("Count")).typeId() != QMetaType::LongLong)
                return QStringLiteral("GpuInfo's Count is not a whole number");
            count += m.value(QStringLiteral("Count")).toLongLong();
            counted = true;
        }
        const QVariant memory = m.value(QStringLiteral("MemoryInfo")).toMap().value(QStringLiteral("SizeInMiB"));
        if (memory.isValid()) {
            if (memory.typeId() != QMetaType::LongLong || memory.toLongLong() <= 0)
                return QStringLiteral("GpuInfo's SizeInMiB is not a positive whole number");
            row.gpuMemoryMiB = memory.toLongLong();
        }
    }
    if (counted && count != row.gpu.count)
        return QStringLiteral("GpuInfo counts %1 GPUs, AcceleratorCount %2").arg(count).arg(row.gpu.count);
    return {};
}

struct GceAccelerator {
    const char *type;   // Compute Engine's accelerator type id
    const char *name;   // the catalog's AcceleratorName
    const char *model;  // how GceJson shows it
    bool n1;            // attaches to N1 machine types
};

// https://cloud.google.com/compute/docs/gpus (GPU models and their accelerator types).
const GceAccelerator kGceAccelerators[] = {
    {"nvidia-tesla-t4", "T4", "T4", true},
    {"nvidia-tesla-v100", "V100", "V100", true},
    {"nvidia-tesla-p100", "P100", "P100", true},
    {"nvidia-tesla-p4", "P4", "P4", true},
    {"nvidia-tesla-k80", "K80", "K80", true},
    {"nvidia-tesla-a100", "A100", "A100 40GB", false},
    {"nvidia-a100-80gb", "A100-80GB", "A100 80GB", false},
    {"nvidia-l4", "L4", "L4", false},
    {"nvidia-h100-80gb", "H100", "H100 80GB", false},
    {"nvidia-h100-mega-80gb", "H100-MEGA", "H100 Mega 80GB", false},
};

QString gpuText(const GpuInfo &g)
{
    return QStringLiteral("%1 ×%2").arg(g.model).arg(g.count);
}

QString rowWhat(const PriceRow &r)
{
    return r.isAccelerator() ? gpuText(r.gpu) : r.type;
}

} // namespace

QString PriceSource::describe() const
{
    QString repo = repository;
    repo.remove(QRegularExpression(QStringLiteral("^https://github\\.com/")));
    return QStringLiteral("%1 %2 at commit %3").arg(repo, path, commit);
}

QString PriceQuote::breakdown() const
{
    QStringList parts;
    for (const PriceRow &r : rows)
        parts << QStringLiteral("%1 (%2, %3 line %4)")
                     .arg(spot ? r.spotText : r.onDemandText, rowWhat(r), source.file)
                     .arg(r.line);
    return parts.join(QStringLiteral(" + "));
}

QString PriceQuote::sourceText() const
{
    QStringList lines;
    lines << QStringLiteral("$%1 per hour %2 for %3 in %4")
                 .arg(perHourText, spot ? QStringLiteral("spot") : QStringLiteral("on-demand"), type, region);
    lines << QStringLiteral("= ") + breakdown();
    lines << QStringLiteral("Source: %1 %2 at commit %3 (shipped as resources/prices/%4)")
                 .arg(source.repository, source.path, source.commit, source.file);
    lines << QStringLiteral("List price snapshot, date unknown.");
    return lines.join(QLatin1Char('\n'));
}

const PriceCatalog &PriceCatalog::shipped()
{
    static const PriceCatalog catalog = [] {
        auto read = [](const QString &name) -> QByteArray {
            QFile f(QStringLiteral(":/prices/") + name);
            if (!f.open(QIODevice::ReadOnly)) {
                qCWarning(lcPricing) << "price catalog resource missing:" << name << f.errorString();
                return {};
            }
            return f.readAll();
        };
        QMap<QString, QByteArray> files;
        for (const QString &p : kProviders)
            files.insert(fileOf(p), read(fileOf(p)));
        PriceCatalog c = fromFiles(read(QStringLiteral("SOURCE.md")), files);
        for (const QString &problem : c.problems())
            qCWarning(lcPricing).noquote() << "price catalog:" << problem;
        return c;
    }();
    return catalog;
}

QString PriceCatalog::fileOf(const QString &provider)
{
    return provider + QStringLiteral(".csv");
}

PriceCatalog PriceCatalog::fromFiles(const QByteArray &sourceMarkdown, const QMap<QString, QByteArray> &files)
{
    PriceCatalog c;
    const QHash<QString, PriceSource> sources = readSourceMarkdown(sourceMarkdown);
    for (const QString &provider : kProviders) {
        const QString file = fileOf(provider);
        if (!files.contains(file))
            continue;
        const PriceSource source = sources.value(file);
        if (!source.isKnown()) {
            c.m_problems << QStringLiteral("%1: SOURCE.md does not say where it comes from; its prices are not used").arg(file);
            continue;
        }
        Provider p;
        p.source = source;
        QStringList problems;
        readFile(provider, files.value(file), p, problems);
        c.m_problems += problems;
        if (p.rows.isEmpty())
            continue;
        c.m_providers.insert(provider, p);
    }
    return c;
}

void PriceCatalog::readFile(const QString &provider, const QByteArray &data, Provider &into, QStringList &problems)
{
    const QString file = into.source.file;
    const Result<pricing::CsvTable> table = pricing::parseCsv(data);
    if (!table.ok()) {
        problems << QStringLiteral("%1: %2; its prices are not used").arg(file, table.error().message());
        return;
    }
    if (table->records.size() != into.source.rows) {
        problems << QStringLiteral("%1 has %2 rows where SOURCE.md says %3: it is not the file SOURCE.md describes; "
                                   "its prices are not used")
                        .arg(file)
                        .arg(table->records.size())
                        .arg(into.source.rows);
        return;
    }
    // Each cloud's file has its own column order: columns are found by name.
    const QStringList required = {QStringLiteral("InstanceType"), QStringLiteral("AcceleratorName"),
                                  QStringLiteral("AcceleratorCount"), QStringLiteral("vCPUs"), QStringLiteral("MemoryGiB"),
                                  QStringLiteral("GpuInfo"), QStringLiteral("Price"), QStringLiteral("SpotPrice"),
                                  QStringLiteral("Region")};
    QHash<QString, int> col;
    for (const QString &name : required) {
        const int i = table->column(name);
        if (i < 0) {
            problems << QStringLiteral("%1: no %2 column; its prices are not used").arg(file, name);
            return;
        }
        col.insert(name, i);
    }
    const int zoneColumn = table->column(QStringLiteral("AvailabilityZone"));
    for (const pricing::CsvRecord &rec : table->records) {
        auto field = [&](const char *name) { return rec.fields.at(col.value(QLatin1String(name))).trimmed(); };
        auto refuse = [&](const QString &why) {
            problems << QStringLiteral("%1 line %2: %3; the row is not used").arg(file).arg(rec.line).arg(why);
        };
        PriceRow row;
        row.line = rec.line;
        row.type = field("InstanceType");
        row.region = field("Region").toLower();
        row.zone = zoneColumn >= 0 ? rec.fields.at(zoneColumn).trimmed() : QString();
        row.onDemandText = field("Price");
        row.spotText = field("SpotPrice");
        bool ok = false;
        row.onDemand = readNumber(row.onDemandText, &ok);
        if (!ok) {
            refuse(QStringLiteral("Price '%1' is not a number").arg(row.onDemandText));
            continue;
        }
        row.spot = readNumber(row.spotText, &ok);
        if (!ok) {
            refuse(QStringLiteral("SpotPrice '%1' is not a number").arg(row.spotText));
            continue;
        }
        row.vcpus = readNumber(field("vCPUs"), &ok).value_or(0);
        if (ok)
            row.memoryGiB = readNumber(field("MemoryGiB"), &ok).value_or(0);
        if (!ok) {
            refuse(QStringLiteral("vCPUs or MemoryGiB is not a number"));
            continue;
        }
        const QString accelName = field("AcceleratorName");
        const std::optional<double> accelCount = readNumber(field("AcceleratorCount"), &ok);
        if (!ok || (accelCount && (*accelCount != double(qint64(*accelCount)) || *accelCount < 1 || *accelCount > 64))
            || accelName.isEmpty() != !accelCount.has_value()) {
            refuse(QStringLiteral("AcceleratorName '%1' and AcceleratorCount '%2' do not go together")
                       .arg(accelName, field("AcceleratorCount")));
            continue;
        }
        if (accelCount)
            row.gpu = GpuInfo{int(*accelCount), accelName};
        if (const QString why = readGpuInfo(field("GpuInfo"), row); !why.isEmpty()) {
            refuse(why);
            continue;
        }
        if (row.region.isEmpty() || (row.type.isEmpty() && row.gpu.count == 0)) {
            refuse(QStringLiteral("no region, or neither a type nor an accelerator"));
            continue;
        }
        const int index = int(into.rows.size());
        if (row.isAccelerator()) {
            const QString key = QStringLiteral("%1|%2|%3").arg(row.gpu.model.toLower()).arg(row.gpu.count).arg(row.region);
            if (into.acceleratorByKey.contains(key)) {
                refuse(QStringLiteral("a second row for %1 in %2 (line %3)")
                           .arg(gpuText(row.gpu), row.region)
                           .arg(into.rows.at(into.acceleratorByKey.value(key)).line));
                continue;
            }
            into.acceleratorByKey.insert(key, index);
        } else {
            const QString key = normalise(provider, row.type) + QLatin1Char('|') + row.region;
            if (into.byTypeRegion.contains(key)) {
                refuse(QStringLiteral("a second row for %1 in %2 (line %3)")
                           .arg(row.type, row.region)
                           .arg(into.rows.at(into.byTypeRegion.value(key)).line));
                continue;
            }
            into.byTypeRegion.insert(key, index);
            if (!into.firstByType.contains(normalise(provider, row.type)))
                into.firstByType.insert(normalise(provider, row.type), index);
        }
        if (!into.regionOrder.contains(row.region))
            into.regionOrder << row.region;
        into.rows.append(row);
    }
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

QString PriceCatalog::gceAcceleratorName(const QString &acceleratorTypeOrModel)
{
    const QString t = lastSegment(acceleratorTypeOrModel.trimmed());
    for (const GceAccelerator &a : kGceAccelerators)
        if (t.compare(QLatin1String(a.type), Qt::CaseInsensitive) == 0 || t.compare(QLatin1String(a.name), Qt::CaseInsensitive) == 0
            || t.compare(QLatin1String(a.model), Qt::CaseInsensitive) == 0)
            return QString::fromLatin1(a.name);
    return {};
}

QString PriceCatalog::gceAcceleratorType(const QString &catalogName)
{
    for (const GceAccelerator &a : kGceAccelerators)
        if (catalogName.compare(QLatin1String(a.name), Qt::CaseInsensitive) == 0)
            return QString::fromLatin1(a.type);
    return {};
}

GpuInfo PriceCatalog::gceBuiltInGpus(const QString &machineType)
{
    // https://cloud.google.com/compute/docs/accelerator-optimized-machines: A2 Standard
    // a2-highgpu-{1,2,4,8}g and a2-megagpu-16g carry that many A100 40GB, A2 Ultra a2-ultragpu-Ng
    // A100 80GB, A3 a3-highgpu-Ng H100 80GB and a3-megagpu-8g eight H100 Mega; G2 g2-standard-4, 8,
    // 12, 16 and 32 one L4, g2-standard-24 two, -48 four, -96 eight.
    const QString t = lastSegment(machineType.trimmed()).toLower();
    static const QRegularExpression gpuSuffix(QStringLiteral("^(a2-highgpu|a2-megagpu|a2-ultragpu|a3-highgpu|a3-megagpu)-(\\d+)g$"));
    if (const auto m = gpuSuffix.match(t); m.hasMatch()) {
        const QString family = m.captured(1);
        const int n = m.captured(2).toInt();
        if (family == QLatin1String("a2-ultragpu"))
            return {n, QStringLiteral("A100-80GB")};
        if (family == QLatin1String("a3-highgpu"))
            return {n, QStringLiteral("H100")};
        if (family == QLatin1String("a3-megagpu"))
            return {n, QStringLiteral("H100-MEGA")};
        return {n, QStringLiteral("A100")};
    }
    static const QHash<QString, int> g2{{QStringLiteral("g2-standard-4"), 1},  {QStringLiteral("g2-standard-8"), 1},
                                        {QStringLiteral("g2-standard-12"), 1}, {QStringLiteral("g2-standard-16"), 1},
                                        {QStringLiteral("g2-standard-32"), 1}, {QStringLiteral("g2-standard-24"), 2},
                                        {QStringLiteral("g2-standard-48"), 4}, {QStringLiteral("g2-standard-96"), 8}};
    if (const int n = g2.value(t); n > 0)
        return {n, QStringLiteral("L4")};
    return {};
}

std::optional<PriceQuote> PriceCatalog::quote(const QString &provider, const QString &regionOrZone,
                                              const QString &machineType, bool spot, const GpuInfo &accelerators,
                                              QString *missing) const
{
    const QString region = regionOf(provider, regionOrZone);
    const QString shownType = lastSegment(machineType.trimmed());
    auto none = [&](const QString &why) -> std::optional<PriceQuote> {
        if (missing)
            *missing = why;
        return std::nullopt;
    };
    const QString kind = spot ? QStringLiteral("spot price") : QStringLiteral("price");
    const auto pit = m_providers.constFind(provider);
    if (pit == m_providers.constEnd() || shownType.isEmpty())
        return none(QStringLiteral("no %1 in the catalog for %2 in %3").arg(kind, shownType, region));
    const Provider &p = *pit;
    const int machine = p.byTypeRegion.value(normalise(provider, machineType) + QLatin1Char('|') + region, -1);
    if (machine < 0)
        return none(QStringLiteral("no %1 in the catalog for %2 in %3").arg(kind, shownType, region));
    PriceQuote q;
    q.provider = provider;
    q.type = p.rows.at(machine).type;
    q.region = region;
    q.spot = spot;
    q.source = p.source;
    q.rows << p.rows.at(machine);
    q.gpu = p.rows.at(machine).gpu;
    if (provider == QLatin1String("gcp")) {
        // Compute Engine prices GPUs apart: the machine's row plus the GPU-only row of the same
        // accelerator and count (built into A2/A3/G2, attached to N1).
        GpuInfo gpus = gceBuiltInGpus(machineType);
        if (gpus.count == 0 && accelerators.count > 0) {
            const QString name = gceAcceleratorName(accelerators.model);
            if (name.isEmpty())
                return none(QStringLiteral("no %1 in the catalog for the accelerator %2").arg(kind, lastSegment(accelerators.model)));
            gpus = GpuInfo{accelerators.count, name};
        }
        if (gpus.count > 0) {
            const int accel = p.acceleratorByKey.value(
                QStringLiteral("%1|%2|%3").arg(gpus.model.toLower()).arg(gpus.count).arg(region), -1);
            if (accel < 0)
                return none(QStringLiteral("no %1 in the catalog for %2 with %3 × %4 in %5")
                                .arg(kind, shownType)
                                .arg(gpus.count)
                                .arg(gpus.model, region));
            q.rows << p.rows.at(accel);
            q.gpu = gpus;
        }
    }
    double sum = 0;
    int decimals = 0;
    for (const PriceRow &r : std::as_const(q.rows)) {
        const std::optional<double> v = spot ? r.spot : r.onDemand;
        if (!v)
            return none(QStringLiteral("no %1 in the catalog for %2 in %3 (%4 line %5 has none)")
                            .arg(kind, rowWhat(r), region, p.source.file)
                            .arg(r.line));
        sum += *v;
        decimals = std::max(decimals, decimalsOf(spot ? r.spotText : r.onDemandText));
    }
    q.perHour = sum;
    q.perHourText = q.rows.size() == 1 ? (spot ? q.rows.first().spotText : q.rows.first().onDemandText)
                                       : QString::number(sum, 'f', decimals);
    return q;
}

std::optional<double> PriceCatalog::price(const QString &provider, const QString &regionOrZone, const QString &machineType,
                                          bool spot, const GpuInfo &accelerators) const
{
    const std::optional<PriceQuote> q = quote(provider, regionOrZone, machineType, spot, accelerators);
    return q ? std::optional<double>(q->perHour) : std::nullopt;
}

PriceRow PriceCatalog::machineRow(const QString &provider, const QString &machineType, const QString &regionOrZone) const
{
    const auto pit = m_providers.constFind(provider);
    if (pit == m_providers.constEnd())
        return {};
    int i = pit->byTypeRegion.value(normalise(provider, machineType) + QLatin1Char('|') + regionOf(provider, regionOrZone), -1);
    if (i < 0)
        i = pit->firstByType.value(normalise(provider, machineType), -1);
    return i < 0 ? PriceRow{} : pit->rows.at(i);
}

GpuInfo PriceCatalog::gpu(const QString &provider, const QString &machineType) const
{
    const PriceRow row = machineRow(provider, machineType);
    if (row.gpu.count > 0)
        return row.gpu;
    if (provider == QLatin1String("gcp"))
        return gceBuiltInGpus(machineType);
    return {};
}

QList<PriceCatalog::Machine> PriceCatalog::machines(const QString &provider) const
{
    QList<Machine> out;
    const auto pit = m_providers.constFind(provider);
    if (pit == m_providers.constEnd())
        return out;
    for (int i = 0; i < pit->rows.size(); ++i) {
        const PriceRow &r = pit->rows.at(i);
        if (r.isAccelerator() || pit->firstByType.value(normalise(provider, r.type)) != i)
            continue;
        Machine m;
        m.type = r.type;
        m.vcpus = r.vcpus;
        m.memoryGiB = r.memoryGiB;
        m.gpu = gpu(provider, r.type);
        m.gpuMemoryMiB = r.gpuMemoryMiB;
        out.append(m);
    }
    return out;
}

QStringList PriceCatalog::acceleratorTypes(const QString &provider) const
{
    QStringList out;
    if (provider != QLatin1String("gcp"))
        return out;
    for (const PriceRow &r : m_providers.value(provider).rows) {
        if (!r.isAccelerator())
            continue;
        for (const GceAccelerator &a : kGceAccelerators)
            if (a.n1 && r.gpu.model.compare(QLatin1String(a.name), Qt::CaseInsensitive) == 0
                && !out.contains(QLatin1String(a.type)))
                out << QString::fromLatin1(a.type);
    }
    return out;
}

QStringList PriceCatalog::regions(const QString &provider) const
{
    return m_providers.value(provider).regionOrder;
}

QList<PriceRow> PriceCatalog::rows(const QString &provider) const
{
    return m_providers.value(provider).rows;
}

} // namespace skydeck
