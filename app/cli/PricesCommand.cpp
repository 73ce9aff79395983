#include "PricesCommand.h"

#include "ExitCode.h"

#include "PriceCatalog.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace skydeck::cli {

namespace {

struct Line {
    QString provider;
    PriceRow row;  // the machine's row (or the GPU-only row)
    std::optional<PriceQuote> onDemand;
    std::optional<PriceQuote> spot;
};

QString gpuText(const GpuInfo &g, qint64 memoryMiB)
{
    if (g.count <= 0)
        return QStringLiteral("-");
    QString s = QStringLiteral("%1 x %2").arg(g.count).arg(g.model);
    if (memoryMiB > 0)
        s += QStringLiteral(" (%1 GiB)").arg(double(memoryMiB) / 1024.0, 0, 'g', 4);
    return s;
}

QList<int> linesOf(const Line &l)
{
    const std::optional<PriceQuote> &q = l.onDemand ? l.onDemand : l.spot;
    QList<int> lines;
    if (q)
        for (const PriceRow &r : q->rows)
            lines << r.line;
    else
        lines << l.row.line;
    return lines;
}

QString sourceText(const Line &l, const PriceSource &source)
{
    QStringList lines;
    for (int n : linesOf(l))
        lines << QString::number(n);
    return QStringLiteral("%1:%2 %3@%4").arg(source.file, lines.join(QLatin1Char('+')), source.path, source.commit.left(12));
}

bool typeMatches(const QString &provider, const QString &asked, const QString &type)
{
    auto norm = [&provider](QString t) {
        t = t.trimmed().toLower();
        if (provider == QLatin1String("azure") && t.startsWith(QLatin1String("standard_")))
            t = t.mid(9);
        return t;
    };
    return norm(asked) == norm(type);
}

} // namespace

int runPrices(const Invocation &inv, Output &out)
{
    return runPrices(inv, out, PriceCatalog::shipped());
}

int runPrices(const Invocation &inv, Output &out, const PriceCatalog &catalog)
{
    const QStringList types = inv.args;
    QStringList providers = catalog.providers();
    if (!inv.provider.isEmpty())
        providers = providers.contains(inv.provider) ? QStringList{inv.provider} : QStringList{};
    for (const QString &problem : catalog.problems())
        out.error(QStringLiteral("price catalog: ") + problem);

    QList<Line> lines;
    QList<bool> found(types.size(), false);
    for (const QString &p : std::as_const(providers)) {
        const QString region = inv.region.isEmpty() ? QString() : PriceCatalog::regionOf(p, inv.region);
        for (const PriceRow &row : catalog.rows(p)) {
            if (!region.isEmpty() && row.region != region)
                continue;
            if (row.isAccelerator()) {
                if (!types.isEmpty())
                    continue;
            } else if (!types.isEmpty()) {
                bool wanted = false;
                for (qsizetype i = 0; i < types.size(); ++i)
                    if (typeMatches(p, types.at(i), row.type))
                        wanted = found[i] = true;
                if (!wanted)
                    continue;
            }
            Line l;
            l.provider = p;
            l.row = row;
            if (!row.isAccelerator()) {
                l.onDemand = catalog.quote(p, row.region, row.type, false);
                l.spot = catalog.quote(p, row.region, row.type, true);
            }
            lines.append(l);
        }
    }

    int code = ExitOk;
    for (qsizetype i = 0; i < types.size(); ++i) {
        if (found.at(i))
            continue;
        out.error(inv.region.isEmpty() ? QStringLiteral("no price in the catalog for %1").arg(types.at(i))
                                       : QStringLiteral("no price in the catalog for %1 in %2").arg(types.at(i), inv.region));
        code = ExitNotFound;
    }
    if (types.isEmpty() && lines.isEmpty()) {
        out.error(QStringLiteral("no price in the catalog%1%2")
                      .arg(inv.provider.isEmpty() ? QString() : QStringLiteral(" for ") + inv.provider,
                           inv.region.isEmpty() ? QString() : QStringLiteral(" in ") + inv.region));
        code = ExitNotFound;
    }

    auto onDemandText = [](const Line &l) {
        if (l.row.isAccelerator())
            return l.row.onDemandText.isEmpty() ? QStringLiteral("-") : l.row.onDemandText;
        return l.onDemand ? l.onDemand->perHourText : QStringLiteral("-");
    };
    auto spotText = [](const Line &l) {
        if (l.row.isAccelerator())
            return l.row.spotText.isEmpty() ? QStringLiteral("-") : l.row.spotText;
        return l.spot ? l.spot->perHourText : QStringLiteral("-");
    };
    auto memoryOf = [](const Line &l) {  // per GPU: the row's GpuInfo, or the GPU-only row's
        const std::optional<PriceQuote> &q = l.onDemand ? l.onDemand : l.spot;
        return l.row.gpuMemoryMiB > 0 || !q ? l.row.gpuMemoryMiB : q->rows.last().gpuMemoryMiB;
    };
    auto gpuOf = [&catalog](const Line &l) {
        if (l.row.isAccelerator())
            return l.row.gpu;
        if (l.onDemand)
            return l.onDemand->gpu;
        return catalog.gpu(l.provider, l.row.type);
    };

    if (inv.json) {
        QJsonArray array;
        for (const Line &l : std::as_const(lines)) {
            const PriceSource source = catalog.source(l.provider);
            const GpuInfo g = gpuOf(l);
            QJsonArray lineNumbers;
            for (int n : linesOf(l))
                lineNumbers.append(n);
            auto number = [](const QString &text) { return text == QLatin1String("-") ? QJsonValue() : QJsonValue(text.toDouble()); };
            array.append(QJsonObject{
                {QStringLiteral("provider"), l.provider},
                {QStringLiteral("kind"), l.row.isAccelerator() ? QStringLiteral("gpu") : QStringLiteral("machine")},
                {QStringLiteral("type"), l.row.type},
                {QStringLiteral("region"), l.row.region},
                {QStringLiteral("gpu"), QJsonObject{{QStringLiteral("count"), g.count}, {QStringLiteral("model"), g.model},
                                                    {QStringLiteral("memoryMiB"), memoryOf(l)}}},
                {QStringLiteral("vcpus"), l.row.vcpus},
                {QStringLiteral("memoryGiB"), l.row.memoryGiB},
                {QStringLiteral("onDemand"), number(onDemandText(l))},
                {QStringLiteral("onDemandText"), onDemandText(l)},
                {QStringLiteral("spot"), number(spotText(l))},
                {QStringLiteral("spotText"), spotText(l)},
                {QStringLiteral("source"), QJsonObject{{QStringLiteral("file"), source.file},
                                                       {QStringLiteral("lines"), lineNumbers},
                                                       {QStringLiteral("repository"), source.repository},
                                                       {QStringLiteral("path"), source.path},
                                                       {QStringLiteral("commit"), source.commit},
                                                       {QStringLiteral("note"), QStringLiteral("list price snapshot, date unknown")}}},
            });
        }
        out.text(QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Indented)));
        return code;
    }
    if (lines.isEmpty())
        return code;
    QList<QStringList> rows;
    rows.append({QStringLiteral("PROVIDER"), QStringLiteral("TYPE"), QStringLiteral("REGION"), QStringLiteral("GPUS"),
                 QStringLiteral("ON-DEMAND $/H"), QStringLiteral("SPOT $/H"), QStringLiteral("SOURCE")});
    for (const Line &l : std::as_const(lines))
        rows.append({l.provider, l.row.isAccelerator() ? QStringLiteral("(GPU only)") : l.row.type, l.row.region,
                     gpuText(gpuOf(l), memoryOf(l)), onDemandText(l), spotText(l),
                     sourceText(l, catalog.source(l.provider))});
    QList<qsizetype> widths(rows.first().size(), 0);
    for (const QStringList &r : std::as_const(rows))
        for (qsizetype i = 0; i < r.size(); ++i)
            widths[i] = std::max(widths[i], r.at(i).size());
    for (const QStringList &r : std::as_const(rows)) {
        QString text;
        for (qsizetype i = 0; i < r.size(); ++i)
            text += i + 1 == r.size() ? r.at(i) : r.at(i).leftJustified(widths.at(i) + 2);
        out.line(text);
    }
    return code;
}

} // namespace skydeck::cli
