// ProviderWorker::run, whenDone, waitFor and cancellation through QFuture::cancel().
#include "ProviderWorker.h"
#include "TestMain.h"

#include <QTimer>

#include <atomic>

using namespace skydeck;

class TestProviderWorker : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void runsOnTheWorkerThreadAndAnswers()
    {
        ProviderWorker worker(QStringLiteral("test-worker"));
        QThread *ranOn = nullptr;
        auto future = worker.run<int>([&ranOn](const CancelToken &, Callback<int> done) {
            ranOn = QThread::currentThread();
            done(42);
        });
        const Result<int> r = waitFor(future);
        QVERIFY(r.ok());
        QCOMPARE(r.value(), 42);
        QCOMPARE(ranOn, worker.thread());
        QVERIFY(ranOn != QThread::currentThread());
    }

    void errorsCrossAsErrors()
    {
        ProviderWorker worker(QStringLiteral("test-worker"));
        auto future = worker.run<int>([](const CancelToken &, Callback<int> done) {
            done(Error(Error::Category::NotFound, QStringLiteral("nope"), QStringLiteral("NoSuchKey")));
        });
        const Result<int> r = waitFor(future);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().category(), Error::Category::NotFound);
        QCOMPARE(r.error().code(), QStringLiteral("NoSuchKey"));
    }

    void whenDoneCallsBackOnTheContextThread()
    {
        ProviderWorker worker(QStringLiteral("test-worker"));
        QObject context;
        int calls = 0;
        QThread *calledOn = nullptr;
        // Answers later, from a timer on the worker thread (an asynchronous operation).
        auto future = worker.run<QString>([&worker](const CancelToken &, Callback<QString> done) {
            QTimer::singleShot(20, worker.context(), [done] { done(QStringLiteral("later")); });
        });
        whenDone(future, &context, [&](Result<QString> r) {
            ++calls;
            calledOn = QThread::currentThread();
            QVERIFY(r.ok());
            QCOMPARE(r.value(), QStringLiteral("later"));
        });
        QTRY_COMPARE(calls, 1);
        QCOMPARE(calledOn, QThread::currentThread());
    }

    void futureCancelCancelsTheToken()
    {
        ProviderWorker worker(QStringLiteral("test-worker"));
        QObject context;
        std::atomic_int answered{0};
        std::atomic_bool started{false};
        auto future = worker.run<int>([&](const CancelToken &token, Callback<int> done) {
            started = true;
            // A long operation that answers Cancelled when its token fires.
            token.onCancel(worker.context(), [done, &answered] {
                ++answered;
                done(Error::cancelled());
            });
        });
        int calls = 0;
        Result<int> got;
        whenDone(future, &context, [&](Result<int> r) {
            ++calls;
            got = r;
        });
        QTRY_VERIFY(started.load());
        future.cancel();
        QTRY_COMPARE(calls, 1);
        QCOMPARE(got.error().category(), Error::Category::Cancelled);
        QTRY_COMPARE(answered.load(), 1);
        QVERIFY(future.isCanceled());
    }

    void cancelBeforeTheWorkerRunsIt()
    {
        ProviderWorker worker(QStringLiteral("test-worker"));
        // Block the worker so the job is still queued when cancelled.
        std::atomic_bool release{false};
        QMetaObject::invokeMethod(worker.context(), [&release] {
            while (!release.load())
                QThread::msleep(1);
        });
        std::atomic_bool sawCancelled{false};
        auto future = worker.run<int>([&sawCancelled](const CancelToken &token, Callback<int> done) {
            sawCancelled = token.isCanceled();
            done(token.isCanceled() ? Result<int>(Error::cancelled()) : Result<int>(1));
        });
        future.cancel();
        release = true;
        const Result<int> r = waitFor(future);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().category(), Error::Category::Cancelled);
        QVERIFY(sawCancelled.load());
    }

    void workerDestroyedWithAPendingJobEndsCancelled()
    {
        QFuture<Result<int>> future;
        {
            ProviderWorker worker(QStringLiteral("test-worker"));
            // Never answers by itself: the callback is dropped with the worker.
            future = worker.run<int>([&worker](const CancelToken &, Callback<int> done) {
                auto *holder = new QObject(worker.context());
                QObject::connect(holder, &QObject::destroyed, [] {});
                holder->setProperty("unused", 0);
                auto keep = std::make_shared<Callback<int>>(std::move(done));
                QObject::connect(holder, &QObject::objectNameChanged, holder, [keep] { (*keep)(1); });
            });
            QTRY_VERIFY(future.isStarted());
        }
        const Result<int> r = waitFor(future);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().category(), Error::Category::Cancelled);
    }

    void createBuildsObjectsOnTheWorkerThread()
    {
        ProviderWorker worker(QStringLiteral("test-worker"));
        QObject *obj = worker.create<QObject>([&worker] { return new QObject(worker.context()); });
        QVERIFY(obj);
        QCOMPARE(obj->thread(), worker.thread());
    }
};

SKYDECK_TEST_MAIN(TestProviderWorker)
#include "tst_providerworker.moc"
