#pragma once

#include "Error.h"
#include "JupyterServers.h"

#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

namespace skydeck::ssh {
class PortForward;
class PortForwardList;
class SshSession;
}

namespace skydeck::ui {

// "Open Jupyter" on an SSH session: lists the Jupyter servers running on the host over an exec
// channel (`jupyter server list --json`, falling back to `jupyter notebook list --json` and the
// plain-text list), offers to start one when none runs (noServerRunning() → startServer(): `jupyter
// lab --no-browser` under nohup, then the list is polled), forwards a free local port to the server
// (added to the session's PortForwardList, so it shows in the Forwards table) and answers with the
// URL to open (readyToOpen). Lives on the UI thread; nothing here blocks.
class JupyterLauncher : public QObject
{
    Q_OBJECT
public:
    JupyterLauncher(ssh::SshSession *session, ssh::PortForwardList *forwards, QObject *parent = nullptr);

    // The `jupyter` program on the host (default "jupyter", looked up on the PATH of a
    // non-interactive shell plus ~/.local/bin and the usual conda folders).
    void setProgram(const QString &program) { m_program = program; }
    QString program() const { return m_program; }
    void setStartTimeoutMs(int ms) { m_startTimeoutMs = ms; }

    void open();          // list → forward → readyToOpen, or noServerRunning
    void startServer();   // after noServerRunning(): start one in the background, then poll
    void cancel();
    bool isBusy() const { return m_busy; }

    // The shell commands run on the host (public for tests and the log).
    QString listCommand() const;
    QString startCommand() const;

Q_SIGNALS:
    void progress(const QString &message);
    void noServerRunning();
    void readyToOpen(const QUrl &url, const skydeck::ui::JupyterServer &server);
    void failed(const skydeck::Error &error);

private:
    void list(bool polling);
    void onListed(const QList<JupyterServer> &servers, bool polling);
    void forwardTo(const JupyterServer &server);
    void fail(const Error &error);

    QPointer<ssh::SshSession> m_session;
    QPointer<ssh::PortForwardList> m_forwards;
    QString m_program = QStringLiteral("jupyter");
    int m_startTimeoutMs = 45000;
    QTimer m_poll;
    qint64 m_pollDeadline = 0;
    quint64 m_generation = 0;
    bool m_busy = false;
};

} // namespace skydeck::ui
