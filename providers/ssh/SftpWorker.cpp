#include "SftpWorker.h"

#include "SftpLogging.h"
#include "SshConnection.h"

namespace skydeck::ssh {

bool closeHandle(SftpHandlePtr &handle)
{
    if (!handle)
        return true;
    if (libssh2_sftp_close_handle(handle.get()) == LIBSSH2_ERROR_EAGAIN)
        return false;
    (void)handle.release();  // freed by libssh2 whatever the server answered
    return true;
}

SftpWorker::SftpWorker(SshConnection *conn, int bulkChannels)
    : QObject(conn), m_conn(conn), m_channels(size_t(1 + std::max(1, bulkChannels)))
{
    connect(conn, &SshConnection::sessionEnding, this, [this] {
        abandonAll(Error(Error::Category::Network, m_conn ? m_conn->endReason() : QStringLiteral("disconnected")));
        for (Channel &ch : m_channels)
            (void)ch.sftp.release();  // the session frees its channels
        m_dead = true;
        deleteLater();
    });
    conn->addPump(this, [this] { return pump(); });
}

SftpWorker::~SftpWorker()
{
    abandonAll(Error::cancelled());
    if (m_conn && m_conn->isReady()) {
        for (Channel &ch : m_channels)
            ch.sftp.reset();
    } else {
        for (Channel &ch : m_channels)
            (void)ch.sftp.release();
    }
}

void SftpWorker::abandonAll(const Error &error)
{
    for (Channel &ch : m_channels) {
        auto queue = std::move(ch.queue);
        ch.queue.clear();
        for (const auto &op : queue) {
            op->abandon(error);
            finished(*op);
        }
    }
}

void SftpWorker::finished(const SftpOp &op)
{
    if (op.bulk)
        m_bulkLoad->fetch_sub(1, std::memory_order_relaxed);
}

void SftpWorker::enqueue(std::shared_ptr<SftpOp> op)
{
    if (m_dead || !m_conn || !m_conn->isReady()) {
        op->abandon(Error(Error::Category::Network, QStringLiteral("not connected")));
        return;
    }
    if (op->bulk)
        m_bulkLoad->fetch_add(1, std::memory_order_relaxed);
    Channel *target = &m_channels[0];
    if (op->bulk) {
        target = &m_channels[1];
        for (size_t i = 2; i < m_channels.size(); ++i)
            if (m_channels[i].queue.size() < target->queue.size())
                target = &m_channels[i];
    }
    target->queue.push_back(std::move(op));
    m_conn->wake();
}

bool SftpWorker::pump()
{
    bool progress = false;
    for (Channel &ch : m_channels) {
        if (m_dead)
            return false;
        // A packet half sent by one channel's call is finished only by that call (see
        // SshConnection::outboundBlocked): meanwhile the other channels wait.
        if (m_sending && m_sending != &ch)
            continue;
        const bool blockedBefore = m_conn->outboundBlocked();
        if (pumpChannel(ch))
            progress = true;
        if (m_dead)
            return false;
        if (!m_conn->outboundBlocked())
            m_sending = nullptr;
        else if (!blockedBefore)
            m_sending = &ch;
    }
    return progress;
}

bool SftpWorker::pumpChannel(Channel &ch)
{
    if (ch.queue.empty())
        return false;
    LIBSSH2_SESSION *session = m_conn->session();
    if (!ch.sftp) {
        if (m_initializing && m_initializing != &ch)
            return false;
        // Opening the channel and the subsystem request: one channel in setup per session.
        if (!m_conn->acquireSetup(this))
            return false;
        m_initializing = &ch;
        LIBSSH2_SFTP *s = libssh2_sftp_init(session);
        if (!s) {
            const int rc = libssh2_session_last_errno(session);
            if (rc == LIBSSH2_ERROR_EAGAIN)
                return false;
            m_initializing = nullptr;
            m_conn->releaseSetup(this);
            if (m_conn->checkFatal(rc, "sftp"))
                return false;
            const Error e = m_conn->sessionError(rc, QStringLiteral("cannot start SFTP (is the sftp subsystem enabled on the server?)"));
            auto queue = std::move(ch.queue);
            ch.queue.clear();
            for (const auto &op : queue) {
                op->abandon(e);
                finished(*op);
            }
            return true;
        }
        m_initializing = nullptr;
        m_conn->releaseSetup(this);
        ch.sftp.reset(s);
        qCDebug(lcSftp) << "SFTP channel" << (&ch - m_channels.data()) << "open";
    }
    bool progress = false;
    while (!ch.queue.empty() && !m_dead) {
        std::shared_ptr<SftpOp> op = ch.queue.front();
        SftpContext ctx{m_conn.data(), ch.sftp.get(), session};
        const SftpOp::Step s = op->step(ctx);
        if (m_dead)
            return false;
        if (s == SftpOp::Step::Done) {
            if (!ch.queue.empty() && ch.queue.front() == op)
                ch.queue.pop_front();
            finished(*op);
            progress = true;
            continue;
        }
        if (s == SftpOp::Step::Progress)
            progress = true;
        break;
    }
    return progress;
}

} // namespace skydeck::ssh
