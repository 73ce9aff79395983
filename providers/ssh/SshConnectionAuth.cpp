// SshConnection's authentication (OpenSSH's order: agent, identity files, keyboard-interactive,
// password), apart from the connection's setup and pump loop in SshConnection.cpp.
#include "SshConnection.h"

#include "SshLogging.h"

#include <QFile>
#include <QFileInfo>

#include <sys/socket.h>

#include <chrono>
#include <cstring>
#include <utility>

namespace skydeck::ssh {

namespace {

// How long a keyboard-interactive question waits for the user (the server's LoginGraceTime,
// 2 minutes by default, usually ends the login first).
constexpr auto kPromptTimeout = std::chrono::minutes(5);

// libssh2 calls this inside libssh2_userauth_keyboard_interactive_ex() for each round; abstract is
// the session's, the SshConnection. Answers are malloc'ed: libssh2 frees them.
void kbdIntCallback(const char *name, int nameLength, const char *instruction, int instructionLength, int numPrompts,
                    const LIBSSH2_USERAUTH_KBDINT_PROMPT *prompts, LIBSSH2_USERAUTH_KBDINT_RESPONSE *responses,
                    void **abstract)
{
    KbdIntQuestion q;
    q.name = QString::fromUtf8(name, qMax(0, nameLength));
    q.instruction = QString::fromUtf8(instruction, qMax(0, instructionLength));
    for (int i = 0; i < numPrompts; ++i)
        q.prompts << KbdIntPrompt{QString::fromUtf8(reinterpret_cast<const char *>(prompts[i].text), qsizetype(prompts[i].length)),
                                  prompts[i].echo != 0};
    auto *conn = abstract ? static_cast<SshConnection *>(*abstract) : nullptr;
    const QStringList answers = conn ? conn->keyboardInteractiveAnswers(q) : QStringList();
    for (int i = 0; i < numPrompts; ++i) {
        const QByteArray a = answers.value(i).toUtf8();
        responses[i].text = strndup(a.constData(), size_t(a.size()));
        responses[i].length = responses[i].text ? unsigned(a.size()) : 0;
    }
}

} // namespace

bool SshConnection::isEncryptedKeyFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QByteArray text = f.read(64 * 1024);
    if (text.contains("ENCRYPTED"))
        return true;  // PEM "Proc-Type: 4,ENCRYPTED" or PKCS#8 "BEGIN ENCRYPTED PRIVATE KEY"
    const QByteArray begin = "-----BEGIN OPENSSH PRIVATE KEY-----";
    const qsizetype b = text.indexOf(begin);
    const qsizetype e = text.indexOf("-----END OPENSSH PRIVATE KEY-----");
    if (b < 0 || e < 0)
        return false;
    const QByteArray raw = QByteArray::fromBase64(text.mid(b + begin.size(), e - b - begin.size()).simplified().replace(' ', ""));
    // "openssh-key-v1\0" then string ciphername.
    const QByteArray magic("openssh-key-v1\0", 15);
    if (!raw.startsWith(magic) || raw.size() < 19)
        return false;
    const quint32 n = (quint32(quint8(raw[15])) << 24) | (quint32(quint8(raw[16])) << 16)
        | (quint32(quint8(raw[17])) << 8) | quint32(quint8(raw[18]));
    return raw.mid(19, int(n)) != "none";
}

void SshConnection::beginAuth()
{
    setState(State::Authenticating);
    const QByteArray user = m_options.host.user.toUtf8();
    char *list = libssh2_userauth_list(m_session.get(), user.constData(), unsigned(user.size()));
    if (!list) {
        if (libssh2_userauth_authenticated(m_session.get()))
            return becomeReady();  // "none" was accepted
        const int rc = libssh2_session_last_errno(m_session.get());
        return fail(sessionError(rc, QStringLiteral("cannot list authentication methods")));
    }
    m_authMethods = QString::fromLatin1(list);
    qCDebug(lcSsh) << "server offers" << m_authMethods;
    continueAuth();
}

bool SshConnection::tryAgent()
{
    if (!m_options.useAgent)
        return false;
    const QString sock = m_options.agentSocket.isEmpty() ? qEnvironmentVariable("SSH_AUTH_SOCK") : m_options.agentSocket;
    if (sock.isEmpty())
        return false;
    AgentPtr agent(libssh2_agent_init(m_session.get()));
    if (!agent)
        return false;
    const QByteArray path = QFile::encodeName(sock);
    libssh2_agent_set_identity_path(agent.get(), path.constData());
    if (libssh2_agent_connect(agent.get()) != 0) {
        qCInfo(lcSsh) << "agent not reachable at" << sock;
        return false;
    }
    if (libssh2_agent_list_identities(agent.get()) != 0)
        return false;
    const QByteArray user = m_options.host.user.toUtf8();
    libssh2_agent_publickey *identity = nullptr, *prev = nullptr;
    while (libssh2_agent_get_identity(agent.get(), &identity, prev) == 0) {
        prev = identity;
        const int rc = libssh2_agent_userauth(agent.get(), user.constData(), identity);
        if (rc == 0) {
            qCInfo(lcSsh) << "authenticated with agent key" << identity->comment;
            return true;
        }
        if (checkFatal(rc, "agent authentication"))
            return false;
    }
    return false;
}

bool SshConnection::tryIdentityFile(const QString &file, const QString &passphrase, int *rcOut)
{
    const QByteArray user = m_options.host.user.toUtf8();
    const QByteArray priv = QFile::encodeName(file);
    const QString pubPath = file + QStringLiteral(".pub");
    const QByteArray pub = QFileInfo::exists(pubPath) ? QFile::encodeName(pubPath) : QByteArray();
    const QByteArray pass = passphrase.toUtf8();
    const int rc = libssh2_userauth_publickey_fromfile_ex(m_session.get(), user.constData(), unsigned(user.size()),
                                                          pub.isEmpty() ? nullptr : pub.constData(), priv.constData(),
                                                          pass.constData());
    *rcOut = rc;
    if (rc == 0)
        qCInfo(lcSsh) << "authenticated with key" << file;
    return rc == 0;
}

void SshConnection::continueAuth()
{
    const auto offers = [this](const char *m) { return m_authMethods.split(QLatin1Char(',')).contains(QLatin1String(m)); };
    while (m_authStep != AuthStep::Done) {
        if (!m_session)
            return;
        switch (m_authStep) {
        case AuthStep::Agent:
            m_authStep = AuthStep::Identities;
            if (offers("publickey") && tryAgent())
                return becomeReady();
            break;
        case AuthStep::Identities: {
            const QStringList &files = m_options.host.identityFiles;
            if (!offers("publickey") || m_identityIndex >= files.size()) {
                m_authStep = AuthStep::KeyboardInteractive;
                break;
            }
            const QString file = files[m_identityIndex];
            if (!QFileInfo::exists(file)) {
                ++m_identityIndex;
                break;
            }
            if (isEncryptedKeyFile(file)) {
                setState(State::AwaitingSecret);
                Q_EMIT passphraseNeeded(file);
                return;  // answerPassphrase() continues
            }
            int rc = 0;
            if (tryIdentityFile(file, QString(), &rc))
                return becomeReady();
            if (checkFatal(rc, "public key authentication"))
                return;
            qCDebug(lcSsh) << "key refused" << file << rc;
            ++m_identityIndex;
            break;
        }
        case AuthStep::KeyboardInteractive:
        case AuthStep::Password: {
            const bool kbd = m_authStep == AuthStep::KeyboardInteractive;
            if (!offers(kbd ? "keyboard-interactive" : "password")) {
                m_authStep = kbd ? AuthStep::Password : AuthStep::Done;
                break;
            }
            // keyboard-interactive asks its own questions (keyboardInteractiveAnswers()); the
            // password method needs the password first.
            if (!kbd && m_options.password.isEmpty()) {
                setState(State::AwaitingSecret);
                Q_EMIT passwordNeeded(QStringLiteral("%1's password:").arg(m_options.host.displayName()));
                return;  // answerPassword() continues
            }
            const QByteArray user = m_options.host.user.toUtf8();
            const QByteArray pw = m_options.password.toUtf8();
            int rc = 0;
            if (kbd) {
                rc = libssh2_userauth_keyboard_interactive_ex(m_session.get(), user.constData(), unsigned(user.size()),
                                                             &kbdIntCallback);
                if (m_kbdIntFailure.isError())
                    return fail(std::exchange(m_kbdIntFailure, Error()));
            } else {
                rc = libssh2_userauth_password_ex(m_session.get(), user.constData(), unsigned(user.size()),
                                                  pw.constData(), unsigned(pw.size()), nullptr);
            }
            if (rc == 0) {
                qCInfo(lcSsh) << "authenticated with" << (kbd ? "keyboard-interactive" : "password");
                if (m_passwordFromUser)
                    Q_EMIT passwordAccepted(m_options.password);
                return becomeReady();
            }
            if (checkFatal(rc, "password authentication"))
                return;
            if (rc == LIBSSH2_ERROR_PASSWORD_EXPIRED) {
                Error e(Error::Category::Auth, QStringLiteral("The password has expired; change it with a terminal login"),
                        QStringLiteral("PasswordExpired"));
                return fail(e.setContext(m_options.host.displayName()));
            }
            if (kbd) {
                m_authStep = AuthStep::Password;
                break;
            }
            // Wrong password: a user who typed it gets two more tries (OpenSSH asks three times).
            if (m_passwordFromUser && ++m_passwordTries < 3) {
                m_options.password.clear();
                m_authStep = offers("keyboard-interactive") ? AuthStep::KeyboardInteractive : AuthStep::Password;
                setState(State::AwaitingSecret);
                Q_EMIT passwordNeeded(QStringLiteral("Permission denied, please try again. %1's password:")
                                          .arg(m_options.host.displayName()));
                return;
            }
            m_authStep = AuthStep::Done;
            Error e(Error::Category::Auth, QStringLiteral("Permission denied: wrong password for %1").arg(m_options.host.user),
                    QStringLiteral("AuthFailed"));
            return fail(e.setContext(m_options.host.displayName()));
        }
        case AuthStep::Done:
            break;
        }
    }
    Error e(Error::Category::Auth, QStringLiteral("Permission denied (%1)").arg(m_authMethods), QStringLiteral("AuthFailed"));
    fail(e.setContext(m_options.host.displayName()));
}

QStringList SshConnection::keyboardInteractiveAnswers(const KbdIntQuestion &question)
{
    if (const std::optional<QStringList> known = answerFromPassword(question, m_options.password)) {
        if (!known->isEmpty())
            qCInfo(lcSsh) << "keyboard-interactive: answered the password prompt";
        return *known;
    }
    const QString asked = question.summary();
    if (!m_options.interactive)
        return abortKeyboardInteractive(QStringLiteral("the server asked for \"%1\" (keyboard-interactive), which only "
                                                       "the first connection to it may ask")
                                            .arg(asked));
    // The password prompt goes through passwordNeeded like the password method's (the UI offers to
    // keep it); anything else is asked as it is. The worker waits here: libssh2 wants the answers
    // when this returns. SshSession answers through m_kbdReply from the UI thread.
    const bool password = question.isPasswordPrompt();
    m_kbdReply->begin();
    setState(State::AwaitingSecret);
    if (password)
        Q_EMIT passwordNeeded(QStringLiteral("%1 asks: %2").arg(m_options.host.displayName(), asked));
    else
        Q_EMIT keyboardInteractiveQuestion(question);
    const std::optional<QStringList> answers = m_kbdReply->wait(kPromptTimeout);
    setState(State::Authenticating);
    if (!answers || answers->size() != question.prompts.size() || (password && answers->first().isEmpty()))
        return abortKeyboardInteractive(
            QStringLiteral("the server asked for \"%1\" (keyboard-interactive), which was not answered").arg(asked));
    if (password) {
        m_options.password = answers->first();
        m_passwordFromUser = true;
    }
    return *answers;
}

QStringList SshConnection::abortKeyboardInteractive(const QString &why)
{
    // libssh2 sends whatever the callback returns, and cannot be told to stop: end the connection
    // so that nothing reaches the server. The call then fails and continueAuth() reports this.
    qCInfo(lcSsh).noquote() << "keyboard-interactive stopped:" << why;
    m_kbdIntFailure = Error(Error::Category::Auth, why, QStringLiteral("KbdIntUnanswered"));
    m_kbdIntFailure.setContext(m_options.host.displayName()).setRetryable(false);
    ::shutdown(m_fd.get(), SHUT_RDWR);
    return {};
}

void SshConnection::answerPassphrase(const QString &passphrase)
{
    if (m_state != State::AwaitingSecret || m_authStep != AuthStep::Identities)
        return;
    setState(State::Authenticating);
    const QString file = m_options.host.identityFiles.value(m_identityIndex);
    if (passphrase.isEmpty()) {
        ++m_identityIndex;
        m_passphraseTries = 0;
        return continueAuth();
    }
    int rc = 0;
    if (tryIdentityFile(file, passphrase, &rc))
        return becomeReady();
    qCDebug(lcSsh) << "key with passphrase refused" << file << rc;
    if (checkFatal(rc, "public key authentication"))
        return;
    if ((rc == LIBSSH2_ERROR_FILE || rc == LIBSSH2_ERROR_KEYFILE_AUTH_FAILED || rc == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED)
        && ++m_passphraseTries < 3) {
        // Most likely a wrong passphrase: ask again for the same key.
        setState(State::AwaitingSecret);
        Q_EMIT passphraseNeeded(file);
        return;
    }
    ++m_identityIndex;
    m_passphraseTries = 0;
    continueAuth();
}

void SshConnection::answerPassword(const QString &password)
{
    if (m_state != State::AwaitingSecret
        || (m_authStep != AuthStep::KeyboardInteractive && m_authStep != AuthStep::Password))
        return;
    setState(State::Authenticating);
    if (password.isEmpty()) {
        Error e(Error::Category::Auth, QStringLiteral("Authentication cancelled"), QStringLiteral("AuthCancelled"));
        return fail(e.setContext(m_options.host.displayName()));
    }
    m_options.password = password;
    m_passwordFromUser = true;
    continueAuth();
}

} // namespace skydeck::ssh
