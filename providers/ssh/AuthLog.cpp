#include "AuthLog.h"

#include "DisplayText.h"
#include "KnownHosts.h"
#include "UserKey.h"

#include <QDir>

namespace skydeck::ssh {

namespace {

QString listed(const QByteArrayList &algorithms)
{
    QStringList names;
    for (const QByteArray &a : algorithms)
        names << QString::fromLatin1(a);
    if (names.size() <= 1)
        return names.join(QString());
    const QString last = names.takeLast();
    return names.join(QStringLiteral(", ")) + QStringLiteral(" or ") + last;
}

} // namespace

QString AuthLog::shownPath(const QString &path)
{
    const QString home = QDir::homePath();
    if (!home.isEmpty() && home != QLatin1String("/") && path.startsWith(home + QLatin1Char('/')))
        return QStringLiteral("~") + path.mid(home.size());
    return path;
}

QString AuthAttempt::subject() const
{
    const QString key = blob.isEmpty() ? QString()
                                       : QStringLiteral(" (%1 %2)").arg(UserKey::describe(blob), KnownHosts::sha256Fingerprint(blob));
    switch (kind) {
    case Kind::AgentKey:
        return QStringLiteral("agent key \"%1\"%2").arg(displayText(comment.left(200)), key);
    case Kind::KeyFile:
        return displayText(AuthLog::shownPath(path)) + key;
    case Kind::KeyboardInteractive:
        return QStringLiteral("keyboard-interactive");
    case Kind::Password:
        return QStringLiteral("password");
    case Kind::Agent:
        return QStringLiteral("agent at %1").arg(displayText(AuthLog::shownPath(path)));
    case Kind::Note:
        break;
    }
    return {};
}

QString AuthAttempt::result() const
{
    const bool rsa = UserKey::signatureAlgorithms(blob).size() > 1;
    switch (outcome) {
    case Outcome::Pending:
        return QStringLiteral("not finished");
    case Outcome::NotAccepted:
        if (agentLacksSha2 && refusedAs == QByteArrayList{"ssh-rsa"})
            return QStringLiteral("the server refused ssh-rsa (SHA-1) signatures, the only RSA signatures this agent makes "
                                  "(OpenSSH 8.8 and later refuse SHA-1 by default; load the key into a current ssh-agent)");
        if (rsa && refusedAs == QByteArrayList{"ssh-rsa"})
            return QStringLiteral("the server refused ssh-rsa (SHA-1) signatures");
        if (rsa && !refusedAs.isEmpty())
            return QStringLiteral("not accepted by the server (offered as %1)").arg(listed(refusedAs));
        return QStringLiteral("not accepted by the server");
    case Outcome::SignatureRefused:
        return QStringLiteral("the server accepted the key, then refused its %1 signature").arg(detail);
    case Outcome::ServerClosed:
        return QStringLiteral("the server closed the connection (%1)").arg(displayText(detail.left(300)));
    case Outcome::PassphraseWrong:
        return tries > 1 ? QStringLiteral("passphrase wrong (asked %1 times)").arg(tries) : QStringLiteral("passphrase wrong");
    case Outcome::PassphraseNotGiven:
        return detail.isEmpty() ? QStringLiteral("passphrase not given") : QStringLiteral("passphrase not given (%1)").arg(detail);
    case Outcome::KeyUnusable:
        return QStringLiteral("cannot be used: %1").arg(displayText(detail.left(300)));
    case Outcome::AgentFailed:
        return QStringLiteral("the agent did not sign: %1").arg(displayText(detail.left(300)));
    case Outcome::Refused:
        if (kind == Kind::Password)
            return tries > 1 ? QStringLiteral("refused (%1 tries)").arg(tries) : QStringLiteral("refused");
        return QStringLiteral("refused");
    case Outcome::NotGiven:
        return detail.isEmpty() ? QStringLiteral("not given") : displayText(detail.left(300));
    case Outcome::Unavailable:
        return QStringLiteral("not reachable (%1)").arg(displayText(detail.left(300)));
    case Outcome::Info:
        return displayText(detail.left(300));
    }
    return {};
}

void AuthLog::clear()
{
    m_offered.clear();
    m_attempts.clear();
    m_missing.clear();
}

int AuthLog::add(const AuthAttempt &attempt)
{
    m_attempts << attempt;
    return int(m_attempts.size() - 1);
}

QString AuthLog::summary(const QString &ending) const
{
    QString text = m_offered.isEmpty() ? QStringLiteral("Permission denied")
                                       : QStringLiteral("Permission denied (the server offers %1)").arg(displayText(m_offered.left(300)));
    QStringList parts;
    bool triedSomething = false;
    for (const AuthAttempt &a : m_attempts) {
        if (a.outcome == AuthAttempt::Outcome::Pending)
            continue;
        const QString subject = a.subject();
        parts << (subject.isEmpty() ? a.result() : subject + QStringLiteral(": ") + a.result());
        triedSomething = triedSomething || (a.kind != AuthAttempt::Kind::Agent && a.kind != AuthAttempt::Kind::Note);
    }
    if (!triedSomething) {
        QString none = QStringLiteral("no key, password or answer to offer");
        if (!m_missing.isEmpty()) {
            QStringList shown;
            for (const QString &m : m_missing)
                shown << displayText(shownPath(m));
            none += QStringLiteral(" (identity files not found: %1)").arg(shown.join(QStringLiteral(", ")));
        }
        parts.prepend(none);
        text += QStringLiteral(": ");
    } else {
        text += QStringLiteral("; tried ");
    }
    text += parts.join(QStringLiteral("; "));
    if (!ending.isEmpty())
        text += QStringLiteral("; ") + ending;
    return text;
}

} // namespace skydeck::ssh
