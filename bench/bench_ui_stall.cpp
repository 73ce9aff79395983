// UI-thread stalls of the real main window against an S3 endpoint (s3rver on loopback): the bucket
// browser lists a large prefix while the TransferEngine uploads or downloads a big file, and a 1 ms
// timer on the UI thread measures how late the event loop answers (max gap, p99, gaps over 16 ms).
//   bench_ui_stall LIST_BUCKET LIST_PREFIX up|down|updown|none LOCAL_FILE BUCKET KEY
// The endpoint comes from SKYDECK_TEST_S3_ENDPOINT (scripts/peers.sh); credentials S3RVER/S3RVER.
// "up" uploads LOCAL_FILE to BUCKET/KEY; "down" downloads BUCKET/KEY to LOCAL_FILE; "updown"
// uploads, then downloads the object back to LOCAL_FILE.down (s3rver lists a 100,000-key folder
// slowly, so both transfers overlap the listing).
// Run with QT_QPA_PLATFORM=offscreen. bench/s3_bench.sh runs it after the CLI benchmarks.
#include "LatencyProbe.h"

#include "AccountRegistry.h"
#include "AwsProvider.h"
#include "BucketBrowser.h"
#include "MainWindow.h"
#include "ObjectListModel.h"
#include "TransferEngine.h"

#include <QApplication>
#include <QScrollBar>
#include <QTableView>
#include <QTemporaryDir>

#include <cstdio>

using namespace skydeck;

namespace {
const QString kAccount = QStringLiteral("bench:s3");

Account s3Account(const QString &endpoint)
{
    Account a;
    a.id = kAccount;
    a.provider = QStringLiteral("aws");
    a.displayName = QStringLiteral("s3rver");
    a.settings = {{QStringLiteral("endpoint"), endpoint},
                  {QStringLiteral("region"), QStringLiteral("us-east-1")},
                  {QStringLiteral("addressingStyle"), QStringLiteral("path")},
                  {QStringLiteral("accessKeyId"), QStringLiteral("S3RVER")}};
    a.secrets = {{QStringLiteral("secretAccessKey"), QStringLiteral("S3RVER")}};
    return a;
}
} // namespace

int main(int argc, char **argv)
{
    // Settings of this run go to a throwaway folder, not the user's.
    QTemporaryDir config;
    qputenv("XDG_CONFIG_HOME", config.path().toUtf8());
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("skydeck-bench"));
    const QStringList args = app.arguments();
    const QString endpoint = qEnvironmentVariable("SKYDECK_TEST_S3_ENDPOINT");
    if (args.size() != 7 || endpoint.isEmpty()) {
        std::fprintf(stderr, "usage: SKYDECK_TEST_S3_ENDPOINT=URL bench_ui_stall LIST_BUCKET LIST_PREFIX "
                             "up|down|updown|none LOCAL_FILE BUCKET KEY\n");
        return 2;
    }
    const QString listBucket = args[1], listPrefix = args[2], mode = args[3];

    aws::registerProviders();
    AccountRegistry registry;
    registry.addAccount(s3Account(endpoint));
    TransferEngine engine(&registry);
    gui::MainWindow window(&registry, &engine, nullptr);
    window.resize(1400, 900);
    window.show();
    ui::BucketBrowser *browser = window.browser();
    ui::ObjectListModel *model = browser->model();

    // When things happened, to place the worst gaps (the first and every 10th row batch).
    QElapsedTimer clock;
    std::vector<std::pair<qint64, const char *>> events;
    int insertBatches = 0;
    QObject::connect(model, &QAbstractItemModel::rowsInserted, model, [&] {
        if (insertBatches++ % 10 == 0)
            events.emplace_back(clock.elapsed(), "rows");
    });
    int changedSignals = 0, totalsSignals = 0;
    QObject::connect(&engine, &TransferEngine::transferChanged, &engine, [&] { ++changedSignals; });
    QObject::connect(&engine, &TransferEngine::totalsChanged, &engine, [&] { ++totalsSignals; });

    // Let the window settle (account tree, bucket list) before measuring.
    QElapsedTimer settle;
    settle.start();
    while (settle.elapsed() < 1500)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);

    bench::LatencyProbe probe;
    qint64 listMs = -1, transferMs = mode == QLatin1String("none") ? 0 : -1, upMs = -1;
    bool transferOk = true;
    QEventLoop loop;
    auto maybeQuit = [&] {
        if (listMs >= 0 && transferMs >= 0)
            loop.quit();
    };
    QObject::connect(model, &ui::ObjectListModel::completed, &loop, [&] {
        if (listMs < 0 && browser->bucket() == listBucket) {
            listMs = clock.elapsed();
            events.emplace_back(listMs, "listed");
        }
        maybeQuit();
    });
    TransferSpec spec;
    spec.kind = mode == QLatin1String("down") ? TransferKind::Download : TransferKind::Upload;
    spec.accountId = kAccount;
    spec.bucket = args[5];
    spec.key = args[6];
    spec.localPath = QFileInfo(args[4]).absoluteFilePath();
    QObject::connect(&engine, &TransferEngine::idle, &loop, [&] {
        if (mode == QLatin1String("updown") && upMs < 0) {
            upMs = clock.elapsed();
            events.emplace_back(upMs, "uploaded");
            spec.kind = TransferKind::Download;
            spec.localPath += QStringLiteral(".down");
            engine.enqueue(spec);
            return;
        }
        if (transferMs < 0) {
            transferMs = clock.elapsed();
            events.emplace_back(transferMs, "transferred");
            for (const TransferStatus &s : engine.transfers())
                transferOk = transferOk && s.state == TransferState::Done;
        }
        maybeQuit();
    });
    // Scroll to the end now and then while rows stream in, as a user would.
    QTimer scroller;
    QObject::connect(&scroller, &QTimer::timeout, browser, [&] {
        QScrollBar *bar = browser->view()->verticalScrollBar();
        bar->setValue(bar->maximum());
    });

    probe.start();
    clock.start();
    scroller.start(100);
    qint64 bytes = mode == QLatin1String("none") ? 0 : QFileInfo(spec.localPath).size();
    if (mode == QLatin1String("down"))
        QFile::remove(spec.localPath);  // a fresh download, not a resume
    if (mode != QLatin1String("none"))
        engine.enqueue(spec);
    window.openLocation(kAccount, listBucket, listPrefix);
    QTimer::singleShot(30 * 60 * 1000, &loop, &QEventLoop::quit);  // a hung peer must not hang the bench
    loop.exec();
    probe.stop();
    scroller.stop();
    if (mode == QLatin1String("down"))
        bytes = QFileInfo(spec.localPath).size();
    if (mode == QLatin1String("updown"))
        QFile::remove(spec.localPath);

    std::printf("listing:   %d rows of %s/%s in %lld ms (%d row-insert batches)\n", model->rowCount(),
                qPrintable(listBucket), qPrintable(listPrefix), listMs, insertBatches);
    if (mode != QLatin1String("none"))
        std::printf("transfer:  %s %.0f MiB, done after %lld ms (upload done after %lld ms), %s; %d transferChanged, "
                    "%d totalsChanged\n",
                    qPrintable(mode), double(bytes) / 1048576.0, transferMs, upMs, transferOk ? "all done" : "FAILED",
                    changedSignals, totalsSignals);
    std::printf("probe:     %d ticks; wall gap max %.1f ms, p99 %.2f ms, p99.9 %.2f ms, %d over 16 ms\n",
                probe.ticks(), probe.worstMs(), probe.quantileMs(0.99), probe.quantileMs(0.999),
                probe.over(16'000'000));
    std::printf("UI CPU:    own CPU between ticks max %.1f ms, p99 %.2f ms, %d over 16 ms\n", probe.worstCpuMs(),
                probe.quantileMs(0.99, true), probe.over(16'000'000, true));
    for (const bool cpu : {false, true}) {
        std::printf("worst gaps by %s (at s: wall ms / own CPU ms):", cpu ? "own CPU" : "wall clock");
        for (const auto &g : probe.worst(6, cpu))
            std::printf(" %.2f: %.1f/%.1f;", double(g.atNs) / 1e9, double(g.wallNs) / 1e6, double(g.cpuNs) / 1e6);
        std::printf("\n");
    }
    std::printf("events (s):");
    for (const auto &[at, what] : events)
        std::printf(" %.2f %s;", double(at) / 1000.0, what);
    std::printf("\n");
    const bool listed = listMs >= 0;
    return listed && transferMs >= 0 && transferOk ? 0 : 1;
}
