// The main window against s3rver: the account tree (providers → accounts → buckets, the sandbox
// labelled), opening a bucket, keyboard shortcuts, the last location and window state in
// QSettings, bucket-listing errors shown in the tree and the status bar, the Add account dialog's AWS page (tst_addaccount has every kind).
#include "AccountRegistry.h"
#include "AccountTreeModel.h"
#include "AddAccountDialog.h"
#include "AddedAccounts.h"
#include "AwsProvider.h"
#include "BucketBrowser.h"
#include "MainWindow.h"
#include "ObjectListModel.h"
#include "Peers.h"
#include "ProviderWorker.h"
#include "StatusPanel.h"
#include "StorageClient.h"
#include "TransferEngine.h"

#include "GuiTestMain.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QTimer>
#include <QRandomGenerator>
#include <QSettings>
#include <QTableView>
#include <QTreeView>

using namespace skydeck;
using skydeck::gui::AccountTreeModel;
using skydeck::gui::MainWindow;

class TestMainWindow : public QObject
{
    Q_OBJECT
    QString m_endpoint;
    QString m_bucket;

    static Account s3Account(const QString &id, const QString &endpoint, bool sandbox)
    {
        Account a;
        a.id = id;
        a.provider = QStringLiteral("aws");
        a.displayName = sandbox ? QStringLiteral("Sandbox S3 (local, not a cloud account)") : id;  // as Sandbox::s3Account
        a.sandbox = sandbox;
        a.settings = {{QStringLiteral("endpoint"), endpoint},
                      {QStringLiteral("region"), QStringLiteral("us-east-1")},
                      {QStringLiteral("addressingStyle"), QStringLiteral("path")},
                      {QStringLiteral("accessKeyId"), QStringLiteral("S3RVER")}};
        a.secrets = {{QStringLiteral("secretAccessKey"), QStringLiteral("S3RVER")}};
        return a;
    }

private Q_SLOTS:
    void initTestCase()
    {
        SKYDECK_REQUIRE_PEER(m_endpoint, "SKYDECK_TEST_S3_ENDPOINT");
        aws::registerProviders();
        // One bucket with a folder to browse.
        AccountRegistry reg;
        reg.addAccount(s3Account(QStringLiteral("setup"), m_endpoint, false));
        StorageClient *c = reg.storage(QStringLiteral("setup"));
        m_bucket = QStringLiteral("win-%1").arg(QRandomGenerator::global()->generate() % 1000000);
        const QString b = m_bucket;
        QVERIFY(waitFor(reg.worker(QStringLiteral("setup"))->run<Done>([c, b](const CancelToken &t, Callback<Done> d) {
                    c->createBucket(b, QString(), t, d);
                })).ok());
        QVERIFY(waitFor(reg.worker(QStringLiteral("setup"))->run<PutResult>([c, b](const CancelToken &t, Callback<PutResult> d) {
                    c->putObject(b, QStringLiteral("docs/readme.txt"), "hello", PutOptions{}, ProgressFn(), t, d);
                })).ok());
    }

    void treeBrowserShortcutsAndSettings()
    {
        QSettings().clear();
        AccountRegistry registry;
        TransferEngine engine(&registry);
        MainWindow w(&registry, &engine, nullptr);
        new QAbstractItemModelTester(w.accountModel(), QAbstractItemModelTester::FailureReportingMode::QtTest, &w);
        w.show();
        registry.addAccount(s3Account(QStringLiteral("sandbox:s3"), m_endpoint, true));
        registry.addAccount(s3Account(QStringLiteral("aws:broken"), QStringLiteral("http://127.0.0.1:1"), false));

        // Providers → accounts → buckets; the sandbox is labelled as such.
        QTRY_VERIFY_WITH_TIMEOUT(w.accountModel()->bucketIndex(QStringLiteral("sandbox:s3"), m_bucket).isValid(), 20000);
        const QModelIndex sandbox = w.accountModel()->accountIndex(QStringLiteral("sandbox:s3"));
        QCOMPARE(sandbox.data().toString(), QStringLiteral("Sandbox S3 (local, not a cloud account)"));
        QVERIFY(sandbox.data(Qt::ToolTipRole).toString().contains(QLatin1String("not a cloud account")));
        QCOMPARE(sandbox.parent().data(AccountTreeModel::KindRole).toInt(), int(AccountTreeModel::ProviderNode));
        // An account whose endpoint refuses: an error row in the tree and in the status bar.
        const QModelIndex broken = w.accountModel()->accountIndex(QStringLiteral("aws:broken"));
        QVERIFY(broken.isValid());
        QTRY_VERIFY_WITH_TIMEOUT(w.accountModel()->index(0, 0, broken).data().toString().contains(QStringLiteral("retry")), 30000);
        QCOMPARE(w.accountModel()->index(0, 0, broken).data(AccountTreeModel::KindRole).toInt(),
                 int(AccountTreeModel::MessageNode));
        QVERIFY(!w.statusPanel()->errorText().isEmpty());

        // Activating a bucket opens it in the browser.
        const QModelIndex bucket = w.accountModel()->bucketIndex(QStringLiteral("sandbox:s3"), m_bucket);
        Q_EMIT w.accountTree()->activated(bucket);
        ui::BucketBrowser *b = w.browser();
        QCOMPARE(b->bucket(), m_bucket);
        QTRY_VERIFY_WITH_TIMEOUT(b->model()->isComplete(), 20000);
        QCOMPARE(b->model()->rowCount(), 1);
        QCOMPARE(b->model()->keyAt(0), QStringLiteral("docs/"));

        // Into the folder, then the shortcuts: Alt+Up, Alt+Left, Alt+Right, Ctrl+L, F5.
        Q_EMIT b->view()->activated(b->model()->index(0, 0));
        QCOMPARE(b->prefix(), QStringLiteral("docs/"));
        QTRY_VERIFY(b->model()->isComplete());
        b->view()->setFocus();
        QTest::keyClick(b->view(), Qt::Key_Up, Qt::AltModifier);
        QCOMPARE(b->prefix(), QString());
        QTest::keyClick(b->view(), Qt::Key_Left, Qt::AltModifier);
        QCOMPARE(b->prefix(), QStringLiteral("docs/"));
        QTest::keyClick(b->view(), Qt::Key_Right, Qt::AltModifier);
        QCOMPARE(b->prefix(), QString());
        QTest::keyClick(b->view(), Qt::Key_L, Qt::ControlModifier);
        QVERIFY(b->filterEdit()->hasFocus());
        QCOMPARE(b->refreshAction()->shortcut(), QKeySequence(Qt::Key_F5));
        QCOMPARE(b->renameAction()->shortcut(), QKeySequence(Qt::Key_F2));
        QCOMPARE(b->newFolderAction()->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
        QCOMPARE(b->uploadAction()->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_U));
        QCOMPARE(b->deleteAction()->shortcut(), QKeySequence(QKeySequence::Delete));

        // The filter: typed text narrows on the server by name prefix ("zz": nothing).
        QTest::keyClicks(b->filterEdit(), QStringLiteral("zz"));
        QTest::keyClick(b->filterEdit(), Qt::Key_Return);
        QTRY_VERIFY(b->model()->isComplete());
        QCOMPARE(b->model()->namePrefix(), QStringLiteral("zz"));
        QCOMPARE(b->model()->rowCount(), 0);

        // The last location and the window state are remembered.
        QSettings s;
        QCOMPARE(s.value(QStringLiteral("location/account")).toString(), QStringLiteral("sandbox:s3"));
        QCOMPARE(s.value(QStringLiteral("location/bucket")).toString(), m_bucket);
        w.close();
        QVERIFY(!QSettings().value(QStringLiteral("window/state")).toByteArray().isEmpty());
        QVERIFY(!QSettings().value(QStringLiteral("window/geometry")).toByteArray().isEmpty());
    }

    void restoresTheLastLocation()
    {
        QSettings s;
        s.setValue(QStringLiteral("location/account"), QStringLiteral("sandbox:s3"));
        s.setValue(QStringLiteral("location/bucket"), m_bucket);
        s.setValue(QStringLiteral("location/prefix"), QStringLiteral("docs/"));
        AccountRegistry registry;
        TransferEngine engine(&registry);
        MainWindow w(&registry, &engine, nullptr);
        registry.addAccount(s3Account(QStringLiteral("sandbox:s3"), m_endpoint, true));
        QTRY_COMPARE(w.browser()->bucket(), m_bucket);
        QCOMPARE(w.browser()->prefix(), QStringLiteral("docs/"));
        QTRY_VERIFY(w.browser()->model()->isComplete());
        QCOMPARE(w.browser()->model()->keyAt(0), QStringLiteral("docs/readme.txt"));
    }

    // The tree's menu removes an account added in the window, after asking; a discovered one
    // (environment, ~/.aws) cannot be removed there.
    void removeAddedAccountAsksFirst()
    {
        QSettings().clear();
        AccountRegistry registry;
        TransferEngine engine(&registry);
        MainWindow w(&registry, &engine, nullptr);
        Account added = s3Account(QStringLiteral("aws:added:lab"), m_endpoint, false);
        added.source = gui::AddedAccounts::addedSource();
        registry.addAccount(added);
        registry.addAccount(s3Account(QStringLiteral("aws:profile:default"), m_endpoint, false));
        auto *tree = w.findChild<QTreeView *>(QStringLiteral("accountTree"));
        auto *model = qobject_cast<AccountTreeModel *>(tree->model());
        std::unique_ptr<QMenu> found(w.treeMenu(model->accountIndex(QStringLiteral("aws:profile:default"))));
        QVERIFY(found);
        QVERIFY(!found->findChild<QAction *>(QStringLiteral("removeAccount"))->isEnabled());
        std::unique_ptr<QMenu> menu(w.treeMenu(model->accountIndex(added.id)));
        QVERIFY(menu);
        QAction *remove = menu->findChild<QAction *>(QStringLiteral("removeAccount"));
        QVERIFY(remove && remove->isEnabled());
        // Cancel keeps it; Yes removes it.
        for (const auto button : {QMessageBox::Cancel, QMessageBox::Yes}) {
            QTimer::singleShot(0, &w, [button] {
                QTRY_VERIFY(qobject_cast<QMessageBox *>(QApplication::activeModalWidget()));
                auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
                QVERIFY(box->text().contains(QStringLiteral("aws:added:lab")));
                box->button(button)->click();
            });
            QCOMPARE(w.removeAddedAccount(added.id), button == QMessageBox::Yes);
        }
        QVERIFY(!registry.account(added.id));
        QVERIFY(registry.account(QStringLiteral("aws:profile:default")));
        QVERIFY(!model->accountIndex(added.id).isValid());
    }

    void addAccountDialogValidates()
    {
        gui::AddAccountDialog dlg;
        QVERIFY(!dlg.validate().isEmpty());
        dlg.nameEdit()->setText(QStringLiteral("Lab MinIO"));
        dlg.keyIdEdit()->setText(QStringLiteral("AKIDEXAMPLE"));
        QVERIFY(dlg.validate().contains(QStringLiteral("secret")));
        dlg.secretEdit()->setText(QStringLiteral("s3cr3t"));
        dlg.endpointEdit()->setText(QStringLiteral("ftp://nope"));
        QVERIFY(dlg.validate().contains(QStringLiteral("http")));
        dlg.endpointEdit()->setText(QStringLiteral("http://127.0.0.1:9000"));
        dlg.pathStyleBox()->setChecked(true);
        QVERIFY(dlg.validate().isEmpty());
        const Account a = dlg.account();
        QCOMPARE(a.id, QStringLiteral("aws:added:lab-minio"));
        QCOMPARE(a.provider, QStringLiteral("aws"));
        QCOMPARE(a.setting(QStringLiteral("endpoint")), QStringLiteral("http://127.0.0.1:9000"));
        QCOMPARE(a.setting(QStringLiteral("addressingStyle")), QStringLiteral("path"));
        QCOMPARE(a.setting(QStringLiteral("accessKeyId")), QStringLiteral("AKIDEXAMPLE"));
        QVERIFY(a.secrets.isEmpty());  // the secret goes to the keychain, never into settings
        QCOMPARE(dlg.secret(), QStringLiteral("s3cr3t"));
    }
};

SKYDECK_GUI_TEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
