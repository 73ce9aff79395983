#pragma once

#include "Account.h"
#include "Error.h"

#include <QObject>

#include <functional>
#include <memory>

namespace skydeck {
class AccountRegistry;
class ProviderWorker;
}

namespace skydeck::gui {

// Proves that an account's credentials work with one call, on a background provider worker, before
// the account is added: AWS and S3-compatible services list the buckets (ListBuckets); Google Cloud
// and Azure fetch a token and list the instances of the whole project / subscription (Compute
// Engine aggregatedList, Resource Manager's VM list), the first page only. The UI thread never
// waits: finished() arrives later, exactly once per start() that was not cancelled. A Google Cloud
// key file is read on the worker too.
class AccountCheck : public QObject
{
    Q_OBJECT
public:
    explicit AccountCheck(QObject *parent = nullptr);
    ~AccountCheck() override;

    // Checks `account` (settings and secrets). A check still running is cancelled first.
    void start(const Account &account);
    // Aborts the running check (its request is aborted); finished() is not emitted for it.
    void cancel();
    bool isRunning() const { return m_running; }

Q_SIGNALS:
    // `error` is empty (isError() false) when the call succeeded; `account` is what was checked,
    // with a Google Cloud key file resolved into its settings and secrets.
    void finished(const skydeck::Account &account, const skydeck::Error &error);

private:
    void callProvider(const Account &account, quint64 generation);
    void done(const Account &account, const Error &error, quint64 generation);

    // A registry of its own: its worker thread and clients live only as long as the check.
    std::unique_ptr<AccountRegistry> m_registry;
    std::unique_ptr<ProviderWorker> m_fileWorker;  // reads a key file off the UI thread
    quint64 m_generation = 0;
    bool m_running = false;
    std::function<void()> m_cancelCall;  // cancels the running call's future
};

} // namespace skydeck::gui
