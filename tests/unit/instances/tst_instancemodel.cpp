// InstanceModel and InstanceFilterProxy against a scripted in-memory ComputeClient (a test double,
// see ScriptedCompute.h; the GUI test drives the real EC2 client against moto): scopes and pages
// listed in parallel, stable keys across refreshes, pruning, a failing scope, actions with the
// transition shown at once and polled to the end, a refused action's error on its row, GPUs and
// prices from the catalog, filters and grouping, the SSH conventions.
#include "DisplayText.h"
#include "AccountRegistry.h"
#include "GuiTestMain.h"
#include "InstanceFilterProxy.h"
#include "InstanceModel.h"
#include "InstancePane.h"
#include "InstanceSsh.h"
#include "LaunchDialog.h"
#include "TerminateDialog.h"
#include "ScriptedCompute.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>

using namespace skydeck;
using namespace skydeck::ui;
using skydeck::test::ScriptedCompute;
using skydeck::test::ScriptedWorld;

namespace {
const QString kAccount = QStringLiteral("scripted:one");
std::shared_ptr<ScriptedWorld> g_world;
}

class TestInstanceModel : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<AccountRegistry> m_registry;

    void fill(int perScope, const QStringList &scopes)
    {
        QMutexLocker l(&g_world->mutex);
        g_world->scopes = scopes;
        g_world->vms.clear();
        for (const QString &s : scopes)
            for (int i = 0; i < perScope; ++i)
                g_world->vms[s].append({ScriptedWorld::make(kAccount, s, QStringLiteral("i-%1-%2").arg(s).arg(i),
                                                            i % 2 ? InstanceState::Stopped : InstanceState::Running)});
    }
    static QString text(InstanceModel &m, const QString &key, int col)
    {
        const int row = m.rowForKey(key);
        return row < 0 ? QStringLiteral("<gone>") : m.index(row, col).data().toString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        AccountRegistry::registerComputeFactory(QStringLiteral("scripted"), [](const Account &a, QObject *parent) {
            auto *c = new ScriptedCompute(g_world, parent);
            c->m_accountId = a.id;
            return c;
        });
    }

    void init()
    {
        g_world = std::make_shared<ScriptedWorld>();
        m_registry = std::make_unique<AccountRegistry>();
        Account a;
        a.id = kAccount;
        a.provider = QStringLiteral("scripted");
        a.displayName = QStringLiteral("Scripted one");
        m_registry->addAccount(a);
        Account storageOnly;  // no compute factory: never listed
        storageOnly.id = QStringLiteral("s3:only");
        storageOnly.provider = QStringLiteral("s3-nothing");
        m_registry->addAccount(storageOnly);
    }
    void cleanup() { m_registry.reset(); }

    void listsEveryScopeAndPage()
    {
        fill(5, {QStringLiteral("us-east-1"), QStringLiteral("eu-west-1"), QStringLiteral("us-west-2")});
        InstanceModel model(m_registry.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy finished(&model, &InstanceModel::refreshFinished);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.refresh();
        QVERIFY(model.isRefreshing());
        QVERIFY(finished.wait(5000));
        QCOMPARE(model.rowCount(), 15);
        QCOMPARE(g_world->listCalls, 9);  // 3 pages of 2 per scope
        QVERIFY2(inserted.count() < 15, "rows are inserted in batches, not one by one");
        const QString key = kAccount + QStringLiteral("|i-eu-west-1-0");
        QCOMPARE(text(model, key, InstanceModel::StateColumn), QStringLiteral("running"));
        QCOMPARE(text(model, key, InstanceModel::GpuColumn), QStringLiteral("1 × T4"));
        QCOMPARE(text(model, key, InstanceModel::PriceColumn), QStringLiteral("$0.587"));  // eu-west-1 list price
        QCOMPARE(text(model, key, InstanceModel::AccountColumn), QStringLiteral("Scripted one"));
        QCOMPARE(text(model, key, InstanceModel::LifecycleColumn), QStringLiteral("on-demand"));
        QVERIFY(text(model, key, InstanceModel::UptimeColumn).startsWith(QLatin1String("1 h")));
        QCOMPARE(text(model, kAccount + QStringLiteral("|i-eu-west-1-1"), InstanceModel::UptimeColumn), QString());
    }

    void keysStableAcrossRefreshes()
    {
        fill(4, {QStringLiteral("us-east-1"), QStringLiteral("us-west-2")});
        InstanceModel model(m_registry.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy finished(&model, &InstanceModel::refreshFinished);
        model.refresh();
        QVERIFY(finished.wait(5000));
        const QString key = kAccount + QStringLiteral("|i-us-west-2-3");
        const int rowBefore = model.rowForKey(key);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        {
            QMutexLocker l(&g_world->mutex);
            g_world->vms[QStringLiteral("us-west-2")][3].instance.publicIp = QStringLiteral("203.0.113.9");
        }
        model.refresh();
        QVERIFY(finished.wait(5000));
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(removed.count(), 0);
        QCOMPARE(model.rowForKey(key), rowBefore);
        QCOMPARE(text(model, key, InstanceModel::PublicIpColumn), QStringLiteral("203.0.113.9"));

        // One gone at the provider: its row goes; a new one: appended.
        {
            QMutexLocker l(&g_world->mutex);
            g_world->vms[QStringLiteral("us-east-1")].removeAt(0);
            g_world->vms[QStringLiteral("us-east-1")].append({ScriptedWorld::make(kAccount, QStringLiteral("us-east-1"),
                                                                                   QStringLiteral("i-fresh"), InstanceState::Running)});
        }
        model.refresh();
        QVERIFY(finished.wait(5000));
        QCOMPARE(model.rowCount(), 8);
        QCOMPARE(model.rowForKey(kAccount + QStringLiteral("|i-us-east-1-0")), -1);
        QVERIFY(model.rowForKey(kAccount + QStringLiteral("|i-fresh")) >= 0);
    }

    void failingScopeKeepsItsRows()
    {
        fill(3, {QStringLiteral("us-east-1"), QStringLiteral("eu-west-1")});
        InstanceModel model(m_registry.get());
        QSignalSpy finished(&model, &InstanceModel::refreshFinished);
        QSignalSpy errors(&model, &InstanceModel::errorOccurred);
        model.refresh();
        QVERIFY(finished.wait(5000));
        QCOMPARE(model.rowCount(), 6);
        {
            QMutexLocker l(&g_world->mutex);
            g_world->failingScopes = {QStringLiteral("eu-west-1")};
        }
        model.refresh();
        QVERIFY(finished.wait(5000));
        QCOMPARE(model.rowCount(), 6);  // eu-west-1's rows are kept, not dropped as "gone"
        QCOMPARE(errors.count(), 1);
        QVERIFY(model.accountErrors().value(kAccount).message().contains(QLatin1String("eu-west-1")));
    }

    void startShowsTransitionThenRunning()
    {
        fill(2, {QStringLiteral("us-east-1")});
        InstanceModel model(m_registry.get());
        model.setPollIntervals(50, 200);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy finished(&model, &InstanceModel::refreshFinished);
        model.refresh();
        QVERIFY(finished.wait(5000));
        const QString key = kAccount + QStringLiteral("|i-us-east-1-1");
        QCOMPARE(text(model, key, InstanceModel::StateColumn), QStringLiteral("stopped"));
        QSignalSpy done(&model, &InstanceModel::actionFinished);
        model.act({key}, InstanceAction::Start);
        // shown at once, before the provider answers
        QCOMPARE(text(model, key, InstanceModel::StateColumn), QStringLiteral("stopped → starting…"));
        QVERIFY(model.index(model.rowForKey(key), 0).data(InstanceModel::BusyRole).toBool());
        QTRY_COMPARE_WITH_TIMEOUT(text(model, key, InstanceModel::StateColumn), QStringLiteral("pending…"), 2000);
        QTRY_COMPARE_WITH_TIMEOUT(text(model, key, InstanceModel::StateColumn), QStringLiteral("running"), 5000);
        QTRY_COMPARE(done.count(), 1);
        QCOMPARE(done.first().at(2).toBool(), true);
        QVERIFY(!model.index(model.rowForKey(key), 0).data(InstanceModel::BusyRole).toBool());
        const int polls = g_world->getCalls;
        QVERIFY2(polls >= 2 && polls <= 8, qPrintable(QString::number(polls)));  // backoff, not a busy loop
    }

    void severalAtOnceAndARefusal()
    {
        fill(4, {QStringLiteral("us-east-1")});
        InstanceModel model(m_registry.get());
        model.setPollIntervals(50, 200);
        QSignalSpy finished(&model, &InstanceModel::refreshFinished);
        model.refresh();
        QVERIFY(finished.wait(5000));
        const QString run0 = kAccount + QStringLiteral("|i-us-east-1-0");
        const QString run2 = kAccount + QStringLiteral("|i-us-east-1-2");
        const QString stopped1 = kAccount + QStringLiteral("|i-us-east-1-1");
        QSignalSpy errors(&model, &InstanceModel::errorOccurred);
        QSignalSpy done(&model, &InstanceModel::actionFinished);
        model.act({run0, run2, stopped1}, InstanceAction::Stop);  // the stopped one is refused by the provider
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 3, 5000);
        QCOMPARE(text(model, run0, InstanceModel::StateColumn), QStringLiteral("stopped"));
        QCOMPARE(text(model, run2, InstanceModel::StateColumn), QStringLiteral("stopped"));
        QCOMPARE(errors.count(), 1);
        const QString err = model.index(model.rowForKey(stopped1), 0).data(InstanceModel::ErrorRole).toString();
        QVERIFY2(err.contains(QLatin1String("IncorrectInstanceState")), qPrintable(err));
        // The tool tip shows the error as plain text (escaped, inside rich text), never as markup.
        QCOMPARE(model.index(model.rowForKey(stopped1), InstanceModel::StateColumn).data(Qt::ToolTipRole).toString(),
                 plainToolTip(err));
    }

    void terminateAndLaunch()
    {
        fill(2, {QStringLiteral("us-east-1")});
        InstanceModel model(m_registry.get());
        model.setPollIntervals(50, 200);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy finished(&model, &InstanceModel::refreshFinished);
        model.refresh();
        QVERIFY(finished.wait(5000));
        const QString key = kAccount + QStringLiteral("|i-us-east-1-0");
        model.act({key}, InstanceAction::Terminate);
        QTRY_COMPARE_WITH_TIMEOUT(text(model, key, InstanceModel::StateColumn), QStringLiteral("terminated"), 5000);

        QSignalSpy launched(&model, &InstanceModel::launched);
        LaunchRequest r;
        r.name = QStringLiteral("trainer");
        r.region = QStringLiteral("us-east-1");
        r.machineType = QStringLiteral("p3.2xlarge");
        model.launch(kAccount, r);
        QVERIFY(launched.wait(5000));
        const QString newKey = launched.first().first().toString();
        QCOMPARE(text(model, newKey, InstanceModel::NameColumn), QStringLiteral("trainer"));
        QCOMPARE(text(model, newKey, InstanceModel::GpuColumn), QStringLiteral("1 × V100"));
        QTRY_COMPARE_WITH_TIMEOUT(text(model, newKey, InstanceModel::StateColumn), QStringLiteral("running"), 5000);
    }

    void pricesSayWhereTheyComeFrom()
    {
        fill(1, {QStringLiteral("us-east-1"), QStringLiteral("ap-southeast-1")});
        {
            QMutexLocker l(&g_world->mutex);
            g_world->vms[QStringLiteral("us-east-1")][0].instance.machineType = QStringLiteral("p5.48xlarge");
            g_world->vms[QStringLiteral("ap-southeast-1")][0].instance.machineType = QStringLiteral("g5.xlarge");
            // What the provider says about GPUs wins over the catalog's row.
            g_world->vms[QStringLiteral("ap-southeast-1")][0].instance.gpu = GpuInfo{2, QStringLiteral("A10G (provider)")};
        }
        InstanceModel model(m_registry.get());
        QSignalSpy finished(&model, &InstanceModel::refreshFinished);
        model.refresh();
        QVERIFY(finished.wait(5000));
        const QString p5 = kAccount + QStringLiteral("|i-us-east-1-0");
        const QString g5 = kAccount + QStringLiteral("|i-ap-southeast-1-0");
        auto tip = [&](const QString &key, int col) {
            return model.index(model.rowForKey(key), col).data(Qt::ToolTipRole).toString();
        };
        QCOMPARE(text(model, p5, InstanceModel::PriceColumn), QStringLiteral("$98.32"));  // aws.csv line 84
        const QString priceTip = tip(p5, InstanceModel::PriceColumn);
        QVERIFY2(priceTip.contains(QLatin1String("aws.csv line 84")), qPrintable(priceTip));
        QVERIFY2(priceTip.contains(QLatin1String("27f67dd4e1bc0d35fa0ec075180ad54b230882c4")), qPrintable(priceTip));
        QVERIFY2(priceTip.contains(QLatin1String("catalogs/v7/aws/vms.csv")), qPrintable(priceTip));
        QVERIFY2(priceTip.contains(QLatin1String("list price snapshot, date unknown"), Qt::CaseInsensitive), qPrintable(priceTip));
        // GPUs from the catalog's row when the provider did not say, with that row in the tool tip.
        QCOMPARE(text(model, p5, InstanceModel::GpuColumn), QStringLiteral("8 × H100"));
        QVERIFY2(tip(p5, InstanceModel::GpuColumn).contains(QLatin1String("aws.csv line 84")), qPrintable(tip(p5, InstanceModel::GpuColumn)));
        // g5 in ap-southeast-1 is not in the source: no price, and why.
        QCOMPARE(text(model, g5, InstanceModel::PriceColumn), QStringLiteral("—"));
        QVERIFY2(tip(g5, InstanceModel::PriceColumn).contains(QLatin1String("no price in the catalog for g5.xlarge in ap-southeast-1")),
                 qPrintable(tip(g5, InstanceModel::PriceColumn)));
        QCOMPARE(model.index(model.rowForKey(g5), InstanceModel::PriceColumn).data(InstanceModel::SortRole).toDouble(), -1.0);
        QCOMPARE(text(model, g5, InstanceModel::GpuColumn), QStringLiteral("2 × A10G (provider)"));
    }

    void proxyFiltersAndGroups()
    {
        fill(4, {QStringLiteral("us-east-1"), QStringLiteral("eu-west-1")});
        {
            QMutexLocker l(&g_world->mutex);
            g_world->vms[QStringLiteral("eu-west-1")][0].instance.machineType = QStringLiteral("t3.medium");
        }
        InstanceModel model(m_registry.get());
        InstanceFilterProxy proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy finished(&model, &InstanceModel::refreshFinished);
        model.refresh();
        QVERIFY(finished.wait(5000));
        QCOMPARE(proxy.rowCount(), 8);
        proxy.setStateFilter(InstanceFilterProxy::StateFilter::Running);
        QCOMPARE(proxy.rowCount(), 4);
        proxy.setGpuOnly(true);
        QCOMPARE(proxy.rowCount(), 3);  // the t3.medium has none
        proxy.setStateFilter(InstanceFilterProxy::StateFilter::All);
        proxy.setGpuOnly(false);
        proxy.setText(QStringLiteral("EU-WEST-1-3"));
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setText(QString());
        proxy.setProviderFilter(QStringLiteral("gcp"));
        QCOMPARE(proxy.rowCount(), 0);
        proxy.setProviderFilter(QStringLiteral("aws"));
        QCOMPARE(proxy.rowCount(), 8);

        proxy.setGroupBy(InstanceFilterProxy::GroupBy::Region);
        proxy.sort(InstanceModel::NameColumn, Qt::DescendingOrder);
        // groups ascending (eu-west-1 first) whatever the sort order, names descending inside
        QCOMPARE(proxy.index(0, InstanceModel::NameColumn).data().toString(), QStringLiteral("vm-i-eu-west-1-3"));
        QCOMPARE(proxy.index(4, InstanceModel::NameColumn).data().toString(), QStringLiteral("vm-i-us-east-1-3"));
        // the group shows on its first row only
        QCOMPARE(proxy.groupColumn(), int(InstanceModel::LocationColumn));
        QVERIFY(!proxy.index(0, InstanceModel::LocationColumn).data().toString().isEmpty());
        QVERIFY(proxy.index(1, InstanceModel::LocationColumn).data().toString().isEmpty());
        QVERIFY(!proxy.index(4, InstanceModel::LocationColumn).data().toString().isEmpty());
    }

    void launchFormPricesBeforeLaunch()
    {
        LaunchDialog dlg({{QStringLiteral("aws:a"), QStringLiteral("AWS"), QStringLiteral("aws"), QStringLiteral("eu-west-1")},
                          {QStringLiteral("gcp:g"), QStringLiteral("GCP"), QStringLiteral("gcp"), QString()},
                          {QStringLiteral("azure:z"), QStringLiteral("Azure"), QStringLiteral("azure"), QString()}});
        QCOMPARE(dlg.regionBox()->currentText(), QStringLiteral("eu-west-1"));  // the account's region first
        dlg.machineTypes()->setCurrentIndex(dlg.machineTypes()->findData(QStringLiteral("p3.2xlarge")));
        QVERIFY2(dlg.priceText().contains(QLatin1String("$3.31 per hour")), qPrintable(dlg.priceText()));
        dlg.spotBox()->setChecked(true);
        QVERIFY2(dlg.priceText().contains(QLatin1String("$1.44 per hour")), qPrintable(dlg.priceText()));  // 1.440800
        QVERIFY2(dlg.priceText().contains(QLatin1String("date unknown")), qPrintable(dlg.priceText()));
        QVERIFY2(dlg.findChild<QLabel *>(QStringLiteral("launchPrice"))->toolTip().contains(QLatin1String("aws.csv line 69")),
                 qPrintable(dlg.findChild<QLabel *>(QStringLiteral("launchPrice"))->toolTip()));
        QVERIFY(dlg.imageBox()->currentData().toString().startsWith(QLatin1String("resolve:ssm:/aws/service/deeplearning/")));
        QPushButton *launch = dlg.findChild<QPushButton *>(QStringLiteral("launchButton"));
        QVERIFY(!launch->isEnabled());  // no name yet
        dlg.nameEdit()->setText(QStringLiteral("trainer"));
        QVERIFY(launch->isEnabled());
        LaunchRequest r = dlg.request();
        QCOMPARE(r.region, QStringLiteral("eu-west-1"));
        QCOMPARE(r.machineType, QStringLiteral("p3.2xlarge"));
        QVERIFY(r.spot);

        // Compute Engine: a zone, N1 + a T4 (the GPU-only row of that count), a deep-learning image family.
        dlg.accountBox()->setCurrentIndex(1);
        dlg.nameEdit()->setText(QStringLiteral("t4-box"));
        dlg.spotBox()->setChecked(false);
        dlg.regionBox()->setCurrentText(QStringLiteral("us-central1-b"));
        dlg.machineTypes()->setCurrentIndex(dlg.machineTypes()->findData(QStringLiteral("n1-standard-8")));
        dlg.acceleratorBox()->setCurrentIndex(dlg.acceleratorBox()->findData(QStringLiteral("nvidia-tesla-t4")));
        dlg.acceleratorCount()->setValue(1);
        QVERIFY2(dlg.priceText().contains(QLatin1String("$0.730 per hour")), qPrintable(dlg.priceText()));  // 0.38 + T4 x1 0.35
        // The source has no T4 x2 row: no price, never 2 x the x1 row.
        dlg.acceleratorCount()->setValue(2);
        QVERIFY2(dlg.priceText().contains(QStringLiteral("no price in the catalog for n1-standard-8 with 2 × T4 in us-central1")),
                 qPrintable(dlg.priceText()));
        r = dlg.request();
        QCOMPARE(r.zone, QStringLiteral("us-central1-b"));
        QCOMPARE(r.region, QStringLiteral("us-central1"));
        QCOMPARE(r.accelerators.count, 2);
        QCOMPARE(r.accelerators.model, QStringLiteral("nvidia-tesla-t4"));
        QVERIFY(r.image.startsWith(QLatin1String("projects/deeplearning-platform-release/")));
        QVERIFY(launch->isEnabled());
        dlg.regionBox()->setCurrentText(QStringLiteral("us-central1"));  // a region is not a zone
        QVERIFY(!launch->isEnabled());
        QVERIFY2(dlg.problem().contains(QLatin1String("needs a zone")), qPrintable(dlg.problem()));

        // Azure: a location, the SSH user, a public key (never a private one) and where SSH may come from.
        QTemporaryDir keys;
        QFile pub(keys.filePath(QStringLiteral("id.pub")));
        QVERIFY(pub.open(QIODevice::WriteOnly));
        pub.write("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGxZ ada@laptop\n");
        pub.close();
        QFile priv(keys.filePath(QStringLiteral("id")));
        QVERIFY(priv.open(QIODevice::WriteOnly));
        priv.write("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n");
        priv.close();
        dlg.accountBox()->setCurrentIndex(2);
        QCOMPARE(dlg.sshUserEdit()->text(), QStringLiteral("azureuser"));
        QVERIFY(dlg.imageBox()->currentData().toString().endsWith(QLatin1String("-gen2:latest")));
        dlg.nameEdit()->setText(QStringLiteral("az-a100"));
        dlg.regionBox()->setCurrentText(QStringLiteral("eastus"));
        dlg.machineTypes()->setCurrentIndex(dlg.machineTypes()->findData(QStringLiteral("Standard_NC24ads_A100_v4")));
        QVERIFY2(dlg.priceText().contains(QLatin1String("$3.67 per hour")), qPrintable(dlg.priceText()));
        dlg.sshKeyEdit()->setText(priv.fileName());
        QVERIFY(!launch->isEnabled());
        QVERIFY2(dlg.problem().contains(QLatin1String("private key")), qPrintable(dlg.problem()));
        dlg.sshKeyEdit()->setText(pub.fileName());
        dlg.sshFromEdit()->setText(QStringLiteral("not an address"));
        QVERIFY(!launch->isEnabled());
        dlg.sshFromEdit()->clear();
        QVERIFY(launch->isEnabled());  // SSH stays closed, and the form says so
        QVERIFY(dlg.findChild<QLabel *>(QStringLiteral("launchProblem"))->text().contains(QLatin1String("No SSH from the internet")));
        dlg.sshFromEdit()->setText(QStringLiteral("81.2.69.160"));
        dlg.spotBox()->setChecked(true);
        r = dlg.request();
        QCOMPARE(r.region, QStringLiteral("eastus"));
        QVERIFY(r.zone.isEmpty());
        QCOMPARE(r.machineType, QStringLiteral("Standard_NC24ads_A100_v4"));
        QCOMPARE(r.sshUser, QStringLiteral("azureuser"));
        QCOMPARE(r.sshPublicKey, QStringLiteral("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGxZ ada@laptop"));
        QCOMPARE(r.sshFrom, QStringLiteral("81.2.69.160/32"));
        QVERIFY(r.spot);
        QVERIFY2(dlg.priceText().contains(QLatin1String("$0.444 per hour")), qPrintable(dlg.priceText()));  // SpotPrice 0.444433
    }

    void terminateNeedsTheName()
    {
        TerminateDialog dlg(QStringLiteral("gcp"), QStringLiteral("train-a100"), QStringLiteral("123"));
        QPushButton *ok = dlg.findChild<QPushButton *>(QStringLiteral("confirmButton"));
        QVERIFY(ok && !ok->isEnabled());
        dlg.input()->setText(QStringLiteral("train-a10"));
        QVERIFY(!ok->isEnabled());
        dlg.input()->setText(QStringLiteral("train-a100"));
        QVERIFY(ok->isEnabled());
        TerminateDialog unnamed(QStringLiteral("aws"), QString(), QStringLiteral("i-0abc"));
        QCOMPARE(unnamed.expected(), QStringLiteral("i-0abc"));
    }

    void paneSshAndSelectionRules()
    {
        fill(2, {QStringLiteral("us-east-1")});
        InstancePane pane(m_registry.get());
        pane.model()->setPollIntervals(50, 200);
        QSignalSpy ssh(&pane, &InstancePane::sshRequested);
        QSignalSpy jupyter(&pane, &InstancePane::jupyterRequested);
        pane.resize(1200, 500);
        pane.show();  // the first show lists
        QTRY_COMPARE_WITH_TIMEOUT(pane.model()->rowCount(), 2, 5000);
        const QString running = kAccount + QStringLiteral("|i-us-east-1-0");
        const QString stopped = kAccount + QStringLiteral("|i-us-east-1-1");
        pane.selectKey(stopped);
        QVERIFY(pane.startAction()->isEnabled());
        QVERIFY(!pane.stopAction()->isEnabled());
        QVERIFY(!pane.sshAction()->isEnabled());  // not running
        pane.selectKey(running);
        QVERIFY(pane.sshAction()->isEnabled());
        QVERIFY(pane.terminateAction()->isEnabled());
        pane.sshAction()->trigger();
        QCOMPARE(ssh.count(), 1);
        const auto t = ssh.first().first().value<InstanceSshTarget>();
        QCOMPARE(t.host.hostName, QStringLiteral("198.51.100.7"));
        QCOMPARE(t.host.user, QStringLiteral("ec2-user"));
        QCOMPARE(t.target, QStringLiteral("instance:") + running);
        pane.jupyterAction()->trigger();
        QCOMPARE(jupyter.count(), 1);
        // Both selected: Start acts on the stopped one only, Terminate wants exactly one.
        pane.view()->selectAll();
        QCOMPARE(pane.selectedKeys().size(), 2);
        QVERIFY(!pane.terminateAction()->isEnabled());
        QVERIFY(!pane.sshAction()->isEnabled());
        pane.startAction()->trigger();
        QCOMPARE(text(*pane.model(), stopped, InstanceModel::StateColumn), QStringLiteral("stopped → starting…"));
        QCOMPARE(text(*pane.model(), running, InstanceModel::StateColumn), QStringLiteral("running"));
        QTRY_COMPARE_WITH_TIMEOUT(text(*pane.model(), stopped, InstanceModel::StateColumn), QStringLiteral("running"), 5000);
    }

    void sshConventions()
    {
        QTemporaryDir home;
        QDir(home.path()).mkpath(QStringLiteral(".ssh"));
        QFile key(home.filePath(QStringLiteral(".ssh/work.pem")));
        QVERIFY(key.open(QIODevice::WriteOnly));
        key.close();
        Account aws;
        aws.id = QStringLiteral("aws:x");
        aws.provider = QStringLiteral("aws");
        Instance i = ScriptedWorld::make(aws.id, QStringLiteral("us-east-1"), QStringLiteral("i-1"), InstanceState::Running);
        i.keyName = QStringLiteral("work");
        InstanceSshTarget t = sshTargetFor(i, aws, home.path());
        QVERIFY(t.ok());
        QCOMPARE(t.host.hostName, QStringLiteral("198.51.100.7"));
        QCOMPARE(t.host.user, QStringLiteral("ec2-user"));
        QCOMPARE(t.host.identityFiles, QStringList{home.filePath(QStringLiteral(".ssh/work.pem"))});
        i.image = QStringLiteral("Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04)");
        QCOMPARE(sshTargetFor(i, aws, home.path()).host.user, QStringLiteral("ubuntu"));
        // private only: through the jump host, or a clear refusal
        i.publicIp.clear();
        t = sshTargetFor(i, aws, home.path());
        QVERIFY(!t.ok());
        QVERIFY(t.error.contains(QLatin1String("jump host")));
        aws.settings.insert(QStringLiteral("sshJumpHost"), QStringLiteral("ops@bastion.example:2222"));
        t = sshTargetFor(i, aws, home.path());
        QVERIFY(t.ok());
        QCOMPARE(t.host.hostName, QStringLiteral("10.0.0.1"));
        QCOMPARE(t.host.proxyJump.size(), 1);
        QCOMPARE(t.host.proxyJump.first().host, QStringLiteral("bastion.example"));
        QCOMPARE(t.host.proxyJump.first().port, 2222);
        // GCE: the account's user; Azure: azureuser; not running: refused
        Account gcp;
        gcp.provider = QStringLiteral("gcp");
        gcp.settings.insert(QStringLiteral("sshUser"), QStringLiteral("ada"));
        i.provider = QStringLiteral("gcp");
        i.publicIp = QStringLiteral("203.0.113.4");
        QCOMPARE(sshTargetFor(i, gcp, home.path()).host.user, QStringLiteral("ada"));
        i.provider = QStringLiteral("azure");
        QCOMPARE(sshTargetFor(i, Account{}, home.path()).host.user, QStringLiteral("azureuser"));
        i.state = InstanceState::Stopped;
        QVERIFY(!sshTargetFor(i, gcp, home.path()).ok());
    }
};

SKYDECK_GUI_TEST_MAIN(TestInstanceModel)
#include "tst_instancemodel.moc"
