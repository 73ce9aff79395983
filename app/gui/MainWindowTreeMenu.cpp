// The account tree's context menu: refresh an account's buckets, remove an account added in the
// window (its settings and its keychain secret; nothing in the cloud is touched).
#include "MainWindow.h"

#include "AccountRegistry.h"
#include "AccountTreeModel.h"
#include "AddedAccounts.h"
#include "IncompleteUploadsDialog.h"

#include <QMenu>
#include <QMessageBox>
#include <QStatusBar>
#include <QTreeView>

namespace skydeck::gui {

bool MainWindow::isAddedAccount(const QString &accountId) const
{
    const Account *a = m_registry ? m_registry->account(accountId) : nullptr;
    return a && !a->sandbox && a->source == AddedAccounts::addedSource();
}

QMenu *MainWindow::treeMenu(const QModelIndex &index)
{
    if (index.data(AccountTreeModel::KindRole).toInt() == AccountTreeModel::BucketNode) {
        const QString accountId = index.data(AccountTreeModel::AccountIdRole).toString();
        const QString bucket = index.data(AccountTreeModel::BucketRole).toString();
        auto *menu = new QMenu(this);
        QAction *incomplete = menu->addAction(QIcon(QStringLiteral(":/icons/upload.svg")), tr("Incomplete Uploads…"), this,
                                              [this, accountId, bucket] { showIncompleteUploads(accountId, bucket); });
        incomplete->setObjectName(QStringLiteral("incompleteUploads"));
        incomplete->setToolTip(tr("Multipart uploads never completed: their parts are billed until aborted"));
        return menu;
    }
    if (index.data(AccountTreeModel::KindRole).toInt() != AccountTreeModel::AccountNode)
        return nullptr;
    const QString accountId = index.data(AccountTreeModel::AccountIdRole).toString();
    auto *menu = new QMenu(this);
    QAction *refresh = menu->addAction(QIcon::fromTheme(QStringLiteral("view-refresh")), tr("Refresh Buckets"), this,
                                       [this, accountId] { m_accounts->reloadBuckets(accountId); });
    refresh->setObjectName(QStringLiteral("refreshAccount"));
    QAction *remove = menu->addAction(QIcon::fromTheme(QStringLiteral("list-remove")), tr("Remove Account…"), this,
                                      [this, accountId] { removeAddedAccount(accountId); });
    remove->setObjectName(QStringLiteral("removeAccount"));
    remove->setEnabled(isAddedAccount(accountId));
    if (!remove->isEnabled())
        remove->setToolTip(tr("Only accounts added in Skydeck can be removed here; others come from your "
                              "environment or configuration files."));
    return menu;
}

void MainWindow::showTreeMenu(const QPoint &pos)
{
    QMenu *menu = treeMenu(m_tree->indexAt(pos));
    if (!menu)
        return;
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->popup(m_tree->viewport()->mapToGlobal(pos));
}

ui::IncompleteUploadsDialog *MainWindow::showIncompleteUploads(const QString &accountId, const QString &bucket)
{
    StorageClient *client = m_registry ? m_registry->storage(accountId) : nullptr;
    if (!client)
        return nullptr;
    auto *dialog = new ui::IncompleteUploadsDialog(m_registry->worker(accountId), client, client->scheme(), bucket, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
    return dialog;
}

bool MainWindow::removeAddedAccount(const QString &accountId)
{
    if (!isAddedAccount(accountId))
        return false;
    const QString name = m_registry->account(accountId)->displayName;
    const auto answer = QMessageBox::question(
        this, tr("Remove account"),
        tr("Remove the account “%1” from Skydeck?\n\nIts settings and its secret in the system keychain are "
           "deleted. Nothing in the cloud is changed.").arg(name),
        QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
    if (answer != QMessageBox::Yes)
        return false;
    m_added->remove(accountId);
    statusBar()->showMessage(tr("Removed the account “%1”").arg(name), 8000);
    return true;
}

} // namespace skydeck::gui
