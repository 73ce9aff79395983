#include "MainWindow.h"

#include "AccountRegistry.h"
#include "AccountTreeModel.h"
#include "AddAccountDialog.h"
#include "AddedAccounts.h"
#include "BucketBrowser.h"
#include "ConnectHostDialog.h"
#include "FileBrowser.h"
#include "CredentialStore.h"
#include "GuiLogging.h"
#include "InstanceModel.h"
#include "InstancePane.h"
#include "ObjectListModel.h"
#include "SftpClient.h"
#include "SftpStorage.h"
#include "SshHostList.h"
#include "SshPane.h"
#include "SshSession.h"
#include "StatusPanel.h"
#include "TransferEngine.h"
#include "TransferPane.h"
#include "TransferQueueModel.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QTreeView>

namespace skydeck::gui {

MainWindow::MainWindow(AccountRegistry *registry, TransferEngine *engine, CredentialStore *store, QWidget *parent)
    : QMainWindow(parent), m_registry(registry), m_engine(engine), m_store(store)
{
    setWindowTitle(QStringLiteral("Skydeck"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/skydeck.svg")));
    setObjectName(QStringLiteral("MainWindow"));

    m_accounts = new AccountTreeModel(registry, this);
    m_added = new AddedAccounts(registry, store, this);

    m_tree = new QTreeView(this);
    m_tree->setObjectName(QStringLiteral("accountTree"));
    m_tree->setModel(m_accounts);
    m_tree->setHeaderHidden(true);
    m_tree->setUniformRowHeights(true);
    m_tree->setExpandsOnDoubleClick(true);
    m_tree->setMinimumWidth(260);
    connect(m_tree, &QTreeView::activated, this, &MainWindow::onTreeActivated);
    connect(m_tree, &QTreeView::clicked, this, &MainWindow::onTreeActivated);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_tree, &QWidget::customContextMenuRequested, this, &MainWindow::showTreeMenu);
    connect(m_accounts, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &under, int, int) {
        if (under.isValid())
            m_tree->expand(under);
        for (int r = 0; r < m_accounts->rowCount(); ++r)
            m_tree->expand(m_accounts->index(r, 0));
    });
    connect(m_accounts, &AccountTreeModel::bucketsLoaded, this, &MainWindow::onBucketsLoaded);
    connect(m_accounts, &AccountTreeModel::errorOccurred, this, &MainWindow::showError);
    connect(m_accounts, &AccountTreeModel::loadingChanged, this, &MainWindow::updateRequests);

    m_browser = new ui::BucketBrowser(engine, this);
    m_browser->setObjectName(QStringLiteral("bucketBrowser"));
    m_welcome = new QLabel(this);
    m_welcome->setAlignment(Qt::AlignCenter);
    m_welcome->setWordWrap(true);
    m_welcome->setText(tr("<h2>Skydeck</h2><p>Choose a bucket on the left to browse it.</p>"
                          "<p>Accounts come from your AWS environment and ~/.aws files, the local sandbox, "
                          "or <i>File → Add account…</i> (AWS, Google Cloud, Azure)</p>"
                          "<p>SSH hosts come from ~/.ssh/config, or <i>File → Connect to SSH host…</i></p>"
                          "<p><i>Virtual machines</i> lists the instances of your EC2, Compute Engine and Azure accounts.</p>"));
    m_panes = new QStackedWidget(this);
    m_panes->addWidget(m_welcome);
    m_panes->addWidget(m_browser);

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->setObjectName(QStringLiteral("mainSplitter"));
    split->addWidget(m_tree);
    split->addWidget(m_panes);
    split->setStretchFactor(1, 1);
    split->setSizes({320, 1080});
    setCentralWidget(split);

    m_transfers = new ui::TransferPane(engine, this);
    m_transferDock = new QDockWidget(tr("Transfers"), this);
    m_transferDock->setObjectName(QStringLiteral("transfersDock"));
    m_transferDock->setWidget(m_transfers);
    m_transferDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable
                                | QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::BottomDockWidgetArea, m_transferDock);
    resizeDocks({m_transferDock}, {200}, Qt::Vertical);

    m_status = new StatusPanel(this);
    statusBar()->addPermanentWidget(m_status);
    connect(m_browser, &ui::BucketBrowser::activity, this, [this](const QString &m) { statusBar()->showMessage(m, 8000); });
    connect(m_browser, &ui::BucketBrowser::errorOccurred, this, &MainWindow::showError);
    connect(m_browser, &ui::BucketBrowser::runningChanged, this, &MainWindow::updateRequests);
    connect(m_browser->model(), &ui::ObjectListModel::stateChanged, this, &MainWindow::updateRequests);
    connect(m_browser, &ui::BucketBrowser::locationChanged, this, &MainWindow::saveLocation);
    connect(m_transfers, &ui::TransferPane::summaryChanged, this, [this](const QString &summary) {
        m_status->setTransfers(m_transfers->model()->activeCount(), summary);
    });
    connect(engine, &TransferEngine::expansionFailed, this, &MainWindow::showError);
    connect(engine, &TransferEngine::transferChanged, this, [this](const TransferStatus &s) {
        if (s.state == TransferState::Failed)
            showError(s.error);
    });
    connect(m_added, &AddedAccounts::message, this, [this](const QString &m) { statusBar()->showMessage(m, 8000); });
    connect(m_added, &AddedAccounts::errorOccurred, this, &MainWindow::showError);
    connect(registry, &AccountRegistry::accountsChanged, this, [this] {
        for (const Account &a : m_registry->accounts())
            restoreLastLocationIfPossible(a.id);
    });

    buildMenus();
    reloadSshHosts();

    QSettings s;
    if (!restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1400, 900);
    restoreState(s.value(QStringLiteral("window/state")).toByteArray());
    split->restoreState(s.value(QStringLiteral("window/splitter")).toByteArray());
    statusBar()->showMessage(tr("Ready"), 3000);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *add = file->addAction(QIcon(QStringLiteral(":/icons/add-account.svg")), tr("Add account…"));
    connect(add, &QAction::triggered, this, &MainWindow::addAccount);
    QAction *sshConnect = file->addAction(QIcon(QStringLiteral(":/icons/terminal.svg")), tr("Connect to SSH host…"));
    connect(sshConnect, &QAction::triggered, this, &MainWindow::connectToSshHost);
    file->addSeparator();
    file->addAction(m_browser->uploadAction());
    file->addAction(m_browser->uploadFolderAction());
    file->addAction(m_browser->downloadAction());
    file->addSeparator();
    QAction *quit = file->addAction(tr("Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_browser->newFolderAction());
    edit->addAction(m_browser->renameAction());
    edit->addAction(m_browser->deleteAction());
    edit->addSeparator();
    edit->addAction(m_browser->copyUrlAction());
    edit->addAction(m_browser->propertiesAction());

    QMenu *go = menuBar()->addMenu(tr("&Go"));
    go->addAction(m_browser->backAction());
    go->addAction(m_browser->forwardAction());
    go->addAction(m_browser->upAction());
    go->addAction(m_browser->refreshAction());
    go->addAction(m_browser->focusFilterAction());
    go->addSeparator();
    QAction *vms = go->addAction(QIcon(QStringLiteral(":/icons/server.svg")), tr("Virtual machines"));
    vms->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M));
    connect(vms, &QAction::triggered, this, [this] { openInstances(); });

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *toggle = m_transferDock->toggleViewAction();
    toggle->setIcon(QIcon(QStringLiteral(":/icons/transfers.svg")));
    view->addAction(toggle);
    view->addAction(m_transfers->clearFinishedAction());
}

void MainWindow::addAccount()
{
    AddAccountDialog dlg(this);
    if (dlg.exec() != QDialog::Accepted)
        return;
    const Account a = dlg.account();
    if (m_registry->account(a.id)
        && QMessageBox::question(this, tr("Replace account"),
                                 tr("An account named %1 exists. Replace its settings?").arg(a.displayName))
               != QMessageBox::Yes)
        return;
    m_added->add(a, dlg.secretName(), dlg.secret());
    statusBar()->showMessage(a.provider == QLatin1String("aws") ? tr("Added %1; listing its buckets…").arg(a.displayName)
                                                                : tr("Added %1; its VMs are under Virtual machines").arg(a.displayName),
                             5000);
}

void MainWindow::reloadSshHosts()
{
    m_sshConfig = ssh::SshConfig::load();
    for (const QString &note : m_sshConfig.notes())
        qCInfo(lcUi) << "ssh config:" << note;
    showSshHosts();
}

void MainWindow::showSshHosts()
{
    QList<SshHostEntry> hosts = SshHostList::entries(m_sshConfig);
    if (m_sandboxSsh)
        hosts.prepend(SshHostList::sandboxEntry(m_sandboxSsh->host));
    m_accounts->setSshHosts(hosts);
}

void MainWindow::setSandboxSsh(const ssh::SshHostConfig &host, const ssh::KnownHosts &knownHosts)
{
    m_sandboxSsh = SandboxSsh{host, knownHosts};
    showSshHosts();
}

void MainWindow::connectToSshHost()
{
    auto *dlg = new ConnectHostDialog(this);
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    connect(dlg, &QDialog::accepted, this, [this, dlg] {
        const QString target = dlg->target();
        if (dlg->saveInList() && !m_sshConfig.hosts().contains(target)) {
            SshHostList::add(target);
            showSshHosts();
        }
        openSshHost(target);
    });
    dlg->open();
}

ui::SshPane *MainWindow::openSshHost(const QString &target)
{
    if (target.isEmpty())
        return nullptr;
    ui::SshPane *pane = m_sshPanes.value(target);
    if (!pane) {
        const bool sandbox = target == SshHostList::sandboxTarget();
        if (sandbox && !m_sandboxSsh)
            return nullptr;  // the sandbox's sshd is not running
        pane = addSshPane(target, sandbox ? m_sandboxSsh->host : SshHostList::resolve(m_sshConfig, target), sandbox);
    }
    m_panes->setCurrentWidget(pane);
    setWindowTitle(QStringLiteral("%1 — Skydeck").arg(pane->host().displayName()));
    const QModelIndex hi = m_accounts->sshHostIndex(target);
    if (hi.isValid())
        m_tree->setCurrentIndex(hi);
    return pane;
}

ui::SshPane *MainWindow::addSshPane(const QString &target, const ssh::SshHostConfig &host, bool sandbox)
{
    auto *pane = new ui::SshPane(host, sandbox ? nullptr : m_store.data(), this);
    pane->session()->setSshConfig(m_sshConfig);
    if (sandbox) {
        // Its host key is trusted in the sandbox's own known_hosts only; the generated key only.
        pane->session()->setKnownHosts(m_sandboxSsh->knownHosts);
        pane->session()->setUseAgent(false);
    }
    attachFileBrowser(pane);
    m_sshPanes.insert(target, pane);
    m_panes->addWidget(pane);
    connect(pane, &ui::SshPane::errorOccurred, this, &MainWindow::showError);
    connect(pane, &ui::SshPane::activity, this, [this](const QString &m) { statusBar()->showMessage(m, 8000); });
    m_panes->setCurrentWidget(pane);
    pane->start();
    return pane;
}

ui::SshPane *MainWindow::openInstanceSsh(const ui::InstanceSshTarget &target, bool jupyter)
{
    if (!target.ok()) {
        statusBar()->showMessage(target.error, 8000);
        return nullptr;
    }
    ui::SshPane *pane = m_sshPanes.value(target.target);
    // The instance may have a new address since (stopped and started again): a new pane then.
    if (pane && (pane->host().hostName != target.host.hostName || pane->host().user != target.host.user)) {
        m_sshPanes.remove(target.target);
        pane->deleteLater();
        pane = nullptr;
    }
    if (!pane)
        pane = addSshPane(target.target, target.host, false);
    m_panes->setCurrentWidget(pane);
    setWindowTitle(QStringLiteral("%1 — Skydeck").arg(pane->host().displayName()));
    if (jupyter) {
        QAction *open = pane->openJupyterAction();
        if (open->isEnabled()) {
            open->trigger();
        } else {
            // Once the first shell is up (the pane enables the action then), once.
            auto conn = std::make_shared<QMetaObject::Connection>();
            *conn = connect(open, &QAction::changed, pane, [open, conn] {
                if (!open->isEnabled())
                    return;
                QObject::disconnect(*conn);
                open->trigger();
            });
        }
    }
    return pane;
}

ui::InstancePane *MainWindow::openInstances()
{
    if (!m_instances) {
        m_instances = new ui::InstancePane(m_registry, this);
        m_panes->addWidget(m_instances);
        connect(m_instances, &ui::InstancePane::errorOccurred, this, &MainWindow::showError);
        connect(m_instances, &ui::InstancePane::activity, this, [this](const QString &m) { statusBar()->showMessage(m, 8000); });
        connect(m_instances, &ui::InstancePane::sshRequested, this,
                [this](const ui::InstanceSshTarget &t) { openInstanceSsh(t, false); });
        connect(m_instances, &ui::InstancePane::jupyterRequested, this,
                [this](const ui::InstanceSshTarget &t) { openInstanceSsh(t, true); });
        connect(m_instances->model(), &ui::InstanceModel::refreshStarted, this, &MainWindow::updateRequests);
        connect(m_instances->model(), &ui::InstanceModel::refreshFinished, this, &MainWindow::updateRequests);
    }
    m_panes->setCurrentWidget(m_instances);
    setWindowTitle(tr("Virtual machines — Skydeck"));
    const QModelIndex vi = m_accounts->instancesIndex();
    if (vi.isValid())
        m_tree->setCurrentIndex(vi);
    return m_instances;
}

// The SFTP browser beside the terminal, on the pane's own session. It is (re)built each time the
// session becomes ready, because an SFTP channel does not survive a reconnect; the transfer engine
// reaches the host through the "sftp:" storage account registered for the session's client.
void MainWindow::attachFileBrowser(ui::SshPane *pane)
{
    ssh::SftpStorage::registerProvider();  // the engine builds "sftp:" storage clients (idempotent)
    auto current = std::make_shared<QPointer<FileBrowser>>();
    connect(pane->session(), &ssh::SshSession::ready, pane, [this, pane, current] {
        auto sftp = std::make_shared<ssh::SftpClient>(pane->session());
        const Account account = ssh::SftpStorage::accountFor(sftp->displayName());
        ssh::SftpStorage::attach(account.id, sftp);
        if (m_registry)
            m_registry->addAccount(account);  // replaces the previous session's client
        auto *browser = new FileBrowser(sftp, m_engine, account.id);
        if (m_registry)
            browser->setDragOut(m_registry->worker(account.id), m_registry->storage(account.id));
        connect(browser, &FileBrowser::errorOccurred, this, &MainWindow::showError);
        if (*current)
            (*current)->deleteLater();
        *current = browser;
        pane->setSideWidget(browser);
        whenDone(sftp->homeDirectory(), browser, [browser](const Result<QString> &home) {
            browser->navigate(home ? home.value() : QStringLiteral("/"));
        });
    });
}

void MainWindow::onTreeActivated(const QModelIndex &index)
{
    const int kind = index.data(AccountTreeModel::KindRole).toInt();
    const QString accountId = index.data(AccountTreeModel::AccountIdRole).toString();
    switch (kind) {
    case AccountTreeModel::BucketNode:
        openLocation(accountId, index.data(AccountTreeModel::BucketRole).toString(), QString());
        break;
    case AccountTreeModel::AccountNode:
        m_tree->expand(index);
        break;
    case AccountTreeModel::SshHostNode:
        openSshHost(index.data(AccountTreeModel::SshTargetRole).toString());
        break;
    case AccountTreeModel::SshConnectNode:
        connectToSshHost();
        break;
    case AccountTreeModel::InstancesNode:
        openInstances();
        break;
    case AccountTreeModel::MessageNode:
        if (!accountId.isEmpty() && index.data(Qt::DisplayRole).toString().contains(tr("retry")))
            m_accounts->reloadBuckets(accountId);
        break;
    default:
        break;
    }
}

void MainWindow::openLocation(const QString &accountId, const QString &bucket, const QString &prefix)
{
    if (!m_registry || !m_registry->account(accountId))
        return;
    if (m_browser->accountId() != accountId)
        m_browser->setAccount(accountId, m_registry->worker(accountId), m_registry->storage(accountId));
    m_panes->setCurrentWidget(m_browser);
    if (!bucket.isEmpty() && (bucket != m_browser->bucket() || prefix != m_browser->prefix()))
        m_browser->setLocation(bucket, prefix);
    const QModelIndex bi = m_accounts->bucketIndex(accountId, bucket);
    if (bi.isValid())
        m_tree->setCurrentIndex(bi);
    m_browser->view()->setFocus();
}

void MainWindow::onBucketsLoaded(const QString &accountId)
{
    m_tree->expand(m_accounts->accountIndex(accountId));
    if (m_browser->accountId() == accountId) {
        const QModelIndex bi = m_accounts->bucketIndex(accountId, m_browser->bucket());
        if (bi.isValid())
            m_tree->setCurrentIndex(bi);
    }
    restoreLastLocationIfPossible(accountId);
}

void MainWindow::restoreLastLocationIfPossible(const QString &accountId)
{
    if (m_restoredLocation)
        return;
    QSettings s;
    const QString saved = s.value(QStringLiteral("location/account")).toString();
    if (saved.isEmpty() || saved != accountId || !m_registry->account(accountId))
        return;
    m_restoredLocation = true;
    openLocation(accountId, s.value(QStringLiteral("location/bucket")).toString(),
                 s.value(QStringLiteral("location/prefix")).toString());
}

void MainWindow::saveLocation(const QString &accountId, const QString &bucket, const QString &prefix)
{
    QSettings s;
    s.setValue(QStringLiteral("location/account"), accountId);
    s.setValue(QStringLiteral("location/bucket"), bucket);
    s.setValue(QStringLiteral("location/prefix"), prefix);
    m_restoredLocation = true;  // the user has moved on: no late restore
    setWindowTitle(bucket.isEmpty() ? QStringLiteral("Skydeck")
                                    : QStringLiteral("s3://%1/%2 — Skydeck").arg(bucket, prefix));
}

void MainWindow::updateRequests()
{
    using State = ui::ObjectListModel::State;
    const State st = m_browser->model()->state();
    const int listing = (st == State::Loading || st == State::Streaming) ? 1 : 0;
    const int vms = m_instances && m_instances->model()->isRefreshing() ? 1 : 0;
    m_status->setRequests(m_accounts->loading() + m_browser->runningOperations() + listing + vms);
}

void MainWindow::showError(const Error &error)
{
    if (!error.isError() || error.category() == Error::Category::Cancelled)
        return;
    m_status->setLastError(error);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    if (auto *split = findChild<QSplitter *>(QStringLiteral("mainSplitter")))
        s.setValue(QStringLiteral("window/splitter"), split->saveState());
    if (m_engine && !m_engine->isIdle()) {
        const auto answer = QMessageBox::question(this, tr("Transfers running"),
                                                  tr("Transfers are still running. Cancel them and quit?"));
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        m_engine->cancelAll();
    }
    event->accept();
}

} // namespace skydeck::gui
