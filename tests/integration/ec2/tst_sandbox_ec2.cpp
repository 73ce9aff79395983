// The sandbox's EC2: SandboxEc2 starts moto's server on loopback, seeds its demo instances and
// answers with a labelled account that has an EC2 endpoint and no S3 one; the account's compute
// client (through AccountRegistry, as the instances pane gets it) lists the three demo instances
// with their Name tags and starts the stopped one; moto dies with the object.
#include "AccountRegistry.h"
#include "AwsProvider.h"
#include "ComputeClient.h"
#include "Peers.h"
#include "ProviderWorker.h"
#include "TestMain.h"
#include "sandbox/SandboxEc2.h"

#include <QSignalSpy>
#include <QTemporaryDir>

#include <csignal>

using namespace skydeck;

class TestSandboxEc2 : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { aws::registerProviders(); }
    void startsListsActsAndStops();
};

void TestSandboxEc2::startsListsActsAndStops()
{
    QTemporaryDir dir;
    auto ec2 = std::make_unique<SandboxEc2>(dir.filePath(QStringLiteral("ec2")));
    QSignalSpy started(ec2.get(), &SandboxEc2::started);
    QSignalSpy unavailable(ec2.get(), &SandboxEc2::unavailable);
    ec2->start();
    QTRY_VERIFY_WITH_TIMEOUT(!started.isEmpty() || !unavailable.isEmpty(), 30000);
    if (!unavailable.isEmpty()) {
        const QString why = unavailable.first().first().toString();
        if (why.contains(QLatin1String("moto is not installed")))
            SKYDECK_SKIP_OR_FAIL(why);
        QFAIL(qPrintable(why));
    }
    QVERIFY(ec2->isRunning());
    const Account account = started.first().first().value<Account>();
    QCOMPARE(account.id, QStringLiteral("sandbox:ec2"));
    QCOMPARE(account.provider, QStringLiteral("aws"));
    QVERIFY(account.sandbox);
    QVERIFY(account.displayName.contains(QLatin1String("not a cloud account")));
    QVERIFY(account.setting(QStringLiteral("ec2Endpoint")).startsWith(QLatin1String("http://127.0.0.1:")));
    QVERIFY(account.setting(QStringLiteral("endpoint")).isEmpty());  // moto's S3 stays out of the bucket tree
    const qint64 pid = ec2->processId();
    QVERIFY(pid > 0);

    {
        AccountRegistry registry;
        registry.addAccount(account);
        ProviderWorker *worker = registry.worker(account.id);
        ComputeClient *client = registry.compute(account.id);
        QVERIFY(worker && client);
        const Result<InstancePage> page = waitFor(worker->run<InstancePage>([client](const CancelToken &t, Callback<InstancePage> d) {
            client->listInstances(QStringLiteral("*"), {}, t, d);
        }));
        QVERIFY2(page.ok(), qPrintable(page.error().toString()));
        QCOMPARE(page.value().instances.size(), 3);
        Instance notebook;
        QStringList types;
        int running = 0;
        for (const Instance &i : page.value().instances) {
            QCOMPARE(i.accountId, QStringLiteral("sandbox:ec2"));
            types.append(i.machineType);
            running += i.state == InstanceState::Running;
            if (i.name == QLatin1String("notebook-t4"))
                notebook = i;
        }
        types.sort();
        QCOMPARE(types, QStringList({QStringLiteral("g4dn.xlarge"), QStringLiteral("g5.xlarge"), QStringLiteral("p3.2xlarge")}));
        QCOMPARE(running, 2);
        QCOMPARE(notebook.machineType, QStringLiteral("g4dn.xlarge"));
        QCOMPARE(notebook.state, InstanceState::Stopped);
        const Status s = waitFor(worker->run<Done>([client, notebook](const CancelToken &t, Callback<Done> d) {
            client->act(notebook, InstanceAction::Start, t, d);
        }));
        QVERIFY2(s.ok(), qPrintable(s.error().toString()));
        const Result<Instance> after = waitFor(worker->run<Instance>([client, notebook](const CancelToken &t, Callback<Instance> d) {
            client->getInstance(notebook, t, d);
        }));
        QVERIFY2(after.ok(), qPrintable(after.error().toString()));
        QCOMPARE(after.value().state, InstanceState::Running);
    }

    ec2.reset();
    QVERIFY(::kill(pid_t(pid), 0) != 0);  // gone with the object
}

SKYDECK_TEST_MAIN(TestSandboxEc2)
#include "tst_sandbox_ec2.moc"
