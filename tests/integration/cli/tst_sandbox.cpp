// The sandbox: starts s3rver on loopback with demo buckets, answers with a labelled account that
// S3Client can use, keeps its data across runs, and stops s3rver when destroyed.
#include "Peers.h"
#include "TestMain.h"

#include "ProviderWorker.h"
#include "S3Client.h"
#include "sandbox/Sandbox.h"

#include <QDir>
#include <QSignalSpy>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>


#include <csignal>
#include <cerrno>

using namespace skydeck;

namespace {

QStringList bucketNames(const Account &account)
{
    ProviderWorker worker(QStringLiteral("test-sandbox"));
    const aws::S3Config config = aws::S3Config::fromAccount(account);
    QObject *ctx = worker.context();
    aws::S3Client *client = worker.create<aws::S3Client>([&] { return new aws::S3Client(config, ctx); });
    Result<QList<Bucket>> r = waitFor(worker.run<QList<Bucket>>(
        [client](const CancelToken &t, Callback<QList<Bucket>> done) { client->listBuckets(t, std::move(done)); }));
    if (!r.ok())
        return {QStringLiteral("error: ") + r.error().toString()};
    QStringList names;
    for (const Bucket &b : r.value())
        names << b.name;
    return names;
}

QStringList keysIn(const Account &account, const QString &bucket)
{
    ProviderWorker worker(QStringLiteral("test-sandbox"));
    const aws::S3Config config = aws::S3Config::fromAccount(account);
    QObject *ctx = worker.context();
    aws::S3Client *client = worker.create<aws::S3Client>([&] { return new aws::S3Client(config, ctx); });
    ListRequest req;
    req.bucket = bucket;
    req.delimiter.clear();
    Result<ListPage> r = waitFor(worker.run<ListPage>(
        [client, req](const CancelToken &t, Callback<ListPage> done) { client->listObjects(req, t, std::move(done)); }));
    QStringList keys;
    if (r.ok())
        for (const ObjectEntry &e : r->entries)
            keys << e.key;
    return keys;
}

bool processAlive(qint64 pid)
{
    return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH);
}

} // namespace

class TestSandbox : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        // A fresh data directory (test mode keeps it away from the user's own).
        QDir(Sandbox::dataDirectory()).removeRecursively();
        if (!QFileInfo(Sandbox::s3rverProgram()).isExecutable()) {
            if (test::runningInCi())
                QFAIL("s3rver is not installed (scripts/setup.sh)");
            QSKIP("s3rver is not installed (scripts/setup.sh)");
        }
    }

    void startsListsAndStops()
    {
        qint64 pid = 0;
        QString endpoint;
        {
            Sandbox sandbox;
            QSignalSpy started(&sandbox, &Sandbox::started);
            QSignalSpy failed(&sandbox, &Sandbox::failed);
            sandbox.start();
            QVERIFY(started.isEmpty());  // never answers synchronously
            QVERIFY2(started.wait(30000), failed.isEmpty() ? "no answer" : qPrintable(failed.at(0).at(0).value<Error>().toString()));
            QVERIFY(sandbox.isRunning());
            const QList<Account> accounts = started.at(0).at(0).value<QList<Account>>();
            QCOMPARE(accounts.size(), 1);
            const Account a = accounts.first();
            QCOMPARE(a.id, QStringLiteral("sandbox:s3"));
            QCOMPARE(a.provider, QStringLiteral("aws"));
            QVERIFY(a.sandbox);
            QCOMPARE(a.displayName, QStringLiteral("Sandbox S3 (local, not a cloud account)"));
            QCOMPARE(a.setting(QStringLiteral("region")), QStringLiteral("us-east-1"));
            QCOMPARE(a.setting(QStringLiteral("addressingStyle")), QStringLiteral("path"));
            QCOMPARE(a.setting(QStringLiteral("accessKeyId")), QStringLiteral("S3RVER"));
            QCOMPARE(a.secret(QStringLiteral("secretAccessKey")), QStringLiteral("S3RVER"));
            endpoint = a.setting(QStringLiteral("endpoint"));
            QVERIFY2(endpoint.startsWith(QLatin1String("http://127.0.0.1:")), qPrintable(endpoint));
            QCOMPARE(sandbox.accounts().size(), 1);

            const QStringList buckets = bucketNames(a);
            for (const char *b : {"demo-datasets", "demo-models", "demo-notebooks"})
                QVERIFY2(buckets.contains(QLatin1String(b)), qPrintable(buckets.join(QLatin1Char(' '))));
            const QStringList keys = keysIn(a, QStringLiteral("demo-datasets"));
            QVERIFY2(keys.contains(QStringLiteral("sales/2024/q1.csv")), qPrintable(keys.join(QLatin1Char(' '))));
            QVERIFY(keys.size() >= 4);

            // What the user does in the sandbox stays: delete a demo file.
            ProviderWorker worker(QStringLiteral("test-sandbox-rm"));
            const aws::S3Config config = aws::S3Config::fromAccount(a);
            QObject *ctx = worker.context();
            auto *client = worker.create<aws::S3Client>([&] { return new aws::S3Client(config, ctx); });
            auto del = waitFor(worker.run<QList<DeleteFailure>>([client](const CancelToken &t, Callback<QList<DeleteFailure>> done) {
                client->deleteObjects(QStringLiteral("demo-datasets"), {QStringLiteral("iris/iris.csv")}, t, std::move(done));
            }));
            QVERIFY(del.ok() && del->isEmpty());

            pid = sandbox.s3rverProcessId();
            QVERIFY(processAlive(pid));
        }
        // Destroyed: s3rver is gone and its port closed.
        QVERIFY(!processAlive(pid));
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, static_cast<quint16>(QUrl(endpoint).port()));
        QVERIFY(!probe.waitForConnected(1000));
    }

    void dataPersistsAndDemoIsNotRecreated()
    {
        Sandbox sandbox;
        QSignalSpy started(&sandbox, &Sandbox::started);
        sandbox.start();
        QVERIFY(started.wait(30000));
        const Account a = sandbox.accounts().value(0);
        const QStringList keys = keysIn(a, QStringLiteral("demo-datasets"));
        QVERIFY2(keys.contains(QStringLiteral("sales/2024/q2.csv")), qPrintable(keys.join(QLatin1Char(' '))));
        QVERIFY2(!keys.contains(QStringLiteral("iris/iris.csv")), "a deleted demo file came back");
        const qint64 pid = sandbox.s3rverProcessId();
        sandbox.stop();
        QVERIFY(!sandbox.isRunning());
        QVERIFY(sandbox.accounts().isEmpty());
        QVERIFY(!processAlive(pid));
    }

    void reportsAnS3rverThatDies()
    {
        Sandbox sandbox;
        QSignalSpy started(&sandbox, &Sandbox::started);
        QSignalSpy failed(&sandbox, &Sandbox::failed);
        sandbox.start();
        QVERIFY(started.wait(30000));
        const qint64 pid = sandbox.s3rverProcessId();
        QVERIFY(processAlive(pid));
        ::kill(static_cast<pid_t>(pid), SIGKILL);
        QVERIFY(failed.wait(10000));
        QVERIFY(failed.at(0).at(0).value<Error>().toString().contains(QLatin1String("stopped unexpectedly")));
        QVERIFY(!sandbox.isRunning());
        QVERIFY(sandbox.accounts().isEmpty());
    }

    void s3rverDiesWithItsParent()
    {
        // A child process starts the sandbox and is then killed: no destructor runs there.
        QProcess child;
        child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        child.start(QStringLiteral(SANDBOX_CHILD), {});
        QVERIFY(child.waitForStarted(5000));
        QByteArray said;
        static const QRegularExpression pidRe(QStringLiteral("S3RVER_PID=(\\d+)"));
        QTRY_VERIFY_WITH_TIMEOUT((said += child.readAllStandardOutput(), pidRe.match(QString::fromUtf8(said)).hasMatch())
                                     || child.state() == QProcess::NotRunning, 30000);
        const qint64 pid = pidRe.match(QString::fromUtf8(said)).captured(1).toLongLong();
        QVERIFY2(pid > 0, said.constData());
        QVERIFY(processAlive(pid));
        child.kill();  // SIGKILL
        QVERIFY(child.waitForFinished(5000));
        QTRY_VERIFY_WITH_TIMEOUT(!processAlive(pid), 10000);
    }

    void missingS3rverFails()
    {
        const QByteArray saved = qgetenv("SKYDECK_SOURCE_DIR");
        qputenv("SKYDECK_SOURCE_DIR", "/nonexistent/skydeck-source");
        Sandbox sandbox;
        QSignalSpy failed(&sandbox, &Sandbox::failed);
        sandbox.start();
        QVERIFY(failed.wait(5000));
        QVERIFY(failed.at(0).at(0).value<Error>().toString().contains(QLatin1String("scripts/setup.sh")));
        qputenv("SKYDECK_SOURCE_DIR", saved);
    }
};

SKYDECK_TEST_MAIN(TestSandbox)
#include "tst_sandbox.moc"
