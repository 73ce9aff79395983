#include "ShellChannel.h"

#include "ProviderWorker.h"
#include "ShellWorker.h"
#include "SshLogging.h"
#include "SshSession.h"

namespace skydeck::ssh {

ShellChannel::ShellChannel(SshSession *session, QObject *parent)
    : TerminalTransport(parent), m_session(session), m_inFlight(std::make_shared<std::atomic<qint64>>(0))
{
    connect(session, &SshSession::ready, this, [this] {
        if (m_wantOpen && !m_worker)
            startShell();
    });
    connect(session, &SshSession::failed, this, [this](const Error &e) {
        if (m_wantOpen && !m_open) {
            m_wantOpen = false;
            Q_EMIT closed(e.toString());
        }
    });
}

ShellChannel::~ShellChannel()
{
    if (m_worker)
        QMetaObject::invokeMethod(m_worker, [w = m_worker] {
            if (w)
                w->closeChannel();
        });
}

QString ShellChannel::title() const
{
    return m_session ? m_session->host().alias : QString();
}

void ShellChannel::open(int columns, int rows)
{
    m_columns = columns;
    m_rows = rows;
    m_wantOpen = true;
    if (!m_session)
        return;
    if (m_session->isReady())
        startShell();
    else if (m_session->state() == SshSession::State::Disconnected)
        m_session->connectToHost();
}

void ShellChannel::startShell()
{
    m_inFlight->store(0);
    auto *worker = new ShellWorker(m_columns, m_rows, m_inFlight);
    worker->moveToThread(m_session->worker()->thread());
    m_worker = worker;
    connect(worker, &ShellWorker::opened, this, [this] {
        m_open = true;
        Q_EMIT opened();
    });
    connect(worker, &ShellWorker::data, this, &ShellChannel::onData);
    connect(worker, &ShellWorker::closed, this, &ShellChannel::onWorkerClosed);
    m_session->post([worker, paused = m_paused](SshConnection &c) {
        worker->setPaused(paused);
        worker->attach(&c);
    });
}

void ShellChannel::onData(const QByteArray &bytes)
{
    Q_EMIT received(bytes);
    const qint64 before = m_inFlight->fetch_sub(bytes.size());
    // Crossing back under the limit: the worker stopped reading and waits for this.
    if (before >= ShellWorker::kMaxInFlight && before - bytes.size() < ShellWorker::kMaxInFlight && m_worker)
        QMetaObject::invokeMethod(m_worker, [w = m_worker] {
            if (w)
                w->wake();
        });
}

void ShellChannel::onWorkerClosed(const QString &reason)
{
    m_worker = nullptr;
    const bool wasOpen = m_open;
    m_open = false;
    m_wantOpen = false;
    if (wasOpen || !reason.isEmpty())
        Q_EMIT closed(reason);
}

void ShellChannel::write(const QByteArray &bytes)
{
    if (!m_worker || bytes.isEmpty())
        return;
    QMetaObject::invokeMethod(m_worker, [w = m_worker, bytes] {
        if (w)
            w->write(bytes);
    });
}

void ShellChannel::resize(int columns, int rows)
{
    if (columns <= 0 || rows <= 0)
        return;
    m_columns = columns;
    m_rows = rows;
    if (m_worker)
        QMetaObject::invokeMethod(m_worker, [w = m_worker, columns, rows] {
            if (w)
                w->resize(columns, rows);
        });
}

void ShellChannel::setReceivePaused(bool paused)
{
    m_paused = paused;
    if (m_worker)
        QMetaObject::invokeMethod(m_worker, [w = m_worker, paused] {
            if (w)
                w->setPaused(paused);
        });
}

void ShellChannel::reconnect()
{
    if (m_open || m_worker)
        return;
    open(m_columns, m_rows);
}

void ShellChannel::close()
{
    m_wantOpen = false;
    if (m_worker)
        QMetaObject::invokeMethod(m_worker, [w = m_worker] {
            if (w)
                w->closeChannel();
        });
}

} // namespace skydeck::ssh
