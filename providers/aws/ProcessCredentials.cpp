// credential_process: a command that prints credentials as JSON.
#include "CredentialProviders.h"

#include "AwsLogging.h"
#include "DisplayText.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTimer>

#include <atomic>

namespace skydeck::aws {

namespace {
std::atomic<int> s_timeoutMs{ProcessCredentialProvider::kDefaultTimeoutMs};

Error processError(const QString &who, const QString &what, const QString &code = QStringLiteral("CredentialProcessFailed"))
{
    return Error(Error::Category::Auth, QStringLiteral("%1 %2").arg(who, what), code);
}

// The last lines of what the process said on stderr, shown as plain text.
QString stderrText(const QByteArray &bytes)
{
    QString text = QString::fromUtf8(bytes).trimmed();
    if (text.size() > 1000)
        text = QStringLiteral("…") + text.right(1000);
    return displayText(text.replace(QLatin1Char('\n'), QStringLiteral(" / ")));
}
} // namespace

ProcessCredentialProvider::ProcessCredentialProvider(const CredentialSpec &spec, QObject *parent)
    : CredentialProvider(parent), m_spec(spec)
{
}

ProcessCredentialProvider::~ProcessCredentialProvider()
{
    if (m_process) {
        m_process->disconnect();
        m_process->kill();
        m_process->waitForFinished(1000);
    }
}

QString ProcessCredentialProvider::describe() const
{
    return m_spec.profile.isEmpty() ? QStringLiteral("credential_process")
                                    : QStringLiteral("the credential_process of profile %1").arg(m_spec.profile);
}

void ProcessCredentialProvider::setTimeoutMs(int ms)
{
    s_timeoutMs = ms > 0 ? ms : kDefaultTimeoutMs;
}

int ProcessCredentialProvider::timeoutMs()
{
    return s_timeoutMs.load();
}

QString ProcessCredentialProvider::sharedKey() const
{
    return QStringLiteral("process\n") + m_spec.command;
}

Result<Credentials> ProcessCredentialProvider::parseOutput(const QByteArray &json, const QString &who)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (!doc.isObject())  // never quote it: it may hold a secret
        return processError(who, QStringLiteral("printed no JSON object (%1 bytes: %2)")
                                     .arg(json.size())
                                     .arg(err.error == QJsonParseError::NoError ? QStringLiteral("not an object")
                                                                                : err.errorString()),
                            QStringLiteral("CredentialProcessBadOutput"));
    const QJsonObject o = doc.object();
    const QJsonValue version = o.value(QLatin1String("Version"));
    if (!version.isDouble() || version.toDouble() != 1)
        return processError(who, QStringLiteral("printed an unsupported Version %1 (only 1 is supported)")
                                     .arg(version.isUndefined() ? QStringLiteral("(none)")
                                          : version.isDouble()  ? QString::number(version.toDouble())
                                                                : QStringLiteral("that is not a number")),
                            QStringLiteral("CredentialProcessBadOutput"));
    Credentials c;
    c.accessKeyId = o.value(QLatin1String("AccessKeyId")).toString();
    c.secretAccessKey = o.value(QLatin1String("SecretAccessKey")).toString();
    c.sessionToken = o.value(QLatin1String("SessionToken")).toString();
    QStringList missing;
    if (c.accessKeyId.isEmpty())
        missing << QStringLiteral("AccessKeyId");
    if (c.secretAccessKey.isEmpty())
        missing << QStringLiteral("SecretAccessKey");
    if (!missing.isEmpty())
        return processError(who, QStringLiteral("printed JSON without %1").arg(missing.join(QStringLiteral(" and "))),
                            QStringLiteral("CredentialProcessBadOutput"));
    const QJsonValue expiration = o.value(QLatin1String("Expiration"));
    if (!expiration.isUndefined() && !expiration.isNull()) {
        c.expiration = parseAwsTime(expiration.toString());
        if (!c.expiration.isValid())
            return processError(who, QStringLiteral("printed an Expiration that is not an ISO 8601 time: \"%1\"")
                                         .arg(displayText(expiration.toString().left(64))),
                                QStringLiteral("CredentialProcessBadOutput"));
        if (c.expiration <= QDateTime::currentDateTimeUtc())
            return processError(who, QStringLiteral("printed credentials that expired at %1")
                                         .arg(c.expiration.toString(Qt::ISODate)),
                                QStringLiteral("CredentialProcessExpired"));
    }
    return c;
}

void ProcessCredentialProvider::fetch(const CancelToken &token, Callback<Credentials> done)
{
    const QString who = describe();
    QStringList argv = QProcess::splitCommand(m_spec.command);
    if (argv.isEmpty()) {
        done(processError(who, QStringLiteral("is empty")));
        return;
    }
    auto *p = new QProcess(this);
    m_process = p;
    p->setProcessChannelMode(QProcess::SeparateChannels);
    auto answered = std::make_shared<bool>(false);
    auto finish = std::make_shared<Callback<Credentials>>(std::move(done));
    auto answer = [p, answered, finish](Result<Credentials> r) {
        if (*answered)
            return;
        *answered = true;
        p->disconnect();
        if (p->state() != QProcess::NotRunning) {
            p->kill();
            p->waitForFinished(1000);
        }
        p->deleteLater();
        (*finish)(std::move(r));
    };
    auto *timer = new QTimer(p);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, p, [answer, who] {
        answer(processError(who, QStringLiteral("did not finish within %1 s; it was stopped").arg(timeoutMs() / 1000.0),
                            QStringLiteral("CredentialProcessTimeout")));
    });
    // Output is capped: a runaway process cannot fill the memory.
    connect(p, &QProcess::readyReadStandardOutput, p, [p, answer, who] {
        if (p->bytesAvailable() > kMaxOutputBytes)
            answer(processError(who, QStringLiteral("printed more than %1 KiB").arg(kMaxOutputBytes / 1024)));
    });
    connect(p, &QProcess::errorOccurred, p, [p, answer, who](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart)
            answer(processError(who, QStringLiteral("could not be started: %1").arg(p->errorString())));
    });
    connect(p, &QProcess::finished, p, [p, answer, who](int code, QProcess::ExitStatus status) {
        const QByteArray err = p->readAllStandardError().left(kMaxOutputBytes);
        if (status != QProcess::NormalExit || code != 0) {
            const QString said = stderrText(err);
            answer(processError(who, (status != QProcess::NormalExit ? QStringLiteral("crashed")
                                                                       : QStringLiteral("exited with status %1").arg(code))
                                         + (said.isEmpty() ? QString() : QStringLiteral(": ") + said)));
            return;
        }
        answer(parseOutput(p->readAllStandardOutput(), who));
    });
    token.onCancel(p, [answer] { answer(Error::cancelled()); });
    const QString program = argv.takeFirst();
    qCDebug(lcAwsCredentials).noquote() << "running" << who;
    timer->start(timeoutMs());
    p->start(program, argv, QIODevice::ReadWrite);
    p->closeWriteChannel();  // nothing to read from us: a question goes to its own terminal
}

} // namespace skydeck::aws
