#include "JupyterLauncher.h"

#include "ExecChannel.h"
#include "PortForward.h"
#include "ProviderWorker.h"
#include "SshPaneLogging.h"
#include "SshSession.h"

#include <QDateTime>

namespace skydeck::ui {

namespace {
// Single-quotes a word for a POSIX shell.
QString shellQuote(const QString &word)
{
    QString q = word;
    q.replace(QLatin1Char('\''), QLatin1String("'\\''"));
    return QLatin1Char('\'') + q + QLatin1Char('\'');
}
// pip --user and conda put jupyter where a non-interactive shell does not look.
const char *const kPathPrefix = "PATH=\"$PATH:$HOME/.local/bin:$HOME/miniconda3/bin:$HOME/anaconda3/bin:/opt/conda/bin\"; ";
} // namespace

JupyterLauncher::JupyterLauncher(ssh::SshSession *session, ssh::PortForwardList *forwards, QObject *parent)
    : QObject(parent), m_session(session), m_forwards(forwards)
{
    m_poll.setSingleShot(true);
    m_poll.setInterval(1000);
    connect(&m_poll, &QTimer::timeout, this, [this] { list(true); });
}

QString JupyterLauncher::listCommand() const
{
    const QString j = shellQuote(m_program);
    return QLatin1String(kPathPrefix)
           + QStringLiteral("command -v %1 >/dev/null 2>&1 || { echo 'jupyter: not found' >&2; exit 127; }; "
                            "%1 server list --json 2>/dev/null || %1 notebook list --json 2>/dev/null "
                            "|| %1 notebook list 2>/dev/null; exit 0")
                 .arg(j);
}

QString JupyterLauncher::startCommand() const
{
    return QLatin1String(kPathPrefix)
           + QStringLiteral("nohup %1 lab --no-browser --port=8888 </dev/null >\"$HOME/.skydeck-jupyter.log\" 2>&1 &")
                 .arg(shellQuote(m_program));
}

void JupyterLauncher::open()
{
    if (m_busy)
        return;
    if (!m_session || !m_session->isReady()) {
        fail(Error(Error::Category::Network, tr("Connect to the host first, then open Jupyter.")));
        return;
    }
    m_busy = true;
    ++m_generation;
    Q_EMIT progress(tr("Looking for a running Jupyter server on %1…").arg(m_session->host().alias));
    list(false);
}

void JupyterLauncher::list(bool polling)
{
    if (!m_session || !m_session->isReady()) {
        fail(Error(Error::Category::Network, tr("The SSH session ended while looking for Jupyter.")));
        return;
    }
    const quint64 gen = m_generation;
    whenDone(ssh::ExecChannel::run(m_session, listCommand(), {}, 1024 * 1024), this,
             [this, gen, polling](Result<ssh::ExecResult> r) {
                 if (gen != m_generation)
                     return;
                 if (!r.ok()) {
                     Error e = r.error();
                     e.setContext(tr("listing Jupyter servers"));
                     fail(e);
                     return;
                 }
                 const ssh::ExecResult &x = r.value();
                 if (x.exitStatus == 127) {
                     fail(Error(Error::Category::NotFound,
                                tr("Jupyter is not installed on %1 (no `%2` on the PATH of a non-interactive "
                                   "shell, ~/.local/bin or conda's bin folders).")
                                    .arg(m_session ? m_session->host().alias : QString(), m_program)));
                     return;
                 }
                 onListed(parseJupyterServerList(x.standardOutput), polling);
             });
}

void JupyterLauncher::onListed(const QList<JupyterServer> &servers, bool polling)
{
    if (!servers.isEmpty()) {
        m_poll.stop();
        forwardTo(servers.first());
        return;
    }
    if (!polling) {
        m_busy = false;
        Q_EMIT noServerRunning();
        return;
    }
    if (QDateTime::currentMSecsSinceEpoch() > m_pollDeadline) {
        fail(Error(Error::Category::Server,
                   tr("Jupyter did not start within %1 s; see ~/.skydeck-jupyter.log on the host.")
                       .arg(m_startTimeoutMs / 1000)));
        return;
    }
    m_poll.start();
}

void JupyterLauncher::startServer()
{
    if (m_busy || !m_session || !m_session->isReady())
        return;
    m_busy = true;
    const quint64 gen = ++m_generation;
    Q_EMIT progress(tr("Starting Jupyter Lab on %1…").arg(m_session->host().alias));
    qCInfo(lcSshPane) << "starting jupyter on" << m_session->host().alias;
    whenDone(ssh::ExecChannel::run(m_session, startCommand()), this, [this, gen](Result<ssh::ExecResult> r) {
        if (gen != m_generation)
            return;
        if (!r.ok()) {
            Error e = r.error();
            e.setContext(tr("starting Jupyter"));
            fail(e);
            return;
        }
        m_pollDeadline = QDateTime::currentMSecsSinceEpoch() + m_startTimeoutMs;
        Q_EMIT progress(tr("Waiting for Jupyter to start…"));
        m_poll.start();
    });
}

void JupyterLauncher::forwardTo(const JupyterServer &server)
{
    if (!m_forwards) {
        fail(Error(Error::Category::InvalidInput, tr("No forward list for this session.")));
        return;
    }
    // Reuse a forward to the same place if one is listening already.
    for (ssh::PortForward *f : m_forwards->forwards()) {
        if (f->spec().remoteHost == server.forwardHost() && f->spec().remotePort == server.port
            && f->state() == ssh::PortForward::State::Listening) {
            m_busy = false;
            Q_EMIT readyToOpen(server.browserUrl(f->localPort()), server);
            return;
        }
    }
    ssh::PortForward::Spec spec;
    spec.remoteHost = server.forwardHost();
    spec.remotePort = quint16(server.port);
    Q_EMIT progress(tr("Forwarding a local port to Jupyter at %1:%2…").arg(spec.remoteHost).arg(spec.remotePort));
    ssh::PortForward *fwd = m_forwards->add(spec);
    const quint64 gen = m_generation;
    auto handle = [this, fwd, server, gen](ssh::PortForward::State s) {
        if (gen != m_generation || !m_busy)
            return;
        if (s == ssh::PortForward::State::Listening) {
            m_busy = false;
            Q_EMIT readyToOpen(server.browserUrl(fwd->localPort()), server);
        } else if (s == ssh::PortForward::State::Failed) {
            fail(Error(Error::Category::Network, tr("Could not forward a local port to Jupyter: %1").arg(fwd->errorString())));
        }
    };
    connect(fwd, &ssh::PortForward::stateChanged, this, handle);
    if (fwd->state() == ssh::PortForward::State::Listening || fwd->state() == ssh::PortForward::State::Failed)
        handle(fwd->state());
}

void JupyterLauncher::cancel()
{
    ++m_generation;
    m_poll.stop();
    m_busy = false;
}

void JupyterLauncher::fail(const Error &error)
{
    ++m_generation;
    m_poll.stop();
    m_busy = false;
    qCWarning(lcSshPane) << "open jupyter:" << error.toString();
    Q_EMIT failed(error);
}

} // namespace skydeck::ui
