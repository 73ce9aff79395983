#pragma once

#include "Error.h"
#include "JupyterHost.h"
#include "JupyterServers.h"

#include <QObject>
#include <QPointer>
#include <QUrl>

namespace skydeck::ssh {
class PortForward;
class PortForwardList;
class SshSession;
}

namespace skydeck::ui {

// "Open Jupyter" on an SSH session, all on the UI thread, nothing blocking:
//  1. open(): one exec (`sh -s`, the detection script of JupyterHost.h) says what the host has and
//     which servers of the user run. A running one is reused: a free local port is forwarded to
//     it (added to the session's PortForwardList, so it shows in the Forwards table) and
//     readyToOpen gives the URL with its token. None running: noServerRunning(program) offers the
//     best one found (JupyterLab > Lab on Jupyter Server > Notebook); nothing to start: failed()
//     with "No Jupyter on HOST: install jupyterlab or notebook".
//  2. startServer(): starts it detached with a new token (JupyterHost.h: in the environment,
//     never on a command line), then follows its log (~/.skydeck/jupyter-*.log) with exec
//     long-polls that return as soon as the log grows or the process ends: the URL line means
//     ready (the runtime file it wrote is read again for its token and base URL), a failure's
//     line ends the wait at once with that line as the reason; the timeout applies only while
//     the log says nothing conclusive.
class JupyterLauncher : public QObject
{
    Q_OBJECT
public:
    JupyterLauncher(ssh::SshSession *session, ssh::PortForwardList *forwards, QObject *parent = nullptr);

    // Where to look and what to export (tests: a folder of fakes, JUPYTER_RUNTIME_DIR).
    void setOptions(const JupyterHostOptions &options) { m_options = options; }
    JupyterHostOptions options() const { return m_options; }
    void setStartTimeoutMs(int ms) { m_startTimeoutMs = ms; }
    void setStartPort(int port) { m_startPort = port; }

    void open();          // detect → forward → readyToOpen, or noServerRunning, or failed
    void startServer();   // after noServerRunning(): start the best program found, follow its log
    void cancel();
    bool isBusy() const { return m_busy; }

    // What the last detection found (valid once open() got an answer).
    const JupyterDetection &detection() const { return m_detection; }

Q_SIGNALS:
    void progress(const QString &message);
    void noServerRunning(const skydeck::ui::JupyterProgram &program);
    void readyToOpen(const QUrl &url, const skydeck::ui::JupyterServer &server);
    void failed(const skydeck::Error &error);

private:
    void onDetected(const QByteArray &output);
    void follow(qint64 knownSize);
    void onReady(const JupyterLogVerdict &verdict);
    void forwardTo(const JupyterServer &server);
    void fail(const Error &error);
    QString hostName() const;

    QPointer<ssh::SshSession> m_session;
    QPointer<ssh::PortForwardList> m_forwards;
    JupyterHostOptions m_options;
    JupyterDetection m_detection;
    JupyterProgram m_starting;
    JupyterStarted m_started;
    QString m_token;
    int m_startTimeoutMs = 45000;
    int m_startPort = 8888;
    qint64 m_deadline = 0;
    quint64 m_generation = 0;
    bool m_busy = false;
};

} // namespace skydeck::ui
