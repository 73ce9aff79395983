#include "PortForward.h"

#include "ChannelBridge.h"
#include "ForwardListener.h"
#include "ProviderWorker.h"
#include "SshConnection.h"
#include "SshLogging.h"
#include "SshSession.h"

#include <unistd.h>

namespace skydeck::ssh {

ForwardListener::ForwardListener(SshConnection *connection, QByteArray remoteHost, quint16 remotePort)
    : QTcpServer(connection), m_conn(connection), m_remoteHost(std::move(remoteHost)), m_remotePort(remotePort)
{
    connect(connection, &SshConnection::sessionEnding, this, [this] { close(); });
}

void ForwardListener::incomingConnection(qintptr socketDescriptor)
{
    const int fd = int(socketDescriptor);
    if (!m_conn || !m_conn->isReady()) {
        ::close(fd);
        return;
    }
    const quint16 origin = serverPort();
    const QByteArray host = m_remoteHost;
    const quint16 port = m_remotePort;
    auto *bridge = new ChannelBridge(m_conn, fd, [host, port, origin](LIBSSH2_SESSION *s) {
        return libssh2_channel_direct_tcpip_ex(s, host.constData(), port, "127.0.0.1", origin);
    }, this);
    ++m_active;
    ++m_total;
    Q_EMIT connectionsChanged(m_active, m_total);
    connect(bridge, &ChannelBridge::failed, this, [this](const Error &e) {
        qCInfo(lcSshForward) << "forward channel failed:" << e.toString();
        Q_EMIT channelFailed(e.toString());
    });
    connect(bridge, &ChannelBridge::finished, this, [this] {
        --m_active;
        Q_EMIT connectionsChanged(m_active, m_total);
    });
}

PortForward::PortForward(SshSession *session, const Spec &spec, QObject *parent)
    : QObject(parent), m_session(session), m_spec(spec)
{
    connect(session, &SshSession::ready, this, [this] {
        if (m_state == State::Starting)
            listenNow();
    });
    connect(session, &SshSession::disconnected, this, [this](const QString &reason) {
        if (m_state == State::Listening || m_state == State::Starting) {
            m_listener = nullptr;
            m_active = 0;
            Q_EMIT connectionsChanged(m_active, m_total);
            setState(State::Failed, reason);
        }
    });
}

PortForward::~PortForward()
{
    stop();
}

QString PortForward::description() const
{
    const quint16 port = m_localPort ? m_localPort : m_spec.localPort;
    return QStringLiteral("%1:%2 → %3:%4")
        .arg(m_spec.bindAddress.toString(), port ? QString::number(port) : QStringLiteral("*"), m_spec.remoteHost)
        .arg(m_spec.remotePort);
}

void PortForward::setState(State s, const QString &error)
{
    m_error = error;
    if (m_state == s)
        return;
    m_state = s;
    Q_EMIT stateChanged(s);
}

void PortForward::start()
{
    if (m_state == State::Listening || m_state == State::Starting || !m_session)
        return;
    setState(State::Starting);
    if (m_session->isReady())
        listenNow();
}

void PortForward::listenNow()
{
    QPointer<PortForward> self(this);
    const Spec spec = m_spec;
    m_session->post([self, spec](SshConnection &c) {
        auto answer = [self](ForwardListener *l, quint16 port, QString error) {
            QMetaObject::invokeMethod(self, [self, l, port, error] {
                if (!self) {
                    if (l)
                        l->deleteLater();
                    return;
                }
                if (!l) {
                    self->setState(State::Failed, error);
                    return;
                }
                self->m_listener = l;
                self->m_localPort = port;
                connect(l, &ForwardListener::connectionsChanged, self, [self](int active, int total) {
                    self->m_active = active;
                    self->m_total = total;
                    Q_EMIT self->connectionsChanged(active, total);
                });
                qCInfo(lcSshForward) << "forwarding" << self->description();
                self->setState(State::Listening);
            });
        };
        if (!c.isReady())
            return answer(nullptr, 0, QStringLiteral("not connected"));
        auto *l = new ForwardListener(&c, spec.remoteHost.toUtf8(), spec.remotePort);
        if (!l->listen(spec.bindAddress, spec.localPort)) {
            const QString error = QStringLiteral("cannot listen on %1:%2: %3")
                                      .arg(spec.bindAddress.toString())
                                      .arg(spec.localPort)
                                      .arg(l->errorString());
            delete l;
            return answer(nullptr, 0, error);
        }
        answer(l, l->serverPort(), QString());
    });
}

void PortForward::stop()
{
    if (m_listener)
        QMetaObject::invokeMethod(m_listener, [l = m_listener] {
            if (l) {
                l->close();
                l->deleteLater();  // active connections finish with it (bridges are its children)
            }
        });
    m_listener = nullptr;
    if (m_state != State::Stopped)
        setState(State::Stopped);
}

PortForwardList::PortForwardList(SshSession *session, QObject *parent) : QObject(parent), m_session(session) {}

PortForward *PortForwardList::add(const PortForward::Spec &spec)
{
    auto *f = new PortForward(m_session, spec, this);
    m_forwards << f;
    Q_EMIT added(f);
    f->start();
    return f;
}

void PortForwardList::remove(PortForward *forward)
{
    if (!m_forwards.removeOne(forward))
        return;
    forward->stop();
    Q_EMIT removed(forward);
    forward->deleteLater();
}

} // namespace skydeck::ssh
