#include "SshConnection.h"

#include "ServerHello.h"
#include "SshLogging.h"

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
#include <cstring>

namespace skydeck::ssh {

namespace {

constexpr int kMaxRoundsPerPass = 16;
constexpr qsizetype kMaxHelloBytes = 64 * 1024;  // the banner and KEXINIT come well within this

ssize_t recvCallback(libssh2_socket_t sock, void *buffer, size_t length, int flags, void **abstract)
{
    const ssize_t n = ::recv(sock, buffer, length, flags);
    if (n < 0)
        return -errno;
    if (n > 0 && abstract && *abstract)
        static_cast<SshConnection *>(*abstract)->noteReceived(static_cast<const char *>(buffer), qsizetype(n));
    return n;
}

// The server's SSH_MSG_DISCONNECT ("Too many authentication failures"): kept for the message.
void disconnectCallback(LIBSSH2_SESSION *, int reason, const char *message, int messageLength, const char *, int,
                        void **abstract)
{
    if (!abstract || !*abstract)
        return;
    const QString text = message && messageLength > 0 ? QString::fromUtf8(message, qMin(messageLength, 1024)) : QString();
    static_cast<SshConnection *>(*abstract)->noteDisconnect(
        KbdIntQuestion::printable(text.isEmpty() ? QStringLiteral("reason %1").arg(reason) : text, 300));
}

QString joined(const QStringList &names)
{
    return names.isEmpty() ? QStringLiteral("nothing") : names.join(QLatin1Char(','));
}

// Why the key exchange failed, from what the server offered (its KEXINIT) and what this libssh2
// supports; empty when nothing is found not to match.
QString negotiationFailure(LIBSSH2_SESSION *s, const ServerHello &server)
{
    if (!server.hasKexInit)
        return {};
    const auto supported = [s](int method) {
        const char **algs = nullptr;
        const int n = libssh2_session_supported_algs(s, method, &algs);
        QStringList out;
        for (int i = 0; i < n; ++i)
            out << QString::fromLatin1(algs[i]);
        if (algs)
            libssh2_free(s, algs);
        return out;
    };
    const auto common = [](const QStringList &a, const QStringList &b) {
        for (const QString &x : a) {
            if (b.contains(x))
                return true;
        }
        return false;
    };
    const QStringList hostKeys = supported(LIBSSH2_METHOD_HOSTKEY);
    if (!common(server.hostKeys, hostKeys)) {
        QString text = QStringLiteral("no host key algorithm in common: the server offers %1, this client (libssh2 %2) "
                                      "verifies %3")
                           .arg(joined(server.hostKeys), QLatin1String(LIBSSH2_VERSION), joined(hostKeys));
        const bool rsaSha2Only = !server.hostKeys.isEmpty() && std::all_of(server.hostKeys.begin(), server.hostKeys.end(), [](const QString &a) {
            return a.startsWith(QLatin1String("rsa-sha2-"));
        });
        if (rsaSha2Only)
            text += QStringLiteral(". The server's only host key is RSA, which it signs with SHA-2 only (OpenSSH 8.8 and later); "
                                   "libssh2 1.10 checks RSA host keys as ssh-rsa (SHA-1) only. On the server, add an Ed25519 "
                                   "or ECDSA host key (ssh-keygen -A, then a HostKey line for it), or allow "
                                   "HostKeyAlgorithms +ssh-rsa");
        return text;
    }
    const QStringList kex = supported(LIBSSH2_METHOD_KEX);
    if (!common(server.kex, kex))
        return QStringLiteral("no key exchange method in common: the server offers %1, this client %2").arg(joined(server.kex), joined(kex));
    const QStringList ciphers = supported(LIBSSH2_METHOD_CRYPT_SC);
    if (!common(server.ciphers, ciphers))
        return QStringLiteral("no cipher in common: the server offers %1, this client %2").arg(joined(server.ciphers), joined(ciphers));
    const QStringList macs = supported(LIBSSH2_METHOD_MAC_SC);
    if (!common(server.macs, macs))
        return QStringLiteral("no MAC in common: the server offers %1, this client %2").arg(joined(server.macs), joined(macs));
    return {};
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

void SshConnection::noteReceived(const char *data, qsizetype length)
{
    m_sinceReceive.restart();
    if (m_state == State::Connecting && m_helloBytes.size() < kMaxHelloBytes)
        m_helloBytes.append(data, qMin(length, kMaxHelloBytes - m_helloBytes.size()));
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
    m_authStep = AuthStep::Keys;
    m_keys.clear();
    m_keyRound = 0;
    m_keyIndex = 0;
    m_serverTakes.clear();
    m_agent.reset();
    m_authLog.clear();
    m_passwordLog = -1;
    m_passwordTries = 0;
    m_passwordFromUser = false;
    m_authenticatedWith.clear();
    m_usedKey.reset();
    m_usedKeyPath.clear();
    m_serverDisconnect.clear();
    m_helloBytes.clear();
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
    libssh2_session_callback_set(s, LIBSSH2_CALLBACK_DISCONNECT, reinterpret_cast<void *>(&disconnectCallback));
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
    const ServerHello hello = ServerHello::parse(m_helloBytes);
    m_helloBytes.clear();
    m_helloBytes.squeeze();
    if (rc != 0) {
        Error e = sessionError(rc, QStringLiteral("SSH handshake failed"));
        if (rc == LIBSSH2_ERROR_SOCKET_RECV || rc == LIBSSH2_ERROR_SOCKET_DISCONNECT
            || rc == LIBSSH2_ERROR_BANNER_RECV || rc == LIBSSH2_ERROR_TIMEOUT || rc == LIBSSH2_ERROR_SOCKET_TIMEOUT)
            e = Error(Error::Category::Network, QStringLiteral("SSH handshake failed: %1").arg(e.message()));
        if (const QString why = negotiationFailure(s, hello); !why.isEmpty())
            e = Error(Error::Category::Server, QStringLiteral("SSH handshake failed: %1").arg(why), QStringLiteral("NoCommonAlgorithm"));
        e.setContext(m_options.host.displayName());
        e.setRetryable(false);
        return fail(e);
    }
    qCDebug(lcSsh) << "server" << hello.banner << "host key algorithms" << hello.hostKeys;
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
    o.unlockedKeyPath = m_usedKeyPath;
    o.unlockedKey = m_usedKey;
    return o;
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
    m_keys.clear();  // unlocked keys are not kept past the login (but the one used, for siblings)
    m_agent.reset();
    setState(State::Ready);
    qCInfo(lcSsh).noquote() << "session ready:" << m_options.host.displayName() << "authenticated with" << m_authenticatedWith;
    Q_EMIT authenticated(m_authenticatedWith);
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
