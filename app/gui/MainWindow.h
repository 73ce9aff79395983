#pragma once

#include "Error.h"
#include "KnownHosts.h"
#include "SshConfig.h"

#include <QHash>
#include <QMainWindow>
#include <QPointer>

#include <optional>

class QDockWidget;
class QMenu;
class QStackedWidget;
class QTreeView;
class QLabel;

namespace skydeck {
class AccountRegistry;
class CredentialStore;
class Sandbox;
class TransferEngine;
namespace ui {
class BucketBrowser;
class IncompleteUploadsDialog;
class InstancePane;
struct InstanceSshTarget;
class SshPane;
class TransferPane;
}
}

namespace skydeck::gui {

class AccountTreeModel;
class AddedAccounts;
class StatusPanel;

// The window: the account tree on the left, the pane area in the centre (the bucket browser for
// storage accounts), the transfers panel as a bottom dock, and a status bar with the background
// activity and the last error. Geometry, dock state and the last location persist in QSettings.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    MainWindow(AccountRegistry *registry, TransferEngine *engine, CredentialStore *store, QWidget *parent = nullptr);
    ~MainWindow() override;

    ui::BucketBrowser *browser() const { return m_browser; }
    ui::TransferPane *transfers() const { return m_transfers; }
    QTreeView *accountTree() const { return m_tree; }
    AccountTreeModel *accountModel() const { return m_accounts; }
    AddedAccounts *addedAccounts() const { return m_added; }
    StatusPanel *statusPanel() const { return m_status; }

    // Opens account/bucket/prefix in the bucket browser and selects it in the tree.
    void openLocation(const QString &accountId, const QString &bucket, const QString &prefix);
    void showError(const Error &error);

    // SSH: opens (or focuses) the session pane of a host (a ~/.ssh/config alias or user@host:port)
    // and starts its first shell when new.
    ui::SshPane *openSshHost(const QString &target);
    // SSH to a VM: opens (or focuses) a session pane for target.target with the settings the
    // instances pane worked out (address, user, key, jump host); `jupyter` then runs Open Jupyter
    // once the first shell is up.
    ui::SshPane *openInstanceSsh(const ui::InstanceSshTarget &target, bool jupyter);
    // The VMs pane (created on first use) in the pane area.
    ui::InstancePane *openInstances();
    ui::InstancePane *instancePane() const { return m_instances; }
    ui::SshPane *sshPane(const QString &target) const { return m_sshPanes.value(target); }
    // Reads ~/.ssh/config again and refreshes the SSH hosts in the tree.
    void reloadSshHosts();
    // The sandbox's sshd: listed first under "SSH hosts" as "Sandbox SSH (local sshd)"; its pane
    // checks only `knownHosts` (the sandbox's pre-trusted file), uses only the generated key, no
    // agent and no keychain, so it opens with no question.
    void setSandboxSsh(const ssh::SshHostConfig &host, const ssh::KnownHosts &knownHosts);

public Q_SLOTS:
    void addAccount();
    void connectToSshHost();

    // The account tree's context menu for index (nullptr where there is none), and removing an
    // account added in the window after asking (false when not removed).
    QMenu *treeMenu(const QModelIndex &index);
    bool removeAddedAccount(const QString &accountId);
    // A bucket's unfinished multipart uploads, with Abort (the bucket's context menu).
    ui::IncompleteUploadsDialog *showIncompleteUploads(const QString &accountId, const QString &bucket);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildMenus();
    void showSshHosts();
    void onTreeActivated(const QModelIndex &index);
    void showTreeMenu(const QPoint &pos);
    bool isAddedAccount(const QString &accountId) const;
    void attachFileBrowser(ui::SshPane *pane);
    ui::SshPane *addSshPane(const QString &target, const ssh::SshHostConfig &host, bool sandbox);
    void onBucketsLoaded(const QString &accountId);
    void updateRequests();
    void saveLocation(const QString &accountId, const QString &bucket, const QString &prefix);
    void restoreLastLocationIfPossible(const QString &accountId);

    QPointer<AccountRegistry> m_registry;
    QPointer<TransferEngine> m_engine;
    AccountTreeModel *m_accounts = nullptr;
    AddedAccounts *m_added = nullptr;
    QTreeView *m_tree = nullptr;
    QStackedWidget *m_panes = nullptr;
    QLabel *m_welcome = nullptr;
    ui::BucketBrowser *m_browser = nullptr;
    ui::TransferPane *m_transfers = nullptr;
    ui::InstancePane *m_instances = nullptr;
    QDockWidget *m_transferDock = nullptr;
    StatusPanel *m_status = nullptr;
    bool m_restoredLocation = false;
    QPointer<CredentialStore> m_store;
    ssh::SshConfig m_sshConfig;
    QHash<QString, ui::SshPane *> m_sshPanes;
    struct SandboxSsh {
        ssh::SshHostConfig host;
        ssh::KnownHosts knownHosts;
    };
    std::optional<SandboxSsh> m_sandboxSsh;
};

} // namespace skydeck::gui
