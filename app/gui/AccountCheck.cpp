#include "AccountCheck.h"

#include "AccountRegistry.h"
#include "ComputeClient.h"
#include "GcpConfig.h"
#include "GuiLogging.h"
#include "ProviderWorker.h"
#include "StorageClient.h"

#include <QDir>
#include <QProcessEnvironment>

namespace skydeck::gui {

namespace {
const QString kCheckId = QStringLiteral("check:candidate");
}

AccountCheck::AccountCheck(QObject *parent) : QObject(parent), m_registry(std::make_unique<AccountRegistry>()) {}

AccountCheck::~AccountCheck()
{
    cancel();
}

void AccountCheck::cancel()
{
    ++m_generation;  // a late answer of the cancelled call is dropped
    if (m_cancelCall)
        m_cancelCall();
    m_cancelCall = nullptr;
    m_running = false;
}

void AccountCheck::start(const Account &account)
{
    cancel();
    m_running = true;
    const quint64 generation = m_generation;
    const QString keyFile = account.setting(QStringLiteral("keyFile"));
    if (account.provider != QLatin1String("gcp") || keyFile.isEmpty()) {
        callProvider(account, generation);
        return;
    }
    // A Google Cloud key file: read and parsed on a worker (the UI thread never waits on the disk).
    if (!m_fileWorker)
        m_fileWorker = std::make_unique<ProviderWorker>(QStringLiteral("account-check-file"));
    const Account candidate = account;
    auto future = m_fileWorker->run<Account>([candidate, keyFile](const CancelToken &, Callback<Account> cb) {
        Result<Account> r = gcp::accountFromCredentialsFile(keyFile, candidate.id, candidate.source,
                                                            QProcessEnvironment::systemEnvironment(), QDir::homePath());
        if (r.ok()) {
            Account resolved = r.value();
            resolved.displayName = candidate.displayName;
            cb(resolved);
        } else {
            cb(r.error());
        }
    });
    m_cancelCall = [future]() mutable { future.cancel(); };
    whenDone(future, this, [this, candidate, generation](Result<Account> r) {
        if (generation != m_generation)
            return;
        if (!r.ok()) {
            done(candidate, r.error(), generation);
            return;
        }
        callProvider(r.value(), generation);
    });
}

void AccountCheck::callProvider(const Account &account, quint64 generation)
{
    Account probe = account;
    probe.id = kCheckId;
    m_registry->addAccount(probe);  // replaces (and stops) the previous candidate's clients
    ProviderWorker *worker = m_registry->worker(kCheckId);
    if (account.provider == QLatin1String("aws")) {
        StorageClient *storage = m_registry->storage(kCheckId);
        if (!worker || !storage) {
            done(account, Error(Error::Category::InvalidInput, tr("No S3 client for this account")), generation);
            return;
        }
        auto future = worker->run<QList<Bucket>>(
            [storage](const CancelToken &token, Callback<QList<Bucket>> cb) { storage->listBuckets(token, std::move(cb)); });
        m_cancelCall = [future]() mutable { future.cancel(); };
        whenDone(future, this, [this, account, generation](Result<QList<Bucket>> r) {
            done(account, r.ok() ? Error() : r.error(), generation);
        });
        return;
    }
    ComputeClient *compute = m_registry->compute(kCheckId);
    if (!worker || !compute) {
        done(account, Error(Error::Category::InvalidInput, tr("No compute client for provider %1").arg(account.provider)),
             generation);
        return;
    }
    // "*": the whole project (aggregatedList) or subscription; one page is enough to prove access.
    auto future = worker->run<InstancePage>([compute](const CancelToken &token, Callback<InstancePage> cb) {
        compute->listInstances(QStringLiteral("*"), QString(), token, std::move(cb));
    });
    m_cancelCall = [future]() mutable { future.cancel(); };
    whenDone(future, this, [this, account, generation](Result<InstancePage> r) {
        done(account, r.ok() ? Error() : r.error(), generation);
    });
}

void AccountCheck::done(const Account &account, const Error &error, quint64 generation)
{
    if (generation != m_generation)
        return;  // cancelled or superseded
    m_running = false;
    m_cancelCall = nullptr;
    if (error.isError())
        qCInfo(lcUi).noquote() << "account check of" << account.id << "failed:" << error.toString();
    else
        qCInfo(lcUi).noquote() << "account check of" << account.id << "succeeded";
    Q_EMIT finished(account, error);
}

} // namespace skydeck::gui
