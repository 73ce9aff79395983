#pragma once

#include "CliOptions.h"
#include "Output.h"

#include "AccountRegistry.h"
#include "PrefixWalk.h"
#include "ProviderWorker.h"
#include "StorageClient.h"

#include <QObject>

#include <functional>

namespace skydeck::cli {

// One run of one command, driven by the application's event loop: start() sets it going, and
// finished(exitCode) is emitted exactly once. Provider calls run on the account's worker thread
// and answer here (whenDone), so the loop keeps turning for the transfer engine.
class Command : public QObject
{
    Q_OBJECT
public:
    Command(const Invocation &invocation, Output &output, AccountRegistry &accounts, const QString &accountId,
            QObject *parent = nullptr);
    ~Command() override;

    virtual void start() = 0;
    // Ctrl-C: stop what is running and finish with ExitInterrupted.
    virtual void interrupt();

    bool isFinished() const { return m_finished; }

Q_SIGNALS:
    void finished(int exitCode);

protected:
    template <typename T>
    using Op = std::function<void(StorageClient *, const CancelToken &, Callback<T>)>;

    // Runs op on the worker; `then` gets its Result on this thread (never after this is gone).
    template <typename T, typename F>
    void call(Op<T> op, F &&then)
    {
        StorageClient *client = m_storage;
        QFuture<Result<T>> f = m_worker->run<T>([client, op = std::move(op)](const CancelToken &t, Callback<T> done) {
            op(client, t, std::move(done));
        });
        whenDone(f, this, std::forward<F>(then));
    }

    // Lists pages through call(): for a PrefixWalk over this command's account.
    PrefixWalk::Lister lister()
    {
        return [this](const ListRequest &req, std::function<void(Result<ListPage>)> cb) {
            call<ListPage>([req](StorageClient *c, const CancelToken &t,
                                 Callback<ListPage> done) { c->listObjects(req, t, std::move(done)); },
                           std::move(cb));
        };
    }

    void succeed();
    // Prints the error as one line and finishes with its exit code.
    void fail(const Error &error);
    void fail(int exitCode, const QString &line);

    const Invocation &inv() const { return m_inv; }
    Output &out() { return m_out; }
    AccountRegistry &accounts() { return m_accounts; }
    QString accountId() const { return m_accountId; }
    const Account &account() const { return m_account; }
    StorageClient *storage() const { return m_storage; }

private:
    void finish(int code);

    Invocation m_inv;
    Output &m_out;
    AccountRegistry &m_accounts;
    QString m_accountId;
    Account m_account;
    ProviderWorker *m_worker = nullptr;
    StorageClient *m_storage = nullptr;
    bool m_finished = false;
};

} // namespace skydeck::cli
