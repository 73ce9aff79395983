// ObjectListModel at 1,000,000 objects: memory, time to first rows, time to the whole listing,
// and the worst UI-thread stall while the rows stream in (an event-loop latency probe: a 1 ms
// timer whose late ticks are the stalls), with a QTreeView showing the model as in the browser.
// Also the cost of sorting and filtering all rows at once.
//   cmake -DSKYDECK_BUILD_BENCH=ON ... && QT_QPA_PLATFORM=offscreen bench_object_model [count]
#include "../tests/gui/buckets/FakeStorageClient.h"
#include "LatencyProbe.h"

#include "ObjectListModel.h"
#include "ProviderWorker.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QHeaderView>
#include <QScrollBar>
#include <QTimer>
#include <QTableView>
#include <QTreeView>

#include <malloc.h>

#include <cstdio>

using namespace skydeck;

namespace {
qint64 rssBytes()
{
    QFile f(QStringLiteral("/proc/self/statm"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> parts = f.readAll().split(' ');
    return parts.size() > 1 ? parts[1].toLongLong() * 4096 : -1;
}
qint64 heapBytes()
{
    const struct mallinfo2 mi = mallinfo2();
    return qint64(mi.uordblks + mi.hblkhd);
}
double mb(qint64 b)
{
    return double(b) / (1024.0 * 1024.0);
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    const qint64 count = argc > 1 ? QByteArray(argv[1]).toLongLong() : 1000000;

    ProviderWorker worker(QStringLiteral("bench"));
    auto *client = worker.create<test::FakeStorageClient>([&] { return new test::FakeStorageClient(worker.context()); });
    client->setGenerated(QStringLiteral("big"), QStringLiteral("data/2024/"), count);

    ui::ObjectListModel model;
    model.setSource(&worker, client, QStringLiteral("bench"));
    // argv[2]: "table" (QTableView, as the browser uses; default), "tree" (QTreeView), "none" (model alone).
    const QByteArray viewKind = argc > 2 ? QByteArray(argv[2]) : QByteArray("table");
    std::unique_ptr<QAbstractItemView> viewPtr;
    if (viewKind == "table") {
        auto *tv = new QTableView;
        tv->verticalHeader()->hide();
        tv->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
        tv->setShowGrid(false);
        tv->setSortingEnabled(true);
        viewPtr.reset(tv);
    } else {
        auto *tv = new QTreeView;
        tv->setRootIsDecorated(false);
        tv->setUniformRowHeights(true);
        tv->setSortingEnabled(true);
        viewPtr.reset(tv);
    }
    QAbstractItemView &view = *viewPtr;
    if (viewKind != "none") {
        view.setModel(&model);
        view.resize(1200, 800);
        view.show();
    }
    std::printf("view: %s\n", viewKind.constData());
    QCoreApplication::processEvents();

    malloc_trim(0);
    const qint64 heap0 = heapBytes();
    const qint64 rss0 = rssBytes();
    bench::LatencyProbe probe;
    QElapsedTimer clock;
    qint64 firstRowsMs = -1;
    // The UI thread's CPU from beginInsertRows to after the view handled rowsInserted, per batch.
    qint64 batchStart = 0, worstBatchNs = 0, batches = 0, worstBatchRows = 0;
    QObject::connect(&model, &QAbstractItemModel::rowsAboutToBeInserted, &model,
                     [&] { batchStart = bench::threadCpuNs(); });
    QObject::connect(&model, &QAbstractItemModel::rowsInserted, &model, [&](const QModelIndex &, int first, int last) {
        ++batches;
        if (bench::threadCpuNs() - batchStart > worstBatchNs) {
            worstBatchNs = bench::threadCpuNs() - batchStart;
            worstBatchRows = last - first + 1;
        }
        if (firstRowsMs < 0)
            firstRowsMs = clock.elapsed();
    });
    // Scroll to the end now and then while streaming, as a user would.
    QTimer scroller;
    QObject::connect(&scroller, &QTimer::timeout, &view, [&] {
        view.verticalScrollBar()->setValue(view.verticalScrollBar()->maximum());
    });
    probe.start();
    clock.start();
    scroller.start(100);
    model.setLocation(QStringLiteral("big"), QStringLiteral("data/2024/"));
    QEventLoop loop;
    QObject::connect(&model, &ui::ObjectListModel::completed, &loop, &QEventLoop::quit);
    loop.exec();
    const qint64 totalMs = clock.elapsed();
    scroller.stop();
    probe.stop();
    malloc_trim(0);
    const qint64 heap1 = heapBytes();
    const qint64 rss1 = rssBytes();

    std::printf("objects listed:            %lld (rows %d)\n", count, model.rowCount());
    std::printf("first rows after:          %lld ms\n", firstRowsMs);
    std::printf("row batches:               %lld, worst %.1f ms of UI-thread CPU (%lld rows)\n", batches,
                double(worstBatchNs) / 1e6, worstBatchRows);
    std::printf("whole listing streamed in: %lld ms (%d list calls)\n", totalMs, client->listCalls());
    std::printf("worst UI-thread stall:     %.1f ms, p99 %.2f ms (probe ticks %d, %d over 16 ms)\n", probe.worstMs(),
                probe.quantileMs(0.99), probe.ticks(), probe.over(16'000'000));
    std::printf("worst UI-thread busy slice: %.1f ms of its own CPU between ticks (%d over 16 ms)\n",
                probe.worstCpuMs(), probe.over(16'000'000, true));
    std::printf("model's own accounting:    %.1f MB\n", mb(qint64(model.memoryUsage())));
    std::printf("heap growth (model+view):  %.1f MB\n", mb(heap1 - heap0));
    std::printf("RSS growth:                %.1f MB (RSS now %.1f MB)\n", mb(rss1 - rss0), mb(rss1));

    // One-off operations on all rows (each a single UI-thread stall).
    QElapsedTimer t;
    t.start();
    model.sort(ui::ObjectListModel::SizeColumn, Qt::DescendingOrder);
    std::printf("sort 1M by size:           %lld ms\n", t.elapsed());
    t.restart();
    model.sort(ui::ObjectListModel::NameColumn, Qt::AscendingOrder);
    std::printf("sort 1M back by name:      %lld ms\n", t.elapsed());
    t.restart();
    model.setSubstringFilter(QStringLiteral("77"));
    std::printf("substring filter on 1M:    %lld ms (%d rows match)\n", t.elapsed(), model.rowCount());
    t.restart();
    model.setSubstringFilter(QString());
    std::printf("filter cleared:            %lld ms\n", t.elapsed());
    return 0;
}
