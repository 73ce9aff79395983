// The VMs pane in the main window against moto's EC2 (scripts/peers.sh ec2): the "Virtual
// machines" row opens the pane, a stopped instance is listed with its GPUs and no price (its region is
// not in the shipped catalog, and the tool tip says so), a click on
// Start shows "stopped → starting…" at once and the row becomes running; Stop the same way back;
// Terminate asks for the instance's name before it does anything; the filters narrow the table.
// The test works in a region of its own (us-east-2) so other EC2 tests on the same moto don't
// see its instances.
#include "AccountRegistry.h"
#include "AccountTreeModel.h"
#include "AwsProvider.h"
#include "ComputeClient.h"
#include "GuiTestMain.h"
#include "InstanceFilterProxy.h"
#include "InstanceModel.h"
#include "InstancePane.h"
#include "MainWindow.h"
#include "Peers.h"
#include "ProviderWorker.h"
#include "TerminateDialog.h"
#include "TransferEngine.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLineEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QTableView>
#include <QToolButton>
#include <QTreeView>

using namespace skydeck;
using skydeck::gui::AccountTreeModel;
using skydeck::gui::MainWindow;
using skydeck::ui::InstanceModel;
using skydeck::ui::InstancePane;

namespace {
const QString kRegion = QStringLiteral("us-east-2");
const QString kImage = QStringLiteral("ami-12c6146b");  // one of moto's stock images
}

class TestInstancePaneEc2 : public QObject
{
    Q_OBJECT
    QString m_endpoint;

    Account account() const
    {
        Account a;
        a.id = QStringLiteral("aws:gui-vms");
        a.provider = QStringLiteral("aws");
        a.displayName = QStringLiteral("AWS · moto");
        a.settings = {{QStringLiteral("ec2Endpoint"), m_endpoint},
                      {QStringLiteral("region"), kRegion},
                      {QStringLiteral("regionPinned"), QStringLiteral("true")},
                      {QStringLiteral("accessKeyId"), skydeck::test::peerValue("SKYDECK_TEST_EC2_ACCESS_KEY")}};
        a.secrets = {{QStringLiteral("secretAccessKey"), skydeck::test::peerValue("SKYDECK_TEST_EC2_SECRET_KEY")}};
        return a;
    }

    // A stopped g4dn.xlarge made through the real EC2 client (what the pane then finds on its own).
    static Instance launchStopped(AccountRegistry &reg, const QString &accountId, const QString &name)
    {
        ComputeClient *c = reg.compute(accountId);
        LaunchRequest r;
        r.name = name;
        r.region = kRegion;
        r.machineType = QStringLiteral("g4dn.xlarge");
        r.image = kImage;
        Result<Instance> in = waitFor(reg.worker(accountId)->run<Instance>(
            [c, r](const CancelToken &t, Callback<Instance> d) { c->launch(r, t, d); }));
        if (!in)
            qWarning() << in.error().toString();
        Instance i = in.value();
        Status st = waitFor(reg.worker(accountId)->run<Done>(
            [c, i](const CancelToken &t, Callback<Done> d) { c->act(i, InstanceAction::Stop, t, d); }));
        if (!st)
            qWarning() << st.error().toString();
        for (int n = 0; n < 50; ++n) {
            Result<Instance> now = waitFor(reg.worker(accountId)->run<Instance>(
                [c, i](const CancelToken &t, Callback<Instance> d) { c->getInstance(i, t, d); }));
            if (now && now->state == InstanceState::Stopped)
                return now.value();
            QTest::qWait(100);  // NOLINT: a poll of the provider's state in the fixture, not a UI wait
        }
        return i;
    }

    static QToolButton *buttonFor(QWidget *pane, QAction *action)
    {
        for (QToolButton *b : pane->findChildren<QToolButton *>())
            if (b->defaultAction() == action)
                return b;
        return nullptr;
    }

    static void clickRow(InstancePane *pane, const QString &key)
    {
        pane->view()->selectionModel()->clear();
        const int row = pane->model()->rowForKey(key);
        const QModelIndex pi = pane->proxy()->mapFromSource(pane->model()->index(row, InstanceModel::NameColumn));
        pane->view()->scrollTo(pi);
        QTest::mouseClick(pane->view()->viewport(), Qt::LeftButton, {}, pane->view()->visualRect(pi).center());
    }

    static QString cell(InstancePane *pane, const QString &key, int column, int role = Qt::DisplayRole)
    {
        const int row = pane->model()->rowForKey(key);
        return row < 0 ? QStringLiteral("<no row>") : pane->model()->index(row, column).data(role).toString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        SKYDECK_REQUIRE_PEER(m_endpoint, "SKYDECK_TEST_EC2_ENDPOINT");
        aws::registerProviders();
    }

    void clickStartOnAStoppedInstance()
    {
        QSettings().clear();
        AccountRegistry registry;
        registry.addAccount(account());
        const QString name = QStringLiteral("gui-%1").arg(QRandomGenerator::global()->generate() % 1000000);
        const Instance stopped = launchStopped(registry, account().id, name);
        QCOMPARE(stopped.state, InstanceState::Stopped);

        TransferEngine engine(&registry);
        MainWindow w(&registry, &engine, nullptr);
        w.resize(1500, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));

        // The tree's "Virtual machines" row opens the pane.
        const QModelIndex vms = w.accountModel()->instancesIndex();
        QVERIFY(vms.isValid());
        w.accountTree()->scrollTo(vms);
        QTest::mouseClick(w.accountTree()->viewport(), Qt::LeftButton, {}, w.accountTree()->visualRect(vms).center());
        InstancePane *pane = w.instancePane();
        QVERIFY(pane);
        QVERIFY(pane->isVisible());
        new QAbstractItemModelTester(pane->model(), QAbstractItemModelTester::FailureReportingMode::QtTest, pane);
        new QAbstractItemModelTester(pane->proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest, pane);
        pane->model()->setPollIntervals(200, 1000);

        const QString key = stopped.key();
        QTRY_COMPARE_WITH_TIMEOUT(cell(pane, key, InstanceModel::StateColumn), QStringLiteral("stopped"), 20000);
        QCOMPARE(cell(pane, key, InstanceModel::NameColumn), name);
        QCOMPARE(cell(pane, key, InstanceModel::TypeColumn), QStringLiteral("g4dn.xlarge"));
        QCOMPARE(cell(pane, key, InstanceModel::GpuColumn), QStringLiteral("1 × T4"));
        QVERIFY(cell(pane, key, InstanceModel::LocationColumn).startsWith(kRegion));
        // us-east-2 is not in the shipped catalog (SkyPilot's rows cover us-east-1, us-west-2, ...): no
        // price, and the tool tip says so, rather than another region's figure.
        QCOMPARE(cell(pane, key, InstanceModel::PriceColumn), QStringLiteral("—"));
        QVERIFY2(cell(pane, key, InstanceModel::PriceColumn, Qt::ToolTipRole)
                     .contains(QLatin1String("no price in the catalog for g4dn.xlarge in us-east-2")),
                 qPrintable(cell(pane, key, InstanceModel::PriceColumn, Qt::ToolTipRole)));
        QCOMPARE(cell(pane, key, InstanceModel::AccountColumn), QStringLiteral("AWS · moto"));

        // Select it and click Start.
        clickRow(pane, key);
        QCOMPARE(pane->selectedKeys(), QStringList{key});
        QToolButton *start = buttonFor(pane, pane->startAction());
        QVERIFY(start);
        QVERIFY(start->isEnabled());
        QVERIFY(!pane->stopAction()->isEnabled());
        QTest::mouseClick(start, Qt::LeftButton);
        QCOMPARE(cell(pane, key, InstanceModel::StateColumn), QStringLiteral("stopped → starting…"));  // at once
        QTRY_COMPARE_WITH_TIMEOUT(cell(pane, key, InstanceModel::StateColumn), QStringLiteral("running"), 20000);
        QVERIFY(!pane->model()->index(pane->model()->rowForKey(key), 0).data(InstanceModel::BusyRole).toBool());
        QVERIFY(!cell(pane, key, InstanceModel::UptimeColumn).isEmpty());
        QTRY_VERIFY(pane->stopAction()->isEnabled());
        QVERIFY(!pane->startAction()->isEnabled());

        // The filters: running only keeps it; stopped only hides it; a text that doesn't match hides it.
        pane->stateFilter()->setCurrentIndex(pane->stateFilter()->findText(QStringLiteral("Running")));
        QVERIFY(pane->proxy()->mapFromSource(pane->model()->index(pane->model()->rowForKey(key), 0)).isValid());
        pane->stateFilter()->setCurrentIndex(pane->stateFilter()->findText(QStringLiteral("Stopped")));
        QVERIFY(!pane->proxy()->mapFromSource(pane->model()->index(pane->model()->rowForKey(key), 0)).isValid());
        pane->stateFilter()->setCurrentIndex(0);
        pane->gpuFilter()->setChecked(true);
        QVERIFY(pane->proxy()->mapFromSource(pane->model()->index(pane->model()->rowForKey(key), 0)).isValid());
        pane->gpuFilter()->setChecked(false);
        QTest::keyClicks(pane->textFilter(), QStringLiteral("no-such-vm"));
        QVERIFY(!pane->proxy()->mapFromSource(pane->model()->index(pane->model()->rowForKey(key), 0)).isValid());
        pane->textFilter()->clear();

        // And Stop brings it back.
        clickRow(pane, key);
        QTest::mouseClick(buttonFor(pane, pane->stopAction()), Qt::LeftButton);
        QCOMPARE(cell(pane, key, InstanceModel::StateColumn), QStringLiteral("running → stopping…"));
        QTRY_COMPARE_WITH_TIMEOUT(cell(pane, key, InstanceModel::StateColumn), QStringLiteral("stopped"), 20000);

        // A refresh keeps the row where it is (stable key), no duplicate.
        const int rows = pane->model()->rowCount();
        QSignalSpy refreshed(pane->model(), &InstanceModel::refreshFinished);
        pane->refreshAction()->trigger();
        QVERIFY(refreshed.wait(20000));
        QCOMPARE(pane->model()->rowCount(), rows);

        // Terminate asks for the name first.
        clickRow(pane, key);
        QTest::mouseClick(buttonFor(pane, pane->terminateAction()), Qt::LeftButton);
        ui::TerminateDialog *dlg = nullptr;
        QTRY_VERIFY((dlg = pane->findChild<ui::TerminateDialog *>()) != nullptr && dlg->isVisible());
        auto *confirm = dlg->findChild<QPushButton *>(QStringLiteral("confirmButton"));
        QVERIFY(confirm);
        QVERIFY(!confirm->isEnabled());
        QTest::keyClicks(dlg->input(), name.left(name.size() - 1));
        QVERIFY(!confirm->isEnabled());
        QCOMPARE(cell(pane, key, InstanceModel::StateColumn), QStringLiteral("stopped"));  // nothing sent yet
        QTest::keyClicks(dlg->input(), name.right(1));
        QVERIFY(confirm->isEnabled());
        QTest::mouseClick(confirm, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(cell(pane, key, InstanceModel::StateColumn), QStringLiteral("terminated"), 20000);
    }
};

SKYDECK_GUI_TEST_MAIN(TestInstancePaneEc2)
#include "tst_instancepane_ec2.moc"
