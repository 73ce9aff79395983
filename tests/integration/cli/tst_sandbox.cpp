// The sandbox: starts s3rver on loopback with demo buckets, answers with a labelled account that
// S3Client can use, keeps its data across runs, and stops s3rver when destroyed. Its loopback sshd
// takes an SshSession with the generated key and the pre-trusted host key, and dies with the app.
#include "Peers.h"
#include "TestMain.h"

#include "ExecChannel.h"
#include "ProviderWorker.h"
#include "S3Client.h"
#include "SshSession.h"
#include "sandbox/Sandbox.h"
#include "sandbox/SandboxSsh.h"

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

QString readAllText(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
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
        if (!QFileInfo(Sandbox::s3rverProgram()).isExecutable())
            SKYDECK_SKIP_OR_FAIL(QStringLiteral("s3rver is not installed (scripts/setup.sh)"));
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
        // The child prints SSHD_PID too when it has an sshd, SSHD_NONE when it cannot have one.
        static const QRegularExpression sshdRe(QStringLiteral("SSHD_(PID=(\\d+)|NONE)"));
        QTRY_VERIFY_WITH_TIMEOUT((said += child.readAllStandardOutput(), pidRe.match(QString::fromUtf8(said)).hasMatch()
                                                                            && sshdRe.match(QString::fromUtf8(said)).hasMatch())
                                     || child.state() == QProcess::NotRunning, 30000);
        const qint64 pid = pidRe.match(QString::fromUtf8(said)).captured(1).toLongLong();
        QVERIFY2(pid > 0, said.constData());
        QVERIFY(processAlive(pid));
        const qint64 sshdPid = sshdRe.match(QString::fromUtf8(said)).captured(2).toLongLong();
        if (QFileInfo(SandboxSsh::sshdProgram()).isExecutable())
            QVERIFY2(sshdPid > 0, said.constData());
        if (sshdPid > 0)
            QVERIFY(processAlive(sshdPid));
        child.kill();  // SIGKILL
        QVERIFY(child.waitForFinished(5000));
        QTRY_VERIFY_WITH_TIMEOUT(!processAlive(pid), 10000);
        if (sshdPid > 0)
            QTRY_VERIFY_WITH_TIMEOUT(!processAlive(sshdPid), 10000);
    }

    void sshAcceptsTheGeneratedKey()
    {
        if (!QFileInfo(SandboxSsh::sshdProgram()).isExecutable())
            SKYDECK_SKIP_OR_FAIL(QStringLiteral("/usr/sbin/sshd is not installed (openssh-server)"));
        qint64 pid = 0;
        int port = 0;
        {
            Sandbox sandbox;
            QSignalSpy sshStarted(sandbox.ssh(), &SandboxSsh::started);
            QSignalSpy sshUnavailable(sandbox.ssh(), &SandboxSsh::unavailable);
            sandbox.start();
            QVERIFY2(sshStarted.wait(30000),
                     sshUnavailable.isEmpty() ? "no answer" : qPrintable(sshUnavailable.at(0).at(0).toString()));
            const ssh::SshHostConfig host = sshStarted.at(0).at(0).value<ssh::SshHostConfig>();
            QCOMPARE(host.hostName, QStringLiteral("127.0.0.1"));
            QVERIFY(host.port > 0);
            port = host.port;
            QCOMPARE(host.identityFiles.size(), 1);

            // Its keys and known_hosts live in a private directory, not in ~/.ssh.
            const QString dir = sandbox.ssh()->directory();
            QVERIFY(dir.startsWith(Sandbox::dataDirectory()));
            QCOMPARE(QFileInfo(dir).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::ExeOther),
                     QFileDevice::Permissions());
            QVERIFY(host.identityFiles.first().startsWith(dir));
            QCOMPARE(sandbox.ssh()->knownHosts().userFiles(), QStringList{QDir(dir).filePath(QStringLiteral("known_hosts"))});
            QCOMPARE(sandbox.ssh()->knownHosts().appStore(), QDir(dir).filePath(QStringLiteral("known_hosts")));

            // A session with the generated key and the pre-trusted host key: no question, no password.
            ssh::SshSession session(host);
            session.setKnownHosts(sandbox.ssh()->knownHosts());
            session.setUseAgent(false);
            QSignalSpy ready(&session, &ssh::SshSession::ready);
            QSignalSpy failed(&session, &ssh::SshSession::failed);
            QSignalSpy asked(&session, &ssh::SshSession::hostKeyQuestion);
            QSignalSpy password(&session, &ssh::SshSession::passwordNeeded);
            session.connectToHost();
            QVERIFY2(ready.wait(20000), failed.isEmpty() ? "no answer" : qPrintable(failed.at(0).at(0).value<Error>().toString()));
            QVERIFY(asked.isEmpty());
            QVERIFY(password.isEmpty());
            Result<ssh::ExecResult> r = waitFor(ssh::ExecChannel::run(&session, QStringLiteral("echo sandbox-$((6*7)); id -un")));
            QVERIFY2(r.ok(), qPrintable(r.error().toString()));
            QCOMPARE(r->exitStatus, 0);
            QCOMPARE(r->standardOutput, QByteArray("sandbox-42\n") + host.user.toUtf8() + '\n');

            // The sandbox's key is trusted for this connection only: another store does not know it.
            QVERIFY(!ssh::KnownHosts::defaultUserFiles().isEmpty());
            for (const QString &file : ssh::KnownHosts::defaultUserFiles())
                QVERIFY(!readAllText(file).contains(QStringLiteral("[127.0.0.1]:%1").arg(port)));

            session.disconnectFromHost();
            pid = sandbox.ssh()->processId();
            QVERIFY(processAlive(pid));
        }
        // Destroyed: sshd is gone and its port closed.
        QVERIFY(!processAlive(pid));
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, static_cast<quint16>(port));
        QVERIFY(!probe.waitForConnected(1000));
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
