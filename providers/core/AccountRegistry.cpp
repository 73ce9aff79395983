#include "AccountRegistry.h"

#include "ComputeClient.h"
#include "Logging.h"
#include "ProviderWorker.h"
#include "StorageClient.h"

#include <QMutex>

namespace skydeck {

namespace {
QMutex s_factoryLock;
QHash<QString, AccountRegistry::StorageFactory> &factories()
{
    static QHash<QString, AccountRegistry::StorageFactory> f;
    return f;
}
QHash<QString, AccountRegistry::ComputeFactory> &computeFactories()
{
    static QHash<QString, AccountRegistry::ComputeFactory> f;
    return f;
}
} // namespace

struct AccountRegistry::Live {
    std::unique_ptr<ProviderWorker> worker;
    StorageClient *storage = nullptr;  // owned by the worker's context
    ComputeClient *compute = nullptr;  // likewise
};

AccountRegistry::AccountRegistry(QObject *parent) : QObject(parent) {}

AccountRegistry::~AccountRegistry() = default;  // each Live's worker joins its thread

void AccountRegistry::registerStorageFactory(const QString &provider, StorageFactory factory)
{
    QMutexLocker lock(&s_factoryLock);
    factories().insert(provider, std::move(factory));
}

bool AccountRegistry::hasStorage(const QString &provider)
{
    QMutexLocker lock(&s_factoryLock);
    return factories().contains(provider);
}

void AccountRegistry::registerComputeFactory(const QString &provider, ComputeFactory factory)
{
    QMutexLocker lock(&s_factoryLock);
    computeFactories().insert(provider, std::move(factory));
}

bool AccountRegistry::hasCompute(const QString &provider)
{
    QMutexLocker lock(&s_factoryLock);
    return computeFactories().contains(provider);
}

void AccountRegistry::addAccount(const Account &account)
{
    for (qsizetype i = 0; i < m_accounts.size(); ++i) {
        if (m_accounts[i].id == account.id) {
            m_accounts[i] = account;
            m_live.remove(account.id);  // clients are rebuilt with the new settings
            Q_EMIT accountsChanged();
            return;
        }
    }
    m_accounts.append(account);
    Q_EMIT accountsChanged();
}

void AccountRegistry::removeAccount(const QString &id)
{
    m_live.remove(id);
    m_accounts.removeIf([&](const Account &a) { return a.id == id; });
    Q_EMIT accountsChanged();
}

const Account *AccountRegistry::account(const QString &id) const
{
    for (const Account &a : m_accounts)
        if (a.id == id)
            return &a;
    return nullptr;
}

ProviderWorker *AccountRegistry::worker(const QString &id)
{
    const Account *a = account(id);
    if (!a)
        return nullptr;
    auto &live = m_live[id];
    if (!live) {
        live = std::make_shared<Live>();
        live->worker = std::make_unique<ProviderWorker>(QStringLiteral("worker:") + id);
    }
    return live->worker.get();
}

StorageClient *AccountRegistry::storage(const QString &id)
{
    const Account *a = account(id);
    ProviderWorker *w = worker(id);
    if (!a || !w)
        return nullptr;
    auto &live = m_live[id];
    if (!live->storage) {
        StorageFactory factory;
        {
            QMutexLocker lock(&s_factoryLock);
            factory = factories().value(a->provider);
        }
        if (!factory) {
            qCWarning(lcCore) << "no storage provider for" << a->provider;
            return nullptr;
        }
        const Account copy = *a;
        QObject *ctx = w->context();
        live->storage = w->create<StorageClient>([&] { return factory(copy, ctx); });
    }
    return live->storage;
}

StorageClient *AccountRegistry::createStorage(const QString &id, ProviderWorker *worker)
{
    const Account *a = account(id);
    if (!a || !worker)
        return nullptr;
    StorageFactory factory;
    {
        QMutexLocker lock(&s_factoryLock);
        factory = factories().value(a->provider);
    }
    if (!factory)
        return nullptr;
    const Account copy = *a;
    QObject *ctx = worker->context();
    return worker->create<StorageClient>([&] { return factory(copy, ctx); });
}

ComputeClient *AccountRegistry::compute(const QString &id)
{
    const Account *a = account(id);
    ProviderWorker *w = worker(id);
    if (!a || !w)
        return nullptr;
    auto &live = m_live[id];
    if (!live->compute) {
        ComputeFactory factory;
        {
            QMutexLocker lock(&s_factoryLock);
            factory = computeFactories().value(a->provider);
        }
        if (!factory)
            return nullptr;
        const Account copy = *a;
        QObject *ctx = w->context();
        live->compute = w->create<ComputeClient>([&] { return factory(copy, ctx); });
    }
    return live->compute;
}

} // namespace skydeck
