#pragma once

#include "Account.h"

#include <QHash>
#include <QList>
#include <QObject>

#include <functional>
#include <memory>

namespace skydeck {

class ComputeClient;
class ProviderWorker;
class StorageClient;

// The accounts Skydeck knows, each with its own worker thread (created on first use) hosting its
// clients. Owned by the app (UI) or the CLI; used from the thread that owns it.
class AccountRegistry : public QObject
{
    Q_OBJECT
public:
    // Builds a provider's storage client for an account; runs on the account's worker thread and
    // parents the client to `parent` (the worker's context).
    using StorageFactory = std::function<StorageClient *(const Account &, QObject *parent)>;
    // Likewise for a provider's compute client (VMs).
    using ComputeFactory = std::function<ComputeClient *(const Account &, QObject *parent)>;

    explicit AccountRegistry(QObject *parent = nullptr);
    ~AccountRegistry() override;

    static void registerStorageFactory(const QString &provider, StorageFactory factory);
    static bool hasStorage(const QString &provider);
    static void registerComputeFactory(const QString &provider, ComputeFactory factory);
    static bool hasCompute(const QString &provider);

    void addAccount(const Account &account);  // replaces one with the same id
    void removeAccount(const QString &id);
    QList<Account> accounts() const { return m_accounts; }
    const Account *account(const QString &id) const;

    // The account's worker (created on first use). nullptr for an unknown id.
    ProviderWorker *worker(const QString &id);
    // The account's storage client, living on worker(id). nullptr if the provider has none.
    StorageClient *storage(const QString &id);
    // A new storage client for the account, built by the provider's factory on `worker` (which
    // the caller owns, e.g. the transfer engine's extra connections) and parented to its context.
    // nullptr for an unknown id or a provider without storage.
    StorageClient *createStorage(const QString &id, ProviderWorker *worker);
    // The account's compute client, living on worker(id). nullptr if the provider has none.
    ComputeClient *compute(const QString &id);

Q_SIGNALS:
    void accountsChanged();

private:
    struct Live;
    QList<Account> m_accounts;
    QHash<QString, std::shared_ptr<Live>> m_live;
};

} // namespace skydeck
