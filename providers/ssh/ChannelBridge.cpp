#include "ChannelBridge.h"

#include "SshConnection.h"
#include "SshLogging.h"

#include <QSocketNotifier>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace skydeck::ssh {

namespace {
constexpr qsizetype kChunk = 32 * 1024;
constexpr qsizetype kMaxBuffered = 256 * 1024;
} // namespace

ChannelBridge::ChannelBridge(SshConnection *connection, int fd, Opener opener, QObject *parent)
    : QObject(parent), m_conn(connection), m_fd(fd), m_opener(std::move(opener))
{
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    m_readNotifier = new QSocketNotifier(qintptr(fd), QSocketNotifier::Read, this);
    m_writeNotifier = new QSocketNotifier(qintptr(fd), QSocketNotifier::Write, this);
    m_readNotifier->setEnabled(false);
    m_writeNotifier->setEnabled(false);
    const auto wake = [this] {
        m_readNotifier->setEnabled(false);
        m_writeNotifier->setEnabled(false);
        if (m_conn)
            m_conn->wake();
    };
    connect(m_readNotifier, &QSocketNotifier::activated, this, wake);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, wake);
    connect(connection, &SshConnection::sessionEnding, this, [this] {
        m_channel.reset();  // the session frees it (blocking mode at this point)
        finish();
    });
    connection->addPump(this, [this] { return pump(); });
}

ChannelBridge::~ChannelBridge()
{
    if (m_conn)
        m_conn->retire(std::move(m_channel));
    else
        (void)m_channel.release();  // freed with its session
}

bool ChannelBridge::pump()
{
    if (m_done || !m_conn)
        return false;
    LIBSSH2_SESSION *s = m_conn->session();
    bool progress = false;
    if (!m_channel) {
        // Channel opens keep their state in the session: one at a time (SshConnection).
        if (!m_conn->acquireSetup(this))
            return false;
        LIBSSH2_CHANNEL *c = m_opener(s);
        if (!c) {
            const int rc = libssh2_session_last_errno(s);
            if (rc == LIBSSH2_ERROR_EAGAIN || m_conn->checkFatal(rc, "opening a channel"))
                return false;
            m_conn->releaseSetup(this);
            Q_EMIT failed(m_conn->sessionError(rc, QStringLiteral("cannot open a forwarding channel")));
            finish();
            return false;
        }
        m_channel.reset(c);
        m_conn->releaseSetup(this);
        progress = true;
        Q_EMIT opened();
    }
    LIBSSH2_CHANNEL *ch = m_channel.get();
    char buf[kChunk];

    // local socket -> channel
    for (int i = 0; i < 8; ++i) {
        if (m_toChannel.isEmpty() && !m_socketEof) {
            const ssize_t n = ::read(m_fd.get(), buf, sizeof buf);
            if (n > 0)
                m_toChannel.append(buf, n);
            else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
                m_socketEof = true;
        }
        if (m_toChannel.isEmpty())
            break;
        const ssize_t w = libssh2_channel_write(ch, m_toChannel.constData(), size_t(m_toChannel.size()));
        if (w == LIBSSH2_ERROR_EAGAIN)
            break;
        if (w < 0) {
            if (!m_conn->checkFatal(int(w), "forwarding"))
                finish();
            return true;
        }
        m_toChannel.remove(0, w);
        m_bytesUp += quint64(w);
        progress = true;
    }
    if (m_socketEof && m_toChannel.isEmpty() && !m_eofSent) {
        const int rc = libssh2_channel_send_eof(ch);
        if (rc == 0) {
            m_eofSent = true;
            progress = true;
        } else if (rc != LIBSSH2_ERROR_EAGAIN) {
            if (m_conn->checkFatal(rc, "forwarding"))
                return true;
            m_eofSent = true;
        }
    }

    // channel -> local socket (reading may send a window adjust: not while a packet of ours is
    // half sent, see SshConnection::outboundBlocked; the write notifier brings us back)
    for (int i = 0; i < 8 && !m_conn->outboundBlocked(); ++i) {
        bool readSome = false;
        if (m_toSocket.size() < kMaxBuffered && !m_channelEof) {
            const ssize_t n = libssh2_channel_read(ch, buf, sizeof buf);
            if (n > 0) {
                m_toSocket.append(buf, n);
                m_bytesDown += quint64(n);
                readSome = true;
                progress = true;
            } else if (n == 0 || (n < 0 && n != LIBSSH2_ERROR_EAGAIN)) {
                if (n < 0 && m_conn->checkFatal(int(n), "forwarding"))
                    return true;
                if (n < 0 || libssh2_channel_eof(ch))
                    m_channelEof = true;
            }
        }
        if (m_shutWr)
            m_toSocket.clear();
        if (!m_toSocket.isEmpty()) {
            const ssize_t w = ::send(m_fd.get(), m_toSocket.constData(), size_t(m_toSocket.size()), MSG_NOSIGNAL);
            if (w > 0) {
                m_toSocket.remove(0, w);
                progress = true;
            } else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                // The local side went away: nothing more to deliver or read.
                m_toSocket.clear();
                m_socketEof = true;
                m_channelEof = true;
            }
        }
        if (!readSome)
            break;
    }
    if (m_channelEof && m_toSocket.isEmpty() && !m_shutWr) {
        ::shutdown(m_fd.get(), SHUT_WR);
        m_shutWr = true;
        progress = true;
    }
    if (m_shutWr && m_eofSent) {
        finish();
        return true;
    }
    updateNotifiers();
    return progress;
}

void ChannelBridge::updateNotifiers()
{
    m_readNotifier->setEnabled(m_channel && m_toChannel.isEmpty() && !m_socketEof);
    m_writeNotifier->setEnabled(!m_toSocket.isEmpty());
}

void ChannelBridge::finish()
{
    if (m_done)
        return;
    m_done = true;
    m_readNotifier->setEnabled(false);
    m_writeNotifier->setEnabled(false);
    if (m_conn) {
        m_conn->removePumps(this);
        m_conn->retire(std::move(m_channel));
    }
    m_fd.reset();
    Q_EMIT finished();
    deleteLater();
}

} // namespace skydeck::ssh
