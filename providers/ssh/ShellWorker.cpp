#include "ShellWorker.h"

#include "SshConnection.h"
#include "SshLogging.h"

namespace skydeck::ssh {

ShellWorker::ShellWorker(int columns, int rows, std::shared_ptr<std::atomic<qint64>> inFlight)
    : m_inFlight(std::move(inFlight)), m_columns(columns), m_rows(rows), m_sentColumns(columns), m_sentRows(rows)
{
}

ShellWorker::~ShellWorker()
{
    if (m_conn)
        m_conn->retire(std::move(m_channel));
    else
        (void)m_channel.release();  // freed with the session
}

void ShellWorker::attach(SshConnection *connection)
{
    m_conn = connection;
    setParent(connection);
    if (!connection->isReady())
        return finish(QStringLiteral("Not connected to %1").arg(connection->host().alias));
    connect(connection, &SshConnection::sessionEnding, this, [this] {
        m_channel.reset();
        finish(m_conn ? m_conn->endReason() : QString());
    });
    connection->addPump(this, [this] { return pump(); });
}

void ShellWorker::wake()
{
    if (m_conn)
        m_conn->wake();
}

void ShellWorker::write(const QByteArray &bytes)
{
    m_out += bytes;
    wake();
}

void ShellWorker::resize(int columns, int rows)
{
    m_columns = columns;
    m_rows = rows;
    wake();
}

void ShellWorker::setPaused(bool paused)
{
    m_paused = paused;
    wake();
}

void ShellWorker::closeChannel()
{
    m_closeRequested = true;
    wake();
}

bool ShellWorker::pump()
{
    if (!m_conn || m_step == Step::Done)
        return false;
    LIBSSH2_SESSION *s = m_conn->session();
    bool progress = false;
    const auto failed = [this](int rc, const char *what) {
        if (!m_conn->checkFatal(rc, what))
            finish(m_conn->sessionError(rc, QString::fromLatin1(what)).toString());
    };
    // Open, pty and shell wait for replies: one channel in setup at a time (SshConnection).
    if ((m_step == Step::Open || m_step == Step::Pty || m_step == Step::Shell) && !m_conn->acquireSetup(this))
        return false;
    if (m_step == Step::Open) {
        LIBSSH2_CHANNEL *c = libssh2_channel_open_session(s);
        if (!c) {
            const int rc = libssh2_session_last_errno(s);
            if (rc != LIBSSH2_ERROR_EAGAIN)
                failed(rc, "cannot open a session channel");
            return false;
        }
        m_channel.reset(c);
        m_step = Step::Pty;
        progress = true;
    }
    LIBSSH2_CHANNEL *ch = m_channel.get();
    if (m_step == Step::Pty) {
        static const char term[] = "xterm-256color";
        const int rc = libssh2_channel_request_pty_ex(ch, term, sizeof term - 1, nullptr, 0, m_columns, m_rows, 0, 0);
        if (rc == LIBSSH2_ERROR_EAGAIN)
            return progress;
        if (rc != 0) {
            failed(rc, "the server refused a terminal (pty)");
            return true;
        }
        m_sentColumns = m_columns;
        m_sentRows = m_rows;
        m_step = Step::Shell;
    }
    if (m_step == Step::Shell) {
        const int rc = libssh2_channel_shell(ch);
        if (rc == LIBSSH2_ERROR_EAGAIN)
            return true;
        if (rc != 0) {
            failed(rc, "the server refused a shell");
            return true;
        }
        m_step = Step::Running;
        m_conn->releaseSetup(this);
        Q_EMIT opened();
        progress = true;
    }
    if (m_step == Step::Running) {
        while (!m_out.isEmpty()) {
            const ssize_t w = libssh2_channel_write(ch, m_out.constData(), size_t(m_out.size()));
            if (w == LIBSSH2_ERROR_EAGAIN)
                break;
            if (w < 0) {
                failed(int(w), "write");
                return true;
            }
            m_out.remove(0, w);
            progress = true;
        }
        // After the keystrokes, and not while one of their packets is half sent (libssh2 would
        // refuse the window-change with BAD_USE until that write is retried).
        if (m_out.isEmpty() && (m_sentColumns != m_columns || m_sentRows != m_rows)) {
            const int rc = libssh2_channel_request_pty_size_ex(ch, m_columns, m_rows, 0, 0);
            if (rc == 0) {
                m_sentColumns = m_columns;
                m_sentRows = m_rows;
                progress = true;
            } else if (rc != LIBSSH2_ERROR_EAGAIN) {
                if (m_conn->checkFatal(rc, "resize"))
                    return true;
                m_sentColumns = m_columns;  // refused: do not retry forever
                m_sentRows = m_rows;
            }
        }
        if (m_conn->outboundBlocked()) {
            // A packet of ours is half sent: reading could send a window adjust, which libssh2
            // refuses until that packet is out. The write notifier brings us back.
        } else if (!m_paused && m_inFlight->load() < kMaxInFlight) {
            QByteArray chunk;
            char buf[32 * 1024];
            while (chunk.size() < kMaxChunk) {
                ssize_t n = libssh2_channel_read(ch, buf, sizeof buf);
                if (n == LIBSSH2_ERROR_EAGAIN || n == 0)
                    n = libssh2_channel_read_stderr(ch, buf, sizeof buf);
                if (n > 0) {
                    chunk.append(buf, n);
                    continue;
                }
                if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
                    if (!chunk.isEmpty())
                        Q_EMIT data(chunk);
                    failed(int(n), "read");
                    return true;
                }
                break;
            }
            if (!chunk.isEmpty()) {
                m_inFlight->fetch_add(chunk.size());
                Q_EMIT data(chunk);
                progress = true;
            } else if (libssh2_channel_eof(ch)) {
                m_step = Step::Closing;
            }
        } else {
            // Not reading: keep the transport moving for the other channels.
            char none[1];
            (void)libssh2_channel_read_ex(ch, 0, none, 0);
        }
        if (m_closeRequested && m_step == Step::Running) {
            const int rc = libssh2_channel_send_eof(ch);
            if (rc != LIBSSH2_ERROR_EAGAIN)
                m_step = Step::Closing;
        }
    }
    if (m_step == Step::Closing) {
        const int rc = libssh2_channel_close(ch);
        if (rc == LIBSSH2_ERROR_EAGAIN)
            return progress;
        const int status = libssh2_channel_get_exit_status(ch);
        qCDebug(lcSsh) << "shell ended, exit status" << status;
        finish(QString());
        return true;
    }
    return progress;
}

void ShellWorker::finish(const QString &reason)
{
    if (m_step == Step::Done)
        return;
    m_step = Step::Done;
    if (m_conn) {
        m_conn->removePumps(this);
        m_conn->retire(std::move(m_channel));
    }
    Q_EMIT closed(reason);
    deleteLater();
}

} // namespace skydeck::ssh
