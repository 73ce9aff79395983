#include "InstanceModel.h"

#include "DisplayText.h"

#include "AccountRegistry.h"
#include "ComputeClient.h"
#include "InstancesLogging.h"
#include "PriceCatalog.h"
#include "ProviderWorker.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QRandomGenerator>

#include <algorithm>

namespace skydeck::ui {

namespace {

constexpr int kMaxPolls = 60;  // with a 15 s cap: about a quarter of an hour

InstanceState targetOf(InstanceAction a)
{
    switch (a) {
    case InstanceAction::Start:
    case InstanceAction::Reboot:
        return InstanceState::Running;
    case InstanceAction::Stop:
        return InstanceState::Stopped;
    case InstanceAction::Terminate:
        return InstanceState::Terminated;
    }
    return InstanceState::Unknown;
}

bool reached(InstanceAction a, InstanceState s)
{
    if (a == InstanceAction::Stop)
        return s == InstanceState::Stopped || s == InstanceState::StoppedBilled;
    return s == targetOf(a);
}

QString uptimeText(qint64 secs)
{
    if (secs < 60)
        return QStringLiteral("%1 s").arg(secs);
    const qint64 mins = secs / 60;
    if (mins < 60)
        return QStringLiteral("%1 min").arg(mins);
    const qint64 hours = mins / 60;
    if (hours < 48)
        return QStringLiteral("%1 h %2 min").arg(hours).arg(mins % 60);
    return QStringLiteral("%1 d %2 h").arg(hours / 24).arg(hours % 24);
}

} // namespace

InstanceModel::InstanceModel(AccountRegistry *registry, QObject *parent)
    : QAbstractTableModel(parent), m_registry(registry)
{
    qRegisterMetaType<skydeck::Instance>();
    qRegisterMetaType<skydeck::InstanceAction>();
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(16);  // at most one insert per frame
    connect(&m_flushTimer, &QTimer::timeout, this, &InstanceModel::flush);
    m_autoTimer.setSingleShot(true);
    connect(&m_autoTimer, &QTimer::timeout, this, [this] {
        refresh();
        scheduleAutoRefresh();
    });
    m_accountsTimer.setSingleShot(true);
    m_accountsTimer.setInterval(300);
    connect(&m_accountsTimer, &QTimer::timeout, this, &InstanceModel::refresh);
    if (registry)
        connect(registry, &AccountRegistry::accountsChanged, this, [this] { m_accountsTimer.start(); });
    m_uptimeTimer.setInterval(30000);
    connect(&m_uptimeTimer, &QTimer::timeout, this, &InstanceModel::tickUptime);
}

InstanceModel::~InstanceModel() = default;

int InstanceModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int InstanceModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString InstanceModel::stateName(InstanceState s)
{
    switch (s) {
    case InstanceState::Unknown: return tr("unknown");
    case InstanceState::Pending: return tr("pending");
    case InstanceState::Running: return tr("running");
    case InstanceState::Stopping: return tr("stopping");
    case InstanceState::Stopped: return tr("stopped");
    case InstanceState::StoppedBilled: return tr("stopped (still billed)");
    case InstanceState::Rebooting: return tr("rebooting");
    case InstanceState::Terminating: return tr("terminating");
    case InstanceState::Terminated: return tr("terminated");
    }
    return {};
}

QString InstanceModel::providerName(const QString &p)
{
    if (p == QLatin1String("aws"))
        return QStringLiteral("AWS");
    if (p == QLatin1String("gcp"))
        return QStringLiteral("Google Cloud");
    if (p == QLatin1String("azure"))
        return QStringLiteral("Azure");
    return p;
}

bool InstanceModel::listsAccount(const Account &a)
{
    if (!AccountRegistry::hasCompute(a.provider))
        return false;
    if (a.provider == QLatin1String("aws") && !a.setting(QStringLiteral("endpoint")).isEmpty()
        && a.setting(QStringLiteral("ec2Endpoint")).isEmpty())
        return false;
    return true;
}

QString InstanceModel::locationText(const Instance &i)
{
    if (i.zone.isEmpty())
        return i.region;
    if (i.region.isEmpty() || i.zone.startsWith(i.region))
        return i.zone;  // us-east-1a, europe-west4-a
    return tr("%1 · zone %2").arg(i.region, i.zone);  // Azure: westus2, zone "2"
}

QString InstanceModel::actionVerb(InstanceAction a)
{
    switch (a) {
    case InstanceAction::Start: return tr("starting");
    case InstanceAction::Stop: return tr("stopping");
    case InstanceAction::Reboot: return tr("rebooting");
    case InstanceAction::Terminate: return tr("terminating");
    }
    return {};
}

QString InstanceModel::accountName(const QString &accountId) const
{
    if (m_registry)
        if (const Account *a = m_registry->account(accountId))
            return a->displayName.isEmpty() ? a->id : a->displayName;
    return accountId;
}

GpuInfo InstanceModel::gpu(int row) const
{
    // What the provider says (EC2's DescribeInstanceTypes, Compute Engine's guestAccelerators, the
    // Azure size), else the price catalog's row for the type (AcceleratorName × AcceleratorCount).
    const Instance &i = m_rows.at(row).instance;
    if (i.gpu.count > 0)
        return i.gpu;
    return PriceCatalog::shipped().gpu(i.provider, i.machineType);
}

std::optional<PriceQuote> InstanceModel::priceQuote(int row, QString *missing) const
{
    const Instance &i = m_rows.at(row).instance;
    // The region (an Azure zone is a number, not a place); a zone reduces to its region.
    return PriceCatalog::shipped().quote(i.provider, i.region.isEmpty() ? i.zone : i.region, i.machineType, i.spot,
                                         i.gpu, missing);
}

std::optional<double> InstanceModel::pricePerHour(int row) const
{
    const std::optional<PriceQuote> q = priceQuote(row);
    return q ? std::optional<double>(q->perHour) : std::nullopt;
}

QString InstanceModel::stateText(int row) const
{
    const Row &r = m_rows.at(row);
    const QString now = stateName(r.instance.state);
    if (r.action) {
        // "stopped → starting…" until the provider shows a state of its own on the way
        if (r.instance.state == r.origin && !isTransitional(r.instance.state))
            return QStringLiteral("%1 → %2…").arg(now, actionVerb(*r.action));
        if (isTransitional(r.instance.state))
            return now + QStringLiteral("…");
        return now;
    }
    if (isTransitional(r.instance.state))
        return now + QStringLiteral("…");
    return now;
}

QVariant InstanceModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size() || index.column() >= ColumnCount)
        return {};
    const Row &r = m_rows.at(index.row());
    const Instance &i = r.instance;
    switch (role) {
    case KeyRole: return i.key();
    case ProviderRole: return i.provider;
    case AccountIdRole: return i.accountId;
    case StateRole: return int(i.state);
    case BusyRole: return r.action.has_value();
    case ErrorRole: return r.error;
    case HasGpuRole: return gpu(index.row()).count > 0;
    case GroupAccountRole: return accountName(i.accountId);
    case GroupRegionRole: return QString(i.provider + QLatin1Char(' ') + i.region);
    default: break;
    }
    const int col = index.column();
    if (role == Qt::DisplayRole || role == SortRole) {
        const bool sort = role == SortRole;
        switch (col) {
        case ProviderColumn: return providerName(i.provider);
        case AccountColumn: return accountName(i.accountId);
        case LocationColumn: return locationText(i);
        case NameColumn: return i.name;
        case IdColumn: return i.id;
        case StateColumn: return sort ? QVariant(int(i.state)) : QVariant(stateText(index.row()));
        case TypeColumn: return i.machineType;
        case GpuColumn: {
            const GpuInfo g = gpu(index.row());
            if (sort)
                return g.count;
            return g.count > 0 ? QStringLiteral("%1 × %2").arg(g.count).arg(g.model) : QString();
        }
        case PublicIpColumn: return i.publicIp;
        case PrivateIpColumn: return i.privateIp;
        case UptimeColumn: {
            if (i.state != InstanceState::Running || !i.launched.isValid())
                return sort ? QVariant(qint64(-1)) : QVariant(QString());
            const qint64 secs = std::max<qint64>(0, i.launched.secsTo(QDateTime::currentDateTimeUtc()));
            return sort ? QVariant(secs) : QVariant(uptimeText(secs));
        }
        case LifecycleColumn: return i.spot ? tr("spot") : tr("on-demand");
        case PriceColumn: {
            const auto p = pricePerHour(index.row());
            if (sort)
                return p ? *p : -1.0;
            return p ? QStringLiteral("$%1").arg(*p, 0, 'f', *p < 1 ? 3 : 2) : QStringLiteral("—");
        }
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        if (!r.error.isEmpty())
            return plainToolTip(r.error);
        if (col == StateColumn)
            return plainToolTip(
                tr("%1 says: %2").arg(i.provider, i.providerState.isEmpty() ? tr("(nothing yet)") : i.providerState)
                + (i.state == InstanceState::StoppedBilled
                       ? tr("\nStopped without deallocation: the VM is still billed. Stop deallocates it.")
                       : QString()));
        if (col == UptimeColumn && i.launched.isValid())
            return tr("Launched %1 UTC").arg(i.launched.toUTC().toString(Qt::ISODate));
        if (col == PriceColumn) {
            QString missing;
            const std::optional<PriceQuote> q = priceQuote(index.row(), &missing);
            return plainToolTip(q ? q->sourceText() : missing);
        }
        if (col == GpuColumn && gpu(index.row()).count > 0) {
            if (i.gpu.count > 0)
                return plainToolTip(tr("GPUs as %1 reports them").arg(providerName(i.provider)));
            const PriceRow row = PriceCatalog::shipped().machineRow(i.provider, i.machineType, i.region);
            const PriceSource source = PriceCatalog::shipped().source(i.provider);
            return plainToolTip(row.gpu.count > 0
                                    ? tr("GPUs of %1 from the price catalog: %2 line %3 (%4)")
                                          .arg(i.machineType, source.file)
                                          .arg(row.line)
                                          .arg(source.describe())
                                    : tr("GPUs of %1 by its machine type's definition").arg(i.machineType));
        }
        if (col == TypeColumn && !i.image.isEmpty())
            return plainToolTip(tr("Image: %1").arg(i.image));
        return {};
    }
    if (role == Qt::TextAlignmentRole && (col == PriceColumn || col == UptimeColumn))
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ForegroundRole && col == StateColumn) {
        if (!r.error.isEmpty())
            return QBrush(QColor(0xe5, 0x53, 0x4b));
        switch (i.state) {
        case InstanceState::Running: return QBrush(QColor(0x3f, 0xb9, 0x50));
        case InstanceState::StoppedBilled: return QBrush(QColor(0xd2, 0x99, 0x22));
        default:
            if (isTransitional(i.state) || r.action)
                return QBrush(QColor(0x58, 0xa6, 0xff));
            return {};
        }
    }
    if (role == Qt::FontRole && col == StateColumn && r.action) {
        QFont f;
        f.setItalic(true);
        return f;
    }
    return {};
}

QVariant InstanceModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case ProviderColumn: return tr("Provider");
    case AccountColumn: return tr("Account");
    case LocationColumn: return tr("Region / zone");
    case NameColumn: return tr("Name");
    case IdColumn: return tr("ID");
    case StateColumn: return tr("State");
    case TypeColumn: return tr("Type");
    case GpuColumn: return tr("GPUs");
    case PublicIpColumn: return tr("Public IP");
    case PrivateIpColumn: return tr("Private IP");
    case UptimeColumn: return tr("Uptime");
    case LifecycleColumn: return tr("Lifecycle");
    case PriceColumn: return tr("$/h");
    default: return {};
    }
}

// --- listing ---------------------------------------------------------------------------------

void InstanceModel::refresh()
{
    if (!m_registry)
        return;
    if (m_pendingCalls > 0) {
        m_refreshAgain = true;
        return;
    }
    ++m_generation;
    m_listings.clear();
    QStringList accounts;
    for (const Account &a : m_registry->accounts())
        if (listsAccount(a))
            accounts << a.id;
    // Rows of accounts that went away.
    for (int row = int(m_rows.size()) - 1; row >= 0; --row)
        if (!accounts.contains(m_rows.at(row).instance.accountId))
            removeRow(row);
    if (accounts.isEmpty()) {
        Q_EMIT refreshFinished();
        return;
    }
    for (const QString &id : std::as_const(accounts))
        listAccount(id);
    Q_EMIT refreshStarted();
}

void InstanceModel::listAccount(const QString &accountId)
{
    ComputeClient *client = m_registry->compute(accountId);
    ProviderWorker *worker = m_registry->worker(accountId);
    if (!client || !worker)
        return;
    ++m_pendingCalls;
    ++m_listings[accountId].calls;
    m_accountErrors.remove(accountId);
    auto future = worker->run<QStringList>([client](const CancelToken &token, Callback<QStringList> cb) {
        client->listScopes(token, std::move(cb));
    });
    whenDone(future, this, [this, accountId](const Result<QStringList> &scopes) {
        if (!scopes) {
            m_listings[accountId].scopesFailed = true;
            m_accountErrors.insert(accountId, scopes.error());
            qCWarning(lcInstances) << "scopes of" << accountId << "failed:" << scopes.error().toString();
            Q_EMIT errorOccurred(scopes.error());
        } else {
            for (const QString &scope : scopes.value())
                fetchPage(accountId, scope, QString());
        }
        callDone(accountId);
    });
}

void InstanceModel::fetchPage(const QString &accountId, const QString &scope, const QString &pageToken,
                              std::shared_ptr<ListingGuard> guard)
{
    if (!guard)
        guard = std::make_shared<ListingGuard>(ListingGuard::Limits::resources(), QStringLiteral("%1 %2").arg(accountId, scope));
    ComputeClient *client = m_registry ? m_registry->compute(accountId) : nullptr;
    ProviderWorker *worker = m_registry ? m_registry->worker(accountId) : nullptr;
    if (!client || !worker)
        return;
    ++m_pendingCalls;
    ++m_listings[accountId].calls;
    auto future = worker->run<InstancePage>([client, scope, pageToken](const CancelToken &token, Callback<InstancePage> cb) {
        client->listInstances(scope, pageToken, token, std::move(cb));
    });
    whenDone(future, this, [this, accountId, scope, guard](Result<InstancePage> page) {
        if (page) {
            if (const Status g = guard->nextPage(page->nextPageToken, page->instances.size()); !g.ok()) {
                enqueue(scope, page->instances);  // what this page said is shown; no more pages are asked for
                page = g.error();
            }
        }
        if (!page) {
            m_listings[accountId].failedScopes << scope;
            m_accountErrors.insert(accountId, page.error());
            qCWarning(lcInstances) << "listing" << accountId << scope << "failed:" << page.error().toString();
            Q_EMIT errorOccurred(page.error());
        } else {
            Q_EMIT pageArrived(accountId, scope, int(page->instances.size()));
            enqueue(scope, page->instances);
            if (!page->nextPageToken.isEmpty())
                fetchPage(accountId, scope, page->nextPageToken, guard);
        }
        callDone(accountId);
    });
}

void InstanceModel::callDone(const QString &accountId)
{
    --m_pendingCalls;
    Listing &l = m_listings[accountId];
    if (--l.calls == 0) {
        flush();
        if (!l.scopesFailed)
            pruneAccount(accountId, l);
    }
    if (m_pendingCalls == 0) {
        flush();
        Q_EMIT refreshFinished();
        if (m_refreshAgain) {
            m_refreshAgain = false;
            QTimer::singleShot(0, this, &InstanceModel::refresh);
        }
    }
}

void InstanceModel::enqueue(const QString &scope, const QList<Instance> &instances)
{
    for (const Instance &i : instances)
        m_pending.append({scope, i});
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void InstanceModel::flush()
{
    m_flushTimer.stop();
    if (m_pending.isEmpty())
        return;
    QList<Row> added;
    QHash<QString, int> addedIndex;
    int firstChanged = INT_MAX, lastChanged = -1;
    for (const auto &[scope, inst] : std::as_const(m_pending)) {
        const QString key = inst.key();
        const int row = m_index.value(key, -1);
        if (row >= 0) {
            Row &r = m_rows[row];
            if (!r.action)  // a poll owns the state while an action runs
                r.instance = inst;
            else {
                const InstanceState keep = r.instance.state;
                const QString keepWord = r.instance.providerState;
                r.instance = inst;
                r.instance.state = keep;
                r.instance.providerState = keepWord;
            }
            r.scope = scope;
            r.seen = m_generation;
            firstChanged = std::min(firstChanged, row);
            lastChanged = std::max(lastChanged, row);
        } else if (const int a = addedIndex.value(key, -1); a >= 0) {
            added[a].instance = inst;
        } else {
            Row r;
            r.instance = inst;
            r.scope = scope;
            r.seen = m_generation;
            addedIndex.insert(key, int(added.size()));
            added.append(std::move(r));
        }
    }
    m_pending.clear();
    if (lastChanged >= 0)
        Q_EMIT dataChanged(index(firstChanged, 0), index(lastChanged, ColumnCount - 1));
    if (!added.isEmpty()) {
        const int first = int(m_rows.size());
        beginInsertRows({}, first, first + int(added.size()) - 1);
        for (Row &r : added) {
            m_index.insert(r.instance.key(), int(m_rows.size()));
            m_rows.append(std::move(r));
        }
        endInsertRows();
    }
}

void InstanceModel::pruneAccount(const QString &accountId, const Listing &listing)
{
    for (int row = int(m_rows.size()) - 1; row >= 0; --row) {
        const Row &r = m_rows.at(row);
        if (r.instance.accountId == accountId && r.seen != m_generation && !r.action
            && !listing.failedScopes.contains(r.scope))
            removeRow(row);
    }
}

void InstanceModel::removeRow(int row)
{
    beginRemoveRows({}, row, row);
    m_index.remove(m_rows.at(row).instance.key());
    m_rows.removeAt(row);
    for (int r = row; r < m_rows.size(); ++r)
        m_index[m_rows.at(r).instance.key()] = r;
    endRemoveRows();
}

void InstanceModel::rowChanged(int row)
{
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

// --- actions ---------------------------------------------------------------------------------

void InstanceModel::act(const QStringList &keys, InstanceAction action)
{
    for (const QString &key : keys) {
        const int row = rowForKey(key);
        if (row < 0 || m_rows.at(row).action || !m_registry)
            continue;
        Row &r = m_rows[row];
        const QString accountId = r.instance.accountId;
        ComputeClient *client = m_registry->compute(accountId);
        ProviderWorker *worker = m_registry->worker(accountId);
        if (!client || !worker)
            continue;
        r.action = action;
        r.origin = r.instance.state;
        r.error.clear();
        r.polls = 0;
        rowChanged(row);
        const Instance inst = r.instance;
        Q_EMIT activity(tr("%1 %2…").arg(actionVerb(action), inst.name.isEmpty() ? inst.id : inst.name));
        auto future = worker->run<Done>([client, inst, action](const CancelToken &token, Callback<Done> cb) {
            client->act(inst, action, token, std::move(cb));
        });
        whenDone(future, this, [this, key, action](const Status &st) {
            const int at = rowForKey(key);
            if (at < 0)
                return;
            if (!st) {
                m_rows[at].error = tr("%1 failed: %2").arg(actionVerb(action), st.error().message());
                m_rows[at].action.reset();
                rowChanged(at);
                Q_EMIT errorOccurred(st.error());
                Q_EMIT actionFinished(key, action, false);
                return;
            }
            poll(key, m_pollFirstMs);
        });
    }
}

void InstanceModel::launch(const QString &accountId, const LaunchRequest &request)
{
    ComputeClient *client = m_registry ? m_registry->compute(accountId) : nullptr;
    ProviderWorker *worker = m_registry ? m_registry->worker(accountId) : nullptr;
    if (!client || !worker) {
        Q_EMIT launchFailed(Error(Error::Category::InvalidInput, tr("This account has no compute client")));
        return;
    }
    Q_EMIT activity(tr("Launching %1 (%2)…").arg(request.name, request.machineType));
    auto future = worker->run<Instance>([client, request](const CancelToken &token, Callback<Instance> cb) {
        client->launch(request, token, std::move(cb));
    });
    whenDone(future, this, [this](const Result<Instance> &made) {
        if (!made) {
            Q_EMIT errorOccurred(made.error());
            Q_EMIT launchFailed(made.error());
            return;
        }
        const QString scope = made->region;
        enqueue(scope, {made.value()});
        flush();
        const QString key = made->key();
        const int row = rowForKey(key);
        if (row >= 0 && m_rows.at(row).instance.state != InstanceState::Running) {
            Row &r = m_rows[row];
            r.action = InstanceAction::Start;
            r.origin = InstanceState::Unknown;  // any stable state ends the poll
            rowChanged(row);
            poll(key, m_pollFirstMs);
        }
        Q_EMIT launched(key);
    });
}

void InstanceModel::poll(const QString &key, int delayMs)
{
    QTimer::singleShot(delayMs, this, [this, key, delayMs] {
        const int row = rowForKey(key);
        if (row < 0 || !m_registry)
            return;
        const Instance inst = m_rows.at(row).instance;
        ComputeClient *client = m_registry->compute(inst.accountId);
        ProviderWorker *worker = m_registry->worker(inst.accountId);
        if (!client || !worker)
            return;
        auto future = worker->run<Instance>([client, inst](const CancelToken &token, Callback<Instance> cb) {
            client->getInstance(inst, token, std::move(cb));
        });
        whenDone(future, this, [this, key, delayMs](const Result<Instance> &now) {
            const int at = rowForKey(key);
            if (at < 0 || !m_rows.at(at).action)
                return;
            Row &r = m_rows[at];
            const InstanceAction action = *r.action;
            ++r.polls;
            if (!now) {
                if (now.error().category() == Error::Category::NotFound && action == InstanceAction::Terminate) {
                    removeRow(at);
                    Q_EMIT actionFinished(key, action, true);
                    return;
                }
                if (!now.error().isRetryable() || r.polls >= kMaxPolls) {
                    r.error = tr("Could not follow %1: %2").arg(actionVerb(action), now.error().message());
                    r.action.reset();
                    rowChanged(at);
                    Q_EMIT errorOccurred(now.error());
                    Q_EMIT actionFinished(key, action, false);
                    return;
                }
            } else {
                r.instance = now.value();
                const InstanceState s = r.instance.state;
                const bool done = reached(action, s) || (!isTransitional(s) && s != r.origin && s != InstanceState::Unknown)
                    || (action == InstanceAction::Reboot && !isTransitional(s) && r.polls >= 2);
                if (done) {
                    r.action.reset();
                    rowChanged(at);
                    Q_EMIT activity(tr("%1 is %2").arg(r.instance.name.isEmpty() ? r.instance.id : r.instance.name,
                                                       stateName(s)));
                    Q_EMIT actionFinished(key, action, reached(action, s));
                    return;
                }
                if (r.polls >= kMaxPolls) {
                    r.error = tr("Still %1 after %2 checks; refresh to look again").arg(stateName(s)).arg(r.polls);
                    r.action.reset();
                    rowChanged(at);
                    Q_EMIT actionFinished(key, action, false);
                    return;
                }
                rowChanged(at);
            }
            poll(key, std::min(delayMs * 2, m_pollMaxMs));
        });
    });
}

// --- auto refresh ----------------------------------------------------------------------------

void InstanceModel::setAutoRefreshActive(bool active)
{
    if (m_autoActive == active)
        return;
    m_autoActive = active;
    if (active) {
        scheduleAutoRefresh();
        m_uptimeTimer.start();
        tickUptime();
    } else {
        m_autoTimer.stop();
        m_uptimeTimer.stop();
    }
}

void InstanceModel::scheduleAutoRefresh()
{
    if (!m_autoActive)
        return;
    // ±10 % jitter so several windows or accounts don't hit the APIs in step.
    const int jitter = m_autoRefreshMs / 10;
    const int ms = m_autoRefreshMs + (jitter > 0 ? int(QRandomGenerator::global()->bounded(2 * jitter + 1)) - jitter : 0);
    m_autoTimer.start(std::max(1000, ms));
}

void InstanceModel::tickUptime()
{
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, UptimeColumn), index(int(m_rows.size()) - 1, UptimeColumn), {Qt::DisplayRole});
}

} // namespace skydeck::ui
