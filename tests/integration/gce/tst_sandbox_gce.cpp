// The sandbox's Google Cloud: SandboxGce makes the service account's key with openssl (once),
// starts tests/servers/gce_server.py on loopback, answers with a labelled account read from the key
// file the server wrote; a GceClient made from it lists the demo VMs and starts the stopped A100
// through its zone operation; the server dies with the object; a second start reuses the key.
#include "GceClient.h"
#include "ProviderWorker.h"
#include "TestMain.h"
#include "sandbox/SandboxGce.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <csignal>

using namespace skydeck;

class TestSandboxGce : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void startsListsActsAndStops()
    {
        if (!QFile::exists(SandboxGce::serverScript()))
            QFAIL(qPrintable(QStringLiteral("no server script at %1").arg(SandboxGce::serverScript())));
        QTemporaryDir dir;
        const QString home = dir.filePath(QStringLiteral("gce"));
        auto gce = std::make_unique<SandboxGce>(home);
        QSignalSpy started(gce.get(), &SandboxGce::started);
        QSignalSpy unavailable(gce.get(), &SandboxGce::unavailable);
        gce->start();
        QVERIFY(started.wait(20000));
        QCOMPARE(unavailable.size(), 0);
        QVERIFY(gce->isRunning());
        const Account account = started.first().first().value<Account>();
        QCOMPARE(account.id, QStringLiteral("sandbox:gcp"));
        QCOMPARE(account.provider, QStringLiteral("gcp"));
        QVERIFY(account.sandbox);
        QVERIFY(account.displayName.contains(QLatin1String("not a cloud account")));
        QCOMPARE(account.setting(QStringLiteral("project")), QStringLiteral("skydeck-sandbox"));
        QVERIFY(account.secret(QStringLiteral("privateKey")).contains(QLatin1String("PRIVATE KEY")));
        QCOMPARE(QFile::permissions(home) & (QFileDevice::ReadOther | QFileDevice::ReadGroup), QFileDevice::Permissions());
        QCOMPARE(QFile::permissions(home + QStringLiteral("/service-account.pem")) & QFileDevice::ReadOther, QFileDevice::Permissions());
        const QByteArray keyBefore = [&] {
            QFile f(home + QStringLiteral("/service-account.pem"));
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        }();
        const qint64 pid = gce->processId();
        QVERIFY(pid > 0);

        {
            Account fast = account;
            fast.settings.insert(QStringLiteral("operationPollMs"), QStringLiteral("200"));
            ProviderWorker worker(QStringLiteral("sandbox-gce"));
            QObject *ctx = worker.context();
            auto *client = worker.create<gcp::GceClient>([&] { return new gcp::GceClient(fast, ctx); });
            const Result<InstancePage> page = waitFor(worker.run<InstancePage>([client](const CancelToken &t, Callback<InstancePage> d) {
                client->listInstances(QStringLiteral("*"), {}, t, d);
            }));
            QVERIFY2(page.ok(), qPrintable(page.error().toString()));
            QCOMPARE(page.value().instances.size(), 4);
            Instance a100;
            int running = 0, gpus = 0;
            for (const Instance &i : page.value().instances) {
                QCOMPARE(i.accountId, QStringLiteral("sandbox:gcp"));
                running += i.state == InstanceState::Running;
                gpus += i.gpu.count;
                if (i.name == QLatin1String("a100-notebook"))
                    a100 = i;
            }
            QCOMPARE(running, 2);
            QVERIFY(gpus >= 1);  // the T4 box lists its accelerator
            QCOMPARE(a100.state, InstanceState::Stopped);
            const Status s = waitFor(worker.run<Done>([client, a100](const CancelToken &t, Callback<Done> d) {
                client->act(a100, InstanceAction::Start, t, d);
            }));
            QVERIFY2(s.ok(), qPrintable(s.error().toString()));
            const Result<Instance> after = waitFor(worker.run<Instance>([client, a100](const CancelToken &t, Callback<Instance> d) {
                client->getInstance(a100, t, d);
            }));
            QCOMPARE(after.value().state, InstanceState::Running);
            QVERIFY(!after.value().publicIp.isEmpty());
        }

        gce.reset();
        QVERIFY(::kill(pid_t(pid), 0) != 0);  // gone with the object

        // Again: the same key, a new server.
        gce = std::make_unique<SandboxGce>(home);
        QSignalSpy again(gce.get(), &SandboxGce::started);
        gce->start();
        QVERIFY(again.wait(20000));
        QFile f(home + QStringLiteral("/service-account.pem"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), keyBefore);
        QVERIFY(gce->processId() != pid);
    }
};

SKYDECK_TEST_MAIN(TestSandboxGce)
#include "tst_sandbox_gce.moc"
