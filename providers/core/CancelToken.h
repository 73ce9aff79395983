#pragma once

#include <QObject>

#include <functional>
#include <memory>

namespace skydeck {

// Shared, thread-safe cancellation flag. Copies share one state. cancel() may be called from any
// thread; callbacks registered with onCancel() run on their context object's thread (queued when
// that is another thread) and are dropped with the context.
class CancelToken
{
public:
    CancelToken();

    void cancel() const;
    bool isCanceled() const;

    // Runs fn (once) on context's thread when the token is cancelled; at once (queued) if it
    // already is. Returns the connection so a finished operation can disconnect.
    QMetaObject::Connection onCancel(QObject *context, std::function<void()> fn) const;

private:
    struct State;
    std::shared_ptr<State> d;
};

} // namespace skydeck
