#include "SshConnection.h"

#include "SshLogging.h"

#include <QFile>
#include <QFileInfo>
#include <QSocketNotifier>
#include <QTimer>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

namespace skydeck::ssh {

namespace {

constexpr int kMaxRoundsPerPass = 16;

ssize_t recvCallback(libssh2_socket_t sock, void *buffer, size_t length, int flags, void **abstract)
{
    const ssize_t n = ::recv(sock, buffer, length, flags);
    if (n < 0)
        return -errno;
    if (n > 0 && abstract && *abstract)
        static_cast<SshConnection *>(*abstract)->noteReceived();
    return n;
}

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

QString errnoText(int err)
{
    return QString::fromLocal8Bit(std::strerror(err));
}

} // namespace

SshConnection::SshConnection(Options options, QObject *parent)
    : QObject(parent), m_options(std::move(options))
{
    ensureLibssh2Initialized();
    qRegisterMetaType<skydeck::Error>();
    qRegisterMetaType<skydeck::ssh::HostKeyCheck>();
    qRegisterMetaType<skydeck::ssh::KbdIntQuestion>();
}

SshConnection::~SshConnection()
{
    m_kbdReply->close();
    teardown();
}

void SshConnection::setState(State s)
{
    if (m_state == s)
        return;
    m_state = s;
    Q_EMIT stateChanged(s);
}

void SshConnection::setTransportFd(int fd)
{
    m_fd.reset(fd);
}

void SshConnection::fail(const Error &e)
{
    qCInfo(lcSsh) << m_options.host.displayName() << "failed:" << e.toString();
    m_endReason = e.toString();
    teardown();
    setState(State::Closed);
    Q_EMIT failed(e);
}

void SshConnection::teardown()
{
    // Users of the session (pump owners) go first: they free their channels while it still exists.
    std::vector<PumpEntry> pumps;
    pumps.swap(m_pumps);
    m_setupQueue.clear();
    m_sendOwner = nullptr;
    m_sendOwnerKey = nullptr;
    delete m_readNotifier;
    m_readNotifier = nullptr;
    delete m_writeNotifier;
    m_writeNotifier = nullptr;
    delete m_keepalive;
    m_keepalive = nullptr;
    delete m_idleRearm;
    m_idleRearm = nullptr;
    if (m_session) {
        // Blocking with a short timeout so the close messages and the free do not answer EAGAIN.
        libssh2_session_set_blocking(m_session.get(), 1);
        libssh2_session_set_timeout(m_session.get(), 2000);
        Q_EMIT sessionEnding();  // channel owners free their channels now
        for (LIBSSH2_CHANNEL *c : m_graveyard)
            libssh2_channel_free(c);
        m_graveyard.clear();
        if (m_state == State::Ready)
            libssh2_session_disconnect(m_session.get(), "Skydeck closed the session");
        m_session.reset();
    }
    m_fd.reset();
}

Error SshConnection::sessionError(int rc, const QString &what) const
{
    char *msg = nullptr;
    int len = 0;
    if (m_session)
        libssh2_session_last_error(m_session.get(), &msg, &len, 0);
    const QString text = msg && len > 0 ? QString::fromUtf8(msg, len) : QStringLiteral("error %1").arg(rc);
    Error::Category cat = Error::Category::Server;
    switch (rc) {
    case LIBSSH2_ERROR_SOCKET_SEND:
    case LIBSSH2_ERROR_SOCKET_RECV:
    case LIBSSH2_ERROR_SOCKET_DISCONNECT:
    case LIBSSH2_ERROR_SOCKET_TIMEOUT:
    case LIBSSH2_ERROR_TIMEOUT:
    case LIBSSH2_ERROR_SOCKET_NONE:
    case LIBSSH2_ERROR_BANNER_RECV:
    case LIBSSH2_ERROR_BANNER_SEND:
        cat = Error::Category::Network;
        break;
    case LIBSSH2_ERROR_AUTHENTICATION_FAILED:
    case LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED:
    case LIBSSH2_ERROR_PASSWORD_EXPIRED:
        cat = Error::Category::Auth;
        break;
    case LIBSSH2_ERROR_FILE:
        cat = Error::Category::Local;
        break;
    case LIBSSH2_ERROR_CHANNEL_FAILURE:
    case LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED:
    case LIBSSH2_ERROR_REQUEST_DENIED:
        cat = Error::Category::Permission;
        break;
    default:
        break;
    }
    Error e(cat, what.isEmpty() ? text : what + QStringLiteral(": ") + text, QStringLiteral("LIBSSH2_%1").arg(-rc));
    e.setContext(m_options.host.displayName());
    return e;
}

bool SshConnection::checkFatal(int rc, const char *what)
{
    switch (rc) {
    case LIBSSH2_ERROR_SOCKET_SEND:
    case LIBSSH2_ERROR_SOCKET_RECV:
    case LIBSSH2_ERROR_SOCKET_DISCONNECT:
    case LIBSSH2_ERROR_SOCKET_TIMEOUT:
    case LIBSSH2_ERROR_TIMEOUT:
    case LIBSSH2_ERROR_DECRYPT:
    case LIBSSH2_ERROR_KEX_FAILURE:
    case LIBSSH2_ERROR_PROTO:
    case LIBSSH2_ERROR_SOCKET_NONE: {
        const Error e = sessionError(rc, QString::fromLatin1(what));
        QString reason = e.message();
        if (rc == LIBSSH2_ERROR_SOCKET_DISCONNECT || rc == LIBSSH2_ERROR_SOCKET_RECV)
            reason = QStringLiteral("the server closed the connection");
        lose(QStringLiteral("Connection to %1 lost: %2").arg(m_options.host.alias, reason));
        return true;
    }
    default:
        return false;
    }
}

// --- setup -------------------------------------------------------------------------------------

void SshConnection::start()
{
    if (m_state != State::Idle && m_state != State::Closed) {
        qCWarning(lcSsh) << "start() while" << m_state;
        return;
    }
    setState(State::Connecting);
    m_endReason.clear();
    m_authStep = AuthStep::Agent;
    m_identityIndex = 0;
    m_passphraseTries = 0;
    m_passwordTries = 0;
    m_passwordFromUser = false;
    if (!m_fd.valid()) {
        const Error e = tcpConnect();
        if (e.isError())
            return fail(e);
    }
    handshake();
}

Error SshConnection::tcpConnect()
{
    const SshHostConfig &h = m_options.host;
    auto netError = [&](const QString &msg) {
        Error e(Error::Category::Network, msg);
        e.setContext(h.displayName());
        return e;
    };
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *res = nullptr;
    const QByteArray node = h.hostName.toUtf8();
    const QByteArray service = QByteArray::number(h.port);
    if (const int rc = ::getaddrinfo(node.constData(), service.constData(), &hints, &res); rc != 0)
        return netError(QStringLiteral("Could not resolve hostname %1: %2")
                            .arg(h.hostName, QString::fromLocal8Bit(gai_strerror(rc))));
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(res, &freeaddrinfo);
    int lastErr = 0;
    for (addrinfo *ai = res; ai; ai = ai->ai_next) {
        Fd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol));
        if (!fd.valid()) {
            lastErr = errno;
            continue;
        }
        int rc = ::connect(fd.get(), ai->ai_addr, ai->ai_addrlen);
        if (rc < 0 && errno == EINPROGRESS) {
            pollfd p{fd.get(), POLLOUT, 0};
            rc = ::poll(&p, 1, m_options.timeoutMs);
            if (rc == 0) {
                lastErr = ETIMEDOUT;
                continue;
            }
            int soErr = 0;
            socklen_t len = sizeof soErr;
            ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &soErr, &len);
            if (soErr != 0) {
                lastErr = soErr;
                continue;
            }
        } else if (rc < 0) {
            lastErr = errno;
            continue;
        }
        const int one = 1;
        ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        m_fd = std::move(fd);
        return {};
    }
    return netError(QStringLiteral("connect to host %1 port %2: %3").arg(h.hostName).arg(h.port).arg(errnoText(lastErr)));
}

void SshConnection::handshake()
{
    m_session.reset(libssh2_session_init_ex(nullptr, nullptr, nullptr, this));
    if (!m_session)
        return fail(Error(Error::Category::Local, QStringLiteral("cannot create an SSH session")));
    LIBSSH2_SESSION *s = m_session.get();
    libssh2_session_callback_set(s, LIBSSH2_CALLBACK_RECV, reinterpret_cast<void *>(&recvCallback));
    libssh2_session_set_blocking(s, 1);
    libssh2_session_set_timeout(s, m_options.timeoutMs);
    // Prefer the host key types already known for this host, as OpenSSH does.
    QStringList known = m_options.knownHosts.knownKeyTypes(m_options.host.hostName, m_options.host.port);
    if (!m_options.pinnedHostKey.isEmpty()) {
        known.removeAll(HostKey{m_options.pinnedHostKey}.type());
        known.prepend(HostKey{m_options.pinnedHostKey}.type());
    }
    if (!known.isEmpty()) {
        QStringList prefs = known;
        for (const char *t : {"ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
                              "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"}) {
            if (!prefs.contains(QLatin1String(t)))
                prefs << QLatin1String(t);
        }
        if (prefs.contains(QLatin1String("ssh-rsa"))) {
            prefs.removeAll(QStringLiteral("rsa-sha2-512"));
            prefs.removeAll(QStringLiteral("rsa-sha2-256"));
            const qsizetype at = prefs.indexOf(QStringLiteral("ssh-rsa"));
            prefs.insert(at, QStringLiteral("rsa-sha2-256"));
            prefs.insert(at, QStringLiteral("rsa-sha2-512"));
        }
        // Only what this libssh2 supports: 1.10 strips unknown names with an overlapping memcpy
        // (undefined behaviour, reported by AddressSanitizer).
        const char **algs = nullptr;
        const int n = libssh2_session_supported_algs(s, LIBSSH2_METHOD_HOSTKEY, &algs);
        QStringList supported;
        for (int i = 0; i < n; ++i)
            supported << QString::fromLatin1(algs[i]);
        if (algs)
            libssh2_free(s, algs);
        prefs.removeIf([&](const QString &m) { return !supported.contains(m); });
        if (!prefs.isEmpty())
            libssh2_session_method_pref(s, LIBSSH2_METHOD_HOSTKEY, prefs.join(QLatin1Char(',')).toLatin1().constData());
    }
    const int rc = libssh2_session_handshake(s, m_fd.get());
    if (rc != 0) {
        Error e = sessionError(rc, QStringLiteral("SSH handshake failed"));
        if (rc == LIBSSH2_ERROR_SOCKET_RECV || rc == LIBSSH2_ERROR_SOCKET_DISCONNECT
            || rc == LIBSSH2_ERROR_BANNER_RECV || rc == LIBSSH2_ERROR_TIMEOUT || rc == LIBSSH2_ERROR_SOCKET_TIMEOUT)
            e = Error(Error::Category::Network, QStringLiteral("SSH handshake failed: %1").arg(e.message()));
        e.setContext(m_options.host.displayName());
        return fail(e);
    }
    size_t len = 0;
    int type = 0;
    const char *blob = libssh2_session_hostkey(s, &len, &type);
    if (!blob)
        return fail(sessionError(LIBSSH2_ERROR_HOSTKEY_INIT, QStringLiteral("no host key")));
    m_hostKey = HostKey{QByteArray(blob, qsizetype(len))};
    if (!m_options.pinnedHostKey.isEmpty()) {
        // Another connection to a server whose key the first connection checked: the same key or nothing.
        if (m_hostKey.blob == m_options.pinnedHostKey)
            return beginAuth();
        Error e(Error::Category::Auth,
                QStringLiteral("Host key verification failed: the server showed the %1 key %2, not the key of the first connection")
                    .arg(m_hostKey.type(), m_hostKey.fingerprint()),
                QStringLiteral("HostKeyChanged"));
        e.setContext(m_options.host.displayName()).setRetryable(false);
        return fail(e);
    }
    const HostKeyCheck check = m_options.knownHosts.check(m_options.host.hostName, m_options.host.port, m_hostKey);
    switch (check.status) {
    case HostKeyCheck::Status::Match:
        qCDebug(lcSsh) << "host key matches" << check.file << check.line;
        return beginAuth();
    case HostKeyCheck::Status::Unknown: {
        using Policy = SshHostConfig::HostKeyPolicy;
        // --accept-new-host-key is the command line's -o StrictHostKeyChecking=accept-new: it wins
        // over the config file, as -o does for ssh.
        const Policy policy = m_options.acceptNewHostKey ? Policy::AcceptNew : m_options.host.strictHostKeyChecking;
        switch (policy) {
        case Policy::AcceptNew:
        case Policy::No:
            qCInfo(lcSsh) << "accepting new host key" << check.fingerprint
                          << (policy == Policy::No ? "(StrictHostKeyChecking no)" : "(accept-new)");
            return answerHostKey(true);
        case Policy::Yes: {
            Error e(Error::Category::Auth,
                    QStringLiteral("Host key verification failed: no host key is known for %1 and StrictHostKeyChecking "
                                   "is yes; the %2 key %3 was not accepted")
                        .arg(check.host, check.keyType, check.fingerprint),
                    QStringLiteral("HostKeyUnknown"));
            e.setContext(m_options.host.displayName()).setRetryable(false);
            return fail(e);
        }
        case Policy::Ask:
            break;
        }
        setState(State::AwaitingHostKey);
        Q_EMIT hostKeyQuestion(check);
        return;
    }
    case HostKeyCheck::Status::Changed:  // in every StrictHostKeyChecking mode, "no" included
    case HostKeyCheck::Status::Revoked: {
        Error e(Error::Category::Auth, check.message(),
                check.status == HostKeyCheck::Status::Changed ? QStringLiteral("HostKeyChanged")
                                                              : QStringLiteral("HostKeyRevoked"));
        e.setRetryable(false);
        return fail(e);
    }
    case HostKeyCheck::Status::Error:
        return fail(Error(Error::Category::Server, check.message(), QStringLiteral("HostKeyCheck")));
    }
}

void SshConnection::answerHostKey(bool accept)
{
    if (!m_session || (m_state != State::AwaitingHostKey && m_state != State::Connecting))
        return;
    if (!accept) {
        Error e(Error::Category::Auth,
                QStringLiteral("Host key verification failed: the new %1 key %2 was not accepted")
                    .arg(m_hostKey.type(), m_hostKey.fingerprint()),
                QStringLiteral("HostKeyUnknown"));
        e.setContext(m_options.host.displayName()).setRetryable(false);
        return fail(e);
    }
    QString err;
    if (!m_options.knownHosts.accept(m_options.host.hostName, m_options.host.port, m_hostKey, &err))
        qCWarning(lcSsh) << "could not remember the host key:" << err;
    beginAuth();
}

SshConnection::Options SshConnection::siblingOptions() const
{
    Options o = m_options;
    o.acceptNewHostKey = false;
    o.interactive = false;
    o.pinnedHostKey = m_hostKey.blob;
    return o;
}

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

// --- ready: the non-blocking pump loop ---------------------------------------------------------

void SshConnection::becomeReady()
{
    LIBSSH2_SESSION *s = m_session.get();
    libssh2_session_set_blocking(s, 0);
    m_sinceReceive.start();
    m_readNotifier = new QSocketNotifier(qintptr(m_fd.get()), QSocketNotifier::Read, this);
    m_writeNotifier = new QSocketNotifier(qintptr(m_fd.get()), QSocketNotifier::Write, this);
    m_writeNotifier->setEnabled(false);
    connect(m_readNotifier, &QSocketNotifier::activated, this, &SshConnection::runPass);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, &SshConnection::runPass);
    m_idleRearm = new QTimer(this);
    m_idleRearm->setSingleShot(true);
    m_idleRearm->setInterval(200);
    connect(m_idleRearm, &QTimer::timeout, this, [this] {
        if (m_readNotifier)
            m_readNotifier->setEnabled(true);
    });
    if (m_options.host.serverAliveInterval > 0) {
        libssh2_keepalive_config(s, 1, unsigned(m_options.host.serverAliveInterval));
        m_keepalive = new QTimer(this);
        m_keepalive->setInterval(1000);
        connect(m_keepalive, &QTimer::timeout, this, &SshConnection::keepaliveTick);
        m_keepalive->start();
    }
    setState(State::Ready);
    qCInfo(lcSsh) << "session ready:" << m_options.host.displayName();
    Q_EMIT ready();
}

void SshConnection::keepaliveTick()
{
    if (!m_session)
        return;
    int next = 0;
    // Not while a packet is half sent: libssh2 would refuse it (BAD_USE), and a keepalive that
    // itself stops half-way is never retried with the same buffer.
    const int rc = outboundBlocked() ? 0 : libssh2_keepalive_send(m_session.get(), &next);
    if (rc != 0 && rc != LIBSSH2_ERROR_EAGAIN && checkFatal(rc == LIBSSH2_ERROR_SOCKET_SEND ? rc : LIBSSH2_ERROR_SOCKET_SEND, "keepalive"))
        return;
    const qint64 limitMs = qint64(m_options.host.serverAliveInterval) * 1000 * (m_options.host.serverAliveCountMax + 1);
    if (m_options.host.serverAliveCountMax > 0 && m_sinceReceive.elapsed() > limitMs) {
        lose(QStringLiteral("Connection to %1 timed out: no answer to %2 keepalives")
                 .arg(m_options.host.alias)
                 .arg(m_options.host.serverAliveCountMax));
        return;
    }
    wake();  // let a pump read the keepalive replies
}

void SshConnection::addPump(QObject *owner, Pump pump)
{
    m_pumps.push_back(PumpEntry{owner, owner, std::move(pump)});
    wake();
}

void SshConnection::removePumps(QObject *owner)
{
    std::erase_if(m_pumps, [owner](const PumpEntry &p) { return p.key == owner; });
    releaseSetup(owner);
}

bool SshConnection::acquireSetup(QObject *owner)
{
    // Owners destroyed while queued are dropped (their address may be reused by a new owner).
    // One destroyed while holding the turn gave it up with its channel (freed or retired).
    if (!m_setupQueue.empty() && m_setupQueue.front().owner.isNull())
        qCDebug(lcSsh) << "a channel owner went away during its channel setup";
    std::erase_if(m_setupQueue, [](const SetupEntry &e) { return e.owner.isNull(); });
    const bool queued = std::any_of(m_setupQueue.begin(), m_setupQueue.end(),
                                    [owner](const SetupEntry &e) { return e.key == owner; });
    if (!queued)
        m_setupQueue.push_back(SetupEntry{owner, owner});
    return m_setupQueue.front().key == owner;
}

void SshConnection::releaseSetup(QObject *owner)
{
    const bool wasFront = !m_setupQueue.empty() && m_setupQueue.front().key == owner;
    std::erase_if(m_setupQueue, [owner](const SetupEntry &e) { return e.key == owner; });
    if (wasFront && !m_setupQueue.empty())
        wake();  // the next one in line goes on in the next pass
}

void SshConnection::retire(ChannelPtr channel)
{
    if (!channel)
        return;
    LIBSSH2_CHANNEL *c = channel.release();
    if (!m_session)
        return;  // freed with the session
    // Freeing sends a close: not while another call's packet is half sent (see outboundBlocked).
    if (outboundBlocked() || libssh2_channel_free(c) == LIBSSH2_ERROR_EAGAIN)
        m_graveyard.push_back(c);
}

bool SshConnection::outboundBlocked() const
{
    return m_session && (libssh2_session_block_directions(m_session.get()) & LIBSSH2_SESSION_BLOCK_OUTBOUND);
}

void SshConnection::wake()
{
    if (m_passScheduled || m_state != State::Ready)
        return;
    m_passScheduled = true;
    QTimer::singleShot(0, this, [this] {
        m_passScheduled = false;
        runPass();
    });
}

void SshConnection::runPass()
{
    if (m_inPass || m_state != State::Ready)
        return;
    m_inPass = true;
    bool progress = true;
    int rounds = 0;
    for (; progress && rounds < kMaxRoundsPerPass && m_state == State::Ready; ++rounds) {
        progress = false;
        std::erase_if(m_pumps, [](const PumpEntry &p) { return p.owner.isNull(); });
        const std::vector<PumpEntry> pumps = m_pumps;
        for (const PumpEntry &p : pumps) {
            if (m_state != State::Ready)
                break;
            if (m_sendOwnerKey && m_sendOwner.isNull()) {
                qCWarning(lcSsh) << "the owner of a half-sent packet went away";
                m_sendOwnerKey = nullptr;
            }
            if (!p.owner || (m_sendOwnerKey && p.key != m_sendOwnerKey))
                continue;
            const bool blockedBefore = outboundBlocked();
            if (p.fn())
                progress = true;
            if (m_state != State::Ready)
                break;
            if (!outboundBlocked()) {
                m_sendOwner = nullptr;
                m_sendOwnerKey = nullptr;
            } else if (!blockedBefore) {
                m_sendOwner = p.owner;  // only this pump goes on until its packet is out
                m_sendOwnerKey = p.key;
            }
        }
        for (auto it = m_graveyard.begin(); m_session && !outboundBlocked() && it != m_graveyard.end();) {
            if (libssh2_channel_free(*it) == LIBSSH2_ERROR_EAGAIN)
                ++it;
            else
                it = m_graveyard.erase(it);
        }
    }
    m_inPass = false;
    if (m_state != State::Ready)
        return;
    if (progress)
        wake();  // more to do: yield to the event loop first (UI calls, other sockets)
    updateNotifiers();
}

void SshConnection::updateNotifiers()
{
    if (!m_session || !m_readNotifier)
        return;
    const int dirs = libssh2_session_block_directions(m_session.get());
    m_writeNotifier->setEnabled(dirs & LIBSSH2_SESSION_BLOCK_OUTBOUND);
    // Still readable after a pass means nobody reads (no channel, or all held back by flow control).
    // Detect a closed connection; otherwise rest the level-triggered notifier briefly.
    pollfd p{m_fd.get(), POLLIN, 0};
    if (::poll(&p, 1, 0) == 1 && (p.revents & (POLLIN | POLLHUP | POLLERR))) {
        char c = 0;
        const ssize_t n = ::recv(m_fd.get(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
            lose(QStringLiteral("Connection to %1 closed by the remote host").arg(m_options.host.alias));
            return;
        }
        if (!m_passScheduled) {
            m_readNotifier->setEnabled(false);
            m_idleRearm->start();
        }
    } else {
        m_readNotifier->setEnabled(true);
    }
}

void SshConnection::lose(const QString &reason)
{
    if (m_state == State::Closed)
        return;
    const bool wasReady = m_state == State::Ready;
    qCInfo(lcSsh) << reason;
    m_endReason = reason;
    teardown();
    setState(State::Closed);
    if (wasReady)
        Q_EMIT closed(reason);
    else
        Q_EMIT failed(Error(Error::Category::Network, reason));
}

void SshConnection::disconnectNow(const QString &reason)
{
    if (m_state == State::Closed || m_state == State::Idle)
        return;
    lose(reason.isEmpty() ? QStringLiteral("Disconnected from %1").arg(m_options.host.alias) : reason);
}

} // namespace skydeck::ssh
