#include "JupyterLauncher.h"

#include "DisplayText.h"
#include "ExecChannel.h"
#include "PortForward.h"
#include "ProviderWorker.h"
#include "SshPaneLogging.h"
#include "SshSession.h"

#include <QDateTime>

namespace skydeck::ui {

namespace {
// Every script runs as `sh -s` with the script on standard input: whatever the login shell
// (bash, zsh, fish, csh), the script is POSIX sh, and neither it nor the token is in `ps`.
const QString kRunScript = QStringLiteral("sh -s");
constexpr qsizetype kMaxOutput = 1024 * 1024;

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}
} // namespace

JupyterLauncher::JupyterLauncher(ssh::SshSession *session, ssh::PortForwardList *forwards, QObject *parent)
    : QObject(parent), m_session(session), m_forwards(forwards)
{
}

QString JupyterLauncher::hostName() const
{
    return m_session ? m_session->host().alias : QString();
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
    const quint64 gen = ++m_generation;
    Q_EMIT progress(tr("Looking for Jupyter on %1…").arg(hostName()));
    whenDone(ssh::ExecChannel::run(m_session, kRunScript, jupyterDetectScript(m_options).toUtf8(), kMaxOutput), this,
             [this, gen](Result<ssh::ExecResult> r) {
                 if (gen != m_generation)
                     return;
                 if (!r.ok()) {
                     Error e = r.error();
                     e.setContext(tr("looking for Jupyter"));
                     fail(e);
                     return;
                 }
                 onDetected(r.value().standardOutput);
             });
}

void JupyterLauncher::onDetected(const QByteArray &output)
{
    m_detection = parseJupyterDetection(output);
    if (!m_detection.valid) {
        fail(Error(Error::Category::Server, tr("Could not look for Jupyter on %1: the host's sh answered nothing usable.")
                                                .arg(hostName())));
        return;
    }
    qCInfo(lcSshPane) << "jupyter on" << hostName() << ":" << m_detection.programs.size() << "programs,"
                      << m_detection.running.size() << "running";
    if (!m_detection.running.isEmpty()) {
        forwardTo(m_detection.running.first());
        return;
    }
    if (const std::optional<JupyterProgram> p = m_detection.best()) {
        m_busy = false;
        Q_EMIT noServerRunning(*p);
        return;
    }
    const QString where = m_options.systemSearch
                              ? tr("looked in PATH, a login shell's PATH, ~/.local/bin and conda environments")
                              : tr("looked in %1").arg(m_options.extraDirs.join(QStringLiteral(", ")));
    if (m_detection.hasBareServer())
        fail(Error(Error::Category::NotFound,
                   tr("No Jupyter to open on %1: Jupyter Server is there but no page to work in; install jupyterlab or "
                      "notebook (%2).")
                       .arg(hostName(), where),
                   QStringLiteral("JupyterNotFound")));
    else
        fail(Error(Error::Category::NotFound,
                   tr("No Jupyter on %1: install jupyterlab or notebook (pip install jupyterlab, conda install jupyterlab, "
                      "apt install jupyter-notebook; %2).")
                       .arg(hostName(), where),
                   QStringLiteral("JupyterNotFound")));
}

void JupyterLauncher::startServer()
{
    if (m_busy || !m_session || !m_session->isReady())
        return;
    const std::optional<JupyterProgram> program = m_detection.best();
    if (!program) {
        fail(Error(Error::Category::NotFound, tr("Nothing to start: Open Jupyter looks first."), QStringLiteral("JupyterNotFound")));
        return;
    }
    m_busy = true;
    m_starting = *program;
    m_token = newJupyterToken();
    const quint64 gen = ++m_generation;
    Q_EMIT progress(tr("Starting %1 on %2…").arg(jupyterKindName(m_starting.kind), hostName()));
    qCInfo(lcSshPane) << "starting" << m_starting.path << "on" << hostName();
    const QString script = jupyterStartScript(m_starting, m_detection, m_options, m_token, m_startPort);
    whenDone(ssh::ExecChannel::run(m_session, kRunScript, script.toUtf8(), kMaxOutput), this,
             [this, gen](Result<ssh::ExecResult> r) {
                 if (gen != m_generation)
                     return;
                 if (!r.ok()) {
                     Error e = r.error();
                     e.setContext(tr("starting Jupyter"));
                     fail(e);
                     return;
                 }
                 m_started = parseJupyterStarted(r.value().standardOutput);
                 if (!m_started.error.isEmpty()) {
                     fail(Error(Error::Category::Server,
                                tr("Could not start %1 on %2: %3")
                                    .arg(jupyterKindName(m_starting.kind), hostName(), displayText(m_started.error)),
                                QStringLiteral("JupyterDidNotStart")));
                     return;
                 }
                 m_deadline = now() + m_startTimeoutMs;
                 Q_EMIT progress(tr("Waiting for %1 to start (log: %2)…").arg(jupyterKindName(m_starting.kind), m_started.log));
                 follow(0);
             });
}

void JupyterLauncher::follow(qint64 knownSize)
{
    if (!m_session || !m_session->isReady()) {
        fail(Error(Error::Category::Network, tr("The SSH session ended while Jupyter was starting.")));
        return;
    }
    const quint64 gen = m_generation;
    const QString script = jupyterFollowScript(m_started.pid, m_started.log, knownSize);
    whenDone(ssh::ExecChannel::run(m_session, kRunScript, script.toUtf8(), kMaxOutput), this,
             [this, gen](Result<ssh::ExecResult> r) {
                 if (gen != m_generation)
                     return;
                 if (!r.ok()) {
                     Error e = r.error();
                     e.setContext(tr("following Jupyter's log"));
                     fail(e);
                     return;
                 }
                 const JupyterFollow f = parseJupyterFollow(r.value().standardOutput);
                 if (!f.valid) {
                     fail(Error(Error::Category::Server, tr("Could not read Jupyter's log %1 on %2.").arg(m_started.log, hostName())));
                     return;
                 }
                 const JupyterLogVerdict v = classifyJupyterLog(f.log, f.alive);
                 const QString name = jupyterKindName(m_starting.kind);
                 switch (v.state) {
                 case JupyterLogVerdict::State::Ready:
                     onReady(v);
                     return;
                 case JupyterLogVerdict::State::Failed:
                     fail(Error(Error::Category::Server,
                                tr("%1 did not start on %2: %3 (log: %4)")
                                    .arg(name, hostName(), displayText(v.reason), m_started.log),
                                QStringLiteral("JupyterDidNotStart")));
                     return;
                 case JupyterLogVerdict::State::Waiting:
                     break;
                 }
                 if (now() < m_deadline) {
                     follow(f.size);
                     return;
                 }
                 const int s = m_startTimeoutMs / 1000;
                 fail(Error(Error::Category::Server,
                            v.lastLine.isEmpty()
                                ? tr("%1 did not start on %2 within %3 s, and its log (%4) is empty.").arg(name, hostName()).arg(s).arg(m_started.log)
                                : tr("%1 did not start on %2 within %3 s; its log (%4) last says: %5")
                                      .arg(name, hostName())
                                      .arg(s)
                                      .arg(m_started.log, displayText(v.lastLine)),
                            QStringLiteral("JupyterDidNotStart")));
             });
}

void JupyterLauncher::onReady(const JupyterLogVerdict &verdict)
{
    Q_EMIT progress(tr("%1 is up on %2's port %3.").arg(jupyterKindName(m_starting.kind), hostName()).arg(verdict.port));
    // The runtime file the server wrote has its token and base URL (a user's config may have set
    // its own token or a password in place of ours).
    const quint64 gen = m_generation;
    const int port = verdict.port;
    const QUrl printed = verdict.url;
    whenDone(ssh::ExecChannel::run(m_session, kRunScript, jupyterDetectScript(m_options, true).toUtf8(), kMaxOutput), this,
             [this, gen, port, printed](Result<ssh::ExecResult> r) {
                 if (gen != m_generation)
                     return;
                 if (r.ok()) {
                     for (const JupyterServer &s : parseJupyterDetection(r.value().standardOutput).running) {
                         if (s.port == port) {
                             forwardTo(s);
                             return;
                         }
                     }
                 }
                 // No runtime file found (a runtime folder elsewhere): what the log said, our token.
                 JupyterServer s;
                 s.hostname = printed.host();
                 s.port = port;
                 s.secure = printed.scheme() == QLatin1String("https");
                 s.token = m_token;
                 s.url = printed.adjusted(QUrl::RemoveQuery | QUrl::RemovePath).toString() + QLatin1Char('/');
                 forwardTo(s);
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
    m_busy = false;
}

void JupyterLauncher::fail(const Error &error)
{
    ++m_generation;
    m_busy = false;
    qCWarning(lcSshPane) << "open jupyter:" << error.toString();
    Q_EMIT failed(error);
}

} // namespace skydeck::ui
