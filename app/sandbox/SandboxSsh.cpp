#include "SandboxSsh.h"

#include "SandboxLogging.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <pwd.h>
#include <unistd.h>

#ifdef Q_OS_LINUX
#include <csignal>
#include <sys/prctl.h>
#endif

namespace skydeck {

namespace {
constexpr int kStartTimeoutMs = 10000;
constexpr int kPollMs = 50;
const char kPrivsepDir[] = "/run/sshd";

QString currentUserName()
{
    const passwd *pw = ::getpwuid(::geteuid());
    return pw ? QString::fromLocal8Bit(pw->pw_name) : qEnvironmentVariable("USER");
}

// A path as one sshd_config argument: quoted, with % doubled (sshd expands %h, %u, ... in some).
QString configPath(const QString &path)
{
    QString p = path;
    p.replace(QLatin1Char('%'), QStringLiteral("%%"));
    return QLatin1Char('"') + p + QLatin1Char('"');
}

bool writePrivateFile(const QString &path, const QByteArray &data, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)
        || !f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner) || f.write(data) != data.size()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}
} // namespace

struct SandboxSsh::Private {
    SandboxSsh *q;
    QString dir;
    QString user;
    quint16 port = 0;
    QProcess *keygen = nullptr;
    QStringList keysToMake;  // private key paths still to generate
    QProcess *sshd = nullptr;
    QTimer poll;
    QTcpSocket *probe = nullptr;
    QElapsedTimer sinceStart;
    bool starting = false;
    bool running = false;

    QString path(const char *name) const { return QDir(dir).filePath(QString::fromLatin1(name)); }
    QString logFile() const { return path("sshd.log"); }

    void giveUp(const QString &reason)
    {
        qCWarning(lcSandbox).noquote() << "sandbox sshd not available:" << reason;
        starting = false;
        kill();
        Q_EMIT q->unavailable(reason);
    }

    void kill()
    {
        poll.stop();
        if (probe) {
            probe->abort();
            probe->deleteLater();
            probe = nullptr;
        }
        for (QProcess **slot : {&keygen, &sshd}) {
            QProcess *p = *slot;
            *slot = nullptr;
            if (!p)
                continue;
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
        running = false;
    }

    void nextKey()
    {
        if (keysToMake.isEmpty())
            return writeConfigAndRun();
        const QString key = keysToMake.takeFirst();
        QFile::remove(key);
        QFile::remove(key + QStringLiteral(".pub"));
        const QString program = QStandardPaths::findExecutable(QStringLiteral("ssh-keygen"));
        if (program.isEmpty())
            return giveUp(QStringLiteral("ssh-keygen is not installed (openssh-client)"));
        keygen = new QProcess(q);
        keygen->setProcessChannelMode(QProcess::MergedChannels);
        QObject::connect(keygen, &QProcess::finished, q, [this, key](int code, QProcess::ExitStatus status) {
            const QByteArray said = keygen->readAll().trimmed();
            keygen->deleteLater();
            keygen = nullptr;
            if (status != QProcess::NormalExit || code != 0 || !QFile::exists(key + QStringLiteral(".pub")))
                return giveUp(QStringLiteral("ssh-keygen failed for %1: %2").arg(key, QString::fromLocal8Bit(said)));
            nextKey();
        });
        QObject::connect(keygen, &QProcess::errorOccurred, q, [this](QProcess::ProcessError e) {
            if (e == QProcess::FailedToStart)
                giveUp(QStringLiteral("cannot run ssh-keygen"));
        });
        const QString comment = key.endsWith(QLatin1String("host_ed25519")) ? QStringLiteral("skydeck-sandbox-host")
                                                                              : QStringLiteral("skydeck-sandbox-user");
        keygen->start(program, {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"), QStringLiteral("-N"),
                                QString(), QStringLiteral("-C"), comment, QStringLiteral("-f"), key});
    }

    void writeConfigAndRun()
    {
        QTcpServer portFinder;
        if (!portFinder.listen(QHostAddress::LocalHost, 0))
            return giveUp(QStringLiteral("no free port on 127.0.0.1"));
        port = portFinder.serverPort();
        portFinder.close();

        QString error;
        const QByteArray userKey = readFile(path("id_ed25519.pub")).trimmed();
        const QList<QByteArray> hostKey = readFile(path("host_ed25519.pub")).simplified().split(' ');
        if (userKey.isEmpty() || hostKey.size() < 2)
            return giveUp(QStringLiteral("the generated keys in %1 cannot be read").arg(dir));
        const QString config = QStringLiteral(
                                   "# Written by Skydeck for its sandbox; rewritten at each start.\n"
                                   "Port %1\n"
                                   "ListenAddress 127.0.0.1\n"
                                   "HostKey %2\n"
                                   "AuthorizedKeysFile %3\n"
                                   "PidFile %4\n"
                                   "AllowUsers %5\n"
                                   "StrictModes no\n"
                                   "UsePAM no\n"
                                   "PubkeyAuthentication yes\n"
                                   "PasswordAuthentication no\n"
                                   "KbdInteractiveAuthentication no\n"
                                   "PermitRootLogin prohibit-password\n"
                                   "Subsystem sftp internal-sftp\n"
                                   "AllowTcpForwarding yes\n"
                                   "AllowStreamLocalForwarding yes\n"
                                   "X11Forwarding no\n"
                                   "PrintMotd no\n"
                                   "LogLevel INFO\n")
                                   .arg(port)
                                   .arg(configPath(path("host_ed25519")), configPath(path("authorized_keys")),
                                        configPath(path("sshd.pid")), user);
        // Only this connection trusts the key: the sessions check this file, not ~/.ssh/known_hosts.
        const QByteArray known = ssh::KnownHosts::hostEntryName(QStringLiteral("127.0.0.1"), port).toUtf8() + ' '
                                 + hostKey[0] + ' ' + hostKey[1] + '\n';
        if (!writePrivateFile(path("authorized_keys"), userKey + '\n', &error)
            || !writePrivateFile(path("sshd_config"), config.toUtf8(), &error)
            || !writePrivateFile(path("known_hosts"), known, &error))
            return giveUp(error);
        QFile::remove(logFile());

        sshd = new QProcess(q);
        sshd->setProcessChannelMode(QProcess::MergedChannels);
        sshd->setStandardOutputFile(QProcess::nullDevice());
#ifdef Q_OS_LINUX
        // If Skydeck dies without running its destructors (killed, crashed), sshd goes with it.
        sshd->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
#endif
        QObject::connect(sshd, &QProcess::errorOccurred, q, [this](QProcess::ProcessError e) {
            if (e == QProcess::FailedToStart && starting)
                giveUp(QStringLiteral("cannot run %1").arg(sshdProgram()));
        });
        QObject::connect(sshd, &QProcess::finished, q, [this](int code) {
            const QString log = QString::fromLocal8Bit(readFile(logFile()).trimmed().split('\n').last());
            const QString why = QStringLiteral("sshd exited with code %1%2 (see %3)")
                                    .arg(code)
                                    .arg(log.isEmpty() ? QString() : QStringLiteral(": ") + log, logFile());
            if (starting)
                return giveUp(why);
            if (running) {
                running = false;
                qCWarning(lcSandbox).noquote() << "sandbox sshd stopped:" << why;
                Q_EMIT q->unavailable(QStringLiteral("the sandbox's sshd stopped unexpectedly: ") + why);
            }
        });
        sshd->start(sshdProgram(), {QStringLiteral("-D"), QStringLiteral("-f"), path("sshd_config"), QStringLiteral("-E"),
                                    logFile()});
        qCInfo(lcSandbox) << "starting sshd on port" << port << "for" << user << "in" << dir;
        sinceStart.start();
        poll.start();
    }

    void probeOnce()
    {
        if (!sshd)
            return poll.stop();
        if (sinceStart.elapsed() > kStartTimeoutMs)
            return giveUp(QStringLiteral("sshd did not start listening within %1 s (see %2)")
                              .arg(kStartTimeoutMs / 1000)
                              .arg(logFile()));
        if (probe)
            return;
        probe = new QTcpSocket(q);
        QObject::connect(probe, &QTcpSocket::connected, q, [this] {
            probe->abort();
            probe->deleteLater();
            probe = nullptr;
            poll.stop();
            starting = false;
            running = true;
            qCInfo(lcSandbox) << "sandbox sshd listening on 127.0.0.1 port" << port;
            Q_EMIT q->started(q->host());
        });
        QObject::connect(probe, &QTcpSocket::errorOccurred, q, [this] {
            if (!probe)
                return;
            probe->deleteLater();
            probe = nullptr;
        });
        probe->connectToHost(QHostAddress::LocalHost, port);
    }
};

SandboxSsh::SandboxSsh(const QString &directory, QObject *parent) : QObject(parent), d(std::make_unique<Private>())
{
    d->q = this;
    d->dir = directory;
    d->user = currentUserName();
    d->poll.setInterval(kPollMs);
    connect(&d->poll, &QTimer::timeout, this, [this] { d->probeOnce(); });
}

SandboxSsh::~SandboxSsh()
{
    d->kill();
}

QString SandboxSsh::sshdProgram()
{
    return QStringLiteral("/usr/sbin/sshd");
}

void SandboxSsh::start()
{
    if (d->starting)
        return;
    if (d->running) {
        QTimer::singleShot(0, this, [this] { Q_EMIT started(host()); });
        return;
    }
    d->starting = true;
    auto giveUpLater = [this](const QString &reason) {
        QTimer::singleShot(0, this, [this, reason] { d->giveUp(reason); });
    };
    if (!QFileInfo(sshdProgram()).isExecutable())
        return giveUpLater(QStringLiteral("OpenSSH's server is not installed (%1; Debian: openssh-server)").arg(sshdProgram()));
    if (d->user.isEmpty())
        return giveUpLater(QStringLiteral("cannot tell the current user's name"));
    if (!QFileInfo(QString::fromLatin1(kPrivsepDir)).isDir()) {
        // sshd refuses to start without its privilege separation directory; only root can make it.
        if (::geteuid() != 0 || !QDir().mkpath(QString::fromLatin1(kPrivsepDir)))
            return giveUpLater(QStringLiteral("sshd needs the directory %1, which only root can create "
                                              "(sudo mkdir -p %1)")
                                   .arg(QString::fromLatin1(kPrivsepDir)));
    }
    if (!QDir().mkpath(d->dir)
        || !QFile::setPermissions(d->dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner))
        return giveUpLater(QStringLiteral("cannot create the private directory %1").arg(d->dir));
    d->keysToMake.clear();
    for (const char *name : {"host_ed25519", "id_ed25519"})
        if (!QFile::exists(d->path(name)) || !QFile::exists(d->path(name) + QStringLiteral(".pub")))
            d->keysToMake << d->path(name);
    QTimer::singleShot(0, this, [this] {
        if (d->starting)
            d->nextKey();
    });
}

void SandboxSsh::stop()
{
    d->starting = false;
    d->kill();
}

bool SandboxSsh::isRunning() const
{
    return d->running;
}

qint64 SandboxSsh::processId() const
{
    return d->sshd && d->running ? d->sshd->processId() : 0;
}

ssh::SshHostConfig SandboxSsh::host() const
{
    ssh::SshHostConfig h;
    h.alias = QStringLiteral("Sandbox SSH");
    h.hostName = QStringLiteral("127.0.0.1");
    h.user = d->user;
    h.port = d->port;
    h.identityFiles = {d->path("id_ed25519")};
    h.identityFilesFromConfig = true;
    h.identitiesOnly = true;
    return h;
}

ssh::KnownHosts SandboxSsh::knownHosts() const
{
    // Both the file checked and the one an accepted key would go to are the sandbox's own.
    const QString file = d->path("known_hosts");
    return ssh::KnownHosts({file}, file);
}

QString SandboxSsh::directory() const
{
    return d->dir;
}

} // namespace skydeck
