// The VMs pane with an Azure account against the arm peer (tests/servers/arm_server.py): the
// subscription's VMs are listed with their GPUs and addresses, a VM that is only "stopped" says it
// is still billed, a click on Start shows the transition at once and the row becomes running with
// a public address; Stop deallocates; a failed operation's error stays on the row; prices from
// the catalog with their source; Launch… makes a VM on Azure (SSH from the address given only) and
// its row follows it to running, and a launch Azure refuses says why.
#include "AccountRegistry.h"
#include "AzureProvider.h"
#include "GuiTestMain.h"
#include "InstanceFilterProxy.h"
#include "InstanceModel.h"
#include "InstancePane.h"
#include "LaunchDialog.h"
#include "Peers.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLineEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTableView>
#include <QToolButton>
#include <QUuid>

using namespace skydeck;
using skydeck::ui::InstanceModel;
using skydeck::ui::InstancePane;

class TestInstancePaneAzure : public QObject
{
    Q_OBJECT
    QString m_endpoint, m_control;
    QNetworkAccessManager m_nam;

    void control(const QString &path, const QJsonObject &body)
    {
        QNetworkRequest req(QUrl(m_control + path));
        req.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        QNetworkReply *reply = m_nam.post(req, QJsonDocument(body).toJson());
        QSignalSpy done(reply, &QNetworkReply::finished);
        QVERIFY(reply->isFinished() || done.wait(10000));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        reply->deleteLater();
    }

    Account account(const QString &subscription) const
    {
        Account a;
        a.id = QStringLiteral("azure:gui");
        a.provider = QStringLiteral("azure");
        a.displayName = QStringLiteral("Azure · test");
        a.settings = {{QStringLiteral("tenantId"), skydeck::test::peerValue("SKYDECK_TEST_ARM_TENANT")},
                      {QStringLiteral("clientId"), skydeck::test::peerValue("SKYDECK_TEST_ARM_CLIENT_ID")},
                      {QStringLiteral("subscriptionId"), subscription},
                      {QStringLiteral("authorityHost"), m_endpoint},
                      {QStringLiteral("endpoint"), m_endpoint},
                      {QStringLiteral("audience"), QStringLiteral("https://management.azure.com")}};
        a.secrets = {{QStringLiteral("clientSecret"), skydeck::test::peerValue("SKYDECK_TEST_ARM_CLIENT_SECRET")}};
        return a;
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

    static QString keyOf(InstancePane *pane, const QString &name)
    {
        for (int r = 0; r < pane->model()->rowCount(); ++r)
            if (pane->model()->instance(r).name == name)
                return pane->model()->instance(r).key();
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        SKYDECK_REQUIRE_PEER(m_endpoint, "SKYDECK_TEST_ARM_ENDPOINT");
        SKYDECK_REQUIRE_PEER(m_control, "SKYDECK_TEST_ARM_CONTROL");
        azure::registerProviders();
    }

    void pricesFromTheCatalogWithTheirSource()
    {
        // A VM in a zone of eastus (its zone is "1", a number: the price is the region's), a Spot one,
        // and one in westeurope, a region the shipped Azure rows do not cover.
        const QString sub = QUuid::createUuid().toString(QUuid::WithoutBraces);
        auto vm = [](const QString &name, const QString &location, const QString &size, const QString &priority) {
            return QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("power"), QStringLiteral("running")},
                               {QStringLiteral("vmSize"), size}, {QStringLiteral("resourceGroup"), QStringLiteral("price-rg")},
                               {QStringLiteral("location"), location}, {QStringLiteral("zones"), QJsonArray{QStringLiteral("1")}},
                               {QStringLiteral("priority"), priority}};
        };
        control(QStringLiteral("/seed"),
                {{QStringLiteral("subscription"), sub},
                 {QStringLiteral("vms"), QJsonArray{vm(QStringLiteral("price-a100"), QStringLiteral("eastus"),
                                                       QStringLiteral("Standard_NC24ads_A100_v4"), QStringLiteral("Regular")),
                                                    vm(QStringLiteral("price-spot"), QStringLiteral("westus2"),
                                                       QStringLiteral("Standard_NC4as_T4_v3"), QStringLiteral("Spot")),
                                                    vm(QStringLiteral("price-we"), QStringLiteral("westeurope"),
                                                       QStringLiteral("Standard_NC4as_T4_v3"), QStringLiteral("Regular"))}}});
        AccountRegistry registry;
        registry.addAccount(account(sub));
        InstancePane pane(&registry);
        pane.show();
        QTRY_COMPARE_WITH_TIMEOUT(pane.model()->rowCount(), 3, 15000);
        const QString a100 = keyOf(&pane, QStringLiteral("price-a100"));
        const QString spot = keyOf(&pane, QStringLiteral("price-spot"));
        const QString we = keyOf(&pane, QStringLiteral("price-we"));
        QCOMPARE(cell(&pane, a100, InstanceModel::PriceColumn), QStringLiteral("$3.67"));  // azure.csv: 3.673
        const QString tip = cell(&pane, a100, InstanceModel::PriceColumn, Qt::ToolTipRole);
        QVERIFY2(tip.contains(QLatin1String("azure.csv line 8")), qPrintable(tip));
        QVERIFY2(tip.contains(QLatin1String("098741e70562f65d7af1cceb81e33b284f742604")), qPrintable(tip));
        QVERIFY2(tip.contains(QLatin1String("date unknown")), qPrintable(tip));
        QCOMPARE(cell(&pane, spot, InstanceModel::PriceColumn), QStringLiteral("$0.062"));  // SpotPrice 0.061595 in westus2
        QCOMPARE(cell(&pane, we, InstanceModel::PriceColumn), QStringLiteral("—"));
        QVERIFY(cell(&pane, we, InstanceModel::PriceColumn, Qt::ToolTipRole)
                    .contains(QLatin1String("no price in the catalog for Standard_NC4as_T4_v3 in westeurope")));
    }

    void launchFromThePane()
    {
        const QString sub = QUuid::createUuid().toString(QUuid::WithoutBraces);
        control(QStringLiteral("/seed"), {{QStringLiteral("subscription"), sub}, {QStringLiteral("transitionSeconds"), 1},
                                         {QStringLiteral("retryAfter"), 1}});
        QTemporaryDir keys;
        QFile pub(keys.filePath(QStringLiteral("id_ed25519.pub")));
        QVERIFY(pub.open(QIODevice::WriteOnly));
        pub.write("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGxZbq3Ryc2ZRv9yD8mYg8E7nF1yk3K1m8J5R2b0F7q1 gui@test\n");
        pub.close();

        AccountRegistry registry;
        registry.addAccount(account(sub));
        InstancePane pane(&registry);
        pane.model()->setPollIntervals(200, 1000);
        pane.resize(1500, 700);
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
        QSignalSpy failed(pane.model(), &InstanceModel::launchFailed);
        QSignalSpy launched(pane.model(), &InstanceModel::launched);

        auto fill = [&](const QString &name, const QString &size) -> skydeck::ui::LaunchDialog * {
            pane.launchAction()->trigger();
            auto *dlg = pane.findChild<skydeck::ui::LaunchDialog *>();
            if (!dlg)
                return nullptr;
            dlg->nameEdit()->setText(name);
            dlg->regionBox()->setCurrentText(QStringLiteral("eastus"));
            dlg->machineTypes()->setCurrentIndex(dlg->machineTypes()->findData(size));
            dlg->sshKeyEdit()->setText(pub.fileName());
            dlg->sshFromEdit()->setText(QStringLiteral("81.2.69.160"));
            return dlg;
        };
        skydeck::ui::LaunchDialog *dlg = fill(QStringLiteral("gui-launched"), QStringLiteral("Standard_NC4as_T4_v3"));
        QVERIFY(dlg);
        QVERIFY2(dlg->priceText().contains(QLatin1String("$0.526 per hour")), qPrintable(dlg->priceText()));
        QPushButton *go = dlg->findChild<QPushButton *>(QStringLiteral("launchButton"));
        QVERIFY2(go->isEnabled(), qPrintable(dlg->problem()));
        QTest::mouseClick(go, Qt::LeftButton);
        QVERIFY(launched.wait(30000));
        const QString key = launched.first().first().toString();
        QTRY_COMPARE_WITH_TIMEOUT(cell(&pane, key, InstanceModel::StateColumn), QStringLiteral("running"), 15000);
        QCOMPARE(cell(&pane, key, InstanceModel::NameColumn), QStringLiteral("gui-launched"));
        QCOMPARE(cell(&pane, key, InstanceModel::GpuColumn), QStringLiteral("1 × T4"));
        QVERIFY(!cell(&pane, key, InstanceModel::PublicIpColumn).isEmpty());
        QCOMPARE(cell(&pane, key, InstanceModel::PriceColumn), QStringLiteral("$0.526"));

        // Azure refuses a Gen1 image on the A100 size: the pane says so.
        QTRY_VERIFY(!pane.findChild<skydeck::ui::LaunchDialog *>());  // the first dialog is gone
        dlg = fill(QStringLiteral("gui-gen1"), QStringLiteral("Standard_NC24ads_A100_v4"));
        QVERIFY(dlg);
        dlg->imageBox()->setCurrentText(QStringLiteral("Canonical:0001-com-ubuntu-server-jammy:22_04-lts:latest"));
        QTest::mouseClick(dlg->findChild<QPushButton *>(QStringLiteral("launchButton")), Qt::LeftButton);
        QVERIFY(failed.wait(30000));
        const auto error = failed.first().first().value<skydeck::Error>();
        QVERIFY2(error.message().contains(QLatin1String("cannot boot Hypervisor Generation '1'")), qPrintable(error.toString()));
    }

    void startStopAndAFailedStart()
    {
        const QString sub = QUuid::createUuid().toString(QUuid::WithoutBraces);
        auto vm = [](const QString &name, const QString &power, const QString &size) {
            return QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("power"), power},
                               {QStringLiteral("vmSize"), size}, {QStringLiteral("resourceGroup"), QStringLiteral("gui-rg")},
                               {QStringLiteral("location"), QStringLiteral("westeurope")},
                               {QStringLiteral("publicIpAllocation"), QStringLiteral("Dynamic")}};
        };
        control(QStringLiteral("/seed"),
                {{QStringLiteral("subscription"), sub}, {QStringLiteral("transitionSeconds"), 1.5},
                 {QStringLiteral("retryAfter"), 1},
                 {QStringLiteral("vms"), QJsonArray{vm(QStringLiteral("gui-t4"), QStringLiteral("deallocated"),
                                                       QStringLiteral("Standard_NC4as_T4_v3")),
                                                    vm(QStringLiteral("gui-v100"), QStringLiteral("stopped"),
                                                       QStringLiteral("Standard_NC6s_v3"))}}});

        AccountRegistry registry;
        registry.addAccount(account(sub));
        InstancePane pane(&registry);
        new QAbstractItemModelTester(pane.model(), QAbstractItemModelTester::FailureReportingMode::QtTest, &pane);
        pane.model()->setPollIntervals(200, 1000);
        pane.resize(1500, 700);
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));

        QTRY_COMPARE_WITH_TIMEOUT(pane.model()->rowCount(), 2, 15000);
        const QString t4 = keyOf(&pane, QStringLiteral("gui-t4"));
        const QString v100 = keyOf(&pane, QStringLiteral("gui-v100"));
        QVERIFY(!t4.isEmpty() && !v100.isEmpty());
        QCOMPARE(cell(&pane, t4, InstanceModel::StateColumn), QStringLiteral("stopped"));
        QCOMPARE(cell(&pane, t4, InstanceModel::GpuColumn), QStringLiteral("1 × T4"));
        QVERIFY(cell(&pane, t4, InstanceModel::PublicIpColumn).isEmpty());
        QVERIFY(!cell(&pane, t4, InstanceModel::PrivateIpColumn).isEmpty());
        QCOMPARE(cell(&pane, v100, InstanceModel::StateColumn), QStringLiteral("stopped (still billed)"));
        QVERIFY(cell(&pane, v100, InstanceModel::StateColumn, Qt::ToolTipRole).contains(QLatin1String("still billed")));

        // Start the deallocated T4: the transition at once, then running with a new public address.
        clickRow(&pane, t4);
        QCOMPARE(pane.selectedKeys(), QStringList{t4});
        QToolButton *start = buttonFor(&pane, pane.startAction());
        QVERIFY(start && start->isEnabled());
        QTest::mouseClick(start, Qt::LeftButton);
        QCOMPARE(cell(&pane, t4, InstanceModel::StateColumn), QStringLiteral("stopped → starting…"));
        QTRY_COMPARE_WITH_TIMEOUT(cell(&pane, t4, InstanceModel::StateColumn), QStringLiteral("running"), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(!cell(&pane, t4, InstanceModel::PublicIpColumn).isEmpty(), 10000);
        QVERIFY(!cell(&pane, t4, InstanceModel::UptimeColumn).isEmpty());

        // Stop the still-billed V100: Stop deallocates it.
        clickRow(&pane, v100);
        QTRY_VERIFY(pane.stopAction()->isEnabled());
        QTest::mouseClick(buttonFor(&pane, pane.stopAction()), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(cell(&pane, v100, InstanceModel::StateColumn), QStringLiteral("stopped"), 20000);
        QVERIFY(cell(&pane, v100, InstanceModel::StateColumn, Qt::ToolTipRole).contains(QLatin1String("deallocated")));

        // A start that Azure fails: the operation's error stays on the row, the VM stays stopped.
        control(QStringLiteral("/fail-next-operation"),
                {{QStringLiteral("subscription"), sub}, {QStringLiteral("code"), QStringLiteral("AllocationFailed")},
                 {QStringLiteral("message"), QStringLiteral("Allocation failed. We do not have sufficient capacity.")}});
        QSignalSpy errors(pane.model(), &InstanceModel::errorOccurred);
        clickRow(&pane, v100);
        QTRY_VERIFY(pane.startAction()->isEnabled());
        QTest::mouseClick(buttonFor(&pane, pane.startAction()), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!cell(&pane, v100, 0, InstanceModel::ErrorRole).isEmpty(), 20000);
        QVERIFY2(cell(&pane, v100, 0, InstanceModel::ErrorRole).contains(QLatin1String("Allocation failed")),
                 qPrintable(cell(&pane, v100, 0, InstanceModel::ErrorRole)));
        QVERIFY(errors.size() >= 1);
        QTRY_COMPARE_WITH_TIMEOUT(cell(&pane, v100, InstanceModel::StateColumn), QStringLiteral("stopped"), 10000);
    }
};

SKYDECK_GUI_TEST_MAIN(TestInstancePaneAzure)
#include "tst_instancepane_azure.moc"
