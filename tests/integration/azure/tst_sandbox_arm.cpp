// The sandbox's Azure: SandboxArm starts tests/servers/arm_server.py on loopback, answers with a
// labelled account whose random secret is not on the server's command line, an ArmClient made from
// that account lists the demo VMs and starts the deallocated one, and the server dies with the object.
#include "ArmClient.h"
#include "ProviderWorker.h"
#include "TestMain.h"
#include "sandbox/SandboxArm.h"

#include <QFile>
#include <QSignalSpy>

#include <csignal>

using namespace skydeck;

class TestSandboxArm : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void startsListsActsAndStops();
};

void TestSandboxArm::startsListsActsAndStops()
{
    if (!QFile::exists(SandboxArm::serverScript()))
        QFAIL(qPrintable(QStringLiteral("no server script at %1").arg(SandboxArm::serverScript())));
    auto arm = std::make_unique<SandboxArm>();
    QSignalSpy started(arm.get(), &SandboxArm::started);
    QSignalSpy unavailable(arm.get(), &SandboxArm::unavailable);
    arm->start();
    QVERIFY(started.wait(15000));
    QCOMPARE(unavailable.size(), 0);
    QVERIFY(arm->isRunning());
    const Account account = started.first().first().value<Account>();
    QCOMPARE(account.id, QStringLiteral("sandbox:azure"));
    QCOMPARE(account.provider, QStringLiteral("azure"));
    QVERIFY(account.sandbox);
    QVERIFY(account.displayName.contains(QLatin1String("not a cloud account")));
    const QString secret = account.secret(QStringLiteral("clientSecret"));
    QVERIFY(secret.size() >= 16);
    const qint64 pid = arm->processId();
    QVERIFY(pid > 0);
    QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
    QVERIFY(cmdline.open(QIODevice::ReadOnly));
    QVERIFY(!cmdline.readAll().contains(secret.toUtf8()));

    {
        ProviderWorker worker(QStringLiteral("sandbox-azure"));
        QObject *ctx = worker.context();
        azure::ArmConfig cfg = azure::ArmConfig::fromAccount(account);
        QVERIFY2(cfg.problem().isEmpty(), qPrintable(cfg.problem()));
        auto *client = worker.create<azure::ArmClient>([&] { return new azure::ArmClient(cfg, ctx); });
        const Result<InstancePage> page = waitFor(worker.run<InstancePage>([client](const CancelToken &t, Callback<InstancePage> d) {
            client->listInstances(QStringLiteral("*"), {}, t, d);
        }));
        QVERIFY2(page.ok(), qPrintable(page.error().toString()));
        QCOMPARE(page.value().instances.size(), 4);
        Instance t4;
        int running = 0, billed = 0;
        for (const Instance &i : page.value().instances) {
            QCOMPARE(i.accountId, QStringLiteral("sandbox:azure"));
            running += i.state == InstanceState::Running;
            billed += i.state == InstanceState::StoppedBilled;
            if (i.name == QLatin1String("notebook-t4"))
                t4 = i;
        }
        QCOMPARE(running, 2);
        QCOMPARE(billed, 1);
        QCOMPARE(t4.state, InstanceState::Stopped);
        const Status s = waitFor(worker.run<Done>([client, t4](const CancelToken &t, Callback<Done> d) {
            client->act(t4, InstanceAction::Start, t, d);
        }));
        QVERIFY2(s.ok(), qPrintable(s.error().toString()));
        const Result<Instance> after = waitFor(worker.run<Instance>([client, t4](const CancelToken &t, Callback<Instance> d) {
            client->getInstance(t4, t, d);
        }));
        QCOMPARE(after.value().state, InstanceState::Running);
        QVERIFY(!after.value().publicIp.isEmpty());
    }

    arm.reset();
    QVERIFY(::kill(pid_t(pid), 0) != 0);  // gone with the object
}

SKYDECK_TEST_MAIN(TestSandboxArm)
#include "tst_sandbox_arm.moc"
