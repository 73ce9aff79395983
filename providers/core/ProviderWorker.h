#pragma once

#include "CancelToken.h"
#include "Result.h"

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>
#include <QPointer>
#include <QPromise>
#include <QThread>

#include <functional>
#include <memory>

namespace skydeck {

// A named thread that hosts one account's clients (and their QNetworkAccessManager). Everything a
// provider does happens on it; callers get a QFuture<Result<T>> back.
//
// Contract of run(): fn runs on the worker thread and calls its callback exactly once, on every
// path. QFuture::cancel() on the returned future cancels the token fn was given (the HTTP layer
// aborts the request). A future whose fn never answers (worker destroyed) ends cancelled.
class ProviderWorker : public QObject
{
    Q_OBJECT
public:
    explicit ProviderWorker(const QString &name, QObject *parent = nullptr);
    ~ProviderWorker() override;

    ProviderWorker(const ProviderWorker &) = delete;
    ProviderWorker &operator=(const ProviderWorker &) = delete;

    // Lives on the worker thread: parent the worker's clients to it. Deleted (on the worker thread)
    // before the thread is joined.
    QObject *context() const { return m_context; }
    QThread *thread() const { return m_thread; }
    bool isWorkerThread() const { return QThread::currentThread() == m_thread; }

    // Constructs an object on the worker thread (factory runs there; blocks the caller for the few
    // microseconds construction takes). Parent it to context() inside the factory.
    template <typename O>
    O *create(const std::function<O *()> &factory)
    {
        if (isWorkerThread())
            return factory();
        O *out = nullptr;
        QMetaObject::invokeMethod(m_context, [&] { out = factory(); }, Qt::BlockingQueuedConnection);
        return out;
    }

    template <typename T>
    QFuture<Result<T>> run(std::function<void(const CancelToken &, Callback<T>)> fn)
    {
        auto promise = std::make_shared<QPromise<Result<T>>>();
        promise->start();
        QFuture<Result<T>> future = promise->future();
        QPointer<QObject> ctx = m_context;
        QMetaObject::invokeMethod(
            m_context,
            [promise, future, ctx, fn = std::move(fn)]() mutable {
                CancelToken token;
                auto *watcher = new QFutureWatcher<Result<T>>(ctx);
                QObject::connect(watcher, &QFutureWatcherBase::canceled, ctx, [token] { token.cancel(); });
                watcher->setFuture(future);
                if (future.isCanceled())
                    token.cancel();
                QPointer<QFutureWatcher<Result<T>>> guard(watcher);
                fn(token, [promise, guard](Result<T> r) {
                    promise->addResult(std::move(r));
                    promise->finish();
                    if (guard)
                        guard->deleteLater();
                });
            },
            Qt::QueuedConnection);
        return future;
    }

private:
    QThread *m_thread = nullptr;
    QObject *m_context = nullptr;
};

// Calls cb(Result<T>) on context's thread when future finishes; a cancelled future gives
// Error::cancelled(). Nothing is called once context is destroyed.
template <typename T, typename F>
void whenDone(const QFuture<Result<T>> &future, QObject *context, F &&cb)
{
    auto *watcher = new QFutureWatcher<Result<T>>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, context,
                     [watcher, cb = std::forward<F>(cb)]() mutable {
                         const QFuture<Result<T>> f = watcher->future();
                         watcher->deleteLater();
                         if (f.resultCount() > 0)
                             cb(f.result());
                         else
                             cb(Result<T>(Error::cancelled()));
                     });
    watcher->setFuture(future);
}

// Blocks the calling thread until future finishes. For the CLI and tests, never the UI thread.
template <typename T>
Result<T> waitFor(QFuture<Result<T>> future)
{
    future.waitForFinished();
    if (future.resultCount() > 0)
        return future.result();
    return Result<T>(Error::cancelled());
}

} // namespace skydeck
