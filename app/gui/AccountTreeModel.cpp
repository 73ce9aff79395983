#include "AccountTreeModel.h"

#include "AccountRegistry.h"
#include "GuiLogging.h"
#include "ProviderWorker.h"
#include "StorageClient.h"

#include <QIcon>

namespace skydeck::gui {

namespace {
QIcon icon(const char *name)
{
    return QIcon(QStringLiteral(":/icons/%1.svg").arg(QLatin1String(name)));
}
QString providerLabel(const QString &provider)
{
    if (provider == QLatin1String("aws"))
        return AccountTreeModel::tr("Amazon S3 and compatible");
    if (provider == QLatin1String("gcp"))
        return AccountTreeModel::tr("Google Cloud Storage");
    if (provider == QLatin1String("azure"))
        return AccountTreeModel::tr("Azure Blob Storage");
    return provider;
}
} // namespace

QString AccountTreeModel::sandboxLabel(const Account &account)
{
    return account.displayName.isEmpty() ? tr("Sandbox (local, not a cloud account)") : account.displayName;
}

AccountTreeModel::AccountTreeModel(AccountRegistry *registry, QObject *parent)
    : QStandardItemModel(parent), m_registry(registry)
{
    setHorizontalHeaderLabels({tr("Accounts")});
    auto *vms = new QStandardItem(icon("server"), tr("Virtual machines"));
    vms->setData(InstancesNode, KindRole);
    vms->setData(QStringLiteral("instances"), AccountIdRole);
    vms->setToolTip(tr("Every instance of every EC2, Compute Engine and Azure account, in one table"));
    vms->setEditable(false);
    appendRow(vms);
    connect(registry, &AccountRegistry::accountsChanged, this, &AccountTreeModel::syncAccounts);
    syncAccounts();
}

QStandardItem *AccountTreeModel::providerItem(const QString &key, const QString &label, const QString &iconName)
{
    for (int r = 0; r < rowCount(); ++r)
        if (item(r)->data(AccountIdRole).toString() == key)
            return item(r);
    auto *it = new QStandardItem(QIcon(QStringLiteral(":/icons/%1.svg").arg(iconName)), label);
    it->setData(ProviderNode, KindRole);
    it->setData(key, AccountIdRole);
    it->setEditable(false);
    it->setSelectable(false);
    appendRow(it);
    return it;
}

QModelIndex AccountTreeModel::accountIndex(const QString &accountId) const
{
    for (int p = 0; p < rowCount(); ++p) {
        QStandardItem *prov = item(p);
        for (int r = 0; r < prov->rowCount(); ++r)
            if (prov->child(r)->data(AccountIdRole).toString() == accountId)
                return prov->child(r)->index();
    }
    return {};
}

QModelIndex AccountTreeModel::bucketIndex(const QString &accountId, const QString &bucket) const
{
    const QModelIndex acc = accountIndex(accountId);
    if (!acc.isValid())
        return {};
    QStandardItem *a = itemFromIndex(acc);
    for (int r = 0; r < a->rowCount(); ++r)
        if (a->child(r)->data(KindRole).toInt() == BucketNode && a->child(r)->data(BucketRole).toString() == bucket)
            return a->child(r)->index();
    return {};
}

void AccountTreeModel::syncAccounts()
{
    if (!m_registry)
        return;
    const QList<Account> accounts = m_registry->accounts();
    // Remove accounts that are gone.
    for (int p = rowCount() - 1; p >= 0; --p) {
        QStandardItem *prov = item(p);
        if (prov->data(AccountIdRole).toString() == QLatin1String("provider:ssh")
            || prov->data(KindRole).toInt() == InstancesNode)
            continue;
        for (int r = prov->rowCount() - 1; r >= 0; --r) {
            const QString id = prov->child(r)->data(AccountIdRole).toString();
            if (!m_registry->account(id))
                prov->removeRow(r);
        }
        if (!prov->hasChildren())
            removeRow(p);
    }
    for (const Account &a : accounts) {
        if (a.provider == QLatin1String("sftp"))
            continue;  // an SSH session's files: shown beside its terminal, under "SSH hosts"
        const QModelIndex existing = accountIndex(a.id);
        const QString fingerprint = QStringList(a.settings.keys()).join(QLatin1Char(',')) + QLatin1Char('|')
                                    + QStringList(a.settings.values()).join(QLatin1Char(',')) + QLatin1Char('|')
                                    + QString::number(qHash(QStringList(a.secrets.values()).join(QLatin1Char(','))));
        const bool changed = m_fingerprint.value(a.id) != fingerprint;
        m_fingerprint.insert(a.id, fingerprint);
        if (existing.isValid()) {
            if (changed)  // the registry rebuilt the client with new settings: list again
                reloadBuckets(a.id);
            continue;
        }
        QStandardItem *prov = a.sandbox ? providerItem(QStringLiteral("provider:sandbox"), tr("Sandbox"), QStringLiteral("sandbox"))
                                        : providerItem(QStringLiteral("provider:") + a.provider,
                                                       providerLabel(a.provider),
                                                       a.provider == QLatin1String("aws") ? QStringLiteral("aws")
                                                                                          : QStringLiteral("cloud"));
        auto *it = new QStandardItem(a.sandbox ? icon("sandbox") : icon("account"),
                                     a.sandbox ? sandboxLabel(a) : a.displayName);
        it->setData(AccountNode, KindRole);
        it->setData(a.id, AccountIdRole);
        it->setToolTip(a.sandbox ? tr("%1\nThe local sandbox on loopback: not a cloud account, nothing is billed\nFrom: %2")
                                       .arg(a.displayName, a.source)
                                 : tr("%1\nFrom: %2").arg(a.displayName, a.source));
        it->setEditable(false);
        prov->appendRow(it);
        reloadBuckets(a.id);
    }
}

void AccountTreeModel::setSshHosts(const QList<SshHostEntry> &hosts)
{
    QStandardItem *prov = providerItem(QStringLiteral("provider:ssh"), tr("SSH hosts"), QStringLiteral("terminal"));
    prov->removeRows(0, prov->rowCount());
    for (const SshHostEntry &h : hosts) {
        auto *it = new QStandardItem(h.sandbox ? icon("sandbox") : icon("server"), h.label);
        it->setData(SshHostNode, KindRole);
        it->setData(h.target, SshTargetRole);
        it->setToolTip(h.toolTip);
        it->setEditable(false);
        prov->appendRow(it);
    }
    auto *connectItem = new QStandardItem(icon("add-account"), tr("Connect to host…"));
    connectItem->setData(SshConnectNode, KindRole);
    connectItem->setToolTip(tr("user@host:port, or an alias from ~/.ssh/config"));
    connectItem->setEditable(false);
    prov->appendRow(connectItem);
}

QModelIndex AccountTreeModel::sshHostIndex(const QString &target) const
{
    for (int p = 0; p < rowCount(); ++p) {
        QStandardItem *prov = item(p);
        for (int r = 0; r < prov->rowCount(); ++r)
            if (prov->child(r)->data(KindRole).toInt() == SshHostNode
                && prov->child(r)->data(SshTargetRole).toString() == target)
                return prov->child(r)->index();
    }
    return {};
}

QModelIndex AccountTreeModel::instancesIndex() const
{
    for (int p = 0; p < rowCount(); ++p)
        if (item(p)->data(KindRole).toInt() == InstancesNode)
            return item(p)->index();
    return {};
}

void AccountTreeModel::reloadBuckets(const QString &accountId)
{
    const QModelIndex idx = accountIndex(accountId);
    if (!idx.isValid() || !m_registry)
        return;
    QStandardItem *acc = itemFromIndex(idx);
    acc->removeRows(0, acc->rowCount());
    auto *loadingItem = new QStandardItem(tr("Listing buckets…"));
    loadingItem->setData(MessageNode, KindRole);
    loadingItem->setData(accountId, AccountIdRole);
    loadingItem->setEditable(false);
    loadingItem->setSelectable(false);
    acc->appendRow(loadingItem);
    if (const Account *a = m_registry->account(accountId); a && a->sandbox && a->provider == QLatin1String("aws")
        && a->setting(QStringLiteral("endpoint")).isEmpty() && !a->setting(QStringLiteral("ec2Endpoint")).isEmpty()) {
        // The sandbox's EC2 (moto): VMs only; there is no S3 of its own to list (nor AWS's to ask).
        loadingItem->setText(tr("No buckets: its instances are under Virtual machines"));
        return;
    }

    ProviderWorker *worker = m_registry->worker(accountId);
    StorageClient *client = m_registry->storage(accountId);
    if (!worker || !client) {
        loadingItem->setText(tr("No storage for this provider yet"));
        return;
    }
    const quint64 gen = ++m_generation[accountId];
    ++m_loading;
    Q_EMIT loadingChanged(m_loading);
    auto future = worker->run<QList<Bucket>>([client](const CancelToken &t, Callback<QList<Bucket>> done) {
        client->listBuckets(t, std::move(done));
    });
    whenDone(future, this, [this, accountId, gen](Result<QList<Bucket>> r) {
        --m_loading;
        Q_EMIT loadingChanged(m_loading);
        if (m_generation.value(accountId) != gen)
            return;
        const QModelIndex i = accountIndex(accountId);
        if (!i.isValid())
            return;
        QStandardItem *a = itemFromIndex(i);
        a->removeRows(0, a->rowCount());
        if (!r.ok()) {
            Error e = r.error();
            if (e.context().isEmpty())
                e.setContext(tr("listing buckets"));
            auto *msg = new QStandardItem(icon("error"), tr("%1 — activate to retry").arg(e.toString()));
            msg->setData(MessageNode, KindRole);
            msg->setData(accountId, AccountIdRole);
            msg->setToolTip(e.toString());
            msg->setEditable(false);
            a->appendRow(msg);
            qCWarning(lcUi) << "bucket listing failed:" << e.toString();
            Q_EMIT errorOccurred(e);
            return;
        }
        QList<Bucket> buckets = r.takeValue();
        std::sort(buckets.begin(), buckets.end(), [](const Bucket &x, const Bucket &y) { return x.name < y.name; });
        if (buckets.isEmpty()) {
            auto *msg = new QStandardItem(tr("No buckets"));
            msg->setData(MessageNode, KindRole);
            msg->setEditable(false);
            msg->setSelectable(false);
            a->appendRow(msg);
        }
        for (const Bucket &b : std::as_const(buckets)) {
            auto *bi = new QStandardItem(icon("bucket"), b.name);
            bi->setData(BucketNode, KindRole);
            bi->setData(accountId, AccountIdRole);
            bi->setData(b.name, BucketRole);
            bi->setToolTip(b.region.isEmpty() ? b.name : tr("%1 (%2)").arg(b.name, b.region));
            bi->setEditable(false);
            a->appendRow(bi);
        }
        Q_EMIT bucketsLoaded(accountId);
    });
}

} // namespace skydeck::gui
