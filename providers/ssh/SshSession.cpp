#include "SshSession.h"

#include "ChannelBridge.h"
#include "CredentialStore.h"
#include "ProviderWorker.h"
#include "SshLogging.h"

#include <sys/socket.h>
#include <unistd.h>

namespace skydeck::ssh {

namespace {
constexpr int kMaxJumpDepth = 8;
}

SshSession::SshSession(const SshHostConfig &host, QObject *parent) : QObject(parent), m_host(host)
{
    m_options.host = host;
    qRegisterMetaType<skydeck::Error>();
    qRegisterMetaType<skydeck::ssh::HostKeyCheck>();
    qRegisterMetaType<skydeck::ssh::KbdIntQuestion>();
}

SshSession::~SshSession()
{
    // A worker waiting for keyboard-interactive answers stops waiting; then the worker deletes
    // the connection (and every channel object parented to its context) on its own thread, joins.
    if (m_kbdReply)
        m_kbdReply->close();
    m_worker.reset();
}

QString SshSession::credentialAccount(const SshHostConfig &host)
{
    return QStringLiteral("ssh:%1@%2:%3").arg(host.user, host.hostName).arg(host.port);
}

void SshSession::setSshConfig(const SshConfig &config)
{
    m_config = std::make_unique<SshConfig>(config);
}

void SshSession::setKnownHosts(const KnownHosts &knownHosts)
{
    m_options.knownHosts = knownHosts;
    m_knownHostsSet = true;
}
void SshSession::setAcceptNewHostKey(bool accept) { m_options.acceptNewHostKey = accept; }
void SshSession::setUseAgent(bool use) { m_options.useAgent = use; }
void SshSession::setAgentSocket(const QString &path) { m_options.agentSocket = path; }
void SshSession::setPassword(const QString &password)
{
    m_options.password = password;
    if (m_conn)
        QMetaObject::invokeMethod(m_conn, [c = m_conn, password] { c->setPresetPassword(password); });
}
void SshSession::setTimeoutMs(int ms) { m_options.timeoutMs = ms; }
void SshSession::setCredentialStore(CredentialStore *store) { m_store = store; }

void SshSession::setState(State s)
{
    if (m_state == s)
        return;
    m_state = s;
    Q_EMIT stateChanged(s);
}

void SshSession::connectToHost()
{
    if (m_state != State::Disconnected)
        return;
    setState(State::Connecting);
    if (!m_worker) {
        if (!m_knownHostsSet)
            m_options.knownHosts = KnownHosts::forHost(m_host);
        m_worker = std::make_unique<ProviderWorker>(QStringLiteral("ssh:") + m_host.alias);
        const SshConnection::Options options = m_options;
        QObject *ctx = m_worker->context();
        m_conn = m_worker->create<SshConnection>([options, ctx] { return new SshConnection(options, ctx); });
        m_kbdReply = m_conn->kbdIntReply();  // set at construction, never replaced
        connect(m_conn, &SshConnection::stateChanged, this, &SshSession::onConnectionState);
        connect(m_conn, &SshConnection::keyboardInteractiveQuestion, this, &SshSession::keyboardInteractiveQuestion);
        connect(m_conn, &SshConnection::hostKeyQuestion, this, &SshSession::hostKeyQuestion);
        connect(m_conn, &SshConnection::passwordNeeded, this, &SshSession::passwordNeeded);
        connect(m_conn, &SshConnection::passphraseNeeded, this, &SshSession::passphraseNeeded);
        connect(m_conn, &SshConnection::authenticated, this, [this](const QString &how) { m_authenticatedWith = how; });
        connect(m_conn, &SshConnection::ready, this, [this] {
            setState(State::Ready);
            Q_EMIT ready();
        });
        connect(m_conn, &SshConnection::failed, this, [this](const Error &e) {
            setState(State::Disconnected);
            if (m_jump)
                m_jump->disconnectFromHost();
            Q_EMIT failed(e);
        });
        connect(m_conn, &SshConnection::closed, this, [this](const QString &reason) {
            setState(State::Disconnected);
            if (m_jump)
                m_jump->disconnectFromHost();
            Q_EMIT disconnected(reason);
        });
        connect(m_conn, &SshConnection::passwordAccepted, this, [this](const QString &password) {
            if (m_rememberPassword && m_store)
                m_store->write(credentialAccount(m_host), QStringLiteral("password"), password, this, [](Status s) {
                    if (!s.ok())
                        qCWarning(lcSsh) << "could not keep the password:" << s.error().toString();
                });
        });
    }
    if (!m_host.proxyJump.isEmpty())
        return startViaJump();
    startConnection();
}

void SshSession::startConnection()
{
    QMetaObject::invokeMethod(m_conn, &SshConnection::start, Qt::QueuedConnection);
}

void SshSession::startViaJump()
{
    if (m_depth >= kMaxJumpDepth) {
        setState(State::Disconnected);
        Q_EMIT failed(Error(Error::Category::InvalidInput, QStringLiteral("ProxyJump chain too long (a loop?)")));
        return;
    }
    if (!m_jump) {
        if (!m_config)
            m_config = std::make_unique<SshConfig>(SshConfig::load());
        QList<JumpHop> hops = m_host.proxyJump;
        const JumpHop last = hops.takeLast();
        SshHostConfig jumpHost = m_config->resolve(last);
        if (!hops.isEmpty())
            jumpHost.proxyJump = hops;  // A,B: B is reached through A
        m_jump = new SshSession(jumpHost, this);
        m_jump->m_depth = m_depth + 1;
        m_jump->m_config = std::make_unique<SshConfig>(*m_config);
        if (m_knownHostsSet)
            m_jump->setKnownHosts(m_options.knownHosts);  // else the hop's own config's files
        m_jump->m_options.acceptNewHostKey = m_options.acceptNewHostKey;
        m_jump->m_options.useAgent = m_options.useAgent;
        m_jump->m_options.agentSocket = m_options.agentSocket;
        m_jump->m_options.timeoutMs = m_options.timeoutMs;
        connect(m_jump, &SshSession::hostKeyQuestion, this, &SshSession::hostKeyQuestion);
        connect(m_jump, &SshSession::passwordNeeded, this, &SshSession::passwordNeeded);
        connect(m_jump, &SshSession::passphraseNeeded, this, &SshSession::passphraseNeeded);
        connect(m_jump, &SshSession::keyboardInteractiveQuestion, this, &SshSession::keyboardInteractiveQuestion);
        connect(m_jump, &SshSession::stateChanged, this, [this](State s) {
            if (s == State::AwaitingAnswer)
                setState(State::AwaitingAnswer);
            else if (s == State::Connecting && m_state == State::AwaitingAnswer)
                setState(State::Connecting);
        });
        connect(m_jump, &SshSession::failed, this, [this](Error e) {
            if (m_state == State::Disconnected)
                return;
            setState(State::Disconnected);
            e.setContext(QStringLiteral("%1 (jump host %2)").arg(m_host.displayName(), m_jump->host().displayName()));
            Q_EMIT failed(e);
        });
        connect(m_jump, &SshSession::disconnected, this, [this](const QString &reason) {
            if (m_conn)
                QMetaObject::invokeMethod(m_conn, [c = m_conn, reason] { c->disconnectNow(reason); });
        });
        connect(m_jump, &SshSession::ready, this, [this] {
            m_jump->openTunnel(m_host.hostName, m_host.port, [this](Result<int> fd) {
                if (!fd.ok()) {
                    setState(State::Disconnected);
                    Q_EMIT failed(fd.error());
                    return;
                }
                const int raw = fd.value();
                QMetaObject::invokeMethod(m_conn, [c = m_conn, raw] {
                    c->setTransportFd(raw);
                    c->start();
                });
            });
        });
    }
    if (m_jump->isReady())
        Q_EMIT m_jump->ready();
    else
        m_jump->connectToHost();
}

void SshSession::onConnectionState(SshConnection::State s)
{
    switch (s) {
    case SshConnection::State::AwaitingHostKey:
    case SshConnection::State::AwaitingSecret:
        setState(State::AwaitingAnswer);
        break;
    case SshConnection::State::Connecting:
    case SshConnection::State::Authenticating:
        setState(State::Connecting);
        break;
    default:
        break;
    }
}

void SshSession::disconnectFromHost()
{
    if (m_kbdReply)
        m_kbdReply->cancel();  // a worker waiting for keyboard-interactive answers gives up
    if (m_conn)
        QMetaObject::invokeMethod(m_conn, [c = m_conn] { c->disconnectNow(QString()); });
    if (m_jump)
        m_jump->disconnectFromHost();
    if (m_state != State::Ready)
        setState(State::Disconnected);
}

void SshSession::answerHostKey(bool accept)
{
    if (m_jump && m_jump->state() == State::AwaitingAnswer)
        return m_jump->answerHostKey(accept);
    if (m_conn)
        QMetaObject::invokeMethod(m_conn, [c = m_conn, accept] { c->answerHostKey(accept); });
}

void SshSession::answerPassword(const QString &password, bool remember)
{
    if (m_jump && m_jump->state() == State::AwaitingAnswer)
        return m_jump->answerPassword(password, remember);
    m_rememberPassword = remember;
    if (m_kbdReply && m_kbdReply->isWaiting()) {  // a keyboard-interactive password prompt
        if (password.isEmpty())
            m_kbdReply->cancel();
        else
            m_kbdReply->answer({password});
        return;
    }
    if (m_conn)
        QMetaObject::invokeMethod(m_conn, [c = m_conn, password] { c->answerPassword(password); });
}

void SshSession::answerKeyboardInteractive(const QStringList &answers)
{
    if (m_jump && m_jump->state() == State::AwaitingAnswer)
        return m_jump->answerKeyboardInteractive(answers);
    if (!m_kbdReply)
        return;
    if (answers.isEmpty())
        m_kbdReply->cancel();
    else
        m_kbdReply->answer(answers);
}

void SshSession::answerPassphrase(const QString &passphrase)
{
    if (m_jump && m_jump->state() == State::AwaitingAnswer)
        return m_jump->answerPassphrase(passphrase);
    if (m_conn)
        QMetaObject::invokeMethod(m_conn, [c = m_conn, passphrase] { c->answerPassphrase(passphrase); });
}

void SshSession::post(std::function<void(SshConnection &)> fn)
{
    if (!m_conn)
        return;
    QMetaObject::invokeMethod(m_conn, [c = m_conn, fn = std::move(fn)] { fn(*c); }, Qt::QueuedConnection);
}

void SshSession::openTunnel(const QString &host, int port, std::function<void(Result<int>)> done)
{
    QPointer<SshSession> self(this);
    auto answer = [self, done](Result<int> r) {
        if (!self) {
            if (r.ok())
                ::close(r.value());
            return;
        }
        QMetaObject::invokeMethod(self, [done, r] { done(r); }, Qt::QueuedConnection);
    };
    if (!m_conn) {
        answer(Error(Error::Category::Network, QStringLiteral("not connected")));
        return;
    }
    post([host, port, answer](SshConnection &c) {
        if (!c.isReady()) {
            answer(Error(Error::Category::Network, QStringLiteral("%1 is not connected").arg(c.host().displayName())));
            return;
        }
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
            answer(Error(Error::Category::Local, QStringLiteral("socketpair failed")));
            return;
        }
        const QByteArray h = host.toUtf8();
        auto *bridge = new ChannelBridge(&c, sv[0], [h, port](LIBSSH2_SESSION *s) {
            return libssh2_channel_direct_tcpip_ex(s, h.constData(), port, "127.0.0.1", 0);
        }, &c);
        const int theirs = sv[1];
        auto given = std::make_shared<bool>(false);
        QObject::connect(bridge, &ChannelBridge::opened, bridge, [answer, theirs, given] {
            *given = true;
            answer(theirs);
        });
        QObject::connect(bridge, &ChannelBridge::failed, bridge, [answer, theirs, given, host, port](Error e) {
            if (*given)
                return;
            *given = true;
            ::close(theirs);
            e.setContext(QStringLiteral("tunnel to %1:%2").arg(host).arg(port));
            answer(e);
        });
        QObject::connect(bridge, &QObject::destroyed, [answer, theirs, given] {
            if (*given)
                return;
            *given = true;
            ::close(theirs);
            answer(Error(Error::Category::Network, QStringLiteral("the session closed before the tunnel opened")));
        });
    });
}

} // namespace skydeck::ssh
