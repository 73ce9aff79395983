#include "CancelToken.h"

#include <QPointer>

#include <atomic>

namespace skydeck {
namespace {
// Emits from any thread; has no thread affinity so it may die on any thread.
class CancelNotifier : public QObject
{
    Q_OBJECT
public:
    CancelNotifier() { moveToThread(nullptr); }
Q_SIGNALS:
    void canceled();
};
} // namespace

struct CancelToken::State {
    std::atomic_bool canceled{false};
    CancelNotifier notifier;
};

CancelToken::CancelToken() : d(std::make_shared<State>()) {}

void CancelToken::cancel() const
{
    if (!d->canceled.exchange(true))
        Q_EMIT d->notifier.canceled();
}

bool CancelToken::isCanceled() const
{
    return d->canceled.load();
}

QMetaObject::Connection CancelToken::onCancel(QObject *context, std::function<void()> fn) const
{
    // Connect first, then check: a cancel racing with the connect is seen by one or the other;
    // the shared flag makes the callback run at most once.
    auto once = std::make_shared<std::atomic_bool>(false);
    auto run = [fn, once] {
        if (!once->exchange(true))
            fn();
    };
    QMetaObject::Connection c = QObject::connect(&d->notifier, &CancelNotifier::canceled, context, run,
                                                 Qt::QueuedConnection);
    if (d->canceled.load())
        QMetaObject::invokeMethod(context, run, Qt::QueuedConnection);
    return c;
}

} // namespace skydeck

#include "CancelToken.moc"
