// The VMs pane's listing bench (issue 4): 1,000 instances over 10 regions of one EC2 account
// (moto on loopback, seeded by bench/instances_bench.sh). Measures
//  - each populated region listed alone by the EC2 client (the slowest is the yardstick),
//  - the InstanceModel's whole refresh (DescribeRegions, then every region's pages in parallel),
//    against the slowest region: aim total <= 1.2x,
//  - the time from the first page's arrival on the UI thread to the first paint of the table
//    with rows in it: aim < 300 ms.
// Usage: bench_instances --endpoint http://127.0.0.1:PORT --regions r1,r2,... [--runs 5]
#include "AccountRegistry.h"
#include "AwsProvider.h"
#include "Ec2Client.h"
#include "InstanceFilterProxy.h"
#include "InstanceModel.h"
#include "ProviderWorker.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEvent>
#include <QTableView>
#include <QTextStream>
#include <QSet>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace skydeck;

namespace {

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

class PaintWatch : public QObject
{
public:
    PaintWatch(QAbstractItemModel *model, QElapsedTimer *clock) : m_model(model), m_clock(clock) {}
    qint64 firstRowsPaintNs = -1;

protected:
    bool eventFilter(QObject *o, QEvent *e) override
    {
        if (e->type() == QEvent::Paint && firstRowsPaintNs < 0 && m_model->rowCount() > 0)
            firstRowsPaintNs = m_clock->nsecsElapsed();
        return QObject::eventFilter(o, e);
    }

private:
    QAbstractItemModel *m_model;
    QElapsedTimer *m_clock;
};

// Lists one region alone (every page) with a pinned client; milliseconds.
double listRegionAlone(ProviderWorker *worker, const QString &endpoint, const QString &region, int *count)
{
    aws::Ec2Config cfg;
    cfg.endpoint = QUrl(endpoint);
    cfg.region = region;
    cfg.regionPinned = true;
    cfg.credentials.accessKeyId = QStringLiteral("testing");
    cfg.credentials.secretAccessKey = QStringLiteral("testing");
    cfg.accountId = QStringLiteral("bench");
    aws::Ec2Client *client = worker->create<aws::Ec2Client>(std::function<aws::Ec2Client *()>([&] { return new aws::Ec2Client(cfg, worker->context()); }));
    QElapsedTimer t;
    t.start();
    QString token;
    *count = 0;
    do {
        Result<InstancePage> page = waitFor(worker->run<InstancePage>([client, region, token](const CancelToken &c, Callback<InstancePage> d) {
            client->listInstances(region, token, c, d);
        }));
        if (!page) {
            std::fprintf(stderr, "listing %s failed: %s\n", qPrintable(region), qPrintable(page.error().toString()));
            return -1;
        }
        *count += int(page->instances.size());
        token = page->nextPageToken;
    } while (!token.isEmpty());
    const double ms = t.nsecsElapsed() / 1e6;
    QMetaObject::invokeMethod(worker->context(), [client] { delete client; }, Qt::BlockingQueuedConnection);
    return ms;
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        qputenv("QT_LOGGING_RULES", "skydeck.*.debug=false");
    QApplication app(argc, argv);
    QCommandLineParser p;
    p.addOptions({{QStringLiteral("endpoint"), QStringLiteral("moto's URL"), QStringLiteral("URL")},
                  {QStringLiteral("regions"), QStringLiteral("the populated regions, comma-separated"), QStringLiteral("LIST")},
                  {QStringLiteral("runs"), QStringLiteral("runs (default 5)"), QStringLiteral("N"), QStringLiteral("5")}});
    p.process(app);
    const QString endpoint = p.value(QStringLiteral("endpoint"));
    const QStringList regions = p.value(QStringLiteral("regions")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    const int runs = std::max(1, p.value(QStringLiteral("runs")).toInt());
    if (endpoint.isEmpty() || regions.isEmpty()) {
        std::fprintf(stderr, "usage: bench_instances --endpoint URL --regions r1,r2,...\n");
        return 2;
    }
    aws::registerProviders();

    QTextStream out(stdout);
    // 1. Each region alone (after one warm-up listing of the first).
    ProviderWorker solo(QStringLiteral("bench-solo"));
    int n = 0;
    listRegionAlone(&solo, endpoint, regions.first(), &n);
    std::vector<double> slowestPerRun, sumPerRun;
    int total = 0;
    for (int r = 0; r < runs; ++r) {
        double slowest = 0, sum = 0;
        total = 0;
        for (const QString &region : regions) {
            const double ms = listRegionAlone(&solo, endpoint, region, &n);
            if (ms < 0)
                return 1;
            total += n;
            slowest = std::max(slowest, ms);
            sum += ms;
        }
        slowestPerRun.push_back(slowest);
        sumPerRun.push_back(sum);
    }
    const double slowest = median(slowestPerRun);
    out << "instances: " << total << " over " << regions.size() << " regions\n";
    out << "slowest region alone (median of " << runs << "): " << QString::number(slowest, 'f', 1) << " ms; all "
        << regions.size() << " one after another: " << QString::number(median(sumPerRun), 'f', 1) << " ms\n";

    // 2. The model's refresh in a shown table.
    Account a;
    a.id = QStringLiteral("aws:bench");
    a.provider = QStringLiteral("aws");
    a.displayName = QStringLiteral("bench");
    a.settings = {{QStringLiteral("ec2Endpoint"), endpoint}, {QStringLiteral("region"), regions.first()},
                  {QStringLiteral("accessKeyId"), QStringLiteral("testing")}};
    a.secrets = {{QStringLiteral("secretAccessKey"), QStringLiteral("testing")}};
    std::vector<double> totals, firstRows, scopesMs;
    int rows = 0, scopes = 0;
    for (int r = 0; r < runs + 1; ++r) {  // run 0 warms the client (DescribeInstanceTypes cache)
        AccountRegistry registry;
        registry.addAccount(a);
        registry.compute(a.id);  // built before the clock starts
        ui::InstanceModel model(&registry);
        ui::InstanceFilterProxy proxy;
        proxy.setSourceModel(&model);
        QTableView view;
        view.setModel(&proxy);
        view.setSortingEnabled(true);
        view.resize(1400, 800);
        view.show();
        QElapsedTimer clock;
        PaintWatch watch(&proxy, &clock);
        view.viewport()->installEventFilter(&watch);
        qint64 firstPageNs = -1, lastPageNs = -1;
        QSet<QString> seenScopes;
        QObject::connect(&model, &ui::InstanceModel::pageArrived, &model,
                         [&](const QString &, const QString &scope, int count) {
                             seenScopes.insert(scope);
                             if (count > 0 && firstPageNs < 0)
                                 firstPageNs = clock.nsecsElapsed();
                             lastPageNs = clock.nsecsElapsed();
                         });
        QEventLoop loop;
        QObject::connect(&model, &ui::InstanceModel::refreshFinished, &loop, &QEventLoop::quit);
        clock.start();
        model.refresh();
        loop.exec();
        const double totalMs = clock.nsecsElapsed() / 1e6;
        // Let the last paint happen.
        QTimer::singleShot(50, &loop, &QEventLoop::quit);
        loop.exec();
        rows = model.rowCount();
        scopes = int(seenScopes.size());
        if (!model.accountErrors().isEmpty())
            std::fprintf(stderr, "errors: %s\n", qPrintable(model.accountErrors().begin().value().toString()));
        if (r == 0)
            continue;
        totals.push_back(totalMs);
        firstRows.push_back(watch.firstRowsPaintNs >= 0 && firstPageNs >= 0 ? (watch.firstRowsPaintNs - firstPageNs) / 1e6 : -1);
        scopesMs.push_back(lastPageNs / 1e6);
    }
    const double totalMed = median(totals);
    out << "model rows: " << rows << " (" << scopes << " regions listed, DescribeRegions first)\n";
    out << "model refresh total (median): " << QString::number(totalMed, 'f', 1) << " ms = "
        << QString::number(totalMed / slowest, 'f', 2) << "x the slowest region alone (aim <= 1.2x), "
        << QString::number(totalMed / median(sumPerRun), 'f', 2) << "x the regions one after another\n";
    out << "first rows painted after the first page arrived (median): " << QString::number(median(firstRows), 'f', 1)
        << " ms (aim < 300 ms); worst " << QString::number(*std::max_element(firstRows.begin(), firstRows.end()), 'f', 1)
        << " ms\n";
    out << "runs:";
    for (size_t i = 0; i < totals.size(); ++i)
        out << " " << QString::number(totals[i], 'f', 0) << "/" << QString::number(firstRows[i], 'f', 1);
    out << " (total ms / first rows ms)\n";
    out.flush();
    return 0;
}
