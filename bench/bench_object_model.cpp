// ObjectListModel at 1,000,000 objects: memory, time to first rows, time to the whole listing,
// and the worst UI-thread stall while the rows stream in (an event-loop latency probe: a 1 ms
// timer whose late ticks are the stalls), with a QTreeView showing the model as in the browser.
// Also the cost of sorting and filtering all rows at once.
//   cmake -DSKYDECK_BUILD_BENCH=ON ... && QT_QPA_PLATFORM=offscreen bench_object_model [count]
#include "../tests/gui/buckets/FakeStorageClient.h"

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
#include <ctime>

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
qint64 threadCpuNs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}
double mb(qint64 b)
{
    return double(b) / (1024.0 * 1024.0);
}

// Measures how late a 1 ms timer fires: the worst lateness is the longest time the UI thread
// could not process events.
class LatencyProbe : public QObject
{
public:
    LatencyProbe()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(1);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            const qint64 cpu = threadCpuNs();
            if (m_last > 0) {
                const qint64 gap = now - m_last;
                m_worst = std::max(m_worst, gap);
                m_worstCpu = std::max(m_worstCpu, cpu - m_lastCpu);
                if (cpu - m_lastCpu > 16'000'000)
                    ++m_cpuOver16;
                if (gap > 16'000'000)
                    ++m_over16;
                ++m_ticks;
            }
            m_last = now;
            m_lastCpu = cpu;
        });
    }
    void start()
    {
        m_clock.start();
        m_last = 0;
        m_worst = 0;
        m_over16 = 0;
        m_ticks = 0;
        m_worstCpu = 0;
        m_cpuOver16 = 0;
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    double worstMs() const { return double(m_worst) / 1e6; }
    // The UI thread's own CPU time between two ticks: the stall our code causes, without the time
    // the scheduler gave other processes (a loaded 2-core machine adds that to the wall clock).
    double worstCpuMs() const { return double(m_worstCpu) / 1e6; }
    int cpuOver16() const { return m_cpuOver16; }
    int over16() const { return m_over16; }
    int ticks() const { return m_ticks; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    qint64 m_worst = 0;
    qint64 m_lastCpu = 0;
    qint64 m_worstCpu = 0;
    int m_cpuOver16 = 0;
    int m_over16 = 0;
    int m_ticks = 0;
};
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
    LatencyProbe probe;
    QElapsedTimer clock;
    qint64 firstRowsMs = -1;
    QObject::connect(&model, &QAbstractItemModel::rowsInserted, &model, [&] {
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
    std::printf("whole listing streamed in: %lld ms (%d list calls)\n", totalMs, client->listCalls());
    std::printf("worst UI-thread stall:     %.1f ms (probe ticks %d, %d over 16 ms)\n", probe.worstMs(),
                probe.ticks(), probe.over16());
    std::printf("worst UI-thread busy slice: %.1f ms of its own CPU between ticks (%d over 16 ms)\n",
                probe.worstCpuMs(), probe.cpuOver16());
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
