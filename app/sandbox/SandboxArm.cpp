#include "SandboxArm.h"

#include "SandboxLogging.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTimer>

#include <csignal>
#include <sys/prctl.h>

#ifndef SKYDECK_SOURCE_DIR
#define SKYDECK_SOURCE_DIR ""
#endif

namespace skydeck {

namespace {
const QString kTenant = QStringLiteral("5a9d1c7e-0000-4000-8000-5a9d1c7e0001");
const QString kClientId = QStringLiteral("5a9d1c7e-0000-4000-8000-5a9d1c7e0002");
const QString kSubscription = QStringLiteral("5a9d1c7e-0000-4000-8000-5a9d1c7e0003");
constexpr int kStartTimeoutMs = 15000;
} // namespace

struct SandboxArm::Private {
    QProcess *process = nullptr;
    QTimer *timeout = nullptr;
    QByteArray output;
    QString endpoint;
    QString secret;
    bool starting = false;

    void kill()
    {
        if (!process)
            return;
        QProcess *p = process;
        process = nullptr;
        p->disconnect();
        if (p->state() != QProcess::NotRunning) {
            p->terminate();
            if (!p->waitForFinished(2000)) {
                p->kill();
                p->waitForFinished(1000);
            }
        }
        p->deleteLater();
    }
};

SandboxArm::SandboxArm(QObject *parent) : QObject(parent), d(std::make_unique<Private>())
{
}

SandboxArm::~SandboxArm()
{
    d->kill();
}

QString SandboxArm::serverScript()
{
    QString source = qEnvironmentVariable("SKYDECK_SOURCE_DIR");
    if (source.isEmpty())
        source = QStringLiteral(SKYDECK_SOURCE_DIR);
    return QDir(source).filePath(QStringLiteral("tests/servers/arm_server.py"));
}

bool SandboxArm::isRunning() const
{
    return d->process && d->process->state() == QProcess::Running && !d->endpoint.isEmpty();
}

qint64 SandboxArm::processId() const
{
    return d->process ? d->process->processId() : 0;
}

Account SandboxArm::account() const
{
    Account a;
    a.id = QStringLiteral("sandbox:azure");
    a.provider = QStringLiteral("azure");
    a.displayName = QStringLiteral("Sandbox Azure (local Resource Manager, not a cloud account)");
    a.source = QStringLiteral("sandbox");
    a.sandbox = true;
    a.settings.insert(QStringLiteral("tenantId"), kTenant);
    a.settings.insert(QStringLiteral("clientId"), kClientId);
    a.settings.insert(QStringLiteral("subscriptionId"), kSubscription);
    a.settings.insert(QStringLiteral("authorityHost"), d->endpoint);
    a.settings.insert(QStringLiteral("endpoint"), d->endpoint);
    a.settings.insert(QStringLiteral("audience"), QStringLiteral("https://management.azure.com"));
    a.secrets.insert(QStringLiteral("clientSecret"), d->secret);
    return a;
}

void SandboxArm::start()
{
    if (isRunning()) {
        Q_EMIT started(account());
        return;
    }
    if (d->starting)
        return;
    const QString script = serverScript();
    if (!QFile::exists(script)) {
        Q_EMIT unavailable(tr("the sandbox's Azure server is not installed (%1)").arg(script));
        return;
    }
    const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
    if (python.isEmpty()) {
        Q_EMIT unavailable(tr("the sandbox's Azure server needs python3"));
        return;
    }
    d->kill();
    d->starting = true;
    d->output.clear();
    d->endpoint.clear();
    d->secret = QString::number(QRandomGenerator::system()->generate64(), 36)
        + QString::number(QRandomGenerator::system()->generate64(), 36);
    d->process = new QProcess(this);
    d->process->setProcessChannelMode(QProcess::SeparateChannels);
    d->process->setStandardErrorFile(QProcess::nullDevice());
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("ARM_SERVER_CLIENT_SECRET"), d->secret);  // not on the command line
    d->process->setProcessEnvironment(env);
    d->process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
    d->timeout = new QTimer(d->process);
    d->timeout->setSingleShot(true);
    auto fail = [this](const QString &why) {
        if (!d->starting)
            return;
        d->starting = false;
        d->kill();
        qCWarning(lcSandbox).noquote() << "sandbox Azure:" << why;
        Q_EMIT unavailable(why);
    };
    connect(d->timeout, &QTimer::timeout, this, [fail] { fail(tr("the sandbox's Azure server did not start")); });
    connect(d->process, &QProcess::errorOccurred, this, [fail](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart)
            fail(tr("could not run python3 for the sandbox's Azure server"));
    });
    connect(d->process, &QProcess::finished, this, [this, fail](int code) {
        if (d->starting)
            fail(tr("the sandbox's Azure server exited (%1)").arg(code));
        else
            qCWarning(lcSandbox) << "sandbox Azure server exited with" << code;
    });
    connect(d->process, &QProcess::readyReadStandardOutput, this, [this] {
        if (!d->process)
            return;
        d->output += d->process->readAllStandardOutput();
        if (!d->starting)
            return;
        for (const QByteArray &line : d->output.split('\n')) {
            if (line.startsWith("PORT ")) {
                bool ok = false;
                const int port = line.mid(5).trimmed().toInt(&ok);
                if (!ok || port <= 0)
                    continue;
                d->starting = false;
                d->timeout->stop();
                d->endpoint = QStringLiteral("http://127.0.0.1:%1").arg(port);
                qCInfo(lcSandbox).noquote() << "sandbox Azure (Resource Manager) on" << d->endpoint;
                Q_EMIT started(account());
                return;
            }
        }
    });
    d->timeout->start(kStartTimeoutMs);
    d->process->start(python, {QStringLiteral("-u"), script, QStringLiteral("--port"), QStringLiteral("0"),
                               QStringLiteral("--tenant"), kTenant, QStringLiteral("--client-id"), kClientId,
                               QStringLiteral("--subscription"),
                               kSubscription, QStringLiteral("--demo"), QStringLiteral("--transition-seconds"),
                               QStringLiteral("4"), QStringLiteral("--retry-after"), QStringLiteral("1")});
}

void SandboxArm::stop()
{
    d->starting = false;
    d->kill();
    d->endpoint.clear();
}

} // namespace skydeck
