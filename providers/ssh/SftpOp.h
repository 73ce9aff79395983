#pragma once

// One SFTP operation as a non-blocking state machine, run by SftpWorker on the session's worker
// thread. libssh2 1.10 keeps the state of a pending call (open, read, write, readdir, stat, ...)
// in the LIBSSH2_SFTP object, so each SFTP channel runs one operation at a time; the worker runs
// several channels side by side.

#include "Error.h"
#include "RemoteFileSystem.h"
#include "SshHandles.h"

#include <QPromise>

#include <functional>
#include <memory>
#include <optional>

namespace skydeck::ssh {

class SshConnection;

// What an operation needs from its channel.
struct SftpContext {
    SshConnection *conn = nullptr;
    LIBSSH2_SFTP *sftp = nullptr;
    LIBSSH2_SESSION *session = nullptr;
    // The caller cancelled. A body may stop only between libssh2 calls that completed: a call left
    // after EAGAIN keeps its state in the LIBSSH2_SFTP and would corrupt the channel's next call.
    // Nor may it leave pipelined requests behind: closing the handle drops them, and one half
    // written to the channel breaks the SFTP stream. So reads and writes stop asking for more and
    // finish what is in flight (bounded by their windows); short metadata calls run to the end.
    bool canceled = false;
    // The error for a failed libssh2 call: SFTP status codes become categories (no such file ->
    // NotFound, permission denied -> Permission, ...); a broken connection is a Network error.
    Error error(int rc, const QString &what, const QString &path) const;
};

class SftpOp
{
public:
    enum class Step { Again, Progress, Done };
    virtual ~SftpOp() = default;
    // Moves the operation on. Done: it has answered (and closed what it opened).
    virtual Step step(SftpContext &ctx) = 0;
    // True once the caller no longer wants the answer (checked between steps).
    virtual bool isCanceled() const = 0;
    // The session is gone (or the worker stops): drop handles without talking to the server and
    // answer with the error.
    virtual void abandon(const Error &error) = 0;
    // Whether it moves file contents (runs on a bulk channel, not the one kept for listings).
    bool bulk = false;
};

// Closes an SFTP handle without blocking: true once closed (or there was none).
bool closeHandle(SftpHandlePtr &handle);

// An operation whose body is a function of the context that returns nullopt while it must be
// called again, and the result once done. `handles` are closed before the answer is given (and
// on cancel); the body owns its own state.
template <typename T>
class FnOp : public SftpOp
{
public:
    using Body = std::function<std::optional<Result<T>>(SftpContext &, std::vector<SftpHandlePtr> &, bool &progress)>;

    FnOp(std::shared_ptr<QPromise<Result<T>>> promise, Body body)
        : m_promise(std::move(promise)), m_body(std::move(body))
    {
    }

    Step step(SftpContext &ctx) override
    {
        if (!m_result) {
            if (m_promise->isCanceled() && !m_started) {
                m_result = Result<T>(Error::cancelled());
            } else {
                m_started = true;
                bool progress = false;
                ctx.canceled = m_promise->isCanceled();
                m_result = m_body(ctx, m_handles, progress);
                if (!m_result)
                    return progress ? Step::Progress : Step::Again;
            }
        }
        for (SftpHandlePtr &h : m_handles)
            if (!closeHandle(h))
                return Step::Again;
        answer(std::move(*m_result));
        return Step::Done;
    }

    bool isCanceled() const override { return m_promise->isCanceled(); }

    void abandon(const Error &error) override
    {
        for (SftpHandlePtr &h : m_handles)
            (void)h.release();  // the session is going: libssh2 frees what it still holds
        answer(error);
    }

    QPromise<Result<T>> &promise() { return *m_promise; }

private:
    void answer(Result<T> r)
    {
        if (m_answered)
            return;
        m_answered = true;
        m_promise->addResult(std::move(r));
        m_promise->finish();
    }

    std::shared_ptr<QPromise<Result<T>>> m_promise;
    Body m_body;
    std::vector<SftpHandlePtr> m_handles;
    std::optional<Result<T>> m_result;
    bool m_answered = false;
    bool m_started = false;
};

} // namespace skydeck::ssh
