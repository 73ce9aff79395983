#pragma once

#include "ListingGuard.h"

#include <memory>
#include "Account.h"
#include "ComputeTypes.h"
#include "Error.h"
#include "PriceCatalog.h"

#include <QAbstractTableModel>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QPointer>
#include <QTimer>

#include <optional>

namespace skydeck {
class AccountRegistry;
}

namespace skydeck::ui {

// Every instance of every account whose provider has a compute client, one row each.
//
// refresh() asks each account for its scopes (listScopes) and then every scope's pages in parallel,
// all through the account's ProviderWorker (nothing waits on the UI thread). Pages land in a
// pending batch applied at most once per frame: known keys (Instance::key) update their row in
// place, new ones are appended in one insert. When an account's listing has finished, its rows
// that were not seen again are removed, except those of scopes that failed (they are kept, and the
// error is reported through errorOccurred and accountError()).
//
// act() shows the transition at once ("stopped → starting…"), sends the action and then polls
// getInstance with backoff (1 s doubling to 15 s) until the state is the action's target or
// another stable one; an error stays on the row (ErrorRole, tooltip) and goes to errorOccurred.
//
// Auto-refresh: every ~60 s with ±10 % jitter while setAutoRefreshActive(true) (the pane turns it
// off while hidden); a refresh never starts while one runs.
class InstanceModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        ProviderColumn, AccountColumn, LocationColumn, NameColumn, IdColumn, StateColumn, TypeColumn,
        GpuColumn, PublicIpColumn, PrivateIpColumn, UptimeColumn, LifecycleColumn, PriceColumn, ColumnCount
    };
    enum Role {
        KeyRole = Qt::UserRole + 1, ProviderRole, AccountIdRole, StateRole /* int InstanceState */, BusyRole,
        ErrorRole /* QString, empty when none */, HasGpuRole, SortRole, GroupAccountRole, GroupRegionRole
    };

    explicit InstanceModel(AccountRegistry *registry, QObject *parent = nullptr);
    ~InstanceModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Lists every compute account again (while a refresh runs: once more after it). Accounts
    // added to or removed from the registry trigger one too.
    void refresh();
    bool isRefreshing() const { return m_pendingCalls > 0; }

    // Start/stop/reboot/terminate the instances with these keys (rows busy with an action are skipped).
    void act(const QStringList &keys, InstanceAction action);
    // Launches an instance; its row appears when the provider answers and is followed until running.
    void launch(const QString &accountId, const LaunchRequest &request);

    int rowForKey(const QString &key) const { return m_index.value(key, -1); }
    Instance instance(int row) const { return m_rows.at(row).instance; }
    QString accountName(const QString &accountId) const;
    // GPUs of the row: what the provider says (the instance's own), else its type's by the price catalog.
    GpuInfo gpu(int row) const;
    // The row's price per hour from the shipped catalog, with its source; nullopt (and *missing
    // says what the catalog lacks) when it has none: the $/h column then shows "—".
    std::optional<PriceQuote> priceQuote(int row, QString *missing = nullptr) const;
    std::optional<double> pricePerHour(int row) const;
    QString stateText(int row) const;
    QHash<QString, Error> accountErrors() const { return m_accountErrors; }

    void setAutoRefreshActive(bool active);
    void setAutoRefreshInterval(int ms) { m_autoRefreshMs = ms; }
    // Polling after an action: first delay and cap (tests and the bench shorten them).
    void setPollIntervals(int firstMs, int maxMs)
    {
        m_pollFirstMs = firstMs;
        m_pollMaxMs = maxMs;
    }

    static QString stateName(InstanceState state);
    static QString providerName(const QString &provider);
    // Whether the model lists this account: its provider has a compute client, and it is not an
    // S3-compatible storage endpoint (an "aws" account with an S3 endpoint but no EC2 endpoint:
    // MinIO, s3rver, the sandbox), which has no EC2 to ask.
    static bool listsAccount(const Account &account);
    static QString locationText(const Instance &instance);  // "us-east-1a", "westus2 · zone 2"  // "AWS", "Google Cloud", "Azure"
    static QString actionVerb(InstanceAction action);  // "starting", "stopping", ...

Q_SIGNALS:
    void refreshStarted();
    void refreshFinished();
    void errorOccurred(const skydeck::Error &error);
    void activity(const QString &message);
    // An action's poll ended: the row's state is stable again (or the row is gone).
    void actionFinished(const QString &key, skydeck::InstanceAction action, bool ok);
    void launched(const QString &key);
    // A page of a scope's instances arrived (before it is applied): for the status and the bench.
    void pageArrived(const QString &accountId, const QString &scope, int count);
    void launchFailed(const skydeck::Error &error);

private:
    struct Row {
        Instance instance;
        QString scope;
        std::optional<InstanceAction> action;  // while an action runs or its poll has not ended
        InstanceState origin = InstanceState::Unknown;
        QString error;
        int polls = 0;
        quint64 seen = 0;  // the refresh generation that last listed it
    };
    struct Listing {  // one account's refresh
        int calls = 0;
        QStringList failedScopes;
        bool scopesFailed = false;
    };

    void listAccount(const QString &accountId);
    // One page of a scope's instances; the next follows while the server gives a token that its
    // ListingGuard accepts (a repeated token or endless pages end the scope's listing in error).
    void fetchPage(const QString &accountId, const QString &scope, const QString &token,
                   std::shared_ptr<ListingGuard> guard = {});
    void callDone(const QString &accountId);
    void enqueue(const QString &scope, const QList<Instance> &instances);
    void flush();
    void pruneAccount(const QString &accountId, const Listing &listing);
    void poll(const QString &key, int delayMs);
    void finishAction(const QString &key, bool ok);
    void removeRow(int row);
    void rowChanged(int row);
    void scheduleAutoRefresh();
    void tickUptime();

    QPointer<AccountRegistry> m_registry;
    QList<Row> m_rows;
    QHash<QString, int> m_index;
    QList<QPair<QString, Instance>> m_pending;  // scope, instance
    QTimer m_flushTimer;
    QTimer m_autoTimer;
    QTimer m_uptimeTimer;
    QHash<QString, Listing> m_listings;
    QHash<QString, Error> m_accountErrors;
    quint64 m_generation = 0;
    int m_pendingCalls = 0;
    int m_autoRefreshMs = 60000;
    int m_pollFirstMs = 1000;
    int m_pollMaxMs = 15000;
    bool m_autoActive = false;
    bool m_refreshAgain = false;
    QTimer m_accountsTimer;  // accountsChanged, collapsed
};

} // namespace skydeck::ui
