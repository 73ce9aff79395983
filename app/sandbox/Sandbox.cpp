#include "Sandbox.h"

#include "DemoContent.h"
#include "SandboxLogging.h"
#include "SandboxArm.h"
#include "SandboxEc2.h"
#include "SandboxGce.h"
#include "SandboxSsh.h"

#include "ProviderWorker.h"
#include "S3Client.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QPointer>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#ifdef Q_OS_LINUX
#include <csignal>
#include <sys/prctl.h>
#endif

Q_LOGGING_CATEGORY(lcSandbox, "skydeck.sandbox")

#ifndef SKYDECK_SOURCE_DIR
#define SKYDECK_SOURCE_DIR ""
#endif

namespace skydeck {

namespace {
constexpr int kStartTimeoutMs = 30000;
constexpr int kPollMs = 100;
const char kSeededMarker[] = ".skydeck-demo-created";
} // namespace

struct Sandbox::Private {
    Sandbox *q;
    SandboxSsh *ssh = nullptr;
    SandboxArm *arm = nullptr;
    SandboxGce *gce = nullptr;
    SandboxEc2 *ec2 = nullptr;
    QProcess *process = nullptr;
    QTimer *poll = nullptr;
    QTcpSocket *probe = nullptr;
    QElapsedTimer sinceStart;
    QString endpoint;
    QList<Account> accounts;  // set once running and seeded
    std::unique_ptr<ProviderWorker> seeder;
    aws::S3Client *seedClient = nullptr;
    int seedPending = 0;
    Error seedError;
    bool starting = false;

    void fail(Error e)
    {
        qCWarning(lcSandbox).noquote() << "sandbox failed:" << e.toString();
        starting = false;
        killProcess();
        Q_EMIT q->failed(e);
    }

    void killProcess()
    {
        if (poll)
            poll->stop();
        if (probe) {
            probe->abort();
            probe->deleteLater();
            probe = nullptr;
        }
        seedClient = nullptr;
        seeder.reset();
        if (process) {
            QProcess *p = process;
            process = nullptr;
            p->disconnect(q);
            if (p->state() != QProcess::NotRunning) {
                p->terminate();
                if (!p->waitForFinished(2000)) {
                    p->kill();
                    p->waitForFinished(2000);
                }
            }
            p->deleteLater();  // may be inside one of its own signals
        }
        accounts.clear();
    }

    void probeOnce()
    {
        if (!process)
            return;
        if (sinceStart.elapsed() > kStartTimeoutMs)
            return fail(Error(Error::Category::Network, QStringLiteral("s3rver did not start listening within %1 s")
                                                            .arg(kStartTimeoutMs / 1000)));
        if (probe)
            return;
        probe = new QTcpSocket(q);
        const QUrl url(endpoint);
        QObject::connect(probe, &QTcpSocket::connected, q, [this] {
            probe->abort();
            probe->deleteLater();
            probe = nullptr;
            poll->stop();
            onListening();
        });
        QObject::connect(probe, &QTcpSocket::errorOccurred, q, [this] {
            if (!probe)
                return;
            probe->deleteLater();
            probe = nullptr;
        });
        probe->connectToHost(QHostAddress::LocalHost, static_cast<quint16>(url.port()));
    }

    void onListening()
    {
        qCInfo(lcSandbox) << "s3rver listening on" << endpoint;
        const Account account = Sandbox::s3Account(endpoint);
        if (QFile::exists(QDir(Sandbox::dataDirectory()).filePath(QString::fromLatin1(kSeededMarker))))
            return ready(account);
        seed(account);
    }

    void ready(const Account &account)
    {
        starting = false;
        seeder.reset();
        seedClient = nullptr;
        accounts = {account};
        Q_EMIT q->started(accounts);
    }

    // First start: demo buckets, then their files. Each call runs on the seeding worker and answers
    // here; the marker is written only when everything was created.
    void seed(const Account &account)
    {
        seeder = std::make_unique<ProviderWorker>(QStringLiteral("worker:sandbox-seed"));
        const aws::S3Config config = aws::S3Config::fromAccount(account);
        QObject *ctx = seeder->context();
        seedClient = seeder->create<aws::S3Client>([&] { return new aws::S3Client(config, ctx); });
        seedError = Error();
        const QStringList buckets = sandbox::demoBuckets();
        seedPending = static_cast<int>(buckets.size());
        for (const QString &b : buckets) {
            aws::S3Client *c = seedClient;
            whenDone(seeder->run<Done>([c, b](const CancelToken &t, Callback<Done> done) {
                         c->createBucket(b, QStringLiteral("us-east-1"), t, std::move(done));
                     }),
                     q, [this, account](Status s) {
                         // A bucket left over from an interrupted first start is fine.
                         if (!s.ok() && s.error().category() != Error::Category::Conflict && !seedError.isError())
                             seedError = s.error();
                         if (--seedPending == 0)
                             seedObjects(account);
                     });
        }
    }

    void seedObjects(const Account &account)
    {
        if (seedError.isError())
            return fail(Error(seedError).setContext(QStringLiteral("creating the sandbox's demo buckets")));
        const QList<sandbox::DemoObject> objects = sandbox::demoObjects();
        seedPending = static_cast<int>(objects.size());
        for (const sandbox::DemoObject &o : objects) {
            aws::S3Client *c = seedClient;
            PutOptions options;
            options.contentType = o.contentType;
            whenDone(seeder->run<PutResult>([c, o, options](const CancelToken &t, Callback<PutResult> done) {
                         c->putObject(o.bucket, o.key, o.data, options, {}, t, std::move(done));
                     }),
                     q, [this, account](Result<PutResult> r) {
                         if (!r.ok() && !seedError.isError())
                             seedError = r.error();
                         if (--seedPending > 0)
                             return;
                         if (seedError.isError())
                             return fail(Error(seedError).setContext(QStringLiteral("creating the sandbox's demo files")));
                         QFile marker(QDir(Sandbox::dataDirectory()).filePath(QString::fromLatin1(kSeededMarker)));
                         if (!marker.open(QIODevice::WriteOnly))
                             qCWarning(lcSandbox) << "cannot write" << marker.fileName();
                         qCInfo(lcSandbox) << "demo buckets created";
                         ready(account);
                     });
        }
    }
};

Sandbox::Sandbox(QObject *parent) : QObject(parent), d(std::make_unique<Private>())
{
    d->q = this;
    d->ssh = new SandboxSsh(dataDirectory() + QStringLiteral("/ssh"), this);
    d->arm = new SandboxArm(this);
    d->gce = new SandboxGce(dataDirectory() + QStringLiteral("/gce"), this);
    d->ec2 = new SandboxEc2(dataDirectory() + QStringLiteral("/ec2"), this);
}

Sandbox::~Sandbox()
{
    d->killProcess();
}

QString Sandbox::dataDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + QStringLiteral("/sandbox");
}

QString Sandbox::s3rverProgram()
{
    QString source = qEnvironmentVariable("SKYDECK_SOURCE_DIR");
    if (source.isEmpty())
        source = QStringLiteral(SKYDECK_SOURCE_DIR);
    return QDir(source).filePath(QStringLiteral("scripts/peers-node/node_modules/.bin/s3rver"));
}

SandboxSsh *Sandbox::ssh() const
{
    return d->ssh;
}

SandboxArm *Sandbox::arm() const
{
    return d->arm;
}

SandboxGce *Sandbox::gce() const
{
    return d->gce;
}

SandboxEc2 *Sandbox::ec2() const
{
    return d->ec2;
}

qint64 Sandbox::s3rverProcessId() const
{
    return d->process ? d->process->processId() : 0;
}

Account Sandbox::s3Account(const QString &endpoint)
{
    Account a;
    a.id = QStringLiteral("sandbox:s3");
    a.provider = QStringLiteral("aws");
    a.displayName = QStringLiteral("Sandbox S3 (local, not a cloud account)");
    a.source = QStringLiteral("Skydeck sandbox: s3rver at ") + endpoint;
    a.sandbox = true;
    a.settings.insert(QStringLiteral("endpoint"), endpoint);
    a.settings.insert(QStringLiteral("region"), QStringLiteral("us-east-1"));
    a.settings.insert(QStringLiteral("addressingStyle"), QStringLiteral("path"));
    a.settings.insert(QStringLiteral("accessKeyId"), QStringLiteral("S3RVER"));
    a.secrets.insert(QStringLiteral("secretAccessKey"), QStringLiteral("S3RVER"));
    return a;
}

bool Sandbox::isRunning() const
{
    return d->process && !d->accounts.isEmpty();
}

QList<Account> Sandbox::accounts() const
{
    return d->accounts;
}

void Sandbox::start()
{
    d->ssh->start();  // independent of s3rver; answers on its own signals
    d->arm->start();  // likewise
    d->gce->start();  // likewise
    d->ec2->start();  // likewise
    if (d->starting)
        return;
    if (isRunning()) {
        const QList<Account> a = d->accounts;
        QTimer::singleShot(0, this, [this, a] { Q_EMIT started(a); });
        return;
    }
    auto failLater = [this](Error e) {
        QTimer::singleShot(0, this, [this, e] { d->fail(e); });
    };
    const QString program = s3rverProgram();
    if (!QFileInfo(program).isExecutable())
        return failLater(Error(Error::Category::Local,
                               QStringLiteral("s3rver is not installed at %1 (run scripts/setup.sh)").arg(program)));
    const QString dataDir = dataDirectory() + QStringLiteral("/s3rver");
    if (!QDir().mkpath(dataDir))
        return failLater(Error(Error::Category::Local, QStringLiteral("cannot create ") + dataDir));

    QTcpServer portFinder;
    if (!portFinder.listen(QHostAddress::LocalHost, 0))
        return failLater(Error(Error::Category::Network, QStringLiteral("no free port on 127.0.0.1")));
    const quint16 port = portFinder.serverPort();
    portFinder.close();
    d->endpoint = QStringLiteral("http://127.0.0.1:%1").arg(port);

    d->starting = true;
    d->process = new QProcess(this);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    // s3rver encrypts continuation tokens with DES, which Node's OpenSSL 3 refuses without this.
    env.insert(QStringLiteral("NODE_OPTIONS"), QStringLiteral("--openssl-legacy-provider"));
    d->process->setProcessEnvironment(env);
    d->process->setProcessChannelMode(QProcess::MergedChannels);
    d->process->setStandardOutputFile(dataDirectory() + QStringLiteral("/s3rver.log"));
#ifdef Q_OS_LINUX
    // If Skydeck dies without running its destructors (killed, crashed), s3rver goes with it.
    d->process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
#endif
    connect(d->process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart && d->starting)
            d->fail(Error(Error::Category::Local, QStringLiteral("cannot run s3rver (is Node.js installed?)")));
    });
    connect(d->process, &QProcess::finished, this, [this](int code) {
        const QString log = dataDirectory() + QStringLiteral("/s3rver.log");
        if (d->starting)
            d->fail(Error(Error::Category::Local, QStringLiteral("s3rver exited with code %1 (see %2)").arg(code).arg(log)));
        else if (!d->accounts.isEmpty()) {
            // It died under us (a stop() disconnects first): say so, the accounts are gone.
            d->accounts.clear();
            Q_EMIT failed(Error(Error::Category::Network,
                                QStringLiteral("the sandbox's s3rver stopped unexpectedly (exit code %1, see %2)").arg(code).arg(log)));
        }
    });
    d->process->start(program, {QStringLiteral("-d"), dataDir, QStringLiteral("-a"), QStringLiteral("127.0.0.1"),
                                QStringLiteral("-p"), QString::number(port), QStringLiteral("--silent")});
    qCInfo(lcSandbox) << "starting s3rver on port" << port << "data" << dataDir;
    d->sinceStart.start();
    if (!d->poll) {
        d->poll = new QTimer(this);
        d->poll->setInterval(kPollMs);
        connect(d->poll, &QTimer::timeout, this, [this] { d->probeOnce(); });
    }
    d->poll->start();
}

void Sandbox::stop()
{
    d->starting = false;
    d->killProcess();
    d->ssh->stop();
    d->arm->stop();
    d->gce->stop();
    d->ec2->stop();
}

} // namespace skydeck
