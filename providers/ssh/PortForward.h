#pragma once

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPointer>

namespace skydeck::ssh {

class SshSession;
class ForwardListener;

// A local forward (ssh -L): a listening socket on this machine (127.0.0.1 by default, on a free
// or chosen port) whose connections become direct-tcpip channels to remoteHost:remotePort as
// seen from the server, pumped both ways without blocking the session's other channels.
// Lives on the UI thread; the listener and the pumps live on the session's worker.
class PortForward : public QObject
{
    Q_OBJECT
public:
    struct Spec {
        QString remoteHost = QStringLiteral("localhost");
        quint16 remotePort = 0;
        quint16 localPort = 0;  // 0: a free port
        QHostAddress bindAddress = QHostAddress(QHostAddress::LocalHost);
    };
    enum class State { Stopped, Starting, Listening, Failed };
    Q_ENUM(State)

    PortForward(SshSession *session, const Spec &spec, QObject *parent = nullptr);
    ~PortForward() override;

    // Listens once the session is ready (start() on a ready session listens at once).
    void start();
    void stop();

    Spec spec() const { return m_spec; }
    State state() const { return m_state; }
    quint16 localPort() const { return m_localPort; }  // the actual port once Listening
    QString errorString() const { return m_error; }
    int activeConnections() const { return m_active; }
    int totalConnections() const { return m_total; }
    // "127.0.0.1:8888 → localhost:8888"
    QString description() const;

Q_SIGNALS:
    void stateChanged(skydeck::ssh::PortForward::State state);
    void connectionsChanged(int active, int total);

private:
    void listenNow();
    void setState(State s, const QString &error = {});

    QPointer<SshSession> m_session;
    Spec m_spec;
    State m_state = State::Stopped;
    quint16 m_localPort = 0;
    QString m_error;
    int m_active = 0;
    int m_total = 0;
    QPointer<ForwardListener> m_listener;
};

// The forwards of one session, for the list in the UI (add/remove, each with its state).
class PortForwardList : public QObject
{
    Q_OBJECT
public:
    explicit PortForwardList(SshSession *session, QObject *parent = nullptr);

    PortForward *add(const PortForward::Spec &spec);  // started at once
    void remove(PortForward *forward);
    QList<PortForward *> forwards() const { return m_forwards; }

Q_SIGNALS:
    void added(skydeck::ssh::PortForward *forward);
    void removed(skydeck::ssh::PortForward *forward);

private:
    QPointer<SshSession> m_session;
    QList<PortForward *> m_forwards;
};

} // namespace skydeck::ssh
