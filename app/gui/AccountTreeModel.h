#pragma once

#include "Account.h"
#include "Error.h"
#include "SshHostList.h"

#include <QHash>
#include <QPointer>
#include <QStandardItemModel>

namespace skydeck {
class AccountRegistry;
}

namespace skydeck::gui {

// Providers → accounts → buckets. Buckets are listed in the background when an account appears;
// a failure shows as a child row with the error (activate it to retry), never as an empty account.
class AccountTreeModel : public QStandardItemModel
{
    Q_OBJECT
public:
    enum Kind { ProviderNode, AccountNode, BucketNode, MessageNode, SshHostNode, SshConnectNode, InstancesNode };
    enum Role { KindRole = Qt::UserRole + 1, AccountIdRole, BucketRole, SshTargetRole };

    // A sandbox account's label: its own display name ("Sandbox EC2 (local moto, not a cloud account)"),
    // so the sandbox's S3, EC2, Compute Engine and Azure rows differ.
    static QString sandboxLabel(const Account &account);

    explicit AccountTreeModel(AccountRegistry *registry, QObject *parent = nullptr);

    QModelIndex accountIndex(const QString &accountId) const;
    QModelIndex bucketIndex(const QString &accountId, const QString &bucket) const;
    void reloadBuckets(const QString &accountId);

    // The "SSH hosts" node: one row per host (SshHostNode, SshTargetRole = alias or user@host:port)
    // and a last row "Connect to host…" (SshConnectNode).
    void setSshHosts(const QList<SshHostEntry> &hosts);
    QModelIndex sshHostIndex(const QString &target) const;
    // The "Virtual machines" row at the top (InstancesNode): opens the instances pane.
    QModelIndex instancesIndex() const;
    int loading() const { return m_loading; }

Q_SIGNALS:
    void bucketsLoaded(const QString &accountId);
    void errorOccurred(const skydeck::Error &error);
    void loadingChanged(int running);

private:
    void syncAccounts();
    QStandardItem *providerItem(const QString &key, const QString &label, const QString &icon);

    QPointer<AccountRegistry> m_registry;
    int m_loading = 0;
    QHash<QString, quint64> m_generation;   // account id → bucket listing generation
    QHash<QString, QString> m_fingerprint;  // account id → settings and secrets, to notice changes
};

} // namespace skydeck::gui
