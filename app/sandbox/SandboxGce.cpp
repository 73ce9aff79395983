#include "SandboxGce.h"

#include "GcpConfig.h"
#include "SandboxLogging.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTimer>

#include <csignal>
#include <sys/prctl.h>

#ifndef SKYDECK_SOURCE_DIR
#define SKYDECK_SOURCE_DIR ""
#endif

namespace skydeck {

namespace {
const QString kProject = QStringLiteral("skydeck-sandbox");
const QString kClientEmail = QStringLiteral("sandbox@skydeck-sandbox.iam.gserviceaccount.com");
constexpr int kStartTimeoutMs = 20000;
} // namespace

struct SandboxGce::Private {
    SandboxGce *q = nullptr;
    QString dir;
    QProcess *keygen = nullptr;
    QProcess *process = nullptr;
    QTimer *timeout = nullptr;
    QByteArray output;
    Account account;
    bool starting = false;

    QString path(const char *name) const { return QDir(dir).filePath(QString::fromLatin1(name)); }

    static void end(QProcess *&slot)
    {
        QProcess *p = slot;
        slot = nullptr;
        if (!p)
            return;
        p->disconnect();
        if (p->state() != QProcess::NotRunning) {
            p->terminate();
            if (!p->waitForFinished(2000)) {
                p->kill();
                p->waitForFinished(1000);
            }
        }
        p->deleteLater();  // may be inside one of its own signals
    }

    void kill()
    {
        if (timeout)
            timeout->stop();
        end(keygen);
        end(process);
        account = Account();
    }

    void fail(const QString &why)
    {
        if (!starting)
            return;
        starting = false;
        kill();
        qCWarning(lcSandbox).noquote() << "sandbox Compute Engine:" << why;
        Q_EMIT q->unavailable(why);
    }

    void makeKey()
    {
        const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
        if (openssl.isEmpty())
            return fail(SandboxGce::tr("the sandbox's Compute Engine needs the openssl command"));
        keygen = new QProcess(q);
        keygen->setProcessChannelMode(QProcess::MergedChannels);
        const QString key = path("service-account.pem");
        QObject::connect(keygen, &QProcess::finished, q, [this, key](int code, QProcess::ExitStatus status) {
            const QByteArray said = keygen ? keygen->readAll().trimmed() : QByteArray();
            end(keygen);
            if (status != QProcess::NormalExit || code != 0 || !QFile::exists(key))
                return fail(SandboxGce::tr("openssl could not make the sandbox's key: %1").arg(QString::fromLocal8Bit(said)));
            QFile::setPermissions(key, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
            runServer();
        });
        QObject::connect(keygen, &QProcess::errorOccurred, q, [this](QProcess::ProcessError e) {
            if (e == QProcess::FailedToStart)
                fail(SandboxGce::tr("cannot run openssl"));
        });
        keygen->start(openssl, {QStringLiteral("genpkey"), QStringLiteral("-algorithm"), QStringLiteral("RSA"),
                                QStringLiteral("-pkeyopt"), QStringLiteral("rsa_keygen_bits:2048"), QStringLiteral("-out"), key});
    }

    void runServer()
    {
        const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
        if (python.isEmpty())
            return fail(SandboxGce::tr("the sandbox's Compute Engine needs python3"));
        QFile::remove(path("key.json"));
        output.clear();
        process = new QProcess(q);
        process->setProcessChannelMode(QProcess::SeparateChannels);
        process->setStandardErrorFile(path("gce_server.log"));
        process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
        QObject::connect(process, &QProcess::errorOccurred, q, [this](QProcess::ProcessError e) {
            if (e == QProcess::FailedToStart)
                fail(SandboxGce::tr("could not run python3 for the sandbox's Compute Engine"));
        });
        QObject::connect(process, &QProcess::finished, q, [this](int code) {
            if (starting)
                return fail(SandboxGce::tr("the sandbox's Compute Engine exited (%1, see %2)").arg(code).arg(path("gce_server.log")));
            qCWarning(lcSandbox) << "sandbox Compute Engine server exited with" << code;
            account = Account();
        });
        QObject::connect(process, &QProcess::readyReadStandardOutput, q, [this] { readPort(); });
        process->start(python, {QStringLiteral("-u"), SandboxGce::serverScript(), QStringLiteral("--port"), QStringLiteral("0"),
                                QStringLiteral("--project"), kProject, QStringLiteral("--client-email"), kClientEmail,
                                QStringLiteral("--private-key"), path("service-account.pem"), QStringLiteral("--key-file-out"),
                                path("key.json"), QStringLiteral("--demo"), QStringLiteral("--step-delay"), QStringLiteral("3")});
    }

    void readPort()
    {
        if (!process)
            return;
        output += process->readAllStandardOutput();
        if (!starting)
            return;
        for (const QByteArray &line : output.split('\n')) {
            if (!line.startsWith("PORT "))
                continue;
            bool ok = false;
            const int port = line.mid(5).trimmed().toInt(&ok);
            if (!ok || port <= 0)
                continue;
            // The key file (written before the server printed its port) read as a user's would be.
            QProcessEnvironment env;
            env.insert(QStringLiteral("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE"),
                       QStringLiteral("http://127.0.0.1:%1/compute/v1/").arg(port));
            env.insert(QStringLiteral("CLOUDSDK_CORE_PROJECT"), kProject);
            Result<Account> a = gcp::accountFromCredentialsFile(path("key.json"), QStringLiteral("sandbox:gcp"),
                                                                QStringLiteral("sandbox"), env, dir);
            if (!a.ok())
                return fail(a.error().toString());
            account = a.value();
            account.sandbox = true;
            account.displayName = SandboxGce::tr("Sandbox Google Cloud (local Compute Engine, not a cloud account)");
            starting = false;
            timeout->stop();
            qCInfo(lcSandbox) << "sandbox Compute Engine on port" << port;
            Q_EMIT q->started(account);
            return;
        }
    }
};

SandboxGce::SandboxGce(const QString &directory, QObject *parent) : QObject(parent), d(std::make_unique<Private>())
{
    d->q = this;
    d->dir = directory;
    d->timeout = new QTimer(this);
    d->timeout->setSingleShot(true);
    connect(d->timeout, &QTimer::timeout, this, [this] { d->fail(tr("the sandbox's Compute Engine did not start")); });
}

SandboxGce::~SandboxGce()
{
    d->kill();
}

QString SandboxGce::serverScript()
{
    QString source = qEnvironmentVariable("SKYDECK_SOURCE_DIR");
    if (source.isEmpty())
        source = QStringLiteral(SKYDECK_SOURCE_DIR);
    return QDir(source).filePath(QStringLiteral("tests/servers/gce_server.py"));
}

bool SandboxGce::isRunning() const
{
    return d->process && d->process->state() == QProcess::Running && !d->account.id.isEmpty();
}

qint64 SandboxGce::processId() const
{
    return d->process ? d->process->processId() : 0;
}

Account SandboxGce::account() const
{
    return d->account;
}

void SandboxGce::start()
{
    if (isRunning()) {
        const Account a = d->account;
        QTimer::singleShot(0, this, [this, a] { Q_EMIT started(a); });
        return;
    }
    if (d->starting)
        return;
    d->kill();
    d->starting = true;
    auto failLater = [this](const QString &why) { QTimer::singleShot(0, this, [this, why] { d->fail(why); }); };
    if (!QFile::exists(serverScript()))
        return failLater(tr("the sandbox's Compute Engine server is not installed (%1)").arg(serverScript()));
    if (!QDir().mkpath(d->dir)
        || !QFile::setPermissions(d->dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner))
        return failLater(tr("cannot create the private directory %1").arg(d->dir));
    d->timeout->start(kStartTimeoutMs);
    QTimer::singleShot(0, this, [this] {
        if (!d->starting)
            return;
        if (QFile::exists(d->path("service-account.pem")))
            d->runServer();
        else
            d->makeKey();
    });
}

void SandboxGce::stop()
{
    d->starting = false;
    d->kill();
}

} // namespace skydeck
