#pragma once

#include <QPointer>
#include <QTcpServer>

namespace skydeck::ssh {

class SshConnection;

// Worker-thread half of a PortForward (private to the ssh library): accepts local connections
// and hands each socket to a ChannelBridge over a direct-tcpip channel.
class ForwardListener : public QTcpServer
{
    Q_OBJECT
public:
    ForwardListener(SshConnection *connection, QByteArray remoteHost, quint16 remotePort);

Q_SIGNALS:
    void connectionsChanged(int active, int total);
    void channelFailed(const QString &error);

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    QPointer<SshConnection> m_conn;
    QByteArray m_remoteHost;
    quint16 m_remotePort;
    int m_active = 0;
    int m_total = 0;
};

} // namespace skydeck::ssh
